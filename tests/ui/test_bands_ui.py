"""Issue 16 item 3: a three-band KPI on the trend plot (green on target, amber watch, red act, named in
the key) and in the appraisal PDF (its words: On target, Watch, Act)."""
from __future__ import annotations

import dataclasses

import pytest

from kpidesk import actions
from kpidesk import appraisal as ap
from kpidesk.metrics.series import kpi_series
from tests.conftest import DEMO_TODAY
from tests.ui.test_annotations_ui import _pdf_text
from tests.ui.test_checkin_wizard import shot
from ui.reports.pdf_renderer import render_pdf


@pytest.fixture
def banded(demo_store):
    mttr = demo_store.find_kpi("MTTR")
    # Act above 1.2 x the target: the demo's MTTR crosses both edges over the year.
    actions.update_kpi(demo_store, dataclasses.replace(mttr, bands=True, trigger_kind="ceiling",
                                                      trigger_value=round(mttr.target_value * 1.2, 1)))
    return demo_store, demo_store.find_kpi("MTTR")


def test_the_plot_shades_three_bands_and_names_them(qtbot, banded):
    from ui.dashboard.trend_plot import TrendPlot

    store, mttr = banded
    s = kpi_series(store, mttr.id, "desk", today=DEMO_TODAY)
    # Each period is judged by the target and trigger in force then (the last one by today's).
    assert s.bands and s.threshold[0] is None and s.threshold[1] == pytest.approx(s.trigger_high[-1])
    plot = TrendPlot()
    qtbot.addWidget(plot)
    plot.resize(900, 420)
    plot.set_series(s)
    plot.set_caption("MTTR", "three bands")
    assert plot.good_band.isVisible() and plot.good_band.getRegion()[1] == pytest.approx(s.target)
    watch = [b for b in plot.watch_bands if b.isVisible()]
    assert len(watch) == 1 and watch[0].getRegion() == pytest.approx((s.target, s.threshold[1]))
    assert plot.trigger_band.isVisible() and plot.trigger_band.getRegion()[0] == pytest.approx(s.threshold[1])
    key = plot.key.text()
    assert "on target" in key and "watch" in key and "act (above" in key and "trigger zone" not in key
    shot(plot, "trend-three-bands")
    # The same KPI with one trigger line: no green or amber zone, the old words.
    actions.update_kpi(store, dataclasses.replace(mttr, bands=False))
    plot.set_series(kpi_series(store, mttr.id, "desk", today=DEMO_TODAY))
    assert not plot.good_band.isVisible() and not any(b.isVisible() for b in plot.watch_bands)
    assert "trigger zone" in plot.key.text()


def test_the_appraisal_pdf_says_watch_or_act(banded, tmp_path):
    store, mttr = banded
    alex = store.find_technician("Alex Morgan")
    ci = ap.start_or_resume(store, alex.id, "2026-Q2")
    fact = next(k for k in ap.facts_of(store, ci.id).kpis if k.kpi_id == mttr.id)
    from kpidesk.metrics.status import judge_period
    from kpidesk.periods import parse_period

    in_force = judge_period(mttr, store.target_history(mttr.id), parse_period("2026-Q2"), fact.value).limits
    assert fact.bands and fact.act == in_force and in_force[1] is not None
    text = _pdf_text(actions.export_checkin(store, ci.id, tmp_path / "alex.pdf", render_pdf=render_pdf).result)
    beyond = fact.value > fact.act[1]
    worse = fact.value > fact.target
    want = "Act" if beyond else "Watch" if worse else "On target"
    assert "MTTR" in text and want in text
    assert "Past trigger" not in text and "Off target" not in text.split("MTTR", 1)[1].split("First-contact", 1)[0]
