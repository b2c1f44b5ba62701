"""Edges of the ticket rules (kpidesk/tickets.py, issue 20): when a ticket counts as resolved, its
resolution time and periods, first contact, escalation, reopen and the SLA judged by the clock, each
threshold at, just below and just above it. Expected values are worked out by hand in the comments."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.settings import DEFAULTS
from kpidesk.tickets import ALL_FIELDS, derive, empty_row, settle, to_iso

T0 = dt.datetime(2026, 3, 2, 9, 0)  # a Monday, 09:00
SECOND = dt.timedelta(seconds=1)


def hours(h: float) -> dt.timedelta:
    return dt.timedelta(hours=h)


def ticket(**values):
    row = {"created_at": T0, "resolved_at": None, "resolved_basis": None, "priority_tier": None,
           "reopen_count": None, "reassignment_count": None, "first_contact": None, "escalated": None,
           "sla_met": None, "sla_due_at": None}
    row.update(values)
    return derive(row)


# ---------------------------------------------------------------- settle(): the resolution rules

R, C, U, S = (dt.datetime(2026, 3, d) for d in (5, 6, 7, 8))


@pytest.mark.parametrize("category, resolved, closed, updated, changed, resolved_column, expected", [
    # an open status: open whatever dates it carries
    ("open", R, C, U, S, True, (None, None)),
    # the resolved column wins over everything else
    ("resolved", R, C, U, S, True, (R, "resolved")),
    (None, R, None, None, None, True, (R, "resolved")),
    ("closed", R, C, U, S, False, (R, "resolved")),
    # no resolved column in the file: the closed column is the resolved time (GLPI)
    (None, None, C, U, S, False, (C, "closed")),
    ("closed", None, C, U, S, False, (C, "closed")),
    # a resolved column exists but is empty: a done status with Jira's change time
    ("resolved", None, C, U, S, True, (S, "status_changed")),
    ("closed", None, None, U, S, True, (S, "status_changed")),
    # ... a change time without a done status is no resolution
    (None, None, None, U, S, True, (None, None)),
    # done with no resolved time: closed time, else updated time, the resolution time unknown
    ("resolved", None, C, U, None, True, (C, "closed_assumed")),
    (None, None, C, U, None, True, (C, "closed_assumed")),  # a closed time alone makes it done
    ("closed", None, None, U, None, True, (U, "updated_assumed")),
    ("resolved", None, None, U, None, False, (U, "updated_assumed")),
    # done with no time at all: in no period
    ("resolved", None, None, None, None, True, (None, "no_time")),
    ("closed", None, None, None, None, False, (None, "no_time")),
    # not done, no dates that say so: open
    (None, None, None, U, None, True, (None, None)),
    (None, None, None, None, None, False, (None, None)),
])
def test_settle_follows_the_rules_in_their_order(category, resolved, closed, updated, changed, resolved_column,
                                                 expected):
    assert settle(category, resolved, closed, updated, changed, resolved_column=resolved_column) == expected


# ---------------------------------------------------------------- the SLA by the clock

@pytest.mark.parametrize("tier, limit", [(1, 4), (2, 8), (3, 24), (4, 72)])
def test_sla_is_met_at_exactly_the_target_and_missed_one_second_after(tier, limit):
    # DESIGN.md: met when the resolution time <= the tier's target (defaults P1 4 h ... P4 72 h).
    at = ticket(priority_tier=tier, resolved_at=T0 + hours(limit))
    assert at["resolution_hours"] == limit and at["sla_met"] is True
    below = ticket(priority_tier=tier, resolved_at=T0 + hours(limit) - SECOND)
    assert below["sla_met"] is True
    above = ticket(priority_tier=tier, resolved_at=T0 + hours(limit) + SECOND)
    assert above["sla_met"] is False


def test_the_default_targets_are_the_settings_default():
    # One source: derive() without hours judges by the sla_hours setting's default.
    assert DEFAULTS["sla_hours"] == {"P1": 4, "P2": 8, "P3": 24, "P4": 72}
    for tier, limit in DEFAULTS["sla_hours"].items():
        t = int(tier[1])
        assert ticket(priority_tier=t, resolved_at=T0 + hours(limit))["sla_met"] is True
        assert ticket(priority_tier=t, resolved_at=T0 + hours(limit) + SECOND)["sla_met"] is False


def test_sla_hours_given_replace_the_default():
    mine = {"P1": 1, "P2": 2, "P3": 3, "P4": 4.5}
    # P1 within 1 h: 1 h is met, 1 h 1 s is not (the default 4 h would have met both).
    assert derive({"created_at": T0, "resolved_at": T0 + hours(1), "priority_tier": 1}, mine)["sla_met"] is True
    assert derive({"created_at": T0, "resolved_at": T0 + hours(1) + SECOND, "priority_tier": 1}, mine)["sla_met"] is False
    # a fractional limit: 4.5 h met, 4.5 h + 1 s missed
    assert derive({"created_at": T0, "resolved_at": T0 + hours(4.5), "priority_tier": 4}, mine)["sla_met"] is True
    assert derive({"created_at": T0, "resolved_at": T0 + hours(4.5) + SECOND, "priority_tier": 4}, mine)["sla_met"] is False
    # a tier the hours do not name is not judged
    assert derive({"created_at": T0, "resolved_at": T0 + hours(1), "priority_tier": 1}, {"P2": 8}).get("sla_met") is None


def test_sla_due_time_decides_before_the_tier_target():
    due = T0 + hours(2)
    # resolved exactly at the due time: met; one second later: missed (even within P1's 4 h).
    assert ticket(priority_tier=1, sla_due_at=due, resolved_at=due)["sla_met"] is True
    assert ticket(priority_tier=1, sla_due_at=due, resolved_at=due - SECOND)["sla_met"] is True
    assert ticket(priority_tier=1, sla_due_at=due, resolved_at=due + SECOND)["sla_met"] is False
    # a due time later than the tier target: the due time decides (5 h > 4 h, still met)
    assert ticket(priority_tier=1, sla_due_at=T0 + hours(6), resolved_at=T0 + hours(5))["sla_met"] is True


def test_the_exports_sla_flag_is_kept():
    assert ticket(priority_tier=1, sla_met=True, resolved_at=T0 + hours(100))["sla_met"] is True
    assert ticket(priority_tier=4, sla_met=False, resolved_at=T0 + hours(1))["sla_met"] is False


def test_no_sla_without_a_known_resolution_time_or_a_tier():
    # resolved at an assumed time: no resolution time, no SLA by the clock (not even with a due time)
    for basis in ("closed_assumed", "updated_assumed"):
        row = ticket(priority_tier=1, resolved_at=T0 + hours(1), resolved_basis=basis, sla_due_at=T0 + hours(2))
        assert row["resolution_hours"] is None and row["sla_met"] is None
        assert row["resolved_week"] == "2026-W10"  # it still counts in its period
    assert ticket(priority_tier=None, resolved_at=T0 + hours(1))["sla_met"] is None
    assert ticket(priority_tier=0, resolved_at=T0 + hours(1))["sla_met"] is None
    assert ticket(priority_tier=5, resolved_at=T0 + hours(1))["sla_met"] is None  # no P5 target
    assert ticket(priority_tier=1)["sla_met"] is None  # open
    assert ticket(priority_tier=1, sla_due_at=T0 + hours(1))["sla_met"] is None  # open with a due time


@pytest.mark.parametrize("basis", ["resolved", "closed", "status_changed"])
def test_a_known_resolution_time_is_judged(basis):
    row = ticket(priority_tier=2, resolved_at=T0 + hours(8), resolved_basis=basis)
    assert row["resolution_hours"] == 8.0 and row["sla_met"] is True and row["resolved_basis"] == basis


# ---------------------------------------------------------------- resolution time and periods

def test_resolution_hours_in_calendar_hours():
    assert ticket(resolved_at=T0 + dt.timedelta(minutes=90))["resolution_hours"] == 1.5
    assert ticket(resolved_at=T0 + dt.timedelta(days=3, seconds=36))["resolution_hours"] == 72.01
    assert ticket(resolved_at=T0)["resolution_hours"] == 0.0
    assert ticket(created_at=None, resolved_at=T0)["resolution_hours"] is None


def test_a_row_with_its_resolved_time_rests_on_it():
    row = ticket(resolved_at=T0 + hours(1))
    assert row["resolved_basis"] == "resolved"
    assert ticket()["resolved_basis"] is None  # open: nothing to rest on


@pytest.mark.parametrize("resolved, week, month, quarter", [
    # Sunday 29 March 23:59:59 is still ISO week 13, March, Q1; Monday 00:00:00 is week 14
    (dt.datetime(2026, 3, 29, 23, 59, 59), "2026-W13", "2026-03", "2026-Q1"),
    (dt.datetime(2026, 3, 30, 0, 0, 0), "2026-W14", "2026-03", "2026-Q1"),
    # the last second of March and of Q1; the first of April and of Q2
    (dt.datetime(2026, 3, 31, 23, 59, 59), "2026-W14", "2026-03", "2026-Q1"),
    (dt.datetime(2026, 4, 1, 0, 0, 0), "2026-W14", "2026-04", "2026-Q2"),
    # the year turns inside ISO week 1 of 2027 (Monday 4 January 2027 starts W01; 3 January is 2026-W53)
    (dt.datetime(2026, 12, 31, 23, 59, 59), "2026-W53", "2026-12", "2026-Q4"),
    (dt.datetime(2027, 1, 1, 0, 0, 0), "2026-W53", "2027-01", "2027-Q1"),
    (dt.datetime(2027, 1, 4, 0, 0, 0), "2027-W01", "2027-01", "2027-Q1"),
])
def test_a_ticket_counts_in_the_period_it_was_resolved_in(resolved, week, month, quarter):
    row = ticket(created_at=dt.datetime(2026, 1, 1), resolved_at=resolved)
    assert (row["resolved_week"], row["resolved_month"], row["resolved_quarter"]) == (week, month, quarter)


def test_no_period_without_a_resolved_or_created_time():
    for row in (ticket(), ticket(created_at=None, resolved_at=T0)):
        assert (row["resolved_week"], row["resolved_month"], row["resolved_quarter"]) == (None, None, None)


# ---------------------------------------------------------------- first contact, escalation, reopen

@pytest.mark.parametrize("reopen, reassign, flag, fcr", [
    (None, None, None, None),  # neither count nor flag: unknown
    (0, 0, None, True),
    (0, None, None, True),
    (None, 0, None, True),
    (1, 0, None, False),  # one reopen is enough to lose first contact
    (0, 1, None, False),  # so is one reassignment
    (None, 1, None, False),
    (1, None, None, False),
    (2, 3, None, False),
    (1, 1, True, True),  # the export's flag wins
    (0, 0, False, False),
    (None, None, 1, True),
    (None, None, 0, False),
])
def test_first_contact(reopen, reassign, flag, fcr):
    assert ticket(reopen_count=reopen, reassignment_count=reassign, first_contact=flag)["fcr"] is fcr


@pytest.mark.parametrize("reassign, flag, escalated", [
    (None, None, None),
    (0, None, False),
    (1, None, True),  # at least one reassignment
    (2, None, True),
    (0, True, True),  # the flag wins
    (5, False, False),
    (None, 1, True),
    (None, 0, False),
])
def test_escalated(reassign, flag, escalated):
    assert ticket(reassignment_count=reassign, escalated=flag)["escalated_eff"] is escalated


@pytest.mark.parametrize("reopen, reopened", [(None, None), (0, False), (1, True), (2, True)])
def test_reopened(reopen, reopened):
    assert ticket(reopen_count=reopen)["reopened"] is reopened


# ---------------------------------------------------------------- rows and their text

def test_empty_row():
    row = empty_row()
    assert set(row) == set(ALL_FIELDS)
    for f in ("priority_raw", "category", "status", "assignee", "resolver", "group_name", "channel"):
        assert row[f] == ""
    assert row["created_at"] is None and row["status_category"] is None and row["ticket_type"] is None
    assert empty_row(resolved_at=T0)["status_category"] == "resolved"
    assert empty_row(resolved_at=T0, status_category="closed")["status_category"] == "closed"
    assert empty_row(status_category="open")["status_category"] == "open"
    assert empty_row(assignee="Ann")["assignee"] == "Ann"


def test_to_iso():
    assert to_iso(dt.datetime(2026, 3, 2, 9, 5, 7, 12)) == "2026-03-02 09:05:07.000012"
    assert to_iso(dt.date(2026, 3, 2)) == "2026-03-02"
    assert to_iso(None) is None and to_iso(7) == 7 and to_iso("x") == "x"


def test_derive_reads_the_one_default_in_settings(monkeypatch):
    # the default is looked up in kpidesk/settings.py when derive() runs, not copied: P1 at 5 h
    monkeypatch.setitem(DEFAULTS, "sla_hours", {"P1": 5, "P2": 8, "P3": 24, "P4": 72})
    assert ticket(priority_tier=1, resolved_at=T0 + hours(5))["sla_met"] is True
    assert ticket(priority_tier=1, resolved_at=T0 + hours(5) + SECOND)["sla_met"] is False


def test_no_sla_by_the_clock_without_a_created_time():
    # a tier but no resolution time (no created date): not judged, and no error
    row = ticket(created_at=None, priority_tier=1, resolved_at=T0)
    assert row["resolution_hours"] is None and row["sla_met"] is None


# ---------------------------------------------------------------- rates over a zero denominator

def test_rates_with_a_zero_denominator_have_no_value(store):
    from kpidesk.metrics.engine import compute
    from tests.core.metrics_tickets import add_tickets
    from tests.core.metrics_tickets import ticket as stored_ticket

    # March: one ticket resolved at an assumed time (no resolution time, so no SLA by the clock) and
    # no survey; April: nothing resolved, one ticket still open.
    add_tickets(store, [stored_ticket("2026-03-02 09:00", "2026-03-03 09:00", resolved_basis="closed_assumed"),
                        stored_ticket("2026-04-02 09:00")])
    got = {(v.kpi, v.period): (v.value, v.count) for v in compute(store, first="2026-03", last="2026-04")}
    # nothing to rest on: no value (not 0, not an error), count 0
    assert got[("mttr_hours", "2026-03")] == (None, 0)
    assert got[("sla_compliance", "2026-03")] == (None, 0)
    assert got[("csat_mean", "2026-03")] == (None, 0)
    for rate in ("fcr_rate", "escalation_rate", "reopen_rate", "csat_response_rate", "sla_compliance", "mttr_hours"):
        assert got[(rate, "2026-04")] == (None, 0), rate
    # what does rest on the one March ticket: resolved 1, first contact 1 of 1, no survey answer 0 of 1
    assert got[("resolved_count", "2026-03")] == (1, 1)
    assert got[("fcr_rate", "2026-03")] == (1.0, 1)
    assert got[("csat_response_rate", "2026-03")] == (0.0, 1)
    assert got[("backlog_open", "2026-04")][0] == 1
