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


def test_a_trigger_stricter_than_the_target_is_warned_and_the_demo_has_none(demo_store):
    """Issue 15 (3): an MTTR trigger at 18.6 h under a 24 h target opens a review for months on target."""
    from kpidesk.health import kpi_health
    from kpidesk.records import KpiRecord

    mttr = KpiRecord(name="MTTR", unit="hours", direction="lower", target_value=24.0, baseline_value=16.9,
                     trigger_kind="relative", trigger_value=10.0)
    [issue] = [i for i in kpi_health(mttr) if i.code == "trigger_stricter_than_target"]
    assert "18.59 hours" in issue.message and "24 hours" in issue.message and issue.field == "trigger_value"
    mttr.target_value = 17.0
    assert not [i for i in kpi_health(mttr) if i.code == "trigger_stricter_than_target"]
    fcr = KpiRecord(name="FCR", unit="%", direction="higher", target_value=60.0, trigger_kind="floor",
                    trigger_value=70.0)
    assert [i for i in kpi_health(fcr) if i.code == "trigger_stricter_than_target"]
    assert not [i for k in demo_store.list_kpis() for i in kpi_health(k) if i.code == "trigger_stricter_than_target"]
