"""Edges of the incremental recompute (kpidesk/metrics/incremental.py, issue 20): the recent rows
read once and collapsed from the priority tiers, the backlog flows of one period length, segments
kept, shared tickets, groups, and a desk whose weeks cross a month (since Thursday 2026-10-01: the
weeks start on Monday 09-28, the month on 10-01). Values are worked out by hand, or held equal to
the full recompute's (compute_many) for the same periods."""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest

from kpidesk.metrics import sql, sql_since
from kpidesk.metrics.engine import compute_all, compute_many
from kpidesk.metrics.incremental import SinceReader, _collapse, _Flows, compute_since
from kpidesk.periods import periods_between
from kpidesk.records import TechnicianRecord
from tests.core.metrics_tickets import add_tickets, people, ticket

SINCE = dt.date(2026, 10, 1)  # a Thursday: 2026-W40 starts on Monday 09-28
LAST = dt.date(2026, 10, 31)
WEEKS = ["2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44"]


@pytest.fixture
def desk(store):
    """Desk: Ann, Bob; Infra: Cy, Dee."""
    ids = people(store)
    ids["Dee"] = store.create_technician(TechnicianRecord(display_name="Dee", team_id=ids["Infra"]))[0].id
    ann, bob, cy, dee = ids["Ann"], ids["Bob"], ids["Cy"], ids["Dee"]
    add_tickets(store, [
        # long before: Ann (P3, group Net) and Bob (P1) had tickets, resolved before 09-28
        ticket("2026-09-01 09:00", "2026-09-02 09:00", tech=ann, tier=3, group_name="Net"),
        ticket("2026-08-10 09:00", "2026-08-11 09:00", tech=bob, tier=1, kind="request"),
        # two of Ann's P2 open at the start, come in on different days; one goes out in W42
        ticket("2026-09-15 10:00", None, tech=ann, tier=2, group_name="Net"),
        ticket("2026-09-20 10:00", "2026-10-14 10:00", tech=ann, tier=2, group_name="Net"),
        # resolved exactly at the weeks' start (09-28 00:00), shared with Cy; and at the month's start
        ticket("2026-09-25 08:00", "2026-09-28 00:00", tech=bob, tier=2, shared_with=json.dumps([cy])),
        ticket("2026-09-30 12:00", "2026-10-01 00:00", tech=cy, tier=4, kind="request", group_name="Web"),
        # Dee's three of 10-06 (P1 2 h, P2 4 h, no tier 8 h): one row each by tier, one unsplit
        ticket("2026-10-06 08:00", "2026-10-06 10:00", tech=dee, tier=1, group_name="Web"),
        ticket("2026-10-06 09:00", "2026-10-06 13:00", tech=dee, tier=2, group_name="Web"),
        ticket("2026-10-06 07:00", "2026-10-06 15:00", tech=dee, tier=None, group_name="Web"),
        # shared: Ann's P1 with Bob (her team: dup) and Cy (not); Ann's P2 with Cy; Bob's open P3 of W44
        # with Dee; Cy's P1 open since before the start, with Ann
        ticket("2026-10-02 09:00", "2026-10-02 11:00", tech=ann, tier=1, shared_with=json.dumps([bob, cy])),
        ticket("2026-10-07 09:00", "2026-10-07 10:00", tech=ann, tier=2, shared_with=json.dumps([cy])),
        ticket("2026-10-27 09:00", None, tech=bob, tier=3, shared_with=json.dumps([dee])),
        ticket("2026-09-29 09:00", None, tech=cy, tier=1, shared_with=json.dumps([ann])),
        # done with no time: in no period and no backlog
        ticket("2026-10-08 09:00", None, tech=cy, tier=3, resolved_basis="no_time", status_category="resolved"),
        # no technician, group Apps, 24 h
        ticket("2026-10-20 09:00", "2026-10-21 09:00", tech=None, tier=3, group_name="Apps"),
        # created on the first day after October (still in W44): after the month's end
        ticket("2026-11-01 00:00", None, tech=cy, tier=3),
    ])
    return store, ann, bob, cy, dee


def _values(values, keys):
    """{(kpi, scope, period, segment): (value, count)} of the periods in `keys`."""
    return {(v.kpi, v.scope_key, v.period, v.segment): (v.value, v.count) for v in values if v.period in keys}


def _both(store, grans, reader=None, **kw):
    """(incremental, full) values of the periods SINCE..LAST, each {granularity: values}."""
    mine = compute_since(store, grans, SINCE, LAST, reader=reader, **kw)
    full = compute_many(store, grans, dt.date(2026, 1, 1), LAST, **kw)
    keys = {g: {p.key for p in periods_between(SINCE, LAST, g)} for g in grans}
    return ({g: _values(mine[g], keys[g]) for g in grans}, {g: _values(full[g], keys[g]) for g in grans})


