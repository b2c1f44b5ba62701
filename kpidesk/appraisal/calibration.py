"""Calibration (issue 17): every technician of a cycle side by side before the ratings are final.

    cal = calibration(store, "2026-Q3")
    cal.rows        # per technician: proposed and overall rating, each KPI's evidence and rating
    cal.flags       # where a rating and its evidence disagree
    cal.distribution
    rec = calibrate(store, checkin_id, kpi_id, 3, "FCR below target two quarters running")

The evidence of a KPI is what the check-in shows (frozen when signed, live for a draft): its value
against its target (kpidesk.signals.judge_line, the rule the check-in uses) and its movement since the
previous period (better / worse / same, in the KPI's direction), with the tickets behind it.

Flags (each with a plain sentence):
- 'high on weak evidence': the top of the scale on a KPI that is off target and got worse;
- 'low on strong evidence': the bottom of the scale on a KPI that is on target and got better;
- 'same evidence, different rating': two people, the same KPI, the same verdict and movement, values
  within SAME_EVIDENCE (5 %) of each other (of the target where there is one), and ratings that
  differ by a point or more.
A change made here is a change to that draft (a KPI rating, or the overall rating as an override),
with its reason kept in the draft's calibration log; a signed check-in refuses it (CheckInLocked).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from kpidesk.appraisal.model import Facts, KpiFact
from kpidesk.errors import ValidationError
from kpidesk.signals import judge_line

if TYPE_CHECKING:
    from kpidesk.appraisal.model import CheckInRecord
    from kpidesk.store import Store

SAME_EVIDENCE = 0.05  # values this close (relative to the target, else to the larger value) are the same evidence


@dataclass
class KpiEvidence:
    kpi_id: int
    name: str
    unit: str
    direction: str
    value: Optional[float]
    target: Optional[float]
    previous: Optional[float]
    count: Optional[int]
    verdict: Optional[str]  # on_target | off_target | None
    movement: Optional[str]  # better | worse | same | None (no previous value)
    rating: Optional[float] = None
    rated: bool = True


@dataclass
class CalibrationRow:
    technician_id: int
    technician: str
    team: str
    state: str
    checkin_id: Optional[int]
    signed: bool
    proposed: Optional[float]
    overall: Optional[float]
    override_reason: str = ""
    tickets: int = 0
    kpis: list[KpiEvidence] = field(default_factory=list)

    def kpi(self, kpi_id: int) -> Optional[KpiEvidence]:
        return next((k for k in self.kpis if k.kpi_id == kpi_id), None)


@dataclass
class Flag:
    kind: str  # high on weak evidence | low on strong evidence | same evidence, different rating
    technician_id: int
    technician: str
    kpi_id: int
    kpi: str
    text: str
    other_id: Optional[int] = None  # the other technician of a 'same evidence' pair


@dataclass
class Calibration:
    period: str
    scale: tuple[int, int]
    rows: list[CalibrationRow]
    flags: list[Flag]

    @property
    def distribution(self) -> dict[str, int]:
        """How many overall ratings fall on each point of the scale (a mean between points goes to the
        nearest), and how many have none yet: {'1': 0, ..., '5': 2, 'none': 3}."""
        low, high = self.scale
        out = {str(p): 0 for p in range(low, high + 1)}
        out["none"] = 0
        for r in self.rows:
            if r.overall is None:
                out["none"] += 1
            else:
                out[str(min(high, max(low, int(r.overall + 0.5))))] += 1
        return out

    def flags_for(self, technician_id: int) -> list[Flag]:
        return [f for f in self.flags if f.technician_id == technician_id or f.other_id == technician_id]

    def to_json(self) -> dict[str, Any]:
        """`kpidesk cycle calibration --json` (a contract: extend, never rename)."""
        return {"period": self.period, "scale": list(self.scale), "distribution": self.distribution,
                "rows": [{"technician": r.technician, "technician_id": r.technician_id, "team": r.team,
                          "state": r.state, "checkin_id": r.checkin_id, "proposed": r.proposed,
                          "overall": r.overall, "override_reason": r.override_reason, "tickets": r.tickets,
                          "kpis": [{"kpi": k.name, "kpi_id": k.kpi_id, "value": k.value, "target": k.target,
                                    "previous": k.previous, "count": k.count, "verdict": k.verdict,
                                    "movement": k.movement, "rating": k.rating, "rated": k.rated}
                                   for k in r.kpis]} for r in self.rows],
                "flags": [{"kind": f.kind, "technician": f.technician, "kpi": f.kpi, "text": f.text}
                          for f in self.flags]}


def movement(value: Optional[float], previous: Optional[float], direction: str) -> Optional[str]:
    """better | worse | same in the KPI's direction; None with no previous value, or for a KPI with
    no better way (a band is judged against its band, not by which way it moved)."""
    if value is None or previous is None or direction not in ("higher", "lower"):
        return None
    if abs(value - previous) < 1e-9:
        return "same"
    return "better" if (value > previous) == (direction == "higher") else "worse"


def evidence(k: KpiFact, period: str, rating: Optional[float]) -> KpiEvidence:
    previous = k.previous(period)
    return KpiEvidence(kpi_id=k.kpi_id, name=k.name, unit=k.unit, direction=k.direction, value=k.value,
                       target=k.target, previous=previous, count=k.count,
                       verdict=judge_line(k.value, k.target, k.direction, k.band), rating=rating, rated=k.rated,
                       movement=movement(k.value, previous, k.direction))


def _ratings(data: dict[str, Any]) -> dict[int, Optional[float]]:
    out: dict[int, Optional[float]] = {}
    for key, entry in (data.get("ratings") or {}).items():
        value = entry.get("rating") if isinstance(entry, dict) else entry
        try:
            out[int(key)] = None if value in (None, "") else float(value)
        except (TypeError, ValueError):
            continue
    return out


def row_for(technician_id: int, technician: str, team: str, state: str, record: "CheckInRecord | None",
            facts: Facts) -> CalibrationRow:
    data = record.data if record else {}
    ratings = _ratings(data)
    return CalibrationRow(technician_id=technician_id, technician=technician, team=team, state=state,
                          checkin_id=record.id if record else None, signed=bool(record and record.signed),
                          proposed=data.get("proposed_rating"), overall=record.overall_rating if record else None,
                          override_reason=str(data.get("override_reason") or "") if data.get("overall_override")
                          is not None else "", tickets=facts.tickets,
                          kpis=[evidence(k, facts.period, ratings.get(k.kpi_id)) for k in facts.kpis])


def _same_evidence(a: KpiEvidence, b: KpiEvidence) -> bool:
    if a.value is None or b.value is None or a.verdict != b.verdict or a.movement != b.movement:
        return False
    scale = abs(a.target) if a.target else max(abs(a.value), abs(b.value))
    return abs(a.value - b.value) <= SAME_EVIDENCE * scale if scale else a.value == b.value


def find_flags(rows: list[CalibrationRow], scale: tuple[int, int]) -> list[Flag]:
    low, high = scale
    flags: list[Flag] = []
    for r in rows:
        for k in r.kpis:
            if not k.rated or k.rating is None:
                continue
            if k.rating >= high and k.verdict == "off_target" and k.movement == "worse":
                flags.append(Flag("high on weak evidence", r.technician_id, r.technician, k.kpi_id, k.name,
                                  f"{r.technician} is rated {k.rating:g} on {k.name}, which is off target and got "
                                  "worse than the period before."))
            elif k.rating <= low and k.verdict == "on_target" and k.movement == "better":
                flags.append(Flag("low on strong evidence", r.technician_id, r.technician, k.kpi_id, k.name,
                                  f"{r.technician} is rated {k.rating:g} on {k.name}, which is on target and got "
                                  "better than the period before."))
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            for ka in a.kpis:
                kb = b.kpi(ka.kpi_id)
                if (kb is None or not (ka.rated and kb.rated) or ka.rating is None or kb.rating is None
                        or abs(ka.rating - kb.rating) < 1 or not _same_evidence(ka, kb)):
                    continue
                flags.append(Flag("same evidence, different rating", a.technician_id, a.technician, ka.kpi_id,
                                  ka.name, f"{ka.name}: {a.technician} and {b.technician} show the same evidence "
                                  f"({_said(ka)} and {_said(kb)}) but are rated {ka.rating:g} and {kb.rating:g}.",
                                  other_id=b.technician_id))
    return flags


def _said(k: KpiEvidence) -> str:
    from kpidesk.units import fmt_value

    verdict = {"on_target": "on target", "off_target": "off target"}.get(k.verdict or "", "no target")
    return f"{fmt_value(k.value, k.unit)}, {verdict}" + (f", {k.movement}" if k.movement else "")


def calibration(store: "Store", period: str | None = None, today: dt.date | None = None) -> Calibration:
    """The cycle's calibration table: every member, their ratings and the evidence, the flags."""
    from kpidesk.appraisal.checkins import facts_of, get_checkin
    from kpidesk.appraisal.cycles import cycle_status
    from kpidesk.appraisal.facts import gather

    status = cycle_status(store, period, today)
    rows = []
    for m in status.members:
        record = get_checkin(store, m.checkin_id) if m.checkin_id else None
        facts = facts_of(store, m.checkin_id) if m.checkin_id else gather(store, m.technician_id, status.period)
        rows.append(row_for(m.technician_id, m.technician, m.team, m.state, record, facts))
    scale = tuple(int(x) for x in (store.get_setting("rating_scale") or (1, 5)))
    return Calibration(period=status.period, scale=scale, rows=rows, flags=find_flags(rows, scale))  # type: ignore[arg-type]


