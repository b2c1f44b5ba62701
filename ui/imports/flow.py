"""What an import op runs on its worker thread: the core's import and undo actions, with the rows
per second the progress dialog shows.

    outcome = run_import(store, ImportRequest(path, mapping=...), progress)   # fn of one Op
    outcome.needs_names -> ask the names dialog, then run again with request.with_names(...)

Thread rule: everything here runs inside `Op(fn)` on the worker; it touches no widget. The import
action itself recomputes the KPI values its tickets moved and checks the triggers before it
returns (kpidesk.actions): nothing here orchestrates the core.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from kpidesk import actions
from kpidesk.importing.report import ImportReport, Progress
from kpidesk.metrics.reviews import ReviewRecord
from kpidesk.records import Changes

if TYPE_CHECKING:
    from kpidesk.store import Store


@dataclass
class ImportOutcome:
    report: ImportReport
    changes: Changes = field(default_factory=Changes)
    needs_names: bool = False  # report is a dry run listing new names; nothing was written
    notes: list[str] = field(default_factory=list)
    reviews: list[ReviewRecord] = field(default_factory=list)


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


def run_import(store: "Store", request: actions.ImportRequest, progress: Progress) -> ImportOutcome:
    """actions.import_file on the worker (raises ImportFailed, RowsRejected or Cancelled, leaving the
    database as it was)."""
    done = actions.import_file(store, request, RateProgress(progress))
    notes = done.notes + [f"Review opened: {r.summary}" for r in done.reviews]
    return ImportOutcome(done.result.report, done.changes, done.result.needs_names, notes, done.reviews)


def run_undo(store: "Store", batch_id: int, progress: Progress) -> tuple[Changes, list[str]]:
    done = actions.undo_import(store, batch_id, progress)
    notes = [f"Review opened: {r.summary}" for r in done.reviews]
    return done.changes, notes
