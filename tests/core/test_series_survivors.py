"""What the mutation run of kpidesk/metrics/series.py (issue 20) found untested: a series asked for
another segment than its KPI's is judged by that segment's target; a floor trigger's low limit in
each period; the trend, the projection, the card and the period-over-period words of a KPI judged
against a band; the team's median by quarter, over one period and of a rate shown in %; the
quadrant of a quarter; a minimum count stored empty counts as 5; an entered KPI that still names a
ticket metric; and the cards of every scope read at once with a short sparkline (one period, and a
formula card as short as the others) and a segment KPI's own target.

The tickets, teams and KPIs are tests/core/test_series_edges.py's (its docstring has the table):
the desk's MTTR by month 2026-01 6 of 2, 2026-02 12 of 2, 2026-03 4.25 of 4; P3 alone 6, 12, 4;
Ann 6, 4, 4; Bob 2025-10 9, 2026-02 20, 2026-03 8 (P2). Every ticket meets its SLA except Cy's
30 h P3 of 2025-09, and every one is resolved at first contact. Today is 2026-04-15.
"""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.metrics.recompute import recompute
from kpidesk.metrics.series import (
    cards_for_scopes,
    dashboard_cards,
    kpi_series,
    speed_quality,
)
from kpidesk.records import KpiRecord, MeasurementRecord
from tests.core.test_series_edges import (  # noqa: F401  (fixtures: the hand-made tickets and KPIs)
    TODAY,
    _by_name,
    _kpi,
    ids,
    more_kpis,
    mttr,
)

OLD = dt.datetime(2020, 1, 1)  # a segment target in force long before the tickets


@pytest.fixture
def sla(store, ids):  # noqa: F811
    """The SLA met, in %, higher is better: on target at 95, triggered below 90."""
    return _kpi(store, "SLA", unit="%", direction="higher", metric="sla_compliance", target_value=95,
                trigger_kind="floor", trigger_value=90)


# ------------------------------------------------------------------ a trend plot's series

def test_a_series_asked_for_another_segment_is_judged_by_that_segments_target(store, mttr):  # noqa: F811
    # MTTR (KPI-wide: target 5, triggered above 10) gets a P3 target of 7, triggered above 11.
    store.set_segment_target(mttr.id, "P3", target_value=7, trigger_kind="ceiling", trigger_value=11,
                             valid_from=OLD)
    p3 = kpi_series(store, mttr.id, segment="P3", n=3, today=TODAY)
    assert p3.values == [6.0, 12.0, 4.0]
    # By P3's target: 6 <= 7 on target, 12 > 11 triggered, 4 on target (by the KPI-wide one 6 would
    # be off target and every target 5).
    assert p3.targets == [7.0, 7.0, 7.0] and p3.trigger_high == [11.0, 11.0, 11.0]
    assert p3.statuses == ["on_target", "triggered", "on_target"]
    assert (p3.target, p3.threshold) == (7.0, (None, 11.0))
    # The whole desk is still judged by the KPI-wide target.
    assert kpi_series(store, mttr.id, n=3, today=TODAY).targets == [5.0, 5.0, 5.0]


def test_a_floor_trigger_is_the_low_limit_of_every_period(store, sla):
    s = kpi_series(store, sla.id, n=3, today=TODAY)
    assert s.values == [100.0, 100.0, 100.0]  # every desk ticket of 2026-01..03 met its SLA
    assert s.trigger_low == [90.0, 90.0, 90.0] and s.trigger_high == [None, None, None]
    assert s.threshold == (90.0, None) and s.statuses == ["on_target"] * 3


@pytest.fixture
def banded(store, ids):  # noqa: F811
    """The desk's MTTR judged against a band of 5 to 8 hours."""
    return _kpi(store, "MTTR band", direction="band", band_low=5, band_high=8)


