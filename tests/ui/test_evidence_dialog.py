"""Issue 16: the drill-down window. Its summary equals the value it was opened from, its rows are the
tickets that value rests on, it sorts numbers as numbers, filters, exports; and it opens from a card,
a trend point, a quadrant dot, a review and a check-in figure."""
from __future__ import annotations

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kpidesk.metrics.engine import compute
from kpidesk.metrics.evidence import tickets_behind
from kpidesk.metrics.reviews import check_triggers, list_reviews
from tests.conftest import DEMO_TODAY
from tests.ui.dashboard_helpers import dashboard, kpi_named, prepared_store  # noqa: F401
from tests.ui.test_checkin_wizard import shot
from ui.evidence_dialog import Columns, TicketsDialog


def open_dialogs() -> list[TicketsDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, TicketsDialog) and w.isVisible()]


def wait_loaded(qtbot, dlg: TicketsDialog) -> TicketsDialog:
    qtbot.waitUntil(lambda: dlg.evidence is not None, timeout=10000)
    return dlg


def close_all() -> None:
    for d in open_dialogs():
        d.close()


def test_summary_rows_sort_filter_and_export(qtbot, demo_store, tmp_path, shown_errors):
    tech = next(t for t in demo_store.list_technicians() if t.display_name == "Alex Morgan")
    scope = f"technician:{tech.id}"
    engine = {v.kpi: v for v in compute(demo_store, scope_key=scope, granularity="month", first="2026-10")}
    dlg = TicketsDialog(demo_store, scope, "2026-10", metric="mttr_hours", title="MTTR")
    qtbot.addWidget(dlg)
    dlg.show()
    wait_loaded(qtbot, dlg)
    mttr = engine["mttr_hours"]
    assert f"MTTR {mttr.value:.1f} h over {mttr.count} tickets" in dlg.summary.text()
    assert dlg.model.rowCount() == engine["resolved_count"].value
    assert "Alex Morgan" in dlg.heading.text() and "2026-10" in dlg.heading.text()
    shot(dlg, "drilldown-mttr")
    # The longest first, as the core ordered them; then sorted by the header, numbers as numbers.
    col = Columns.resolution_hours

    def hours() -> list[float]:
        return [float(dlg.proxy.index(r, col).data()) for r in range(dlg.proxy.rowCount())
                if dlg.proxy.index(r, col).data() != "—"]

    assert hours() == sorted(hours(), reverse=True)
    dlg.table.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    assert hours() == sorted(hours())
    # Filter on a category.
    category = dlg.model.record(0).category
    dlg.filter.setText(category)
    assert 0 < dlg.proxy.rowCount() <= dlg.model.rowCount()
    assert all(category.lower() in " ".join(str(dlg.proxy.index(r, c).data()) for c in range(len(Columns))).lower()
               for r in range(dlg.proxy.rowCount()))
    assert "shown" in dlg.shown.text() or dlg.proxy.rowCount() == dlg.model.rowCount()
    # Export: the whole list (not the filtered view), the same tickets in the same order.
    op = dlg.export_to(tmp_path / "alex.xlsx")
    qtbot.waitUntil(lambda: not op.is_running(), timeout=10000)
    ws = openpyxl.load_workbook(tmp_path / "alex.xlsx")["Tickets"]
    ids = [r[0] for r in ws.iter_rows(min_row=6, values_only=True)]
    assert ids == [x.external_id for x in tickets_behind(demo_store, scope, "2026-10", metric="mttr_hours").lines]
    assert shown_errors == []


