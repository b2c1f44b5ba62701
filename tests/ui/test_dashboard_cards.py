"""Issue 4 item 5: the dashboard's KPI cards for the desk, a team or a technician and a period,
compared with the core's own computation; issue 6 item 5: the KPI table to Excel."""
from __future__ import annotations

import openpyxl
import pytest

from kpidesk.metrics.engine import compute
from kpidesk.metrics.series import dashboard_cards
from tests.conftest import DEMO_TODAY
from tests.ui.dashboard_helpers import dashboard, prepared_store  # noqa: F401


def _values(screen) -> dict[str, tuple[float | None, int | None]]:  # noqa: ANN001
    return {c.name: (c.value, c.count) for c in screen.model.cards()}


def test_dashboard_shows_a_card_per_kpi_matching_the_core(dashboard, prepared_store):
    """Issue 4: one card per KPI with a value, each with the core's value and count."""
    expected = dashboard_cards(prepared_store, "desk", today=DEMO_TODAY)
    assert [c.kpi_id for c in dashboard.model.cards()] == [c.kpi_id for c in expected]
    assert _values(dashboard) == {c.name: (c.value, c.count) for c in expected}
    # And the value on the MTTR card is the engine's own MTTR for the desk in the last full month.
    mttr = next(c for c in dashboard.model.cards() if c.name == "MTTR")
    engine = next(v for v in compute(prepared_store, scope_key="desk", granularity="month", first=mttr.period)
                  if v.kpi == "mttr_hours" and v.segment is None)
    assert mttr.value == pytest.approx(engine.value)
    assert mttr.count == engine.count


def test_switching_technician_and_period_updates_the_cards(qtbot, dashboard, prepared_store):
    tech = prepared_store.find_technician("Alex Morgan")
    desk = _values(dashboard)
    with qtbot.waitSignal(dashboard.cards_shown, timeout=10000):
        dashboard.set_scope(f"technician:{tech.id}")
    mine = _values(dashboard)
    expected = dashboard_cards(prepared_store, f"technician:{tech.id}", today=DEMO_TODAY)
    assert mine == {c.name: (c.value, c.count) for c in expected}
    assert mine["MTTR"] != desk["MTTR"]
    with qtbot.waitSignal(dashboard.cards_shown, timeout=10000):
        dashboard.set_period("2026-06")
    june = dashboard_cards(prepared_store, f"technician:{tech.id}", "2026-06")
    assert _values(dashboard) == {c.name: (c.value, c.count) for c in june}
    assert next(c for c in dashboard.model.cards() if c.name == "MTTR").period == "2026-06"


def test_values_on_too_few_tickets_are_greyed_and_say_so(qtbot, dashboard, prepared_store):
    """A value resting on fewer tickets than min_count is marked, in words as well as grey."""
    from ui.dashboard.models import CARD_ROLE

    prepared_store.set_setting("min_count", 30)
    from kpidesk.records import Changes

    with qtbot.waitSignal(dashboard.cards_shown, timeout=10000):
        dashboard.on_changes(Changes(settings=True))
    few = [c for c in dashboard.model.cards() if c.few]
    assert few and all(c.count is not None and c.count < 30 for c in few)
    row = dashboard.model.row_of(few[0].kpi_id)
    index = dashboard.model.index(row, 0)
    assert index.data(CARD_ROLE).few
    from PySide6.QtCore import Qt

    assert "too few" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_card_model_passes_the_model_tester(qtmodeltester, dashboard):
    qtmodeltester.check(dashboard.model)


def test_export_the_kpi_table_to_excel(dashboard, tmp_path):
    """Issue 6 item 5: the current KPI table to Excel, numbers as numbers in their unit's format."""
    path = dashboard.export_table(tmp_path / "kpis.xlsx")
    ws = openpyxl.load_workbook(path).active
    rows = [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]
    header = list(rows[1])
    assert header[:4] == ["KPI", "For", "Period", "Value"]
    body = {r[0]: r for r in rows[2:]}
    assert set(body) == {c.name for c in dashboard.model.cards()}
    fcr = next(c for c in dashboard.model.cards() if c.name == "First-contact resolution")
    assert body[fcr.name][3] == pytest.approx(fcr.value / 100.0)  # a % KPI is stored as a fraction


def test_raising_a_review_on_a_technicians_card_puts_it_on_their_agenda(qtbot, dashboard, prepared_store,
                                                                          monkeypatch):
    """Issue 17: the card's menu raises a review on a person's value; it comes up on their check-in."""
    from PySide6.QtWidgets import QInputDialog

    from kpidesk.appraisal.agenda import agenda_for
    from kpidesk.metrics.reviews import list_reviews

    tech = prepared_store.find_technician("Lena Novak")
    with qtbot.waitSignal(dashboard.cards_shown, timeout=10000):
        dashboard.set_scope(f"technician:{tech.id}")
    mttr = next(c for c in dashboard.model.cards() if c.name == "MTTR")
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("Twice the team's MTTR", True))
    emitted = []
    dashboard.changes_made.connect(emitted.append)
    dashboard.grid.review_requested.emit(mttr.kpi_id)  # what "Raise a review…" on the card's menu does
    raised = next(r for r in list_reviews(prepared_store) if r.scope_key == f"technician:{tech.id}")
    assert (raised.kpi_id, raised.period, raised.rule) == (mttr.kpi_id, mttr.period,
                                                           "raised by the manager: Twice the team's MTTR")
    assert raised.value == pytest.approx(mttr.value) and emitted and emitted[0].reviews
    quarter = f"{mttr.period[:4]}-Q{(int(mttr.period[5:7]) - 1) // 3 + 1}"
    assert [i.review_id for i in agenda_for(prepared_store, tech.id, quarter)] == [raised.id]
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("", False))
    dashboard.grid.review_requested.emit(mttr.kpi_id)  # cancelled: nothing more
    assert len([r for r in list_reviews(prepared_store) if r.scope_key == f"technician:{tech.id}"]) == 1
