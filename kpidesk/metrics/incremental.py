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
from collections import defaultdict
from operator import add
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from kpidesk.metrics import groups, sql, sql_since
from kpidesk.metrics.engine import _assemble, _Context, _Fetched, _wanted
from kpidesk.metrics.model import BACKLOG_METRICS, SCOPES, TYPE_SEGMENTS, MetricValue
from kpidesk.periods import period_containing, periods_between

if TYPE_CHECKING:
    from kpidesk.store import Store

# The raw segment values a split's backlog asks 'had a ticket before?' for, one index seek each.
SUMS_AT = sql_since.SUMS
RAW_SEGMENTS: dict[str | None, tuple[Any, ...]] = {None: (None,), "priority": (1, 2, 3, 4), "type": TYPE_SEGMENTS}


class SinceReader:
    """The recent tickets of one incremental recompute (sql_since.recent_rows), read once. The
    unsplit values are the sums of the priority tiers' (tickets with no tier in their own NULL
    group), so where both are wanted the rows are read by tier and added up for the unsplit ones."""

    def __init__(self, con: sqlite3.Connection, by_tier: bool = False) -> None:
        self.con, self.by_tier = con, by_tier
        self._cache: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}

    def recent(self, start: dt.date, split: str | None, by: str) -> list[tuple[Any, ...]]:
        base = "priority" if split is None and self.by_tier else split
        key = (start, base, by)
        if key not in self._cache:
            self._cache[key] = sql_since.recent_rows(self.con, start, base, by=by)
        rows = self._cache[key]
        return _collapse(rows, sql_since.SEG, sql_since.SUMS) if base != split else rows


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
    backlog = bool(BACKLOG_METRICS & set(wanted))
    keep = set(segments) if split is not None and segments is not None else None
    out: dict[str, list[MetricValue]] = {}
    ctx = _Context(sql.team_map(con), *sql.names(con))
    shared = sql.has_shares(con)
    by_group = "group" in scopes and sql.has_groups(con)
    kinds = ("technician",) + (("group",) if by_group else ())
    earliest = min(periods_between(since, last, g)[0].start for g in granularities)
    recent = {kind: reader.recent(earliest, split, kind) for kind in kinds}
    had = {kind: sql_since.had_tickets(con, earliest, split, RAW_SEGMENTS[split], kind) for kind in kinds} \
        if backlog else {}
    for gran in granularities:
        periods = periods_between(since, last, gran)
        first, hi = periods[0], periods[-1].key
        f = _Fetched()
        for kind in kinds:
            flows = _Flows(gran, first.start, first.previous().key, hi, periods[-1].end)
            flows.add(recent[kind], had.get(kind, set()))
            if kind == "group":
                f.group_rows, f.group_in, f.group_out = flows.aggregates(), flows.incoming(), flows.outgoing()
            else:
                f.rows, f.incoming, f.outgoing = flows.aggregates(), flows.incoming(), flows.outgoing()
        if shared:  # the few shared tickets, read as the full recompute reads them
            f.shares = sql.aggregate_shares(con, gran, first.key, hi, split, None)
            if backlog:
                f.share_in, f.share_out = sql.backlog_shares(con, gran, hi, periods[-1].end.isoformat(), split, None)
        if keep is not None:
            _keep_segments(f, split, keep)
        out[gran] = _assemble(f, ctx, periods, wanted, split, scopes, None, False, False)
    return out


class _Flows:
    """One period length's aggregates and backlog flows from the recent rows: the sums and the
    tickets out of every period from `start`, the tickets in after it, and an opening balance dated
    in the period before it (`before_key`): what was open at `start`, plus 1 in and 1 out for each
    key and segment that had a ticket by then, so it is reported from then on (the engine's rule)."""

    def __init__(self, gran: str, start: dt.date, before_key: str, hi: str, end: dt.date) -> None:
        self.gran, self.hi = gran, hi
        self.start, self.end = start.isoformat(), end.isoformat()
        self.width = 10 if gran == "week" else 7  # incoming by day for weeks, by month otherwise
        self.before_day = (start - dt.timedelta(days=1)).isoformat()[:self.width]
        self.before_key = before_key
        self._sums: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self._in: dict[tuple[Any, ...], int] = defaultdict(int)
        self._out: dict[tuple[Any, ...], int] = defaultdict(int)
        self._open: dict[tuple[Any, Any], int] = defaultdict(int)
        self._had: set[tuple[Any, Any]] = set()
        self._periods: dict[str, str] = {}

    def _period(self, day: str) -> str:
        key = self._periods.get(day)
        if key is None:
            key = self._periods[day] = period_containing(dt.date.fromisoformat(day), self.gran).key
        return key

    def add(self, rows: list[tuple[Any, ...]], had: set[tuple[Any, Any]]) -> None:
        """`had`: the (key, segment) pairs that had a ticket resolved before the recompute's earliest
        day; the rows add those that came in before this period length's `start` (it can be later)."""
        start, end, hi, width = self.start, self.end, self.hi, self.width
        for r in rows:
            k, seg, day_in, day_out, in_log = r[:SUMS_AT]
            n = r[SUMS_AT]
            if day_out is not None and day_out >= start:
                p = self._period(day_out)
                if p <= hi:
                    group = (k, p, seg)
                    acc = self._sums.get(group)
                    self._sums[group] = r[SUMS_AT:] if acc is None else tuple(map(add, acc, r[SUMS_AT:]))
                    self._out[(k, seg, p)] += n
            if in_log:
                if start <= day_in < end:
                    self._in[(k, seg, day_in[:width])] += n
                elif day_in < start and (day_out is None or day_out >= start):
                    self._open[(k, seg)] += n
                if day_in < start:
                    self._had.add((k, seg))
        self._had |= had

    def aggregates(self) -> list[tuple[Any, ...]]:
        return [(*g, *sums) for g, sums in self._sums.items()]

    def incoming(self) -> list[tuple[Any, ...]]:
        opening = [(k, sg, self.before_day, self._open.get((k, sg), 0) + 1) for k, sg in self._had]
        opening += [(k, sg, self.before_day, n) for (k, sg), n in self._open.items() if (k, sg) not in self._had]
        return opening + [(*g, n) for g, n in self._in.items()]

    def outgoing(self) -> list[tuple[Any, ...]]:
        return [(k, sg, self.before_key, 1) for k, sg in self._had] + [(*g, n) for g, n in self._out.items()]


def _keep_segments(f: _Fetched, split: str | None, keep: set[str]) -> None:
    def kept(rows: list[tuple[Any, ...]], at: int) -> list[tuple[Any, ...]]:
        return [r for r in rows if groups.segment(r[at], split) in keep]

    f.rows, f.group_rows, f.shares = kept(f.rows, 2), kept(f.group_rows, 2), kept(f.shares, 3)
    f.incoming, f.outgoing = kept(f.incoming, 1), kept(f.outgoing, 1)
    f.group_in, f.group_out = kept(f.group_in, 1), kept(f.group_out, 1)
    f.share_in, f.share_out = kept(f.share_in, 2), kept(f.share_out, 2)
