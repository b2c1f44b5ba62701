"""Issue 16 item 4: each card shows its change against the previous period and the same period a
year earlier, in words that follow the KPI's direction."""
from __future__ import annotations


import pytest

from kpidesk.metrics.kpi_values import kpi_values
from kpidesk.metrics.series import dashboard_cards, year_before
from kpidesk.periods import parse_period
from kpidesk.signals import change_phrase
from tests.conftest import DEMO_TODAY


@pytest.mark.parametrize("now, then, direction, unit, words", [
    (8.0, 10.0, "lower", "h", "\u2193 2.0 h better than 2026-09"),
    (12.0, 10.0, "lower", "h", "\u2191 2.0 h worse than 2026-09"),
    (73.0, 70.0, "higher", "%", "\u2191 3.0 pts better than 2026-09"),
    (67.5, 70.0, "higher", "%", "\u2193 2.5 pts worse than 2026-09"),
    (10.0, 10.0, "lower", "h", "\u2192 same as 2026-09"),
    (None, 10.0, "lower", "h", "no value in 2026-09 to compare"),
    (10.0, None, "higher", "%", "no value in 2026-09 to compare"),
    (0.0, 0.0, "higher", "count", "\u2192 same as 2026-09"),  # zero is a value, not a missing one
])
def test_change_words_follow_the_direction(now, then, direction, unit, words):
    assert change_phrase(now, then, "2026-09", direction, unit) == words


def test_a_band_kpi_is_better_nearer_its_band():
    band = (90.0, 95.0)
    assert change_phrase(97.0, 99.0, "Q2", "band", "%", band).endswith("better than Q2")  # 2 pts off, was 4
    assert change_phrase(99.0, 97.0, "Q2", "band", "%", band).endswith("worse than Q2")
    assert "as near its band" in change_phrase(92.0, 93.0, "Q2", "band", "%", band)  # inside both times


def test_the_same_period_a_year_earlier():
    assert year_before(parse_period("2026-10")).key == "2025-10"
    assert year_before(parse_period("2026-Q3")).key == "2025-Q3"
    assert year_before(parse_period("2026-W40")).key == "2025-W40"
    assert year_before(parse_period("2026-W01")).key == "2025-W01"  # starts 2024-12-30: ISO weeks, not years


def test_cards_carry_both_comparisons(demo_store):
    cards = dashboard_cards(demo_store, "desk", today=DEMO_TODAY)
    assert cards
    for card in cards:
        kpi = demo_store.get_kpi(card.kpi_id)
        p = parse_period(card.period)
        before = p.previous()
        assert card.previous is not None and card.previous[0] == before.key
        want = kpi_values(demo_store, kpi, [before]).get(before.key, (None, None))[0]
        assert card.previous[1] == pytest.approx(want) if want is not None else card.previous[1] is None
        year = year_before(p)
        assert card.year_ago[0] == year.key
        want = kpi_values(demo_store, kpi, [year]).get(year.key, (None, None))[0]
        assert card.year_ago[1] == pytest.approx(want) if want is not None else card.year_ago[1] is None
    mttr = next(c for c in cards if c.name == "MTTR")
    words = mttr.change_words(mttr.previous)
    assert words.endswith(f"than {mttr.previous[0]}")
    better = mttr.value < mttr.previous[1]
    assert ("better" in words) == better
