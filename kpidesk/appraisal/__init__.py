"""The appraisal check-in (issue 5): a structured, fair review of one technician. Pure Python, no Qt.

    from kpidesk import appraisal as ap
    ci = ap.start_or_resume(store, tech_id)            # last full quarter by default
    content = ap.checkin_content(store, ci.id)         # facts, answers, notes, last goals, ...
    ci = ap.save_step(store, ci.id, 5, {"ratings": {"3": {"rating": 4, "comment": ""}}})
    ci = ap.sign(store, ci.id, "Dana Whitfield")

Modules: readings (plain-language readings by stated rules), rating (overall rating proposal and
override), goals (SMART check), notes (performance log), facts (numbers from the metrics engine),
checkins (drafts, signing, versions), progress (last goals, live vs frozen, the whole content).
"""
from __future__ import annotations

from kpidesk.appraisal.checkins import (
    CHANGES,
    STEPS,
    acknowledge,
    correct,
    facts_of,
    get_checkin,
    history,
    latest_versions,
    save_step,
    sign,
    start_or_resume,
)
from kpidesk.appraisal.facts import gather
from kpidesk.appraisal.goals import smart_problems
from kpidesk.appraisal.model import CheckInLocked, CheckInRecord, ContextFact, Facts, GoalProgress, KpiFact, SplitFact
from kpidesk.appraisal.notes import NOTE_KINDS, NoteRecord, add_note, delete_note, list_notes, update_note
from kpidesk.appraisal.progress import (
    CheckInContent,
    checkin_content,
    live_differences,
    live_differs,
    previous_goals,
)
from kpidesk.appraisal.readings import Figure, Reading

__all__ = [
    "CHANGES", "STEPS", "acknowledge", "correct", "facts_of", "get_checkin", "history", "latest_versions",
    "save_step", "sign", "start_or_resume", "gather", "smart_problems", "CheckInLocked", "CheckInRecord",
    "ContextFact", "Facts", "GoalProgress", "KpiFact", "SplitFact", "NOTE_KINDS", "NoteRecord", "add_note",
    "delete_note", "list_notes", "update_note", "CheckInContent", "checkin_content", "live_differences",
    "live_differs", "previous_goals", "Figure", "Reading",
]
