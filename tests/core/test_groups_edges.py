"""Edges of how the engine's per-technician rows add up (kpidesk/metrics/groups.py, issue 20): the
segment of a raw tier or type, the scope id of a row (no technician, no team), the technician filter
of each scope kind, the rollup into technicians, teams and the desk, percentiles past rows of an
unknown tier, the backlog at period ends with tickets coming in and going out exactly at the
boundaries, and the empty value of each metric. Pure functions on small hand-made rows; every
expectation is worked out by hand."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.metrics.groups import backlog, empty, percentiles, rollup, scope_id, segment, tech_filter
from kpidesk.metrics.model import Scope
from kpidesk.periods import periods_between

# Technicians 1 and 3 are in team 10, technician 2 is in no team; team 20 has nobody.
TEAM_OF: dict[int, int | None] = {1: 10, 2: None, 3: 10}
MONTHS = periods_between(dt.date(2026, 3, 1), dt.date(2026, 5, 1), "month")  # 2026-03, -04, -05


def test_segment_maps_known_tiers_and_types_only():
    assert [segment(raw, "priority") for raw in (1, 2, 3, 4)] == ["P1", "P2", "P3", "P4"]
    # an unknown tier (none, 0, 5) or a type under the priority split is in no segment
    assert [segment(raw, "priority") for raw in (None, 0, 5, "incident")] == [None, None, None, None]
    assert [segment(raw, "type") for raw in ("incident", "request")] == ["incident", "request"]
    assert [segment(raw, "type") for raw in (None, "problem", "", 1)] == [None, None, None, None]
    assert segment(1, None) is None and segment("incident", None) is None


def test_scope_id_of_each_kind():
    assert scope_id("desk", None, TEAM_OF) is None and scope_id("desk", 2, TEAM_OF) is None
    assert scope_id("technician", 2, TEAM_OF) == 2
    assert scope_id("group", "Net", {}) == "Net"
    assert scope_id("team", 3, TEAM_OF) == 10
    # no technician (none, or the empty group name), a technician with no team or unknown: no group
    for kind, tech in [("technician", None), ("technician", ""), ("group", None), ("group", ""),
                       ("team", None), ("team", 2), ("team", 99)]:
        assert scope_id(kind, tech, TEAM_OF) is False, (kind, tech)


def test_tech_filter_of_each_scope_kind():
    assert tech_filter(None, TEAM_OF) is None
    assert tech_filter(Scope("desk"), TEAM_OF) is None
    assert tech_filter(Scope("group", "Net"), TEAM_OF) is None  # a group is not a set of technicians
    assert tech_filter(Scope("technician", 2), TEAM_OF) == [2]
    assert tech_filter(Scope("team", 10), TEAM_OF) == [1, 3]
    assert tech_filter(Scope("team", 20), TEAM_OF) == []  # a team with no technicians


# (technician, period, raw tier, then two sums)
ROWS = [
    (1, "2026-03", 1, 1, 2.0),
    (2, "2026-03", 3, 2, 5.0),     # no team
    (3, "2026-03", 3, 4, 1.0),
    (1, "2026-04", None, 1, 1.5),  # unknown tier
    (None, "2026-03", 2, 8, 0.5),  # no technician: the desk's only
]


def test_rollup_technicians():
    assert rollup(ROWS, "technician", TEAM_OF, None) == {
        (1, "2026-03", None): (1, 2.0), (2, "2026-03", None): (2, 5.0), (3, "2026-03", None): (4, 1.0),
        (1, "2026-04", None): (1, 1.5)}


def test_rollup_teams_leave_out_technicians_with_no_team():
    assert rollup(ROWS, "team", TEAM_OF, None) == {
        (10, "2026-03", None): (5, 3.0), (10, "2026-04", None): (1, 1.5)}
    assert rollup(ROWS, "team", TEAM_OF, "priority") == {
        (10, "2026-03", "P1"): (1, 2.0), (10, "2026-03", "P3"): (4, 1.0)}


def test_rollup_desk_is_every_row():
    assert rollup(ROWS, "desk", TEAM_OF, None) == {
        (None, "2026-03", None): (15, 8.5), (None, "2026-04", None): (1, 1.5)}
    assert rollup(ROWS, "desk", TEAM_OF, "priority") == {
        (None, "2026-03", "P1"): (1, 2.0), (None, "2026-03", "P2"): (8, 0.5), (None, "2026-03", "P3"): (6, 6.0)}


def test_percentiles_go_on_past_a_row_of_an_unknown_tier():
    # (group id, period, raw tier, rank, n, hours); group id 0 is the desk
    rows = [
        (1, "2026-03", None, 0, 1, 5.0),  # unknown tier: left out of the split, the rows after it are not
        (1, "2026-03", 2, 0, 2, 4.0),
        (1, "2026-03", 2, 1, 2, 8.0),
        (0, "2026-03", 1, 0, 1, 3.0),
    ]
    out = percentiles(rows, "priority")
    assert set(out) == {(1, "2026-03", "P2"), (None, "2026-03", "P1")}
    # median: rank 0.5 -> 4 + 0.5 * 4; p90: rank 0.9 -> 4 + 0.9 * 4
    assert out[(1, "2026-03", "P2")] == pytest.approx((6.0, 7.6))
    assert out[(None, "2026-03", "P1")] == (3.0, 3.0)


def test_backlog_by_month_at_the_boundaries():
    incoming = [  # (technician, raw tier, day or month, tickets)
        (1, None, "2026-02-28", 2),  # the day before the first period
        (1, None, "2026-03-01", 1),  # its first day
        (1, None, "2026-03-31", 1),  # its last day
        (1, None, "2026-04-01", 3),
        (1, None, "2026-05", 1),     # by month
        (2, None, "2026-04-15", 1),  # Bob's first ticket comes in the second period
        (5, None, "2026-02-10", 1),  # came and went before the periods
    ]
    outgoing = [(1, None, "2026-02", 1), (1, None, "2026-03", 2), (1, None, "2026-05", 4),
                (5, None, "2026-02", 1)]
    assert backlog(incoming, outgoing, "technician", TEAM_OF, None, MONTHS) == {
        # open before March: 2 - 1; March: +2 -2; April: +3; May: +1 -4
        (1, "2026-03", None): (1, 1), (1, "2026-04", None): (4, 1), (1, "2026-05", None): (1, 4),
        # none before it came: no value for March
        (2, "2026-04", None): (1, 0), (2, "2026-05", None): (1, 1),
        # had a ticket by then: 0 open, not missing
        (5, "2026-03", None): (0, 0), (5, "2026-04", None): (0, 0), (5, "2026-05", None): (0, 0),
    }


def test_backlog_of_teams_by_priority_leaves_out_no_team_and_unknown_tiers():
    incoming = [
        (1, 1, "2026-03-10", 2),
        (3, 1, "2026-03-31", 1),
        (2, 1, "2026-03-05", 5),     # no team
        (1, None, "2026-03-02", 4),  # unknown tier
        (3, 2, "2026-04-01", 1),
    ]
    outgoing = [(1, 1, "2026-04", 1), (2, 1, "2026-04", 5), (1, None, "2026-04", 4), (3, 2, "2026-05", 1)]
    assert backlog(incoming, outgoing, "team", TEAM_OF, "priority", MONTHS) == {
        (10, "2026-03", "P1"): (3, 0), (10, "2026-04", "P1"): (2, 3), (10, "2026-05", "P1"): (2, 2),
        (10, "2026-04", "P2"): (1, 0), (10, "2026-05", "P2"): (0, 1),
    }


def test_backlog_of_the_desk_by_week_counts_tickets_of_no_technician():
    weeks = periods_between(dt.date(2026, 3, 2), dt.date(2026, 3, 15), "week")  # 2026-W10, 2026-W11
    assert [p.key for p in weeks] == ["2026-W10", "2026-W11"]
    incoming = [
        (None, 3, "2026-03-01", 1),  # Sunday: the week before
        (1, None, "2026-03-02", 2),  # Monday: W10's first day
        (2, None, "2026-03-08", 1),  # Sunday: W10's last day
        (1, None, "2026-03-09", 1),  # W11
    ]
    outgoing = [(None, 3, "2026-W10", 1), (1, None, "2026-W11", 2), (2, None, "2026-W12", 1)]
    assert backlog(incoming, outgoing, "desk", TEAM_OF, None, weeks) == {
        (None, "2026-W10", None): (3, 1), (None, "2026-W11", None): (2, 3)}
    # the same for technicians: the ticket of no technician is nobody's
    assert backlog(incoming, outgoing, "technician", TEAM_OF, None, weeks) == {
        (1, "2026-W10", None): (2, 0), (1, "2026-W11", None): (1, 2),
        (2, "2026-W10", None): (1, 0), (2, "2026-W11", None): (1, 1)}


@pytest.mark.parametrize("metric", ["resolved_count", "backlog_open", "backlog_change"])
def test_empty_count_is_0_where_known_else_none(metric):
    assert empty(metric, False) == (metric, 0, 0, {})  # known unless told
    assert empty(metric, True, True) == (metric, 0, 0, {})
    assert empty(metric, True, False) == (metric, None, 0, {})
    assert empty(metric, False, False) == (metric, None, 0, {})


def test_empty_mttr_has_none_percentiles_only_when_asked():
    assert empty("mttr_hours", True) == ("mttr_hours", None, 0, {"median": None, "p90": None})
    assert empty("mttr_hours", True, False) == ("mttr_hours", None, 0, {"median": None, "p90": None})
    assert empty("mttr_hours", False) == ("mttr_hours", None, 0, {})


@pytest.mark.parametrize("metric", ["fcr_rate", "sla_compliance", "csat_mean", "csat_response_rate",
                                    "csat_positive_rate", "escalation_rate", "reopen_rate"])
def test_empty_rate_or_mean_is_none_known_or_not(metric):
    for pct in (True, False):
        for known in (True, False):
            assert empty(metric, pct, known) == (metric, None, 0, {})
