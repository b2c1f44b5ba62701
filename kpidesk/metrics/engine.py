"""The metrics engine: DESIGN.md's ticket metrics for the desk, a team or a technician, by period.

    compute(store, scope_key="technician:3", granularity="month", first="2026-01", last="2026-03")
    compute_all(store, granularity="month", first=..., last=...)   # every technician, team and the desk
    compute_many(store, ("week", "month"), first_day, last_day)     # one pass for several period lengths

A ticket counts in the period it was resolved in, for its technician (resolver, else assignee). A team's
value rests on the tickets its current members resolved; the desk's on every ticket, including those
no technician could be matched to. Rates are fractions 0..1. Aggregation runs in SQL (sql.py); Python
only adds up the per-technician group rows (groups.py), never loops over tickets.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from kpidesk.metrics import groups, sql
from kpidesk.metrics.model import (
    BACKLOG_METRICS,
    CONTRACT_METRICS,
    SCOPES,
    TICKET_METRICS,
    MetricValue,
    Scope,
    as_period,
    check_granularity,
    segments_of,
)
from kpidesk.periods import Period, periods_between

if TYPE_CHECKING:
    from kpidesk.store import Store

_ORDER = {m: i for i, m in enumerate(TICKET_METRICS)}


def period_range(first: Period | str, last: Period | str | None, granularity: str) -> list[Period]:
    """The periods of `granularity` covering first..last (e.g. the months of 2026-Q1)."""
    a = as_period(first)
    b = as_period(last) if last is not None else a
    if b.start < a.start:
        a, b = b, a
    return periods_between(a.start, b.last_day, check_granularity(granularity))


@dataclass
class _Fetched:
    """What SQL returned for one period length, keyed by that length's period keys."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)  # (tech, period, raw seg, 16 sums)
    incoming: list[tuple[Any, ...]] = field(default_factory=list)  # (tech, raw seg, day or month, n)
    outgoing: list[tuple[Any, ...]] = field(default_factory=list)  # (tech, raw seg, period, n)
    pct: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)  # scope kind -> percentile rows
    # Shared tickets' further technicians, `dup` second (sql.aggregate_shares, backlog_shares).
    shares: list[tuple[Any, ...]] = field(default_factory=list)
    share_in: list[tuple[Any, ...]] = field(default_factory=list)
    share_out: list[tuple[Any, ...]] = field(default_factory=list)
    # The same three as rows/incoming/outgoing, by group name.
    group_rows: list[tuple[Any, ...]] = field(default_factory=list)
    group_in: list[tuple[Any, ...]] = field(default_factory=list)
    group_out: list[tuple[Any, ...]] = field(default_factory=list)
    span: tuple[dt.date, dt.date] | None = None  # the days the tickets cover (sql.span_of), for fill

    def for_kind(self, kind: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """(aggregate rows, incoming, outgoing) that add up into scopes of `kind`."""
        if kind == "group":
            return self.group_rows, self.group_in, self.group_out
        return (groups.with_shares(self.rows, self.shares, kind), groups.with_shares(self.incoming, self.share_in, kind),
                groups.with_shares(self.outgoing, self.share_out, kind))


@dataclass
class _Context:
    team_of: dict[int, int | None]
    tech_names: dict[int, str]
    team_names: dict[int, str]

    def who(self, kind: str, sid: Any) -> str:
        if kind == "desk":
            return "desk"
        if kind == "group":
            return str(sid)
        if kind == "technician":
            return self.tech_names.get(sid, f"#{sid}")  # type: ignore[arg-type]
        return self.team_names.get(sid, f"#{sid}")  # type: ignore[arg-type]


def _wanted(metrics: Iterable[str] | None) -> tuple[str, ...]:
    chosen = None if metrics is None else set(metrics)
    return tuple(m for m in TICKET_METRICS if chosen is None or m in chosen)


def compute_all(store: "Store", *, granularity: str = "month", first: Period | str, last: Period | str | None = None,
                split: str | None = None, metrics: Iterable[str] | None = None, percentiles: bool = False,
                scopes: Sequence[str] = SCOPES, only: Scope | None = None, fill: bool = False
                ) -> list[MetricValue]:
    """Every metric for every technician, team and the desk (or just `only`), sparse: a group with
    no resolved ticket in a period has no row, except backlog, which has one per period.

    split: None, 'priority' (segments P1-P4) or 'type' (incident, request); tickets with an unknown
    tier or type count in the unsplit values only. percentiles adds median and p90 beside MTTR
    (one more ordered pass per scope kind). fill: one row per metric, period and segment even when
    nothing rests on it (value None or 0, count 0), which is what a table or a plot of one scope wants.
    """
    wanted = _wanted(metrics)
    periods = period_range(first, last, granularity)
    first_key, last_key = periods[0].key, periods[-1].key
    if only is not None:
        scopes = (only.kind,)
    f = _Fetched()
    with sql.connection(store) as con:
        ctx = _Context(sql.team_map(con), *sql.names(con))
        if fill:
            f.span = sql.span_of(con)
        tech_ids = groups.tech_filter(only, ctx.team_of)
        people = any(k != "group" for k in scopes)
        shared = people and sql.has_shares(con) and any(k in ("technician", "team") for k in scopes)
        by_group = "group" in scopes and (only is not None or sql.has_groups(con))
        group_ids = [only.id] if only is not None and only.kind == "group" else None
        by = "desk" if tuple(scopes) == ("desk",) else "technician"  # the desk alone: no per-person groups
        backlog = bool(BACKLOG_METRICS & set(wanted))
        end = periods[-1].end.isoformat()
        flows_read = False
        # The desk's MTTR alone, with its percentiles: its mean comes from the very read of the times
        # the percentiles sort, not from a second pass over the table (issue 19: 2.9 s -> 1.1 s at 1M).
        if by == "desk" and percentiles and wanted == ("mttr_hours",):
            totals: dict[tuple[Any, Any, Any], tuple[int, float]] = {}
            f.pct = {"desk": sql.percentile_rows(con, granularity, first_key, last_key, split, "desk", None,
                                                 totals=totals)}
            f.rows = [(0, period, seg, n, h_sum, n, *([0] * (sql.AGG_WIDTH - 3)))
                      for (_gid, period, seg), (n, h_sum) in totals.items()]
        elif any(m not in BACKLOG_METRICS for m in wanted):
            full = len(periods) > 6
            flows_read = backlog  # both in one pass (sql.aggregate_and_flows)
            if people and backlog:
                f.rows, f.incoming, f.outgoing = sql.aggregate_and_flows(con, granularity, first_key, last_key, end,
                                                                         split, tech_ids, by=by)
            elif people:
                f.rows = sql.aggregate(con, granularity, first_key, last_key, split, tech_ids, full_scan=full, by=by)
            if shared:
                f.shares = sql.aggregate_shares(con, granularity, first_key, last_key, split, tech_ids)
            if by_group and backlog:
                f.group_rows, f.group_in, f.group_out = sql.aggregate_and_flows(
                    con, granularity, first_key, last_key, end, split, group_ids, by="group")
            elif by_group:
                f.group_rows = sql.aggregate(con, granularity, first_key, last_key, split, group_ids,
                                             full_scan=full, by="group")
        if percentiles and "mttr_hours" in wanted and not f.pct:
            ids = None if only is None or only.kind == "desk" else [only.id]
            f.pct = {kind: sql.percentile_rows(con, granularity, first_key, last_key, split, kind, ids, shared)
                     for kind in scopes if kind != "group" or by_group}
        if backlog:
            if people and not flows_read:
                f.incoming, f.outgoing = sql.backlog_flows(con, granularity, last_key, end, split, tech_ids, by=by)
            if shared:
                f.share_in, f.share_out = sql.backlog_shares(con, granularity, last_key, end, split, tech_ids)
            if by_group and not flows_read:
                f.group_in, f.group_out = sql.backlog_flows(con, granularity, last_key, end, split, group_ids,
                                                            by="group")
    out = _assemble(f, ctx, periods, wanted, split, scopes, only, fill, percentiles)
    out.sort(key=lambda v: (SCOPES.index(v.scope), v.who, v.period, v.segment or "", _ORDER[v.kpi]))
    return out


def compute_many(store: "Store", granularities: Sequence[str], first: dt.date, last: dt.date,
                 split: str | None = None, metrics: Iterable[str] | None = None,
                 scopes: Sequence[str] = SCOPES, segments: Iterable[str] | None = None
                 ) -> dict[str, list[MetricValue]]:
    """compute_all for several period lengths over first..last (dates), from one pass over the tickets:
    the rows are grouped by week and month together, and the month rows add up to quarters and years.
    `segments` keeps only those segments of a split (an 'MTTR P1' KPI needs P1 only).
    What recompute uses; unsorted, no percentiles."""
    wanted = _wanted(metrics)
    end = max(periods_between(first, last, g)[-1].end for g in granularities)
    aggregates = any(m not in BACKLOG_METRICS for m in wanted)
    backlog = bool(BACKLOG_METRICS & set(wanted))
    empty: list[tuple[Any, ...]] = []
    with sql.connection(store) as con:
        ctx = _Context(sql.team_map(con), *sql.names(con))
        shared = sql.has_shares(con)
        by_group = "group" in scopes and sql.has_groups(con)
        rows = sql.aggregate_weeks_months(con, split) if aggregates else empty
        share_rows = sql.aggregate_shares_weeks_months(con, split) if aggregates and shared else empty
        group_rows = sql.aggregate_weeks_months(con, split, by="group") if aggregates and by_group else empty
        incoming, outgoing = sql.backlog_flows_weeks_months(con, end.isoformat(), split) if backlog else (empty, empty)
        share_in, share_out = (sql.backlog_shares_weeks_months(con, end.isoformat(), split) if backlog and shared
                               else (empty, empty))
        group_in, group_out = (sql.backlog_flows_weeks_months(con, end.isoformat(), split, by="group")
                               if backlog and by_group else (empty, empty))
    if split is not None and segments is not None:
        keep = set(segments)

        def kept(rows: list[tuple[Any, ...]], at: int) -> list[tuple[Any, ...]]:
            return [r for r in rows if groups.segment(r[at], split) in keep]

        rows, group_rows, share_rows = kept(rows, 3), kept(group_rows, 3), kept(share_rows, 4)
        incoming, outgoing, group_in, group_out = kept(incoming, 1), kept(outgoing, 1), kept(group_in, 1), kept(group_out, 1)
        share_in, share_out = kept(share_in, 2), kept(share_out, 2)
    out = {}
    for gran in granularities:
        periods = periods_between(first, last, gran)
        lo, hi = periods[0].key, periods[-1].key

        def by_period(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
            return [(r[0], k, *r[3:]) for r in rows if lo <= (k := _key(gran, r[1], r[2])) <= hi]

        def days(rows: list[tuple[Any, ...]], at: int = 2) -> list[tuple[Any, ...]]:
            return rows if gran == "week" else [(*r[:at], r[at][:7], *r[at + 1:]) for r in rows]

        def gone(rows: list[tuple[Any, ...]], at: int = 2) -> list[tuple[Any, ...]]:
            return [(*r[:at], k, r[-1]) for r in rows if (k := _key(gran, r[at], r[at + 1])) <= hi]

        f = _Fetched(rows=by_period(rows), incoming=days(incoming), outgoing=gone(outgoing),
                     shares=[(r[0], r[1], k, *r[4:]) for r in share_rows if lo <= (k := _key(gran, r[2], r[3])) <= hi],
                     share_in=days(share_in, 3), share_out=gone(share_out, 3),
                     group_rows=by_period(group_rows), group_in=days(group_in), group_out=gone(group_out))
        out[gran] = _assemble(f, ctx, periods, wanted, split, scopes, None, False, False)
    return out


def _key(granularity: str, week: str, month: str) -> str:
    if granularity == "week":
        return week
    if granularity == "month":
        return month
    if granularity == "quarter":
        return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"
    if granularity == "half":
        return f"{month[:4]}-H{1 if int(month[5:7]) <= 6 else 2}"
    return month[:4]


def compute(store: "Store", *, scope_key: str = "desk", granularity: str = "month", first: Period | str,
            last: Period | str | None = None, split: str | None = None, metrics: Iterable[str] | None = None,
            percentiles: bool = True) -> list[MetricValue]:
    """Every metric for one scope ('desk', 'team:<id>', 'technician:<id>') over first..last, one row per
    metric, period and segment (value None and count 0 where nothing rests on it). MTTR rows carry
    extra={'median': .., 'p90': ..}. csat_positive_rate appears only where a thumbs survey exists."""
    only = Scope.parse(scope_key)
    return compute_all(store, granularity=granularity, first=first, last=last, split=split, metrics=metrics,
                       percentiles=percentiles, only=only, fill=True)


def _assemble(f: _Fetched, ctx: _Context, periods: list[Period], wanted: tuple[str, ...], split: str | None,
              scopes: Sequence[str], only: Scope | None, fill: bool, percentiles: bool) -> list[MetricValue]:
    starts = {p.key: p.start for p in periods}
    out: list[MetricValue] = []
    for kind in scopes:
        values: dict[tuple[groups.GroupKey, str], groups.Value] = {}
        keep_all = only is None or kind == "desk"
        pct = groups.percentiles(f.pct[kind], split) if kind in f.pct else {}
        rows, incoming, outgoing = f.for_kind(kind)
        for key, agg in groups.rollup(rows, kind, ctx.team_of, split).items():
            if keep_all or key[0] == only.id:  # type: ignore[union-attr]
                # (None, None) where no ticket has a known time: an MTTR row carries median and p90
                # whenever percentiles were asked for, as a filled-in row does.
                for v in groups.from_aggregate(agg, wanted, pct.get(key, (None, None)) if percentiles else None):
                    values[(key, v[0])] = v
        if incoming:
            for key, (now, before) in groups.backlog(incoming, outgoing, kind, ctx.team_of, split, periods).items():
                if keep_all or key[0] == only.id:  # type: ignore[union-attr]
                    if "backlog_open" in wanted:
                        values[(key, "backlog_open")] = ("backlog_open", now, now, {})
                    if "backlog_change" in wanted:
                        values[(key, "backlog_change")] = ("backlog_change", now - before, now, {})
        if fill and only is not None:
            sid = None if kind == "desk" else only.id
            for p in periods:
                # A count is 0 only inside the span the tickets cover: before the first ticket (or
                # after the last) nobody knows it, so it is none, not 0.
                known = f.span is not None and p.start <= f.span[1] and f.span[0] < p.end
                for seg in segments_of(split):
                    for m in wanted:
                        if m in CONTRACT_METRICS:
                            values.setdefault(((sid, p.key, seg), m), groups.empty(m, percentiles, known))
        names = {sid: ctx.who(kind, sid) for (sid, _p, _s), _m in values}
        for ((sid, period, seg), _m), (metric, value, count, extra) in values.items():
            out.append(MetricValue(kpi=metric, scope=kind, who=names[sid], period=period, segment=seg,
                                   value=value, count=count, scope_id=sid, period_start=starts.get(period),
                                   extra=extra))
    return out
