"""Issue 2, item 5: the KPI catalogue is a real editor (create, validate, edit, undo, health check,
templates in two clicks)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kpidesk.records import KpiRecord
from ui.kpi_screen import KpiScreen


@pytest.fixture
def screen(qtbot, store, shown_errors):
    s = KpiScreen(store)
    qtbot.addWidget(s)
    s.resize(1280, 800)
    s.show()
    return s


def _type(qtbot, edit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def test_create_kpi_through_the_form(qtbot, screen, store):
    qtbot.mouseClick(screen.new_button, Qt.MouseButton.LeftButton)
    _type(qtbot, screen.form.name, "Patch latency")
    screen.form.unit.setEditText("days")
    screen.form.direction.set_value("lower")
    _type(qtbot, screen.form.target_value, "7")
    _type(qtbot, screen.form.owner, "Dana")
    qtbot.mouseClick(screen.form.save_button, Qt.MouseButton.LeftButton)
    saved = store.find_kpi("Patch latency")
    assert saved is not None and saved.target_value == 7.0 and saved.unit == "days" and saved.owner == "Dana"
    assert screen.selected_id() == saved.id
    assert screen.model.rowCount() == 1
    assert screen.undo.count() == 1


def test_percentage_above_100_is_refused_beside_the_field(qtbot, screen, store):
    qtbot.mouseClick(screen.new_button, Qt.MouseButton.LeftButton)
    _type(qtbot, screen.form.name, "FCR")
    screen.form.unit.setEditText("%")
    _type(qtbot, screen.form.target_value, "120")
    qtbot.mouseClick(screen.form.save_button, Qt.MouseButton.LeftButton)
    message = screen.form.rows["target_value"].error
    assert message.isVisibleTo(screen.form)
    assert "between 0 and 100" in message.text()
    assert store.list_kpis() == []
    assert screen.undo.count() == 0
    _type(qtbot, screen.form.target_value, "80")  # fixing it clears the message live
    assert not message.isVisibleTo(screen.form)


def test_unreadable_number_is_shown_not_saved(qtbot, screen, store):
    qtbot.mouseClick(screen.new_button, Qt.MouseButton.LeftButton)
    _type(qtbot, screen.form.name, "Uptime")
    _type(qtbot, screen.form.baseline_value, "lots")
    assert "must be a number" in screen.form.rows["baseline_value"].error.text()
    qtbot.mouseClick(screen.form.save_button, Qt.MouseButton.LeftButton)
    assert store.list_kpis() == []


def test_edit_undo_redo_in_the_database(qtbot, window, store):
    rec, _ = store.create_kpi(KpiRecord(name="CSAT", unit="score", target_value=4.2, owner="Dana"))
    window.show_screen(KpiScreen)  # Edit > Undo follows the page on show
    screen = window.screen(KpiScreen)
    window.apply_changes(_kpis_changed())
    screen.select_kpi(rec.id)
    _type(qtbot, screen.form.target_value, "4.6")
    qtbot.mouseClick(screen.form.save_button, Qt.MouseButton.LeftButton)
    assert store.get_kpi(rec.id).target_value == 4.6

    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store.get_kpi(rec.id).target_value == 4.2
    assert screen.form.target_value.text() == "4.2"
    qtbot.keyClick(screen.table, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert store.get_kpi(rec.id).target_value == 4.6
    # The target history keeps every target that was in force.
    assert [t.target_value for t in store.target_history(rec.id)] == [4.2, 4.6, 4.2, 4.6]


def test_delete_and_undo_brings_the_kpi_back(qtbot, screen, store, answer_yes):
    fcr, _ = store.create_kpi(KpiRecord(name="First-contact resolution", unit="%", target_value=75))
    mttr, _ = store.create_kpi(KpiRecord(name="MTTR", unit="hours", paired_kpi_id=fcr.id))
    screen.reload()
    screen.select_kpi(fcr.id)
    qtbot.mouseClick(screen.delete_button, Qt.MouseButton.LeftButton)
    assert store.find_kpi("First-contact resolution") is None
    assert store.get_kpi(mttr.id).paired_kpi_id is None
    screen.undo.undo()
    back = store.find_kpi("First-contact resolution")
    assert back is not None and back.target_value == 75
    assert store.get_kpi(mttr.id).paired_kpi_id == back.id  # the pairing is restored too
    screen.undo.redo()
    assert store.find_kpi("First-contact resolution") is None
    screen.undo.undo()  # a second round finds the KPI under its new id
    assert store.find_kpi("First-contact resolution") is not None


def test_create_then_undo_removes_it(qtbot, screen, store):
    qtbot.mouseClick(screen.new_button, Qt.MouseButton.LeftButton)
    _type(qtbot, screen.form.name, "Backlog")
    qtbot.mouseClick(screen.form.save_button, Qt.MouseButton.LeftButton)
    assert store.find_kpi("Backlog") is not None
    screen.undo.undo()
    assert store.find_kpi("Backlog") is None
    screen.undo.redo()
    assert store.find_kpi("Backlog") is not None


def test_health_check_says_a_target_without_baseline_is_a_guess(qtbot, screen, store):
    rec, _ = store.create_kpi(KpiRecord(name="SLA compliance", unit="%", target_value=95, owner="Dana"))
    screen.reload()
    screen.select_kpi(rec.id)
    text = "\n".join(screen.health.texts())
    assert "a target without a baseline is a guess" in text
    _type(qtbot, screen.form.baseline_value, "91")  # live: the draft counts before it is saved
    assert "a target without a baseline is a guess" not in "\n".join(screen.health.texts())


def test_set_level_warning_shown(qtbot, screen, store):
    for i in range(8):
        store.create_kpi(KpiRecord(name=f"K{i}", unit="count", target_value=1, owner="Dana",
                                   trigger_kind="ceiling", trigger_value=2))
    screen.reload()
    assert any("more than 7" in t for t in screen.health.texts())


def test_add_from_template_in_two_clicks(qtbot, screen, store, monkeypatch):
    from ui import kpi_screen
    from ui.template_dialog import TemplateDialog

    opened: list[TemplateDialog] = []

    def fake_exec(dlg: TemplateDialog) -> int:  # click 2 happens while the dialog is open
        opened.append(dlg)
        item = dlg.item_for("csat")
        rect = dlg.list.visualItemRect(item)
        qtbot.mouseClick(dlg.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        return dlg.result()

    monkeypatch.setattr(kpi_screen.TemplateDialog, "exec", fake_exec)
    qtbot.mouseClick(screen.template_button, Qt.MouseButton.LeftButton)  # click 1
    assert opened
    csat = store.find_kpi("CSAT")
    assert csat is not None and csat.metric == "csat_mean"
    assert screen.selected_id() == csat.id
    screen.undo.undo()
    assert store.find_kpi("CSAT") is None


def test_filter_and_category(qtbot, screen, store):
    from kpidesk.templates import start_with_templates

    start_with_templates(store)
    screen.reload()
    total = screen.proxy.rowCount()
    _type(qtbot, screen.filter_edit, "mttr")
    assert 0 < screen.proxy.rowCount() < total
    screen.filter_edit.clear()
    screen.category_combo.setCurrentIndex(screen.category_combo.findData("project"))
    names = {screen.proxy.index(r, 0).data() for r in range(screen.proxy.rowCount())}
    assert names == {k.name for k in store.list_kpis() if k.category == "project"}


def test_kpi_models_pass_modeltester(qtmodeltester, store):
    from kpidesk.templates import start_with_templates
    from ui.kpi_table_model import KpiFilterProxy, KpiTableModel

    start_with_templates(store)
    model = KpiTableModel()
    model.set_records(store.list_kpis())
    qtmodeltester.check(model)
    proxy = KpiFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_text("rate")
    proxy.sort(0)
    qtmodeltester.check(proxy)


def _kpis_changed():
    from kpidesk.records import Changes

    return Changes(kpis=True)
