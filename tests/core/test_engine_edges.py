"""Edges of the metrics engine (kpidesk/metrics/engine.py, issue 20): the period keys compute_many
rolls week and month rows into, the names of scopes nobody knows, compute_all for one scope with
fill and percentiles on and off, the group scope, the desk's MTTR beside every scope, the span a
count of 0 is known in, and compute_many agreeing with compute_all. Four hand-placed tickets:

  T1 Ann P3 incident Net  2026-03-01 09:00 -> 03-01 11:00   2 h   (the first day of the span)
  T2 Bob P1 incident Web  2026-03-10 08:00 -> 03-10 12:00   4 h
  T3 Cy  P3 request  ''   2026-03-20 00:00 -> 03-21 00:00  24 h
  T4 Ann P2 incident Net  2026-04-01 00:00, open             (the last day of the span)
"""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.metrics.engine import _Context, _key, compute, compute_all, compute_many
from kpidesk.metrics.model import Scope
from tests.core.metrics_tickets import add_tickets, people, ticket


@pytest.fixture
def desk(store):
    ids = people(store)
    ann, bob, cy = ids["Ann"], ids["Bob"], ids["Cy"]
    add_tickets(store, [
        ticket("2026-03-01 09:00", "2026-03-01 11:00", tech=ann, tier=3, group_name="Net"),
        ticket("2026-03-10 08:00", "2026-03-10 12:00", tech=bob, tier=1, group_name="Web"),
        ticket("2026-03-20 00:00", "2026-03-21 00:00", tech=cy, tier=3, kind="request"),
        ticket("2026-04-01 00:00", None, tech=ann, tier=2, group_name="Net"),
    ])
    return store, ids


def test_key_of_each_granularity():
    assert _key("week", "2026-W10", "2026-03") == "2026-W10"
    assert _key("month", "2026-W10", "2026-03") == "2026-03"
    quarters = {m: _key("quarter", "x", f"2026-{m:02d}") for m in range(1, 13)}
    assert quarters == {1: "2026-Q1", 2: "2026-Q1", 3: "2026-Q1", 4: "2026-Q2", 5: "2026-Q2", 6: "2026-Q2",
                        7: "2026-Q3", 8: "2026-Q3", 9: "2026-Q3", 10: "2026-Q4", 11: "2026-Q4", 12: "2026-Q4"}
    halves = {m: _key("half", "x", f"2025-{m:02d}") for m in range(1, 13)}
    assert halves == {m: "2025-H1" if m <= 6 else "2025-H2" for m in range(1, 13)}
    assert _key("half", "x", "2025-10") == "2025-H2" and _key("half", "x", "2025-06") == "2025-H1"
    assert _key("year", "2026-W01", "2026-12") == "2026"
    assert _key("year", "2025-W53", "2025-01") == "2025"


def test_who_names_known_and_unknown_ids():
    ctx = _Context({1: 10}, {1: "Ann"}, {10: "Desk"})
    assert ctx.who("desk", None) == "desk"
    assert ctx.who("group", "Net") == "Net"
    assert ctx.who("technician", 1) == "Ann" and ctx.who("technician", 9) == "#9"
    assert ctx.who("team", 10) == "Desk" and ctx.who("team", 9) == "#9"


def test_one_technician_sparse_without_percentiles_by_default(desk):
    store, ids = desk
    out = compute_all(store, granularity="month", first="2026-03", last="2026-04",
                      only=Scope("technician", ids["Ann"]), metrics=["mttr_hours", "resolved_count"])
    # no fill: nothing in April for Ann's resolved tickets; no percentiles: no extra
    assert [(v.scope, v.who, v.period, v.kpi, v.value, v.count, v.extra) for v in out] == [
        ("technician", "Ann", "2026-03", "mttr_hours", 2.0, 1, {}),
        ("technician", "Ann", "2026-03", "resolved_count", 1, 1, {}),
    ]


def test_one_technician_filled_with_percentiles(desk):
    store, ids = desk
    out = compute_all(store, granularity="month", first="2026-02", last="2026-05",
                      only=Scope("technician", ids["Ann"]), metrics=["mttr_hours", "resolved_count"],
                      fill=True, percentiles=True)
    got = [(v.period, v.kpi, v.value, v.count, v.extra) for v in out]
    empty = {"median": None, "p90": None}
    assert got == [
        # February ends the day the first ticket came in: not known, none
        ("2026-02", "mttr_hours", None, 0, empty), ("2026-02", "resolved_count", None, 0, {}),
        ("2026-03", "mttr_hours", 2.0, 1, {"median": 2.0, "p90": 2.0}), ("2026-03", "resolved_count", 1, 1, {}),
        # April starts the day the last ticket came in: known, 0
        ("2026-04", "mttr_hours", None, 0, empty), ("2026-04", "resolved_count", 0, 0, {}),
        ("2026-05", "mttr_hours", None, 0, empty), ("2026-05", "resolved_count", None, 0, {}),
    ]
    assert {(v.scope, v.who, v.scope_id) for v in out} == {("technician", "Ann", ids["Ann"])}