# --- _collapse and the reader ---------------------------------------------------------------

def test_collapse_adds_up_the_rows_of_every_segment():
    rows = [("a", 1, "d1", "o1", 1, 1, 2.0), ("a", 2, "d1", "o1", 1, 1, 4.0), ("b", 1, "d1", "o1", 1, 1, 1.0),
            ("a", None, "d1", "o1", 1, 1, 8.0), ("a", 2, "d2", "o1", 1, 2, 3.0)]
    assert _collapse(rows, 1, 5) == [("a", None, "d1", "o1", 1, 3, 14.0), ("b", None, "d1", "o1", 1, 1, 1.0),
                                     ("a", None, "d2", "o1", 1, 2, 3.0)]
    assert _collapse([], 1, 5) == []


class _Spy:
    """sql_since.recent_rows (or had_tickets), recording what it was asked."""

    def __init__(self, monkeypatch, name):
        self.calls, self.real = [], getattr(sql_since, name)
        monkeypatch.setattr(sql_since, name, self)

    def __call__(self, con, start, split, *args, by="technician"):
        self.calls.append((start, split, args[-1] if args else by))
        return self.real(con, start, split, *args, by=by) if not args else self.real(con, start, split, *args)


def test_a_reader_by_tier_reads_the_tiers_once_and_adds_them_up_for_the_unsplit_rows(desk, monkeypatch):
    store, ann, bob, cy, dee = desk
    start = dt.date(2026, 10, 5)
    with sql.connection(store) as con:
        by_tier, by_type = sql_since.recent_rows(con, start, "priority"), sql_since.recent_rows(con, start, "type")
        unsplit = sql_since.recent_rows(con, start, None)
        spy = _Spy(monkeypatch, "recent_rows")
        reader = SinceReader(con, by_tier=True)
        rows = reader.recent(start, None, "technician")
        assert Counter(reader.recent(start, "priority", "technician")) == Counter(by_tier)
        assert Counter(reader.recent(start, None, "technician")) == Counter(rows)
        assert Counter(reader.recent(start, "type", "technician")) == Counter(by_type)
    assert spy.calls == [(start, "priority", "technician"), (start, "type", "technician")]
    assert Counter(rows) == Counter(unsplit)
    # Dee's three of 10-06 (P1 2 h within 4 h, P2 4 h within 8 h, no tier 8 h, SLA unknown) in one row
    assert [r for r in rows if r[0] == dee] == [
        (dee, None, "2026-10-06", "2026-10-06", 1, 3, 14.0, 3, 3.0, 3, 2.0, 2, 0.0, 0, 0.0, 0.0, 0, 0.0, 3, 0.0, 3)]
    assert len(rows) == 9


def test_a_plain_reader_reads_each_split_as_it_is(desk, monkeypatch):
    store, *_ = desk
    with sql.connection(store) as con:
        unsplit = sql_since.recent_rows(con, SINCE, None, by="group")
        spy = _Spy(monkeypatch, "recent_rows")
        reader = SinceReader(con)
        assert reader.recent(SINCE, None, "group") == unsplit
        assert reader.recent(SINCE, None, "group") == unsplit
    assert spy.calls == [(SINCE, None, "group")]


# --- one period length's flows (_Flows) ------------------------------------------------------

def test_flows_of_weeks_by_day_with_an_opening_balance_the_day_before():
    # the weeks 2026-W41 (from Monday 10-05) to 2026-W41: end Monday 10-12
    flows = _Flows("week", dt.date(2026, 10, 5), "2026-W40", "2026-W41", dt.date(2026, 10, 12))
    flows.add([
        ("a", None, "2026-10-05", "2026-10-05", 1, 1, 5.0),  # in exactly at the start, out in W41
        ("a", None, "2026-09-20", None, 1, 1, 0.0),  # open at the start
        ("a", None, "2026-09-25", "2026-10-20", 1, 2, 9.0),  # 2 open at the start, out after W41
        ("b", None, "2026-10-12", None, 1, 1, 0.0),  # in on the end day: after the periods
        ("c", None, "2026-10-01", "2026-10-03", 1, 1, 1.0),  # in and out before the start: c had one
        ("d", None, "2026-10-06", None, 0, 1, 0.0),  # in no backlog
        ("f", None, "2026-10-05", None, 1, 1, 0.0),  # f's first, in exactly at the start
    ], {("e", None)})
    assert flows.aggregates() == [("a", "2026-W41", None, 1, 5.0)]
    assert sorted(flows.incoming(), key=repr) == sorted([
        ("a", None, "2026-10-04", 3 + 1), ("c", None, "2026-10-04", 0 + 1), ("e", None, "2026-10-04", 0 + 1),
        ("a", None, "2026-10-05", 1), ("f", None, "2026-10-05", 1)], key=repr)
    assert sorted(flows.outgoing(), key=repr) == sorted([
        ("a", None, "2026-W40", 1), ("c", None, "2026-W40", 1), ("e", None, "2026-W40", 1),
        ("a", None, "2026-W41", 1)], key=repr)


