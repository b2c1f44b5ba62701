"""Edges of a KPI's status (kpidesk/metrics/status.py, issue 20): a target met exactly, a trigger at
exactly X % worse than the baseline and just past it, floors and ceilings at their value, bands at
their edges, the target in force at the last moment of a period. Limits worked out by hand."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.metrics.status import (STATUSES, fmt, judge, judge_period, kpi_status, rule_text, target_for,
                                   trigger_limits)
from kpidesk.periods import parse_period
from kpidesk.records import KpiRecord, TargetRecord

EPS = 1e-9


def target(value=None, kind=None, trig=None, band=(None, None), segment="", valid_from=dt.datetime(2020, 1, 1),
           valid_to=None) -> TargetRecord:
    return TargetRecord(kpi_id=1, segment=segment, target_value=value, band_low=band[0], band_high=band[1],
                        trigger_kind=kind, trigger_value=trig, valid_from=valid_from, valid_to=valid_to)


def kpi(direction, baseline=None, unit="hours", **more) -> KpiRecord:
    return KpiRecord(name="k", direction=direction, baseline_value=baseline, unit=unit, **more)


def status(direction, value, t, baseline=None):
    return judge(kpi(direction, baseline), value, t).status


def test_the_statuses():
    assert STATUSES == ("on_target", "off_target", "triggered")


# ---------------------------------------------------------------- relative triggers: exactly 10 % worse

def test_lower_is_better_triggers_only_past_10_percent_worse():
    # baseline 20 h, 10 %: the line is 20 + 2 = 22 h. 22 is not past it; 22 + a hair is.
    assert trigger_limits("lower", "relative", 10, 20) == (None, 22.0)
    t = target(18, "relative", 10)
    assert status("lower", 22.0, t, 20) == "off_target"
    assert status("lower", 22.0 + EPS * 1000, t, 20) == "triggered"
    assert status("lower", 21.999, t, 20) == "off_target"
    assert status("lower", 18.0, t, 20) == "on_target"  # the target met exactly
    assert status("lower", 18.001, t, 20) == "off_target"


def test_higher_is_better_triggers_only_past_10_percent_worse():
    # baseline 80 %, 10 %: the line is 80 - 8 = 72. 72 is not past it; just under is.
    assert trigger_limits("higher", "relative", 10, 80) == (72.0, None)
    t = target(85, "relative", 10)
    assert status("higher", 72.0, t, 80) == "off_target"
    assert status("higher", 72.0 - EPS * 1000, t, 80) == "triggered"
    assert status("higher", 85.0, t, 80) == "on_target"  # the target met exactly
    assert status("higher", 84.999, t, 80) == "off_target"


def test_relative_margin_is_a_share_of_the_baseline():
    # 25 % of 40 = 10; 5 % of 40 = 2; 150 % of 4 = 6
    assert trigger_limits("lower", "relative", 25, 40) == (None, 50.0)
    assert trigger_limits("higher", "relative", 5, 40) == (38.0, None)
    assert trigger_limits("lower", "relative", 150, 4) == (None, 10.0)
    # a negative baseline (a budget variance of -20 %): the margin is 10 % of its size, 2
    assert trigger_limits("lower", "relative", 10, -20) == (None, -18.0)
    assert trigger_limits("higher", "relative", 10, -20) == (-22.0, None)
    assert trigger_limits("lower", "relative", 10, 0) == (None, 0.0)


def test_a_band_triggers_past_its_edges_by_the_margin():
    # band 70..85, baseline 80, 10 %: margin 8, triggered below 62 or above 93
    assert trigger_limits("band", "relative", 10, 80, (70, 85)) == (62.0, 93.0)
    t = target(None, "relative", 10, band=(70, 85))
    assert [status("band", v, t, 80) for v in (62.0, 61.999, 93.0, 93.001, 70.0, 69.999, 85.0, 85.001)] == [
        "off_target", "triggered", "off_target", "triggered", "on_target", "off_target", "on_target", "off_target"]
    # a band KPI without a band: the margin around the baseline itself
    assert trigger_limits("band", "relative", 10, 80) == (72.0, 88.0)
    assert trigger_limits("band", "relative", 10, 80, None) == (72.0, 88.0)


def test_triggers_that_cannot_fire():
    assert trigger_limits("lower", None, 10, 20) == (None, None)
    assert trigger_limits("lower", "relative", None, 20) == (None, None)
    assert trigger_limits("lower", "relative", 10, None) == (None, None)  # no baseline yet
    assert trigger_limits("higher", "relative", 10, None, (1, 2)) == (None, None)


# ---------------------------------------------------------------- floors and ceilings at their value

def test_floor_and_ceiling_at_their_value():
    assert trigger_limits("higher", "floor", 60, 80) == (60, None)
    assert trigger_limits("lower", "ceiling", 40, 20) == (None, 40)
    assert trigger_limits("lower", "floor", 5, None) == (5, None)  # no baseline needed
    assert trigger_limits("higher", "ceiling", 99, None) == (None, 99)
    floor = target(75, "floor", 60)
    assert [status("higher", v, floor) for v in (60.0, 59.999, 75.0, 74.999)] == [
        "off_target", "triggered", "on_target", "off_target"]
    ceiling = target(30, "ceiling", 40)
    assert [status("lower", v, ceiling) for v in (40.0, 40.001, 30.0, 30.001)] == [
        "off_target", "triggered", "on_target", "off_target"]


def test_a_value_past_the_trigger_is_triggered_even_inside_the_target():
    # a floor above the target (set that way by hand): below the floor is triggered first
    assert status("higher", 70, target(60, "floor", 75)) == "triggered"
    assert status("lower", 50, target(60, "ceiling", 45)) == "triggered"


def test_band_status_without_trigger_and_without_band():
    assert status("band", 70, target(None, band=(70, 85))) == "on_target"
    assert status("band", 69.9, target(None, band=(70, 85))) == "off_target"
    assert status("band", 86, target(None, band=(70, 85))) == "off_target"
    assert status("band", 75, target(80)) is None  # a band KPI with only a target value: nothing to judge
    assert status("band", 75, target(None, band=(70, None))) is None  # half a band is no band
    assert status("higher", 75, target(None, band=(70, 85))) is None  # a band on a higher KPI: no target


def test_the_judgement_carries_what_it_judged_by():
    j = judge(kpi("lower", 20), 23, target(18, "relative", 10))
    assert (j.status, j.target, j.band, j.limits) == ("triggered", 18, None, (None, 22.0))
    assert j.rule == "more than 10 % worse than the baseline 20 hours (above 22 hours)"
    j = judge(kpi("band", 80), 50, target(None, "relative", 10, band=(70, 85)))
    assert (j.band, j.limits) == ((70, 85), (62.0, 93.0))
    j = judge(kpi("band", 80), None, target(None, "relative", 10, band=(70, 85)))
    assert (j.status, j.band, j.limits) == (None, (70, 85), (62.0, 93.0))
    j = judge(kpi("lower", 20), None, target(18, "ceiling", 30))
    assert (j.status, j.target, j.limits, j.rule) == (None, 18, (None, 30), "above the ceiling of 30 hours")
    j = judge(kpi("lower"), 5, None)
    assert (j.status, j.target, j.band, j.limits, j.rule) == (None, None, None, (None, None), "")


# ---------------------------------------------------------------- the target in force

def test_target_for_takes_the_one_in_force_half_open():
    a = target(10, valid_from=dt.datetime(2026, 1, 1), valid_to=dt.datetime(2026, 3, 1))
    b = target(20, valid_from=dt.datetime(2026, 3, 1))
    h = [a, b]
    assert target_for(h, dt.datetime(2026, 2, 28, 23, 59, 59)) is a
    assert target_for(h, dt.datetime(2026, 3, 1, 0, 0, 0)) is b  # valid_to is not in a's time
    assert target_for(h, dt.datetime(2026, 1, 1, 0, 0, 0)) is a  # valid_from is
    assert target_for(h, dt.datetime(2025, 6, 1)) is a  # before the first: the first
    assert target_for(h, dt.datetime(2030, 1, 1)) is b
    assert target_for([], dt.datetime(2026, 1, 1)) is None
    # at the very end of a target with none after it in force: no target (valid_to is not its time)
    later = target(30, valid_from=dt.datetime(2026, 4, 1))
    assert target_for([a, later], dt.datetime(2026, 3, 1, 0, 0, 0)) is None
    assert target_for([a, later], dt.datetime(2026, 2, 28, 23, 59, 59)) is a
    # a target replaced the instant it was set (valid_from == valid_to) is never in force, not even then
    blink = target(5, valid_from=dt.datetime(2026, 5, 1), valid_to=dt.datetime(2026, 5, 1))
    assert target_for([blink], dt.datetime(2026, 5, 1)) is None
    assert target_for([blink], dt.datetime(2026, 4, 30, 23, 59, 59)) is blink  # before the first: the first


def test_target_for_takes_the_segments_own_then_the_kpi_wide_one():
    wide = target(10, valid_from=dt.datetime(2026, 1, 1))
    p1 = target(4, segment="P1", valid_from=dt.datetime(2026, 2, 1))
    h = [wide, p1]
    assert target_for(h, dt.datetime(2026, 3, 1), "P1") is p1
    assert target_for(h, dt.datetime(2026, 1, 15), "P1") is p1  # before P1's first: P1's first
    assert target_for(h, dt.datetime(2026, 3, 1), "P2") is wide  # no P2 target: the KPI-wide one
    assert target_for(h, dt.datetime(2026, 3, 1)) is wide
    assert target_for([p1], dt.datetime(2026, 3, 1)) is None  # KPI-wide asked, only a segment's
    # a gap in the history (ended, none after): the KPI-wide one after it is looked up, then none
    ended = target(7, segment="P3", valid_from=dt.datetime(2026, 1, 1), valid_to=dt.datetime(2026, 2, 1))
    assert target_for([ended, wide], dt.datetime(2026, 3, 1), "P3") is wide
    assert target_for([ended], dt.datetime(2026, 3, 1), "P3") is None
    # two rows in force: the later one in the list wins
    x, y = target(1, valid_from=dt.datetime(2026, 1, 1)), target(2, valid_from=dt.datetime(2026, 1, 1))
    assert target_for([x, y], dt.datetime(2026, 5, 1)) is y
    # before the first: the earliest of the segment's, wherever it is in the list
    late, early = target(1, valid_from=dt.datetime(2026, 6, 1)), target(2, valid_from=dt.datetime(2026, 4, 1),
                                                                      valid_to=dt.datetime(2026, 6, 1))
    assert target_for([late, early], dt.datetime(2026, 1, 1)) is early


def test_a_period_is_judged_by_the_target_in_force_at_its_last_moment():
    march = parse_period("2026-03")
    k = kpi("lower")
    old = target(10, valid_from=dt.datetime(2026, 1, 1), valid_to=dt.datetime(2026, 4, 1))
    new = target(20, valid_from=dt.datetime(2026, 4, 1))  # starts at 00:00:00 the day after March
    assert judge_period(k, [old, new], march, 15).status == "off_target"  # judged by 10
    late = target(10, valid_from=dt.datetime(2026, 1, 1), valid_to=dt.datetime(2026, 3, 31, 23, 59, 59))
    last = target(20, valid_from=dt.datetime(2026, 3, 31, 23, 59, 59))  # in force at March's last second
    assert judge_period(k, [late, last], march, 15).status == "on_target"  # judged by 20
    edge = target(20, valid_from=dt.datetime(2026, 3, 31, 23, 59, 59, 999999))  # its last microsecond
    assert judge_period(k, [late, edge], march, 15).target == 20


def test_judge_period_uses_the_kpis_segment_unless_told():
    h = [target(10), target(30, segment="P1")]
    march = parse_period("2026-03")
    assert judge_period(kpi("lower", segment="P1"), h, march, 20).status == "on_target"  # by P1's 30
    assert judge_period(kpi("lower", segment="P1"), h, march, 20, "").status == "off_target"  # by 10
    assert judge_period(kpi("lower"), h, march, 20, "P1").status == "on_target"


def test_a_kpi_without_target_rows_is_judged_by_its_own_fields():
    march = parse_period("2026-03")
    own = kpi("lower", 20, target_value=18.0, trigger_kind="relative", trigger_value=10.0)
    j = judge_period(own, [], march, 22.5)
    assert (j.status, j.target, j.limits) == ("triggered", 18.0, (None, 22.0))
    assert judge_period(kpi("lower", target_value=18.0), [], march, 18).status == "on_target"
    trig_only = kpi("lower", 20, trigger_kind="ceiling", trigger_value=30.0)
    assert judge_period(trig_only, [], march, 31).status == "triggered"
    band = kpi("band", band_low=1.0, band_high=2.0)
    assert judge_period(band, [], march, 1.5).band == (1.0, 2.0)
    assert judge_period(kpi("lower"), [], march, 5).status is None


def test_kpi_status_judges_the_segment_asked_for(store):
    rec, _ = store.create_kpi(KpiRecord(name="MTTR", unit="hours", direction="lower", cadence="monthly"))
    store.set_segment_target(rec.id, "", target_value=30.0, valid_from=dt.datetime(2026, 1, 1))
    store.set_segment_target(rec.id, "P1", target_value=4.0, valid_from=dt.datetime(2026, 1, 1))
    march = parse_period("2026-03")
    assert kpi_status(store, rec.id, march, 5.0).target == 30.0  # the KPI's own segment ("")
    j = kpi_status(store, rec.id, march, 5.0, "P1")
    assert (j.status, j.target) == ("off_target", 4.0)
    assert kpi_status(store, rec.id, march, 4.0, "P1").status == "on_target"


# ---------------------------------------------------------------- the rule in words

def test_fmt():
    assert fmt(None, "hours") == "-"
    assert fmt(22, "hours") == "22 hours"
    assert fmt(0.123456, "") == "0.1235"
    assert fmt(12.5, " % ") == "12.5 %"
    assert fmt(3, "±%") == "3 %"
    assert fmt(999999, "EUR") == "1e+06 EUR"  # below a million: 4 significant figures
    assert fmt(1_000_000, "EUR") == "1,000,000 EUR"
    assert fmt(-2_500_000.4, "EUR") == "-2,500,000 EUR"


def test_rule_text():
    k = kpi("lower", 24, unit="hours")
    assert rule_text(k, None, 10, (None, None)) == ""
    assert rule_text(k, "relative", None, (None, None)) == ""
    assert rule_text(k, "floor", 60, (60, None)) == "below the floor of 60 hours"
    assert rule_text(k, "ceiling", 40, (None, 40)) == "above the ceiling of 40 hours"
    assert rule_text(k, "relative", 10, (None, 26.4)) == \
        "more than 10 % worse than the baseline 24 hours (above 26.4 hours)"
    assert rule_text(kpi("higher", 80, unit="%"), "relative", 10, (72, None)) == \
        "more than 10 % worse than the baseline 80 % (below 72 %)"
    assert rule_text(kpi("band", 80, unit="%"), "relative", 10, (62, 93)) == \
        "more than 10 % worse than the baseline 80 % (below 62 % or above 93 %)"
    assert rule_text(kpi("lower", None), "relative", 12.5, (None, None)) == \
        "more than 12.5 % worse than the baseline - (no baseline set yet)"
