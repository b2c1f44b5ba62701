"""Issue 4 item 6: a card click opens the KPI's trend plot with its baseline, target and trigger
band; tool tips give value and count; split by priority adds the four tiers; the speed against
quality scatter has a point per technician and labelled quadrants; the plot exports to PNG."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from kpidesk.metrics.series import speed_quality
from tests.ui.dashboard_helpers import dashboard, kpi_named, prepared_store  # noqa: F401


def _open_mttr(qtbot, screen, store):  # noqa: ANN001, ANN202
    mttr = kpi_named(store, "MTTR")
    index = screen.model.index(screen.model.row_of(mttr.id), 0)
    with qtbot.waitSignal(screen.trend_shown, timeout=10000):
        qtbot.mouseClick(screen.grid.viewport(), Qt.MouseButton.LeftButton, pos=screen.grid.visualRect(index).center())
    return mttr


def test_card_click_opens_trend_with_baseline_target_and_trigger_band(qtbot, dashboard, prepared_store):
    mttr = _open_mttr(qtbot, dashboard, prepared_store)
    plot = dashboard.trend
    assert dashboard.tabs.currentIndex() == 1
    assert plot.series is not None and plot.series.kpi_id == mttr.id
    items = plot.plot.getPlotItem().items
    for item in (plot.baseline_line, plot.target_line, plot.trigger_band, plot.value_curve):
        assert item in items and item.isVisible()
    assert plot.baseline_line.value() == mttr.baseline_value
    assert plot.target_line.value() == mttr.target_value
    lo, hi = plot.trigger_band.getRegion()
    assert lo == plot.series.threshold[1] == pytest.approx(mttr.baseline_value * 1.1)  # triggered above +10 %
    assert hi > lo
    # The y range shows the lines even where the data does not reach them.
    (y0, y1) = plot.plot.getPlotItem().viewRange()[1]
    assert y0 <= min(mttr.baseline_value, mttr.target_value) and y1 >= lo
    assert len(plot.value_curve.xData) == len(plot.series.periods)


def test_hover_tooltip_has_value_and_count(qtbot, dashboard, prepared_store):
    _open_mttr(qtbot, dashboard, prepared_store)
    s = dashboard.trend.series
    spot = dashboard.trend.points.points()[-1]
    text = dashboard.trend._tip(spot.pos().x(), spot.pos().y(), spot.data())
    i = len(s.periods) - 1
    assert s.periods[i] in text
    assert f"{s.values[i]:.1f} h" in text
    assert f"{s.counts[i]} tickets" in text


def test_split_by_priority_adds_four_curves_and_team_median(qtbot, dashboard, prepared_store):
    tech = prepared_store.find_technician("Priya Shah")
    with qtbot.waitSignal(dashboard.cards_shown, timeout=10000):
        dashboard.set_scope(f"technician:{tech.id}")
    _open_mttr(qtbot, dashboard, prepared_store)
    before = len(dashboard.trend.curves())
    with qtbot.waitSignal(dashboard.trend_shown, timeout=10000):
        dashboard.trend.split_box.setChecked(True)
    assert len(dashboard.trend.curves()) == before + 4
    assert set(dashboard.trend.tiers) == {"P1", "P2", "P3", "P4"}
    with qtbot.waitSignal(dashboard.trend_shown, timeout=10000):
        dashboard.trend.median_box.setChecked(True)
    assert dashboard.trend.median_curve.isVisible()
    assert dashboard.trend.series.team_median is not None


def test_scatter_has_a_point_per_technician_and_quadrant_labels(qtbot, dashboard, prepared_store):
    with qtbot.waitSignal(dashboard.scatter_shown, timeout=10000):
        dashboard.tabs.setCurrentIndex(2)
    data = speed_quality(prepared_store, "2026-10")
    with_both = [p for p in data.points if p.mttr_hours is not None and p.fcr_rate is not None]
    assert len(dashboard.scatter.points.points()) == len(with_both) == len(prepared_store.list_technicians())
    names = {label.textItem.toPlainText().replace(" (escalations)", "") for label in dashboard.scatter.name_labels}
    assert names == {p.name for p in with_both}
    assert dashboard.scatter.quadrant_texts() == ["Fast and right first time", "Slow but right first time",
                                                  "Fast, more rework", "Slow, more rework"]
    dashboard.scatter.pair_combo.setCurrentIndex(1)
    assert "On time and liked" in dashboard.scatter.quadrant_texts()


def test_trend_plot_exports_png_and_pdf(qtbot, dashboard, prepared_store, tmp_path):
    _open_mttr(qtbot, dashboard, prepared_store)
    png = dashboard.export_plot(tmp_path / "mttr.png")
    image = QImage(str(png))
    assert not image.isNull() and image.width() > 400 and png.stat().st_size > 5000
    pdf = dashboard.export_plot(tmp_path / "mttr.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