def calibrate(store: "Store", checkin_id: int, kpi_id: Optional[int], rating: Optional[float], reason: str,
              by: str = "", now: dt.datetime | None = None) -> "CheckInRecord":
    """Change one KPI rating (kpi_id) or the overall rating (kpi_id None: an override; None clears it)
    of a draft from the calibration table, with its reason, kept in the draft's calibration log."""
    from kpidesk.appraisal.checkins import get_checkin, save_step

    if not reason.strip():
        raise ValidationError({"reason": "say why the rating changes (it is kept with the check-in)"})
    rec = get_checkin(store, checkin_id)
    data = rec.data
    log = list(data.get("calibration") or [])
    when = (now or dt.datetime.now()).replace(microsecond=0).isoformat(sep=" ")
    if kpi_id is None:
        before = rec.overall_rating
        change: dict[str, Any] = {"overall_override": rating,
                                  "override_reason": reason.strip() if rating is not None else ""}
        what = "overall"
    else:
        ratings = {str(k): dict(v) if isinstance(v, dict) else {"rating": v}
                   for k, v in (data.get("ratings") or {}).items()}
        entry = ratings.setdefault(str(kpi_id), {"rating": None, "comment": ""})
        before = entry.get("rating")
        entry["rating"] = rating
        change = {"ratings": ratings}
        what = str(kpi_id)
    log.append({"at": when, "by": by.strip(), "what": what, "from": before, "to": rating, "reason": reason.strip()})
    change["calibration"] = log
    return save_step(store, checkin_id, rec.step, change)
