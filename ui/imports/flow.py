"""The work an import op does on its worker thread: Qt-free orchestration of core calls.

    outcome = run_import(store, ImportRequest(path, mapping=...), progress)   # fn of one Op
    outcome.needs_names -> ask the names dialog, then run again with request.alias_overrides set

Thread rule: everything here runs inside `Op(fn)` on the worker; it touches no widget. The import
and the metrics recompute that follows it are chained here, in one fn, so no op is ever started
from another op's callback. The recompute runs after the import committed: if it is cancelled or
fails the import still stands, and the outcome says so in `notes`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from kpidesk.errors import Cancelled, KpiDeskError
from kpidesk.importing import tickets_import, values_import
from kpidesk.importing.report import ImportReport, Progress
from kpidesk.importing.undo import undo_import
from kpidesk.metrics.recompute import recompute
from kpidesk.records import Changes

if TYPE_CHECKING:
    from kpidesk.store import Store

NAME_FIELDS = ("assignee", "resolver")


@dataclass(frozen=True)
class ImportRequest:
    """What the mapping dialog (and then the names dialog) decided."""
    path: Path
    kind: str = "tickets"  # tickets | values
    sheet: str | None = None
    preset: str = "auto"
    mapping: dict[str, str] | None = None  # None: remembered or detected
    day_first: bool | None = None  # None: detect from the data
    strict: bool = False
    remember: bool = True
    alias_overrides: dict[str, int | None] | None = None  # None: the new names were not asked yet
    status_overrides: dict[str, str] | None = None  # {status: open|resolved|closed} the manager set

    def with_names(self, overrides: dict[str, int | None]) -> "ImportRequest":
        return replace(self, alias_overrides=dict(overrides))


@dataclass
class ImportOutcome:
    report: ImportReport
    changes: Changes = field(default_factory=Changes)
    needs_names: bool = False  # report is a dry run listing new names; nothing was written
    notes: list[str] = field(default_factory=list)


class RateProgress:
    """Forwards the core's Progress calls, adding rows read and rows per second to the status."""

    def __init__(self, inner: Progress, phase: str = "", clock: Callable[[], float] = time.perf_counter) -> None:
        self.inner, self.phase, self._clock = inner, phase, clock
        self._status = ""
        self._t0 = clock()

    def set_status(self, text: str) -> None:
        self._status, self._t0 = text, self._clock()
        self.inner.set_status(f"{self.phase}{text}")

    def set_progress(self, done: int, total: int) -> None:
        self.inner.set_progress(done, total)
        elapsed = self._clock() - self._t0
        rate = done / elapsed if elapsed > 0 else 0.0
        self.inner.set_status(f"{self.phase}{self._status}\n{done:,} of {total:,} rows · {rate:,.0f} rows/s")

    def cancelled(self) -> bool:
        return self.inner.cancelled()


def _may_have_new_names(request: ImportRequest) -> bool:
    if request.alias_overrides is not None:
        return False
    return request.mapping is None or any(request.mapping.get(f) for f in NAME_FIELDS)


def run_import(store: "Store", request: ImportRequest, progress: Progress) -> ImportOutcome:
    """Import the file (raises ImportFailed, RowsRejected or Cancelled, leaving the database as it
    was). Ticket files whose names are not all known are first read as a dry run: the outcome then
    has needs_names=True and nothing is written."""
    if request.kind == "values":
        report = values_import.run(store, request.path, sheet=request.sheet, strict=request.strict,
                                   progress=RateProgress(progress))
        return ImportOutcome(report, report.changes)
    common = dict(sheet=request.sheet, preset=request.preset, mapping=request.mapping,
                  day_first=request.day_first, strict=request.strict)
    table = None
    if _may_have_new_names(request):  # read the name columns only, and keep the file open for the import
        names, table = tickets_import.scan_new_names(
            store, request.path, sheet=request.sheet, preset=request.preset, mapping=request.mapping,
            progress=RateProgress(progress, "Checking names: "))
        if names:
            check = ImportReport(batch_id=None, file=request.path.name, kind="tickets", sheet=table.sheet,
                                 new_technicians=names, dry_run=True)
            return ImportOutcome(check, needs_names=True)
    overrides = dict(request.alias_overrides or {})
    report = tickets_import.run(store, request.path, **common, create_technicians=True,
                                alias_overrides=overrides, remember=request.remember,
                                status_overrides=request.status_overrides,
                                progress=RateProgress(progress), table=table)
    outcome = ImportOutcome(report, report.changes)
    for name, tech_id in overrides.items():  # a merged name becomes an alias: known next time
        if tech_id is not None:
            try:
                outcome.changes |= store.add_alias(tech_id, name)
            except KpiDeskError as exc:
                outcome.notes.append(f"'{name}' was not kept as an alias: {exc}")
    if report.created or report.updated:
        outcome.changes |= _recompute(store, progress, outcome.notes)
    return outcome


def run_undo(store: "Store", batch_id: int, progress: Progress) -> tuple[Changes, list[str]]:
    """Undo an import, then recompute the KPI values computed from tickets."""
    notes: list[str] = []
    changes = undo_import(store, batch_id)
    if changes.tickets:
        changes |= _recompute(store, progress, notes)
    return changes, notes


def _recompute(store: "Store", progress: Progress, notes: list[str]) -> Changes:
    try:
        return recompute(store, progress)
    except Cancelled:
        notes.append("The KPI values computed from tickets were not recomputed (cancelled); they will be "
                     "at the next import.")
    except Exception as exc:  # noqa: BLE001 - the import itself stands; say what did not follow
        notes.append(f"The KPI values computed from tickets could not be recomputed: {exc}")
    return Changes()
