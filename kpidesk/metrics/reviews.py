"""Review triggers: a Review is opened for the KPI's owner when the KPI's latest full period crosses
its trigger; the manager acknowledges it with a note saying what will be done.

Which values are checked: for a KPI computed from tickets, the desk and each team (reviews are the
owner's business; a technician's numbers belong in the check-in, not in a trigger list); for an
entered KPI, every scope it has values for; for a formula, the scopes of the KPIs it refers to.
One review per (KPI, scope, period, segment), ever: acknowledging it does not make the next check
open it again.

A manager may also raise a review by hand (raise_review), e.g. on one technician's number, to be
talked over at their next check-in, where it comes up on the agenda (kpidesk/appraisal/agenda.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from kpidesk.errors import NotFound, ValidationError
from kpidesk.metrics.formula import parse_formula
from kpidesk.metrics.kpi_values import kpi_values
from kpidesk.metrics.model import granularity_of
from kpidesk.metrics.status import fmt, judge_period
from kpidesk.models import Kpi, Measurement, Review, Team, Technician, utcnow
from kpidesk.periods import period_containing
from kpidesk.records import Changes, KpiRecord

if TYPE_CHECKING:
    from kpidesk.store import Store

CADENCE_DAYS = {"daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92}


@dataclass
class ReviewRecord:
    id: int
    kpi_id: int
    kpi_name: str
    scope_key: str
    scope_label: str
    segment: str
    period: str
    value: float | None
    unit: str
    rule: str
    owner: str
    opened_at: dt.datetime
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: str = ""
    note: str = ""
    follow_up: str = ""  # what check-ins said about it (kpidesk/appraisal/agenda.py), one line per period
    follow_up_at: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def summary(self) -> str:
        seg = f" {self.segment}" if self.segment and not self.kpi_name.endswith(self.segment) else ""
        return f"{self.kpi_name}{seg} for {self.scope_label} in {self.period}: {fmt(self.value, self.unit)}, {self.rule}"


@dataclass
class OverdueReview:
    kpi_id: int
    kpi_name: str
    owner: str
    cadence: str
    last_reviewed: dt.date
    due: dt.date
    days_overdue: int


def scope_label(store: "Store", scope_key: str) -> str:
    kind, _, ident = scope_key.partition(":")
    if kind == "desk":
        return "the desk"
    with store.read() as s:
        if kind == "technician" and ident.isdigit():
            t = s.get(Technician, int(ident))
            return t.display_name if t else scope_key
        if kind == "team" and ident.isdigit():
            t = s.get(Team, int(ident))
            return f"team {t.name}" if t else scope_key
    if kind == "group":
        return f"group {ident}"
    return ident or scope_key


def _scopes(store: "Store", kpi: KpiRecord, kpis_by_name: dict[str, KpiRecord], seen: frozenset[int] = frozenset()
            ) -> set[str]:
    if kpi.value_source == "computed":
        return {"desk"} | {f"team:{t.id}" for t in store.list_teams()}
    if kpi.value_source == "formula":
        out: set[str] = set()
        try:
            refs = parse_formula(kpi.formula).refs
        except ValidationError:
            return out
        for name in refs:
            ref = kpis_by_name.get(name)
            if ref is not None and ref.id not in seen:
                out |= _scopes(store, ref, kpis_by_name, seen | {kpi.id})  # type: ignore[operator]
        return out
    with store.read() as s:
        return set(s.scalars(select(Measurement.scope_key).where(Measurement.kpi_id == kpi.id).distinct()))


def check_triggers(store: "Store", today: dt.date | None = None, *, stored: bool = False
                   ) -> tuple[list[ReviewRecord], Changes]:
    """Open a review for every KPI whose value in its last full period (by its cadence) crosses its
    trigger. Returns the reviews opened now (none twice for the same KPI, scope, period, segment).
    stored: read computed KPIs' stored values (what an action does once it has made them true)."""
    today = today or dt.date.today()
    kpis = store.list_kpis()
    by_name = {k.name: k for k in kpis}
    opened: list[int] = []
    for kpi in kpis:
        history = store.target_history(kpi.id)  # type: ignore[arg-type]
        if not (kpi.has_trigger or any(t.trigger_kind for t in history)):
            continue
        period = period_containing(today, granularity_of(kpi.cadence)).previous()
        for scope in sorted(_scopes(store, kpi, by_name)):
            try:
                value = kpi_values(store, kpi, [period], scope, stored=stored).get(period.key, (None, None))[0]
            except ValidationError:
                continue  # e.g. a formula over a KPI that is gone: the health check reports it
            j = judge_period(kpi, history, period, value)
            if j.status != "triggered":
                continue
            with store.write() as s:
                exists = s.scalar(select(Review.id).where(
                    Review.kpi_id == kpi.id, Review.scope_key == scope, Review.period == period.key,
                    Review.segment == kpi.segment))
                if exists is None:
                    r = Review(kpi_id=kpi.id, scope_key=scope, segment=kpi.segment, period=period.key, value=value,
                               rule=j.rule, owner=kpi.owner,
                               opened_at=dt.datetime.combine(today, utcnow().time()))
                    s.add(r)
                    s.flush()
                    opened.append(r.id)
    records = [r for r in list_reviews(store, open_only=False) if r.id in opened]
    return records, Changes(reviews=bool(opened))


