"""The Help menu's windows: a short manual, the keyboard shortcuts and About (the version, the
database in use, and the licences of the libraries bundled with the app)."""
from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path
from typing import Optional, Sequence

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from kpidesk import __version__
from ui.resources import resources_dir

# (distribution, what it does here, licence): the licences as their projects publish them.
BUNDLED = (
    ("PySide6_Essentials", "Qt for Python: the windows", "LGPL-3.0-only (Qt for Python)"),
    ("pyqtgraph", "the plots", "MIT"),
    ("numpy", "the plots' arrays", "BSD-3-Clause"),
    ("SQLAlchemy", "the database layer", "MIT"),
    ("alembic", "database migrations", "MIT"),
    ("openpyxl", "writing Excel workbooks", "MIT"),
    ("python-calamine", "reading spreadsheets fast", "MIT"),
    ("charset-normalizer", "guessing text encodings", "MIT"),
    ("platformdirs", "where the data folder is", "MIT"),
    ("psycopg", "PostgreSQL (shared databases)", "LGPL-3.0-only"),
)


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return pyside_version if dist.startswith("PySide6") else None  # a frozen build has no metadata


def _browser_dialog(parent: Optional[QWidget], title: str, html: str, size: tuple[int, int]) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    text = QTextBrowser()
    text.setOpenExternalLinks(False)
    text.setHtml(html)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    lay = QVBoxLayout(dialog)
    lay.addWidget(text)
    lay.addWidget(buttons)
    dialog.resize(*size)
    dialog.text = text  # type: ignore[attr-defined]
    return dialog


def manual_dialog(parent: Optional[QWidget] = None) -> QDialog:
    html = (resources_dir() / "help" / "manual.html").read_text(encoding="utf-8")
    return _browser_dialog(parent, "KPI Desk manual", html, (720, 640))


def shortcuts_dialog(shortcuts: Sequence[tuple[str, str]], parent: Optional[QWidget] = None) -> QDialog:
    rows = "".join(f"<tr><td style='padding-right:24px'><b>{k}</b></td><td>{what}</td></tr>" for k, what in shortcuts)
    return _browser_dialog(parent, "Keyboard shortcuts", f"<h3>Keyboard shortcuts</h3><table>{rows}</table>",
                           (520, 520))


def about_html(db_path: Path | str) -> str:
    # Only what is there: psycopg, say, comes with the PostgreSQL extra alone.
    libs = "".join(f"<tr><td>{d.replace('_Essentials', '')}</td><td>{v}</td><td>{lic}</td><td>{what}</td></tr>"
                   for d, what, lic in BUNDLED if (v := _version(d)) is not None)
    return (f"<h2>KPI Desk {__version__}</h2>"
            "<p>KPIs, trends and fair appraisal check-ins for small IT teams, offline.</p>"
            f"<p><b>Database:</b> {db_path}</p>"
            f"<p><b>Running on:</b> Python {platform.python_version()}, Qt {qVersion()}, PySide6 {pyside_version}, "
            f"{platform.system()} {platform.release()}</p>"
            "<h3>Libraries bundled with KPI Desk</h3>"
            "<table cellpadding='3'><tr><th align='left'>Library</th><th align='left'>Version</th>"
            f"<th align='left'>Licence</th><th align='left'>Used for</th></tr>{libs}</table>"
            "<p>Qt is used under the LGPL v3: its libraries are linked dynamically and can be replaced.</p>")


def about_dialog(db_path: Path | str, parent: Optional[QWidget] = None) -> QDialog:
    return _browser_dialog(parent, "About KPI Desk", about_html(db_path), (640, 560))
