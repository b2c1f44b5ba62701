"""Import a file; undo an import. The import commits first, then the values it moved are recomputed
and the triggers checked, in the same action (a cancel is honoured until the commit, not after:
what follows it is quick, and stopping there would leave stored values behind the tickets)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from kpidesk.actions.derived import refresh
from kpidesk.actions.outcome import Outcome, Progress
from kpidesk.errors import KpiDeskError
from kpidesk.importing import tickets_import, values_import
from kpidesk.importing.report import ImportReport
from kpidesk.importing.undo import undo
from kpidesk.metrics.recompute import ticket_span
from kpidesk.records import Changes

if TYPE_CHECKING:
    from kpidesk.store import Store

NAME_FIELDS = ("assignee", "resolver")


@dataclass(frozen=True)
class ImportRequest:
    """What the mapping dialog (then the names dialog), a mapping file or the command line decided."""
    path: Path
    kind: str = "tickets"  # tickets | values
    sheet: str | None = None
    preset: str = "auto"
    mapping: dict[str, str] | None = None  # None: remembered or detected
    day_first: bool | None = None  # None: detect from the data
    strict: bool = False
    dry_run: bool = False
    remember: bool = True
    status_overrides: dict[str, str] | None = None  # {status: open|resolved|closed}
    priority_overrides: dict[str, int] | None = None  # {spelling: tier 1-4}
    # {name: technician id, or None to ignore it}. None: names no alias matches become technicians,
    # unless ask_names, where such a file is first read for its names only (Imported.needs_names).
    alias_overrides: dict[str, int | None] | None = None
    ask_names: bool = False
    # False: names no alias matches leave their tickets unassigned (listed in new_technicians; give
    # them to a person later with `people alias`), instead of becoming technicians.
    create_names: bool = True

    def with_names(self, overrides: dict[str, int | None]) -> "ImportRequest":
        return replace(self, alias_overrides=dict(overrides))


@dataclass
class Imported:
    report: ImportReport
    needs_names: bool = False  # the report lists new names (a dry run); nothing was written


class _NoCancel:
    """Forwards what a step says, but the step can no longer be cancelled (it follows a commit)."""

    def __init__(self, inner: Progress | None) -> None:
        self.inner = inner

    def set_status(self, text: str) -> None:
        if self.inner is not None:
            self.inner.set_status(text)

    def set_progress(self, done: int, total: int) -> None:
        if self.inner is not None:
            self.inner.set_progress(done, total)

    def cancelled(self) -> bool:
        return False


def import_file(store: "Store", request: ImportRequest, progress: Progress | None = None,
                today: dt.date | None = None) -> Outcome[Imported]:
    """Import the file (raises ImportFailed, RowsRejected or Cancelled, leaving the database as it
    was), then recompute the KPI values of the periods its tickets touch and check the triggers."""
    if request.kind == "values":
        report = values_import.run(store, request.path, sheet=request.sheet, strict=request.strict,
                                   dry_run=request.dry_run, progress=progress)
        out = Outcome(Imported(report), report.changes)
        if not report.dry_run and (report.created or report.updated):
            changes, out.reviews = refresh(store, kpi_ids=(), today=today)  # no stored value to move: triggers
            out.changes |= changes
        return out
    table = None
    if request.ask_names and request.alias_overrides is None and (
            request.mapping is None or any(request.mapping.get(f) for f in NAME_FIELDS)):
        names, table = tickets_import.scan_new_names(store, request.path, sheet=request.sheet, preset=request.preset,
                                                     mapping=request.mapping, progress=progress)
        if names:
            check = ImportReport(batch_id=None, file=request.path.name, kind="tickets", sheet=table.sheet,
                                 new_technicians=names, dry_run=True)
            return Outcome(Imported(check, needs_names=True))
    overrides = dict(request.alias_overrides or {})
    span = ticket_span(store)  # the periods with values so far end with it
    report = tickets_import.run(
        store, request.path, sheet=request.sheet, preset=request.preset, mapping=request.mapping,
        day_first=request.day_first, strict=request.strict, dry_run=request.dry_run, progress=progress,
        create_technicians=request.create_names, alias_overrides=overrides, priority_overrides=request.priority_overrides,
        status_overrides=request.status_overrides, remember=request.remember, table=table)
    out = Outcome(Imported(report), report.changes)
    if report.dry_run:
        return out
    for name, tech_id in overrides.items():  # a merged name becomes an alias: known next time
        if tech_id is not None:
            try:
                out.changes |= store.add_alias(tech_id, name)
            except KpiDeskError as exc:
                out.notes.append(f"'{name}' was not kept as an alias: {exc}")
    if report.created or report.updated:
        changes, out.reviews = refresh(store, since=_since(report.touched_since, span), today=today,
                                       progress=_NoCancel(progress))
        out.changes |= changes
    return out


def _since(touched: dt.date | None, span: tuple[dt.date, dt.date] | None) -> dt.date | None:
    """The first day to recompute from: the earliest day the import touched, or the day after the
    last ticket before it, if that is earlier: tickets after a gap carry the backlog over the periods
    of the gap, which had no values until now."""
    if touched is None or span is None:
        return touched
    return min(touched, span[1] + dt.timedelta(days=1))


def undo_import(store: "Store", batch_id: int, progress: Progress | None = None,
                today: dt.date | None = None) -> Outcome[None]:
    """Remove what an import created and put back what it updated, then recompute the periods it had
    touched and check the triggers."""
    changes, since = undo(store, batch_id)
    out = Outcome(None, changes)
    if changes.tickets and since is not None:
        more, out.reviews = refresh(store, since=since, today=today, progress=_NoCancel(progress))
        out.changes |= more
    elif changes.measurements:
        more, out.reviews = refresh(store, kpi_ids=(), today=today)
        out.changes |= more
    return out


__all__ = ["ImportRequest", "Imported", "import_file", "undo_import", "Changes"]
