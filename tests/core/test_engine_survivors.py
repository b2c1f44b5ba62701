"""What the mutation run of kpidesk/metrics/engine.py (issue 20) found untested: a range given in
reverse or with periods of different lengths, a backlog asked for alone (no other metric) by
priority for technicians, the desk and groups, shared tickets' further technicians by priority,
and the desk's MTTR alone (its one-read path) in a month whose resolved tickets have no known time.

Tickets (month granularity, all in 2026):

  G1 Ann P3 Net  created 03-02, resolved 03-03      in and out in March
  G2 Bob P3 Net  created 03-05, open
  G3 Bob P1 Web  created 02-10, open                in February, so open at February's end too
  G4 Cy  P1 Web  created 03-10, resolved 04-02      open at March's end
"""
from __future__ import annotations

import pytest

from kpidesk.importing import tickets_import
from kpidesk.metrics.engine import compute, compute_all, period_range
from kpidesk.metrics.model import Scope
from kpidesk.records import TechnicianRecord
from tests.core.metrics_tickets import add_tickets, people, ticket
from tests.import_samples import write_csv


@pytest.fixture
def desk(store):
    ids = people(store)
    add_tickets(store, [
        ticket("2026-03-02 09:00", "2026-03-03 09:00", tech=ids["Ann"], tier=3, group_name="Net"),
        ticket("2026-03-05 09:00", None, tech=ids["Bob"], tier=3, group_name="Net"),
        ticket("2026-02-10 09:00", None, tech=ids["Bob"], tier=1, group_name="Web"),
        ticket("2026-03-10 09:00", "2026-04-02 09:00", tech=ids["Cy"], tier=1, group_name="Web"),
    ])
    return store, ids


def test_period_range_runs_from_firsts_start_to_lasts_end():
    # January .. the first quarter: from 1 January to 31 March, three months (not January alone)
    assert [p.key for p in period_range("2026-01", "2026-Q1", "month")] == ["2026-01", "2026-02", "2026-03"]
    # the first quarter .. January: both start on 1 January, so nothing is swapped: 1 to 31 January
    assert [p.key for p in period_range("2026-Q1", "2026-01", "month")] == ["2026-01"]


def test_period_range_given_in_reverse():
    assert [p.key for p in period_range("2026-03", "2026-01", "month")] == ["2026-01", "2026-02", "2026-03"]
    assert [p.key for p in period_range("2026-Q2", "2026-01", "quarter")] == ["2026-Q1", "2026-Q2"]


def test_backlog_alone_by_priority_for_technicians_and_the_desk(desk):
    store, _ids = desk
    out = compute_all(store, granularity="month", first="2026-03", metrics=["backlog_open", "backlog_change"],
                      split="priority", scopes=("technician", "desk"))
    got = {(v.scope, v.who, v.segment, v.kpi): (v.value, v.count) for v in out}
    assert got == {
        # Ann: G1 came and went in March: open 0, and 0 at February's end
        ("technician", "Ann", "P3", "backlog_open"): (0, 0), ("technician", "Ann", "P3", "backlog_change"): (0, 0),
        # Bob: G3 (P1) open since February, G2 (P3) came in March
        ("technician", "Bob", "P1", "backlog_open"): (1, 1), ("technician", "Bob", "P1", "backlog_change"): (0, 1),
        ("technician", "Bob", "P3", "backlog_open"): (1, 1), ("technician", "Bob", "P3", "backlog_change"): (1, 1),
        # Cy: G4 (P1) came in March, resolved in April
        ("technician", "Cy", "P1", "backlog_open"): (1, 1), ("technician", "Cy", "P1", "backlog_change"): (1, 1),
        # the desk: P1 = G3 + G4 (1 at February's end), P3 = G2 (G1 went)
        ("desk", "desk", "P1", "backlog_open"): (2, 2), ("desk", "desk", "P1", "backlog_change"): (1, 2),
        ("desk", "desk", "P3", "backlog_open"): (1, 1), ("desk", "desk", "P3", "backlog_change"): (1, 1),
    }


