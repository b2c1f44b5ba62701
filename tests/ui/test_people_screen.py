"""Issue 2, item 5: the People screen (technicians with aliases, teams, role profiles)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kpidesk.records import RoleProfileRecord, TechnicianRecord
from ui.people_screen import PeopleScreen


@pytest.fixture
def screen(qtbot, store, shown_errors):
    s = PeopleScreen(store)
    qtbot.addWidget(s)
    s.show()
    return s


def _with_dialog(monkeypatch, cls, fill):
    """Replace cls.exec: fill the dialog as a user would, press OK, and return the result."""
    def fake_exec(dlg):
        fill(dlg)
        dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
        return dlg.result()

    monkeypatch.setattr(cls, "exec", fake_exec)


def test_create_technician_with_aliases(qtbot, screen, store, monkeypatch):
    from ui import people_screen

    team, _ = store.create_team("Service Desk")
    screen.reload()

    def fill(dlg):
        qtbot.keyClicks(dlg.name, "Jane Doe")
        dlg.team.set_value(team.id)
        dlg.aliases.setPlainText("jdoe\nDoe, Jane\n")
        dlg.escalation.setChecked(True)

    _with_dialog(monkeypatch, people_screen.TechnicianDialog, fill)
    qtbot.mouseClick(screen.technicians.add_button, Qt.MouseButton.LeftButton)
    jane = store.find_technician("doe, jane")
    assert jane is not None and jane.display_name == "Jane Doe" and jane.team_name == "Service Desk"
    assert jane.aliases == ["Doe, Jane", "jdoe"] and jane.escalation_destination
    assert screen.technicians.model.rowCount() == 1
    assert "jdoe" in screen.technicians.proxy.index(0, 3).data()


def test_technician_without_name_keeps_dialog_open_with_message(qtbot, screen, store, monkeypatch):
    from ui import people_screen

    seen = {}

    def fill(dlg):
        seen["dlg"] = dlg

    _with_dialog(monkeypatch, people_screen.TechnicianDialog, fill)
    screen.edit_technician(None)
    dlg = seen["dlg"]
    assert dlg.result() == 0
    assert "needs a name" in dlg.rows["display_name"].error.text()
    assert store.list_technicians() == []


def test_alias_clash_shown_beside_aliases(qtbot, screen, store, monkeypatch):
    from ui import people_screen

    store.create_technician(TechnicianRecord(display_name="A", aliases=["shared"]))
    seen = {}

    def fill(dlg):
        seen["dlg"] = dlg
        dlg.name.setText("B")
        dlg.aliases.setPlainText("shared")

    _with_dialog(monkeypatch, people_screen.TechnicianDialog, fill)
    screen.edit_technician(None)
    assert "already belongs" in seen["dlg"].rows["aliases"].error.text()
    assert len(store.list_technicians()) == 1


def test_edit_team_and_delete(qtbot, screen, store, monkeypatch, answer_yes):
    from ui import people_screen

    store.create_team("Infra")
    screen.reload()
    screen.tabs.setCurrentIndex(1)
    screen.teams.table.selectRow(0)
    _with_dialog(monkeypatch, people_screen.TeamDialog, lambda dlg: dlg.name.setText("Infrastructure"))
    qtbot.mouseClick(screen.teams.edit_button, Qt.MouseButton.LeftButton)
    assert [t.name for t in store.list_teams()] == ["Infrastructure"]
    qtbot.mouseClick(screen.teams.delete_button, Qt.MouseButton.LeftButton)
    assert store.list_teams() == []


def test_role_from_template_shows_its_kpis(qtbot, screen, store):
    changes = []
    screen.changes_made.connect(changes.append)
    screen.template_button.menu().actions()[0].trigger()  # "Service desk L1"
    role = store.list_role_profiles()[0]
    assert role.name == "Service desk L1" and role.kpis
    assert changes and changes[0].people
    screen.tabs.setCurrentIndex(2)
    screen.roles.table.selectRow(0)
    assert screen.role_kpis.rowCount() == len(role.kpis)
    assert screen.role_title.text() == "KPIs of Service desk L1"


def test_role_dialog_edits_weights_and_targets(qtbot, screen, store, monkeypatch):
    from kpidesk.templates import add_role_template
    from ui import people_screen

    add_role_template(store, "Security")
    screen.reload()
    role = store.list_role_profiles()[0]

    def fill(dlg):
        m = dlg.model
        assert m.setData(m.index(0, m.Columns.WEIGHT), "3")
        assert m.setData(m.index(0, m.Columns.TARGET), "97.5")
        assert m.setData(m.index(0, m.Columns.PRIMARY), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)

    _with_dialog(monkeypatch, people_screen.RoleDialog, fill)
    screen.edit_role(role)
    first = store.get_role_profile(role.id).kpis[0]
    assert (first.weight, first.target_value, first.primary) == (3.0, 97.5, False)


def test_people_models_pass_modeltester(qtmodeltester, store):
    from kpidesk.templates import start_with_templates
    from ui.people_models import RoleKpiTableModel, RoleTableModel, TeamTableModel, TechnicianTableModel

    start_with_templates(store)
    team, _ = store.create_team("Desk")
    store.create_technician(TechnicianRecord(display_name="Jane", team_id=team.id, aliases=["jd"]))
    for model, records in ((TechnicianTableModel(), store.list_technicians()), (TeamTableModel(), store.list_teams()),
                           (RoleTableModel(), store.list_role_profiles())):
        model.set_records(records)
        qtmodeltester.check(model)
    roles: list[RoleProfileRecord] = store.list_role_profiles()
    for editable in (False, True):
        m = RoleKpiTableModel(editable=editable)
        m.set_records(roles[0].kpis)
        qtmodeltester.check(m)