def test_opens_from_card_trend_point_and_quadrant(qtbot, dashboard, prepared_store):  # noqa: F811
    mttr = kpi_named(prepared_store, "MTTR")
    card = dashboard.model.card(dashboard.model.row_of(mttr.id))
    dashboard.grid.tickets_requested.emit(mttr.id)
    dlg = wait_loaded(qtbot, open_dialogs()[-1])
    assert dlg.asked == ("desk", card.period, "mttr_hours", None)
    assert f"{card.value:.1f} h" in dlg.summary.text()  # the card's value, worked from the listed tickets
    close_all()
    dashboard.open_trend(mttr.id)
    qtbot.waitUntil(lambda: dashboard.trend.series is not None and dashboard.trend.series.kpi_id == mttr.id,
                    timeout=10000)
    s = dashboard.trend.series
    i = max(j for j, v in enumerate(s.values) if v is not None)
    spot = next(p for p in dashboard.trend.points.points() if p.data() == ("", i))
    dashboard.trend.points.sigClicked.emit(dashboard.trend.points, [spot], None)
    dlg = wait_loaded(qtbot, open_dialogs()[-1])
    assert dlg.asked[:3] == ("desk", s.periods[i], "mttr_hours")
    assert f"{s.values[i]:.1f} h" in dlg.summary.text()
    close_all()
    dashboard.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: dashboard.scatter.data is not None, timeout=10000)
    spot = dashboard.scatter.points.points()[0]
    dashboard.scatter.points.sigClicked.emit(dashboard.scatter.points, [spot], None)
    dlg = wait_loaded(qtbot, open_dialogs()[-1])
    point = spot.data()
    assert dlg.asked == (f"technician:{point.technician_id}", dashboard.scatter.data.period, "mttr_hours", None)
    assert f"{point.mttr_hours:.1f} h" in dlg.summary.text()
    close_all()


def test_opens_from_a_review(qtbot, prepared_store, shown_errors):  # noqa: F811
    from ui.dashboard.reviews_panel import ReviewsScreen

    check_triggers(prepared_store, DEMO_TODAY)
    review = list_reviews(prepared_store)[0]
    panel = ReviewsScreen(prepared_store, today=DEMO_TODAY)
    qtbot.addWidget(panel)
    panel.show()
    panel.select_review(review.id)
    panel.tickets_button.click()
    dlg = wait_loaded(qtbot, open_dialogs()[-1])
    assert dlg.asked[:2] == (review.scope_key, review.period)
    value = dlg.evidence.summary()[0]
    kpi = prepared_store.get_kpi(review.kpi_id)
    from kpidesk.units import metric_to_kpi

    assert metric_to_kpi(kpi.metric, kpi.unit, value) == pytest.approx(review.value)
    close_all()
    assert shown_errors == []


def test_opens_from_a_checkin_figure(qtbot, demo_store):
    from tests.ui.test_checkin_wizard import make_screen, start

    screen = make_screen(qtbot, demo_store)
    start(screen, demo_store, "Alex Morgan", "2026-Q2")
    wiz = screen.wizard
    wiz.pairs.tickets_requested.emit("sla_compliance", "")
    dlg = wait_loaded(qtbot, open_dialogs()[-1])
    tech = demo_store.find_technician("Alex Morgan")
    assert dlg.asked == (f"technician:{tech.id}", "2026-Q2", "sla_compliance", None)
    sla = wiz.content.facts.figures["sla"]["value"]
    assert dlg.evidence.summary()[0] == pytest.approx(sla)
    close_all()


def test_notes_from_the_plot_and_a_review_are_drawn_on_the_trend(qtbot, dashboard, prepared_store, monkeypatch):  # noqa: F811
    """Issue 16 item 2, the window's side: a note added from the trend plot (or a review) is drawn on
    the plot and named in its key; the note's dialog is prefilled with the plot's KPI and scope."""
    import datetime as dt

    from kpidesk import actions
    from kpidesk.annotations import AnnotationRecord, list_annotations
    from ui import annotation_dialog

    mttr = kpi_named(prepared_store, "MTTR")
    dashboard.open_trend(mttr.id)
    qtbot.waitUntil(lambda: dashboard.trend.series is not None, timeout=10000)
    asked = {}

    def fake_ask(parent, store, **prefill):
        asked.update(prefill)
        out = actions.add_annotation(store, AnnotationRecord(dt.date(2026, 8, 3), "VPN rollout", until=dt.date(2026, 8, 14),
                                                             kpi_id=prefill["kpi_id"], scope_key=""))
        dashboard.on_changes(out.changes)  # what the main window routes back
        return out

    monkeypatch.setattr(annotation_dialog, "ask_annotation", fake_ask)
    with qtbot.waitSignal(dashboard.trend_shown, timeout=10000):
        dashboard.trend.note_requested.emit(dt.date(2026, 8, 3))
    assert asked == {"on": dt.date(2026, 8, 3), "kpi_id": mttr.id, "scope_key": "desk"}
    assert [n.text for n in dashboard.trend.notes.notes()] == ["VPN rollout"]
    assert "1 note" in dashboard.trend.key.text()
    shot(dashboard, "trend-with-a-note")
    assert [n.text for n in list_annotations(prepared_store)] == ["VPN rollout"]
