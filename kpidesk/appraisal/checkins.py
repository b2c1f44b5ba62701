"""Check-ins: start or resume, save each step, sign, acknowledge, correct, history (issue 5).

    ci = start_or_resume(store, tech_id)              # default period: the last full quarter
    ci = save_step(store, ci.id, 2, {"ratings": {...}})   # the draft is saved at every step
    ci = sign(store, ci.id, "Dana Whitfield")         # freezes the facts; read-only from now on
    ci = acknowledge(store, ci.id, "Alex Morgan")
    v2 = correct(store, ci.id)                         # a new draft version superseding the signed one

Invariants:
- one row per (technician, period, version); the latest version is the one in force;
- a signed check-in never changes again except for the technician's acknowledgement (once);
  every other write raises CheckInLocked;
- at signing, the facts (kpidesk.appraisal.facts) and the period's performance notes are frozen into
  frozen_json, so a later import does not silently change what was agreed (see live_differences);
- the overall rating kept on the row is the manager's override when there is one (with its reason,
  kpidesk.appraisal.rating), else the proposal from the KPI ratings and the role's weights.
Mutations return the new record; the change flag for screens is CHANGES (Changes(checkins=True)).
"""
from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, Mapping, Optional

from sqlalchemy import func, select

from kpidesk.appraisal import goals as goal_rules
from kpidesk.appraisal import rating as rating_rules
from kpidesk.appraisal.facts import gather
from kpidesk.appraisal.model import CheckInLocked, CheckInRecord, Facts
from kpidesk.appraisal.notes import list_notes
from kpidesk.errors import NotFound, ValidationError
from kpidesk.models import CheckIn, Kpi, RoleProfile, Technician, utcnow
from kpidesk.periods import Period, last_full_period, parse_period
from kpidesk.records import Changes

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kpidesk.store import Store

CHANGES = Changes(checkins=True)
STEPS = ("Who and when", "Role KPIs", "Speed and quality", "Escalations", "Team context", "The conversation",
         "Review and sign-off")
TEXT_FIELDS = ("strengths", "support", "technician_comment", "manager_comment", "summary", "override_reason")


def _loads(text: Optional[str]) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _record(s: "Session", ci: CheckIn) -> CheckInRecord:
    tech = s.get(Technician, ci.technician_id)
    role = s.get(RoleProfile, ci.role_profile_id) if ci.role_profile_id else None
    newer = s.scalar(select(CheckIn.id).where(CheckIn.supersedes_id == ci.id))
    frozen = _loads(ci.frozen_json) if ci.frozen_json else None
    return CheckInRecord(
        id=ci.id, technician_id=ci.technician_id, technician=tech.display_name if tech else "", period=ci.period,
        version=ci.version, status=ci.status, step=ci.step, role_profile_id=ci.role_profile_id,
        role=role.name if role else "", supersedes_id=ci.supersedes_id, superseded_by_id=newer,
        data=_loads(ci.data_json), frozen=frozen, overall_rating=ci.overall_rating, manager_name=ci.manager_name,
        manager_signed_at=ci.manager_signed_at, technician_ack_name=ci.technician_ack_name,
        technician_ack_at=ci.technician_ack_at, created_at=ci.created_at, updated_at=ci.updated_at)


def _get(s: "Session", checkin_id: int) -> CheckIn:
    ci = s.get(CheckIn, checkin_id)
    if ci is None:
        raise NotFound(f"There is no check-in {checkin_id}.")
    return ci


def _locked(ci: CheckIn) -> CheckInLocked:
    return CheckInLocked(f"The check-in for {ci.period} (version {ci.version}) was signed on "
                         f"{ci.manager_signed_at:%d %b %Y} and is read-only. Use 'Correct (new version)' "
                         "to change it; the history keeps both versions.")


def get_checkin(store: "Store", checkin_id: int) -> CheckInRecord:
    with store.read() as s:
        return _record(s, _get(s, checkin_id))


# Starting ---------------------------------------------------------------------------------------

