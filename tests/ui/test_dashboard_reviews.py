"""Issue 4 item 3: the open reviews, one click away, acknowledged with a note; KPIs overdue for
their scheduled review say so."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QDialog

from kpidesk.metrics.reviews import check_triggers, list_reviews
from tests.conftest import DEMO_TODAY
from tests.ui.dashboard_helpers import prepared_store  # noqa: F401


@pytest.fixture
def reviewed_store(prepared_store):
    """At least one open review: the fixture's MTTR trigger (10 % worse than its baseline) fires."""
    check_triggers(prepared_store, DEMO_TODAY)
    assert list_reviews(prepared_store)
    return prepared_store


@pytest.fixture
def panel(qtbot, reviewed_store, shown_errors):
    from ui.dashboard.reviews_panel import ReviewsScreen

    screen = ReviewsScreen(reviewed_store, today=DEMO_TODAY)
    qtbot.addWidget(screen)
    screen.resize(1100, 700)
    screen.show()
    yield screen
    assert shown_errors == []


def test_reviews_panel_lists_open_reviews(panel, reviewed_store):
    open_ = list_reviews(reviewed_store)
    assert panel.model.rowCount() == len(open_) == panel.open_count
    assert {r.id for r in panel.model.records()} == {r.id for r in open_}
    assert panel.badge_text == f"Reviews ({len(open_)})"


def test_acknowledging_with_a_note_closes_the_review_in_the_database(qtbot, panel, reviewed_store, monkeypatch):
    from ui.dashboard import reviews_panel

    target = list_reviews(reviewed_store)[-1]
    panel.select_review(target.id)

    def fake_exec(dlg: QDialog) -> int:
        dlg.note.setPlainText("Coaching on follow-up calls; survey again in December")
        dlg.by.setText("Dana Whitfield")
        dlg.buttons.accepted.emit()
        return dlg.result()

    monkeypatch.setattr(reviews_panel.NoteDialog, "exec", fake_exec)
    emitted = []
    panel.changes_made.connect(emitted.append)
    before = panel.open_count
    panel.ack_button.click()
    assert target.id not in {r.id for r in list_reviews(reviewed_store)}
    done = next(r for r in list_reviews(reviewed_store, open_only=False) if r.id == target.id)
    assert done.note.startswith("Coaching") and done.acknowledged_by == "Dana Whitfield"
    assert panel.open_count == before - 1 and emitted and emitted[0].reviews


def test_acknowledge_dialog_requires_a_note(qtbot):
    from ui.dashboard.reviews_panel import NoteDialog

    dlg = NoteDialog("Acknowledge review", "CSAT for the desk", "Dana")
    qtbot.addWidget(dlg)
    dlg.buttons.accepted.emit()
    assert dlg.result() != QDialog.DialogCode.Accepted and dlg.error.text()


def test_overdue_kpis_say_so(qtbot, reviewed_store, shown_errors):
    from ui.dashboard.reviews_panel import ReviewsScreen

    later = DEMO_TODAY + dt.timedelta(days=120)
    screen = ReviewsScreen(reviewed_store, today=later)
    qtbot.addWidget(screen)
    overdue = screen.overdue_model.records()
    assert overdue and all(o.days_overdue > 0 for o in overdue)
    assert "day" in screen.overdue_model.index(0, 5).data()


def test_review_models_pass_the_model_tester(qtmodeltester, panel):
    qtmodeltester.check(panel.model)
    qtmodeltester.check(panel.overdue_model)


def test_open_reviews_are_one_click_away_in_the_main_window(qtbot, reviewed_store, shown_errors):
    from ui.dashboard.reviews_panel import ReviewsScreen
    from ui.dashboard.screen import DashboardScreen
    from ui.main_window import SCREENS, MainWindow

    assert any(entry.load() is ReviewsScreen for entry in SCREENS)
    w = MainWindow(reviewed_store)
    qtbot.addWidget(w)
    n = len(list_reviews(reviewed_store))
    row = next(i for i, entry in enumerate(SCREENS) if entry.load() is ReviewsScreen)
    assert w.sidebar.item(row).text() == f"Reviews ({n})"  # read before the screen is built
    assert not any(isinstance(s, ReviewsScreen) for s in w.screens)
    dash = w.screen(DashboardScreen)
    assert dash.reviews_button.text().startswith(f"{n} open review")
    dash.reviews_button.click()
    assert w.pages.currentWidget() is w.screen(ReviewsScreen)
    for s in w.screens:
        s.shutdown()
