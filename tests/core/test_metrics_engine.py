"""The metrics engine on a hand-made ticket set (issue 4). Every expected number is worked out by
hand in the comments, from DESIGN.md's definitions."""
from __future__ import annotations

import pytest


from kpidesk.metrics.engine import compute, compute_all
from kpidesk.records import TechnicianRecord
from tests.core.metrics_tickets import add_tickets, people, ticket

# March 2026: Sunday 8 March 23:30 is ISO week 10, Monday 9 March 00:10 week 11.
# Ticket (technician)          hours   tier type     fcr  sla            csat      esc  reopen
# A1 Ann  2 Mar 09-11           2      P3  incident  yes  met            5         no   no
# A2 Ann  3 Mar 08-14           6      P1  incident  yes  breach (>4 h)  3         no   no
# A3 Ann  30 Mar 10 - 31 23:30 37.5    P4  request   no   met (<=72 h)   -         yes  no   (1 reassignment)
# A4 Ann  31 Mar 20 - 1 Apr 00:10 4.1667 P2 request  yes  met            -         no   no   -> April
# B1 Bob  8 Mar 20-23:30        3.5    P3  incident  yes  met            thumbs up no   no   -> W10
# B2 Bob  8 Mar 22 - 9 Mar 00:10 2.1667 P3 incident  no   flag: breach   -         no   yes  -> W11
# U1 none 10 Mar 09-19          10     P2  incident  yes  breach (>8 h)  -         flag no   (desk only)
# C1 Cy   5 Mar 09 - 6 Mar 09   24     P1  incident  yes  breach         4         no   no
# C2 Cy   20 Mar 09, still open        P2
H_B2 = 2 + 10 / 60
H_A4 = 4 + 10 / 60


@pytest.fixture
def ids(store):
    ids = people(store)
    ann, bob, cy = ids["Ann"], ids["Bob"], ids["Cy"]
    add_tickets(store, [
        ticket("2026-03-02 09:00", "2026-03-02 11:00", tech=ann, tier=3, csat_score=5.0),
        ticket("2026-03-03 08:00", "2026-03-03 14:00", tech=ann, tier=1, csat_score=3.0),
        ticket("2026-03-30 10:00", "2026-03-31 23:30", tech=ann, tier=4, kind="request", reassignment_count=1),
        ticket("2026-03-31 20:00", "2026-04-01 00:10", tech=ann, tier=2, kind="request"),
        ticket("2026-03-08 20:00", "2026-03-08 23:30", tech=bob, tier=3, csat_positive=True),
        ticket("2026-03-08 22:00", "2026-03-09 00:10", tech=bob, tier=3, sla_met=False, reopen_count=1),
        # No resolver matched a technician (and no assignee either): it counts for the desk only.
        ticket("2026-03-10 09:00", "2026-03-10 19:00", tech=None, tier=2, escalated=True, assignee="", resolver=""),
        ticket("2026-03-05 09:00", "2026-03-06 09:00", tech=cy, tier=1, csat_score=4.0),
        ticket("2026-03-20 09:00", None, tech=cy, tier=2),
    ])
    return ids


def table(values):
    return {(v.kpi, v.period, v.segment): (v.value, v.count) for v in values}


def test_desk_month_every_metric(store, ids):
    t = table(compute(store, granularity="month", first="2026-03", last="2026-04"))
    approx = pytest.approx
    # March: A1 A2 A3 B1 B2 U1 C1 = 7 resolved; A4 was resolved at 00:10 on 1 April.
    assert t[("resolved_count", "2026-03", None)] == (7, 7)
    assert t[("resolved_count", "2026-04", None)] == (1, 1)
    assert t[("mttr_hours", "2026-03", None)] == (approx((2 + 6 + 37.5 + 3.5 + H_B2 + 10 + 24) / 7), 7)
    assert t[("fcr_rate", "2026-03", None)] == (approx(5 / 7), 7)  # A3 reassigned, B2 reopened
    assert t[("sla_compliance", "2026-03", None)] == (approx(3 / 7), 7)  # A1, A3, B1 met
    assert t[("csat_mean", "2026-03", None)] == (approx(4.0), 3)  # 5, 3, 4
    assert t[("csat_response_rate", "2026-03", None)] == (approx(4 / 7), 7)  # three scores and a thumb
    assert t[("csat_positive_rate", "2026-03", None)] == (1.0, 1)
    assert t[("escalation_rate", "2026-03", None)] == (approx(2 / 7), 7)  # A3 (reassigned), U1 (flag)
    assert t[("reopen_rate", "2026-03", None)] == (approx(1 / 7), 7)
    # Open at the end of March (1 April 00:00): A4 (resolved 00:10) and C2; at the end of April: C2.
    assert t[("backlog_open", "2026-03", None)] == (2, 2)
    assert t[("backlog_change", "2026-03", None)] == (2, 2)
    assert t[("backlog_open", "2026-04", None)] == (1, 1)
    assert t[("backlog_change", "2026-04", None)] == (-1, 1)


