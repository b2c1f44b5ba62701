"""Check-ins, reviews and the HR export. None of these moves a KPI value: a signed check-in keeps
the numbers of its day (frozen), a review is the record of a crossed trigger."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from kpidesk.actions.outcome import Outcome, Progress
from kpidesk.appraisal import checkins
from kpidesk.appraisal.model import CheckInRecord
from kpidesk.metrics import reviews
from kpidesk.metrics.reviews import ReviewRecord
from kpidesk.records import Changes

if TYPE_CHECKING:
    from kpidesk.export.batch import BatchResult, PdfRenderer
    from kpidesk.store import Store

_CHECKINS = Changes(checkins=True)


def start_checkin(store: "Store", technician_id: int, period: str | None = None,
                  today: dt.date | None = None) -> Outcome[CheckInRecord]:
    return Outcome(checkins.start_or_resume(store, technician_id, period, today), _CHECKINS)


def save_checkin_step(store: "Store", checkin_id: int, step: int, data: Mapping[str, Any]) -> Outcome[CheckInRecord]:
    return Outcome(checkins.save_step(store, checkin_id, step, data), _CHECKINS)


def sign_checkin(store: "Store", checkin_id: int, manager_name: str,
                 now: dt.datetime | None = None) -> Outcome[CheckInRecord]:
    # Signing writes what was said of each agenda review back to it (its follow-up).
    return Outcome(checkins.sign(store, checkin_id, manager_name, now), Changes(checkins=True, reviews=True))


def acknowledge_checkin(store: "Store", checkin_id: int, technician_name: str,
                        now: dt.datetime | None = None) -> Outcome[CheckInRecord]:
    return Outcome(checkins.acknowledge(store, checkin_id, technician_name, now), _CHECKINS)


def correct_checkin(store: "Store", checkin_id: int) -> Outcome[CheckInRecord]:
    return Outcome(checkins.correct(store, checkin_id), _CHECKINS)


def acknowledge_review(store: "Store", review_id: int, note: str, by: str,
                       when: dt.datetime | None = None) -> Outcome[ReviewRecord]:
    rec, changes = reviews.acknowledge_review(store, review_id, note, by, when)
    return Outcome(rec, changes)


def raise_review(store: "Store", kpi_id: int, scope_key: str, period: str, why: str, by: str = "",
                 when: dt.datetime | None = None) -> Outcome[ReviewRecord]:
    """Open a review by hand (e.g. on one technician's number, for their check-in's agenda)."""
    rec, changes = reviews.raise_review(store, kpi_id, scope_key, period, why, by, when)
    return Outcome(rec, changes)


def mark_reviewed(store: "Store", kpi_id: int, note: str, by: str, today: dt.date | None = None) -> Outcome[ReviewRecord]:
    rec, changes = reviews.mark_reviewed(store, kpi_id, note, by, today)
    return Outcome(rec, changes)


def export_appraisals(store: "Store", period: str, out: str | Path, *, fmt: str = "both", team: str | None = None,
                      technician: str | None = None, include_drafts: bool = False, page_size: str | None = None,
                      render_pdf: "PdfRenderer | None" = None, progress: Progress | None = None,
                      today: dt.date | None = None) -> Outcome["BatchResult"]:
    """A period's check-ins as one PDF each and/or the period workbook, all or nothing. `out` is a
    folder, or one file: a .pdf (one person, fmt 'pdf') or a .xlsx (fmt 'xlsx'). Raises
    ExportFailed when nothing matches or the target cannot be written.

    A quarter, half-year or year is a review cycle (issue 17): the workbook gets a Cycle sheet of its
    members (those of `team`, or `technician`, when given) as of `today`, and the result's notes say
    when the cycle is not complete."""
    from kpidesk.errors import ExportFailed
    from kpidesk.export.appraisal_source import cycle_for, reports_for
    from kpidesk.export.batch import export_batch, export_to_file

    out = Path(out).expanduser()
    page_size = page_size or str(store.get_setting("page_size") or "A4")  # None: the database's setting
    single = out.suffix.lower() in (".pdf", ".xlsx")
    if single and (fmt == "both" or f".{fmt}" != out.suffix.lower()):
        raise ExportFailed(f"{out.name} is a {out.suffix.lower()} file but the format is {fmt}; give a folder for "
                           "both, a .pdf for pdf or a .xlsx for xlsx.")
    found = reports_for(store, period, team=team, technician=technician)
    if not found:
        scope = f" for team {team!r}" if team else f" for {technician!r}" if technician else ""
        raise ExportFailed(f"no check-ins for {period}{scope}; nothing was exported.")
    cycle = cycle_for(store, period, team=team, technician=technician, include_drafts=include_drafts, today=today)
    if single:
        result = export_to_file(found, out, period=period, fmt=fmt, render_pdf=render_pdf, page_size=page_size,
                                include_drafts=include_drafts, progress=progress, cycle=cycle)
    else:
        result = export_batch(found, out, period=period, fmt=fmt, render_pdf=render_pdf, page_size=page_size,
                              include_drafts=include_drafts, progress=progress, workbook_name=None, cycle=cycle)
    return Outcome(result)


def export_checkin(store: "Store", checkin_id: int, out: str | Path, *, page_size: str | None = None,
                   render_pdf: "PdfRenderer | None" = None, progress: Progress | None = None) -> Outcome[Path]:
    """One check-in (this version, draft or signed) as its appraisal summary PDF at `out`, written
    atomically; a draft is marked DRAFT on every page."""
    from kpidesk.export.appraisal_source import build_report
    from kpidesk.export.batch import export_to_file

    out = Path(out).expanduser()
    if out.suffix.lower() != ".pdf":
        out = out.with_name(out.name + ".pdf")
    report = build_report(store, checkin_id)
    result = export_to_file([report], out, period=report.period, fmt="pdf", render_pdf=render_pdf,
                            page_size=page_size or str(store.get_setting("page_size") or "A4"),
                            include_drafts=True, progress=progress)
    return Outcome(result.pdfs[0])


def save_note(store: "Store", rec: Any) -> Outcome[Any]:
    """Add (no id) or change a dated note in a technician's performance log."""
    from kpidesk.appraisal import notes

    if rec.id:
        return Outcome(rec, notes.update_note(store, rec))
    made, changes = notes.add_note(store, rec)
    return Outcome(made, changes)


def delete_note(store: "Store", note_id: int) -> Outcome[None]:
    from kpidesk.appraisal import notes

    return Outcome(None, notes.delete_note(store, note_id))
