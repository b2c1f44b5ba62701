"""Baselines, formula KPIs, plot series and recompute on a hand-made four-month ticket set (issue 4)."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.errors import Cancelled, ValidationError
from kpidesk.metrics.baseline import set_baseline
from kpidesk.metrics.formula import check_formula, parse_formula
from kpidesk.metrics.kpi_values import kpi_values
from kpidesk.metrics.recompute import recompute
from kpidesk.metrics.series import kpi_series, speed_quality
from kpidesk.metrics.engine import period_range
from kpidesk.records import KpiRecord, MeasurementRecord
from tests.core.metrics_tickets import add_tickets, people, ticket

# One ticket a month for Ann, resolved mid-month: 10, 20, 30, 40 hours (Jan..Apr 2026), P3 (24 h SLA).
# First contact: Jan yes, Feb no (reassigned), Mar yes, Apr yes.


@pytest.fixture
def ids(store):
    ids = people(store)
    ann = ids["Ann"]
    add_tickets(store, [
        ticket("2026-01-15 00:00", "2026-01-15 10:00", tech=ann),
        ticket("2026-02-15 00:00", "2026-02-15 20:00", tech=ann, reassignment_count=1),
        ticket("2026-03-15 00:00", "2026-03-16 06:00", tech=ann),
        ticket("2026-04-14 00:00", "2026-04-15 16:00", tech=ann),
    ])
    ids["mttr"] = store.create_kpi(KpiRecord(name="MTTR", unit="hours", direction="lower", cadence="monthly",
                                             value_source="computed", metric="mttr_hours", target_value=24.0,
                                             owner="Dana"))[0].id
    ids["fcr"] = store.create_kpi(KpiRecord(name="FCR", unit="%", direction="higher", cadence="monthly",
                                            value_source="computed", metric="fcr_rate"))[0].id
    return ids


def test_baseline_is_the_mean_of_full_periods_before_the_date(store, ids):
    kpi, _ = set_baseline(store, ids["mttr"], dt.date(2026, 4, 15), periods=3)  # April is not over: Jan-Mar
    assert kpi.baseline_value == pytest.approx(20.0)  # (10 + 20 + 30) / 3
    assert (kpi.baseline_from, kpi.baseline_to, kpi.baseline_periods) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), 3)
    fcr, _ = set_baseline(store, ids["fcr"], dt.date(2026, 4, 1), periods=3)
    assert fcr.baseline_value == pytest.approx(200 / 3)  # 100 %, 0 %, 100 %, in the KPI's unit (%)


def test_baseline_refuses_a_window_without_enough_data(store, ids):
    with pytest.raises(ValidationError, match="only 3 of the 4 full months.*2025-12"):
        set_baseline(store, ids["mttr"], dt.date(2026, 4, 1), periods=4)
    with pytest.raises(ValidationError, match="3 to 6"):
        set_baseline(store, ids["mttr"], dt.date(2026, 4, 1), periods=2)
    assert store.get_kpi(ids["mttr"]).baseline_value is None


def test_formula_kpi_per_period_with_status(store, ids):
    cost = store.create_kpi(KpiRecord(name="Monthly cost", unit="EUR", category="financial"))[0]
    store.create_kpi(KpiRecord(name="Resolved tickets", unit="tickets", value_source="computed",
                               metric="resolved_count"))
    per = store.create_kpi(KpiRecord(name="Cost per ticket", unit="EUR", direction="lower", category="financial",
                                     value_source="formula", formula="[Monthly cost] / [Resolved tickets]",
                                     target_value=800.0, trigger_kind="ceiling", trigger_value=1200.0))[0]
    store.add_measurements([MeasurementRecord(cost.id, "desk", "2026-01", 1000.0),
                            MeasurementRecord(cost.id, "desk", "2026-02", 1500.0)])
    s = kpi_series(store, per.id, first="2026-01", last="2026-03")
    assert s.values == [1000.0, 1500.0, None]  # March has no cost entered
    assert s.statuses == ["off_target", "triggered", None]
    assert s.counts == [1, 1, None]  # the fewest tickets among its inputs


def test_formula_is_parsed_never_evaluated():
    f = parse_formula("([A] + [B]) / 2 - -[A] * 0.5")
    assert f.refs == ("A", "B")
    assert f.evaluate({"A": 4.0, "B": 6.0}) == pytest.approx(7.0)  # 5 + 2
    assert parse_formula("[A] / [B]").evaluate({"A": 1.0, "B": 0.0}) is None
    assert parse_formula("[A] / [B]").evaluate({"A": 1.0}) is None
    for bad in ("__import__('os').system('x')", "[A] ** 2", "[A].real", "[A", "lambda: 1", "[A] if 1 else 2", ""):
        with pytest.raises(ValidationError):
            parse_formula(bad)
    assert check_formula("[A] / [C]", ["A", "B"]) == "no KPI named 'C'"
    assert check_formula("[A] / [B]", ["A", "B"]) is None


def test_formula_refusing_a_cycle(store, ids):
    loop = store.create_kpi(KpiRecord(name="Loop", value_source="formula", formula="[Loop] + 1"))[0]
    with pytest.raises(ValidationError, match="refers back"):
        kpi_values(store, loop, period_range("2026-01", None, "month"))


def test_plot_series_lists(store, ids):
    set_baseline(store, ids["mttr"], dt.date(2026, 4, 1), periods=3)
    s = kpi_series(store, ids["mttr"], f"technician:{ids['Ann']}", first="2026-01", last="2026-04")
    assert s.periods == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert s.starts[0] == 1767225600.0  # 2026-01-01 00:00 UTC
    assert s.values == [pytest.approx(v) for v in (10, 20, 30, 40)] and s.counts == [1, 1, 1, 1]
    assert s.statuses == ["on_target", "on_target", "off_target", "off_target"]  # target 24 h
    assert s.baseline == pytest.approx(20.0) and s.target == 24.0
    assert s.trend == "declining" and s.slope == pytest.approx(10.0)  # MTTR rising is worse
    assert s.projected_period is None
    assert s.rolling[-1] == pytest.approx(30.0)


def test_speed_quality_scatter(store, ids):
    data = speed_quality(store, "2026-02")
    assert [(p.name, p.mttr_hours, p.fcr_rate) for p in data.points] == [("Ann", pytest.approx(20.0), 0.0)]
    assert data.medians["mttr_hours"] == pytest.approx(20.0)


class _Cancel:
    def set_status(self, text): pass
    def set_progress(self, done, total): pass
    def cancelled(self): return True


def test_recompute_stores_computed_values_only(store, ids):
    store.add_measurements([MeasurementRecord(ids["mttr"], "desk", "2026-01", 99.0, source="manual")])
    with pytest.raises(Cancelled):
        recompute(store, progress=_Cancel())
    assert len(store.list_measurements(ids["mttr"])) == 1
    assert recompute(store).measurements
    recompute(store)  # twice: same rows, no duplicates
    got = {(m.scope_key, m.period): (m.value, m.count, m.source) for m in store.list_measurements(ids["mttr"])}
    assert got[("desk", "2026-01")] == (99.0, None, "manual")  # a hand-entered value is kept
    assert got[("desk", "2026-02")] == (pytest.approx(20.0), 1, "computed")
    assert got[(f"technician:{ids['Ann']}", "2026-03")] == (pytest.approx(30.0), 1, "computed")
    assert got[(f"team:{ids['Desk']}", "2026-04")] == (pytest.approx(40.0), 1, "computed")
    assert (f"team:{ids['Infra']}", "2026-04") not in got
    fcr = {(m.scope_key, m.period): m.value for m in store.list_measurements(ids["fcr"])}
    assert fcr[("desk", "2026-02")] == 0.0 and fcr[("desk", "2026-03")] == 100.0  # percentage points
    assert len(got) == 4 * 3  # desk, team Desk, Ann x 4 months (+ the manual one replaces desk Jan)