def start_or_resume(store: "Store", technician_id: int, period: Period | str | None = None,
                    today: dt.date | None = None) -> CheckInRecord:
    """The technician's check-in for `period` (default: the last full quarter before `today`): the
    latest version if one exists (a draft to resume, or a signed one to read), else a new draft."""
    p = (period if isinstance(period, Period) else parse_period(period) if period
         else last_full_period(today or dt.date.today(), "quarter"))
    with store.write() as s:
        tech = s.get(Technician, technician_id)
        if tech is None:
            raise NotFound(f"There is no technician with id {technician_id}.")
        ci = s.scalar(select(CheckIn).where(CheckIn.technician_id == technician_id, CheckIn.period == p.key)
                      .order_by(CheckIn.version.desc()).limit(1))
        if ci is None:
            ci = CheckIn(technician_id=technician_id, role_profile_id=tech.role_profile_id, period=p.key,
                         version=1, status="draft", step=0, data_json="{}")
            s.add(ci)
            s.flush()
        return _record(s, ci)


# Saving a step ----------------------------------------------------------------------------------

def _role_kpis(s: "Session", ci: CheckIn) -> dict[int, tuple[str, str, float, bool]]:
    """{kpi id: (name, unit, weight, rated)} of the check-in's role profile."""
    tech = s.get(Technician, ci.technician_id)
    role = s.get(RoleProfile, ci.role_profile_id) if ci.role_profile_id else None
    out = {}
    for rk in role.kpis if role else []:
        k = rk.kpi
        rated = k.level != "team" and not (tech.escalation_destination and k.metric == "escalation_rate")
        out[k.id] = (k.name, k.unit, float(rk.weight), rated)
    return out


