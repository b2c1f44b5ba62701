"""The records the appraisal API hands out: a check-in, its facts (the numbers it rests on) and the
progress of last time's goals. Plain dataclasses: safe across threads and sessions, no ORM inside.

Facts serialise to the JSON kept in CheckIn.frozen_json at signing. Its keys are the ones the HR
export reads (kpidesk/export/appraisal_source.py): kpis[] (kpi_id, name, unit, direction, value,
baseline, target, band, weight, rated, note, trend [[period, value]...]), readings[] (each with a
'text'), escalation_reading (text), team_context[] (name, unit, value, previous, note), data_notes[],
context_notes[] (on, until, text, kpi, scope_label, applies_to: the annotations of the period).
KPI numbers are in the KPI's own unit (75.0 means 75 % for a '%' KPI); `figures` (the inputs of the
readings) keep the metric engine's convention (rates as fractions).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional

from kpidesk.appraisal.readings import Reading
from kpidesk.errors import KpiDeskError


class CheckInLocked(KpiDeskError):
    """A signed check-in is read-only: a correction is a new version (appraisal.checkins.correct)."""


@dataclass
class KpiFact:
    """One KPI of the technician's role profile for the check-in's period. `trend` is oldest first
    and ends with this period; `baseline` is the mean of the person's own previous periods."""

    kpi_id: int
    name: str
    unit: str = ""
    direction: str = "higher"
    metric: str = ""
    segment: str = ""
    level: str = "individual"
    value: Optional[float] = None
    count: Optional[int] = None
    baseline: Optional[float] = None
    baseline_periods: int = 0
    target: Optional[float] = None
    band: Optional[tuple[float, float]] = None
    weight: float = 1.0
    rated: bool = True  # False: a team outcome, or the escalation rate of an escalation destination
    note: str = ""
    thin: bool = False
    trend: list[tuple[str, Optional[float]]] = field(default_factory=list)
    # A KPI judged in three bands: its act line(s) in force in the period (low, high; None: no limit).
    bands: bool = False
    act: Optional[tuple[Optional[float], Optional[float]]] = None

    def previous(self, period: str) -> Optional[float]:
        """The value of the period before `period` in the trend (None: not there, or no value)."""
        before = [v for p, v in self.trend if p < period]
        return before[-1] if before else None

    def to_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["trend"] = [[p, v] for p, v in self.trend]
        d["band"] = list(self.band) if self.band else None
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "KpiFact":
        names = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        kw["trend"] = [(str(p[0]), p[1]) if isinstance(p, (list, tuple)) else (str(p.get("period")), p.get("value"))
                       for p in d.get("trend") or []]
        kw["band"] = tuple(d["band"]) if d.get("band") else None
        kw["act"] = tuple(d["act"]) if d.get("act") else None
        kw.setdefault("kpi_id", 0)
        kw.setdefault("name", "")
        return cls(**kw)


@dataclass
class SplitFact:
    """MTTR for one priority tier or ticket type (hours)."""

    segment: str
    value: Optional[float]
    median: Optional[float] = None
    p90: Optional[float] = None
    count: int = 0


@dataclass
class ContextFact:
    """A team outcome shown beside the individual's numbers: context, never part of the rating."""

    name: str
    unit: str = ""
    value: Optional[float] = None
    previous: Optional[float] = None
    note: str = ""


