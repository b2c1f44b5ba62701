"""Issue 17, the review cycle in the window: the Cycle tab of the Check-ins screen (states after a form
is sent and a check-in started, a refused form, overdue in red), the anchoring guard of the
self-assessment panel in the conversation step, the calibration dialog (a flag on a hand-made case, a
rating change with its reason), the agenda's 'what was said' saved with the step, and the dashboard's
overdue line. No sleeps: ops and loaders are waited on through their signals."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
from PySide6.QtCore import Qt

from kpidesk import actions
from kpidesk import appraisal as ap
from kpidesk.appraisal.self_form import FORM_SHEET, ID_SHEET
from kpidesk.models import Review
from kpidesk.store import Store
from tests.conftest import DEMO_TODAY
from ui.checkin.calibration_dialog import FLAGGED_ROLE, CalibrationDialog
from ui.checkin.cycle_view import CycleMemberModel, CycleView
from ui.checkin.screen import CheckInsScreen

Q4 = "2026-Q4"


# Helpers ---------------------------------------------------------------------------------------
def make_screen(qtbot, store: Store, today: dt.date = DEMO_TODAY) -> CheckInsScreen:  # noqa: ANN001
    screen = CheckInsScreen(store, today=today)
    qtbot.addWidget(screen)
    screen.changes_made.connect(screen.on_changes)  # what the main window does
    screen.resize(1280, 800)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def member(view: CycleView, name: str) -> Any:
    return next(m for m in view.model.records() if m.technician == name)


def select(view: CycleView, store: Store, *names: str) -> None:
    view.select_ids([store.find_technician(n).id for n in names])


def returned_form(sent: Path, dest: Path, ratings: dict[int, int], went_well: str = "") -> Path:
    """The sent form filled in as the technician would: only the yellow cells, saved by openpyxl."""
    wb = openpyxl.load_workbook(sent)
    meta = {r[0]: r[1] for r in wb[ID_SHEET].iter_rows(values_only=True)}
    cells = json.loads(meta["editable"])
    for kpi_id, rating in ratings.items():
        if f"kpi:{kpi_id}:rating" in cells:
            wb[FORM_SHEET][cells[f"kpi:{kpi_id}:rating"]] = rating
            wb[FORM_SHEET][cells[f"kpi:{kpi_id}:why"]] = f"My view of KPI {kpi_id}"
    wb[FORM_SHEET][cells["went_well"]] = went_well
    wb[FORM_SHEET][cells["goal:1"]] = "Get MTTR under 20 h"
    wb.save(dest)
    return dest


def chloe_with_form(qtbot, store: Store, tmp_path: Path) -> tuple[CheckInsScreen, int]:  # noqa: ANN001
    """Chloe Dubois's Q4 draft with a returned self-assessment imported through the Cycle tab."""
    screen = make_screen(qtbot, store)
    view = screen.show_cycle(Q4)
    select(view, store, "Chloe Dubois")
    op = view.send_forms(str(tmp_path / "chloe.xlsx"))
    with qtbot.waitSignal(op.finished, timeout=10000):
        pass
    chloe = store.find_technician("Chloe Dubois").id
    kpis = {k.kpi_id: 4 for k in ap.checkin_content(store, member(view, "Chloe Dubois").checkin_id).facts.kpis}
    back = returned_form(tmp_path / "chloe.xlsx", tmp_path / "chloe-back.xlsx", kpis, "Cleared the printer backlog")
    select(view, store, "Chloe Dubois")
    assert view.import_form(str(back))
    assert member(view, "Chloe Dubois").self_received_at is not None
    return screen, chloe


# The Cycle tab ---------------------------------------------------------------------------------
def test_cycle_view_lists_members_with_their_states_after_a_form_is_sent_and_a_checkin_started(
        qtbot, qtmodeltester, demo_store, tmp_path, shown_errors):
    """Issue 17: the Cycle tab lists every member; a form sent makes 'self-assessment sent', a check-in
    started from the tab a 'draft' opened in the wizard."""
    screen = make_screen(qtbot, demo_store)
    view = screen.show_cycle(Q4)
    assert screen.views.currentWidget() is view and view.period_key == Q4
    qtmodeltester.check(view.model)
    assert len(view.model.records()) == 8
    assert {m.technician: m.state for m in view.model.records()}["Chloe Dubois"] == "draft"
    assert view.summary.text() == "Cycle 2026-Q4: 0 of 8 signed; due 30 Jan 2027"
    assert "6 not started" in view.counts.text() and "2 draft" in view.counts.text()

    select(view, demo_store, "Alex Morgan", "Priya Shah")
    op = view.send_forms(str(tmp_path))  # two selected: a folder
    with qtbot.waitSignal(op.finished, timeout=10000):
        pass
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == [
        "2026-Q4_self-assessment_Alex-Morgan.xlsx", "2026-Q4_self-assessment_Priya-Shah.xlsx"]
    assert member(view, "Alex Morgan").state == "self-assessment sent"
    row = next(i for i, m in enumerate(view.model.records()) if m.technician == "Alex Morgan")
    assert view.model.index(row, CycleMemberModel.Columns.SELF).data().startswith("sent ")
    assert set(view.selected_ids()) == {demo_store.find_technician(n).id for n in ("Alex Morgan", "Priya Shah")}

    select(view, demo_store, "Lena Novak")
    checkin_id = view.open_selected()
    assert checkin_id is not None and screen.stack.currentWidget() is screen.wizard
    assert screen.wizard.checkin_id == checkin_id
    screen.wizard.back_to_list.click()
    assert member(view, "Lena Novak").state == "draft" and member(view, "Lena Novak").checkin_id == checkin_id
    assert not shown_errors