def review_json(r: ReviewRecord) -> dict[str, Any]:
    """A review as `kpidesk reviews --json` prints it (a contract: extend, never rename)."""
    return {"id": r.id, "kpi": r.kpi_name, "kpi_id": r.kpi_id, "scope": r.scope_key, "who": r.scope_label,
            "segment": r.segment or None, "period": r.period, "value": r.value, "unit": r.unit,
            "rule": r.rule, "owner": r.owner, "opened_at": r.opened_at.isoformat(),
            "acknowledged_at": r.acknowledged_at.isoformat() if r.acknowledged_at else None,
            "acknowledged_by": r.acknowledged_by, "note": r.note, "follow_up": r.follow_up or None,
            "follow_up_at": r.follow_up_at.isoformat() if r.follow_up_at else None}


def list_reviews(store: "Store", open_only: bool = True, kpi_id: int | None = None) -> list[ReviewRecord]:
    """Reviews, newest first."""
    with store.read() as s:
        q = select(Review, Kpi.name, Kpi.unit).join(Kpi, Kpi.id == Review.kpi_id)
        if open_only:
            q = q.where(Review.acknowledged_at.is_(None))
        if kpi_id is not None:
            q = q.where(Review.kpi_id == kpi_id)
        rows = s.execute(q.order_by(Review.opened_at.desc(), Review.id.desc())).all()
        out = [ReviewRecord(id=r.id, kpi_id=r.kpi_id, kpi_name=name, scope_key=r.scope_key, scope_label="",
                            segment=r.segment, period=r.period, value=r.value, unit=unit, rule=r.rule, owner=r.owner,
                            opened_at=r.opened_at, acknowledged_at=r.acknowledged_at,
                            acknowledged_by=r.acknowledged_by, note=r.note, follow_up=r.follow_up or "",
                            follow_up_at=r.follow_up_at) for r, name, unit in rows]
    labels: dict[str, str] = {}
    for r in out:
        r.scope_label = labels.setdefault(r.scope_key, scope_label(store, r.scope_key))
    return out


def acknowledge_review(store: "Store", review_id: int, note: str, by: str,
                       when: dt.datetime | None = None) -> tuple[ReviewRecord, Changes]:
    """Close a review with what will be done about it. The note is required."""
    if not note.strip():
        raise ValidationError({"note": "say what will be done about it (a short note)"})
    with store.write() as s:
        r = s.get(Review, review_id)
        if r is None:
            raise NotFound(f"There is no review with id {review_id}.")
        if r.acknowledged_at is not None:
            raise ValidationError({"review": f"this review was already acknowledged on "
                                             f"{r.acknowledged_at:%Y-%m-%d} by {r.acknowledged_by or 'someone'}"})
        r.acknowledged_at, r.acknowledged_by, r.note = when or utcnow(), by.strip(), note.strip()
    rec = next(x for x in list_reviews(store, open_only=False) if x.id == review_id)
    return rec, Changes(reviews=True)


