"""Edges of what plots and cards show (kpidesk/metrics/series.py, issue 20): a trend plot's series
(the default last twelve full periods, a range, another period length, another segment, the target
and trigger in force in each period, the trend over the last periods asked, the team's median), the
speed-against-quality quadrant, the dashboard cards (which KPIs get one for which scope, the period
a card shows, its previous and year-ago values, grey when too few tickets, the mix-adjusted words),
and the cards of every scope read at once, which must equal each scope's cards worked out alone.
Eleven hand-made tickets, values worked out by hand; the minimum count is 2.

  ticket  day         who  hours  priority           Ann and Bob are team Desk, Cy team Infra (and an
  a       2025-03-10  Ann    7    P3                 escalation destination), Dee has no team. Bob was
  b       2025-09-10  Cy    30    P3                 created first, so ids do not follow the names.
  c       2025-10-10  Bob    9    P3
  d       2026-01-05  Ann    2    P3  CSAT 5, group Network
  e       2026-01-12  Ann   10    P3
  f       2026-02-03  Ann    4    P3
  g       2026-02-10  Bob   20    P3  group Network
  h       2026-03-02  Ann    3    P3  CSAT 4          (2026-W10)
  i       2026-03-09  Ann    5    P3                  (2026-W11, Monday)
  j       2026-03-16  Bob    8    P2  CSAT 2          (2026-W12: 8 h is P2's SLA exactly: met)
  k       2026-03-23  Cy     1    P1                  (2026-W13)

The desk's MTTR by month: 2025-03 7 of 1, 2025-09 30 of 1, 2025-10 9 of 1, 2026-01 (2 + 10) / 2 = 6
of 2, 2026-02 (4 + 20) / 2 = 12 of 2, 2026-03 (3 + 5 + 8 + 1) / 4 = 4.25 of 4. P3 alone in 2026-03:
4 of 2. 2026-Q1: 53 / 8 = 6.625 of 8. Today is 2026-04-15: the last full month is 2026-03.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kpidesk.errors import NotFound
from kpidesk.metrics import series as series_module
from kpidesk.metrics.recompute import recompute
from kpidesk.metrics.series import (
    KpiCard,
    _back,
    _ReadOnce,
    cards_for_scopes,
    dashboard_cards,
    default_periods,
    epoch,
    kpi_series,
    speed_quality,
    year_before,
)
from kpidesk.models import KpiTarget
from kpidesk.periods import parse_period, period_containing
from kpidesk.records import KpiRecord, MeasurementRecord, TechnicianRecord
from kpidesk.signals import SIGNALS, trend_phrase
from tests.core.metrics_tickets import add_tickets, ticket

TODAY = dt.date(2026, 4, 15)
MONTH_STARTS = {"2025-04": 1743465600.0, "2026-01": 1767225600.0, "2026-02": 1769904000.0,
                "2026-03": 1772323200.0}  # seconds since 1970-01-01 UTC of each month's first day


def _t(day: str, hours: float, tech: int | None, tier: int = 3, **more):
    start = dt.datetime.fromisoformat(day)
    return ticket(day, (start + dt.timedelta(hours=hours)).isoformat(sep=" "), tech=tech, tier=tier, **more)


@pytest.fixture
def ids(store):
    desk = store.create_team("Desk")[0].id
    infra = store.create_team("Infra")[0].id
    ids = {"Desk": desk, "Infra": infra}
    for name, team, escalation in (("Bob", desk, False), ("Ann", desk, False), ("Cy", infra, True),
                                   ("Dee", None, False)):
        ids[name] = store.create_technician(TechnicianRecord(display_name=name, team_id=team,
                                                             escalation_destination=escalation))[0].id
    store.set_setting("min_count", 2)
    ann, bob, cy = ids["Ann"], ids["Bob"], ids["Cy"]
    add_tickets(store, [
        _t("2025-03-10 00:00", 7, ann),
        _t("2025-09-10 00:00", 30, cy),
        _t("2025-10-10 00:00", 9, bob),
        _t("2026-01-05 00:00", 2, ann, csat_score=5.0, group_name="Network"),
        _t("2026-01-12 00:00", 10, ann),
        _t("2026-02-03 00:00", 4, ann),
        _t("2026-02-10 00:00", 20, bob, group_name="Network"),
        _t("2026-03-02 00:00", 3, ann, csat_score=4.0),
        _t("2026-03-09 00:00", 5, ann),
        _t("2026-03-16 00:00", 8, bob, tier=2, csat_score=2.0),
        _t("2026-03-23 00:00", 1, cy, tier=1),
    ])
    return ids


def _kpi(store, name, **fields):
    base = dict(unit="hours", direction="lower", value_source="computed", metric="mttr_hours", cadence="monthly")
    return store.create_kpi(KpiRecord(name=name, **{**base, **fields}))[0]


@pytest.fixture
def mttr(store, ids):
    return _kpi(store, "MTTR", target_value=5, trigger_kind="ceiling", trigger_value=10, baseline_value=8)


# ------------------------------------------------------------------ a trend plot's series

def test_by_default_a_series_is_the_last_twelve_full_months_before_today_judged_and_trended(store, mttr):
    s = kpi_series(store, mttr.id, today=TODAY)
    assert (s.kpi_id, s.name, s.unit, s.direction) == (mttr.id, "MTTR", "hours", "lower")
    assert (s.scope_key, s.scope_label, s.segment, s.granularity) == ("desk", "the desk", "", "month")
    assert s.periods == ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11",
                         "2025-12", "2026-01", "2026-02", "2026-03"]
    assert s.starts[0] == MONTH_STARTS["2025-04"] and s.starts[-1] == MONTH_STARTS["2026-03"]
    assert s.values == [None] * 5 + [30.0, 9.0, None, None, 6.0, 12.0, 4.25]
    assert s.counts == [None] * 5 + [1, 1, None, None, 2, 2, 4]
    # Target 5, triggered above 10: 30 and 12 trigger, 9 and 6 miss the target, 4.25 meets it.
    assert s.statuses == [None] * 5 + ["triggered", "off_target", None, None, "off_target", "triggered", "on_target"]
    assert s.targets == [5.0] * 12 and s.trigger_high == [10.0] * 12 and s.trigger_low == [None] * 12
    assert (s.target, s.band, s.threshold, s.baseline) == (5.0, None, (None, 10.0), 8.0)
    assert (s.min_count, s.bands, s.team_median) == (2, False, None)
    # The trend: the last six months, 9, -, -, 6, 12, 4.25 at x = 0, 3, 4, 5: mean x 3, mean y 7.8125,
    # Sxy = -3 * 1.1875 + 1 * 4.1875 + 2 * -3.5625 = -6.5, Sxx = 14: slope -13/28 per month, falling
    # where lower is better. The line starts at 2025-10 (7.8125 + 3 * 13/28) and is not drawn before.
    assert s.slope == pytest.approx(-13 / 28)
    assert s.trend == "improving"
    assert s.fitted[:6] == [None] * 6
    assert s.fitted[6] == pytest.approx(7.8125 + 3 * 13 / 28)
    assert s.fitted[11] == pytest.approx(7.8125 - 2 * 13 / 28)
    assert s.rolling == [None] * 5 + [30.0, 19.5, 19.5, 9.0, 6.0, 9.0, pytest.approx(22.25 / 3)]
    assert s.anomalies == [False] * 12
    assert s.projected_period == "2026-03"  # the last value already meets the target


def test_n_trend_periods_and_an_explicit_range_choose_the_periods_and_the_trend(store, mttr):
    three = kpi_series(store, mttr.id, n=3, today=TODAY)
    assert three.periods == ["2026-01", "2026-02", "2026-03"] and three.values == [6.0, 12.0, 4.25]
    assert three.starts == [MONTH_STARTS["2026-01"], MONTH_STARTS["2026-02"], MONTH_STARTS["2026-03"]]
    assert three.slope == pytest.approx(-0.875)  # (4.25 - 6) / 2
    ranged = kpi_series(store, mttr.id, first="2026-01", last=parse_period("2026-03"))
    assert ranged.periods == three.periods and ranged.values == three.values and ranged.slope == three.slope
    # The last seven months bring 2025-09 (30 h) into the line: a steeper fall.
    seven = kpi_series(store, mttr.id, today=TODAY, trend_periods=7)
    # x = 0, 1, 4, 5, 6 (mean 3.2), y = 30, 9, 6, 12, 4.25 (mean 12.25): Sxy -77.5, Sxx 26.8.
    assert seven.slope == pytest.approx(-77.5 / 26.8)
    last3 = kpi_series(store, mttr.id, today=TODAY, trend_periods=3)
    assert last3.slope == pytest.approx(-0.875)
    two = kpi_series(store, mttr.id, today=TODAY, trend_periods=2)  # two values make no line
    assert (two.slope, two.trend, two.fitted) == (None, "unknown", [None] * 12)


def test_another_period_length_and_another_segment(store, mttr):
    q = kpi_series(store, mttr.id, granularity="quarter", n=2, today=TODAY)
    assert (q.granularity, q.periods, q.values, q.counts) == ("quarter", ["2025-Q4", "2026-Q1"], [9.0, 6.625], [1, 8])
    w = kpi_series(store, mttr.id, granularity="week", n=3, today=dt.date(2026, 3, 25))
    assert (w.periods, w.values) == (["2026-W10", "2026-W11", "2026-W12"], [3.0, 5.0, 8.0])
    assert w.starts[1] == MONTH_STARTS["2026-03"] + 8 * 86400  # Monday 2026-03-09
    p3 = kpi_series(store, mttr.id, segment="P3", n=3, today=TODAY)
    assert (p3.segment, p3.values, p3.counts) == ("P3", [6.0, 12.0, 4.0], [2, 2, 2])
    p1 = _kpi(store, "MTTR P1", segment="P1")
    assert kpi_series(store, p1.id, n=3, today=TODAY).values == [None, None, 1.0]
    assert kpi_series(store, p1.id, segment="", n=3, today=TODAY).values == [6.0, 12.0, 4.25]


def test_each_period_is_judged_by_the_target_in_force_at_its_end(store, mttr):
    # The KPI's target row moved back to 2020; a tighter target (4 h, triggered above 5) from
    # 2026-03-31 23:00, within March: March is judged by it, February by the old one.
    with store.write() as s:
        row = s.query(KpiTarget).filter_by(kpi_id=mttr.id).one()
        row.valid_from, row.valid_to = dt.datetime(2020, 1, 1), dt.datetime(2026, 3, 31, 23)
        s.add(KpiTarget(kpi_id=mttr.id, segment="", target_value=4.0, trigger_kind="ceiling", trigger_value=5.0,
                        valid_from=dt.datetime(2026, 3, 31, 23), valid_to=None))
    s = kpi_series(store, mttr.id, n=3, today=TODAY)
    assert s.targets == [5.0, 5.0, 4.0]
    assert s.trigger_high == [10.0, 10.0, 5.0]
    assert s.statuses == ["off_target", "triggered", "off_target"]  # 4.25: over 4, not over 5
    assert (s.target, s.threshold) == (4.0, (None, 5.0))  # the last period's


def test_labels_scopes_and_the_team_median(store, ids, mttr):
    ann = f"technician:{ids['Ann']}"
    assert kpi_series(store, mttr.id, ann, n=3, today=TODAY, label="Ann B.").scope_label == "Ann B."
    assert kpi_series(store, mttr.id, f"team:{ids['Desk']}", n=1, today=TODAY).scope_label == "team Desk"
    group = kpi_series(store, mttr.id, "group:Network", n=3, today=TODAY)
    assert (group.scope_label, group.values) == ("group Network", [2.0, 20.0, None])
    mine = kpi_series(store, mttr.id, ann, n=4, today=TODAY, compare_team=True)
    assert mine.values == [None, 6.0, 4.0, 4.0]
    # Team Desk is Ann and Bob (Cy's 1 h in March is team Infra's): December none, January Ann's 6
    # alone, February median(4, 20), March median(4, 8).
    assert mine.team_median == [None, 6.0, 12.0, 6.0]
    # In P3 Bob's March ticket (P2) is out: March is Ann's 4 alone.
    assert kpi_series(store, mttr.id, ann, "P3", n=3, today=TODAY, compare_team=True).team_median == [6.0, 12.0, 4.0]
    assert kpi_series(store, mttr.id, ann, n=3, today=TODAY).team_median is None
    assert kpi_series(store, mttr.id, "desk", n=3, today=TODAY, compare_team=True).team_median is None
    assert kpi_series(store, mttr.id, f"technician:{ids['Dee']}", n=3, today=TODAY,
                      compare_team=True).team_median is None  # no team
    typed = store.create_kpi(KpiRecord(name="Typed hours", unit="hours", direction="lower"))[0]
    assert kpi_series(store, typed.id, ann, n=3, today=TODAY, compare_team=True).team_median is None


def test_default_periods_epoch_back_and_the_year_before():
    assert [p.key for p in default_periods("month", 1, TODAY)] == ["2026-03"]
    assert [p.key for p in default_periods("quarter", 3, TODAY)] == ["2025-Q3", "2025-Q4", "2026-Q1"]
    this_month = period_containing(dt.date.today(), "month")
    assert default_periods("month", 2) == [this_month.previous().previous(), this_month.previous()]
    assert epoch(dt.date(1970, 1, 2)) == 86400.0 and epoch(dt.date(2026, 1, 1)) == MONTH_STARTS["2026-01"]
    march = parse_period("2026-03")
    assert _back(march, 1) == march and _back(march, 3).key == "2026-01"
    assert year_before(march).key == "2025-03"
    assert year_before(parse_period("2026-Q1")).key == "2025-Q1"
    assert year_before(parse_period("2026-W10")).key == "2025-W10"  # 52 weeks back
    # 2026 has 53 ISO weeks and 2025 52: 52 weeks before 2026-W53 is 2026-W01.
    assert year_before(parse_period("2026-W53")).key == "2026-W01"


# ------------------------------------------------------------------ speed against quality

def test_speed_against_quality_per_technician_by_name_with_the_medians(store, ids):
    data = speed_quality(store, "2026-03")
    assert data.period == "2026-03"
    got = [dataclasses.astuple(p) for p in data.points]
    # The mix: the desk's P3 tickets of 2025-10..2026-03 (9, 2, 10, 4, 20, 3, 5: 7 of them, 53 h)
    # give Ann's two P3 tickets 53/7 h each. Bob and Cy each resolved one: fewer than 2, not judged.
    assert got == [
        (ids["Ann"], "Ann", ids["Desk"], 2, 4.0, 1.0, 1.0, 4.0, False, pytest.approx(28 / 53), pytest.approx(53 / 7)),
        (ids["Bob"], "Bob", ids["Desk"], 1, 8.0, 1.0, 1.0, 2.0, False, None, None),
        (ids["Cy"], "Cy", ids["Infra"], 1, 1.0, 1.0, 1.0, None, True, None, None),
    ]
    assert data.medians == {"mttr_hours": 4.0, "fcr_rate": 1.0, "sla_compliance": 1.0, "csat_mean": 3.0,
                            "mix_ratio": pytest.approx(28 / 53)}
    infra = speed_quality(store, parse_period("2026-03"), team_id=ids["Infra"])
    assert [p.name for p in infra.points] == ["Cy"]
    assert infra.medians == {"mttr_hours": 1.0, "fcr_rate": 1.0, "sla_compliance": 1.0, "csat_mean": None,
                             "mix_ratio": None}
    empty = speed_quality(store, "2025-12")
    assert empty.points == [] and set(empty.medians.values()) == {None} and len(empty.medians) == 5


def test_a_technician_at_exactly_the_minimum_count_is_judged_and_one_below_is_not(store, ids):
    store.set_setting("min_count", 3)
    assert [p.mix_ratio for p in speed_quality(store, "2026-03").points] == [None, None, None]
    store.set_setting("min_count", 1)
    ratios = {p.name: p.mix_ratio for p in speed_quality(store, "2026-03").points}
    # Bob's P2 and Cy's P1 ticket are alone in their priority: the whole desk's mean, 62/9 h.
    assert ratios == {"Ann": pytest.approx(28 / 53), "Bob": pytest.approx(8 / (62 / 9)),
                      "Cy": pytest.approx(1 / (62 / 9))}


# ------------------------------------------------------------------ dashboard cards

@pytest.fixture
def more_kpis(store, ids, mttr):
    """An entered team KPI (desk values, and a project's), one with a value a year ago only, a
    quarterly P3 MTTR and a formula."""
    uptime = store.create_kpi(KpiRecord(name="Uptime", unit="%", direction="higher", target_value=99,
                                        cadence="monthly", level="team"))[0]
    old = store.create_kpi(KpiRecord(name="Old survey", unit="points", cadence="monthly"))[0]
    store.add_measurements([MeasurementRecord(uptime.id, "desk", "2026-03", 99.5),
                            MeasurementRecord(uptime.id, "project:Alpha", "2026-02", 97.0, count=3),
                            MeasurementRecord(old.id, "desk", "2025-03", 50.0)])
    quarterly = _kpi(store, "MTTR P3 by quarter", segment="P3", cadence="quarterly")
    doubled = store.create_kpi(KpiRecord(name="MTTR doubled", unit="hours", direction="lower",
                                         value_source="formula", formula="[MTTR] * 2", cadence="monthly"))[0]
    return {"uptime": uptime, "old": old, "quarterly": quarterly, "doubled": doubled}


def _by_name(cards: list[KpiCard]) -> dict[str, KpiCard]:
    return {c.name: c for c in cards}


def test_the_desk_cards_show_the_last_full_period_of_each_cadence(store, mttr, more_kpis):
    cards = dashboard_cards(store, today=TODAY)
    assert [c.name for c in cards] == ["MTTR", "MTTR P3 by quarter", "MTTR doubled", "Uptime"]  # not Old survey
    c = _by_name(cards)["MTTR"]
    assert (c.kpi_id, c.unit, c.direction) == (mttr.id, "hours", "lower")
    assert (c.period, c.value, c.count) == ("2026-03", 4.25, 4)
    assert (c.status, c.target, c.band, c.trend, c.few, c.rated) == ("on_target", 5.0, None, "improving", False, True)
    assert c.sparkline == [None, 30.0, 9.0, None, None, 6.0, 12.0, 4.25]  # 2025-08 .. 2026-03
    assert c.slope == pytest.approx(-13 / 28)
    assert (c.metric, c.previous, c.year_ago) == ("mttr_hours", ("2026-02", 12.0), ("2025-03", 7.0))
    assert (c.bands, c.mix) == (False, "")
    assert c.signal == SIGNALS["on_target"]
    assert c.trend_words == "\u2193 falling, better"
    assert c.change_words(None) == ""
    assert c.change_words(c.previous) == "\u2193 7.8 h better than 2026-02"
    assert c.change_words(c.year_ago) == "\u2193 2.8 h better than 2025-03"
    up = _by_name(cards)["Uptime"]
    assert (up.value, up.count, up.status, up.rated, up.metric, up.few) == (99.5, None, "on_target", False, "", False)
    assert up.previous == ("2026-02", None) and up.year_ago == ("2025-03", None)
    q = _by_name(cards)["MTTR P3 by quarter"]
    # P3 in 2026-Q1: 2, 10, 4, 20, 3, 5 = 44 h of 6; 2025-Q1: 7 of 1; 2025-Q3 30, 2025-Q4 9.
    assert (q.period, q.value, q.count, q.year_ago) == ("2026-Q1", pytest.approx(44 / 6), 6, ("2025-Q1", 7.0))
    assert q.sparkline == [None, None, None, 7.0, None, 30.0, 9.0, pytest.approx(44 / 6)]
    assert _by_name(cards)["MTTR doubled"].value == 8.5


def test_a_period_n_spark_and_only_choose_the_cards(store, mttr, more_kpis):
    # The end of 2026-03 is 2026-04-01: the last full month by then is March, the last quarter Q1.
    cards = _by_name(dashboard_cards(store, "desk", "2026-03", n_spark=3))
    assert cards["MTTR"].period == "2026-03" and cards["MTTR"].sparkline == [6.0, 12.0, 4.25]
    assert cards["MTTR P3 by quarter"].sparkline == [30.0, 9.0, pytest.approx(44 / 6)]
    feb = _by_name(dashboard_cards(store, "desk", parse_period("2026-02"), today=TODAY))
    assert (feb["MTTR"].period, feb["MTTR"].value, feb["MTTR"].previous) == ("2026-02", 12.0, ("2026-01", 6.0))
    assert feb["MTTR P3 by quarter"].period == "2025-Q4"
    one = dashboard_cards(store, "desk", today=TODAY, n_spark=1, only=mttr.id)
    assert [(c.name, c.sparkline, c.previous) for c in one] == [("MTTR", [4.25], None)]
    this_month = period_containing(dt.date.today(), "month")
    assert dashboard_cards(store, only=mttr.id)[0].period == this_month.previous().key


def test_which_scope_gets_which_card(store, ids, mttr, more_kpis):
    project = dashboard_cards(store, "project:Alpha", today=TODAY)
    assert [(c.name, c.value, c.previous) for c in project] == [("Uptime", None, ("2026-02", 97.0))]
    assert [c.name for c in dashboard_cards(store, "group:Network", today=TODAY)] == [
        "MTTR", "MTTR P3 by quarter", "MTTR doubled"]
    assert _by_name(dashboard_cards(store, "group:Network", today=TODAY))["MTTR"].previous == ("2026-02", 20.0)
    team = _by_name(dashboard_cards(store, f"team:{ids['Desk']}", today=TODAY))
    assert list(team) == ["MTTR", "MTTR P3 by quarter", "MTTR doubled"]
    assert team["MTTR"].value == pytest.approx(16 / 3) and team["MTTR"].mix == ""


def test_a_technicians_cards_grey_at_fewer_than_the_minimum_and_carry_the_mix(store, ids, mttr, more_kpis):
    ann = _by_name(dashboard_cards(store, f"technician:{ids['Ann']}", today=TODAY))
    assert list(ann) == ["MTTR", "MTTR P3 by quarter", "MTTR doubled"]
    a = ann["MTTR"]
    assert (a.value, a.count, a.few, a.previous, a.year_ago) == (4.0, 2, False, ("2026-02", 4.0), ("2025-03", 7.0))
    assert a.sparkline == [None] * 5 + [6.0, 4.0, 4.0] and a.slope == pytest.approx(-1.0)
    assert a.mix == "Expected 7.6 h for this mix: 0.53\u00d7, faster"
    assert ann["MTTR P3 by quarter"].mix == "" and ann["MTTR P3 by quarter"].value == pytest.approx(24 / 5)
    bob = _by_name(dashboard_cards(store, f"technician:{ids['Bob']}", today=TODAY))["MTTR"]
    assert (bob.value, bob.count, bob.few) == (8.0, 1, True)  # one ticket, two needed
    assert bob.signal == SIGNALS["few"]
    assert bob.mix == "Expected 6.9 h for this mix: 1.16\u00d7, too few to judge"
    dee = _by_name(dashboard_cards(store, f"technician:{ids['Dee']}", today=TODAY))["MTTR"]
    assert (dee.value, dee.count, dee.few, dee.status, dee.mix) == (None, None, False, None, "")
    assert (dee.trend, dee.trend_words) == ("unknown", trend_phrase(None, None))


def test_a_kpi_judged_in_bands_says_so_on_its_card(store, ids):
    k = store.create_kpi(KpiRecord(name="Band MTTR", unit="hours", direction="lower", value_source="computed",
                                   metric="mttr_hours", cadence="monthly", target_value=5, bands=True,
                                   trigger_kind="ceiling", trigger_value=10))[0]
    c = dashboard_cards(store, today=TODAY, only=k.id)[0]
    assert c.bands is True and c.signal.word == "On target"
    assert kpi_series(store, k.id, n=1, today=TODAY).bands is True


# ------------------------------------------------------------------ every scope at once

SCOPES = ("desk", "project:Alpha", "group:Network")


def _same(a: KpiCard, b: KpiCard) -> None:
    for f in dataclasses.fields(KpiCard):
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert x == (pytest.approx(y) if isinstance(y, float) else y), (a.name, f.name, x, y)


@pytest.mark.parametrize("period", [None, "2026-02"])
def test_every_scope_read_at_once_equals_each_scope_alone(store, ids, mttr, more_kpis, period):
    recompute(store, today=TODAY)
    scopes = [*SCOPES, f"team:{ids['Desk']}", f"team:{ids['Infra']}",
              *(f"technician:{ids[n]}" for n in ("Ann", "Bob", "Cy", "Dee"))]
    batch = cards_for_scopes(store, scopes, period, today=TODAY)
    assert list(batch) == scopes
    for scope in scopes:
        live = dashboard_cards(store, scope, period, today=TODAY)
        assert [c.name for c in batch[scope]] == [c.name for c in live], scope
        for a, b in zip(batch[scope], live):
            _same(a, b)
    assert [c.name for c in batch["project:Alpha"]] == ["Uptime"]
    ann = _by_name(batch[f"technician:{ids['Ann']}"])["MTTR"]
    if period is None:
        assert (ann.value, ann.mix) == (4.0, "Expected 7.6 h for this mix: 0.53\u00d7, faster")
        assert _by_name(batch["desk"])["MTTR doubled"].value == 8.5
    else:
        assert (ann.period, ann.value, ann.previous) == ("2026-02", 4.0, ("2026-01", 6.0))


def test_the_cards_at_once_with_a_short_sparkline_and_nothing_stored(store, ids, mttr):
    assert cards_for_scopes(store, ["desk"], "2026-03", n_spark=2)["desk"][0].sparkline == [None, None]
    recompute(store, today=TODAY)
    c = cards_for_scopes(store, ["desk"], "2026-03", n_spark=2)["desk"][0]
    assert (c.period, c.sparkline, c.previous, c.year_ago) == ("2026-03", [12.0, 4.25], ("2026-02", 12.0),
                                                              ("2025-03", 7.0))
    this_month = period_containing(dt.date.today(), "month")
    assert cards_for_scopes(store, ["desk"])["desk"][0].period == this_month.previous().key
    assert cards_for_scopes(store, []) == {}


# ------------------------------------------------------------------ the store read once

def test_the_store_read_once_answers_from_what_it_read_and_asks_the_store_for_the_rest(store, ids, mttr,
                                                                                      monkeypatch):
    once = _ReadOnce(store)
    assert [k.id for k in once.kpis] == [mttr.id]
    assert once.get_kpi(mttr.id) is once.kpis[0]
    later = _kpi(store, "Later")
    assert once.get_kpi(later.id).name == "Later"  # made after the read: asked of the store
    with pytest.raises(NotFound):
        once.get_kpi(9999)
    assert [t.target_value for t in once.target_history(mttr.id)] == [5.0]
    assert once.target_history(9999) == []
    asked = []
    real = store.get_setting
    monkeypatch.setattr(store, "get_setting", lambda key: asked.append(key) or real(key))
    assert once.get_setting("min_count") == 2 and once.get_setting("min_count") == 2
    assert asked == ["min_count"]
    assert once.list_teams() == store.list_teams()
    assert [k.name for k in series_module._ReadOnce(once._store).kpis] == ["Later", "MTTR"]
