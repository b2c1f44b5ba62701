"""compute_many() for the periods from a date on: what an action recomputes after it changed the
tickets of those periods (an import of last week, the undo of an import).

The values equal compute_many()'s for those periods (a test holds them equal for every action):
the sums come from the tickets resolved since the first period's start, the backlog from the
tickets open at that start plus the flows after it (kpidesk/metrics/sql_since.py), each read
through an index over the recent tickets, so a week imported into a million tickets costs a
small part of a full recompute (benchmarks/bench_refresh.py).
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from operator import add
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from kpidesk.metrics import groups, sql, sql_since
from kpidesk.metrics.engine import _assemble, _Context, _Fetched, _key, _wanted
from kpidesk.metrics.model import BACKLOG_METRICS, SCOPES, TYPE_SEGMENTS, MetricValue
from kpidesk.periods import periods_between

if TYPE_CHECKING:
    from kpidesk.store import Store

# The raw segment values a split's backlog asks 'had a ticket before?' for: None too, because the
# unsplit values may be summed from the tiers' (SinceReader) and tickets with no tier count there.
RAW_SEGMENTS: dict[str | None, tuple[Any, ...]] = {None: (None,), "priority": (1, 2, 3, 4, None),
                                                   "type": (*TYPE_SEGMENTS, None)}


class SinceReader:
    """The SQL rows of one incremental recompute, read once. The unsplit values are the sums of the
    priority tiers' (tickets with no tier in their own NULL group), so where both are wanted the
    recent tickets are read once, by tier, and added up for the unsplit ones."""

    def __init__(self, con: sqlite3.Connection, by_tier: bool = False) -> None:
        self.con, self.by_tier = con, by_tier
        self._cache: dict[tuple[Any, ...], Any] = {}

    def _base(self, split: str | None) -> str | None:
        return "priority" if split is None and self.by_tier else split

    def aggregate(self, start: dt.date, split: str | None, by: str) -> list[tuple[Any, ...]]:
        base = self._base(split)
        key = ("agg", start, base, by)
        if key not in self._cache:
            self._cache[key] = sql_since.aggregate_since(self.con, start, base, by=by)
        rows = self._cache[key]
        return _collapse(rows, 3, 4) if base != split else rows

    def backlog(self, gran: str, start: dt.date, before: str, hi: str, end: dt.date, split: str | None,
                by: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        base = self._base(split)
        key = ("backlog", gran, start, hi, end, base, by)
        if key not in self._cache:
            self._cache[key] = sql_since.backlog_since(self.con, gran, start, before, hi, end, base,
                                                       RAW_SEGMENTS[base], by=by)
        incoming, outgoing = self._cache[key]
        if base == split:
            return incoming, outgoing
        return _collapse(incoming, 1, 3), _collapse(outgoing, 1, 3)


def _collapse(rows: list[tuple[Any, ...]], seg_at: int, sums_at: int) -> list[tuple[Any, ...]]:
    """The rows with their segment (at `seg_at`) set to None, summed (the values from `sums_at` on)."""
    out: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for r in rows:
        group = (*r[:seg_at], None, *r[seg_at + 1:sums_at])
        acc = out.get(group)
        out[group] = r[sums_at:] if acc is None else tuple(map(add, acc, r[sums_at:]))
    return [(*g, *sums) for g, sums in out.items()]


def compute_since(store: "Store", granularities: Sequence[str], since: dt.date, last: dt.date,
                  split: str | None = None, metrics: Iterable[str] | None = None,
                  scopes: Sequence[str] = SCOPES, segments: Iterable[str] | None = None,
                  reader: SinceReader | None = None) -> dict[str, list[MetricValue]]:
    """{granularity: values of every scope} for the periods from the one holding `since` to the
    one holding `last`. `reader`: the rows already read for another split of the same recompute."""
    if reader is None:
        with sql.connection(store) as con:
            return compute_since(store, granularities, since, last, split, metrics, scopes, segments,
                                 SinceReader(con))
    con = reader.con
    wanted = _wanted(metrics)
    aggregates = any(m not in BACKLOG_METRICS for m in wanted)
    backlog = bool(BACKLOG_METRICS & set(wanted))
    keep = set(segments) if split is not None and segments is not None else None
    out: dict[str, list[MetricValue]] = {}
    ctx = _Context(sql.team_map(con), *sql.names(con))
    shared = sql.has_shares(con)
    by_group = "group" in scopes and sql.has_groups(con)
    kinds = ("technician",) + (("group",) if by_group else ())
    earliest = min(periods_between(since, last, g)[0].start for g in granularities)
    rows = reader.aggregate(earliest, split, "technician") if aggregates else []
    group_rows = reader.aggregate(earliest, split, "group") if aggregates and by_group else []
    for gran in granularities:
        periods = periods_between(since, last, gran)
        first, hi = periods[0], periods[-1].key
        f = _Fetched()
        if aggregates:
            f.rows, f.group_rows = _by_period(rows, gran, first.key, hi), _by_period(group_rows, gran, first.key, hi)
            if shared:
                f.shares = sql.aggregate_shares(con, gran, first.key, hi, split, None)
        if backlog:
            before, end = first.previous().key, periods[-1].end
            for kind in kinds:
                flows = reader.backlog(gran, first.start, before, hi, end, split, kind)
                if kind == "group":
                    f.group_in, f.group_out = flows
                else:
                    f.incoming, f.outgoing = flows
            if shared:  # the few shared tickets' flows from the beginning: they add up as they are
                f.share_in, f.share_out = sql.backlog_shares(con, gran, hi, end.isoformat(), split, None)
        if keep is not None:
            _keep_segments(f, split, keep)
        out[gran] = _assemble(f, ctx, periods, wanted, split, scopes, None, False, False)
    return out


def _by_period(rows: list[tuple[Any, ...]], granularity: str, lo: str, hi: str) -> list[tuple[Any, ...]]:
    """(key, week, month, seg, sums) rows as (key, period, seg, sums) of `granularity` within lo..hi,
    summed where several (week, month) rows make one period (a month's weeks, a quarter's months)."""
    out: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for r in rows:
        k = _key(granularity, r[1], r[2])
        if lo <= k <= hi:
            group = (r[0], k, r[3])
            acc = out.get(group)
            out[group] = r[4:] if acc is None else tuple(map(add, acc, r[4:]))
    return [(*g, *sums) for g, sums in out.items()]


def _keep_segments(f: _Fetched, split: str | None, keep: set[str]) -> None:
    def kept(rows: list[tuple[Any, ...]], at: int) -> list[tuple[Any, ...]]:
        return [r for r in rows if groups.segment(r[at], split) in keep]

    f.rows, f.group_rows, f.shares = kept(f.rows, 2), kept(f.group_rows, 2), kept(f.shares, 3)
    f.incoming, f.outgoing = kept(f.incoming, 1), kept(f.outgoing, 1)
    f.group_in, f.group_out = kept(f.group_in, 1), kept(f.group_out, 1)
    f.share_in, f.share_out = kept(f.share_in, 2), kept(f.share_out, 2)