def test_a_band_kpi_trends_and_projects_towards_its_band(store, banded):
    s = kpi_series(store, banded.id, n=3, today=TODAY)
    assert s.values == [6.0, 12.0, 4.25] and s.band == (5.0, 8.0)
    # The line over x = 0, 1, 2: mean 22.25 / 3 = 7.42, inside the band above its middle 6.5, where
    # falling is better; slope (4.25 - 6) / 2 = -0.875: improving (with no band to aim at: flat).
    assert s.slope == pytest.approx(-0.875)
    assert s.trend == "improving"
    # The last value 4.25 is below the band: the goal is its low end 5. The line at x = 2 is
    # 7.4167 + 0.875 - 1.75 = 6.5417; (5 - 6.5417) / -0.875 = 1.76 periods: two months on, 2026-05
    # (with no band there is nothing to reach: None).
    assert s.projected_period == "2026-05"


def test_a_band_kpis_card_carries_its_band_and_words_its_changes_by_it(store, banded):
    c = dashboard_cards(store, today=TODAY, only=banded.id)[0]
    assert (c.period, c.value, c.status, c.band) == ("2026-03", 4.25, "off_target", (5.0, 8.0))
    assert c.previous == ("2026-02", 12.0) and c.year_ago == ("2025-03", 7.0)
    # 12 -> 4.25: down 7.75 and from 4 h above the band to 0.75 h below it: better. 7 -> 4.25: down
    # 2.75 and from inside the band to 0.75 h out of it: worse (with no band: 'against' either way).
    assert c.change_words(c.previous) == "\u2193 7.8 h better than 2026-02"
    assert c.change_words(c.year_ago) == "\u2193 2.8 h worse than 2025-03"


# ------------------------------------------------------------------ the team's median

def test_the_team_median_by_quarter(store, ids, mttr):  # noqa: F811
    ann = f"technician:{ids['Ann']}"
    q = kpi_series(store, mttr.id, ann, granularity="quarter", n=2, today=TODAY, compare_team=True)
    assert q.periods == ["2025-Q4", "2026-Q1"]
    # Ann: no ticket in 2025-Q4, (2 + 10 + 4 + 3 + 5) / 5 = 4.8 in 2026-Q1. Bob: 9 in 2025-Q4,
    # (20 + 8) / 2 = 14 in 2026-Q1. Team Desk's median: 9 alone, then median(4.8, 14) = 9.4.
    assert q.values == [None, 4.8]
    assert q.team_median == [9.0, pytest.approx(9.4)]


def test_the_team_median_of_a_single_period(store, ids, mttr):  # noqa: F811
    one = kpi_series(store, mttr.id, f"technician:{ids['Ann']}", n=1, today=TODAY, compare_team=True)
    assert one.periods == ["2026-03"] and one.team_median == [6.0]  # median(Ann 4, Bob 8)


def test_the_team_median_of_a_rate_is_in_the_kpis_percent(store, ids, sla):  # noqa: F811
    s = kpi_series(store, sla.id, f"technician:{ids['Ann']}", n=3, today=TODAY, compare_team=True)
    # Ann and Bob met every SLA of 2026-01..03: fraction 1.0 from the engine, 100 % on the KPI's scale.
    assert s.values == [100.0, 100.0, 100.0]
    assert s.team_median == [100.0, 100.0, 100.0]


# ------------------------------------------------------------------ speed against quality

def test_speed_against_quality_of_a_quarter_reads_the_quarter(store, ids):  # noqa: F811
    data = speed_quality(store, "2026-Q1")
    assert data.period == "2026-Q1"
    # The whole quarter, not its last month: Ann 5 tickets, (2 + 10 + 4 + 3 + 5) / 5 = 4.8 h, CSAT
    # (5 + 4) / 2; Bob 2 tickets, (20 + 8) / 2 = 14 h, CSAT 2; Cy 1 ticket of 1 h, no CSAT.
    got = [(p.name, p.resolved, p.mttr_hours, p.csat_mean) for p in data.points]
    assert got == [("Ann", 5, 4.8, 4.5), ("Bob", 2, 14.0, 2.0), ("Cy", 1, 1.0, None)]
    assert data.medians["mttr_hours"] == 4.8 and data.medians["csat_mean"] == pytest.approx(3.25)


