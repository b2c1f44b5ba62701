"""Issue 5: the check-in flow driven through the UI on the demo data: start, step through, rate,
add a goal, close mid-way and resume (a new Store on the same file, as after closing the app),
override without a reason (refused), sign, try to edit the signed check-in (refused), correct.
Screenshots of every step go to shots/ (git-ignored)."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kpidesk import appraisal as ap
from kpidesk.store import Store
from tests.conftest import DEMO_TODAY
from ui.checkin.models import HistoryModel, NotesModel, TechnicianCheckInModel
from ui.checkin.screen import CheckInsScreen

SHOTS = Path(__file__).resolve().parents[2] / "shots"


def shot(widget, name: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def make_screen(qtbot, store: Store) -> CheckInsScreen:  # noqa: ANN001
    screen = CheckInsScreen(store, today=DEMO_TODAY)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def start(screen: CheckInsScreen, store: Store, name: str, period: str) -> None:
    screen.select_technician(store.find_technician(name).id)
    screen.period.setCurrentIndex(screen.period.findData(period))
    screen.start_button.click()


def test_whole_checkin_flow(qtbot, demo_store, shown_errors):
    screen = make_screen(qtbot, demo_store)
    shot(screen, "checkins-list")
    start(screen, demo_store, "Alex Morgan", "2026-Q2")
    wiz = screen.wizard
    assert screen.stack.currentWidget() is wiz and wiz.step == 0 and not wiz.read_only
    for step in range(6):
        qtbot.waitUntil(lambda: wiz.pages.currentIndex() == step)
        shot(screen, f"checkin-step-{step}-{ap.STEPS[step].lower().replace(' ', '-')}")
        if step < 5:
            wiz.next_button.click()
    assert ap.get_checkin(demo_store, wiz.checkin_id).step == 5  # saved at every step change

    # Rate two KPIs and add a goal.
    conv = wiz.conversation
    mttr, fcr = demo_store.find_kpi("MTTR").id, demo_store.find_kpi("First-contact resolution").id
    conv.rating_combos[mttr].setCurrentIndex(conv.rating_combos[mttr].findData(4.0))
    conv.rating_combos[fcr].setCurrentIndex(conv.rating_combos[fcr].findData(2.0))
    assert "Proposed: 3" in conv.proposed_label.text()
    conv.add_goal_button.click()
    goal = conv.goal_rows[-1]
    assert "Not SMART" in goal.problems.text(), goal.problems.text()  # an empty goal is not SMART
    goal.text.setText("Raise first-contact resolution")
    goal.kpi.set_value(fcr)
    goal.target.setText("70")
    goal.due.set_value(__import__("datetime").date(2026, 9, 30))
    qtbot.waitUntil(lambda: goal.problems.text() == "")
    conv.strengths.setPlainText("Quick on password resets")
    conv.body.parentWidget().adjustSize()
    shot(screen, "checkin-step-5-the-conversation")

    # Close mid-way, then resume as after restarting the app.
    wiz.back_to_list.click()
    assert screen.stack.currentIndex() == 0
    checkin_id = wiz.checkin_id
    again = Store.open(demo_store.address)
    try:
        screen2 = make_screen(qtbot, again)
        start(screen2, again, "Alex Morgan", "2026-Q2")
        wiz2 = screen2.wizard
        assert wiz2.checkin_id == checkin_id and wiz2.step == 5
        conv2 = wiz2.conversation
        assert conv2.rating_combos[mttr].currentData() == 4.0
        assert conv2.goal_rows[0].text.text() == "Raise first-contact resolution"
        assert conv2.strengths.toPlainText() == "Quick on password resets"

        # An override without a reason is refused and the wizard stays on the step.
        conv2.override_check.setChecked(True)
        conv2.override_spin.setValue(5)
        wiz2.next_button.click()
        assert shown_errors and "reason" in shown_errors[-1][1].lower()
        assert wiz2.step == 5
        conv2.override_reason.setText("Covered the whole desk in August")
        wiz2.next_button.click()
        qtbot.waitUntil(lambda: wiz2.step == 6)
        shot(screen2, "checkin-step-6-review-and-sign-off")
        assert "Raise first-contact resolution" in wiz2.review.browser.toPlainText()

        # Sign: read-only from now on.
        wiz2.review.manager_name.setText("Dana Whitfield")
        wiz2.review.sign_button.click()
        qtbot.waitUntil(lambda: wiz2.read_only)
        assert wiz2.correct_button.isVisibleTo(wiz2) and wiz2.locked_banner.isVisibleTo(wiz2)
        assert ap.get_checkin(again, checkin_id).frozen["kpis"]
        shot(screen2, "checkin-signed-read-only")
        wiz2.review.ack_button.click()
        qtbot.waitUntil(lambda: ap.get_checkin(again, checkin_id).acknowledged)

        # Editing the signed check-in: the ratings read as text, not as boxes, and the core refuses.
        wiz2.go_to(5)
        assert mttr not in wiz2.conversation.rating_combos
        assert wiz2.conversation.rating_labels[mttr].text().startswith("4 (Above expectations)")
        assert wiz2.conversation.strengths.isReadOnly()
        with pytest.raises(ap.CheckInLocked):
            ap.save_step(again, checkin_id, 5, {"strengths": "edited after signing"})
        shot(screen2, "checkin-signed-conversation")

        # Correct: a new draft version; the history keeps both.
        wiz2.correct_button.click()
        qtbot.waitUntil(lambda: not wiz2.read_only)
        assert wiz2.content.record.version == 2
        assert wiz2.conversation.strengths.toPlainText() == "Quick on password resets"
        wiz2.back_to_list.click()
        versions = [(r.version, r.status) for r in screen2.history_model.records() if r.period == "2026-Q2"]
        assert versions == [(2, "draft"), (1, "signed")]
    finally:
        again.close()


def test_escalation_destination_and_new_starter_pages(qtbot, demo_store):
    screen = make_screen(qtbot, demo_store)
    start(screen, demo_store, "Lena Novak", "2026-Q2")
    wiz = screen.wizard
    wiz.go_to(3)
    text = " ".join(w.text() for w in wiz.escalation.findChildren(type(wiz.title)))
    assert "reported, not rated" in text
    shot(screen, "checkin-escalation-destination")
    wiz.go_to(4)
    shot(screen, "checkin-team-context")
    wiz.back_to_list.click()
    start(screen, demo_store, "Chloe Dubois", "2026-Q3")  # signed in the demo: correct it to see live facts
    screen.wizard.correct_button.click()
    qtbot.waitUntil(lambda: not screen.wizard.read_only)
    labels = " ".join(w.text() for w in screen.wizard.who.findChildren(type(wiz.title)))
    assert "new starter" in labels
    shot(screen, "checkin-new-starter")


def test_signed_demo_checkin_opens_read_only(qtbot, demo_store):
    screen = make_screen(qtbot, demo_store)
    start(screen, demo_store, "Marcus Reid", "2026-Q3")
    assert screen.wizard.read_only and screen.wizard.correct_button.isVisibleTo(screen.wizard)


def test_models(qtmodeltester, demo_store):
    tech = TechnicianCheckInModel()
    from ui.checkin.models import TechnicianRow

    latest = ap.latest_versions(demo_store)
    tech.set_records([TechnicianRow(t, latest.get(t.id)) for t in demo_store.list_technicians()])
    qtmodeltester.check(tech)
    hist = HistoryModel()
    hist.set_records(ap.history(demo_store, demo_store.find_technician("Alex Morgan").id))
    qtmodeltester.check(hist)
    notes = NotesModel()
    qtmodeltester.check(notes)
    assert tech.data(tech.index(0, 0), Qt.ItemDataRole.DisplayRole)