def test_mttr_median_and_p90(store, ids):
    rows = {(v.scope, v.period): v for v in compute(store, first="2026-03", metrics=["mttr_hours"])}
    desk = rows[("desk", "2026-03")]
    # Sorted hours: 2, 2.17, 3.5, 6, 10, 24, 37.5 -> median 6; p90 at rank 5.4: 24 + 0.4 * 13.5 = 29.4.
    assert desk.extra == {"median": pytest.approx(6.0), "p90": pytest.approx(29.4)}
    ann = {v.kpi: v for v in compute(store, scope_key=f"technician:{ids['Ann']}", first="2026-03")}["mttr_hours"]
    # Ann: 2, 6, 37.5 -> mean 15.17, median 6, p90 at rank 1.8: 6 + 0.8 * 31.5 = 31.2.
    assert (ann.value, ann.count) == (pytest.approx(45.5 / 3), 3)
    assert ann.extra == {"median": pytest.approx(6.0), "p90": pytest.approx(31.2)}


def test_team_technician_desk(store, ids):
    everything = compute_all(store, first="2026-03", percentiles=True)
    got = {(v.scope, v.who, v.kpi): (v.value, v.count) for v in everything if v.period == "2026-03"}
    assert got[("technician", "Bob", "mttr_hours")] == (pytest.approx((3.5 + H_B2) / 2), 2)
    assert got[("technician", "Bob", "csat_positive_rate")] == (1.0, 1)
    assert ("technician", "Bob", "csat_mean") not in got or got[("technician", "Bob", "csat_mean")][1] == 0
    # Team Desk = Ann + Bob (5 tickets); Infra = Cy; the unmatched U1 is in the desk only.
    assert got[("team", "Desk", "resolved_count")] == (5, 5)
    assert got[("team", "Desk", "mttr_hours")] == (pytest.approx((2 + 6 + 37.5 + 3.5 + H_B2) / 5), 5)
    assert got[("team", "Desk", "sla_compliance")] == (pytest.approx(3 / 5), 5)
    assert got[("team", "Infra", "resolved_count")] == (1, 1)
    assert got[("desk", "desk", "resolved_count")] == (7, 7)
    assert got[("technician", "Ann", "backlog_open")] == (1, 1)  # A4
    assert got[("technician", "Cy", "backlog_open")] == (1, 1)  # C2
    assert got[("team", "Infra", "backlog_open")] == (1, 1)
    team_mttr = next(v for v in everything if v.scope == "team" and v.who == "Desk" and v.kpi == "mttr_hours")
    assert team_mttr.extra["median"] == pytest.approx(3.5)  # 2, 2.17, 3.5, 6, 37.5


