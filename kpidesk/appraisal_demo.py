"""Demo check-ins: last quarter's signed and acknowledged for everyone (what HR exports), and the
current quarter's begun as drafts for two people (what a new user opens the wizard on). Called by
kpidesk.demo.create_demo after the tickets are written.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from kpidesk.periods import last_full_period, period_containing
from kpidesk.records import Changes

if TYPE_CHECKING:
    from kpidesk.store import Store

MANAGER = "Dana Whitfield"
DRAFTS_FOR = ("Tom Becker", "Chloe Dubois")  # the current quarter's check-ins begun, left as drafts
SELF_ASSESSMENT_FROM = "Chloe Dubois"  # her self-assessment for the quarter under way has come back
REVIEW_RAISED_FOR = "Tom Becker"  # a review raised by hand on his MTTR, on his check-in's agenda


def _rating(value: float | None, target: float | None, direction: str) -> float | None:
    if value is None or target is None or target == 0:
        return None
    ratio = value / target if direction != "lower" else target / max(value, 1e-9)
    return float(min(5, max(1, round(1 + 4 * (ratio - 0.6) / 0.6))))


def add_demo_checkins(store: "Store", today: dt.date | None = None) -> Changes:
    """One check-in per technician with a role profile for the last full quarter before `today`,
    made through the check-in API as a manager would: rated from the facts, a goal, comments, then
    signed (which freezes the facts) and acknowledged; and a draft for the quarter under way for
    DRAFTS_FOR, begun (who and when, a first strength) and left at step b."""
    from kpidesk.appraisal import checkins

    today = today or dt.date.today()
    quarter = last_full_period(today, "quarter")
    signed_at = dt.datetime.combine(min(today, quarter.end + dt.timedelta(days=7)), dt.time(14, 0))
    fcr = store.find_kpi("First-contact resolution")
    for tech in store.list_technicians():
        if tech.role_profile_id is None:
            continue
        ci = checkins.start_or_resume(store, tech.id, quarter.key, today=today)
        facts = checkins.facts_of(store, ci.id)
        ratings = {str(k.kpi_id): {"rating": _rating(k.value, k.target, k.direction), "comment": ""}
                   for k in facts.kpis if k.rated}
        first = tech.display_name.split()[0]
        goal = {"text": "Keep first-contact resolution at or above the role target",
                "kpi_id": fcr.id if fcr else None, "target_value": 75.0,
                "due": (quarter.end + dt.timedelta(days=91)).isoformat()}
        checkins.save_step(store, ci.id, 5, {
            "ratings": ratings,
            "strengths": f"{first} is dependable with users and keeps ticket notes that others can pick up.",
            "support": "Time with L2 on diagnosis before escalating; the knowledge base course.",
            "goals": [goal],
            "manager_comment": "A solid quarter; we agreed the focus for the next one.",
            "technician_comment": "Agreed. I would like more P1 work.",
            "summary": "Reliable, with a clear goal for next quarter.",
        })
        checkins.sign(store, ci.id, MANAGER, now=signed_at)
        checkins.acknowledge(store, ci.id, tech.display_name, now=signed_at + dt.timedelta(hours=2))
        if tech.display_name in DRAFTS_FOR:
            now = period_containing(today, "quarter")
            current = checkins.start_or_resume(store, tech.id, now.key, today=today)
            checkins.save_step(store, current.id, 1, {"strengths": f"{first} took on the new ERP tickets early."})
    _review_cycle_extras(store, today)
    return Changes(checkins=True, reviews=True)


def _review_cycle_extras(store: "Store", today: dt.date) -> None:
    """What the review cycle shows on the demo (issue 17): Chloe's self-assessment has come back for the
    quarter under way (hidden in her draft until every KPI is rated), and a review raised by hand on
    Tom's MTTR last month is on his check-in's agenda."""
    import json
    import uuid

    from kpidesk.appraisal.facts import gather
    from kpidesk.metrics.reviews import raise_review
    from kpidesk.models import SelfAssessment

    now = period_containing(today, "quarter")
    chloe, tom = store.find_technician(SELF_ASSESSMENT_FROM), store.find_technician(REVIEW_RAISED_FOR)
    mttr = store.find_kpi("MTTR")
    if chloe is not None and chloe.role_profile_id is not None:
        facts = gather(store, chloe.id, now.key)
        ratings = {str(k.kpi_id): {"rating": 4 if k.direction == "higher" else 3,
                                   "why": f"My {k.name} held up while I took on the ERP tickets."}
                   for k in facts.kpis if k.rated and k.value is not None}
        sent = dt.datetime.combine(max(now.start, today - dt.timedelta(days=10)), dt.time(9))
        with store.write() as s:
            s.add(SelfAssessment(
                technician_id=chloe.id, period=now.key, form_id=uuid.uuid4().hex, locked_digest="",
                sent_at=sent, sent_file="self-assessment (demo).xlsx", received_at=sent + dt.timedelta(days=3),
                received_file="self-assessment (demo, returned).xlsx", answers_json=json.dumps({
                    "ratings": ratings, "went_well": "Took on the new ERP tickets and wrote two KB articles.",
                    "got_in_way": "The VPN outage in October; waiting on L2 for access requests.",
                    "support": "Admin rights for the ERP test system; the ITIL course.",
                    "goals": ["Write a KB article for each new ERP error", "Keep FCR above 75 %"]})))
    if tom is not None and mttr is not None:
        month = period_containing(today, "month").previous()
        raise_review(store, mttr.id, f"technician:{tom.id}", month.key,
                     "Longer than the team on P3 tickets; talk it over at the check-in.", MANAGER,
                     when=dt.datetime.combine(today, dt.time(10)))
