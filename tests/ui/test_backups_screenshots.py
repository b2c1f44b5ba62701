"""Screenshots of the backup dialogs, to look at (issue 7: "screenshots of the first-run and restore
dialogs, looked at"): shots/restore-dialog.png and shots/damaged-database.png (git-ignored), on a
copy of the demo database with a realistic set of backups, one of them damaged."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from kpidesk import backups
from kpidesk.store import Store
from tests.ui.test_backups_ui import damage, wait_checked
from ui.backups.damaged_dialog import DamagedDialog
from ui.backups.restore_dialog import RestoreDialog

pytestmark = pytest.mark.sqlite_only("the restore and damaged-file dialogs of the database file")

SHOTS = Path(__file__).resolve().parents[2] / "shots"


def shot(qtbot, widget, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    qtbot.waitExposed(widget)
    QApplication.processEvents()  # pending layout requests after the last change of text
    path = SHOTS / f"{name}.png"
    assert widget.grab().save(str(path))
    return path



def dated_backup(store: Store, reason: str, when: dt.datetime) -> Path:
    """A real backup, renamed as if taken at `when` (the name carries the time)."""
    made = store.backup(reason=reason)
    return made.rename(made.with_name(f"{store.path.stem}-{when:%Y%m%d-%H%M%S}-000000-{reason}.db"))


def realistic_backups(store: Store) -> Path:
    """A week of daily backups, one made by hand, one before a restore, one damaged; returns the
    damaged one."""
    day = dt.datetime(2026, 11, 22, 8, 57)
    for i in range(6):
        dated_backup(store, "daily", day - dt.timedelta(days=i, minutes=7 * i))
    dated_backup(store, "manual", day - dt.timedelta(days=2, hours=-6))
    dated_backup(store, "before-restore", day - dt.timedelta(days=4, hours=-3))
    bad = dated_backup(store, "daily", day - dt.timedelta(days=6, hours=1))
    damage(bad)
    return bad


def test_restore_dialog_screenshot(qtbot, styled_app, demo_store):
    realistic_backups(demo_store)
    dlg = RestoreDialog(demo_store.path)
    qtbot.addWidget(dlg)
    dlg.show()
    wait_checked(qtbot, dlg)
    dlg.table.selectRow(0)
    assert dlg.model.rowCount() == len(backups.list_backups(demo_store.path)) == 9
    shot(qtbot, dlg, "restore-dialog")
    dlg.table.selectRow(8)
    shot(qtbot, dlg, "restore-dialog-damaged-backup")


def test_damaged_database_screenshot(qtbot, styled_app, demo_store):
    realistic_backups(demo_store)
    path = demo_store.path
    demo_store.close()
    damage(path)
    dlg = DamagedDialog(path, "database disk image is malformed")
    qtbot.addWidget(dlg)
    dlg.show()
    shot(qtbot, dlg, "damaged-database")