# ------------------------------------------------------------------ dashboard cards

def test_a_minimum_count_stored_empty_counts_as_five(store, ids, mttr):  # noqa: F811
    # Not through the setting's action, which keeps it 1..1000: an empty value falls back to the
    # default 5, so a value resting on 5 tickets is not greyed (5 < 5 is false).
    store.set_setting("min_count", None)
    calls = store.create_kpi(KpiRecord(name="Calls", unit="calls", cadence="monthly"))[0]
    store.add_measurements([MeasurementRecord(calls.id, "desk", "2026-03", 40.0, count=5)])
    assert kpi_series(store, mttr.id, n=1, today=TODAY).min_count == 5
    live = dashboard_cards(store, today=TODAY, only=calls.id)[0]
    assert (live.value, live.count, live.few) == (40.0, 5, False)
    batch = _by_name(cards_for_scopes(store, ["desk"], "2026-03")["desk"])["Calls"]
    assert (batch.value, batch.count, batch.few) == (40.0, 5, False)


def test_an_entered_kpi_that_still_names_a_ticket_metric_shows_none(store, ids):  # noqa: F811
    # Valid: only a computed KPI needs a metric, and one switched to entered values may keep it.
    typed = store.create_kpi(KpiRecord(name="Typed FCR", unit="%", cadence="monthly", metric="fcr_rate"))[0]
    store.add_measurements([MeasurementRecord(typed.id, "desk", "2026-03", 80.0)])
    c = dashboard_cards(store, today=TODAY, only=typed.id)[0]
    assert (c.value, c.metric) == (80.0, "")


# ------------------------------------------------------------------ every scope at once

def test_the_cards_at_once_with_a_sparkline_of_one_period_and_of_three(store, mttr, more_kpis):  # noqa: F811
    recompute(store, today=TODAY)
    one = _by_name(cards_for_scopes(store, ["desk"], "2026-03", n_spark=1)["desk"])
    assert (one["MTTR"].period, one["MTTR"].sparkline, one["MTTR"].previous) == ("2026-03", [4.25], None)
    three = _by_name(cards_for_scopes(store, ["desk"], "2026-03", n_spark=3)["desk"])
    assert three["MTTR"].sparkline == [6.0, 12.0, 4.25]
    # The formula card, worked out live, is as short as the stored ones: [MTTR] * 2 = 12, 24, 8.5.
    assert three["MTTR doubled"].sparkline == [12.0, 24.0, 8.5]
    assert three["MTTR doubled"].previous == ("2026-02", 24.0)


def test_the_cards_at_once_judge_a_segment_kpi_by_its_segments_target(store, ids):  # noqa: F811
    # A P3 MTTR (KPI-wide target 5, triggered above 10) with a P3 target of 7, triggered above 11.
    p3 = _kpi(store, "MTTR P3", segment="P3", target_value=5, trigger_kind="ceiling", trigger_value=10)
    store.set_segment_target(p3.id, "P3", target_value=7, trigger_kind="ceiling", trigger_value=11,
                             valid_from=OLD)
    recompute(store, today=TODAY)
    batch = cards_for_scopes(store, ["desk"], "2026-03")["desk"][0]
    live = dashboard_cards(store, "desk", "2026-03")[0]
    # P3 in 2026-03: (3 + 5) / 2 = 4 h, judged by the P3 target 7 (not the KPI's own 5).
    assert (batch.value, batch.target, batch.status) == (4.0, 7.0, "on_target")
    assert (live.value, live.target, live.status) == (4.0, 7.0, "on_target")