def test_a_refused_returned_form_is_shown_as_the_core_says_and_nothing_changes(qtbot, demo_store, tmp_path,
                                                                                shown_errors):
    screen = make_screen(qtbot, demo_store)
    view = screen.show_cycle(Q4)
    select(view, demo_store, "Alex Morgan")
    op = view.send_forms(str(tmp_path / "alex.xlsx"))
    with qtbot.waitSignal(op.finished, timeout=10000):
        pass
    select(view, demo_store, "Priya Shah")  # importing Alex's form for Priya
    assert not view.import_form(str(tmp_path / "alex.xlsx"))
    assert len(shown_errors) == 1 and "not Priya Shah's" in shown_errors[0][1]
    assert member(view, "Alex Morgan").state == "self-assessment sent"


def test_overdue_members_read_overdue_in_red(qtbot, qtmodeltester, demo_store):
    view = CycleView(demo_store, dt.date(2027, 2, 5))  # Q4 was due on 30 Jan 2027
    qtbot.addWidget(view)
    view.set_period(Q4)
    qtmodeltester.check(view.model)
    row = next(i for i, m in enumerate(view.model.records()) if m.technician == "Tom Becker")
    index = view.model.index(row, CycleMemberModel.Columns.STATE)
    assert index.data() == "draft \u00b7 OVERDUE"
    assert index.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b42318"
    assert "8 overdue" in view.counts.text() and "overdue" in view.summary.text()


# The conversation step -------------------------------------------------------------------------
def test_their_self_assessment_is_hidden_until_every_kpi_is_rated(qtbot, demo_store, tmp_path, shown_errors):
    """Issue 17, the anchoring guard: before the manager's last rating only the message shows; with
    every KPI rated their ratings and answers show; clearing one hides them again."""
    screen, _chloe = chloe_with_form(qtbot, demo_store, tmp_path)
    view = screen.cycle_view
    select(view, demo_store, "Chloe Dubois")
    view.open_selected()
    wiz = screen.wizard
    assert wiz.go_to(5)
    conv = wiz.conversation
    for combo in conv.rating_combos.values():
        combo.setCurrentIndex(0)  # not rated
    panel = conv.self_panel

    def texts() -> str:
        return " ".join(w.text() for w in panel.findChildren(type(panel.message)) if w.isVisibleTo(panel))

    assert panel.state == "hidden"
    assert "to go" in panel.message.text() and "Cleared the printer backlog" not in texts()
    combos = list(conv.rating_combos.values())
    for combo in combos[:-1]:
        combo.setCurrentIndex(combo.findData(3.0))
    assert panel.state == "hidden" and "(1 to go)" in panel.message.text()
    combos[-1].setCurrentIndex(combos[-1].findData(3.0))
    assert panel.state == "shown" and not panel.message.isVisibleTo(panel)
    assert "Cleared the printer backlog" in texts() and "Get MTTR under 20 h" in texts()
    assert "My view of KPI" in texts()
    combos[0].setCurrentIndex(0)
    assert panel.state == "hidden" and "Cleared the printer backlog" not in texts()
    assert not shown_errors


def test_what_was_said_of_an_agenda_review_is_saved_with_the_step(qtbot, demo_store, shown_errors):
    chloe = demo_store.find_technician("Chloe Dubois").id
    mttr = demo_store.find_kpi("MTTR").id
    with demo_store.write() as s:
        review = Review(kpi_id=mttr, scope_key=f"technician:{chloe}", period="2026-10", value=30.6,
                        rule="more than 10 % worse than the target")
        s.add(review)
        s.flush()
        review_id = review.id
    screen = make_screen(qtbot, demo_store)
    view = screen.show_cycle(Q4)
    select(view, demo_store, "Chloe Dubois")
    checkin_id = view.open_selected()
    wiz = screen.wizard
    assert wiz.go_to(5)
    agenda = wiz.conversation.agenda
    assert [i.review_id for i in agenda.items] == [review_id]
    agenda.boxes[review_id].setPlainText("Agreed to pair with Tom on the hard tickets")
    assert wiz.go_to(6)  # a step change saves the draft
    saved = ap.get_checkin(demo_store, checkin_id).data
    assert saved["agenda"] == {str(review_id): "Agreed to pair with Tom on the hard tickets"}
    wiz.open_checkin(checkin_id)  # opened again: the text is back in its box
    wiz.go_to(5)
    assert wiz.conversation.agenda.boxes[review_id].toPlainText() == "Agreed to pair with Tom on the hard tickets"
    assert not shown_errors


