"""Reviews on the agenda (issue 17): the KPI reviews that concern a technician come up in their
check-in, and what was said goes back to the review as its follow-up.

Which reviews: those of the technician's own scope ('technician:<id>'), never a team outcome or the
desk's (a person is not appraised on the team's numbers), that are open, or were acknowledged on or
after the first day of the check-in's period (recently: this cycle's), and were not already followed
up in an earlier period's check-in once closed. The check-in's answers keep `agenda`:
{review id: what was said}; signing writes each non-blank one to its review (follow_up, with the
period it was said in) and freezes the items as they were shown.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Optional

from sqlalchemy import or_, select

from kpidesk.models import CheckIn, Review
from kpidesk.periods import parse_period

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kpidesk.store import Store


@dataclass
class AgendaItem:
    review_id: int
    summary: str  # 'First-contact resolution for Alex Morgan in 2026-08: 61 %, 10 % worse than ...'
    state: str  # open | acknowledged
    opened_at: Optional[dt.datetime] = None
    acknowledged_at: Optional[dt.datetime] = None
    acknowledged_by: str = ""
    note: str = ""  # the acknowledgement's note: what will be done
    follow_up: str = ""  # what earlier check-ins said about it
    said: str = ""  # what this check-in says (its answers)

    def to_json(self) -> dict[str, Any]:
        return {"review_id": self.review_id, "summary": self.summary, "state": self.state,
                "opened_at": self.opened_at.isoformat(sep=" ") if self.opened_at else None,
                "acknowledged_at": self.acknowledged_at.isoformat(sep=" ") if self.acknowledged_at else None,
                "acknowledged_by": self.acknowledged_by, "note": self.note, "follow_up": self.follow_up,
                "said": self.said}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "AgendaItem":
        def when(v: Any) -> Optional[dt.datetime]:
            return dt.datetime.fromisoformat(v) if v else None

        return cls(review_id=int(d.get("review_id") or 0), summary=str(d.get("summary") or ""),
                   state=str(d.get("state") or "open"), opened_at=when(d.get("opened_at")),
                   acknowledged_at=when(d.get("acknowledged_at")), acknowledged_by=str(d.get("acknowledged_by") or ""),
                   note=str(d.get("note") or ""), follow_up=str(d.get("follow_up") or ""),
                   said=str(d.get("said") or ""))


def _review_ids(s: "Session", technician_id: int, period: str, checkin_id: Optional[int]) -> list[int]:
    start = dt.datetime.combine(parse_period(period).start, dt.time())
    earlier = select(CheckIn.id).where(CheckIn.technician_id == technician_id, CheckIn.period != period)
    q = (select(Review.id).where(Review.scope_key == f"technician:{technician_id}")
         .where(or_(Review.acknowledged_at.is_(None), Review.acknowledged_at >= start))
         # closed and already talked over in another period's check-in: done with
         .where(or_(Review.acknowledged_at.is_(None), Review.follow_up_checkin_id.is_(None),
                    Review.follow_up_checkin_id.not_in(earlier)))
         .order_by(Review.opened_at, Review.id))
    return list(s.scalars(q))


def agenda_for(store: "Store", technician_id: int, period: str, answers: Mapping[str, Any] | None = None,
               checkin_id: Optional[int] = None) -> list[AgendaItem]:
    """The live agenda of a technician's check-in for `period`, with what `answers` say of each."""
    from kpidesk.metrics.reviews import list_reviews

    with store.read() as s:
        ids = _review_ids(s, technician_id, period, checkin_id)
    if not ids:
        return []
    said = {str(k): str(v or "") for k, v in ((answers or {}).get("agenda") or {}).items()}
    by_id = {r.id: r for r in list_reviews(store, open_only=False) if r.id in set(ids)}
    out = []
    for rid in ids:
        r = by_id.get(rid)
        if r is None:
            continue
        out.append(AgendaItem(review_id=r.id, summary=r.summary, state="open" if r.is_open else "acknowledged",
                              opened_at=r.opened_at, acknowledged_at=r.acknowledged_at,
                              acknowledged_by=r.acknowledged_by, note=r.note, follow_up=r.follow_up,
                              said=said.get(str(r.id), "")))
    return out


def frozen_agenda(frozen: Mapping[str, Any] | None) -> Optional[list[AgendaItem]]:
    """The agenda kept at signing; None for a check-in signed before agendas existed."""
    if not frozen or "agenda" not in frozen:
        return None
    return [AgendaItem.from_json(d) for d in frozen.get("agenda") or [] if isinstance(d, dict)]


def write_follow_ups(s: "Session", ci: CheckIn, items: list[AgendaItem], when: dt.datetime) -> int:
    """At signing, inside its transaction: each item with something said becomes (part of) its review's
    follow-up, marked with the period. Returns how many reviews were written to."""
    n = 0
    for item in items:
        text = item.said.strip()
        review = s.get(Review, item.review_id) if text else None
        if review is None:
            continue
        line = f"{ci.period} check-in: {text}"
        review.follow_up = f"{review.follow_up}\n{line}" if review.follow_up else line
        review.follow_up_at, review.follow_up_checkin_id = when, ci.id
        n += 1
    return n
