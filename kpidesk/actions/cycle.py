"""The review cycle's actions (issue 17): self-assessment forms out and back, calibration changes."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from kpidesk.actions.outcome import Outcome, Progress
from kpidesk.records import Changes

if TYPE_CHECKING:
    from kpidesk.appraisal.model import CheckInRecord
    from kpidesk.appraisal.self_assessment import SelfAssessmentRecord
    from kpidesk.store import Store

_CHECKINS = Changes(checkins=True)


def form_filename(technician: str, period: str) -> str:
    """'2026-Q3_self-assessment_Alex-Morgan.xlsx': safe on every file system, sorts by period."""
    from kpidesk.export.batch import _name_part, fit_name

    return fit_name("_".join([_name_part(period), "self-assessment", _name_part(technician)]), "xlsx")


def send_self_assessment(store: "Store", technician_id: int, period: str, out: str | Path, *, manager: str = "",
                         today: dt.date | None = None) -> Outcome["SelfAssessmentRecord"]:
    """Write one technician's self-assessment form. `out` is the .xlsx, or a folder (named for them)."""
    from kpidesk.appraisal.self_assessment import send_form
    from kpidesk.export.atomic import check_writable_folder

    dest = Path(out).expanduser()
    if dest.is_dir():
        dest = dest / form_filename(store.get_technician(technician_id).display_name, period)
    elif dest.suffix.lower() != ".xlsx":
        dest = dest.with_name(dest.name + ".xlsx")
    check_writable_folder(dest.parent)
    rec = send_form(store, technician_id, period, dest, manager=manager, today=today)
    return Outcome(rec, _CHECKINS, notes=[f"Self-assessment form for {rec.technician} ({rec.period}) written to "
                                          f"{dest}"])


def send_self_assessments(store: "Store", period: str, folder: str | Path, *, manager: str = "",
                          technician_ids: Optional[list[int]] = None, today: dt.date | None = None,
                          progress: Progress | None = None) -> Outcome[list["SelfAssessmentRecord"]]:
    """A form for every member of the cycle (or those named) whose check-in is not signed, one file each
    in `folder`. Each file is complete on its own (written atomically); a cancel stops between files."""
    from kpidesk.appraisal.cycles import cycle_status
    from kpidesk.appraisal.self_assessment import send_form
    from kpidesk.errors import Cancelled
    from kpidesk.export.atomic import check_writable_folder

    folder = check_writable_folder(Path(folder).expanduser())
    status = cycle_status(store, period, today)
    members = [m for m in status.members if technician_ids is None or m.technician_id in technician_ids]
    todo = [m for m in members if not m.signed]
    notes = [f"{m.technician}: check-in already signed, no form sent" for m in members if m.signed]
    made = []
    for i, m in enumerate(todo):
        if progress is not None:
            if progress.cancelled():
                raise Cancelled(f"Cancelled after {i} of {len(todo)} forms; those written are complete.")
            progress.set_status(f"Writing {m.technician}'s form")
            progress.set_progress(i, len(todo))
        dest = folder / form_filename(m.technician, status.period)
        made.append(send_form(store, m.technician_id, status.period, dest, manager=manager, today=today))
    notes.insert(0, f"{len(made)} self-assessment form{'s' if len(made) != 1 else ''} for {status.period} written to "
                    f"{folder}")
    return Outcome(made, _CHECKINS if made else Changes(), notes=notes)


def receive_self_assessment(store: "Store", path: str | Path, *, technician_id: int | None = None,
                            period: str | None = None) -> Outcome["SelfAssessmentRecord"]:
    """Import a returned form (refused with a clear message if it is someone else's, another period's, or
    altered outside its editable cells; nothing is stored then)."""
    from kpidesk.appraisal.self_assessment import receive_form

    rec = receive_form(store, path, technician_id=technician_id, period=period)
    return Outcome(rec, _CHECKINS, notes=[f"{rec.technician}'s self-assessment for {rec.period} received"])


def calibrate_rating(store: "Store", checkin_id: int, kpi_id: int | None, rating: float | None, reason: str,
                     by: str = "") -> Outcome["CheckInRecord"]:
    """Change a draft's KPI rating (or its overall rating, kpi_id None) from the calibration table, with
    the reason kept in the draft."""
    from kpidesk.appraisal.calibration import calibrate

    return Outcome(calibrate(store, checkin_id, kpi_id, rating, reason, by), _CHECKINS)
