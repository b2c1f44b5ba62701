"""The vocabulary of the metrics engine: metric names, splits, scopes and the MetricValue record.

Units follow kpidesk/units.py: engine values are in DESIGN.md's language (rates are fractions 0..1,
times in hours). Conversion to a KPI's own unit happens only in kpi_values.py.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kpidesk.errors import ValidationError
from kpidesk.periods import GRANULARITIES, Period, parse_period

# Order matters: it is the order of rows in tables and JSON.
TICKET_METRICS = (
    "mttr_hours", "fcr_rate", "sla_compliance", "csat_mean", "csat_response_rate", "csat_positive_rate",
    "escalation_rate", "reopen_rate", "backlog_open", "backlog_change", "resolved_count",
)
# The keys the CLI contract promises (csat_positive_rate is an extra, reported only when a thumbs
# survey exists, so exports without one keep exactly the documented list).
CONTRACT_METRICS = tuple(m for m in TICKET_METRICS if m != "csat_positive_rate")
BACKLOG_METRICS = frozenset({"backlog_open", "backlog_change"})
# What a metric's count counts (DESIGN.md: a metric's count is what its value rests on), singular and
# plural: an MTTR rests on the resolved tickets whose resolution time is known, not on all of them.
COUNT_NOUNS: dict[str, tuple[str, str]] = {
    "mttr_hours": ("ticket with a resolution time", "tickets with a resolution time"),
    "sla_compliance": ("ticket with a known SLA", "tickets with a known SLA"),
    "csat_mean": ("survey score", "survey scores"),
    "csat_positive_rate": ("thumbs answer", "thumbs answers"),
    "fcr_rate": ("resolved ticket", "resolved tickets"),
    "escalation_rate": ("resolved ticket", "resolved tickets"),
    "reopen_rate": ("resolved ticket", "resolved tickets"),
    "csat_response_rate": ("resolved ticket", "resolved tickets"),
    "resolved_count": ("resolved ticket", "resolved tickets"),
    "backlog_open": ("open ticket", "open tickets"),
    "backlog_change": ("open ticket", "open tickets"),
}
SPLITS = ("priority", "type")
PRIORITY_SEGMENTS = ("P1", "P2", "P3", "P4")
TYPE_SEGMENTS = ("incident", "request")
SCOPES = ("technician", "team", "group", "desk")
CADENCE_GRANULARITY = {"daily": "week", "weekly": "week", "monthly": "month", "quarterly": "quarter"}


def split_of_segment(segment: str | None) -> str | None:
    """'P1'..'P4' -> 'priority', 'incident'/'request' -> 'type', '' or None -> no split."""
    if not segment:
        return None
    if segment.upper() in PRIORITY_SEGMENTS:
        return "priority"
    if segment.lower() in TYPE_SEGMENTS:
        return "type"
    raise ValidationError({"segment": f"unknown segment {segment!r}: use P1-P4, incident or request"})


def segments_of(split: str | None) -> tuple[str | None, ...]:
    if split is None:
        return (None,)
    if split == "priority":
        return PRIORITY_SEGMENTS
    if split == "type":
        return TYPE_SEGMENTS
    raise ValidationError({"split": f"unknown split {split!r}: use priority or type"})


def granularity_of(cadence: str | None) -> str:
    """The period length a KPI is judged by: its cadence (a daily KPI is still charted by week)."""
    return CADENCE_GRANULARITY.get(cadence or "", "month")


def as_period(p: Period | str) -> Period:
    return p if isinstance(p, Period) else parse_period(p)


def check_granularity(granularity: str) -> str:
    if granularity not in GRANULARITIES and granularity != "half":  # half-years: review cycles only
        raise ValidationError({"granularity": f"{granularity!r}: use week, month, quarter or year"})
    return granularity


@dataclass(frozen=True)
class Scope:
    """Whose tickets: 'desk' (all, including tickets no technician could be matched to),
    'team:<id>' (tickets resolved by the team's current members), 'technician:<id>', or
    'group:<name>' (the tickets the export puts in that group, with or without a technician)."""

    kind: str
    id: Any = None  # int for teams and technicians, the name for a group

    @property
    def key(self) -> str:
        return "desk" if self.kind == "desk" else f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, key: str) -> "Scope":
        if key == "desk":
            return cls("desk")
        kind, _, ident = key.partition(":")
        if kind in ("team", "technician") and ident.isdecimal():  # what int() reads ("²" is a digit, not one)
            return cls(kind, int(ident))
        if kind == "group" and ident.strip():
            return cls(kind, ident)
        raise ValidationError({"scope": f"{key!r} is not a ticket scope (desk, team:<id>, technician:<id> or "
                                        "group:<name>)"})


@dataclass
class MetricValue:
    """One metric for one scope, period and segment. `count` is the number of tickets the value rests
    on (its denominator), so a screen can grey out a value resting on too few tickets. `value` is None
    when there is nothing to rest on (count 0)."""

    kpi: str
    scope: str
    who: str
    period: str
    segment: str | None
    value: float | None
    count: int
    scope_id: Any = None  # technician or team id, group name, None for the desk
    period_start: dt.date | None = None
    extra: dict[str, float | None] = field(default_factory=dict)

    @property
    def scope_key(self) -> str:
        return "desk" if self.scope == "desk" else f"{self.scope}:{self.scope_id}"

    def to_json(self) -> dict[str, Any]:
        """The CLI contract's keys first (never renamed); extras (median, p90) after them."""
        d: dict[str, Any] = {"kpi": self.kpi, "scope": self.scope, "who": self.who, "period": self.period,
                             "segment": self.segment, "value": self.value, "count": self.count}
        d.update(self.extra)
        return d

    def replace(self, **changes: Any) -> "MetricValue":
        return dataclasses.replace(self, **changes)
