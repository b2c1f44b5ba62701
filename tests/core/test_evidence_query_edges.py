"""Edges of the tickets behind a number (kpidesk/metrics/evidence.py, issue 20): exactly which tickets
come back, in which order, for each scope (technician, team, group, desk), period and segment. The
tickets are placed by hand: resolved exactly at a period's start and end, open at the end, done with no
time, shared by several technicians, no technician, an unknown priority tier, resolved before created.
Where the engine has the same value, the number of tickets equals its count."""
from __future__ import annotations

import json

import pytest

from kpidesk.errors import ValidationError
from kpidesk.metrics.engine import compute
from kpidesk.metrics.evidence import tickets_behind
from kpidesk.metrics.model import TICKET_METRICS
from tests.core.metrics_tickets import add_tickets, people, ticket


@pytest.fixture
def desk(store):
    """Teams Desk (Ann, Bob), Infra (Cy) and Empty (no one); tickets around March 2026."""
    ids = people(store)
    ids["Empty"] = store.create_team("Empty")[0].id
    ann, bob, cy = ids["Ann"], ids["Bob"], ids["Cy"]
    add_tickets(store, [
        # resolved in March
        # exactly at the month's start, 4 h (P1 limit 4 h: met); open at February's end
        ticket("2026-02-28 20:00", "2026-03-01 00:00", tech=ann, tier=1, group_name="Net", external_id="M1"),
        # Bob's, shared with Ann; 10 h, P2 (limit 8 h: breached); a request
        ticket("2026-03-31 13:00", "2026-03-31 23:00", tech=bob, tier=2, kind="request", group_name="Net",
               shared_with=json.dumps([ann]), external_id="M2"),
        # Ann's, shared with Bob (her own team) and Cy; 2 h
        ticket("2026-03-10 09:00", "2026-03-10 11:00", tech=ann, tier=3, group_name="Web",
               shared_with=json.dumps([bob, cy]), external_id="M3"),
        # no technician: the desk's and its group's only; 24 h, P4 request
        ticket("2026-03-12 09:00", "2026-03-13 09:00", tech=None, tier=4, kind="request", group_name="Apps",
               external_id="M4"),
        # an unknown tier: in no priority segment, SLA unknown; 12 h
        ticket("2026-03-20 08:00", "2026-03-20 20:00", tech=cy, tier=None, priority_raw="Urgent-ish",
               group_name="Web", external_id="M5"),
        # bad data: resolved two hours before it was created
        ticket("2026-03-25 12:00", "2026-03-25 10:00", tech=cy, tier=3, external_id="M6"),
        # resolved exactly at March's end: April's; open at March's end
        ticket("2026-03-30 00:00", "2026-04-01 00:00", tech=ann, tier=3, external_id="X1"),
        # resolved in February
        ticket("2026-02-27 09:00", "2026-02-28 23:00", tech=bob, tier=3, external_id="X2"),
        # open: Bob's shared with Cy (P2); Cy's since February (P1 request); created exactly at March's end
        ticket("2026-03-05 09:00", None, tech=bob, tier=2, shared_with=json.dumps([cy]), external_id="O1"),
        ticket("2026-02-10 09:00", None, tech=cy, tier=1, kind="request", external_id="O2"),
        ticket("2026-04-01 00:00", None, tech=ann, tier=3, external_id="O3"),
        # done with no time at all: in no backlog
        ticket("2026-03-08 09:00", None, tech=ann, tier=3, resolved_basis="no_time", status_category="resolved",
               external_id="O4"),
        # no technician, open since January, group Apps
        ticket("2026-01-15 09:00", None, tech=None, tier=3, group_name="Apps", external_id="O5"),
    ])
    return store, ids


def ext(ev):
    return [x.external_id for x in ev.lines]


def engine(store, scope, period="2026-03", granularity="month", segment=None):
    split = None if segment is None else ("priority" if segment.upper().startswith("P") else "type")
    return {(v.kpi, v.segment): v for v in compute(store, scope_key=scope, granularity=granularity, first=period,
                                                    last=period, split=split)}