def test_week_boundary_and_a_week_without_resolutions(store, ids):
    bob = table(compute(store, scope_key=f"technician:{ids['Bob']}", granularity="week", first="2026-W10",
                        last="2026-W11"))
    assert bob[("resolved_count", "2026-W10", None)] == (1, 1)  # Sunday 23:30
    assert bob[("resolved_count", "2026-W11", None)] == (1, 1)  # Monday 00:10
    assert bob[("backlog_open", "2026-W10", None)] == (1, 1)  # B2 was still open at Monday 00:00
    desk = table(compute(store, granularity="week", first="2026-W12", last="2026-W14"))
    # W12 (16-22 Mar): C2 arrives, nothing resolved; W13: nothing happens; W14: A3 and A4 resolved.
    assert desk[("resolved_count", "2026-W13", None)] == (0, 0)
    assert desk[("mttr_hours", "2026-W13", None)] == (None, 0)
    assert desk[("backlog_open", "2026-W12", None)] == (1, 1)
    assert desk[("backlog_open", "2026-W13", None)] == (1, 1)
    assert desk[("backlog_change", "2026-W13", None)] == (0, 1)
    assert desk[("backlog_change", "2026-W12", None)] == (1, 1)  # from 0 at the end of W11
    assert desk[("resolved_count", "2026-W14", None)] == (2, 2)


def test_split_by_priority_and_type(store, ids):
    p = table(compute(store, first="2026-03", split="priority"))
    assert p[("mttr_hours", "2026-03", "P1")] == (pytest.approx(15.0), 2)  # A2 6 h, C1 24 h
    assert p[("sla_compliance", "2026-03", "P1")] == (0.0, 2)  # both breached the 4 h P1 target
    assert p[("mttr_hours", "2026-03", "P3")] == (pytest.approx((2 + 3.5 + H_B2) / 3), 3)
    assert p[("resolved_count", "2026-03", "P4")] == (1, 1)
    assert p[("backlog_open", "2026-03", "P2")] == (2, 2)  # A4 and C2 are both P2
    assert not [k for k in p if k[2] is None]
    t = table(compute(store, first="2026-03", split="type"))
    assert t[("resolved_count", "2026-03", "incident")] == (6, 6)
    assert t[("mttr_hours", "2026-03", "request")] == (37.5, 1)


def test_quarter_and_year_and_empty_scope(store, ids):
    q = table(compute(store, granularity="quarter", first="2026-Q1"))
    assert q[("resolved_count", "2026-Q1", None)] == (7, 7)
    y = table(compute(store, granularity="year", first="2026"))
    assert y[("resolved_count", "2026", None)] == (8, 8)
    assert y[("backlog_open", "2026", None)] == (1, 1)
    # Before the first ticket nothing is known: a count there is none, not 0 (issue 15).
    empty = table(compute(store, granularity="month", first="2025-12"))
    assert empty[("resolved_count", "2025-12", None)] == (None, 0)
    assert empty[("backlog_open", "2025-12", None)] == (None, 0)
    assert empty[("fcr_rate", "2025-12", None)] == (None, 0)
    # Inside the span the tickets cover, a technician who resolved nothing resolved 0.
    nobody = store.create_technician(TechnicianRecord(display_name="Idle Ida"))[0].id
    idle = table(compute(store, scope_key=f"technician:{nobody}", granularity="month", first="2026-03", last="2026-03"))
    assert idle[("resolved_count", "2026-03", None)] == (0, 0)


@pytest.mark.parametrize("granularity, first, last, split", [
    ("month", "2026-01", "2026-10", None), ("week", "2026-W30", "2026-W40", None),
    ("quarter", "2026-Q1", "2026-Q3", "priority"), ("month", "2026-06", "2026-09", "type"),
])
def test_the_desks_mttr_alone_equals_it_among_every_metric(demo_store, granularity, first, last, split):
    """Issue 19: asked alone with its percentiles, the desk's MTTR takes its mean from the read the
    percentiles sort (no second pass); it must be the MTTR computed with everything else."""
    alone = compute(demo_store, scope_key="desk", granularity=granularity, first=first, last=last, split=split,
                    metrics=["mttr_hours"])
    every = [v for v in compute(demo_store, scope_key="desk", granularity=granularity, first=first, last=last,
                                split=split) if v.kpi == "mttr_hours"]
    assert len(alone) == len(every) > 0
    for a, b in zip(alone, every):
        assert (a.period, a.segment, a.count) == (b.period, b.segment, b.count)
        assert a.value == pytest.approx(b.value) if b.value is not None else a.value is None
        for key in ("median", "p90"):
            assert a.extra[key] == pytest.approx(b.extra[key]) if b.extra[key] is not None else a.extra[key] is None
