"""Review cycles (issue 17): a quarter's (or half-year's, or year's) check-ins, who is in it and how far
each one has got.

    status = cycle_status(store, "2026-Q3", today=...)
    status.members[0].state       # 'not started' ... 'acknowledged'
    status.complete, status.unsigned, status.overdue_members

A cycle is its period: nothing is stored for the cycle itself, so it cannot disagree with the
check-ins and self-assessments it is read from. Who is in it: every technician active at some time in
the period (active_from / active_to), and anyone with a check-in for it even if they have left since.
Each one's state is the furthest step reached:

    not started -> self-assessment sent -> self-assessment received -> draft -> signed -> acknowledged

(the latest check-in version counts: a correction in progress is a draft again). A member is overdue
when the cycle's due date (its last day + the setting cycle_due_days) has passed and their check-in
is not signed.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import or_, select

from kpidesk.errors import ValidationError
from kpidesk.models import CheckIn, RoleProfile, SelfAssessment, Team, Technician
from kpidesk.periods import CYCLE_LENGTHS, Period, last_full_period, parse_period

if TYPE_CHECKING:
    from kpidesk.store import Store

STATES = ("not started", "self-assessment sent", "self-assessment received", "draft", "signed", "acknowledged")
DONE = ("signed", "acknowledged")


@dataclass
class CycleMember:
    technician_id: int
    technician: str
    team: str = ""
    role: str = ""
    state: str = "not started"
    checkin_id: Optional[int] = None
    version: Optional[int] = None
    started_at: Optional[dt.datetime] = None
    signed_at: Optional[dt.datetime] = None
    signed_by: str = ""
    acknowledged_at: Optional[dt.datetime] = None
    overall_rating: Optional[float] = None
    self_sent_at: Optional[dt.datetime] = None
    self_received_at: Optional[dt.datetime] = None
    overdue: bool = False

    @property
    def signed(self) -> bool:
        return self.state in DONE

    @property
    def self_received(self) -> bool:
        return self.self_received_at is not None

    def to_json(self) -> dict[str, Any]:
        """A member as `kpidesk cycle status --json` prints it (a contract: extend, never rename)."""
        def iso(v: Optional[dt.datetime]) -> Optional[str]:
            return v.isoformat(sep=" ") if v else None

        return {"technician_id": self.technician_id, "technician": self.technician, "team": self.team,
                "role": self.role, "state": self.state, "overdue": self.overdue, "checkin_id": self.checkin_id,
                "version": self.version, "started_at": iso(self.started_at), "signed_at": iso(self.signed_at),
                "signed_by": self.signed_by, "acknowledged_at": iso(self.acknowledged_at),
                "overall_rating": self.overall_rating, "self_assessment_sent_at": iso(self.self_sent_at),
                "self_assessment_received_at": iso(self.self_received_at),
                "self_assessment_received": self.self_received}


@dataclass
class CycleStatus:
    period: str
    granularity: str
    start: dt.date
    last_day: dt.date
    due: dt.date
    today: dt.date
    members: list[CycleMember] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        n = Counter(m.state for m in self.members)
        return {s: n.get(s, 0) for s in STATES}

    @property
    def complete(self) -> bool:
        """Every member's check-in signed (an empty cycle is not complete: there is nothing to call done)."""
        return bool(self.members) and all(m.signed for m in self.members)

    @property
    def unsigned(self) -> list[CycleMember]:
        return [m for m in self.members if not m.signed]

    @property
    def overdue_members(self) -> list[CycleMember]:
        return [m for m in self.members if m.overdue]

    @property
    def days_overdue(self) -> int:
        return max(0, (self.today - self.due).days)

    def summary(self) -> str:
        """One line: 'Cycle 2026-Q3: 5 of 8 signed (2 acknowledged); due 30 Oct 2026, 23 days overdue'."""
        signed = sum(1 for m in self.members if m.signed)
        acked = self.counts["acknowledged"]
        text = f"Cycle {self.period}: {signed} of {len(self.members)} signed"
        text += f" ({acked} acknowledged)" if acked else ""
        if self.complete:
            return text + "; complete"
        text += f"; due {self.due:%d %b %Y}"
        if self.overdue_members:
            text += f", {self.days_overdue} day{'s' if self.days_overdue != 1 else ''} overdue"
        return text

    def to_json(self) -> dict[str, Any]:
        """`kpidesk cycle status --json` (a contract: extend, never rename)."""
        return {"period": self.period, "length": self.granularity, "start": self.start.isoformat(),
                "end": self.last_day.isoformat(), "due": self.due.isoformat(), "today": self.today.isoformat(),
                "complete": self.complete, "counts": self.counts,
                "overdue": [m.technician for m in self.overdue_members],
                "members": [m.to_json() for m in self.members]}


