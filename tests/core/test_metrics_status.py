"""Status rules, target history and per-segment targets (issue 4)."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.metrics.status import judge, judge_period, kpi_status, trigger_limits
from kpidesk.periods import parse_period
from kpidesk.records import KpiRecord, TargetRecord


def target(value=None, kind=None, trig=None, band=(None, None)) -> TargetRecord:
    return TargetRecord(kpi_id=1, segment="", target_value=value, band_low=band[0], band_high=band[1],
                        trigger_kind=kind, trigger_value=trig, valid_from=dt.datetime(2020, 1, 1), valid_to=None)


def status(direction, value, t, baseline=None):
    return judge(KpiRecord(name="k", direction=direction, baseline_value=baseline), value, t).status


def test_lower_is_better_with_a_ceiling():
    t = target(10, "ceiling", 15)
    assert [status("lower", v, t) for v in (8, 10, 12, 15, 16)] == [
        "on_target", "on_target", "off_target", "off_target", "triggered"]


def test_higher_is_better_with_a_floor():
    t = target(75, "floor", 60)
    assert [status("higher", v, t) for v in (80, 70, 59.9)] == ["on_target", "off_target", "triggered"]


def test_relative_trigger_follows_the_bad_direction():
    # Baseline 20, 10 % worse: above 22 for lower-is-better, below 18 for higher-is-better.
    assert trigger_limits("lower", "relative", 10, 20) == (None, pytest.approx(22))
    assert trigger_limits("higher", "relative", 10, 20) == (pytest.approx(18), None)
    t = target(18, "relative", 10)
    assert [status("lower", v, t, baseline=20) for v in (17, 21, 23)] == ["on_target", "off_target", "triggered"]
    assert status("lower", 50, t, baseline=None) == "off_target"  # no baseline: a relative trigger cannot fire
    assert status("higher", 17.5, target(25, "relative", 10), baseline=20) == "triggered"


def test_band_is_good_inside():
    # Band 70..85, baseline 80, relative 10 %: triggered beyond 70 - 8 = 62 or 85 + 8 = 93.
    t = target(None, "relative", 10, band=(70, 85))
    got = [status("band", v, t, baseline=80) for v in (75, 70, 85, 65, 90, 60, 95)]
    assert got == ["on_target", "on_target", "on_target", "off_target", "off_target", "triggered", "triggered"]
    assert status("band", 90, target(None, None, None, band=(70, 85))) == "off_target"


def test_nothing_to_judge():
    assert status("lower", None, target(10)) is None
    assert status("lower", 5, None) is None


@pytest.fixture
def mttr(store):
    rec, _ = store.create_kpi(KpiRecord(name="MTTR", unit="hours", direction="lower", cadence="monthly",
                                        value_source="computed", metric="mttr_hours"))
    store.set_segment_target(rec.id, "", target_value=30.0, trigger_kind="ceiling", trigger_value=40.0,
                             valid_from=dt.datetime(2026, 1, 1))
    store.set_segment_target(rec.id, "", target_value=20.0, trigger_kind="ceiling", trigger_value=30.0,
                             valid_from=dt.datetime(2026, 4, 1))
    store.set_segment_target(rec.id, "P1", target_value=4.0, trigger_kind="ceiling", trigger_value=6.0,
                             valid_from=dt.datetime(2026, 1, 1))
    return rec


def test_each_period_is_judged_by_the_target_of_its_time(store, mttr):
    feb, may = parse_period("2026-02"), parse_period("2026-05")
    assert kpi_status(store, mttr.id, feb, 25.0).status == "on_target"  # the old target, 30 h
    assert kpi_status(store, mttr.id, feb, 25.0).target == 30.0
    assert kpi_status(store, mttr.id, may, 25.0).status == "off_target"  # the new target, 20 h
    assert kpi_status(store, mttr.id, may, 35.0).status == "triggered"  # the new ceiling, 30 h
    assert kpi_status(store, mttr.id, feb, 35.0).status == "off_target"  # the old ceiling, 40 h
    # Before any target existed, the first one judges (so a KPI set up today colours its history).
    assert kpi_status(store, mttr.id, parse_period("2025-06"), 25.0).target == 30.0


def test_per_segment_target_with_fallback(store, mttr):
    history = store.target_history(mttr.id)
    feb = parse_period("2026-02")
    assert judge_period(mttr, history, feb, 5.0, segment="P1").status == "off_target"  # P1: 4 h target
    assert judge_period(mttr, history, feb, 7.0, segment="P1").status == "triggered"  # P1 ceiling 6 h
    assert judge_period(mttr, history, feb, 25.0, segment="P4").status == "on_target"  # falls back: 30 h
    j = judge_period(mttr, history, feb, 7.0, segment="P1")
    assert j.rule == "above the ceiling of 6 hours"
