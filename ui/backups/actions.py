"""What the File menu and start-up do with backups: the daily backup, opening a database with the
offer to restore when it is damaged, Restore from backup…, Back up now…, Check database integrity.

The main window and ui.app call these; each takes the window (or None before it exists) and does
the rest: dialogs, Ops, messages. GUI thread; the file work runs in ui.ops.Op.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable, Protocol

from PySide6.QtWidgets import QDialog, QFileDialog, QMainWindow, QMessageBox, QWidget

from kpidesk import backups
from kpidesk.backend import is_shared
from kpidesk.database import integrity_check
from kpidesk.errors import DatabaseDamaged
from kpidesk.store import Store
from ui.backups.damaged_dialog import OPEN_OTHER, RESTORED, DamagedDialog
from ui.backups.restore_dialog import RestoreDialog
from ui.errors import open_store, show_error
from ui.ops import Op
from ui.welcome import DB_FILTER



class MainWindow(Protocol):
    """What these need of the main window (which imports this module: so no import back)."""
    store: Store

    def statusBar(self) -> "QMainWindow.statusBar": ...  # noqa: N802 - Qt's name

    def open_database(self, path: Path) -> bool: ...

# Tests replace these to capture messages and answer dialogs instead of showing modal boxes.
Notify = Callable[[QWidget | None, str, str, bool], None]


def _default_notify(parent: QWidget | None, title: str, text: str, warning: bool) -> None:
    kind = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
    QMessageBox(kind, title, text, QMessageBox.StandardButton.Ok, parent).exec()


def _default_ask_damaged(parent: QWidget | None, path: Path, problem: str) -> DamagedDialog:
    dlg = DamagedDialog(path, problem, parent, cancel_text="Quit" if parent is None else "Cancel")
    dlg.exec()
    return dlg


def _default_choose_backup_file(parent: QWidget | None, suggested: Path) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, "Back up the database to…", str(suggested), DB_FILTER)
    return Path(name) if name else None


notify: Notify = _default_notify
ask_damaged: Callable[[QWidget | None, Path, str], DamagedDialog] = _default_ask_damaged
choose_backup_file: Callable[[QWidget | None, Path], Path | None] = _default_choose_backup_file


# Opening ----------------------------------------------------------------------------------------
def open_or_recover(parent: QWidget | None, path: Path | str) -> Store | None:
    """Open the database at `path` (or the shared one a postgresql:// URL names). A damaged file gets
    the damaged-database dialog (restore the newest sound backup, another backup, another file, or
    give up); any other refusal is shown by ui.errors. None when nothing was opened (the message has
    been shown)."""
    if is_shared(path):  # the server checks its own pages; its refusals are messages like any other
        try:
            return Store.open(str(path))
        except Exception as exc:  # noqa: BLE001 - shown by ui.errors
            show_error(parent, exc)
            return None
    path = Path(path).expanduser().resolve()
    try:
        return Store.open(path)
    except DatabaseDamaged as exc:
        problems = integrity_check(path, quick=True)
        dlg = ask_damaged(parent, path, problems[0] if problems else str(exc))
    except Exception as exc:  # noqa: BLE001 - every other refusal becomes ui.errors' dialog
        show_error(parent, exc)
        return None
    if dlg.choice == OPEN_OTHER and dlg.open_path is not None:
        return open_or_recover(parent, dlg.open_path)
    if dlg.choice != RESTORED:
        return None
    store = open_store(parent, path)
    if store is not None:
        notify(parent, "Backup restored",
               f"{path.name} was restored from its backup and is open again.\n\n"
               f"The damaged file was kept, unchanged, at:\n{dlg.safety_path}", False)
    return store


def start_auto_backup(window: MainWindow) -> Op[Path | None]:
    """The daily backup on start (at most once a day, only of a sound file, keeping the newest
    'backups_keep'), in the background: about 30 ms on the demo, more on a large database. A failure
    is reported in the status bar: it must not stand between the manager and the app."""
    store = window.store

    def run(progress: object) -> Path | None:
        if store.path is None:  # a shared database: its server's backups (pg_dump), not ours
            return None
        keep = int(store.get_setting("backups_keep") or 10)
        return backups.auto_backup(store.path, keep=keep)

    def on_success(path: Path | None) -> None:
        if path is not None:
            window.statusBar().showMessage(f"Daily backup taken: {path}", 10000)

    def on_failure(exc: BaseException) -> None:
        window.statusBar().showMessage(f"The daily backup could not be taken: {exc}", 30000)

    return Op(window, run).success(on_success).failure(on_failure).run()


# File menu --------------------------------------------------------------------------------------
def restore_from_backup(window: MainWindow) -> RestoreDialog:
    """File > Restore from backup…: the dialog; after a restore, the window reopens the database
    and says where the previous state was kept."""
    path = window.store.path
    dlg = RestoreDialog(path, window)
    if dlg.exec() == QDialog.DialogCode.Accepted and dlg.restored is not None:
        if window.open_database(path):
            notify(window, "Backup restored",
                   f"{path.name} now holds what it held on {dlg.restored.taken_at:%d %B %Y at %H:%M}.\n\n"
                   f"What it held before the restore was kept at:\n{dlg.safety_path}", False)
    return dlg


def back_up_now(window: MainWindow) -> Op[Path] | None:
    """File > Back up now…: a consistent copy (SQLite backup API) to a file the manager chooses."""
    store = window.store
    suggested = Path.home() / f"{store.path.stem}-backup-{dt.date.today():%Y-%m-%d}.db"
    dest = choose_backup_file(window, suggested)
    if dest is None:
        return None

    def on_success(written: Path) -> None:
        notify(window, "Backup saved", f"A copy of {store.path.name} as it is now was saved to:\n{written}", False)

    return (Op(window, lambda progress: store.backup(dest))
            .with_progress("Backing up the database…").success(on_success).run())


def check_integrity(window: MainWindow) -> Op[list[str]]:
    """File > Check database integrity: the full PRAGMA integrity_check, with a plain answer."""
    store = window.store

    def on_success(problems: list[str]) -> None:
        if not problems:
            notify(window, "Database is sound",
                   f"KPI Desk checked every page and index of {store.path.name}: no problems found.", False)
            return
        listed = "\n".join(f"• {p}" for p in problems[:8]) + ("\n• …" if len(problems) > 8 else "")
        notify(window, "Database is damaged",
               f"The check of {store.path.name} found {len(problems)} problem(s):\n{listed}\n\n"
               "Stop entering data, and restore the newest sound backup with File > Restore from backup…. "
               "What the database holds now is kept before any restore.", True)

    return (Op(window, lambda progress: store.integrity_problems(quick=False))
            .with_progress("Checking the database…").success(on_success).run())