def test_backlog_alone_by_priority_for_groups(desk):
    store, _ids = desk
    out = compute_all(store, granularity="month", first="2026-03", last="2026-04",
                      metrics=["backlog_open", "backlog_change"], split="priority", scopes=("group",))
    assert [(v.who, v.period, v.segment, v.kpi, v.value, v.count) for v in out] == [
        # Net, P3 only: G1 in and out, G2 in: 1 open at March's end (0 at February's), still 1 in April
        ("Net", "2026-03", "P3", "backlog_open", 1, 1), ("Net", "2026-03", "P3", "backlog_change", 1, 1),
        ("Net", "2026-04", "P3", "backlog_open", 1, 1), ("Net", "2026-04", "P3", "backlog_change", 0, 1),
        # Web, P1 only: G3 open since February (1), G4 in March (2), G4 out in April (1)
        ("Web", "2026-03", "P1", "backlog_open", 2, 2), ("Web", "2026-03", "P1", "backlog_change", 1, 2),
        ("Web", "2026-04", "P1", "backlog_open", 1, 1), ("Web", "2026-04", "P1", "backlog_change", -1, 1),
    ]
    # unsplit, one group: the same counts with no segment
    out = compute_all(store, granularity="month", first="2026-03", metrics=["backlog_open"],
                      only=Scope("group", "Web"))
    assert [(v.who, v.segment, v.value, v.scope_id) for v in out] == [("Web", None, 2, "Web")]


HEAD = ["Number", "Opened", "Resolved", "Priority", "Assigned to"]
SHARED = [
    ["S1", "2026-03-02 09:00", "2026-03-02 11:00", "P3", "Ana; Bo; Cy"],  # shared by all three, resolved
    ["S2", "2026-03-03 09:00", "2026-03-03 13:00", "P3", "Ana"],
    ["S3", "2026-03-04 09:00", "2026-03-04 15:00", "P3", "Cy"],
    ["S4", "2026-03-05 09:00", "", "P3", "Bo; Cy"],                       # shared by Bo and Cy, open
]


def test_shared_tickets_by_priority(store, tmp_path):
    team, _ = store.create_team("Desk")
    for name in ("Ana", "Bo", "Cy"):
        store.create_technician(TechnicianRecord(display_name=name, team_id=team.id))
    tickets_import.run(store, write_csv(tmp_path / "shared.csv", HEAD, SHARED))
    out = compute_all(store, granularity="month", first="2026-03", metrics=["resolved_count", "backlog_open"],
                      split="priority", scopes=("technician",))
    got = {(v.who, v.segment, v.kpi): v.value for v in out}
    assert got == {
        # Ana: S1 (first named) and S2, both resolved: nothing open
        ("Ana", "P3", "resolved_count"): 2, ("Ana", "P3", "backlog_open"): 0,
        # Bo: S1 only as a further technician; S4 open (first named)
        ("Bo", "P3", "resolved_count"): 1, ("Bo", "P3", "backlog_open"): 1,
        # Cy: S1 as a further technician and S3; S4 open only as a further technician
        ("Cy", "P3", "resolved_count"): 2, ("Cy", "P3", "backlog_open"): 1,
    }


def test_desk_mttr_alone_carries_median_and_p90_where_no_time_is_known(desk):
    store, ids = desk
    # May's only resolved ticket has an assumed time: resolved in May, but no resolution time to rest on
    add_tickets(store, [ticket("2026-05-01 09:00", "2026-05-03 09:00", tech=ids["Ann"],
                               resolved_basis="closed_assumed")])
    out = compute(store, scope_key="desk", granularity="month", first="2026-03", last="2026-05",
                  metrics=["mttr_hours"])
    assert [(v.period, v.value, v.count, v.extra) for v in out] == [
        ("2026-03", 24.0, 1, {"median": 24.0, "p90": 24.0}),     # G1: 24 h
        ("2026-04", 552.0, 1, {"median": 552.0, "p90": 552.0}),  # G4: 03-10 -> 04-02, 23 days
        # every MTTR row of compute() carries median and p90: none here, resting on 0 tickets
        ("2026-05", None, 0, {"median": None, "p90": None}),
    ]