def test_flows_of_months_by_month():
    flows = _Flows("month", dt.date(2026, 10, 1), "2026-09", "2026-10", dt.date(2026, 11, 1))
    flows.add([("a", 3, "2026-10-15", "2026-10-20", 1, 1, 2.0), ("a", 3, "2026-09-30", None, 1, 1, 0.0),
               ("a", 3, "2026-10-16", "2026-10-20", 1, 2, 3.0), ("b", 3, "2026-10-31", None, 1, 1, 0.0)], set())
    assert flows.aggregates() == [("a", "2026-10", 3, 3, 5.0)]
    assert sorted(flows.incoming(), key=repr) == [("a", 3, "2026-09", 2), ("a", 3, "2026-10", 3),
                                                  ("b", 3, "2026-10", 1)]
    assert sorted(flows.outgoing(), key=repr) == [("a", 3, "2026-09", 1), ("a", 3, "2026-10", 3)]


# --- compute_since against the full recompute and by hand --------------------------------------

@pytest.mark.parametrize("split", [None, "priority", "type"])
def test_equal_to_the_full_recompute(desk, split):
    store, *_ = desk
    mine, full = _both(store, ["week", "month", "quarter"], split=split)
    assert mine == full
    assert len(mine["week"]) > 100 and len(mine["quarter"]) > 30


def test_by_hand_weeks_crossing_into_october(desk):
    store, ann, bob, cy, dee = desk
    mine, full = _both(store, ["week", "month"])
    assert mine == full
    w, m = mine["week"], mine["month"]
    # resolved in W40 (09-28..10-04): Bob's of 09-28 00:00, Cy's of 10-01 00:00, Ann's of 10-02
    assert [w[("resolved_count", "desk", k, None)][0] for k in WEEKS[:4]] == [3, 4, 1, 1]
    assert ("resolved_count", "desk", "2026-W44", None) not in w
    assert m[("resolved_count", "desk", "2026-10", None)] == (8, 8)  # Bob's of 09-28 is September's
    # open at each week's end: Ann's two P2 and Cy's P1 of 09-29; Ann's second goes out 10-14;
    # Bob's of 10-27 and Cy's of 11-01 00:00 come in in W44 (Cy's after October)
    assert [w[("backlog_open", "desk", k, None)][0] for k in WEEKS] == [3, 3, 2, 2, 4]
    assert m[("backlog_open", "desk", "2026-10", None)][0] == 3
    # at the end of W39 Bob's (resolved 09-28 00:00) was open too
    assert w[("backlog_change", "desk", "2026-W40", None)][0] == 0
    # shared: Cy counts Bob's of 09-28 and Ann's of 10-02 besides his own; Desk counts Ann's once
    assert w[("resolved_count", f"technician:{cy}", "2026-W40", None)][0] == 3
    assert w[("resolved_count", "team:2", "2026-W40", None)][0] == 3
    assert w[("resolved_count", "team:1", "2026-W40", None)][0] == 2
    assert w[("backlog_open", f"technician:{ann}", "2026-W40", None)][0] == 3  # her two and Cy's shared
    assert [w[("backlog_open", f"technician:{dee}", k, None)][0] for k in WEEKS[1:]] == [0, 0, 0, 1]
    assert [w[("backlog_open", f"technician:{bob}", k, None)][0] for k in WEEKS] == [0, 0, 0, 0, 1]
    assert [w[("backlog_open", "group:Net", k, None)][0] for k in WEEKS] == [2, 2, 1, 1, 1]
    assert w[("resolved_count", "group:Web", "2026-W41", None)][0] == 3
    assert w[("mttr_hours", f"technician:{dee}", "2026-W41", None)] == (14 / 3, 3)


def test_a_reader_by_tier_serves_the_unsplit_and_the_priority_recompute(desk, monkeypatch):
    store, *_ = desk
    with sql.connection(store) as con:
        spy = _Spy(monkeypatch, "recent_rows")
        reader = SinceReader(con, by_tier=True)
        for split in (None, "priority"):
            mine, full = _both(store, ["week", "month"], reader=reader, split=split)
            assert mine == full
    assert sorted(c[1:] for c in spy.calls if c[0] == dt.date(2026, 9, 28)) == [
        ("priority", "group"), ("priority", "technician")]


