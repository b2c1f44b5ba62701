"""The built-in library of KPI templates (DESIGN.md) and role profile templates.

A template is a ready KPIRecord minus what only the manager knows (owner, target date, baseline):
adding one is two clicks, and the health check then says what is still missing.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from kpidesk.records import Changes, KpiRecord, RoleKpiRecord, RoleProfileRecord

if TYPE_CHECKING:
    from kpidesk.store import Store


def _t(name: str, **kw: object) -> KpiRecord:
    return KpiRecord(name=name, **kw)  # type: ignore[arg-type]


KPI_TEMPLATES: dict[str, KpiRecord] = {
    "mttr": _t("MTTR", description="Mean time to resolve tickets resolved in the period (calendar hours); "
               "median and 90th percentile beside it; always read by priority tier.",
               category="service desk", unit="hours", direction="lower", cadence="monthly",
               value_source="computed", metric="mttr_hours", data_source="helpdesk export",
               measurement_method="resolved_at - created_at, mean over tickets resolved in the period",
               target_value=24.0, trigger_kind="relative", trigger_value=10.0),
    "mttr_p1": _t("MTTR P1", description="MTTR of P1 (critical) tickets only.", category="service desk",
                  unit="hours", direction="lower", cadence="weekly", value_source="computed",
                  metric="mttr_hours", segment="P1", target_value=4.0, trigger_kind="ceiling",
                  trigger_value=6.0, data_source="helpdesk export"),
    "fcr": _t("First-contact resolution", description="Resolved tickets resolved on first contact / "
              "resolved tickets (no reopen and no reassignment where the export has no flag).",
              category="service desk", unit="%", direction="higher", cadence="monthly",
              value_source="computed", metric="fcr_rate", target_value=75.0, trigger_kind="relative",
              trigger_value=10.0, data_source="helpdesk export"),
    "sla": _t("SLA compliance", description="Resolved tickets that met their SLA / resolved tickets with a "
              "known SLA. A team outcome: never used to rate a person.", category="service desk", unit="%",
              direction="higher", cadence="monthly", level="team", value_source="computed",
              metric="sla_compliance", target_value=95.0, trigger_kind="floor", trigger_value=90.0,
              data_source="helpdesk export"),
    "csat": _t("CSAT", description="Mean survey score (1-5) of resolved tickets with one; response rate beside it.",
               category="user experience", unit="score", direction="higher", cadence="monthly",
               value_source="computed", metric="csat_mean", target_value=4.5, trigger_kind="floor",
               trigger_value=4.0, data_source="helpdesk survey"),
    "escalation": _t("Escalation rate", description="Escalated tickets / resolved tickets (flag, else at "
                     "least one reassignment). Not rated for escalation destinations.",
                     category="service desk", unit="%", direction="lower", cadence="monthly",
                     value_source="computed", metric="escalation_rate", target_value=15.0,
                     trigger_kind="relative", trigger_value=20.0, data_source="helpdesk export"),
    "reopen": _t("Reopen rate", description="Tickets reopened at least once / resolved tickets.",
                 category="service desk", unit="%", direction="lower", cadence="monthly",
                 value_source="computed", metric="reopen_rate", target_value=5.0, trigger_kind="ceiling",
                 trigger_value=8.0, data_source="helpdesk export"),
    "backlog": _t("Backlog", description="Tickets open at the end of the period and its change: the "
                  "leading indicator of the set. A team outcome.", category="service desk", unit="tickets",
                  direction="lower", cadence="weekly", level="team", leading=True, value_source="computed",
                  metric="backlog_open", data_source="helpdesk export", trigger_kind="relative",
                  trigger_value=20.0),
    "throughput": _t("Resolved tickets", description="Tickets resolved in the period.", category="service desk",
                     unit="tickets", direction="higher", cadence="weekly", value_source="computed",
                     metric="resolved_count", data_source="helpdesk export"),
    "uptime": _t("Uptime", description="Availability of critical services.", category="infrastructure",
                 unit="%", direction="higher", cadence="monthly", level="team", target_value=99.9,
                 trigger_kind="floor", trigger_value=99.5, data_source="monitoring export"),
    "change_failure": _t("Change failure rate", description="Changes causing an incident or rollback / changes.",
                         category="infrastructure", unit="%", direction="lower", cadence="monthly",
                         level="team", target_value=10.0, trigger_kind="ceiling", trigger_value=15.0),
    "deploy_freq": _t("Deployment frequency", description="Production deployments per week.",
                      category="development", unit="count", direction="higher", cadence="weekly",
                      level="team", leading=True, target_value=5.0),
    "on_time": _t("On-time delivery rate", description="Milestones delivered by their committed date / milestones due.",
                  category="project", unit="%", direction="higher", cadence="monthly", level="team",
                  target_value=90.0, trigger_kind="floor", trigger_value=80.0),
    "budget_variance": _t("Budget variance", description="(Actual - budgeted cost) / budgeted cost; good within ±5 %.",
                          category="financial", unit="±%", direction="band", cadence="monthly", level="team",
                          band_low=-5.0, band_high=5.0),
    "scope_creep": _t("Scope creep index", description="Added scope / baseline scope, in %.", category="project",
                      unit="%", direction="lower", cadence="monthly", level="team", target_value=10.0,
                      leading=True),
    "velocity_variance": _t("Sprint velocity variance", description="Deviation of delivered from planned "
                            "story points; good within ±15 %.", category="development", unit="±%",
                            direction="band", cadence="weekly", level="team", band_low=-15.0, band_high=15.0,
                            leading=True),
    "defect_escape": _t("Defect escape rate", description="Defects found in production / all defects found.",
                        category="development", unit="%", direction="lower", cadence="monthly", level="team",
                        target_value=10.0, trigger_kind="ceiling", trigger_value=15.0),
    "utilisation": _t("Utilisation", description="Billable or planned hours / available hours; healthy within a band.",
                      category="financial", unit="%", direction="band", cadence="monthly", band_low=70.0,
                      band_high=85.0, leading=True),
    "patch_compliance": _t("Patch compliance", description="Endpoints patched within policy / endpoints.",
                           category="security", unit="%", direction="higher", cadence="monthly", level="team",
                           leading=True, target_value=95.0, trigger_kind="floor", trigger_value=90.0),
}

# Speed metric -> its quality counterpart (DESIGN.md).
PAIRS = {"mttr": "fcr", "mttr_p1": "fcr", "sla": "csat"}

ROLE_TEMPLATES: dict[str, tuple[str, list[tuple[str, bool, float]]]] = {
    # name: (description, [(kpi template key, primary, weight)])
    "Service desk L1": ("First-line support: speed with quality on the first contact.",
                        [("mttr", True, 2), ("fcr", True, 2), ("csat", True, 2), ("escalation", True, 1),
                         ("reopen", False, 1), ("throughput", False, 0.5)]),
    "Service desk L2": ("Second-line support: an escalation destination; depth over speed.",
                        [("mttr", True, 2), ("reopen", True, 2), ("csat", True, 2), ("fcr", False, 1)]),
    "Infrastructure": ("Servers, network and changes.",
                       [("mttr_p1", True, 2), ("uptime", True, 2), ("change_failure", True, 1),
                        ("reopen", False, 1)]),
    "Site reliability": ("Availability and safe change.",
                         [("uptime", True, 2), ("change_failure", True, 2), ("mttr_p1", True, 2),
                          ("deploy_freq", False, 1)]),
    "Security": ("Security operations.", [("patch_compliance", True, 2), ("mttr_p1", True, 1), ("csat", False, 1)]),
    "Software engineering": ("Building and shipping software.",
                             [("deploy_freq", True, 1), ("defect_escape", True, 2), ("change_failure", True, 1),
                              ("velocity_variance", False, 1)]),
    "Project delivery": ("Projects on time, on budget, in scope.",
                         [("on_time", True, 2), ("budget_variance", True, 2), ("scope_creep", True, 1),
                          ("utilisation", False, 1)]),
}


def template(key: str) -> KpiRecord:
    return dataclasses.replace(KPI_TEMPLATES[key])


def add_kpi_from_template(store: "Store", key: str, *, owner: str = "", name: str | None = None) -> tuple[KpiRecord, Changes]:
    """Add the template as a KPI (or a plain metric while it has no owner). The name gets a number
    when it is taken, so adding twice never fails."""
    rec = template(key)
    rec.owner = owner
    if rec.trigger_kind == "relative" and rec.baseline_value is None:
        # A relative trigger needs a baseline; it is offered again once "set baseline" has run.
        rec.trigger_kind = rec.trigger_value = None
    base = name or rec.name
    taken = {k.name for k in store.list_kpis()}
    rec.name, n = base, 2
    while rec.name in taken:
        rec.name, n = f"{base} ({n})", n + 1
    pair = PAIRS.get(key)
    if pair:
        paired = store.find_kpi(KPI_TEMPLATES[pair].name)
        rec.paired_kpi_id = paired.id if paired else None
    return store.create_kpi(rec)


def ensure_kpis(store: "Store", keys: list[str], owner: str = "") -> dict[str, int]:
    """Make sure a KPI exists for each template key (matched by name); returns {key: kpi id}."""
    out: dict[str, int] = {}
    for key in keys:
        existing = store.find_kpi(KPI_TEMPLATES[key].name)
        out[key] = existing.id if existing else add_kpi_from_template(store, key, owner=owner)[0].id
    return out


def add_role_template(store: "Store", name: str, owner: str = "") -> tuple[RoleProfileRecord, Changes]:
    desc, items = ROLE_TEMPLATES[name]
    ids = ensure_kpis(store, [k for k, _, _ in items], owner=owner)
    rec = RoleProfileRecord(name=name, description=desc, kpis=[
        RoleKpiRecord(kpi_id=ids[k], primary=primary, weight=w) for k, primary, w in items])
    existing = next((r for r in store.list_role_profiles() if r.name == name), None)
    if existing:
        rec.id = existing.id
    return store.save_role_profile(rec)


def start_with_templates(store: "Store", owner: str = "") -> Changes:
    """'Start empty with the KPI templates': the service-desk core set and the role profiles."""
    for name in ROLE_TEMPLATES:
        add_role_template(store, name, owner=owner)
    return Changes(kpis=True, people=True)
