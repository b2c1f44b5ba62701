"""Store computed KPI values as Measurements, for every technician, team and the desk, after an
import (or on demand). The importer and the GUI call recompute(store, progress).

What is stored: for each KPI whose values are computed from tickets, its metric (in the KPI's unit,
kpidesk/units.py) by the KPI's cadence and by month, for its segment, for every technician, team,
group and the desk. In full, it is one pass over the tickets per split, weeks and months together;
after an action that changed tickets from a date on (`since`), only the periods from that date are
computed again and replaced: the backlog of every later period moves with a changed ticket, the
earlier ones do not. Computing happens before the write transaction, so a cancel or failure leaves
the stored values as they were; then one delete and one executemany in a single transaction.
Measurements entered by hand or imported are never overwritten.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Iterable, Iterator, Protocol

from kpidesk.errors import Cancelled
from kpidesk.metrics import dialect
from kpidesk.metrics.engine import compute_many
from kpidesk.metrics.incremental import SinceReader, compute_since
from kpidesk.metrics.model import TICKET_METRICS, granularity_of, split_of_segment
from kpidesk.metrics.sql import connection, ticket_span  # noqa: F401 (ticket_span: re-exported)
from kpidesk.models import utcnow
from kpidesk.periods import period_containing
from kpidesk.records import Changes, KpiRecord
from kpidesk.units import metric_to_kpi

if TYPE_CHECKING:
    from kpidesk.store import Store


class Progress(Protocol):
    def set_status(self, text: str) -> None: ...
    def set_progress(self, done: int, total: int) -> None: ...
    def cancelled(self) -> bool: ...


_UPSERT = ("INSERT INTO measurement (kpi_id, scope_key, period, period_start, segment, value, count, source, "
           "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'computed', ?) "
           "ON CONFLICT (kpi_id, scope_key, period, segment) DO NOTHING")


def computed_kpis(store: "Store") -> list[KpiRecord]:
    return [k for k in store.list_kpis() if k.value_source == "computed" and k.metric in TICKET_METRICS]


# Period keys of one length, for deleting the stored values of some periods (all lengths share a column).
KEY_PATTERN = {"week": "[0-9][0-9][0-9][0-9]-W[0-9][0-9]", "month": "[0-9][0-9][0-9][0-9]-[0-9][0-9]",
               "quarter": "[0-9][0-9][0-9][0-9]-Q[0-9]", "year": "[0-9][0-9][0-9][0-9]"}


def recompute(store: "Store", progress: Progress | None = None, today: dt.date | None = None, *,
              since: dt.date | None = None, kpi_ids: Iterable[int] | None = None) -> Changes:
    """Recompute and store computed KPIs' values. Returns Changes(measurements=True) when it
    wrote anything. Raises Cancelled (nothing written) when progress.cancelled() says so.

    since: only the periods from the one holding this date (an action changed no ticket before it):
    those are computed again (kpidesk/metrics/incremental.py) and replaced, the earlier ones kept.
    kpi_ids: only these KPIs (a KPI just created or whose metric changed)."""
    kpis = computed_kpis(store)
    if kpi_ids is not None:
        chosen = set(kpi_ids)
        kpis = [k for k in kpis if k.id in chosen]
    if not kpis:
        return Changes()
    with _turn(store) as held:
        return _recompute(store, kpis, since, today, progress, held)


@contextlib.contextmanager
def _turn(store: "Store") -> Iterator[object | None]:
    """On a shared database the bulk write (and its lock) begins before the tickets are read, so no
    one else's import commits between this read and this write: values computed without its tickets
    could otherwise be stored after the ones its own recompute stored. On a file the read runs beside
    the window's other writers and the write lock is taken for the write alone (None here)."""
    if not getattr(store, "shared", False):
        yield None
        return
    with store.raw_write(shared_ok=True) as con:
        yield con