def test_one_team_and_the_desk(desk):
    store, ids = desk
    out = compute_all(store, granularity="month", first="2026-03", only=Scope("team", ids["Desk"]),
                      metrics=["mttr_hours", "resolved_count", "backlog_open"])
    assert [(v.who, v.kpi, v.value, v.count) for v in out] == [
        ("Desk", "mttr_hours", 3.0, 2), ("Desk", "backlog_open", 0, 0), ("Desk", "resolved_count", 2, 2)]
    out = compute_all(store, granularity="month", first="2026-03", last="2026-04", only=Scope("desk"),
                      metrics=["mttr_hours", "backlog_open"])
    assert [(v.who, v.period, v.kpi, v.value, v.count, v.scope_id) for v in out] == [
        ("desk", "2026-03", "mttr_hours", 10.0, 3, None), ("desk", "2026-03", "backlog_open", 0, 0, None),
        ("desk", "2026-04", "backlog_open", 1, 1, None)]


def test_group_scope_with_and_without_only(desk):
    store, ids = desk
    out = compute_all(store, granularity="month", first="2026-03", scopes=("group",), metrics=["resolved_count"])
    assert [(v.scope, v.who, v.value) for v in out] == [("group", "Net", 1), ("group", "Web", 1)]
    out = compute_all(store, granularity="month", first="2026-03", only=Scope("group", "Web"),
                      metrics=["resolved_count"])
    assert [(v.scope, v.who, v.value, v.scope_id) for v in out] == [("group", "Web", 1, "Web")]


def test_desk_mttr_alone_beside_every_scope(desk):
    store, ids = desk
    out = compute_all(store, granularity="month", first="2026-03", metrics=["mttr_hours"], percentiles=True)
    got = [(v.scope, v.who, v.value, v.count) for v in out]
    assert got == [("technician", "Ann", 2.0, 1), ("technician", "Bob", 4.0, 1), ("technician", "Cy", 24.0, 1),
                   ("team", "Desk", 3.0, 2), ("team", "Infra", 24.0, 1),
                   ("group", "Net", 2.0, 1), ("group", "Web", 4.0, 1),
                   ("desk", "desk", 10.0, 3)]
    alone = compute_all(store, granularity="month", first="2026-03", metrics=["mttr_hours"], percentiles=True,
                        scopes=("desk",))
    assert alone == [v for v in out if v.scope == "desk"]


@pytest.mark.parametrize("split", [None, "priority", "type"])
@pytest.mark.parametrize("gran", ["week", "month", "quarter", "half", "year"])
def test_compute_many_equals_compute_all(desk, gran, split):
    store, _ids = desk
    first, last = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    many = compute_many(store, (gran,), first, last, split=split)[gran]
    from kpidesk.metrics.engine import period_range
    ps = period_range(first.isoformat()[:7], "2026-12", "month")
    all_ = compute_all(store, granularity=gran, first=_first(gran, first), last=_first(gran, last), split=split)
    key = lambda v: (v.scope, v.who, v.period, v.segment or "", v.kpi)  # noqa: E731
    assert sorted(many, key=key) == sorted(all_, key=key)
    assert ps  # the months of 2026


def _first(gran: str, day: dt.date) -> str:
    from kpidesk.periods import periods_between
    return periods_between(day, day, gran)[0].key


def test_compute_many_month_backlog_by_hand(desk):
    store, _ids = desk
    out = compute_many(store, ("month", "year"), dt.date(2026, 3, 1), dt.date(2026, 4, 30),
                       metrics=["backlog_open"], scopes=("desk",))
    assert [(v.period, v.value) for v in out["month"]] == [("2026-03", 0), ("2026-04", 1)]
    assert [(v.period, v.value) for v in out["year"]] == [("2026", 1)]


def test_a_month_with_no_known_resolution_time_reads_alike_by_every_path(desk):
    """May's one ticket was resolved at a time read from its 'updated' column: it counts as resolved
    but has no resolution time. The desk's MTTR there is none, of 0, with median and p90 none, whether
    it is read alone (from the times the percentiles sort) or beside every scope (from the sums)."""
    store, ids = desk
    add_tickets(store, [ticket("2026-05-04 00:00", "2026-05-04 05:00", tech=ids["Ann"], resolved_basis="updated")])
    kw = dict(granularity="month", first="2026-05", metrics=["mttr_hours"])
    every = compute_all(store, percentiles=True, **kw)
    desk = [v for v in every if v.scope == "desk"]
    assert [(v.value, v.count, v.extra) for v in desk] == [(None, 0, {"median": None, "p90": None})]
    assert compute(store, **kw) == desk  # the desk alone, filled
    ann = [v for v in every if v.who == "Ann"]
    assert [(v.value, v.count, v.extra) for v in ann] == [(None, 0, {"median": None, "p90": None})]
    assert compute(store, scope_key=f"technician:{ids['Ann']}", **kw) == ann
    plain = compute_all(store, **kw)
    assert plain and {tuple(v.extra) for v in plain} == {()}  # no percentiles asked for: none carried


def test_the_desks_mttr_split_by_priority_has_each_tiers_own_median_and_p90(desk):
    """Percentiles are grouped by segment too: P3 is T1 (2 h) and T3 (24 h), so its median is
    2 + 0.5 x 22 = 13 and its p90 2 + 0.9 x 22 = 21.8; P1 is T2 alone (4 h); P2 and P4 have none."""
    store, _ids = desk
    out = compute(store, scope_key="desk", first="2026-03", last="2026-03", split="priority", metrics=["mttr_hours"])
    assert [(v.segment, v.value, v.count, v.extra) for v in out] == [
        ("P1", 4.0, 1, {"median": 4.0, "p90": 4.0}),
        ("P2", None, 0, {"median": None, "p90": None}),
        ("P3", 13.0, 2, {"median": 13.0, "p90": pytest.approx(21.8)}),
        ("P4", None, 0, {"median": None, "p90": None})]
