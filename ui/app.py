"""Starting the desktop app: QApplication, look and feel, the database (with the first-run welcome),
and the main window. main.py calls `run_gui(db_path_or_None)`.

Thread rules: everything here runs on the GUI thread; the demo data is created through ui.ops.Op.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtWidgets import QApplication

from kpidesk.backend import is_shared
from kpidesk.errors import Cancelled
from kpidesk.paths import resolve_db_path
from ui import state
from ui.errors import show_error
from ui.ops import Op
from ui.qt_app import APPLICATION, ORGANIZATION, configure_pyqtgraph, make_app  # noqa: F401 (re-exported)
from ui.welcome import DEMO, OPEN, TEMPLATES, WelcomeDialog

if TYPE_CHECKING:
    from kpidesk.records import Changes
    from kpidesk.store import Store
    from ui.main_window import MainWindow

Welcome = Callable[[Path], tuple[str | None, Path | None]]


def ask_welcome(path: Path) -> tuple[str | None, Path | None]:
    dlg = WelcomeDialog(path)
    dlg.exec()
    return dlg.choice, dlg.open_path


def open_first_store(db: str | Path | None, welcome: Welcome = ask_welcome) -> tuple[Store | None, str | None]:
    """(store, first-run choice). Shows the welcome when there is no database yet; (None, None) if
    the user closed it or the database was refused (the message has been shown)."""
    # Here, not at the top: the window is drawn before the database code (SQLAlchemy) loads.
    from ui import module_sources

    module_sources.forget()  # what the window's code left
    from kpidesk.ui_queries import needs_first_run
    from ui.backups.actions import open_or_recover

    target = db or os.environ.get("KPIDESK_DB")
    if is_shared(target):  # a department's database on a server: no first-run welcome, no recent file
        return open_or_recover(None, str(target)), None
    path = resolve_db_path(db)
    choice: str | None = None
    if needs_first_run(path):
        choice, other = welcome(path)
        if choice is None:
            return None, None
        if choice == OPEN and other is not None:
            path = other
    store = open_or_recover(None, path)  # a damaged file: offer the newest sound backup
    if store is None:
        return None, None
    if choice == TEMPLATES:
        from kpidesk import actions

        try:
            actions.start_from_templates(store)
        except Exception as exc:  # noqa: BLE001 - shown; the empty database is still usable
            show_error(None, exc)
    state.add_recent_database(store.path)
    module_sources.forget()  # what the database code left
    return store, choice


def start_demo(window: MainWindow) -> Op:
    """Fill the (new, empty) database with the demo department in the background."""
    from kpidesk import actions

    store = window.store

    def on_failure(exc: BaseException) -> None:
        if not isinstance(exc, Cancelled):
            show_error(window, exc)
        window.apply_changes(_everything())  # whatever was written before the stop is shown

    return (Op(window, lambda progress: actions.load_demo(store, seed=7, progress=progress).changes)
            .with_progress("Creating the demo department…")
            .success(window.apply_changes)
            .failure(on_failure)
            .run())


def _everything() -> Changes:
    from kpidesk.records import Changes

    return Changes(kpis=True, people=True, tickets=True, measurements=True, reviews=True, checkins=True,
                   imports=True, settings=True)


def run_gui(db: str | None = None, welcome: Welcome = ask_welcome) -> int:
    app = make_app()
    from ui.backups.actions import start_auto_backup
    from ui.main_window import MainWindow

    window = None
    if not is_shared(db or os.environ.get("KPIDESK_DB")) and resolve_db_path(db).is_file():
        # An existing database: the window is drawn first and fills in as the database opens (the
        # database code costs ~0.3 s to load); a first start shows the welcome before any window.
        window = MainWindow(None)
        window.show()
        app.processEvents()
    store, choice = open_first_store(db, welcome)
    if store is None:
        return 1
    if window is None:
        window = MainWindow(store)
        window.show()
    else:
        window.attach_store(store)
    if choice == DEMO:
        start_demo(window)
    elif choice in (None, OPEN):  # an existing database: the daily backup (a new one has nothing yet)
        start_auto_backup(window)
    return app.exec()