def mark_reviewed(store: "Store", kpi_id: int, note: str, by: str, today: dt.date | None = None
                  ) -> tuple[ReviewRecord, Changes]:
    """Record a scheduled (cadence) review of a KPI that did not trigger: an acknowledged review of the
    current period, which is what overdue_reviews counts from."""
    kpi = store.get_kpi(kpi_id)
    today = today or dt.date.today()
    period = period_containing(today, granularity_of(kpi.cadence))
    with store.write() as s:
        r = Review(kpi_id=kpi_id, scope_key="desk", segment=kpi.segment, period=period.key, value=None,
                   rule="scheduled review", owner=kpi.owner, opened_at=dt.datetime.combine(today, dt.time()))
        s.add(r)
        s.flush()
        new_id = r.id
    return acknowledge_review(store, new_id, note, by, when=dt.datetime.combine(today, dt.time()))


def raise_review(store: "Store", kpi_id: int, scope_key: str, period: str, why: str, by: str,
                 when: dt.datetime | None = None) -> tuple[ReviewRecord, Changes]:
    """Open a review by hand on a KPI's value for a scope and period (its value as stored now, or none),
    with why. Refused while a review of the same KPI, scope, period and segment exists."""
    from kpidesk.periods import parse_period

    if not why.strip():
        raise ValidationError({"why": "say why the value needs a review (a short note)"})
    kpi = store.get_kpi(kpi_id)
    p = parse_period(period)
    value = kpi_values(store, kpi, [p], scope_key, stored=True).get(p.key, (None, None))[0]
    with store.write() as s:
        existing = s.scalar(select(Review).where(Review.kpi_id == kpi_id, Review.scope_key == scope_key,
                                                 Review.period == p.key, Review.segment == kpi.segment))
        if existing is not None:
            state = ("open" if existing.acknowledged_at is None
                     else f"acknowledged on {existing.acknowledged_at:%d %b %Y}")
            raise ValidationError({"review": f"{kpi.name} for {p.key} already has a review ({state})"})
        r = Review(kpi_id=kpi_id, scope_key=scope_key, segment=kpi.segment, period=p.key, value=value,
                   rule=f"raised by {by.strip() or 'the manager'}: {why.strip()}", owner=kpi.owner,
                   opened_at=(when or dt.datetime.now()).replace(microsecond=0))
        s.add(r)
        s.flush()
        new_id = r.id
    rec = next(x for x in list_reviews(store, open_only=False) if x.id == new_id)
    return rec, Changes(reviews=True)


def overdue_reviews(store: "Store", today: dt.date | None = None) -> list[OverdueReview]:
    """KPIs (owner, target and trigger set) not reviewed within their cadence: the last acknowledged
    review, else the day the KPI was created, plus one cadence (daily 1, weekly 7, monthly 31,
    quarterly 92 days) is past."""
    today = today or dt.date.today()
    with store.read() as s:
        last = dict(s.execute(select(Review.kpi_id, Review.acknowledged_at).where(
            Review.acknowledged_at.is_not(None)).order_by(Review.acknowledged_at)).all())
        created = dict(s.execute(select(Kpi.id, Kpi.created_at)).all())
    out = []
    for k in store.list_kpis():
        if not k.is_kpi or not k.cadence:
            continue
        seen = last.get(k.id) or created.get(k.id)
        if seen is None:
            continue
        due = seen.date() + dt.timedelta(days=CADENCE_DAYS[k.cadence])
        if today > due:
            out.append(OverdueReview(k.id, k.name, k.owner, k.cadence, seen.date(), due,  # type: ignore[arg-type]
                                     (today - due).days))
    return sorted(out, key=lambda o: -o.days_overdue)
