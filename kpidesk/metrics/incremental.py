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
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from kpidesk.metrics import groups, sql, sql_since
from kpidesk.metrics.engine import _assemble, _Context, _Fetched, _wanted
from kpidesk.metrics.model import BACKLOG_METRICS, SCOPES, TYPE_SEGMENTS, MetricValue
from kpidesk.periods import periods_between

if TYPE_CHECKING:
    from kpidesk.store import Store

RAW_SEGMENTS: dict[str | None, tuple[Any, ...]] = {None: (None,), "priority": (1, 2, 3, 4), "type": TYPE_SEGMENTS}


def compute_since(store: "Store", granularities: Sequence[str], since: dt.date, last: dt.date,
                  split: str | None = None, metrics: Iterable[str] | None = None,
                  scopes: Sequence[str] = SCOPES, segments: Iterable[str] | None = None
                  ) -> dict[str, list[MetricValue]]:
    """{granularity: values of every scope} for the periods from the one holding `since` to the
    one holding `last`."""
    wanted = _wanted(metrics)
    aggregates = any(m not in BACKLOG_METRICS for m in wanted)
    backlog = bool(BACKLOG_METRICS & set(wanted))
    keep = set(segments) if split is not None and segments is not None else None
    out: dict[str, list[MetricValue]] = {}
    with sql.connection(store) as con:
        ctx = _Context(sql.team_map(con), *sql.names(con))
        shared = sql.has_shares(con)
        by_group = "group" in scopes and sql.has_groups(con)
        kinds = ("technician",) + (("group",) if by_group else ())
        for gran in granularities:
            periods = periods_between(since, last, gran)
            first, hi = periods[0], periods[-1].key
            f = _Fetched()
            if aggregates:
                f.rows = sql_since.aggregate_since(con, gran, first.start, hi, split)
                if by_group:
                    f.group_rows = sql_since.aggregate_since(con, gran, first.start, hi, split, by="group")
                if shared:
                    f.shares = sql.aggregate_shares(con, gran, first.key, hi, split, None)
            if backlog:
                before = first.previous().key
                end = periods[-1].end
                for kind in kinds:
                    flows = sql_since.backlog_since(con, gran, first.start, before, hi, end, split,
                                                    RAW_SEGMENTS[split], by=kind)
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


def _keep_segments(f: _Fetched, split: str | None, keep: set[str]) -> None:
    def kept(rows: list[tuple[Any, ...]], at: int) -> list[tuple[Any, ...]]:
        return [r for r in rows if groups.segment(r[at], split) in keep]

    f.rows, f.group_rows, f.shares = kept(f.rows, 2), kept(f.group_rows, 2), kept(f.shares, 3)
    f.incoming, f.outgoing = kept(f.incoming, 1), kept(f.outgoing, 1)
    f.group_in, f.group_out = kept(f.group_in, 1), kept(f.group_out, 1)
    f.share_in, f.share_out = kept(f.share_in, 2), kept(f.share_out, 2)
