"""Edges of the incremental recompute's SQL (kpidesk/metrics/sql_since.py, issue 20): which tickets
recent_rows() reads and how it groups them, which (key, segment) pairs had_tickets() finds, on a
dozen hand-made tickets around the start (Monday 2026-10-05): resolved exactly at it, one second
before it, open, done with no time, resolved before created, with and without a technician and a
group. Then the incremental recompute equals the full one for every period from that start."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from kpidesk.metrics import sql
from kpidesk.metrics.engine import compute_many
from kpidesk.metrics.incremental import compute_since
from kpidesk.metrics.sql_since import had_tickets, recent_rows
from kpidesk.records import TechnicianRecord
from tests.core.metrics_tickets import add_tickets, people, ticket

START = dt.date(2026, 10, 5)


def resolved(hours: float, sla: float) -> tuple:
    """The 16 sums of sql._SUMS for one resolved ticket as ticket() builds it (no reopen, no
    reassignment: first contact 1, not escalated, not reopened; no survey)."""
    return (1, hours, 1, 1.0, 1, sla, 1, 0.0, 0, 0.0, 0.0, 0, 0.0, 1, 0.0, 1)


# An open ticket: no resolution time and no SLA verdict yet; first contact, escalation and reopen known.
OPEN = (1, 0.0, 0, 1.0, 1, 0.0, 0, 0.0, 0, 0.0, 0.0, 0, 0.0, 1, 0.0, 1)


@pytest.fixture
def desk(store):
    ids = people(store)
    ids["Dee"] = store.create_technician(TechnicianRecord(display_name="Dee", team_id=ids["Infra"]))[0].id
    ann, bob, cy, dee = ids["Ann"], ids["Bob"], ids["Cy"], ids["Dee"]
    add_tickets(store, [
        # resolved exactly at the start (87 h, over P3's 24 h), and a second one with the same days (94 h)
        ticket("2026-10-01 09:00", "2026-10-05 00:00", tech=ann, tier=3),
        ticket("2026-10-01 10:00", "2026-10-05 08:00", tech=ann, tier=3),
        # one second before the start: not recent, but Ann (and the group Net) had a ticket
        ticket("2026-10-04 22:00", "2026-10-04 23:59:59", tech=ann, tier=3, group_name="Net"),
        # resolved a day before it was created (bad export data): comes in on the resolution day
        ticket("2026-10-10 12:00", "2026-10-09 12:00", tech=ann, tier=3, group_name="Web"),
        ticket("2026-09-20 10:00", None, tech=bob, tier=2, kind="request", group_name="Net"),  # open
        ticket("2026-09-09 09:00", "2026-09-10 09:00", tech=bob, tier=1, kind="request"),  # old, no group
        ticket("2026-09-01 09:00", "2026-09-02 09:00", tech=cy, tier=2, group_name="Net"),  # old
        # done with no time at all: not resolved, and in no backlog
        ticket("2026-10-07 09:00", None, tech=cy, tier=3, resolved_basis="no_time", status_category="resolved"),
        ticket("2026-10-06 09:00", None, tech=dee, tier=3),  # Dee's only ticket, open
        ticket("2026-10-06 08:00", "2026-10-06 10:00", tech=None, tier=1, group_name="Web"),  # 2 h, within P1's 4 h
        ticket("2026-08-01 09:00", "2026-08-03 09:00", tech=None, tier=4, kind="request", group_name="Apps"),  # old
    ])
    return store, ann, bob, cy, dee


def test_recent_rows_by_technician(desk):
    store, ann, bob, cy, dee = desk
    with sql.connection(store) as con:
        rows = recent_rows(con, START, None)  # by technician unless told
    assert Counter(rows) == Counter([
        # both tickets of 10-01 -> 10-05 in one row: 2 tickets, 87 + 94 h, neither within the SLA
        (ann, None, "2026-10-01", "2026-10-05", 1, 2, 181.0, 2, 2.0, 2, 0.0, 2, 0.0, 0, 0.0, 0.0, 0, 0.0, 2, 0.0, 2),
        (ann, None, "2026-10-09", "2026-10-09", 1, *resolved(-24.0, 1.0)),
        (bob, None, "2026-09-20", None, 1, *OPEN),
        (cy, None, "2026-10-07", None, 0, *OPEN),
        (dee, None, "2026-10-06", None, 1, *OPEN),
        (None, None, "2026-10-06", "2026-10-06", 1, *resolved(2.0, 1.0)),
    ])


def test_recent_rows_by_priority_and_by_type(desk):
    store, ann, bob, cy, dee = desk
    with sql.connection(store) as con:
        by_tier = recent_rows(con, START, "priority", by="technician")
        by_type = recent_rows(con, START, "type")
    assert sorted((r[:5], r[5]) for r in by_tier if r[0] is not None) == sorted([
        ((ann, 3, "2026-10-01", "2026-10-05", 1), 2),
        ((ann, 3, "2026-10-09", "2026-10-09", 1), 1),
        ((bob, 2, "2026-09-20", None, 1), 1),
        ((cy, 3, "2026-10-07", None, 0), 1),
        ((dee, 3, "2026-10-06", None, 1), 1),
    ], key=repr)
    assert [r[:6] for r in by_tier if r[0] is None] == [(None, 1, "2026-10-06", "2026-10-06", 1, 1)]
    assert Counter(r[:6] for r in by_type) == Counter([
        (ann, "incident", "2026-10-01", "2026-10-05", 1, 2),
        (ann, "incident", "2026-10-09", "2026-10-09", 1, 1),
        (bob, "request", "2026-09-20", None, 1, 1),
        (cy, "incident", "2026-10-07", None, 0, 1),
        (dee, "incident", "2026-10-06", None, 1, 1),
        (None, "incident", "2026-10-06", "2026-10-06", 1, 1),
    ])


def test_recent_rows_by_group_leave_out_tickets_of_no_group(desk):
    store, *_ = desk
    with sql.connection(store) as con:
        rows = recent_rows(con, START, "type", by="group")
        unsplit = recent_rows(con, START, None, by="group")
    assert Counter(rows) == Counter([
        ("Net", "request", "2026-09-20", None, 1, *OPEN),
        ("Web", "incident", "2026-10-06", "2026-10-06", 1, *resolved(2.0, 1.0)),
        ("Web", "incident", "2026-10-09", "2026-10-09", 1, *resolved(-24.0, 1.0)),
    ])
    assert Counter(r[:6] for r in unsplit) == Counter([
        ("Net", None, "2026-09-20", None, 1, 1),
        ("Web", None, "2026-10-06", "2026-10-06", 1, 1),
        ("Web", None, "2026-10-09", "2026-10-09", 1, 1),
    ])


def test_recent_rows_from_the_next_day(desk):
    store, ann, bob, cy, dee = desk
    with sql.connection(store) as con:
        rows = recent_rows(con, START + dt.timedelta(days=1), None)
    # the two tickets resolved on 2026-10-05 are no longer recent; the one of 2026-10-06 00:00+ still is
    assert Counter(r[:6] for r in rows) == Counter([
        (ann, None, "2026-10-09", "2026-10-09", 1, 1),
        (bob, None, "2026-09-20", None, 1, 1),
        (cy, None, "2026-10-07", None, 0, 1),
        (dee, None, "2026-10-06", None, 1, 1),
        (None, None, "2026-10-06", "2026-10-06", 1, 1),
    ])


def test_had_tickets_by_technician(desk):
    store, ann, bob, cy, dee = desk
    with sql.connection(store) as con:
        assert had_tickets(con, START, None, (None,), "technician") == {
            (ann, None), (bob, None), (cy, None), (None, None)}  # Dee's only ticket is still open
        assert had_tickets(con, START, "priority", (1, 2, 3, 4), "technician") == {
            (ann, 3), (bob, 1), (cy, 2), (None, 4)}
        assert had_tickets(con, START, "type", ("incident", "request"), "technician") == {
            (ann, "incident"), (bob, "request"), (cy, "incident"), (None, "request")}
        # a day earlier Ann's ticket of 2026-10-04 23:59:59 is not before the start any more
        assert had_tickets(con, START - dt.timedelta(days=1), None, (None,), "technician") == {
            (bob, None), (cy, None), (None, None)}
        # only the segments asked for are looked up
        assert had_tickets(con, START, "priority", (1, 3), "technician") == {(ann, 3), (bob, 1)}


def test_had_tickets_by_group(desk):
    store, *_ = desk
    with sql.connection(store) as con:
        assert had_tickets(con, START, None, (None,), "group") == {("Net", None), ("Apps", None)}  # Web: only recent
        assert had_tickets(con, START, "priority", (1, 2, 3, 4), "group") == {("Net", 2), ("Net", 3), ("Apps", 4)}
        assert had_tickets(con, START, "type", ("incident", "request"), "group") == {
            ("Net", "incident"), ("Apps", "request")}
        assert had_tickets(con, dt.date(2026, 9, 2), None, (None,), "group") == {("Apps", None)}  # Net's first: 09-02 09:00


def test_had_tickets_on_an_empty_desk(store):
    with sql.connection(store) as con:
        assert had_tickets(con, START, None, (None,), "technician") == set()
        assert had_tickets(con, START, "type", ("incident", "request"), "group") == set()
        assert recent_rows(con, START, None) == []


def _values(values, first):
    """{(kpi, scope, period, segment): (value, count)} of the periods from `first` on."""
    return {(v.kpi, v.scope_key, v.period, v.segment): (None if v.value is None else round(v.value, 9), v.count)
            for v in values if v.period >= first}


@pytest.mark.parametrize("split", [None, "priority", "type"])
def test_the_incremental_recompute_equals_the_full_one_from_the_start(desk, split):
    store, ann, *_ = desk
    grans = ["week", "month"]
    last = dt.date(2026, 10, 31)
    full = compute_many(store, grans, dt.date(2026, 8, 1), last, split=split)
    since = compute_since(store, grans, START, last, split=split)
    for gran, first in (("week", "2026-W41"), ("month", "2026-10")):
        got = _values(since[gran], first)
        assert got == _values(full[gran], first)
        assert len(got) > 20  # every scope has its values (a check that something was compared)
    if split is None:
        # hand-worked: Ann's backlog at the end of 2026-W41 (Sunday 10-11) is 0: her tickets resolved
        # on 10-05 and 10-09; the desk's is Bob's and Dee's open tickets (the no-time one is in none)
        week = {(v.kpi, v.scope_key): v for v in since["week"] if v.period == "2026-W41"}
        assert week[("backlog_open", f"technician:{ann}")].value == 0
        assert week[("backlog_open", "desk")].value == 2
        assert week[("resolved_count", "desk")].value == 4  # 10-05 twice, 10-06, 10-09