RESOLVED = {  # March's resolved tickets, the longest first (no time, then bad data, last)
    "desk": ["M4", "M5", "M2", "M1", "M3", "M6"],
    "Ann": ["M2", "M1", "M3"],  # her own two and Bob's shared with her
    "Bob": ["M2", "M3"],  # his own and Ann's shared with him
    "Cy": ["M5", "M3", "M6"],
    "team:Desk": ["M2", "M1", "M3"],  # M2 and M3 are Ann's and Bob's both: once each
    "team:Infra": ["M5", "M3", "M6"],
    "team:Empty": [],
    "group:Net": ["M2", "M1"],
    "group:Web": ["M5", "M3"],
    "group:Apps": ["M4"],
}


def _key(ids, name):
    if name == "desk" or name.startswith("group:"):
        return name
    if name.startswith("team:"):
        return f"team:{ids[name[5:]]}"
    return f"technician:{ids[name]}"


@pytest.mark.parametrize("name", list(RESOLVED))
def test_the_resolved_tickets_of_each_scope(desk, name):
    store, ids = desk
    scope = _key(ids, name)
    ev = tickets_behind(store, scope, "2026-03")
    assert ext(ev) == RESOLVED[name]
    assert ev.scope_key == scope and ev.open_before is None and ev.segment is None and ev.metric is None
    assert ev.period.key == "2026-03"
    count = engine(store, scope).get(("resolved_count", None))
    assert (count.value if count else 0) == len(RESOLVED[name])


def test_who_is_behind_each_scope(desk):
    store, ids = desk
    assert tickets_behind(store, "desk", "2026-03").who == "desk"
    assert tickets_behind(store, "group:Net", "2026-03").who == "Net"
    assert tickets_behind(store, f"technician:{ids['Cy']}", "2026-03").who == "Cy"
    assert tickets_behind(store, f"team:{ids['Infra']}", "2026-03").who == "Infra"
    assert tickets_behind(store, f"team:{ids['Desk']}", "2026-03", metric="backlog_open").who == "Desk"
    unknown_tech = tickets_behind(store, "technician:999", "2026-03")
    assert (unknown_tech.who, unknown_tech.lines) == ("#999", [])
    unknown_team = tickets_behind(store, "team:999", "2026-03", metric="backlog_open")
    assert (unknown_team.who, unknown_team.lines) == ("#999", [])


BACKLOG = {  # open at March's end, the oldest first
    "desk": ["O5", "O2", "O1", "X1"],  # not O3 (created at the end), O4 (no time) nor M1 (out at the start)
    "Ann": ["X1"],
    "Bob": ["O1"],
    "Cy": ["O2", "O1"],  # his own and Bob's shared with him
    "team:Desk": ["O1", "X1"],
    "team:Infra": ["O2", "O1"],
    "team:Empty": [],
    "group:Apps": ["O5"],
    "group:Net": [],
}
BEFORE = {"desk": 3, "Ann": 1, "Bob": 0, "Cy": 1, "team:Desk": 1, "team:Infra": 1, "team:Empty": 0,
          "group:Apps": 1, "group:Net": 1}  # open at February's end: M1 (resolved at 03-01 00:00), O2, O5


@pytest.mark.parametrize("name", list(BACKLOG))
def test_the_backlog_of_each_scope_and_its_change(desk, name):
    store, ids = desk
    scope = _key(ids, name)
    ev = tickets_behind(store, scope, "2026-03", metric="backlog_open")
    assert ext(ev) == BACKLOG[name] and ev.open_before is None and ev.metric == "backlog_open"
    change = tickets_behind(store, scope, "2026-03", metric="backlog_change")
    assert ext(change) == BACKLOG[name] and change.open_before == BEFORE[name]
    assert change.summary() == (len(BACKLOG[name]) - BEFORE[name], len(BACKLOG[name]), {})
    values = engine(store, scope)
    if ("backlog_open", None) in values:
        assert values[("backlog_open", None)].value == len(BACKLOG[name])
        assert values[("backlog_change", None)].value == len(BACKLOG[name]) - BEFORE[name]


