"""The SMART/health check on one KPI and on the set."""
from __future__ import annotations

from kpidesk.health import kpi_health, set_health
from kpidesk.records import KpiRecord


def codes(issues):
    return {i.code for i in issues}


def good(**kw) -> KpiRecord:
    base = dict(name="FCR", unit="%", target_value=75.0, target_period="2026-Q4", cadence="monthly",
                objective_id=1, owner="Dana", trigger_kind="floor", trigger_value=60.0, baseline_value=70.0,
                category="service desk", leading=False)
    base.update(kw)
    return KpiRecord(**base)


def test_a_complete_kpi_has_no_gaps():
    assert kpi_health(good()) == []


def test_each_gap_is_named():
    k = KpiRecord(name="Bare")
    assert {"no_unit", "no_target", "no_target_date", "no_cadence", "no_objective", "no_owner",
            "no_trigger"} <= codes(kpi_health(k))


def test_target_without_baseline_is_a_guess():
    issues = kpi_health(good(baseline_value=None))
    msg = next(i.message for i in issues if i.code == "target_without_baseline")
    assert "a target without a baseline is a guess" in msg


def test_set_level_checks():
    many = [good(name=f"K{i}") for i in range(8)]
    assert "too_many_team" in codes(set_health(many))
    assert "too_many_team" not in codes(set_health(many[:7]))
    assert "no_leading" in codes(set_health(many[:3]))
    assert "no_leading" not in codes(set_health(many[:2] + [good(name="Backlog", leading=True)]))
    projects = [good(name=f"P{i}", category="project") for i in range(6)]
    assert "too_many_project" in codes(set_health(projects))
    unmeasured = next(i for i in set_health(many[:2]) if i.code == "unmeasured_categories")
    assert "security" in unmeasured.message and "service desk" not in unmeasured.message
    # Plain metrics (no owner) do not count towards the set.
    assert set_health([good(name=f"M{i}", owner="") for i in range(9)]) == []
