"""Issue 7, items 3-4 (GUI): the restore dialog, the damaged-database dialog, the daily backup on
start, Back up now… and Check database integrity. Modal dialogs' exec is replaced; no sleeps."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from kpidesk import backups
from kpidesk.store import Store
from ui import app as ui_app
from ui.backups import actions
from ui.backups.damaged_dialog import OPEN_OTHER, RESTORED, DamagedDialog
from ui.backups.model import CHECKING, DAMAGED, SOUND, BackupTableModel, Column
from ui.backups.restore_dialog import RestoreDialog

pytestmark = pytest.mark.sqlite_only("backups, restore and the integrity check of the database file")


def damage(path: Path) -> bytes:
    """Scribble over the b-tree pages after the header: still 'SQLite format 3', but malformed."""
    data = bytearray(path.read_bytes())
    data[4096:4096 * 4] = b"\xa5" * (4096 * 3)
    path.write_bytes(bytes(data))
    return bytes(data)


def objectives(path: Path) -> list[str]:
    with Store.open(path) as s:
        return [o.name for o in s.list_objectives()]


@pytest.fixture
def notes(monkeypatch) -> list[tuple[str, str, bool]]:
    """Every message the backup actions would show, as (title, text, warning)."""
    shown: list[tuple[str, str, bool]] = []
    monkeypatch.setattr(actions, "notify", lambda parent, title, text, warning: shown.append((title, text, warning)))
    return shown


def wait_checked(qtbot, dlg: RestoreDialog) -> None:
    qtbot.waitUntil(lambda: all(dlg.model.preview(r) is not None for r in range(dlg.model.rowCount())))


# Model ------------------------------------------------------------------------------------------
def test_backup_table_model_passes_the_model_tester(qtmodeltester, store):
    store.backup(reason="daily")
    store.backup(reason="manual")
    model = BackupTableModel()
    model.set_backups(backups.list_backups(store.path))
    qtmodeltester.check(model)
    assert model.data(model.index(0, Column.STATUS)) == CHECKING
    model.set_preview(backups.preview(model.backup(1).path))
    assert model.data(model.index(1, Column.STATUS)) == SOUND
    qtmodeltester.check(model)


# Restore dialog ---------------------------------------------------------------------------------
def test_restore_dialog_lists_backups_and_previews_counts(qtbot, demo_store):
    demo_store.backup(reason="daily")
    bad = demo_store.backup(reason="manual")
    damage(bad)
    dlg = RestoreDialog(demo_store.path)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.model.rowCount() == 2
    wait_checked(qtbot, dlg)
    statuses = [dlg.model.data(dlg.model.index(r, Column.STATUS)) for r in range(2)]
    assert statuses == [DAMAGED, SOUND]  # newest first
    assert dlg.model.data(dlg.model.index(0, Column.STATUS), Qt.ItemDataRole.ForegroundRole) is not None
    assert not dlg.restore_button.isEnabled()  # the damaged one is selected: cannot be restored
    dlg.table.selectRow(1)
    pane = dlg.preview_pane.values
    assert pane["technicians"].text() == "8" and int(pane["tickets"].text().replace(",", "")) > 2000
    assert pane["KPIs"].text() and pane["newest ticket"].text().startswith("2026-11")
    assert pane["schema"].text() and dlg.restore_button.isEnabled()


def test_restore_dialog_without_backups_says_so(qtbot, store):
    dlg = RestoreDialog(store.path)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.model.rowCount() == 0 and dlg.empty_label.isVisible() and not dlg.restore_button.isEnabled()


def test_restoring_brings_back_the_earlier_content(qtbot, window, answer_yes, notes, monkeypatch):
    old_store = window.store
    old_store.create_objective("Before")
    taken = old_store.backup(reason="manual")
    old_store.create_objective("After")

    def fake_exec(dlg: RestoreDialog) -> int:
        dlg.show()
        wait_checked(qtbot, dlg)
        dlg.select_backup(taken)
        qtbot.mouseClick(dlg.restore_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dlg.result() == QDialog.DialogCode.Accepted)
        return dlg.result()

    monkeypatch.setattr(RestoreDialog, "exec", fake_exec)
    with qtbot.waitSignal(window.database_changed):
        window.restore_action.trigger()
    assert window.store is not old_store  # the window reopened the database
    assert [o.name for o in window.store.list_objectives()] == ["Before"]
    safety = [b for b in backups.list_backups(window.store.path) if b.reason == "before-restore"]
    assert len(safety) == 1 and objectives(safety[0].path) == ["After", "Before"]
    assert notes and notes[-1][0] == "Backup restored" and str(safety[0].path) in notes[-1][1]


def test_restore_cancelled_at_confirmation_changes_nothing(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Cancel))
    window.store.create_objective("Kept")
    window.store.backup(reason="manual")
    window.store.create_objective("Also kept")
    dlg = RestoreDialog(window.store.path, window)
    qtbot.addWidget(dlg)
    dlg.show()
    wait_checked(qtbot, dlg)
    qtbot.mouseClick(dlg.restore_button, Qt.MouseButton.LeftButton)
    assert dlg.restored is None and len(window.store.list_objectives()) == 2


# Damaged database -------------------------------------------------------------------------------
@pytest.fixture
def damaged(tmp_path, _template_db) -> tuple[Path, Path, bytes]:
    """(damaged database, its newest sound backup, the damaged bytes): an older sound backup, the
    newest sound one holding 'Good', and a newer backup that is itself damaged."""
    db_path = tmp_path / "laptop" / "kpidesk.db"
    db_path.parent.mkdir()
    shutil.copy(_template_db, db_path)
    with Store.open(db_path) as s:
        s.create_objective("Old")
        s.backup(reason="daily")
        s.create_objective("Good")
        good = s.backup(reason="daily")
        damage(s.backup(reason="manual"))
    return db_path, good, damage(db_path)


def test_opening_a_damaged_file_at_start_offers_the_newest_good_backup(qtbot, damaged, notes, monkeypatch):
    path, good, bad_bytes = damaged
    seen: list[DamagedDialog] = []

    def fake_exec(dlg: DamagedDialog) -> int:
        dlg.show()
        seen.append(dlg)
        assert dlg.good is not None and dlg.good[0].path == good  # the damaged newer backup is skipped
        assert "It holds 0 KPIs, 0 technicians" in dlg.backup_label.text() and dlg.restore_button.isVisible()
        assert dlg.cancel_button.text() == "Quit"
        qtbot.mouseClick(dlg.restore_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dlg.choice == RESTORED)
        return dlg.result()

    monkeypatch.setattr(DamagedDialog, "exec", fake_exec)
    store, choice = ui_app.open_first_store(path, lambda p: (_ for _ in ()).throw(AssertionError("welcome")))
    assert store is not None and seen
    try:
        assert [o.name for o in store.list_objectives()] == ["Good", "Old"]
    finally:
        store.close()
    aside = seen[0].safety_path
    assert aside is not None and aside.read_bytes() == bad_bytes  # kept byte for byte
    assert notes[-1][0] == "Backup restored" and str(aside) in notes[-1][1]


def test_quitting_the_damaged_dialog_leaves_the_file_alone(qtbot, damaged, shown_errors, monkeypatch):
    path, _, bad_bytes = damaged
    monkeypatch.setattr(DamagedDialog, "exec", lambda dlg: (dlg.cancel_button.click(), dlg.result())[1])
    store, _ = ui_app.open_first_store(path, lambda p: (None, None))
    assert store is None and path.read_bytes() == bad_bytes and not shown_errors


def test_damaged_file_from_the_open_menu_can_open_another_file_instead(qtbot, window, damaged, tmp_path,
                                                                       monkeypatch):
    path, _, bad_bytes = damaged
    other = tmp_path / "other.db"
    shutil.copy(window.store.path, other)

    def fake_exec(dlg: DamagedDialog) -> int:
        dlg.show()
        assert dlg.cancel_button.text() == "Cancel"  # the current database stays open
        monkeypatch.setattr(dlg, "choose_file", lambda: other)
        qtbot.mouseClick(dlg.open_button, Qt.MouseButton.LeftButton)
        assert dlg.choice == OPEN_OTHER
        return dlg.result()

    monkeypatch.setattr(DamagedDialog, "exec", fake_exec)
    assert window.open_database(path)
    assert window.store.path == other.resolve() and path.read_bytes() == bad_bytes


def test_damaged_file_without_backups_offers_no_restore(qtbot, db_path):
    damage(db_path)
    dlg = DamagedDialog(db_path, "database disk image is malformed")
    qtbot.addWidget(dlg)
    dlg.show()
    assert not dlg.restore_button.isVisible() and not dlg.other_backups_button.isVisible()
    assert "No sound backup" in dlg.backup_label.text()


# File menu and start-up -------------------------------------------------------------------------
def test_integrity_check_reports_ok_on_a_sound_file(qtbot, window, notes):
    window.check_action.trigger()
    qtbot.waitUntil(lambda: bool(notes))
    assert notes == [("Database is sound", notes[0][1], False)] and window.store.path.name in notes[0][1]


def test_integrity_check_reports_problems(qtbot, window, notes, monkeypatch):
    monkeypatch.setattr(Store, "integrity_problems", lambda self, quick=False: ["row 3 missing from index"])
    op = actions.check_integrity(window)
    qtbot.waitUntil(lambda: not op.is_running())
    assert notes[0][0] == "Database is damaged" and notes[0][2] and "row 3 missing" in notes[0][1]


def test_back_up_now_writes_a_sound_copy(qtbot, window, notes, tmp_path, monkeypatch):
    window.store.create_objective("Copied")
    dest = tmp_path / "elsewhere" / "copy.db"
    monkeypatch.setattr(actions, "choose_backup_file", lambda parent, suggested: dest)
    window.backup_action.trigger()
    qtbot.waitUntil(lambda: bool(notes))
    assert objectives(dest) == ["Copied"] and str(dest) in notes[0][1]


def test_daily_backup_on_start_once_a_day_with_the_keep_setting(qtbot, window):
    window.store.set_setting("backups_keep", 2)
    for _ in range(3):
        window.store.backup(reason="manual")
    op = actions.start_auto_backup(window)
    qtbot.waitUntil(lambda: not op.is_running())
    listed = backups.list_backups(window.store.path)
    assert op.result is not None and len(listed) == 2 and listed[0].reason == "daily"
    again = actions.start_auto_backup(window)
    qtbot.waitUntil(lambda: not again.is_running())
    assert again.result is None and "Daily backup taken" in window.statusBar().currentMessage()


def test_damaged_dialog_can_restore_an_older_backup_instead(qtbot, damaged, answer_yes, notes, monkeypatch):
    path, good, _ = damaged
    older = backups.list_backups(path)[-1].path  # the first backup, holding only 'Old'

    def fake_restore_exec(dlg: RestoreDialog) -> int:
        dlg.show()
        assert dlg.current_damaged
        wait_checked(qtbot, dlg)
        dlg.select_backup(older)
        qtbot.mouseClick(dlg.restore_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dlg.result() == QDialog.DialogCode.Accepted)
        return dlg.result()

    def fake_damaged_exec(dlg: DamagedDialog) -> int:
        dlg.show()
        qtbot.mouseClick(dlg.other_backups_button, Qt.MouseButton.LeftButton)
        return dlg.result()

    monkeypatch.setattr(RestoreDialog, "exec", fake_restore_exec)
    monkeypatch.setattr(DamagedDialog, "exec", fake_damaged_exec)
    store = actions.open_or_recover(None, path)
    assert store is not None
    try:
        assert [o.name for o in store.list_objectives()] == ["Old"]
    finally:
        store.close()
