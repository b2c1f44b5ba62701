"""The GUI import flow of issue 3, driven in pytest-qt: mapping dialog, import op, result, names,
history, undo, rejected rows and the error report, strict, cancel. No sleeps: every op is awaited
with qtbot.waitSignal on its `finished` signal."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from sqlalchemy import func, select

from kpidesk.models import ImportBatch, Ticket
from kpidesk.records import TechnicianRecord
from tests.import_samples import dump, write_csv, write_xlsx
from ui.imports.mapping_dialog import MappingDialog
from ui.imports.names_dialog import NamesDialog
from ui.imports.result_dialog import ResultDialog
from ui.imports.screen import ImportsScreen

HEAD = ["Number", "Opened", "Resolved", "Priority", "Urgency", "State", "Assigned to", "Resolved by",
        "Assignment group", "Made SLA", "Updated"]
DAY = dt.datetime(2026, 3, 2, 8, 0)


def sn_rows(n: int, *, who: str = "Jane Doe", first: int = 0) -> list[list[object]]:
    """ServiceNow list-label rows: Priority says P3, Urgency says P1, so a corrected column shows."""
    return [[f"INC{10000 + first + i:07d}", DAY + dt.timedelta(minutes=7 * i), DAY + dt.timedelta(minutes=7 * i + 95),
             "3 - Moderate", "1 - Critical", "Resolved", who, who, "Service Desk", True,
             DAY + dt.timedelta(minutes=7 * i + 100)] for i in range(n)]


def db_tickets(store) -> dict[str, tuple[object, ...]]:
    """{external id: (technician id, priority tier)} read through the Store."""
    with store.read() as s:
        return {e: (t, p) for e, t, p in s.execute(select(Ticket.external_id, Ticket.technician_id, Ticket.priority_tier))}


def tech(store, name: str) -> int:
    rec, _ = store.create_technician(TechnicianRecord(display_name=name))
    assert rec.id is not None
    return rec.id


@pytest.fixture
def screen(qtbot, store, shown_errors):
    s = ImportsScreen(store)
    qtbot.addWidget(s)
    s.resize(1100, 700)
    s.show()
    yield s
    s.shutdown()


def open_mapping(qtbot, screen: ImportsScreen, path: Path) -> MappingDialog:
    screen.open_file(path)
    assert screen.op is not None
    with qtbot.waitSignal(screen.op.finished, timeout=20000):
        pass
    assert isinstance(screen.dialog, MappingDialog), screen.status_label.text()
    return screen.dialog


def press_import(qtbot, screen: ImportsScreen, button) -> None:
    button.click()  # accepted -> the screen starts the import op
    assert screen.op is not None and screen.busy()
    with qtbot.waitSignal(screen.op.finished, timeout=30000):
        pass


def test_mapping_dialog_correct_import_history_undo(qtbot, screen, store, tmp_path):
    """Issue 3 items 2, 5, 8: detected preset and preview, a corrected column, import, undo."""
    jane = tech(store, "Jane Doe")
    path = write_xlsx(tmp_path / "incident.xlsx", HEAD, sn_rows(30), title_rows=[["Incident list"], []])
    dialog = open_mapping(qtbot, screen, path)

    assert dialog.preview.preset == "servicenow" and "ServiceNow" in dialog.how_label.text()
    assert dialog.field_combos["external_id"].currentText() == "Number"
    assert dialog.mapping()["priority"] == "Priority"
    assert dialog.preview_model.rowCount() == 20 and dialog.preview.header_row == 3
    assert dialog.preview_model.headerData(0, Qt.Orientation.Horizontal) == "Number\n→ Ticket id"
    assert dialog.preview_model.index(0, 0).data() == "INC0010000"
    assert dialog.import_button.isEnabled()

    dialog.set_column("priority", "Urgency")  # the manager corrects one column
    assert dialog.mapping()["priority"] == "Urgency"
    assert "Priority\n(not imported)" == dialog.preview_model.headerData(3, Qt.Orientation.Horizontal)
    dialog.set_column("external_id", "")
    assert not dialog.import_button.isEnabled() and "Ticket id" in dialog.problem_label.text()
    dialog.set_column("external_id", "Number")

    changes = []
    screen.changes_made.connect(changes.append)
    press_import(qtbot, screen, dialog.import_button)

    result = screen.dialog
    assert isinstance(result, ResultDialog), screen.status_label.text()
    assert result.counts == {"Created": 30, "Updated": 0, "Unchanged": 0, "Rejected": 0}
    assert "30 tickets changed" in result.title_label.text()
    got = db_tickets(store)
    assert len(got) == 30 and set(got.values()) == {(jane, 1)}  # Urgency says "1 - Critical", on Jane
    assert changes and changes[-1].tickets and changes[-1].imports
    result.close()

    assert screen.model.rowCount() == 1
    rec = screen.current()
    assert rec is not None and (rec.file_name, rec.created, rec.preset) == ("incident.xlsx", 30, "servicenow")
    assert screen.model.index(0, 3).data() == "30" and screen.undo_button.isEnabled()

    # The corrected mapping is remembered for files with the same headers
    again = write_xlsx(tmp_path / "incident-april.xlsx", HEAD, sn_rows(3, first=500))
    dialog = open_mapping(qtbot, screen, again)
    assert dialog.how == "remembered" and dialog.mapping()["priority"] == "Urgency"
    dialog.reject()

    screen.undo(rec)
    with qtbot.waitSignal(screen.op.finished, timeout=20000):
        pass
    assert db_tickets(store) == {}
    assert screen.current() is not None and screen.current().undone
    assert screen.model.index(0, 7).data() == "Undone" and not screen.undo_button.isEnabled()
    assert "was undone" in screen.status_label.text()


def test_undo_button_asks_first(qtbot, screen, store, tmp_path, answer_yes):
    tech(store, "Jane Doe")
    path = write_csv(tmp_path / "incident.csv", HEAD, sn_rows(4))
    press_import(qtbot, screen, open_mapping(qtbot, screen, path).import_button)
    screen.dialog.close()
    screen.undo_button.click()  # QMessageBox.question answered Yes by the fixture
    with qtbot.waitSignal(screen.op.finished, timeout=20000):
        pass
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 0
        assert s.scalar(select(ImportBatch.undone_at)) is not None


def test_new_names_merge_into_an_existing_technician(qtbot, screen, store, tmp_path):
    """Issue 3 item 4: a new name merged into an existing person; another added; one ignored."""
    jane = tech(store, "Jane Doe")
    rows = sn_rows(3, who="J. Doe") + sn_rows(2, who="Sam Lee", first=3) + sn_rows(1, who="Robot", first=5)
    path = write_xlsx(tmp_path / "incident.xlsx", HEAD, rows)
    press_import(qtbot, screen, open_mapping(qtbot, screen, path).import_button)

    names = screen.dialog
    assert isinstance(names, NamesDialog), screen.status_label.text()
    assert names.model.names() == ["J. Doe", "Robot", "Sam Lee"]
    assert db_tickets(store) == {}  # nothing written before the answers
    names.merge("J. Doe", jane)
    names.ignore("Robot")
    assert names.model.index(0, 1).data() == "Same person as Jane Doe"
    press_import(qtbot, screen, names.ok_button)

    assert isinstance(screen.dialog, ResultDialog)
    got = db_tickets(store)
    sam = store.find_technician("Sam Lee")
    assert sam is not None
    assert [got[f"INC{10000 + i:07d}"][0] for i in range(6)] == [jane, jane, jane, sam.id, sam.id, None]
    assert store.find_technician("J. Doe").id == jane  # kept as her alias for the next import
    assert store.find_technician("Robot") is None


def test_rejected_rows_table_and_error_report(qtbot, screen, store, tmp_path):
    """Issue 3 item 7: valid rows imported, rejected ones listed and saved as an .xlsx report."""
    tech(store, "Jane Doe")
    rows = sn_rows(6)
    rows[2][1] = "not a date"
    rows[4][0] = None  # no ticket id
    path = write_xlsx(tmp_path / "incident.xlsx", HEAD, rows)
    press_import(qtbot, screen, open_mapping(qtbot, screen, path).import_button)

    result = screen.dialog
    assert isinstance(result, ResultDialog)
    assert result.counts["Created"] == 4 and result.counts["Rejected"] == 2
    model = result.model
    assert model.rowCount() == 2 and result.save_button.isEnabled()
    assert (model.index(0, 0).data(), model.index(0, 2).data(), model.index(0, 3).data()) == ("4", "Opened", "not a date")
    out = result.save_report(tmp_path / "errors.xlsx")
    assert out is not None and out.exists() and "errors.xlsx" in result.saved_label.text()
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[1]] == ["File", "Sheet", "Row", "Column", "Value", "Reason"]
    assert ws.cell(2, 3).value == 4 and ws.max_row == 3
    result.close()

    assert screen.rejected_button.isEnabled()  # the same rows, from the stored batch
    screen.rejected_button.click()
    past = screen.dialog
    assert isinstance(past, ResultDialog) and past.model.rowCount() == 2


def test_strict_rejects_the_whole_file(qtbot, screen, store, db_path, tmp_path):
    tech(store, "Jane Doe")
    rows = sn_rows(5)
    rows[1][1] = "31/02/2026"
    path = write_xlsx(tmp_path / "incident.xlsx", HEAD, rows)
    before = dump(db_path)
    dialog = open_mapping(qtbot, screen, path)
    dialog.strict_check.setChecked(True)
    press_import(qtbot, screen, dialog.import_button)
    result = screen.dialog
    assert isinstance(result, ResultDialog) and result.title_label.text() == "Nothing was imported"
    assert result.model.rowCount() == 1 and result.save_button.isEnabled()
    assert dump(db_path) == before


def test_cancel_during_a_larger_import_leaves_the_database_unchanged(qtbot, screen, store, db_path, tmp_path, shown_errors):
    """Issue 3 items 7 and 8: Cancel on the progress dialog; the import is one transaction."""
    tech(store, "Jane Doe")
    path = write_csv(tmp_path / "big.csv", HEAD, sn_rows(12000))
    dialog = open_mapping(qtbot, screen, path)
    before = dump(db_path)
    dialog.import_button.click()
    op = screen.op
    assert op is not None and op.dialog is not None
    cancel = next(b for b in op.dialog.findChildren(type(dialog.import_button)) if b.text() == "Cancel")
    with qtbot.waitSignal(op.finished, timeout=30000):
        cancel.click()
    assert op.progress.cancelled() and op.error is not None
    assert "cancelled" in screen.status_label.text() and shown_errors == []
    assert dump(db_path) == before
    assert screen.model.rowCount() == 0


def test_progress_reports_rows_and_rate(qtbot, screen, store, tmp_path):
    tech(store, "Jane Doe")
    path = write_csv(tmp_path / "big.csv", HEAD, sn_rows(5000))
    dialog = open_mapping(qtbot, screen, path)
    statuses: list[str] = []
    dialog.import_button.click()
    screen.op.progress.status_changed.connect(statuses.append)
    with qtbot.waitSignal(screen.op.finished, timeout=30000):
        pass
    assert any(" of 5,000 rows · " in s and s.endswith("rows/s") for s in statuses), statuses[:5]
    assert isinstance(screen.dialog, ResultDialog) and screen.dialog.counts["Created"] == 5000


def test_unreadable_file_shows_the_core_message(qtbot, screen, tmp_path, shown_errors):
    bad = tmp_path / "export.xlsx"
    bad.write_bytes(b"PK\x03\x04broken")
    screen.open_file(bad)
    with qtbot.waitSignal(screen.op.finished, timeout=10000):
        pass
    assert screen.dialog is None
    assert shown_errors and shown_errors[0][0] == "Import failed" and "damaged" in shown_errors[0][1]
    assert screen.status_label.isHidden() and screen.status_label.text() == ""  # no "Opening export.xlsx…" left


def test_dropping_a_file_opens_the_mapping_dialog(qtbot, screen, store, tmp_path):
    path = write_csv(tmp_path / "incident.csv", HEAD, sn_rows(3))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    assert ImportsScreen.dropped_file(event) == path
    screen.dropEvent(event)
    with qtbot.waitSignal(screen.op.finished, timeout=10000):
        pass
    assert isinstance(screen.dialog, MappingDialog)
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "notes.docx"))])
    assert ImportsScreen.dropped_file(QDropEvent(QPoint(1, 1), Qt.DropAction.CopyAction, mime,
                                                 Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)) is None


def test_kpi_values_file(qtbot, demo_store, tmp_path, shown_errors):
    """A long-shape values file imported through the same dialog (kind: KPI values)."""
    kpi = next(k for k in demo_store.list_kpis() if k.value_source == "entered")
    path = write_csv(tmp_path / "values.csv", ["KPI", "Period", "Value"], [[kpi.name, "2026-10", 97.5]])
    screen = ImportsScreen(demo_store)
    qtbot.addWidget(screen)
    screen.show()
    dialog = open_mapping(qtbot, screen, path)
    dialog.kind_combo.setCurrentIndex(1)
    assert dialog.import_button.isEnabled() and not dialog.mapping_box.isVisible()
    press_import(qtbot, screen, dialog.import_button)
    result = screen.dialog
    assert isinstance(result, ResultDialog), screen.status_label.text()
    assert result.counts["Created"] + result.counts["Updated"] == 1


def test_the_manager_answers_an_unknown_status_and_it_is_kept(qtbot, screen, store, tmp_path):
    """Issue 12: statuses map onto open / resolved / closed, and the manager can correct the mapping
    in the import dialog; the answer holds for later files too."""
    tech(store, "Jane Doe")
    rows = sn_rows(3)
    rows[0][5], rows[1][5], rows[2][5] = "Closed", "Parked", "Parked"  # 'Parked': a site's own status
    path = write_xlsx(tmp_path / "parked.xlsx", HEAD, rows)
    dialog = open_mapping(qtbot, screen, path)
    assert dialog.preview.statuses == {"Closed": "closed", "Parked": None}
    assert "1 status KPI Desk does not know" in dialog.status_hint.text()
    assert list(dialog.status_combos)[0] == "Parked"  # the question first
    dialog.set_status_category("Parked", "open")
    assert dialog.status_overrides() == {"Parked": "open"}
    press_import(qtbot, screen, dialog.import_button)
    with store.read() as s:
        states = dict(s.execute(select(Ticket.external_id, Ticket.status_category)).all())
        resolved = dict(s.execute(select(Ticket.external_id, Ticket.resolved_at)).all())
    assert states == {"INC0010000": "closed", "INC0010001": "open", "INC0010002": "open"}
    assert resolved["INC0010001"] is None  # its Resolved date no longer makes it done: the status wins
    assert store.get_setting("status_categories") == {"Parked": "open"}
    screen.dialog.close()
    again = open_mapping(qtbot, screen, write_xlsx(tmp_path / "later.xlsx", HEAD, rows))
    assert again.preview.statuses["Parked"] == "open"
    again.reject()
