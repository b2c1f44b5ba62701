"""The one place where errors become dialogs (after Electrum's show_error / WindowModalDialog).

The core's errors (kpidesk.errors.KpiDeskError) carry a complete, plain message: it is shown as is.
Anything else is a bug: the user gets a short apology and the traceback under "Show Details".
"""
from __future__ import annotations

import traceback
from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from kpidesk.errors import (
    Cancelled,
    DatabaseError,
    ExportFailed,
    ImportFailed,
    KpiDeskError,
    NotFound,
    ValidationError,
)

TITLES: dict[type[KpiDeskError], str] = {
    DatabaseError: "Database problem",
    ValidationError: "Please check the values",
    ImportFailed: "Import failed",
    ExportFailed: "Export failed",
    NotFound: "Not found",
}

# Tests replace this to capture messages instead of showing modal boxes.
Presenter = Callable[[QWidget | None, str, str, str], None]


def _default_presenter(parent: QWidget | None, title: str, text: str, details: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.exec()


presenter: Presenter = _default_presenter


def error_text(exc: BaseException) -> tuple[str, str, str]:
    """(title, message, details) for `exc`: what a dialog would show."""
    if isinstance(exc, ValidationError):
        lines = [f"{field.replace('_', ' ').capitalize()}: {msg}" for field, msg in exc.problems.items()]
        return TITLES[ValidationError], "\n".join(lines), ""
    if isinstance(exc, KpiDeskError):
        title = next((t for cls, t in TITLES.items() if isinstance(exc, cls)), "KPI Desk")
        return title, str(exc), ""
    if isinstance(exc, OSError):
        return "File problem", f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), ""
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return "Unexpected error", ("Something went wrong that KPI Desk did not expect. Nothing was saved by "
                                f"the step that failed.\n\n{type(exc).__name__}: {exc}"), details


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """Show `exc` to the user. A cancellation is not an error: nothing is shown."""
    if isinstance(exc, Cancelled):
        return
    title, text, details = error_text(exc)
    presenter(parent, title, text, details)


def open_store(parent: QWidget | None, path: Path):  # -> Store | None
    """Open the database at `path`, showing the core's message if it refuses; None on failure."""
    from kpidesk.store import Store

    try:
        return Store.open(path)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a dialog here, by design
        show_error(parent, exc)
        return None