@dataclass
class Facts:
    technician_id: int
    technician: str
    period: str
    period_label: str = ""
    granularity: str = "quarter"
    role_profile_id: Optional[int] = None
    role: str = ""
    team_id: Optional[int] = None
    team: str = ""
    escalation_destination: bool = False
    tickets: int = 0  # resolved in the period
    csat_responses: int = 0
    history_periods: int = 0  # periods with resolved tickets in the window looked at (this one included)
    warnings: list[str] = field(default_factory=list)
    kpis: list[KpiFact] = field(default_factory=list)
    mttr_by_priority: list[SplitFact] = field(default_factory=list)
    mttr_by_type: list[SplitFact] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)  # inputs of the readings (fractions, hours)
    readings: list[Reading] = field(default_factory=list)  # speed vs quality, SLA vs CSAT
    escalation: Optional[Reading] = None
    team_context: list[ContextFact] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)  # the period's log, kept when signed
    # Annotations overlapping the period (kpidesk.annotations.checkin_annotations), as their to_json;
    # kept when signed, [] for a check-in frozen before they existed.
    context_notes: list[dict[str, Any]] = field(default_factory=list)
    computed_at: str = ""

    def kpi(self, kpi_id: int) -> Optional[KpiFact]:
        return next((k for k in self.kpis if k.kpi_id == kpi_id), None)

    def to_json(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["kpis"] = [k.to_json() for k in self.kpis]
        d["mttr_by_priority"] = [dataclasses.asdict(x) for x in self.mttr_by_priority]
        d["mttr_by_type"] = [dataclasses.asdict(x) for x in self.mttr_by_type]
        d["readings"] = [r.to_json() for r in self.readings]
        d["escalation"] = self.escalation.to_json() if self.escalation else None
        d["escalation_reading"] = self.escalation.text if self.escalation else ""
        d["team_context"] = [dataclasses.asdict(c) for c in self.team_context]
        d["data_notes"] = list(self.warnings)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any], technician_id: int = 0, technician: str = "", period: str = "") -> "Facts":
        """Tolerant of check-ins frozen before this module existed (demo data keeps only kpis and
        reading texts): missing keys take their defaults."""
        names = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        kw.setdefault("technician_id", technician_id)
        kw.setdefault("technician", technician)
        kw.setdefault("period", period)
        kw["kpis"] = [KpiFact.from_json(k) for k in d.get("kpis") or []]
        kw["mttr_by_priority"] = [SplitFact(**x) for x in d.get("mttr_by_priority") or []]
        kw["mttr_by_type"] = [SplitFact(**x) for x in d.get("mttr_by_type") or []]
        kw["readings"] = [Reading.from_json(r) for r in d.get("readings") or []]
        esc = d.get("escalation") or d.get("escalation_reading")
        kw["escalation"] = Reading.from_json(esc) if esc else None
        kw["team_context"] = [ContextFact(**{k: v for k, v in c.items() if k in ContextFact.__dataclass_fields__})
                              for c in d.get("team_context") or []]
        kw["warnings"] = list(d.get("warnings") or d.get("data_notes") or [])
        kw["context_notes"] = [c for c in d.get("context_notes") or [] if isinstance(c, dict) and c.get("on")]
        return cls(**kw)


@dataclass
class CheckInRecord:
    """A check-in as the screens and scripts see it. `data` holds the answers of the steps:
    ratings {kpi_id (text): {rating, comment}}, strengths, support, goals [..], technician_comment,
    manager_comment, summary, overall_override, override_reason, proposed_rating."""

    id: int
    technician_id: int
    technician: str
    period: str
    version: int = 1
    status: str = "draft"
    step: int = 0
    role_profile_id: Optional[int] = None
    role: str = ""
    supersedes_id: Optional[int] = None
    superseded_by_id: Optional[int] = None
    data: dict[str, Any] = field(default_factory=dict)
    frozen: Optional[dict[str, Any]] = None
    overall_rating: Optional[float] = None
    manager_name: str = ""
    manager_signed_at: Optional[dt.datetime] = None
    technician_ack_name: str = ""
    technician_ack_at: Optional[dt.datetime] = None
    created_at: Optional[dt.datetime] = None
    updated_at: Optional[dt.datetime] = None

    @property
    def signed(self) -> bool:
        return self.status == "signed"

    @property
    def read_only(self) -> bool:
        return self.signed

    @property
    def acknowledged(self) -> bool:
        return self.technician_ack_at is not None


@dataclass
class GoalProgress:
    """A goal set at an earlier check-in and how its KPI moved since."""

    text: str
    kpi: str = ""
    unit: str = ""
    target_value: Optional[float] = None
    due: Optional[dt.date] = None
    set_in: str = ""  # the period of the check-in that set it
    then: Optional[float] = None  # the KPI's value in that check-in (frozen)
    now: Optional[float] = None  # the KPI's value for the current check-in's period
    met: Optional[bool] = None
    summary: str = ""  # "goal: FCR 80 % by 31 Mar 2027; now 76 %, up from 65 %"
