"""From stored check-ins to AppraisalReport content: the one adapter between the check-in data and
the exports.

The check-in core (kpidesk/appraisal, issue 5) had not landed when this was written, so this reads
the CheckIn rows through the Store's sessions directly and is tolerant about the JSON keys:
- frozen_json (signed check-ins): the numbers as they were at signing; used as they are;
- data_json: ratings, strengths, support, goals, comments, summary, override reason;
- drafts have no frozen numbers: their data_json "facts" when present, else value, trend and own
  baseline come from the live measurements (scope 'technician:<id>'), the target from the role
  profile, else the KPI's target.
Only the latest version of each technician's check-in for a period is exported.
Issue 17: the self-assessment and the agenda of KPI reviews come from frozen_json for a signed
check-in (no section at all when it was signed before they existed), live for a draft (the
self-assessment behind the anchoring guard); the calibration log from data_json. `cycle_for` gives
the review cycle a quarter, half-year or year is, for the workbook's Cycle sheet.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import func, select

from kpidesk.errors import ExportFailed
from kpidesk.export.content import (
    AgendaLine,
    AppraisalReport,
    CalibrationChange,
    ContextLine,
    ContextNote,
    ExportCycle,
    Goal,
    KpiLine,
    OwnRating,
    SelfAssessmentPart,
    TrendPoint,
)
from kpidesk.models import CheckIn, RoleProfile, Team, Technician
from kpidesk.people import alias_key
from kpidesk.periods import parse_period

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kpidesk.appraisal.model import CheckInRecord, Facts

    from kpidesk.store import Store

TREND_PERIODS = 6
CONTEXT_METRICS = ("backlog_open", "sla_compliance")  # team outcomes shown as context, never rated


def _pick(d: dict[str, Any], *keys: str, default: Any = None) -> Any:
    for k in keys:
        if k in d and d[k] not in (None, ""):
            return d[k]
    return default


def _loads(text: Optional[str]) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _date(value: Any) -> Optional[dt.date]:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


# Selection ------------------------------------------------------------------------------------

def select_check_ins(store: "Store", period: str, team: str | None = None,
                     technician: str | None = None) -> list[int]:
    """Ids of the latest check-in version per technician for `period`, optionally of one team or one
    technician (names matched case-insensitively; a technician also by an alias). Raises
    ExportFailed naming what exists when the team or technician is unknown."""
    key = parse_period(period).key
    with store.read() as s:
        q = select(CheckIn.technician_id, func.max(CheckIn.version)).where(CheckIn.period == key)
        if team:
            team_id = _find_team(s, team)
            q = q.where(CheckIn.technician_id.in_(select(Technician.id).where(Technician.team_id == team_id)))
        if technician:
            tech = store.find_technician(technician)
            if tech is None:
                raise ExportFailed(f"No technician named {technician!r}.")
            q = q.where(CheckIn.technician_id == tech.id)
        latest = s.execute(q.group_by(CheckIn.technician_id)).all()
        ids = [s.scalar(select(CheckIn.id).where(CheckIn.technician_id == t, CheckIn.period == key,
                                                 CheckIn.version == v)) for t, v in latest]
    return [i for i in ids if i is not None]


def _find_team(s: "Session", name: str) -> int:
    teams = s.execute(select(Team.id, Team.name)).all()
    for tid, tname in teams:
        if alias_key(tname) == alias_key(name):
            return tid
    known = ", ".join(sorted(t for _, t in teams)) or "none yet"
    raise ExportFailed(f"No team named {name!r} (teams: {known}).")


def reports_for(store: "Store", period: str, team: str | None = None, technician: str | None = None,
                now: dt.datetime | None = None) -> list[AppraisalReport]:
    return [build_report(store, cid, now=now) for cid in select_check_ins(store, period, team, technician)]


def cycle_for(store: "Store", period: str, team: str | None = None, technician: str | None = None,
              include_drafts: bool = False, today: dt.date | None = None) -> Optional[ExportCycle]:
    """The review cycle a quarter, half-year or year is (None for a month), its members limited to
    the team or the technician the export is for."""
    from kpidesk.appraisal.cycles import cycle_status
    from kpidesk.periods import CYCLE_LENGTHS

    p = parse_period(period)
    if p.granularity not in CYCLE_LENGTHS:
        return None
    status = cycle_status(store, p, today)
    scope = ""
    if team:
        with store.read() as s:
            team_id = _find_team(s, team)
            name = s.get(Team, team_id).name
            ids = set(s.scalars(select(Technician.id).where(Technician.team_id == team_id)))
        status.members = [m for m in status.members if m.technician_id in ids]
        scope = f"team {name}"
    elif technician:
        tech = store.find_technician(technician)
        if tech is None:
            raise ExportFailed(f"No technician named {technician!r}.")
        status.members = [m for m in status.members if m.technician_id == tech.id]
        scope = tech.display_name
    return ExportCycle(status=status, scope=scope, drafts_included=include_drafts)


# One report -----------------------------------------------------------------------------------

def build_report(store: "Store", check_in_id: int, now: dt.datetime | None = None) -> AppraisalReport:
    from kpidesk.settings import logo_bytes

    organisation = str(store.get_setting("organisation") or "")
    scale = tuple(store.get_setting("rating_scale") or (1, 5))
    words = list(store.get_setting("rating_words") or [])
    logo = logo_bytes(str(store.get_setting("logo") or ""))
    from kpidesk.appraisal.checkins import facts_of, get_checkin
    from kpidesk.errors import NotFound

    try:  # frozen numbers for a signed check-in, live ones for a draft: what the wizard shows
        facts_obj = facts_of(store, check_in_id)
        record = get_checkin(store, check_in_id)
    except NotFound as exc:
        raise ExportFailed(f"There is no check-in {check_in_id}.") from exc
    facts = facts_obj.to_json()
    with store.read() as s:
        ci = s.get(CheckIn, check_in_id)
        if ci is None:
            raise ExportFailed(f"There is no check-in {check_in_id}.")
        tech = s.get(Technician, ci.technician_id)
        role = s.get(RoleProfile, ci.role_profile_id) if ci.role_profile_id else tech.role_profile
        period = parse_period(ci.period)
        data, frozen = _loads(ci.data_json), facts
        kpis = _frozen_kpis(frozen)
        _apply_ratings(kpis, data)
        for k in kpis:
            if tech.escalation_destination and "escalation" in k.name.lower():
                k.rated, k.note = False, k.note or "Escalation destination: reported, not rated."
        report = AppraisalReport(
            organisation=organisation, technician=tech.display_name, period=period.key,
            period_label=f"{period.key} ({period.start:%d %b %Y} to {period.last_day:%d %b %Y})",
            team=tech.team.name if tech.team else "", role=role.name if role else "",
            manager=ci.manager_name or str(_pick(data, "manager", "manager_name", default="")),
            status=ci.status, version=ci.version, manager_signed_at=ci.manager_signed_at,
            technician_ack_name=ci.technician_ack_name, technician_ack_at=ci.technician_ack_at,
            escalation_destination=tech.escalation_destination, kpis=kpis,
            readings=_texts(_pick(frozen, "readings", default=None) or _pick(data, "readings", default=[])),
            escalation_reading=str(_pick(frozen, "escalation_reading", default="")
                                   or _pick(data, "escalation_reading", default="")),
            context=_frozen_context(frozen), context_notes=_context_notes(frozen),
            data_notes=_texts(_pick(frozen, "data_notes", "warnings", default=None)
                              or _pick(data, "data_notes", "warnings", default=[])),
            strengths=str(_pick(data, "strengths", default="")),
            support=str(_pick(data, "support", "support_needed", "training", default="")),
            goals=[_goal(g) for g in _pick(data, "goals", default=[]) if isinstance(g, dict)],
            manager_comment=str(_pick(data, "manager_comment", "manager_comments", default="")),
            technician_comment=str(_pick(data, "technician_comment", "technician_comments", default="")),
            summary=str(_pick(data, "summary", "overall_summary", default="")),
            overall_rating=ci.overall_rating if ci.overall_rating is not None else _pick(data, "overall_rating"),
            proposed_rating=_pick(data, "proposed_rating", default=None),
            override_reason=str(_pick(data, "override_reason", default="")),
            rating_scale=(int(scale[0]), int(scale[1])), rating_words=words, logo=logo, generated_at=now or dt.datetime.now().replace(microsecond=0),
            check_in_id=ci.id,
        )
    _add_cycle_parts(store, report, record, facts_obj)
    return report


# Issue 17: self-assessment, agenda, calibration -------------------------------------------------

def _add_cycle_parts(store: "Store", report: AppraisalReport, record: "CheckInRecord", facts: "Facts") -> None:
    """The self-assessment, the agenda of KPI reviews and the calibration log. A signed check-in shows
    what was frozen at signing (nothing of the first two when it was signed before they existed); a
    draft shows them live, the self-assessment only once the anchoring guard lets the manager see it."""
    from kpidesk.appraisal.agenda import agenda_for, frozen_agenda
    from kpidesk.appraisal.self_assessment import view

    frozen = record.frozen
    if record.signed and frozen is not None:
        if "self_assessment" in frozen:
            report.self_assessment_shown = True
            own = frozen.get("self_assessment")
            if isinstance(own, dict):
                report.self_assessment = _own_part(own.get("answers") or {}, _when(own.get("received_at")),
                                                   report.kpis)
            else:
                report.self_assessment_note = "No self-assessment was received."
        items = frozen_agenda(frozen) or []
    else:
        seen = view(store, record, facts)
        report.self_assessment_shown = True
        if seen.state == "shown" and seen.record is not None and seen.record.answers is not None:
            report.self_assessment = _own_part(seen.record.answers, seen.record.received_at, report.kpis)
        elif seen.state == "hidden":
            report.self_assessment_note = (
                f"{record.technician}'s self-assessment has come back. It is shown here once the manager has "
                "rated every KPI, so that it cannot anchor the ratings.")
        elif seen.state == "sent":
            report.self_assessment_note = seen.message
        else:
            report.self_assessment_note = "No self-assessment was received."
        items = agenda_for(store, record.technician_id, record.period, record.data, record.id)
    report.agenda = [AgendaLine(summary=i.summary, state=i.state, acknowledged_by=i.acknowledged_by,
                                acknowledged_at=i.acknowledged_at, note=i.note, said=i.said) for i in items]
    report.calibration = _calibration(record.data.get("calibration"), report.kpis)


def _when(value: Any) -> Optional[dt.datetime]:
    try:
        return dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _number(value: Any) -> Optional[float]:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def _own_part(answers: dict[str, Any], received_at: Optional[dt.datetime], kpis: list[KpiLine]) -> SelfAssessmentPart:
    """Their rating and why per KPI, in the order of the report's KPIs, beside the manager's rating."""
    ratings = answers.get("ratings") or {}
    ratings = ratings if isinstance(ratings, dict) else {}
    order = {str(k.kpi_id): k for k in kpis}
    keys = [key for key in order if key in ratings] + [key for key in ratings if key not in order]
    lines = []
    for key in keys:
        entry = ratings[key] if isinstance(ratings[key], dict) else {"rating": ratings[key]}
        kpi = order.get(key)
        lines.append(OwnRating(kpi=kpi.name if kpi else f"KPI {key}", rating=_number(entry.get("rating")),
                               why=str(entry.get("why") or ""), manager_rating=kpi.rating if kpi else None))
    return SelfAssessmentPart(received_at=received_at, ratings=lines, went_well=str(answers.get("went_well") or ""),
                              got_in_way=str(answers.get("got_in_way") or ""),
                              support=str(answers.get("support") or ""),
                              goals=[str(g) for g in answers.get("goals") or [] if str(g or "").strip()])


def _calibration(log: Any, kpis: list[KpiLine]) -> list[CalibrationChange]:
    names = {str(k.kpi_id): k.name for k in kpis}
    out = []
    for c in log or []:
        if not isinstance(c, dict):
            continue
        what = str(c.get("what") or "")
        out.append(CalibrationChange(what="Overall rating" if what == "overall" else names.get(what, f"KPI {what}"),
                                     before=_number(c.get("from")), after=_number(c.get("to")),
                                     reason=str(c.get("reason") or ""), by=str(c.get("by") or ""),
                                     at=str(c.get("at") or "")))
    return out


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    out = []
    for v in value or []:
        out.append(str(v.get("text", "")) if isinstance(v, dict) else str(v))
    return [t for t in out if t.strip()]


def _goal(g: dict[str, Any]) -> Goal:
    return Goal(text=str(_pick(g, "text", "title", "goal", default="")),
                kpi=str(_pick(g, "kpi", "kpi_name", default="")),
                target=str(_pick(g, "target", "target_text", default="")),
                due=_date(_pick(g, "due", "due_date", "date")),
                smart_problems=[str(p) for p in _pick(g, "smart_problems", "problems", default=[])])


def _frozen_kpis(frozen: dict[str, Any]) -> list[KpiLine]:
    out = []
    for k in frozen.get("kpis", []):
        trend = [TrendPoint(str(p[0]), p[1]) if isinstance(p, (list, tuple)) else
                 TrendPoint(str(p.get("period")), p.get("value")) for p in k.get("trend", [])]
        band = k.get("band")
        out.append(KpiLine(name=str(k.get("name", "")), unit=str(k.get("unit", "")),
                           direction=str(k.get("direction", "higher")), value=k.get("value"),
                           baseline=k.get("baseline"), target=k.get("target"),
                           band=tuple(band) if band else None, trend=trend, weight=k.get("weight"),
                           rated=bool(k.get("rated", True)), note=str(k.get("note", "")),
                           kpi_id=k.get("kpi_id"), thin=bool(k.get("thin", False)),
                           bands=bool(k.get("bands", False)), act=tuple(k["act"]) if k.get("act") else None))
    return out


def _frozen_context(frozen: dict[str, Any]) -> list[ContextLine]:
    return [ContextLine(name=str(c.get("name", "")), unit=str(c.get("unit", "")), value=c.get("value"),
                        previous=c.get("previous"), note=str(c.get("note", "")))
            for c in frozen.get("team_context", []) if isinstance(c, dict)]


def _context_notes(frozen: dict[str, Any]) -> list[ContextNote]:
    """The annotations the check-in lists (frozen with it when signed); none in older frozen data."""
    from kpidesk.annotations import AnnotationRecord

    out = []
    for c in frozen.get("context_notes") or []:
        try:
            a = AnnotationRecord.from_json(c)
        except (KeyError, TypeError, ValueError):
            continue  # a hand-edited or damaged entry is left out, not the whole report
        out.append(ContextNote(when=a.when, text=a.text, applies_to=a.applies_to, on=a.on, until=a.until,
                               kpi_id=a.kpi_id))
    return out


def _apply_ratings(kpis: list[KpiLine], data: dict[str, Any]) -> None:
    """Ratings may be keyed by KPI id or name, each a number or {'rating': n, 'comment': '...'}."""
    ratings = _pick(data, "ratings", "kpi_ratings", default={})
    if isinstance(ratings, list):
        ratings = {str(_pick(r, "kpi_id", "kpi", "name", default="")): r for r in ratings if isinstance(r, dict)}
    for k in kpis:
        entry = ratings.get(str(k.kpi_id)) or ratings.get(k.name)
        if isinstance(entry, dict):
            k.rating = _pick(entry, "rating", "value")
            k.rating_comment = str(_pick(entry, "comment", default=""))
        elif isinstance(entry, (int, float)):
            k.rating = float(entry)
        if not k.rateable:  # not rated, or no value in the period: nothing to rate
            k.rating = None
