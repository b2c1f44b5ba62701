"""Issue 16 item 5, the window's side: the mix-adjusted speed beside MTTR on a technician's card, and
as an axis of the speed-quality quadrant, split at the desk's pace (1)."""
from __future__ import annotations

import pytest

from kpidesk.metrics.mix import mix_all, mix_for, short_words
from tests.ui.dashboard_helpers import dashboard, kpi_named, prepared_store  # noqa: F401
from tests.ui.test_checkin_wizard import shot


def test_mttr_card_of_a_technician_says_the_mix(qtbot, dashboard, prepared_store):  # noqa: F811
    alex = prepared_store.find_technician("Alex Morgan")
    dashboard.set_scope(f"technician:{alex.id}")
    qtbot.waitUntil(lambda: dashboard.model.rowCount() > 0 and
                    dashboard.model.card(0).period and dashboard.scope_key == f"technician:{alex.id}", timeout=10000)
    mttr = kpi_named(prepared_store, "MTTR")
    qtbot.waitUntil(lambda: dashboard.model.row_of(mttr.id) >= 0 and
                    dashboard.model.card(dashboard.model.row_of(mttr.id)).mix != "", timeout=10000)
    card = dashboard.model.card(dashboard.model.row_of(mttr.id))
    fig = mix_for(prepared_store, alex.id, card.period)
    assert card.mix == short_words(fig) and f"{fig.ratio:.2f}" in card.mix
    assert card.mix.startswith("Expected ") and "for this mix" in card.mix
    others = [dashboard.model.card(r) for r in range(dashboard.model.rowCount())
              if dashboard.model.card(r).kpi_id != mttr.id]
    assert all(c.mix == "" for c in others)  # only MTTR over all tickets carries it
    shot(dashboard, "cards-technician-with-mix")


def test_the_quadrant_can_plot_mix_adjusted_speed(qtbot, dashboard, prepared_store):  # noqa: F811
    dashboard.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: dashboard.scatter.data is not None, timeout=10000)
    view = dashboard.scatter
    i = next(i for i in range(view.pair_combo.count()) if view.pair_combo.itemText(i).startswith("Mix-adjusted"))
    view.pair_combo.setCurrentIndex(i)
    figs = mix_all(prepared_store, view.data.period)
    spots = view.points.points()
    assert len(spots)
    for spot in spots:
        point = spot.data()
        fig = figs[point.technician_id]
        assert spot.pos().x() == pytest.approx(fig.ratio) and fig.count >= fig.min_count
    assert view.x_median.value() == pytest.approx(1.0) and "the desk's pace" in view.caption.text()
    assert "Faster for their mix, right first time" in view.quadrant_texts()
    shot(view, "quadrant-mix-adjusted")
