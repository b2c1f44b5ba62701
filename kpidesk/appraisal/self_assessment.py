"""The technician's own view, offline (issue 17): a form sent as .xlsx, filled in anywhere, imported back.

    rec = send_form(store, tech_id, "2026-Q3", "forms/Alex.xlsx", manager="Dana")   # writes the file
    rec = receive_form(store, "returned/Alex.xlsx")                                 # checks and keeps it
    view = view_for(store, checkin_id)    # hidden until the manager has rated every KPI

The form (kpidesk/appraisal/self_form.py) carries a hidden id; the database keeps, per technician and
period, the newest form sent (its id and the digest of its locked cells). A returned form is refused
with a message that says why, and nothing is stored, when:
- it is not a form this database sent, or an older one than the form last sent to that person;
- it belongs to another technician or period than the one the manager is importing it for;
- anything outside its editable cells was changed (the digest differs);
- the check-in of that period is already signed (a correction is a new version: correct it first).

Anchoring guard: a self-assessment is shown in the check-in only once the manager has entered a
rating for every KPI there is to rate (rated, with a value in the period), or the check-in is signed.
Before that the manager sees that one came back, not what it says.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import select

from kpidesk.appraisal.model import CheckInRecord, Facts
from kpidesk.errors import KpiDeskError, NotFound
from kpidesk.models import CheckIn, SelfAssessment, Technician
from kpidesk.periods import parse_period
from kpidesk.records import Changes

if TYPE_CHECKING:
    from kpidesk.appraisal.self_form import FormAnswers, FormContent
    from kpidesk.store import Store

CHANGES = Changes(checkins=True)


class SelfAssessmentRefused(KpiDeskError):
    """A returned form that cannot be taken: the message names the file and why."""


@dataclass
class SelfAssessmentRecord:
    id: int
    technician_id: int
    technician: str
    period: str
    form_id: str
    sent_at: dt.datetime
    sent_file: str = ""
    received_at: Optional[dt.datetime] = None
    received_file: str = ""
    answers: Optional[dict[str, Any]] = None  # ratings {kpi_id: {rating, why}}, went_well, got_in_way, support, goals

    @property
    def received(self) -> bool:
        return self.received_at is not None

    def to_json(self) -> dict[str, Any]:
        return {"technician_id": self.technician_id, "technician": self.technician, "period": self.period,
                "sent_at": self.sent_at.isoformat(sep=" ") if self.sent_at else None, "sent_file": self.sent_file,
                "received_at": self.received_at.isoformat(sep=" ") if self.received_at else None,
                "received_file": self.received_file, "answers": self.answers}


@dataclass
class SelfAssessmentView:
    """What the check-in may show: `state` is 'none' (no form sent), 'sent' (not back yet), 'hidden'
    (back, but the manager's ratings are not all in) or 'shown'; `record` is None unless shown."""

    state: str
    message: str
    record: Optional[SelfAssessmentRecord] = None
    missing: list[str] = field(default_factory=list)  # the KPIs the manager has still to rate


def _record(sa: SelfAssessment, name: str) -> SelfAssessmentRecord:
    answers = json.loads(sa.answers_json) if sa.answers_json else None
    return SelfAssessmentRecord(id=sa.id, technician_id=sa.technician_id, technician=name, period=sa.period,
                                form_id=sa.form_id, sent_at=sa.sent_at, sent_file=sa.sent_file,
                                received_at=sa.received_at, received_file=sa.received_file, answers=answers)


def get_for(store: "Store", technician_id: int, period: str) -> Optional[SelfAssessmentRecord]:
    with store.read() as s:
        sa = s.scalar(select(SelfAssessment).where(SelfAssessment.technician_id == technician_id,
                                                   SelfAssessment.period == period))
        if sa is None:
            return None
        return _record(sa, s.get(Technician, technician_id).display_name)


# Sending ---------------------------------------------------------------------------------------

def form_content(store: "Store", technician_id: int, period: str, *, manager: str = "",
                 today: dt.date | None = None) -> "FormContent":
    """What the form shows: the role's KPIs with this period's and the previous period's values, the
    targets, last period's goals with their movement, the scale and its words."""
    from kpidesk.appraisal.facts import gather
    from kpidesk.appraisal.progress import goals_before
    from kpidesk.appraisal.self_form import FormContent, FormGoal, FormKpi
    from kpidesk.settings import default_words

    p = parse_period(period)
    facts: Facts = gather(store, technician_id, p.key)
    kpis = []
    for k in facts.kpis:
        kpis.append(FormKpi(kpi_id=k.kpi_id, name=k.name, unit=k.unit, direction=k.direction, value=k.value,
                            target=k.target, previous=k.previous(p.key), rated=k.rated))
    goals = [FormGoal(text=g.text, summary=g.summary) for g in goals_before(store, technician_id, p.key, facts)]
    scale = tuple(int(x) for x in (store.get_setting("rating_scale") or (1, 5)))
    words = list(store.get_setting("rating_words") or default_words(scale))
    due_days = int(store.get_setting("cycle_due_days") or 0)
    due = max(p.last_day + dt.timedelta(days=max(0, due_days - 7)), (today or dt.date.today()) + dt.timedelta(days=7))
    return FormContent(form_id=uuid.uuid4().hex, technician_id=technician_id, technician=facts.technician,
                       period=p.key, period_label=facts.period_label or p.key, role=facts.role, manager=manager,
                       organisation=str(store.get_setting("organisation") or ""), scale=scale,  # type: ignore[arg-type]
                       scale_words=words, kpis=kpis, goals=goals, due=due)


def send_form(store: "Store", technician_id: int, period: str, path: str | Path, *, manager: str = "",
              today: dt.date | None = None, now: dt.datetime | None = None) -> SelfAssessmentRecord:
    """Write the technician's form at `path` and record it as sent. Sending again replaces the earlier
    form (which is then refused if it comes back) but keeps nothing of it; a form cannot be sent for a
    signed check-in. The file is written first and removed again if the database refuses."""
    from kpidesk.appraisal.self_form import write_form

    p = parse_period(period)
    _refuse_if_signed(store, technician_id, p.key, Path(path).name, sending=True)
    content = form_content(store, technician_id, p.key, manager=manager, today=today)
    dest = Path(path).expanduser()
    digest = write_form(content, dest)
    try:
        with store.write() as s:
            sa = s.scalar(select(SelfAssessment).where(SelfAssessment.technician_id == technician_id,
                                                       SelfAssessment.period == p.key))
            if sa is None:
                sa = SelfAssessment(technician_id=technician_id, period=p.key)
                s.add(sa)
            sa.form_id, sa.locked_digest, sa.sent_file = content.form_id, digest, dest.name
            sa.sent_at = (now or dt.datetime.now()).replace(microsecond=0)
            sa.received_at, sa.received_file, sa.answers_json = None, "", None
            s.flush()
            return _record(sa, content.technician)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise


# Receiving -------------------------------------------------------------------------------------

def _refuse_if_signed(store: "Store", technician_id: int, period: str, file_name: str, sending: bool = False) -> None:
    with store.read() as s:
        ci = s.scalar(select(CheckIn).where(CheckIn.technician_id == technician_id, CheckIn.period == period)
                      .order_by(CheckIn.version.desc()).limit(1))
        name = s.get(Technician, technician_id)
        if name is None:
            raise NotFound(f"There is no technician with id {technician_id}.")
        if ci is not None and ci.status == "signed":
            what = "sent" if sending else "taken"
            raise SelfAssessmentRefused(
                f"{file_name}: {name.display_name}'s check-in for {period} was signed on "
                f"{ci.manager_signed_at:%d %b %Y}; "
                f"a self-assessment cannot be {what} for a signed check-in. Correct it (a new version) first.")


def _answers_json(a: "FormAnswers") -> dict[str, Any]:
    return {"ratings": {str(k): {"rating": v.get("rating"), "why": str(v.get("why") or "")}
                        for k, v in a.ratings.items()},
            "went_well": a.went_well, "got_in_way": a.got_in_way, "support": a.support, "goals": list(a.goals)}


def receive_form(store: "Store", path: str | Path, *, technician_id: int | None = None, period: str | None = None,
                 now: dt.datetime | None = None) -> SelfAssessmentRecord:
    """Check a returned form and keep its answers. `technician_id` / `period`: who and which cycle the
    manager is importing it for (the window passes the selected person); a form for anyone else is
    refused. Receiving the same form again replaces the answers with the newer file's."""
    from kpidesk.appraisal.self_form import read_form

    path = Path(path).expanduser()
    answers = read_form(path)  # FormRefused (a KpiDeskError) for a file that is not a readable form
    with store.read() as s:
        sa = s.scalar(select(SelfAssessment).where(SelfAssessment.form_id == answers.form_id))
        if sa is None:
            raise SelfAssessmentRefused(_unknown_form(s, path.name, answers))
        tech = s.get(Technician, sa.technician_id)
        owner, form_period, digest = tech.display_name, sa.period, sa.locked_digest
        form_tech = sa.technician_id
    if answers.technician_id != form_tech or answers.period != form_period:
        raise SelfAssessmentRefused(f"{path.name}: its hidden id was altered (it names another person or period "
                                    f"than the form sent to {owner} for {form_period}); it was not imported.")
    if technician_id is not None and technician_id != form_tech:
        wanted = store.get_technician(technician_id).display_name
        raise SelfAssessmentRefused(f"{path.name} is {owner}'s self-assessment for {form_period}, not "
                                    f"{wanted}'s; it was not imported.")
    if period is not None and parse_period(period).key != form_period:
        raise SelfAssessmentRefused(f"{path.name} is {owner}'s self-assessment for {form_period}, not for "
                                    f"{parse_period(period).key}; it was not imported.")
    if answers.locked_digest != digest:
        raise SelfAssessmentRefused(
            f"{path.name}: something outside the yellow cells was changed since the form was sent to {owner} "
            f"(the numbers, the KPIs or the headings). Only the yellow cells may be filled in; send the form "
            "again or ask for the original back. It was not imported.")
    _refuse_if_signed(store, form_tech, form_period, path.name)
    with store.write() as s:
        sa = s.scalar(select(SelfAssessment).where(SelfAssessment.form_id == answers.form_id))
        sa.answers_json = json.dumps(_answers_json(answers))
        sa.received_at = (now or dt.datetime.now()).replace(microsecond=0)
        sa.received_file = path.name
        s.flush()
        return _record(sa, owner)


def _unknown_form(s: Any, file_name: str, answers: "FormAnswers") -> str:
    newer = s.scalar(select(SelfAssessment).where(SelfAssessment.technician_id == answers.technician_id,
                                                  SelfAssessment.period == answers.period))
    if newer is not None:
        return (f"{file_name} is an older self-assessment form for {answers.period}: a newer one was sent on "
                f"{newer.sent_at:%d %b %Y} ({newer.sent_file}). Only the newest form sent is taken.")
    return (f"{file_name} is a self-assessment form this database did not send (another database, or the form "
            "was deleted since); it was not imported.")


# Showing ---------------------------------------------------------------------------------------

def to_rate(facts: Facts) -> list[tuple[int, str]]:
    """The KPIs the manager rates: rated ones with a value in the period."""
    return [(k.kpi_id, k.name) for k in facts.kpis if k.rated and k.value is not None]


def missing_ratings(record: CheckInRecord, facts: Facts) -> list[str]:
    ratings = record.data.get("ratings") or {}

    def rated(kid: int) -> bool:
        entry = ratings.get(str(kid))
        value = entry.get("rating") if isinstance(entry, dict) else entry
        return value not in (None, "")

    return [name for kid, name in to_rate(facts) if not rated(kid)]


def view(store: "Store", record: CheckInRecord, facts: Facts) -> SelfAssessmentView:
    """The anchoring guard: what the check-in `record` may show of its self-assessment now."""
    sa = get_for(store, record.technician_id, record.period)
    if record.frozen is not None and "self_assessment" in record.frozen:  # signed: as it was at signing
        frozen = record.frozen["self_assessment"]
        if not frozen:
            return SelfAssessmentView("none", "No self-assessment was received before signing.")
        return SelfAssessmentView("shown", "", _from_frozen(record, frozen))
    if sa is None:
        return SelfAssessmentView("none", "No self-assessment form was sent for this period.")
    if not sa.received:
        return SelfAssessmentView("sent", f"A self-assessment form was sent on {sa.sent_at:%d %b %Y}; it has not "
                                          "come back yet.")
    missing = [] if record.signed else missing_ratings(record, facts)
    if missing:
        return SelfAssessmentView("hidden", f"{record.technician}'s self-assessment came back on "
                                            f"{sa.received_at:%d %b %Y}. It shows here once you have rated every "
                                            f"KPI ({len(missing)} to go), so that it cannot anchor your ratings.",
                                  None, missing)
    return SelfAssessmentView("shown", "", sa)


def view_for(store: "Store", checkin_id: int) -> SelfAssessmentView:
    from kpidesk.appraisal.checkins import facts_of, get_checkin

    return view(store, get_checkin(store, checkin_id), facts_of(store, checkin_id))


def frozen_value(store: "Store", technician_id: int, period: str) -> Optional[dict[str, Any]]:
    """What signing keeps of the self-assessment (None: none received)."""
    sa = get_for(store, technician_id, period)
    if sa is None or not sa.received:
        return None
    return {"received_at": sa.received_at.isoformat(sep=" "), "file": sa.received_file, "answers": sa.answers}


def _from_frozen(record: CheckInRecord, frozen: dict[str, Any]) -> SelfAssessmentRecord:
    received = frozen.get("received_at")
    return SelfAssessmentRecord(id=0, technician_id=record.technician_id, technician=record.technician,
                                period=record.period, form_id="", sent_at=None,  # type: ignore[arg-type]
                                received_at=dt.datetime.fromisoformat(received) if received else None,
                                received_file=str(frozen.get("file") or ""), answers=frozen.get("answers") or {})