def _recompute(store: "Store", kpis: list[KpiRecord], since: dt.date | None, today: dt.date | None,
               progress: Progress | None, held: object | None) -> Changes:
    span = ticket_span(store)
    # split -> (period lengths, metrics): one pass over the tickets per split (compute_many).
    jobs: dict[str | None, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for k in kpis:
        grans, metrics = jobs[split_of_segment(k.segment)]
        grans.update(stored_granularities(k))
        metrics.add(k.metric)
    rows: list[tuple[object, ...]] = []
    now = utcnow().strftime("%Y-%m-%d %H:%M:%S.%f")
    if span is not None:
        first, last = span
        last = min(last, today) if today else last
        if since is not None:
            first = max(first, since)
        if since is None:
            rows = _compute(store, kpis, jobs, first, last, None, None, now, progress)
        else:
            with connection(store) as con:  # one read of the recent tickets for the unsplit and P1-P4 jobs
                reader = SinceReader(con, by_tier=None in jobs and "priority" in jobs)
                rows = _compute(store, kpis, jobs, first, last, since, reader, now, progress)
    _step(progress, f"Saving {len(rows)} values", len(jobs), len(jobs))
    with contextlib.nullcontext(held) if held is not None else store.raw_write(shared_ok=True) as con:
        glob = dialect.of(con).glob
        for k in kpis:
            if since is None:
                con.execute("DELETE FROM measurement WHERE source = 'computed' AND kpi_id = ?", (k.id,))
                continue
            for gran in stored_granularities(k):
                con.execute("DELETE FROM measurement WHERE source = 'computed' AND kpi_id = ? AND period >= ? "
                            f"AND period {glob} ?", (k.id, period_containing(since, gran).key, KEY_PATTERN[gran]))
        con.executemany(_UPSERT, rows)
    return Changes(measurements=True)


def _compute(store: "Store", kpis: list[KpiRecord], jobs: dict[str | None, tuple[set[str], set[str]]],
             first: dt.date, last: dt.date, since: dt.date | None, reader: SinceReader | None, now: str,
             progress: Progress | None) -> list[tuple[object, ...]]:
    """The rows to store: one pass per split over all the tickets (compute_many), or over the
    recent ones (compute_since) when `since`."""
    rows: list[tuple[object, ...]] = []
    for done, (split, (grans, metrics)) in enumerate(sorted(jobs.items(), key=str)):
        _step(progress, f"Computing {', '.join(sorted(metrics))}" + (f" by {split}" if split else ""),
              done, len(jobs))
        if first > last:
            continue
        segments = {k.segment for k in kpis if split_of_segment(k.segment) == split}
        if since is None:
            by_gran = compute_many(store, sorted(grans), first, last, split=split, metrics=metrics,
                                   segments=segments if split else None)
        else:
            by_gran = compute_since(store, sorted(grans), first, last, split=split, metrics=metrics,
                                    segments=segments if split else None, reader=reader)
        for gran, values in by_gran.items():
            index: dict[tuple[str, str], list] = defaultdict(list)
            for v in values:
                if v.value is not None:
                    index[(v.kpi, v.segment or "")].append(v)
            for k in kpis:
                if split_of_segment(k.segment) != split or gran not in stored_granularities(k):
                    continue
                rows.extend((k.id, v.scope_key, v.period, v.period_start.isoformat() if v.period_start else None,
                             k.segment, metric_to_kpi(k.metric, k.unit, v.value), v.count, now)
                            for v in index.get((k.metric, k.segment), []))
    return rows


def forget_computed(store: "Store", kpi_id: int) -> Changes:
    """Remove a KPI's computed values (it no longer comes from tickets); entered ones stay."""
    with store.raw_write(shared_ok=True) as con:
        con.execute("DELETE FROM measurement WHERE source = 'computed' AND kpi_id = ?", (kpi_id,))
    return Changes(measurements=True)


def stored_granularities(k: KpiRecord) -> set[str]:
    """The period lengths a computed KPI's values are stored by: its cadence's, and months."""
    return {granularity_of(k.cadence), "month"}


def _step(progress: Progress | None, text: str, done: int, total: int) -> None:
    if progress is None:
        return
    if progress.cancelled():
        raise Cancelled()
    progress.set_status(text)
    progress.set_progress(done, total)
