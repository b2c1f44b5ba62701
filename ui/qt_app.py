"""The QApplication with KPI Desk's names (for QSettings), icon, style sheet and pyqtgraph options.

Its own module, below every window and dialog: app.py (which builds the main window) and the screens'
previews both use it, and it imports none of them.
"""
from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from ui.resources import icon, stylesheet

ORGANIZATION = "KPI Desk"
APPLICATION = "KPI Desk"


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication, made once (the existing one is set up again if there is one)."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setWindowIcon(icon("kpidesk"))
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    configure_pyqtgraph()
    return app


def configure_pyqtgraph() -> None:
    import pyqtgraph as pg

    pg.setConfigOptions(exitCleanup=False, antialias=True, background="w", foreground="#334e68")
