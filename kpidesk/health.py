"""The KPI health check: what keeps a metric from being a SMART KPI, and what is off in the set.

Messages are plain sentences for the manager; `field` names the form field to look at (or '' for
the set as a whole), so the editor can put the message beside it.
"""
from __future__ import annotations

from dataclasses import dataclass

from kpidesk.models import CATEGORIES
from kpidesk.records import KpiRecord

MAX_TEAM_KPIS = 7
MAX_PROJECT_KPIS = 5
# Categories a small IT shop should not leave blind (DESIGN.md: "whole categories unmeasured").
CORE_CATEGORIES = ("service desk", "infrastructure", "security", "user experience")


@dataclass(frozen=True)
class HealthIssue:
    code: str
    message: str
    field: str = ""
    severity: str = "warning"  # warning | info
    kpi_id: int | None = None


def kpi_health(k: KpiRecord) -> list[HealthIssue]:
    out: list[HealthIssue] = []

    def add(code: str, message: str, field: str, severity: str = "warning") -> None:
        out.append(HealthIssue(code, message, field, severity, k.id))

    # SMART gaps
    if not k.unit.strip():
        add("no_unit", "No unit: say what it is measured in (hours, %, score, count...).", "unit")
    if not k.has_target:
        add("no_target", "No target: without one nobody can tell good from bad.", "target_value")
    if k.target_date is None and not k.target_period.strip():
        add("no_target_date", "No target date or period: a target needs a 'by when'.", "target_date")
    if not k.cadence:
        add("no_cadence", "No review cadence: say how often it is looked at.", "cadence")
    if k.objective_id is None:
        add("no_objective", "No business objective: what goal does it serve?", "objective_id")
    # What promotes a metric to a KPI
    if not k.owner.strip():
        add("no_owner", "No owner: a KPI needs one named person who answers for it.", "owner")
    if not k.has_trigger:
        add("no_trigger", "No review trigger: say when a drift calls for a review.", "trigger_kind")
    if k.has_target and k.baseline_value is None:
        add("target_without_baseline", "A target was set without a baseline: a target without a baseline "
            "is a guess. Set the baseline from past periods.", "baseline_value")
    strict = trigger_before_target(k)
    if strict:
        add("trigger_stricter_than_target", strict, "trigger_value")
    if k.category in ("service desk",) and k.metric == "mttr_hours" and not k.segment and k.paired_kpi_id is None:
        add("unpaired_speed", "MTTR is a speed metric: pair it with first-contact resolution, or speed may "
            "cost quality unseen.", "paired_kpi_id", "info")
    if k.metric == "sla_compliance" and k.paired_kpi_id is None:
        add("unpaired_speed", "SLA compliance is a speed metric: pair it with CSAT.", "paired_kpi_id", "info")
    return out


def trigger_before_target(k: KpiRecord) -> str:
    """A sentence when the trigger fires before the target is even missed (an MTTR trigger at
    18.6 h under a 24 h target): every period on target would still open a review. '' when not."""
    from kpidesk.metrics.status import fmt, trigger_limits

    band = (k.band_low, k.band_high) if k.band_low is not None and k.band_high is not None else None
    lo, hi = trigger_limits(k.direction, k.trigger_kind, k.trigger_value, k.baseline_value, band)
    if k.direction == "lower" and hi is not None and k.target_value is not None and hi < k.target_value:
        return (f"The trigger ({fmt(hi, k.unit)}) is stricter than the target ({fmt(k.target_value, k.unit)}): "
                "a value on target would still open a review. Loosen the trigger or tighten the target.")
    if k.direction == "higher" and lo is not None and k.target_value is not None and lo > k.target_value:
        return (f"The trigger ({fmt(lo, k.unit)}) is stricter than the target ({fmt(k.target_value, k.unit)}): "
                "a value on target would still open a review. Loosen the trigger or tighten the target.")
    if band is not None and ((lo is not None and lo > band[0]) or (hi is not None and hi < band[1])):
        return ("The trigger lies inside the target band: a value in the band would still open a review. "
                "Widen the trigger or narrow the band.")
    return ""


def set_health(kpis: list[KpiRecord]) -> list[HealthIssue]:
    """Checks on the set of KPIs as a whole (metrics that are not yet KPIs do not count)."""
    out: list[HealthIssue] = []
    real = [k for k in kpis if k.is_kpi]
    team = [k for k in real if k.category != "project"]
    project = [k for k in real if k.category == "project"]
    if len(team) > MAX_TEAM_KPIS:
        out.append(HealthIssue("too_many_team", f"{len(team)} KPIs on the team: more than {MAX_TEAM_KPIS} "
                               "dilutes attention. Keep the vital few; demote the rest to metrics."))
    if len(project) > MAX_PROJECT_KPIS:
        out.append(HealthIssue("too_many_project", f"{len(project)} project KPIs: more than "
                               f"{MAX_PROJECT_KPIS} on a project is too many to steer by."))
    if real and not any(k.leading for k in real):
        out.append(HealthIssue("no_leading", "Every KPI is lagging: add a leading one (backlog trend, "
                               "patch compliance...) so problems show before they land."))
    measured = {k.category for k in real}
    missing = [c for c in CORE_CATEGORIES if c not in measured]
    if real and missing:
        out.append(HealthIssue("unmeasured_categories", "Nothing measured for: " + ", ".join(missing) + ".",
                               severity="info"))
    return out


def all_categories() -> tuple[str, ...]:
    return CATEGORIES