# Calibration -----------------------------------------------------------------------------------
def test_calibration_flags_a_high_rating_on_weak_evidence_and_a_change_with_reason_updates_the_draft(
        qtbot, qtmodeltester, demo_store, shown_errors):
    """Issue 17: Chloe's Q4 MTTR is off target and worse than Q3; rated 5 it is flagged, its cell tinted;
    changed to 3 with a reason, the draft has 3, the reason is logged, the flag is gone."""
    mttr = demo_store.find_kpi("MTTR").id
    chloe = demo_store.find_technician("Chloe Dubois").id
    draft = next(r for r in ap.latest_versions(demo_store).values() if r and r.technician_id == chloe and r.period == Q4)
    actions.save_checkin_step(demo_store, draft.id, 5, {"ratings": {str(mttr): {"rating": 5, "comment": ""}}})
    dialog = CalibrationDialog(demo_store, Q4, DEMO_TODAY)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.cal is not None, timeout=10000)  # read off the GUI thread
    dialog.show()
    qtmodeltester.check(dialog.model)
    assert [f.kind for f in dialog.cal.flags] == ["high on weak evidence"]
    assert "Chloe Dubois is rated 5 on MTTR" in dialog.flags.item(0).text()
    dialog.flags.setCurrentRow(0)  # selects the flagged cell
    row, kpi_id = dialog.current()
    assert row.technician == "Chloe Dubois" and kpi_id == mttr and dialog.change_button.isEnabled()
    assert dialog.table.currentIndex().data(FLAGGED_ROLE)
    assert dialog.table.currentIndex().data(Qt.ItemDataRole.BackgroundRole) is not None

    assert not dialog.change_rating(3, "   ")  # a reason is required
    assert shown_errors and "Reason" in shown_errors[-1][1]
    with qtbot.waitSignal(dialog.loaded, timeout=10000):
        assert dialog.change_rating(3, "MTTR off target and worse than Q3")
    data = ap.get_checkin(demo_store, draft.id).data
    assert data["ratings"][str(mttr)]["rating"] == 3
    assert data["calibration"][-1]["reason"] == "MTTR off target and worse than Q3"
    assert dialog.cal.flags == [] and dialog.flags.count() == 0


def test_signed_rows_are_read_only_in_calibration(qtbot, demo_store, shown_errors):
    dialog = CalibrationDialog(demo_store, "2026-Q3", DEMO_TODAY)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.cal is not None, timeout=10000)
    dialog.select_cell(demo_store.find_technician("Alex Morgan").id, None)
    assert not dialog.change_button.isEnabled() and "signed" in dialog.selection_label.text()
    assert not dialog.change_rating(4, "should not happen")
    assert dialog.cal.distribution == {"1": 0, "2": 2, "3": 3, "4": 2, "5": 1, "none": 0}
    assert not shown_errors


# The dashboard ---------------------------------------------------------------------------------
def test_dashboard_names_an_overdue_cycle_and_opens_it(qtbot, demo_store, shown_errors):
    """Issue 17: three Q3 check-ins corrected (drafts again) after Q3's due date: the dashboard says so,
    and its link opens the Cycle tab of the Check-ins screen at that period."""
    from ui.dashboard.screen import DashboardScreen
    from ui.main_window import MainWindow

    signed = [r for r in ap.latest_versions(demo_store).values() if r and r.period == "2026-Q3"][:3]
    for r in signed:
        actions.correct_checkin(demo_store, r.id)
    dash = DashboardScreen(demo_store, today=DEMO_TODAY)
    qtbot.addWidget(dash)
    with qtbot.waitSignal(dash.cycle_banner.loaded, timeout=10000):
        pass
    assert dash.cycle_banner.isVisibleTo(dash)
    assert "2026-Q3, 3 of 8 not signed (due 30 Oct 2026)" in dash.cycle_banner.text()

    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    board = w.screen(DashboardScreen)
    w.show()
    board.cycle_banner.open_requested.emit("2026-Q3")
    screen = w.current_screen()
    assert isinstance(screen, CheckInsScreen)
    assert screen.views.currentWidget() is screen.cycle_view and screen.cycle_view.period_key == "2026-Q3"
    assert len(screen.cycle_view.status.unsigned) == 3
    assert not shown_errors
    dash.shutdown()  # their loader threads, before the store closes
    for s in w.screens:
        s.shutdown()


def test_dashboard_shows_no_overdue_line_when_every_cycle_is_signed(qtbot, demo_store):
    from ui.dashboard.screen import DashboardScreen

    dash = DashboardScreen(demo_store, today=DEMO_TODAY)
    qtbot.addWidget(dash)
    with qtbot.waitSignal(dash.cycle_banner.loaded, timeout=10000):
        pass
    assert not dash.cycle_banner.isVisibleTo(dash) and dash.cycle_banner.cycles == []
    dash.shutdown()
