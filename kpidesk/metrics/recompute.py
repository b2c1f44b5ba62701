"""Store computed KPI values as Measurements, for every technician, team and the desk, after an
import (or on demand). The importer and the GUI call recompute(store, progress).

What is stored: for each KPI whose values are computed from tickets, its metric (in the KPI's unit,
kpidesk/units.py) by the KPI's cadence and by month, for its segment. All of it is recomputed: the
backlog of every later period moves with any changed ticket, so "only affected periods" would save
little. It is one pass over the tickets per split, weeks and months together (computing happens before the write
transaction, so a cancel or failure leaves the stored values as they were), then one delete and one
executemany in a single transaction. Measurements entered by hand or imported are never overwritten.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Protocol

from kpidesk.errors import Cancelled
from kpidesk.metrics.engine import compute_many
from kpidesk.metrics.model import TICKET_METRICS, granularity_of, split_of_segment
from kpidesk.metrics.sql import connection
from kpidesk.models import utcnow
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


def ticket_span(store: "Store") -> tuple[dt.date, dt.date] | None:
    """(first, last) day any ticket was created or resolved; None without tickets."""
    with connection(store) as con:
        lo, hi, hi_res = con.execute(
            "SELECT min(created_at), max(created_at), max(resolved_at) FROM ticket").fetchone()
    if lo is None:
        return None
    last = max(hi, hi_res or hi)
    return dt.date.fromisoformat(lo[:10]), dt.date.fromisoformat(last[:10])


def computed_kpis(store: "Store") -> list[KpiRecord]:
    return [k for k in store.list_kpis() if k.value_source == "computed" and k.metric in TICKET_METRICS]


def recompute(store: "Store", progress: Progress | None = None, today: dt.date | None = None) -> Changes:
    """Recompute and store every computed KPI's values. Returns Changes(measurements=True) when it
    wrote anything. Raises Cancelled (nothing written) when progress.cancelled() says so."""
    kpis = computed_kpis(store)
    span = ticket_span(store)
    if not kpis:
        return Changes()
    # split -> (period lengths, metrics): one pass over the tickets per split (compute_many).
    jobs: dict[str | None, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for k in kpis:
        grans, metrics = jobs[split_of_segment(k.segment)]
        grans.update({granularity_of(k.cadence), "month"})
        metrics.add(k.metric)
    rows: list[tuple[object, ...]] = []
    now = utcnow().strftime("%Y-%m-%d %H:%M:%S.%f")
    if span is not None:
        first, last = span
        last = min(last, today) if today else last
        for done, (split, (grans, metrics)) in enumerate(sorted(jobs.items(), key=str)):
            _step(progress, f"Computing {', '.join(sorted(metrics))}" + (f" by {split}" if split else ""),
                  done, len(jobs))
            segments = {k.segment for k in kpis if split_of_segment(k.segment) == split}
            by_gran = compute_many(store, sorted(grans), first, last, split=split, metrics=metrics,
                                   segments=segments if split else None)
            for gran, values in by_gran.items():
                index: dict[tuple[str, str], list] = defaultdict(list)
                for v in values:
                    if v.value is not None:
                        index[(v.kpi, v.segment or "")].append(v)
                for k in kpis:
                    if split_of_segment(k.segment) != split or gran not in (granularity_of(k.cadence), "month"):
                        continue
                    rows.extend((k.id, v.scope_key, v.period, v.period_start.isoformat() if v.period_start else None,
                                 k.segment, metric_to_kpi(k.metric, k.unit, v.value), v.count, now)
                                for v in index.get((k.metric, k.segment), []))
    _step(progress, f"Saving {len(rows)} values", len(jobs), len(jobs))
    ids = ",".join(str(int(k.id)) for k in kpis)  # type: ignore[arg-type]
    with store.raw_write() as con:
        con.execute(f"DELETE FROM measurement WHERE source = 'computed' AND kpi_id IN ({ids})")
        con.executemany(_UPSERT, rows)
    return Changes(measurements=True)


def _step(progress: Progress | None, text: str, done: int, total: int) -> None:
    if progress is None:
        return
    if progress.cancelled():
        raise Cancelled()
    progress.set_status(text)
    progress.set_progress(done, total)