def test_segments_kept(desk):
    store, ann, bob, cy, dee = desk
    mine, full = _both(store, ["week", "month"], split="priority", segments=["P1", "P3"])
    assert mine == full
    w = mine["week"]
    assert {k[3] for k in w} == {"P1", "P3"}
    assert w[("resolved_count", f"technician:{cy}", "2026-W40", "P1")][0] == 1  # Ann's shared of 10-02
    assert w[("resolved_count", "desk", "2026-W41", "P1")][0] == 1  # Dee's
    assert [w[("backlog_open", "desk", k, "P1")][0] for k in WEEKS] == [1, 1, 1, 1, 1]  # Cy's of 09-29
    assert [w[("backlog_open", "desk", k, "P3")][0] for k in WEEKS] == [0, 0, 0, 0, 2]
    assert w[("backlog_open", f"technician:{dee}", "2026-W44", "P3")][0] == 1  # Bob's shared
    assert [w[("backlog_open", "group:Net", k, "P3")][0] for k in WEEKS] == [0] * 5  # had one before
    mine, full = _both(store, ["week"], split="type", segments=["request"])
    assert mine == full and {k[3] for k in mine["week"]} == {"request"}
    mine, full = _both(store, ["week"], segments=["P1"])  # unsplit: nothing to keep
    assert mine == full and ("resolved_count", "desk", "2026-W41", None) in mine["week"]


def test_a_recompute_of_no_backlog_metric_asks_nothing_of_the_backlog(desk, monkeypatch):
    store, ann, *_ = desk
    spy = _Spy(monkeypatch, "had_tickets")
    mine, full = _both(store, ["week", "month"], split="priority", metrics=["resolved_count", "mttr_hours"])
    assert spy.calls == []
    assert mine == full
    assert {k[0] for k in mine["month"]} == {"resolved_count", "mttr_hours"}
    assert mine["month"][("mttr_hours", f"technician:{ann}", "2026-10", "P2")] == ((1 + 576) / 2, 2)
    _both(store, ["week"], metrics=["backlog_change"])
    assert sorted(c[2] for c in spy.calls) == ["group", "technician"]


def test_the_groups_are_read_only_for_the_group_scope(desk, monkeypatch):
    store, *_ = desk
    spy = _Spy(monkeypatch, "recent_rows")
    mine, full = _both(store, ["week"], scopes=("technician", "team", "desk"))
    assert mine == full and len(mine["week"]) > 50
    assert [c[2] for c in spy.calls] == ["technician"]


@pytest.mark.parametrize("resolved", ["2026-10-09 12:00", "2026-09-10 12:00"])
def test_a_ticket_created_after_the_periods_but_resolved_in_or_before_them_is_never_open(store, resolved):
    """Bad export data: resolved before created, created after the last period. It comes in on its
    resolution day and goes out then, so it is in no backlog, whatever the periods asked for (the
    full recompute counted it out but not in, a backlog of -1)."""
    ids = people(store)
    ann, bob = ids["Ann"], ids["Bob"]
    add_tickets(store, [ticket("2026-09-01 09:00", "2026-09-02 09:00", tech=ann, tier=3),
                        ticket("2026-11-20 09:00", resolved, tech=ann, tier=3, shared_with=json.dumps([bob]))])
    mine, full = _both(store, ["week", "month"], metrics=["backlog_open"])
    assert mine == full
    assert full["month"][("backlog_open", f"technician:{ann}", "2026-10", None)] == (0, 0)
    assert full["month"][("backlog_open", f"technician:{bob}", "2026-10", None)] == (0, 0)
    assert full["week"][("backlog_open", "desk", "2026-W44", None)] == (0, 0)
    # the same periods asked for alone, and with the aggregates read in the same pass
    for metrics in (["backlog_open"], None):
        october = compute_all(store, granularity="month", first="2026-09", last="2026-10", metrics=metrics)
        # Bob's only ticket is his share of it: he is reported from the month it came in
        bobs = ("2026-09", "2026-10") if resolved < "2026-10" else ("2026-10",)
        assert {(v.scope_key, v.period): v.value for v in october if v.kpi == "backlog_open"} == {
            **{(k, p): 0 for k in (f"technician:{ann}", "team:1", "desk") for p in ("2026-09", "2026-10")},
            **{(f"technician:{bob}", p): 0 for p in bobs}}
