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
    return Changes(checkins=True)