def test_february_backlog_holds_the_ticket_resolved_exactly_at_its_end(desk):
    store, ids = desk
    assert ext(tickets_behind(store, "desk", "2026-02", metric="backlog_open")) == ["O5", "O2", "M1"]
    assert ext(tickets_behind(store, f"team:{ids['Desk']}", "2026-02", metric="backlog_open")) == ["M1"]
    assert ext(tickets_behind(store, "desk", "2026-02")) == ["X2"]


@pytest.mark.parametrize("segment, expected, seg", [
    ("P1", ["M1"], "P1"), ("p2", ["M2"], "P2"), ("P3", ["M3", "M6"], "P3"), ("p4", ["M4"], "P4"),
    ("incident", ["M5", "M1", "M3", "M6"], "incident"), ("Request", ["M4", "M2"], "request"),
])
def test_the_desk_by_segment(desk, segment, expected, seg):
    store, _ids = desk
    ev = tickets_behind(store, "desk", "2026-03", metric="resolved_count", segment=segment)
    assert ext(ev) == expected and ev.segment == seg and ev.open_before is None
    value = engine(store, "desk", segment=seg)[("resolved_count", seg)]
    assert value.value == len(expected)


def test_segments_of_a_technician_and_a_team_backlog(desk):
    store, ids = desk
    assert ext(tickets_behind(store, f"technician:{ids['Ann']}", "2026-03", segment="request")) == ["M2"]
    assert ext(tickets_behind(store, f"technician:{ids['Ann']}", "2026-03", segment="P1")) == ["M1"]
    ev = tickets_behind(store, f"team:{ids['Infra']}", "2026-03", metric="backlog_open", segment="p2")
    assert ext(ev) == ["O1"] and ev.segment == "P2" and ev.scope_key == f"team:{ids['Infra']}"
    ev = tickets_behind(store, "desk", "2026-03", metric="backlog_change", segment="REQUEST")
    assert ext(ev) == ["O2"] and ev.open_before == 1 and ev.segment == "request"
    assert ext(tickets_behind(store, "group:Apps", "2026-03", segment="P4")) == ["M4"]
    assert ext(tickets_behind(store, "group:Apps", "2026-03", segment="P3")) == []


def test_the_tickets_against_a_rate_come_first(desk):
    store, ids = desk
    # SLA: M2 breached, M5 unknown (12 h, longer than M2), then the met ones, the longest first
    ev = tickets_behind(store, "desk", "2026-03", metric="sla_compliance")
    assert ext(ev) == ["M2", "M5", "M4", "M1", "M3", "M6"]
    assert [x.sla_met for x in ev.lines] == [False, None, True, True, True, True]
    assert ev.summary()[:2] == (pytest.approx(4 / 5), 5)
    sla = engine(store, "desk")[("sla_compliance", None)]
    assert (sla.value, sla.count) == (pytest.approx(4 / 5), 5)
    team = tickets_behind(store, f"team:{ids['Desk']}", "2026-03", metric="sla_compliance")
    assert ext(team) == ["M2", "M1", "M3"]


def test_a_quarter_ends_where_april_starts(desk):
    store, _ids = desk
    ev = tickets_behind(store, "desk", "2026-Q1", metric="mttr_hours")
    assert ext(ev) == ["X2", "M4", "M5", "M2", "M1", "M3", "M6"]  # X2 took 38 h; X1 (04-01 00:00) is Q2's
    values = engine(store, "desk", "2026-Q1", "quarter")
    assert values[("resolved_count", None)].value == 7
    mttr = values[("mttr_hours", None)]
    assert ev.summary()[:2] == (pytest.approx(mttr.value), mttr.count) == (pytest.approx(88 / 7), 7)


def test_an_unknown_metric_is_refused(desk):
    store, _ids = desk
    with pytest.raises(ValidationError) as err:
        tickets_behind(store, "desk", "2026-03", metric="bogus")
    assert err.value.problems == {"kpi": f"'bogus' is not a ticket metric ({', '.join(TICKET_METRICS)})"}