def _clean(s: "Session", ci: CheckIn, data: dict[str, Any], scale: tuple[float, float],
           no_data: set[int] | None = None, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Check and complete the answers: ratings on the scale and only for rated KPIs with a value in
    the period, goals with their SMART problems, the proposal and the overall rating (override needs
    a reason). `no_data`: the role KPIs without a value in the period (None: not looked up, the
    ratings are as last checked); a rating `given` now for one of them is refused, one kept from
    before (the data went away since, an import undone) is dropped, and `left_out` names them."""
    role = _role_kpis(s, ci)
    fresh = {str(k) for k, v in ((given or {}).get("ratings") or {}).items()
             if (v.get("rating") if isinstance(v, dict) else v) not in (None, "")}
    ratings: dict[str, dict[str, Any]] = {}
    for key, entry in (data.get("ratings") or {}).items():
        entry = entry if isinstance(entry, dict) else {"rating": entry}
        value = entry.get("rating")
        value = None if value in (None, "") else float(value)
        kid = int(key)
        if value is not None:
            if kid in role and not role[kid][3]:
                raise ValidationError({role[kid][0]: "is not rated for this technician (a team outcome or an "
                                       "escalation destination's escalation rate)"})
            if no_data is not None and kid in no_data:
                if str(kid) in fresh:
                    raise ValidationError({role.get(kid, (f"KPI {kid}",))[0]: f"has no value for {ci.period}: "
                                           "there is nothing to rate (no data)"})
                value = None
            rating_rules.check_rating(value, scale, role.get(kid, (f"KPI {kid}",))[0])
        ratings[str(kid)] = {"rating": value, "comment": str(entry.get("comment") or "").strip()}
    data["ratings"] = ratings
    if no_data is not None:
        data["left_out"] = [role[k][0] for k in sorted(no_data) if k in role and role[k][3]]
    last_day = parse_period(ci.period).last_day
    kpis = {kid: (name, unit) for kid, (name, unit, _w, _r) in role.items()}
    kpis.update({k.id: (k.name, k.unit) for k in s.scalars(select(Kpi)) if k.id not in kpis})
    data["goals"] = [goal_rules.normalise(g, last_day, kpis) for g in data.get("goals") or [] if isinstance(g, dict)]
    proposed = rating_rules.propose({int(k): v["rating"] for k, v in ratings.items()},
                                    {k: v[2] for k, v in role.items()}, {k: v[3] for k, v in role.items()})
    override = data.get("overall_override")
    override = None if override in (None, "") else float(override)
    decision = rating_rules.decide(proposed, override, str(data.get("override_reason") or ""), scale)
    data["proposed_rating"], data["overall_override"] = proposed, override if decision.overridden else None
    data["override_reason"] = decision.reason
    data["overall_rating"] = decision.overall
    return data


def save_step(store: "Store", checkin_id: int, step: int, data: Mapping[str, Any]) -> CheckInRecord:
    """Merge `data` into the draft's answers and remember `step` (where to resume). Refused with
    CheckInLocked once signed; ValidationError for a rating off the scale or an override without
    a reason (nothing is saved then)."""
    scale = tuple(store.get_setting("rating_scale") or (1, 5))
    # Which KPIs have no value is looked up (~30 ms) only when ratings are given: a step without
    # them keeps the ratings as they were last checked.
    no_data = _no_data(store, checkin_id) if "ratings" in data else None
    with store.write() as s:
        ci = _get(s, checkin_id)
        if ci.status == "signed":
            raise _locked(ci)
        merged = {**_loads(ci.data_json), **dict(data)}
        for f in TEXT_FIELDS:
            if f in merged:
                merged[f] = str(merged[f] or "").strip()
        merged = _clean(s, ci, merged, scale, no_data, data)  # type: ignore[arg-type]
        ci.data_json = json.dumps(merged)
        ci.overall_rating = merged["overall_rating"]
        ci.step = max(0, min(int(step), len(STEPS) - 1))
        ci.updated_at = utcnow()
        s.flush()
        return _record(s, ci)


def no_data_in(facts: Facts) -> set[int]:
    """The role KPIs with no value in the check-in's period: they cannot be rated."""
    return {k.kpi_id for k in facts.kpis if k.value is None}


def _no_data(store: "Store", checkin_id: int) -> set[int] | None:
    rec = get_checkin(store, checkin_id)
    if rec.signed:
        return None  # refused below, under the lock
    return no_data_in(gather(store, rec.technician_id, rec.period))


# Signing ----------------------------------------------------------------------------------------

def facts_of(store: "Store", checkin_id: int) -> Facts:
    """The facts a check-in shows: frozen at signing for a signed one, live for a draft (with the
    period's performance notes either way)."""
    rec = get_checkin(store, checkin_id)
    if rec.frozen:
        facts = Facts.from_json(rec.frozen, rec.technician_id, rec.technician, rec.period)
        if "escalation_destination" not in rec.frozen:  # frozen before this module: fill who from today's record
            tech = store.get_technician(rec.technician_id)
            facts.escalation_destination = tech.escalation_destination
            facts.role, facts.team = facts.role or tech.role_profile_name, facts.team or tech.team_name
            facts.period_label = facts.period_label or rec.period
        return facts
    facts = gather(store, rec.technician_id, rec.period)
    facts.notes = [n.to_json() for n in list_notes(store, rec.technician_id, rec.period)]
    return facts


def sign(store: "Store", checkin_id: int, manager_name: str, now: dt.datetime | None = None) -> CheckInRecord:
    """Manager sign-off: freezes the facts, the self-assessment received and the agenda, writes what
    was said of each agenda review back to it (its follow-up), and makes the check-in read-only."""
    from kpidesk.appraisal.agenda import agenda_for, write_follow_ups
    from kpidesk.appraisal.self_assessment import frozen_value

    if not manager_name.strip():
        raise ValidationError({"manager_name": "the manager signs with their name"})
    rec = get_checkin(store, checkin_id)
    if rec.signed:
        raise CheckInLocked(f"This check-in was already signed by {rec.manager_name} on "
                            f"{rec.manager_signed_at:%d %b %Y}.")
    facts = facts_of(store, checkin_id)  # gathered before the write lock: the engine reads on its own
    agenda = agenda_for(store, rec.technician_id, rec.period, rec.data, checkin_id)
    own_view = frozen_value(store, rec.technician_id, rec.period)
    scale = tuple(store.get_setting("rating_scale") or (1, 5))
    with store.write() as s:
        ci = _get(s, checkin_id)
        if ci.status == "signed":
            raise _locked(ci)
        data = _clean(s, ci, _loads(ci.data_json), scale, no_data_in(facts))  # type: ignore[arg-type]
        ci.data_json = json.dumps(data)
        ci.frozen_json = json.dumps({**facts.to_json(), "self_assessment": own_view,
                                     "agenda": [item.to_json() for item in agenda]})
        ci.overall_rating = data["overall_rating"]
        ci.status, ci.step = "signed", len(STEPS) - 1
        ci.manager_name = manager_name.strip()
        ci.manager_signed_at = (now or dt.datetime.now()).replace(microsecond=0)
        write_follow_ups(s, ci, agenda, ci.manager_signed_at)
        s.flush()
        return _record(s, ci)


def acknowledge(store: "Store", checkin_id: int, technician_name: str,
                now: dt.datetime | None = None) -> CheckInRecord:
    """The technician's acknowledgement (they have seen it; not that they agree): once, after signing."""
    if not technician_name.strip():
        raise ValidationError({"technician_name": "the technician acknowledges with their name"})
    with store.write() as s:
        ci = _get(s, checkin_id)
        if ci.status != "signed":
            raise ValidationError({"acknowledgement": "the manager signs first; the technician acknowledges "
                                   "the signed check-in"})
        if ci.technician_ack_at is not None:
            raise CheckInLocked(f"Already acknowledged by {ci.technician_ack_name} on {ci.technician_ack_at:%d %b %Y}.")
        ci.technician_ack_name = technician_name.strip()
        ci.technician_ack_at = (now or dt.datetime.now()).replace(microsecond=0)
        s.flush()
        return _record(s, ci)


def correct(store: "Store", checkin_id: int) -> CheckInRecord:
    """A new draft version that supersedes the signed check-in, with its answers copied (the signed
    version stays as it is in the history). An open correction is resumed rather than duplicated."""
    with store.write() as s:
        ci = _get(s, checkin_id)
        if ci.status != "signed":
            raise ValidationError({"check-in": "only a signed check-in is corrected; a draft is simply edited"})
        latest = s.scalar(select(CheckIn).where(CheckIn.technician_id == ci.technician_id,
                                                CheckIn.period == ci.period).order_by(CheckIn.version.desc()).limit(1))
        if latest is not None and latest.id != ci.id:
            if latest.status == "draft" and latest.supersedes_id == ci.id:
                return _record(s, latest)
            raise ValidationError({"check-in": f"version {latest.version} is newer; correct that one"})
        data = _loads(ci.data_json)
        new = CheckIn(technician_id=ci.technician_id, role_profile_id=ci.role_profile_id, period=ci.period,
                      version=ci.version + 1, supersedes_id=ci.id, status="draft", step=0,
                      data_json=json.dumps(data), overall_rating=ci.overall_rating)
        s.add(new)
        s.flush()
        return _record(s, new)


# History ----------------------------------------------------------------------------------------

def history(store: "Store", technician_id: int) -> list[CheckInRecord]:
    """Every check-in of the technician, every version, newest period first, newest version first."""
    with store.read() as s:
        rows = s.scalars(select(CheckIn).where(CheckIn.technician_id == technician_id)
                         .order_by(CheckIn.period.desc(), CheckIn.version.desc())).all()
        return [_record(s, ci) for ci in rows]


def latest_versions(store: "Store") -> dict[int, CheckInRecord]:
    """{technician id: their most recent check-in (latest period, latest version)}."""
    with store.read() as s:
        sub = (select(CheckIn.technician_id, func.max(CheckIn.period).label("p"))
               .group_by(CheckIn.technician_id).subquery())
        out: dict[int, CheckInRecord] = {}
        for tech_id, period in s.execute(select(sub.c.technician_id, sub.c.p)).all():
            ci = s.scalar(select(CheckIn).where(CheckIn.technician_id == tech_id, CheckIn.period == period)
                          .order_by(CheckIn.version.desc()).limit(1))
            out[tech_id] = _record(s, ci)
        return out
