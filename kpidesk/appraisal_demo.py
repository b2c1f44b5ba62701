"""Demo check-ins for the last full quarter (issue 6): a signed check-in for most technicians and a
draft for one, so a new user (or HR trying the tool) can export at once.

Call from kpidesk.demo.create_demo after the tickets are written:  add_demo_checkins(store, today)

The check-in core (kpidesk/appraisal) was not there when this was written, so the rows are written
directly, with the frozen numbers computed from the tickets by a few plain aggregates (the same
definitions as DESIGN.md: mean resolution hours, first contact, CSAT mean, escalated, reopened,
resolved count). Once the check-in API exists, this should call it instead.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from kpidesk.models import CheckIn, Technician, Ticket
from kpidesk.periods import Period, last_full_period
from kpidesk.records import Changes

if TYPE_CHECKING:
    from kpidesk.store import Store

MANAGER = "Dana Whitfield"
DRAFT_FOR = "Tom Becker"
TREND = 6
# metric -> (aggregate over tickets, scale to the KPI's unit)
AGGREGATES = {
    "mttr_hours": (func.avg(Ticket.resolution_hours), 1.0),
    "fcr_rate": (func.avg(Ticket.fcr), 100.0),
    "csat_mean": (func.avg(Ticket.csat_score), 1.0),
    "escalation_rate": (func.avg(Ticket.escalated_eff), 100.0),
    "reopen_rate": (func.avg(Ticket.reopened), 100.0),
    "resolved_count": (func.count(Ticket.id), 1.0),
}


def _quarter_values(store: "Store", tech_id: int, metric: str, segment: str, quarters: list[Period]) -> dict[str, float]:
    agg, scale = AGGREGATES[metric]
    q = select(Ticket.resolved_quarter, agg).where(
        Ticket.technician_id == tech_id, Ticket.resolved_quarter.in_([p.key for p in quarters]))
    if segment.startswith("P") and segment[1:].isdigit():
        q = q.where(Ticket.priority_tier == int(segment[1:]))
    with store.read() as s:
        rows = s.execute(q.group_by(Ticket.resolved_quarter)).all()
    return {k: round(float(v) * scale, 2) for k, v in rows if v is not None}


def _rating(value: float | None, target: float | None, direction: str) -> float | None:
    if value is None or target is None or target == 0:
        return None
    ratio = value / target if direction != "lower" else target / max(value, 1e-9)
    return float(min(5, max(1, round(1 + 4 * (ratio - 0.6) / 0.6))))


def _facts(store: "Store", tech: Technician, quarter: Period) -> dict[str, Any]:
    quarters = [quarter]
    while len(quarters) < TREND + 3:
        quarters.insert(0, quarters[0].previous())
    kpis = []
    for rk in tech.role_profile.kpis if tech.role_profile else []:
        k = rk.kpi
        values = _quarter_values(store, tech.id, k.metric, k.segment, quarters) if k.metric in AGGREGATES else {}
        before = [values[p.key] for p in quarters[-TREND - 1:-1] if p.key in values]
        target = rk.target_value if rk.target_value is not None else k.target_value
        kpis.append({"kpi_id": k.id, "name": k.name, "unit": k.unit, "direction": k.direction,
                     "value": values.get(quarter.key), "target": target, "weight": rk.weight,
                     "baseline": round(sum(before) / len(before), 2) if len(before) >= 3 else None,
                     "band": [k.band_low, k.band_high] if k.direction == "band" else None,
                     "rated": k.level != "team" and not (tech.escalation_destination and k.metric == "escalation_rate"),
                     "trend": [[p.key, values.get(p.key)] for p in quarters[-TREND:]]})
    return {"kpis": kpis, "readings": _readings(kpis)}


def _readings(kpis: list[dict[str, Any]]) -> list[str]:
    by = {k["name"]: k for k in kpis}
    speed, quality = by.get("MTTR"), by.get("First-contact resolution")
    if not speed or not quality or None in (speed["value"], speed["baseline"], quality["value"], quality["baseline"]):
        return []
    faster = speed["value"] < speed["baseline"]
    fcr_up = quality["value"] >= quality["baseline"]
    pace = "faster than own baseline" if faster else "slower than own baseline"
    fcr = f"first-contact resolution {'rose' if fcr_up else 'fell'} from {quality['baseline']:.1f} % to {quality['value']:.1f} %"
    verdict = ("efficient" if faster and fcr_up else "speed may be costing quality" if faster
               else "careful: quality holds while speed lags" if fcr_up else "both speed and quality slipped")
    return [f"MTTR {speed['value']:.1f} h, {pace} ({speed['baseline']:.1f} h); {fcr}: {verdict}."]


def add_demo_checkins(store: "Store", today: dt.date | None = None) -> Changes:
    """One check-in per technician with a role profile for the last full quarter before `today`:
    signed (frozen numbers, sign-off dates) for everyone but DRAFT_FOR, whose check-in is a draft."""
    today = today or dt.date.today()
    quarter = last_full_period(today, "quarter")
    signed_at = dt.datetime.combine(min(today, quarter.end + dt.timedelta(days=7)), dt.time(14, 0))
    with store.read() as s:
        techs = [t for t in s.scalars(select(Technician).order_by(Technician.display_name)) if t.role_profile]
        plans = [(t.id, t.display_name, t.role_profile_id, _facts(store, t, quarter)) for t in techs]
    rows = []
    for tech_id, name, role_id, facts in plans:
        draft = name == DRAFT_FOR
        ratings = {str(k["kpi_id"]): {"rating": _rating(k["value"], k["target"], k["direction"]), "comment": ""}
                   for k in facts["kpis"] if k["rated"]}
        rated = [(r["rating"], k["weight"]) for k in facts["kpis"] if (r := ratings.get(str(k["kpi_id"])))
                 and r["rating"] is not None]
        overall = round(sum(r * w for r, w in rated) / sum(w for _, w in rated), 1) if rated else None
        first = name.split()[0]
        data = {"ratings": ratings, "proposed_rating": overall,
                "strengths": f"{first} is dependable with users and keeps ticket notes that others can pick up.",
                "support": "Time with L2 on diagnosis before escalating; the knowledge base course.",
                "goals": [{"text": "Keep first-contact resolution at or above the role target",
                           "kpi": "First-contact resolution", "target": "75.0 %",
                           "due": (quarter.end + dt.timedelta(days=91)).isoformat()}],
                "manager_comment": "A solid quarter; we agreed the focus for the next one.",
                "technician_comment": "" if draft else "Agreed. I would like more P1 work.",
                "summary": "Reliable, with a clear goal for next quarter."}
        if draft:  # a draft keeps its last computed facts; signing would freeze them
            data["facts"] = facts
        rows.append(CheckIn(
            technician_id=tech_id, role_profile_id=role_id, period=quarter.key, version=1,
            status="draft" if draft else "signed", step=6 if not draft else 3, data_json=json.dumps(data),
            frozen_json=None if draft else json.dumps(facts), overall_rating=overall, manager_name=MANAGER,
            manager_signed_at=None if draft else signed_at,
            technician_ack_name="" if draft else name,
            technician_ack_at=None if draft else signed_at + dt.timedelta(hours=2)))
    with store.write() as s:
        s.add_all(rows)
    return Changes(checkins=True)
