"""Between check-ins: last time's goals and how their KPIs moved, live numbers against frozen ones,
and the whole content of one check-in (what a screen or the HR export shows).

    content = checkin_content(store, checkin_id)   # record + facts (frozen when signed) + notes + ...
    previous_goals(store, checkin_id)              # "goal: FCR 80 % by 31 Mar 2027; now 76 %, up from 65 %"
    live_differences(store, checkin_id)            # ["MTTR: 13.3 h when signed, now 14.0 h", ...]
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import select

from kpidesk.appraisal import rating as rating_rules
from kpidesk.appraisal.checkins import facts_of, get_checkin
from kpidesk.appraisal.facts import gather
from kpidesk.appraisal.goals import parse_due
from kpidesk.appraisal.model import CheckInRecord, Facts, GoalProgress
from kpidesk.appraisal.notes import NoteRecord, list_notes
from kpidesk.export.formats import fmt_value
from kpidesk.models import CheckIn
from kpidesk.periods import parse_period
from kpidesk.settings import rating_label

if TYPE_CHECKING:
    from kpidesk.store import Store

# Two numbers are "the same" within rounding to 2 decimals plus 0.1 %: check-ins frozen with rounded
# numbers (older demo data) do not show as changed, while one more ticket on a KPI still does.
ABS_SLACK, REL_SLACK = 0.006, 0.001


def _same(a: Optional[float], b: Optional[float]) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= ABS_SLACK + REL_SLACK * max(abs(a), abs(b))


@dataclass
class CheckInContent:
    """Everything one check-in shows, decided: the HR export and the review page read this."""

    record: CheckInRecord
    facts: Facts  # frozen at signing for a signed check-in, live for a draft
    answers: dict[str, Any]  # the steps' answers (ratings, strengths, support, goals, comments, ...)
    notes: list[NoteRecord]  # the period's performance log, as it is now
    previous_goals: list[GoalProgress] = field(default_factory=list)
    live_differences: list[str] = field(default_factory=list)  # signed only: live numbers now differ
    rating_scale: tuple[float, float] = (1, 5)
    proposed_rating: Optional[float] = None
    rating_words: list[str] = field(default_factory=list)  # one per point of the scale, lowest first

    @property
    def left_out(self) -> list[str]:
        """The rated KPIs the proposal leaves out: no value in the period, so nothing to rate."""
        return [k.name for k in self.facts.kpis if k.rated and k.value is None]

    def rating_text(self, rating: Optional[float]) -> str:
        return rating_label(rating, self.rating_scale, self.rating_words)


def _number(text: Any) -> Optional[float]:
    if isinstance(text, (int, float)):
        return float(text)
    m = re.search(r"-?\d+(?:\.\d+)?", str(text or ""))
    return float(m.group()) if m else None


def _previous_signed(store: "Store", technician_id: int, period: str) -> Optional[CheckInRecord]:
    """The latest signed check-in of the technician for a period before `period`."""
    start = parse_period(period).start
    with store.read() as s:
        rows = s.execute(select(CheckIn.id, CheckIn.period, CheckIn.version).where(
            CheckIn.technician_id == technician_id, CheckIn.status == "signed")).all()
    best: tuple[dt.date, int, int] | None = None
    for cid, period, version in rows:
        try:
            p_start = parse_period(period).start
        except ValueError:
            continue
        if p_start < start and (best is None or (p_start, version) > best[:2]):
            best = (p_start, version, cid)
    return get_checkin(store, best[2]) if best else None


def _movement(now: Optional[float], then: Optional[float], unit: str) -> str:
    if now is None:
        return "no value now"
    text = f"now {fmt_value(now, unit)}"
    if then is None:
        return text
    if round(now, 2) == round(then, 2):
        return f"{text}, unchanged"
    return f"{text}, {'up' if now > then else 'down'} from {fmt_value(then, unit)}"


def previous_goals(store: "Store", checkin_id: int, facts: Facts | None = None) -> list[GoalProgress]:
    """The goals set at the previous signed check-in, each with its KPI's value then (frozen) and
    now (this check-in's period), and whether the target is met."""
    rec = get_checkin(store, checkin_id)
    return goals_before(store, rec.technician_id, rec.period, facts or facts_of(store, checkin_id))


def goals_before(store: "Store", technician_id: int, period: str, now_facts: Facts) -> list[GoalProgress]:
    """previous_goals() for a technician and period with no check-in yet (the self-assessment form)."""
    prev = _previous_signed(store, technician_id, period)
    if prev is None:
        return []
    then_facts = Facts.from_json(prev.frozen or {})
    out = []
    for g in prev.data.get("goals") or []:
        if not isinstance(g, dict):
            continue
        kpi_id, name = g.get("kpi_id"), str(g.get("kpi") or "")
        then_k = next((k for k in then_facts.kpis if (kpi_id and k.kpi_id == kpi_id) or (name and k.name == name)), None)
        now_k = next((k for k in now_facts.kpis if (kpi_id and k.kpi_id == kpi_id) or (name and k.name == name)), None)
        unit = str(g.get("unit") or (now_k.unit if now_k else then_k.unit if then_k else ""))
        target = g.get("target_value")
        target = _number(g.get("target")) if target is None else float(target)
        due = parse_due(g.get("due"))
        kpi = name or (now_k.name if now_k else then_k.name if then_k else "")  # a goal stored by id alone
        gp = GoalProgress(text=str(g.get("text") or ""), kpi=kpi, unit=unit, target_value=target, due=due,
                          set_in=prev.period,
                          then=then_k.value if then_k else None, now=now_k.value if now_k else None)
        direction = now_k.direction if now_k else then_k.direction if then_k else "higher"
        if gp.now is not None and target is not None and direction in ("higher", "lower"):
            gp.met = gp.now >= target if direction == "higher" else gp.now <= target
        head = f"goal: {gp.kpi} {fmt_value(target, unit)}" if gp.kpi and target is not None else f"goal: {gp.text}"
        head += f" by {due:%d %b %Y}" if due else ""
        met = "" if gp.met is None else " (target met)" if gp.met else " (not met yet)"
        gp.summary = f"{head}; {_movement(gp.now, gp.then, unit)}{met}"
        out.append(gp)
    return out


def live_differences(store: "Store", checkin_id: int) -> list[str]:
    """For a signed check-in: where the live numbers now differ from those frozen at signing (after
    a re-import, for example), one plain line each. Empty for a draft (its numbers are live)."""
    rec = get_checkin(store, checkin_id)
    if not rec.frozen:
        return []
    frozen = Facts.from_json(rec.frozen)
    live = gather(store, rec.technician_id, rec.period)
    out = []
    if frozen.tickets and frozen.tickets != live.tickets:
        out.append(f"Tickets resolved in {rec.period}: {frozen.tickets} when signed, now {live.tickets}.")
    for fk in frozen.kpis:
        lk = live.kpi(fk.kpi_id)
        if lk is None:
            continue
        if not _same(fk.value, lk.value):
            out.append(f"{fk.name}: {fmt_value(fk.value, fk.unit)} when signed, now {fmt_value(lk.value, lk.unit)}.")
    return out


def live_differs(store: "Store", checkin_id: int) -> bool:
    return bool(live_differences(store, checkin_id))


def checkin_content(store: "Store", checkin_id: int) -> CheckInContent:
    """The whole check-in: the record, its facts (frozen when signed), answers, the period's notes,
    last time's goals with progress and, when signed, where live numbers now differ."""
    rec = get_checkin(store, checkin_id)
    facts = facts_of(store, checkin_id)
    scale = tuple(store.get_setting("rating_scale") or (1, 5))
    answers = dict(rec.data)
    proposed = answers.get("proposed_rating")
    if proposed is None and answers.get("ratings"):
        weights = {k.kpi_id: k.weight for k in facts.kpis}
        rated = {k.kpi_id: k.rated and k.value is not None for k in facts.kpis}
        proposed = rating_rules.propose({int(k): (v.get("rating") if isinstance(v, dict) else v)
                                         for k, v in answers["ratings"].items()}, weights, rated)
    return CheckInContent(record=rec, facts=facts, answers=answers,
                          notes=list_notes(store, rec.technician_id, rec.period),
                          previous_goals=previous_goals(store, checkin_id, facts),
                          live_differences=live_differences(store, checkin_id) if rec.signed else [],
                          rating_scale=(float(scale[0]), float(scale[1])), proposed_rating=proposed,
                          rating_words=list(store.get_setting("rating_words") or []))
