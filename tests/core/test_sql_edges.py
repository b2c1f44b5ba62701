"""Edges of the engine's SQL (kpidesk/metrics/sql.py, issue 20), called straight on the store's sqlite3
connection with a dozen hand-placed tickets and exact rows worked out by hand: the period keys of
each granularity, segments (tiers, types, NULL), the 16 sums, the `ids` filter (ints inlined, group
names bound, the empty list), group rows leaving out group '', shares with `dup`, percentile ranks,
backlog flows by day and by month (tickets in exactly at the end, done with no time), the span.

The tickets (Ann and Bob in team Desk, Cy in team Infra; hours = resolved - created):
  A1 Ann  P3 incident Net   2026-03-02 09:00 -> 03-02 11:00     2 h, SLA met     W10 2026-03
  A2 Ann  P3 incident Net   2026-03-02 10:00 -> 03-09 10:00   168 h, not met     W11 2026-03
  A3 Ann  P2 request  ''    2026-02-27 09:00 -> 03-03 09:00    96 h, not met     W10 2026-03
  B1 Bob  P1 incident Web   2026-03-04 09:00, open
  B2 Bob  P1 incident Web   2026-06-30 22:00 -> 07-01 02:00     4 h, met (4<=4)  W27 2026-07
  C1 Cy   P3 incident ''    2026-03-05 09:00, done with no time (in no period, in no backlog)
  C2 Cy   P3 incident Net   2026-04-01 00:00, open: comes in exactly at the end 2026-04-01
  C3 Cy   P3 incident Apps  2026-03-31 12:00 -> 03-30 12:00   -24 h, met         W14 2026-03
  D1 none -  -        Net   2026-03-09 08:00 -> 03-10 08:00    24 h, no SLA      W11 2026-03
  S1 Ann+[Bob, Cy] P2 incident '' 2026-03-16 09:00 -> 13:00     4 h, met         W12 2026-03
  S2 Bob+[Ann]     P3 request Web 2026-03-20 09:00, open
Shares: S1 -> Bob dup 1 (Ann, Desk, has it), Cy dup 0; S2 -> Ann dup 1 (Bob, Desk, has it).
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest

from kpidesk.metrics import sql
from tests.core.metrics_tickets import add_tickets, done, people, ticket

END = "2026-04-01"


def one(hours: float, sla: int | None) -> tuple:
    """The 16 sums of one resolved ticket as ticket() builds it: first contact, not escalated, not
    reopened, no survey; `sla` None where no SLA verdict is known."""
    return (1, hours, 1, 1, 1, sla or 0, 0 if sla is None else 1, 0, 0, 0, 0, 0, 0, 1, 0, 1)


def plus(*rows: tuple) -> tuple:
    return tuple(sum(col) for col in zip(*rows))


A1, A2, A3, B2, C3, D1, S1 = one(2, 1), one(168, 0), one(96, 0), one(4, 1), one(-24, 1), one(24, None), one(4, 1)


@pytest.fixture
def desk(store):
    ids = people(store)
    ann, bob, cy = ids["Ann"], ids["Bob"], ids["Cy"]
    add_tickets(store, [
        ticket("2026-03-02 09:00", "2026-03-02 11:00", tech=ann, tier=3, group_name="Net"),
        ticket("2026-03-02 10:00", "2026-03-09 10:00", tech=ann, tier=3, group_name="Net"),
        ticket("2026-02-27 09:00", "2026-03-03 09:00", tech=ann, tier=2, kind="request"),
        ticket("2026-03-04 09:00", None, tech=bob, tier=1, group_name="Web"),
        ticket("2026-06-30 22:00", "2026-07-01 02:00", tech=bob, tier=1, group_name="Web"),
        ticket("2026-03-05 09:00", None, tech=cy, tier=3, resolved_basis="no_time", status_category="resolved"),
        ticket("2026-04-01 00:00", None, tech=cy, tier=3, group_name="Net"),
        ticket("2026-03-31 12:00", "2026-03-30 12:00", tech=cy, tier=3, group_name="Apps"),
        ticket("2026-03-09 08:00", "2026-03-10 08:00", tech=None, tier=None, kind=None, group_name="Net",
               assignee="", resolver=""),
        ticket("2026-03-16 09:00", "2026-03-16 13:00", tech=ann, tier=2, shared_with=json.dumps([bob, cy])),
        ticket("2026-03-20 09:00", None, tech=bob, tier=3, kind="request", group_name="Web",
               shared_with=json.dumps([ann])),
    ])
    return store, ids


def test_only_inlines_ints_and_binds_names():
    assert sql._only(None) == ("", [])
    assert sql._only([3, 1]) == (" AND t.technician_id IN (3,1)", [])  # the column unless told
    assert sql._only([]) == (" AND t.technician_id IN (NULL)", [])  # no id: nothing, not everything
    assert sql._only([7], "m.id") == (" AND m.id IN (7)", [])
    assert sql._only(["Net", "Web"], "t.group_name") == (" AND t.group_name IN (?,?)", ["Net", "Web"])


def test_named_numbers_each_mark_once():
    assert sql._named(" AND t.group_name IN (?,?,?)", 3) == " AND t.group_name IN (:p0,:p1,:p2)"
    assert sql._named(" AND t.group_name IN (?)", 1) == " AND t.group_name IN (:p0)"
    assert sql._named("", 0) == ""


def test_quantile_at_its_edges():
    assert sql.quantile({}, 0, 0.5) is None
    assert sql.quantile({0: 5.0}, 0, 0.5) is None  # no ticket: no value, whatever the rows say
    assert sql.quantile({0: 5.0}, 1, 0.9) == 5.0
    assert sql.quantile({0: 1.0}, 2, 0.5) == 1.0  # the rank above missing: the one below
    assert sql.quantile({4: 5.0, 5: 6.0}, 10, 0.5) == 5.5
    assert sql.quantile({8: 9.0, 9: 10.0}, 10, 0.9) == pytest.approx(9.1)
    assert sql.quantile({5: 6.0}, 10, 0.5) is None  # the rank below missing


def test_names_team_map_and_the_flags(desk):
    store, ids = desk
    with sql.connection(store) as con:
        assert sql.names(con) == ({ids["Ann"]: "Ann", ids["Bob"]: "Bob", ids["Cy"]: "Cy"},
                                  {ids["Desk"]: "Desk", ids["Infra"]: "Infra"})
        assert sql.team_map(con) == {ids["Ann"]: ids["Desk"], ids["Bob"]: ids["Desk"], ids["Cy"]: ids["Infra"]}
        assert sql.has_shares(con) is True
        assert sql.has_groups(con) is True
        assert sql.span_of(con) == (dt.date(2026, 2, 27), dt.date(2026, 7, 1))  # B2 resolved after every creation


def test_flags_and_span_without_shares_groups_or_resolutions(store):
    with sql.connection(store) as con:
        assert sql.span_of(con) is None
        assert sql.has_shares(con) is False and sql.has_groups(con) is False
        assert sql.names(con) == ({}, {})
    add_tickets(store, [ticket("2026-05-04 09:00", None), ticket("2026-05-06 09:00", None)])
    with sql.connection(store) as con:
        assert sql.span_of(con) == (dt.date(2026, 5, 4), dt.date(2026, 5, 6))
        assert sql.has_shares(con) is False and sql.has_groups(con) is False


def test_aggregate_by_month_and_the_ids_filter(desk):
    store, ids = desk
    ann, bob, cy = ids["Ann"], ids["Bob"], ids["Cy"]
    with sql.connection(store) as con:
        rows = sql.aggregate(con, "month", "2026-03", "2026-07", None, None)  # by technician unless told
        only_ann = sql.aggregate(con, "month", "2026-03", "2026-07", None, [ann])
        nobody = sql.aggregate(con, "month", "2026-03", "2026-07", None, [])
        scanned = sql.aggregate(con, "month", "2026-03", "2026-03", None, [cy, bob], full_scan=True)
    assert Counter(rows) == Counter([
        (ann, "2026-03", None, *plus(A1, A2, A3, S1)),  # 4 tickets, 270 h, 2 of 4 within the SLA
        (bob, "2026-07", None, *B2),
        (cy, "2026-03", None, *C3),
        (None, "2026-03", None, *D1),
    ])
    assert plus(A1, A2, A3, S1)[:7] == (4, 270, 4, 4, 4, 2, 4)
    assert only_ann == [(ann, "2026-03", None, *plus(A1, A2, A3, S1))]
    assert nobody == []
    assert scanned == [(cy, "2026-03", None, *C3)]


@pytest.mark.parametrize("granularity, first, last, keys", [
    ("week", "2026-W10", "2026-W27", {"A": [("2026-W10", (A1, A3)), ("2026-W11", (A2,)), ("2026-W12", (S1,))],
                                      "B": [("2026-W27", (B2,))], "C": [("2026-W14", (C3,))],
                                      "D": [("2026-W11", (D1,))]}),
    ("week", "2026-W11", "2026-W12", {"A": [("2026-W11", (A2,)), ("2026-W12", (S1,))], "B": [], "C": [],
                                      "D": [("2026-W11", (D1,))]}),
    ("quarter", "2026-Q1", "2026-Q3", {"A": [("2026-Q1", (A1, A2, A3, S1))], "B": [("2026-Q3", (B2,))],
                                       "C": [("2026-Q1", (C3,))], "D": [("2026-Q1", (D1,))]}),
    ("half", "2026-H1", "2026-H2", {"A": [("2026-H1", (A1, A2, A3, S1))], "B": [("2026-H2", (B2,))],
                                    "C": [("2026-H1", (C3,))], "D": [("2026-H1", (D1,))]}),
    ("half", "2026-H2", "2026-H2", {"A": [], "B": [("2026-H2", (B2,))], "C": [], "D": []}),
    ("year", "2026", "2026", {"A": [("2026", (A1, A2, A3, S1))], "B": [("2026", (B2,))],
                              "C": [("2026", (C3,))], "D": [("2026", (D1,))]}),
    ("year", "2025", "2025", {"A": [], "B": [], "C": [], "D": []}),
])
def test_aggregate_period_keys_of_each_granularity(desk, granularity, first, last, keys):
    store, ids = desk
    who = {"A": ids["Ann"], "B": ids["Bob"], "C": ids["Cy"], "D": None}
    with sql.connection(store) as con:
        rows = sql.aggregate(con, granularity, first, last, None, None, by="technician")
    assert Counter(rows) == Counter((who[k], period, None, *plus(*ts)) for k, v in keys.items() for period, ts in v)


def test_aggregate_by_priority_and_by_type(desk):
    store, ids = desk
    ann, cy = ids["Ann"], ids["Cy"]
    with sql.connection(store) as con:
        tiers = sql.aggregate(con, "month", "2026-03", "2026-03", "priority", None)
        kinds = sql.aggregate(con, "month", "2026-03", "2026-03", "type", None)
    assert Counter(tiers) == Counter([
        (ann, "2026-03", 3, *plus(A1, A2)), (ann, "2026-03", 2, *plus(A3, S1)),
        (cy, "2026-03", 3, *C3), (None, "2026-03", None, *D1),
    ])
    assert Counter(kinds) == Counter([
        (ann, "2026-03", "incident", *plus(A1, A2, S1)), (ann, "2026-03", "request", *A3),
        (cy, "2026-03", "incident", *C3), (None, "2026-03", None, *D1),
    ])


def test_aggregate_by_group_and_of_the_desk(desk):
    store, _ids = desk
    with sql.connection(store) as con:
        groups = sql.aggregate(con, "month", "2026-03", "2026-07", None, None, by="group")
        named = sql.aggregate(con, "month", "2026-03", "2026-07", None, ["Web", "Net"], by="group")
        net = sql.aggregate(con, "month", "2026-03", "2026-07", None, ["Net"], by="group")
        no_group = sql.aggregate(con, "month", "2026-03", "2026-07", None, [""], by="group")
        whole = sql.aggregate(con, "month", "2026-03", "2026-07", None, None, by="desk")
    # group '' (A3, S1) is no group
    assert Counter(groups) == Counter([
        ("Net", "2026-03", None, *plus(A1, A2, D1)), ("Web", "2026-07", None, *B2),
        ("Apps", "2026-03", None, *C3),
    ])
    assert plus(A1, A2, D1)[:7] == (3, 194, 3, 3, 3, 1, 2)
    assert Counter(named) == Counter([("Net", "2026-03", None, *plus(A1, A2, D1)), ("Web", "2026-07", None, *B2)])
    assert net == [("Net", "2026-03", None, *plus(A1, A2, D1))]
    assert no_group == []
    assert Counter(whole) == Counter([(0, "2026-03", None, *plus(A1, A2, A3, S1, C3, D1)),
                                      (0, "2026-07", None, *B2)])


def test_aggregate_shares_with_dup(desk):
    store, ids = desk
    ann, bob, cy = ids["Ann"], ids["Bob"], ids["Cy"]
    with sql.connection(store) as con:
        rows = sql.aggregate_shares(con, "month", "2026-03", "2026-03", None, None)
        only_cy = sql.aggregate_shares(con, "week", "2026-W12", "2026-W12", "priority", [cy])
        none = sql.aggregate_shares(con, "month", "2026-04", "2026-07", None, None)
        weeks_months = sql.aggregate_shares_weeks_months(con, "type")
    assert Counter(rows) == Counter([(bob, 1, "2026-03", None, *S1), (cy, 0, "2026-03", None, *S1)])
    assert only_cy == [(cy, 0, "2026-W12", 2, *S1)]
    assert none == []
    assert Counter(weeks_months) == Counter([(bob, 1, "2026-W12", "2026-03", "incident", *S1),
                                             (cy, 0, "2026-W12", "2026-03", "incident", *S1)])
    assert ann not in {r[0] for r in weeks_months}  # S2, shared with Ann, is open


def test_backlog_flows_by_week_come_in_by_day(desk):
    store, ids = desk
    ann, bob, cy = ids["Ann"], ids["Bob"], ids["Cy"]
    with sql.connection(store) as con:
        incoming, outgoing = sql.backlog_flows(con, "week", "2026-W14", END, None, None)
    # C1 (no time) and C2 (in exactly at the end) never come in; B2 comes in and goes out after it
    assert Counter(incoming) == Counter([
        (ann, None, "2026-03-02", 2),  # A1 and A2: out in different weeks, in on the same day
        (ann, None, "2026-02-27", 1), (ann, None, "2026-03-16", 1),
        (bob, None, "2026-03-04", 1), (bob, None, "2026-03-20", 1),
        (cy, None, "2026-03-30", 1),  # C3 comes in when it was resolved, before it was created
        (None, None, "2026-03-09", 1),
    ])
    assert Counter(outgoing) == Counter([
        (ann, None, "2026-W10", 2),  # A1 and A3: in on different days, out in the same week
        (ann, None, "2026-W11", 1), (ann, None, "2026-W12", 1),
        (cy, None, "2026-W14", 1), (None, None, "2026-W11", 1),
    ])


def test_backlog_flows_by_month_and_priority_come_in_by_month(desk):
    store, ids = desk
    ann, bob, cy = ids["Ann"], ids["Bob"], ids["Cy"]
    with sql.connection(store) as con:
        incoming, outgoing = sql.backlog_flows(con, "month", "2026-03", END, "priority", None, by="technician")
        cy_in, cy_out = sql.backlog_flows(con, "month", "2026-03", END, None, [cy])
        none_in, none_out = sql.backlog_flows(con, "month", "2026-03", END, None, [])
    assert Counter(incoming) == Counter([
        (ann, 3, "2026-03", 2), (ann, 2, "2026-02", 1), (ann, 2, "2026-03", 1),
        (bob, 1, "2026-03", 1), (bob, 3, "2026-03", 1), (cy, 3, "2026-03", 1), (None, None, "2026-03", 1),
    ])
    assert Counter(outgoing) == Counter([
        (ann, 3, "2026-03", 2), (ann, 2, "2026-03", 2),  # A3 in in February, S1 in March
        (cy, 3, "2026-03", 1), (None, None, "2026-03", 1),
    ])
    assert (cy_in, cy_out) == ([(cy, None, "2026-03", 1)], [(cy, None, "2026-03", 1)])
    assert (none_in, none_out) == ([], [])


def test_backlog_flows_by_group(desk):
    store, _ids = desk
    with sql.connection(store) as con:
        incoming, outgoing = sql.backlog_flows(con, "week", "2026-W14", END, None, None, by="group")
        named_in, named_out = sql.backlog_flows(con, "month", "2026-03", END, None, ["Net", "Web"], by="group")
        web_in, web_out = sql.backlog_flows(con, "month", "2026-07", "2026-08-01", "type", ["Web"], by="group")
        desk_in, desk_out = sql.backlog_flows(con, "quarter", "2026-Q1", END, None, None, by="desk")
    assert Counter(incoming) == Counter([
        ("Net", None, "2026-03-02", 2), ("Net", None, "2026-03-09", 1), ("Web", None, "2026-03-04", 1),
        ("Web", None, "2026-03-20", 1), ("Apps", None, "2026-03-30", 1),
    ])
    assert Counter(outgoing) == Counter([("Net", None, "2026-W10", 1), ("Net", None, "2026-W11", 2),
                                         ("Apps", None, "2026-W14", 1)])
    assert Counter(named_in) == Counter([("Net", None, "2026-03", 3), ("Web", None, "2026-03", 2)])
    assert named_out == [("Net", None, "2026-03", 3)]
    # by the end of July: B1 and S2 (request) still open, B2 in on 06-30 and out in July
    assert Counter(web_in) == Counter([("Web", "incident", "2026-03", 1), ("Web", "request", "2026-03", 1),
                                       ("Web", "incident", "2026-06", 1)])
    assert web_out == [("Web", "incident", "2026-07", 1)]
    # the desk: the 8 tickets in before the end (not B2, C1, C2), the 6 March resolutions out in Q1
    assert Counter(desk_in) == Counter([(0, None, "2026-02", 1), (0, None, "2026-03", 7)])
    assert desk_out == [(0, None, "2026-Q1", 6)]


def test_aggregate_and_flows_from_the_first_period(desk):
    store, ids = desk
    ann, bob, cy = ids["Ann"], ids["Bob"], ids["Cy"]
    with sql.connection(store) as con:
        sums, incoming, outgoing = sql.aggregate_and_flows(con, "month", "2026-03", "2026-03", END, "priority", None)
        later = sql.aggregate_and_flows(con, "month", "2026-04", "2026-07", "2026-08-01", None, [bob, cy])
    assert Counter(sums) == Counter([
        (ann, "2026-03", 3, *plus(A1, A2)),
        (ann, "2026-03", 2, *plus(A3, S1)),  # two groups of the read (in in February, in March) added up
        (cy, "2026-03", 3, *C3), (None, "2026-03", None, *D1),
    ])
    assert Counter(incoming) == Counter([
        (ann, 3, "2026-03", 2), (ann, 2, "2026-02", 1), (ann, 2, "2026-03", 1),
        (bob, 1, "2026-03", 1), (bob, 3, "2026-03", 1), (cy, 3, "2026-03", 1), (None, None, "2026-03", 1),
    ])
    assert Counter(outgoing) == Counter([(ann, 3, "2026-03", 2), (ann, 2, "2026-03", 2),
                                         (cy, 3, "2026-03", 1), (None, None, "2026-03", 1)])
    # March is before the first period: out, but not in the sums; C2 now came in (2026-04-01 < 08-01)
    assert later[0] == [(bob, "2026-07", None, *B2)]
    assert Counter(later[1]) == Counter([(bob, None, "2026-03", 2), (bob, None, "2026-06", 1),
                                         (cy, None, "2026-03", 1), (cy, None, "2026-04", 1)])
    assert Counter(later[2]) == Counter([(bob, None, "2026-07", 1), (cy, None, "2026-03", 1)])


def test_aggregate_and_flows_by_week_of_one_technician_and_by_group(desk):
    store, ids = desk
    ann = ids["Ann"]
    with sql.connection(store) as con:
        sums, incoming, outgoing = sql.aggregate_and_flows(con, "week", "2026-W10", "2026-W14", END, None, [ann])
        g_sums, g_in, g_out = sql.aggregate_and_flows(con, "week", "2026-W11", "2026-W14", END, None,
                                                      ["Apps", "Net"], by="group")
        all_sums, _all_in, all_out = sql.aggregate_and_flows(con, "month", "2026-03", "2026-07", "2026-08-01",
                                                             None, None, by="group")
    assert Counter(sums) == Counter([(ann, "2026-W10", None, *plus(A1, A3)), (ann, "2026-W11", None, *A2),
                                     (ann, "2026-W12", None, *S1)])
    assert Counter(incoming) == Counter([(ann, None, "2026-03-02", 2), (ann, None, "2026-02-27", 1),
                                         (ann, None, "2026-03-16", 1)])
    assert Counter(outgoing) == Counter([(ann, None, "2026-W10", 2), (ann, None, "2026-W11", 1),
                                         (ann, None, "2026-W12", 1)])
    assert Counter(g_sums) == Counter([("Net", "2026-W11", None, *plus(A2, D1)), ("Apps", "2026-W14", None, *C3)])
    assert Counter(g_in) == Counter([("Net", None, "2026-03-02", 2), ("Net", None, "2026-03-09", 1),
                                     ("Apps", None, "2026-03-30", 1)])
    assert Counter(g_out) == Counter([("Net", None, "2026-W10", 1), ("Net", None, "2026-W11", 2),
                                      ("Apps", None, "2026-W14", 1)])
    assert Counter(all_sums) == Counter([("Net", "2026-03", None, *plus(A1, A2, D1)), ("Web", "2026-07", None, *B2),
                                         ("Apps", "2026-03", None, *C3)])
    assert Counter(all_out) == Counter([("Net", None, "2026-03", 3), ("Web", None, "2026-07", 1),
                                        ("Apps", None, "2026-03", 1)])


def test_backlog_shares(desk):
    store, ids = desk
    ann, bob, cy = ids["Ann"], ids["Bob"], ids["Cy"]
    with sql.connection(store) as con:
        by_month = sql.backlog_shares(con, "month", "2026-03", END, None, None)
        by_week = sql.backlog_shares(con, "week", "2026-W14", END, "type", [ann, bob])
        only_cy = sql.backlog_shares(con, "month", "2026-03", END, "priority", [cy])
        before = sql.backlog_shares(con, "month", "2026-02", "2026-03-16", None, None)
        weeks_months = sql.backlog_shares_weeks_months(con, END, None)
    assert Counter(by_month[0]) == Counter([(bob, 1, None, "2026-03", 1), (cy, 0, None, "2026-03", 1),
                                            (ann, 1, None, "2026-03", 1)])
    assert Counter(by_month[1]) == Counter([(bob, 1, None, "2026-03", 1), (cy, 0, None, "2026-03", 1)])
    assert Counter(by_week[0]) == Counter([(bob, 1, "incident", "2026-03-16", 1), (ann, 1, "request", "2026-03-20", 1)])
    assert by_week[1] == [(bob, 1, "incident", "2026-W12", 1)]
    assert only_cy == ([(cy, 0, 2, "2026-03", 1)], [(cy, 0, 2, "2026-03", 1)])
    assert before == ([], [])  # S1 comes in after 2026-03-16 00:00, and goes out in March
    assert Counter(weeks_months[0]) == Counter([(bob, 1, None, "2026-03-16", 1), (cy, 0, None, "2026-03-16", 1),
                                                (ann, 1, None, "2026-03-20", 1)])
    assert Counter(weeks_months[1]) == Counter([(bob, 1, None, "2026-W12", "2026-03", 1),
                                                (cy, 0, None, "2026-W12", "2026-03", 1)])


def test_weeks_and_months_together(desk):
    store, ids = desk
    ann, bob, cy = ids["Ann"], ids["Bob"], ids["Cy"]
    with sql.connection(store) as con:
        techs = sql.aggregate_weeks_months(con, None)
        groups = sql.aggregate_weeks_months(con, "priority", by="group")
        t_in, t_out = sql.backlog_flows_weeks_months(con, END, None)
        g_in, g_out = sql.backlog_flows_weeks_months(con, END, None, by="group")
    assert Counter(techs) == Counter([
        (ann, "2026-W10", "2026-03", None, *plus(A1, A3)), (ann, "2026-W11", "2026-03", None, *A2),
        (ann, "2026-W12", "2026-03", None, *S1), (bob, "2026-W27", "2026-07", None, *B2),
        (cy, "2026-W14", "2026-03", None, *C3), (None, "2026-W11", "2026-03", None, *D1),
    ])
    assert Counter(groups) == Counter([
        ("Net", "2026-W10", "2026-03", 3, *A1), ("Net", "2026-W11", "2026-03", 3, *A2),
        ("Net", "2026-W11", "2026-03", None, *D1), ("Web", "2026-W27", "2026-07", 1, *B2),
        ("Apps", "2026-W14", "2026-03", 3, *C3),
    ])
    assert Counter(t_in) == Counter([
        (ann, None, "2026-03-02", 2), (ann, None, "2026-02-27", 1), (ann, None, "2026-03-16", 1),
        (bob, None, "2026-03-04", 1), (bob, None, "2026-03-20", 1), (cy, None, "2026-03-30", 1),
        (None, None, "2026-03-09", 1),
    ])
    assert Counter(t_out) == Counter([
        (ann, None, "2026-W10", "2026-03", 2), (ann, None, "2026-W11", "2026-03", 1),
        (ann, None, "2026-W12", "2026-03", 1), (bob, None, "2026-W27", "2026-07", 1),
        (cy, None, "2026-W14", "2026-03", 1), (None, None, "2026-W11", "2026-03", 1),
    ])
    assert Counter(g_in) == Counter([
        ("Net", None, "2026-03-02", 2), ("Net", None, "2026-03-09", 1), ("Web", None, "2026-03-04", 1),
        ("Web", None, "2026-03-20", 1), ("Apps", None, "2026-03-30", 1),
    ])
    assert Counter(g_out) == Counter([
        ("Net", None, "2026-W10", "2026-03", 1), ("Net", None, "2026-W11", "2026-03", 2),
        ("Web", None, "2026-W27", "2026-07", 1), ("Apps", None, "2026-W14", "2026-03", 1),
    ])


def test_percentile_rows_of_technicians_teams_and_shares(desk):
    store, ids = desk
    ann, bob, cy = ids["Ann"], ids["Bob"], ids["Cy"]
    with sql.connection(store) as con:
        techs = sql.percentile_rows(con, "month", "2026-03", "2026-03", None, "technician", None)
        shared_cy = sql.percentile_rows(con, "month", "2026-03", "2026-03", None, "technician", [cy], shares=True)
        shared_bob = sql.percentile_rows(con, "month", "2026-03", "2026-03", "priority", "technician", [bob],
                                         shares=True)
        infra = sql.percentile_rows(con, "month", "2026-03", "2026-03", None, "team", [ids["Infra"]])
        teams = sql.percentile_rows(con, "month", "2026-03", "2026-03", None, "team", None, shares=True)
        nobody = sql.percentile_rows(con, "month", "2026-03", "2026-03", None, "technician", [])
    # Ann: 2, 4, 96, 168 (n=4: ranks 1 and 2 for the median, 2 and 3 for p90); Cy: -24 (n=1: rank 0)
    assert Counter(techs) == Counter([
        (ann, "2026-03", None, 1, 4, 4.0), (ann, "2026-03", None, 2, 4, 96.0), (ann, "2026-03", None, 3, 4, 168.0),
        (cy, "2026-03", None, 0, 1, -24.0),
    ])
    # with shares S1's 4 h counts for Cy too (n=2: ranks 0 and 1)
    assert Counter(shared_cy) == Counter([(cy, "2026-03", None, 0, 2, -24.0), (cy, "2026-03", None, 1, 2, 4.0)])
    assert shared_bob == [(bob, "2026-03", 2, 0, 1, 4.0)]
    assert infra == [(ids["Infra"], "2026-03", None, 0, 1, -24.0)]
    # a team counts S1 once: Desk has it through Ann (and Bob), Infra through Cy
    assert Counter(teams) == Counter([
        (ids["Desk"], "2026-03", None, 1, 4, 4.0), (ids["Desk"], "2026-03", None, 2, 4, 96.0),
        (ids["Desk"], "2026-03", None, 3, 4, 168.0),
        (ids["Infra"], "2026-03", None, 0, 2, -24.0), (ids["Infra"], "2026-03", None, 1, 2, 4.0),
    ])
    assert nobody == []


def test_percentile_rows_of_groups_and_the_desk(desk):
    store, _ids = desk
    with sql.connection(store) as con:
        groups = sql.percentile_rows(con, "month", "2026-03", "2026-07", None, "group", None)
        apps = sql.percentile_rows(con, "month", "2026-03", "2026-07", None, "group", ["Apps"])
        two = sql.percentile_rows(con, "month", "2026-03", "2026-07", "type", "group", ["Web", "Apps"])
        totals: dict = {}
        whole = sql.percentile_rows(con, "month", "2026-03", "2026-03", None, "desk", None, totals=totals)
        tiers = sql.percentile_rows(con, "month", "2026-03", "2026-03", "priority", "desk", None)
    # Net: 2, 24, 168 (n=3: ranks 1 and 2); group '' (A3, S1) is left out
    assert Counter(groups) == Counter([
        ("Net", "2026-03", None, 1, 3, 24.0), ("Net", "2026-03", None, 2, 3, 168.0),
        ("Web", "2026-07", None, 0, 1, 4.0), ("Apps", "2026-03", None, 0, 1, -24.0),
    ])
    assert apps == [("Apps", "2026-03", None, 0, 1, -24.0)]
    assert Counter(two) == Counter([("Web", "2026-07", "incident", 0, 1, 4.0),
                                    ("Apps", "2026-03", "incident", 0, 1, -24.0)])
    # the desk, group id 0: -24, 2, 4, 24, 96, 168 (n=6: ranks 2, 3 and 4, 5)
    assert Counter(whole) == Counter([(0, "2026-03", None, 2, 6, 4.0), (0, "2026-03", None, 3, 6, 24.0),
                                      (0, "2026-03", None, 4, 6, 96.0), (0, "2026-03", None, 5, 6, 168.0)])
    assert totals == {(0, "2026-03", None): (6, 270.0)}
    assert Counter(tiers) == Counter([
        (0, "2026-03", 3, 1, 3, 2.0), (0, "2026-03", 3, 2, 3, 168.0),  # -24, 2, 168
        (0, "2026-03", 2, 0, 2, 4.0), (0, "2026-03", 2, 1, 2, 96.0),  # 4, 96
        (0, "2026-03", None, 0, 1, 24.0),
    ])


def test_percentile_ranks_of_ten_and_eleven_tickets(store):
    add_tickets(store, [done(f"2026-09-{d:02d} 12:00", d) for d in range(1, 11)]
                + [done(f"2026-10-{d:02d} 12:00", d) for d in range(1, 12)])
    with sql.connection(store) as con:
        totals: dict = {}
        rows = sql.percentile_rows(con, "month", "2026-09", "2026-10", None, "desk", None, totals=totals)
    # n=10: (n-1)*0.5 = 4.5 -> ranks 4, 5; (n-1)*0.9 = 8.1 -> 8, 9. n=11: 5 -> 5, 6; 9 -> 9, 10
    assert Counter(rows) == Counter([
        (0, "2026-09", None, 4, 10, 5.0), (0, "2026-09", None, 5, 10, 6.0),
        (0, "2026-09", None, 8, 10, 9.0), (0, "2026-09", None, 9, 10, 10.0),
        (0, "2026-10", None, 5, 11, 6.0), (0, "2026-10", None, 6, 11, 7.0),
        (0, "2026-10", None, 9, 11, 10.0), (0, "2026-10", None, 10, 11, 11.0),
    ])
    assert totals == {(0, "2026-09", None): (10, 55.0), (0, "2026-10", None): (11, 66.0)}
