"""The metrics engine: DESIGN.md's ticket metrics for the desk, a team or a technician, by period.

    compute(store, scope_key="technician:3", granularity="month", first="2026-01", last="2026-03")
    compute_all(store, granularity="month", first=..., last=...)   # every technician, team and the desk

A ticket counts in the period it was resolved in, for its technician (resolver, else assignee). A team's
value rests on the tickets its current members resolved; the desk's on every ticket, including those
no technician could be matched to. Rates are fractions 0..1. Aggregation runs in SQL (sql.py); Python
only adds up the per-technician group rows, never loops over tickets.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from kpidesk.metrics import sql
from kpidesk.metrics.model import (
    BACKLOG_METRICS,
    CONTRACT_METRICS,
    SCOPES,
    TICKET_METRICS,
    TYPE_SEGMENTS,
    MetricValue,
    Scope,
    as_period,
    check_granularity,
    segments_of,
)
from kpidesk.periods import Period, period_containing, periods_between

if TYPE_CHECKING:
    from kpidesk.store import Store

GroupKey = tuple[int | None, str, str | None]  # (scope id, period key, segment)


def period_range(first: Period | str, last: Period | str | None, granularity: str) -> list[Period]:
    """The periods of `granularity` covering first..last (e.g. the months of 2026-Q1)."""
    a = as_period(first)
    b = as_period(last) if last is not None else a
    if b.start < a.start:
        a, b = b, a
    return periods_between(a.start, b.last_day, check_granularity(granularity))


def _segment(raw: Any, split: str | None) -> str | None:
    if split == "priority":
        return f"P{raw}" if raw in (1, 2, 3, 4) else None
    if split == "type":
        return raw if raw in TYPE_SEGMENTS else None
    return None


def _scope_id(kind: str, tech_id: int | None, team_of: dict[int, int | None]) -> int | None | bool:
    """The group a technician row adds into; False when it belongs to no group of that kind."""
    if kind == "desk":
        return None
    if tech_id is None:
        return False
    if kind == "technician":
        return tech_id
    team = team_of.get(tech_id)
    return False if team is None else team


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
    wanted = tuple(m for m in TICKET_METRICS if metrics is None or m in set(metrics))
    periods = period_range(first, last, granularity)
    starts = {p.key: p.start for p in periods}
    first_key, last_key = periods[0].key, periods[-1].key
    with sql.connection(store) as con:
        team_of = sql.team_map(con)
        tech_names, team_names = sql.names(con)
        tech_ids = _tech_filter(only, team_of)
        if only is not None:
            scopes = (only.kind,)
        out: list[MetricValue] = []
        per_scope: dict[str, dict[GroupKey, list[float]]] = {}
        if any(m not in BACKLOG_METRICS for m in wanted):
            rows = sql.aggregate(con, granularity, first_key, last_key, split, tech_ids)
            per_scope = {kind: _rollup(rows, kind, team_of, split) for kind in scopes}
        pct: dict[str, dict[GroupKey, tuple[float | None, float | None]]] = {}
        if percentiles and "mttr_hours" in wanted:
            ids = None if only is None or only.kind == "desk" else [only.id]  # type: ignore[list-item]
            for kind in scopes:
                pct[kind] = _percentiles(sql.percentile_rows(con, granularity, first_key, last_key, split, kind,
                                                             ids), split)
        backlog: dict[str, dict[GroupKey, tuple[int, int]]] = {}
        if BACKLOG_METRICS & set(wanted):
            end_text = periods[-1].end.isoformat()
            incoming, outgoing = sql.backlog_flows(con, granularity, last_key, end_text, split, tech_ids)
            backlog = {kind: _backlog(incoming, outgoing, kind, team_of, split, periods) for kind in scopes}

    def who(kind: str, sid: int | None) -> str:
        if kind == "desk":
            return "desk"
        return (tech_names if kind == "technician" else team_names).get(sid, f"#{sid}")  # type: ignore[arg-type]

    for kind in scopes:
        keep = (lambda sid: True) if only is None else (lambda sid: sid == only.id or kind == "desk")
        values: dict[tuple[GroupKey, str], MetricValue] = {}
        for (sid, period, seg), agg in per_scope.get(kind, {}).items():
            if keep(sid):
                for mv in _from_aggregate(agg, wanted, pct.get(kind, {}).get((sid, period, seg))):
                    values[((sid, period, seg), mv.kpi)] = mv
        for (sid, period, seg), (open_now, open_before) in backlog.get(kind, {}).items():
            if keep(sid):
                if "backlog_open" in wanted:
                    values[((sid, period, seg), "backlog_open")] = _mv("backlog_open", open_now, open_now)
                if "backlog_change" in wanted:
                    values[((sid, period, seg), "backlog_change")] = _mv("backlog_change", open_now - open_before,
                                                                         open_now)
        if fill and only is not None:
            sid = None if kind == "desk" else only.id
            for p in periods:
                for seg in segments_of(split):
                    for m in wanted:
                        if m in CONTRACT_METRICS:
                            values.setdefault(((sid, p.key, seg), m), _empty(m, percentiles))
        for ((sid, period, seg), _m), mv in values.items():
            out.append(mv.replace(scope=kind, scope_id=sid, who=who(kind, sid), period=period, segment=seg,
                                  period_start=starts.get(period)))
    order = {m: i for i, m in enumerate(TICKET_METRICS)}
    out.sort(key=lambda v: (SCOPES.index(v.scope), v.who, v.period, v.segment or "", order[v.kpi]))
    return out


def compute(store: "Store", *, scope_key: str = "desk", granularity: str = "month", first: Period | str,
            last: Period | str | None = None, split: str | None = None, metrics: Iterable[str] | None = None,
            percentiles: bool = True) -> list[MetricValue]:
    """Every metric for one scope ('desk', 'team:<id>', 'technician:<id>') over first..last, one row per
    metric, period and segment (value None and count 0 where nothing rests on it). MTTR rows carry
    extra={'median': .., 'p90': ..}. csat_positive_rate appears only where a thumbs survey exists."""
    only = Scope.parse(scope_key)
    return compute_all(store, granularity=granularity, first=first, last=last, split=split, metrics=metrics,
                       percentiles=percentiles, only=only, fill=True)


# ------------------------------------------------------------------ assembly helpers

def _tech_filter(only: Scope | None, team_of: dict[int, int | None]) -> list[int] | None:
    if only is None or only.kind == "desk":
        return None
    if only.kind == "technician":
        return [only.id]  # type: ignore[list-item]
    return [t for t, team in team_of.items() if team == only.id]


def _rollup(rows: list[tuple[Any, ...]], kind: str, team_of: dict[int, int | None], split: str | None
            ) -> dict[GroupKey, list[float]]:
    out: dict[GroupKey, list[float]] = {}
    for row in rows:
        sid = _scope_id(kind, row[0], team_of)
        if sid is False:
            continue
        seg = _segment(row[2], split)
        if split is not None and seg is None:
            continue
        key = (sid, row[1], seg)  # type: ignore[assignment]
        acc = out.get(key)
        if acc is None:
            out[key] = list(row[3:])
        else:
            for i in range(sql.AGG_WIDTH):
                acc[i] += row[3 + i]
    return out


def _percentiles(rows: list[tuple[Any, ...]], split: str | None
                 ) -> dict[GroupKey, tuple[float | None, float | None]]:
    ranked: dict[GroupKey, tuple[int, dict[int, float]]] = {}
    for gid, period, raw, rank, n, hours in rows:
        seg = _segment(raw, split)
        if split is not None and seg is None:
            continue
        ranked.setdefault((gid, period, seg), (n, {}))[1][rank] = hours
    out = {}
    for (gid, period, seg), (n, r) in ranked.items():
        # The desk's rows carry group id 0 (ids of technicians and teams start at 1).
        out[(None if gid == 0 else gid, period, seg)] = (sql.quantile(r, n, 0.5), sql.quantile(r, n, 0.9))
    return out


def _backlog(incoming: list[tuple[Any, ...]], outgoing: list[tuple[Any, ...]], kind: str,
             team_of: dict[int, int | None], split: str | None, periods: list[Period]
             ) -> dict[GroupKey, tuple[int, int]]:
    """{(scope id, period, segment): (open at the period's end, open at the previous period's end)}
    for each period in `periods`, for every group that had a ticket by then."""
    granularity = periods[0].granularity
    day_period: dict[str, str] = {}
    flows: dict[tuple[int | None, str | None], dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for tech, raw, day, n in incoming:
        sid = _scope_id(kind, tech, team_of)
        seg = _segment(raw, split)
        if sid is False or (split is not None and seg is None):
            continue
        key = day_period.get(day)
        if key is None:
            key = day_period[day] = period_containing(dt.date.fromisoformat(day), granularity).key
        flows[(sid, seg)][key][0] += n  # type: ignore[index]
    for tech, raw, key, n in outgoing:
        sid = _scope_id(kind, tech, team_of)
        seg = _segment(raw, split)
        if sid is False or (split is not None and seg is None):
            continue
        flows[(sid, seg)][key][1] += n  # type: ignore[index]
    out: dict[GroupKey, tuple[int, int]] = {}
    for (sid, seg), by_period in flows.items():
        keys = sorted(by_period)
        i, came, opened = 0, 0, 0
        previous_open = 0
        for p in periods:
            while i < len(keys) and keys[i] <= p.key:
                came += by_period[keys[i]][0]
                opened += by_period[keys[i]][0] - by_period[keys[i]][1]
                i += 1
            if p is periods[0]:
                previous_open = _open_before(by_period, keys, p.key)
            if came:
                out[(sid, p.key, seg)] = (opened, previous_open)
            previous_open = opened
    return out


def _open_before(by_period: dict[str, list[int]], keys: list[str], key: str) -> int:
    return sum(by_period[k][0] - by_period[k][1] for k in keys if k < key)


def _mv(metric: str, value: float | None, count: int, **extra: float | None) -> MetricValue:
    return MetricValue(kpi=metric, scope="", who="", period="", segment=None, value=value, count=int(count),
                       extra=dict(extra))


def _empty(metric: str, percentiles: bool) -> MetricValue:
    if metric in ("resolved_count", "backlog_open", "backlog_change"):
        return _mv(metric, 0, 0)
    extra = {"median": None, "p90": None} if metric == "mttr_hours" and percentiles else {}
    return _mv(metric, None, 0, **extra)


def _rate(num: float, den: float) -> float | None:
    return num / den if den else None


def _from_aggregate(a: list[float], wanted: tuple[str, ...], pct: tuple[float | None, float | None] | None
                    ) -> Iterable[MetricValue]:
    n = int(a[sql.N])
    for m in wanted:
        if m == "mttr_hours":
            extra = {} if pct is None else {"median": pct[0], "p90": pct[1]}
            yield _mv(m, _rate(a[sql.H_SUM], a[sql.H_N]), a[sql.H_N], **extra)
        elif m == "fcr_rate":
            yield _mv(m, _rate(a[sql.FCR_SUM], a[sql.FCR_N]), a[sql.FCR_N])
        elif m == "sla_compliance":
            yield _mv(m, _rate(a[sql.SLA_SUM], a[sql.SLA_N]), a[sql.SLA_N])
        elif m == "csat_mean":
            yield _mv(m, _rate(a[sql.CS_SUM], a[sql.CS_N]), a[sql.CS_N])
        elif m == "csat_response_rate":
            yield _mv(m, _rate(a[sql.RESP_N], n), n)
        elif m == "csat_positive_rate":
            if a[sql.POS_N]:
                yield _mv(m, _rate(a[sql.POS_SUM], a[sql.POS_N]), a[sql.POS_N])
        elif m == "escalation_rate":
            yield _mv(m, _rate(a[sql.ESC_SUM], a[sql.ESC_N]), a[sql.ESC_N])
        elif m == "reopen_rate":
            yield _mv(m, _rate(a[sql.REO_SUM], a[sql.REO_N]), a[sql.REO_N])
        elif m == "resolved_count":
            yield _mv(m, n, n)