def cycle_length(store: "Store") -> str:
    length = str(store.get_setting("cycle_length") or "quarter")
    return length if length in CYCLE_LENGTHS else "quarter"


def cycle_period(store: "Store", period: Period | str | None = None, today: dt.date | None = None) -> Period:
    """The cycle's period: `period` as given (any quarter, half-year or year), else the last full one
    of the cycle length in the settings."""
    if period is None:
        return last_full_period(today or dt.date.today(), cycle_length(store))
    p = period if isinstance(period, Period) else parse_period(period)
    if p.granularity not in CYCLE_LENGTHS:
        raise ValidationError({"period": f"{p.key} is a {p.granularity}; a review cycle is a quarter (2026-Q3), "
                                         "a half-year (2026-H2) or a year (2026)"})
    return p


def due_date(store: "Store", p: Period) -> dt.date:
    return p.last_day + dt.timedelta(days=int(store.get_setting("cycle_due_days") or 0))


def _state(ci: Optional[CheckIn], sa: Optional[SelfAssessment]) -> str:
    if ci is not None:
        if ci.status == "signed":
            return "acknowledged" if ci.technician_ack_at is not None else "signed"
        return "draft"
    if sa is not None:
        return "self-assessment received" if sa.received_at is not None else "self-assessment sent"
    return "not started"


def cycle_status(store: "Store", period: Period | str | None = None, today: dt.date | None = None) -> CycleStatus:
    """Who is in the cycle and each one's state, read in three queries."""
    today = today or dt.date.today()
    p = cycle_period(store, period, today)
    due = due_date(store, p)
    with store.read() as s:
        latest: dict[int, CheckIn] = {}
        for ci in s.scalars(select(CheckIn).where(CheckIn.period == p.key).order_by(CheckIn.version)):
            latest[ci.technician_id] = ci  # ascending versions: the last one wins
        forms = {sa.technician_id: sa for sa in s.scalars(select(SelfAssessment).where(SelfAssessment.period == p.key))}
        active = or_(Technician.id.in_(list(latest)), (
            (or_(Technician.active_from.is_(None), Technician.active_from <= p.last_day))
            & (or_(Technician.active_to.is_(None), Technician.active_to >= p.start))))
        rows = s.execute(select(Technician.id, Technician.display_name, Team.name, RoleProfile.name)
                         .outerjoin(Team, Team.id == Technician.team_id)
                         .outerjoin(RoleProfile, RoleProfile.id == Technician.role_profile_id)
                         .where(active)).all()
        members = []
        for tech_id, name, team, role in rows:
            ci, sa = latest.get(tech_id), forms.get(tech_id)
            m = CycleMember(technician_id=tech_id, technician=name, team=team or "", role=role or "",
                            state=_state(ci, sa))
            if ci is not None:
                m.checkin_id, m.version, m.started_at = ci.id, ci.version, ci.created_at
                m.overall_rating = ci.overall_rating
                if ci.status == "signed":
                    m.signed_at, m.signed_by = ci.manager_signed_at, ci.manager_name
                    m.acknowledged_at = ci.technician_ack_at
            if sa is not None:
                m.self_sent_at, m.self_received_at = sa.sent_at, sa.received_at
            m.overdue = today > due and not m.signed
            members.append(m)
    members.sort(key=lambda m: (m.team.casefold() or "\uffff", m.technician.casefold()))
    return CycleStatus(period=p.key, granularity=p.granularity, start=p.start, last_day=p.last_day, due=due,
                       today=today, members=members)


def overdue_cycles(store: "Store", today: dt.date | None = None, look_back: int = 2) -> list[CycleStatus]:
    """The recent cycles past their due date with a check-in still unsigned, newest first: what the
    dashboard shows as overdue. The last full cycle always counts (a reminder to start it); the
    `look_back` - 1 before it only if someone started them (a check-in or a form sent), so a database
    whose history predates its first cycle is not flagged for cycles nobody ran."""
    today = today or dt.date.today()
    p = last_full_period(today, cycle_length(store))
    out = []
    for i in range(look_back):
        if today > due_date(store, p):
            status = cycle_status(store, p, today)
            started = any(m.state != "not started" for m in status.members)
            if status.overdue_members and (i == 0 or started):
                out.append(status)
        p = p.previous()
    return out
