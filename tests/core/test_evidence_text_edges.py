"""Issue 20 (evidence, text): the drill-down's words and numbers at their edges, worked out by hand.
Pure functions only: TicketLine and Evidence are built here, rows for _line are plain tuples."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.errors import ValidationError
from kpidesk.metrics.evidence import (Evidence, TicketLine, _line, _when, metric_value_text, order_lines,
                                      summarise, summary_text)
from kpidesk.periods import parse_period

MARCH = parse_period("2026-03")
T0 = dt.datetime(2026, 3, 2, 9, 0)


def tl(n: int = 1, *, hours: float | None = None, sla: bool | None = None, fcr: bool | None = None,
       csat: float | None = None, positive: bool | None = None, reopened: bool | None = None,
       escalated: bool | None = None, created: dt.datetime = T0) -> TicketLine:
    return TicketLine(ticket_id=n, external_id=f"T-{n}", source="jira", technicians="Ann", created_at=created,
                      resolved_at=T0 + dt.timedelta(hours=hours or 0), priority="P2", ticket_type="incident",
                      category="Email", status="Done", group="", resolution_hours=hours, sla_met=sla,
                      reopened=reopened, escalated=escalated, first_contact=fcr, csat=csat,
                      csat_positive=positive, basis="resolved")


def ev(metric: str | None, lines: list[TicketLine], open_before: int | None = None) -> Evidence:
    return Evidence(scope_key="desk", who="desk", period=MARCH, segment=None, metric=metric, lines=lines,
                    open_before=open_before)


# --- TicketLine.to_json ---------------------------------------------------------------------------

def _full_line(resolved: dt.datetime | None, basis: str | None) -> TicketLine:
    return TicketLine(ticket_id=7, external_id="INC-7", source="servicenow", technicians="Ann, Bo",
                      created_at=dt.datetime(2026, 3, 1, 8, 30), resolved_at=resolved, priority="P1",
                      ticket_type="request", category="Network", status="Closed", group="Field",
                      resolution_hours=26.5, sla_met=False, reopened=True, escalated=None, first_contact=False,
                      csat=4.0, csat_positive=True, basis=basis)


def test_to_json_every_key_and_value_with_a_resolved_time():
    assert _full_line(dt.datetime(2026, 3, 2, 11, 0), "closed").to_json() == {
        "id": "INC-7", "source": "servicenow", "technicians": "Ann, Bo", "created": "2026-03-01 08:30:00",
        "resolved": "2026-03-02 11:00:00", "priority": "P1", "type": "request", "category": "Network",
        "status": "Closed", "group": "Field", "resolution_hours": 26.5, "sla_met": False, "reopened": True,
        "escalated": None, "first_contact": False, "csat": 4.0, "csat_positive": True,
        "resolved_basis": "closed", "resolved_basis_words": "closed date (the file has no resolved column)"}


def test_to_json_no_resolved_time_is_none_not_a_crash():
    j = _full_line(None, None).to_json()
    assert j["resolved"] is None
    assert j["resolved_basis"] is None and j["resolved_basis_words"] == ""
    assert list(j) == ["id", "source", "technicians", "created", "resolved", "priority", "type", "category",
                       "status", "group", "resolution_hours", "sla_met", "reopened", "escalated",
                       "first_contact", "csat", "csat_positive", "resolved_basis", "resolved_basis_words"]


# --- Evidence.summary and summarise ---------------------------------------------------------------

def test_summary_of_no_metric_is_the_resolved_count():
    assert ev(None, [tl(1), tl(2), tl(3)]).summary() == (3, 3, {})
    assert ev(None, []).summary() == (0, 0, {})


def test_summary_metric_argument_wins_over_the_evidence_metric():
    e = ev("sla_compliance", [tl(1, sla=True), tl(2, sla=False), tl(3, sla=True), tl(4)])
    assert e.summary() == (2 / 3, 3, {})
    assert e.summary("resolved_count") == (4, 4, {})


def test_mttr_with_no_times_is_none_never_zero():
    assert summarise("mttr_hours", []) == (None, 0, {"median": None, "p90": None})
    assert summarise("mttr_hours", [tl(1), tl(2)]) == (None, 0, {"median": None, "p90": None})


def test_mttr_mean_median_p90():
    lines = [tl(i, hours=h) for i, h in enumerate([100.0, 10.0, 40.0, 20.0, 30.0, None])]
    value, n, extra = summarise("mttr_hours", lines)
    assert (value, n) == (40.0, 5)
    assert extra["median"] == 30.0
    assert extra["p90"] == pytest.approx(76.0)  # 40 + 0.6 * (100 - 40)


def test_csat_positive_rate_counts_only_thumbs_answers():
    lines = [tl(1, positive=True), tl(2, positive=False), tl(3, positive=True), tl(4, positive=True),
             tl(5, csat=2.0)]
    assert summarise("csat_positive_rate", lines) == (0.75, 4, {})
    assert summarise("csat_positive_rate", [tl(1), tl(2)]) == (None, 0, {})


def test_csat_response_rate_counts_a_thumbs_answer_without_a_score():
    lines = [tl(1, positive=True), tl(2, positive=False), tl(3), tl(4, csat=5.0)]
    assert summarise("csat_response_rate", lines) == (0.75, 4, {})
    assert summarise("csat_response_rate", [tl(1, positive=True), tl(2, positive=False), tl(3)]) == (2 / 3, 3, {})


def test_csat_response_rate_of_nothing_is_none():
    assert summarise("csat_response_rate", []) == (None, 0, {})


def test_backlog_change_is_now_less_before():
    lines = [tl(1), tl(2)]
    assert summarise("backlog_change", lines, 5) == (-3, 2, {})
    assert summarise("backlog_change", lines, 0) == (2, 2, {})
    assert summarise("backlog_change", lines, None) == (None, 2, {})


def test_unknown_metric_names_every_ticket_metric():
    with pytest.raises(ValidationError) as exc:
        summarise("nope", [tl(1)])
    assert exc.value.problems == {"kpi": (
        "'nope' is not a ticket metric (mttr_hours, fcr_rate, sla_compliance, csat_mean, csat_response_rate, "
        "csat_positive_rate, escalation_rate, reopen_rate, backlog_open, backlog_change, resolved_count)")}


# --- order_lines and _longest ----------------------------------------------------------------------

def _ids(lines):
    return [x.ticket_id for x in lines]


def test_default_order_is_longest_first_no_time_last():
    lines = [tl(1, hours=None), tl(2, hours=1.0), tl(3, hours=5.0), tl(4, hours=0.0), tl(5, hours=0.5)]
    assert _ids(order_lines(lines, None)) == [3, 2, 5, 4, 1]
    assert _ids(order_lines(lines, "")) == [3, 2, 5, 4, 1]
    assert _ids(order_lines(lines, "mttr_hours")) == [3, 2, 5, 4, 1]


def test_zero_hours_comes_after_half_an_hour():
    assert _ids(order_lines([tl(1, hours=0.0), tl(2, hours=0.5)], None)) == [2, 1]


def test_ties_keep_the_input_order():
    lines = [tl(1, hours=2.0), tl(2, hours=3.0), tl(3, hours=2.0), tl(4), tl(5)]
    assert _ids(order_lines(lines, None)) == [2, 1, 3, 4, 5]


def test_sla_order_puts_breaches_first_then_unknown():
    lines = [tl(1, hours=9.0, sla=True), tl(2, hours=1.0, sla=False), tl(3, hours=5.0, sla=None),
             tl(4, hours=3.0, sla=False)]
    assert _ids(order_lines(lines, "sla_compliance")) == [4, 2, 3, 1]


def test_reopen_order_puts_reopened_first():
    lines = [tl(1, hours=9.0, reopened=False), tl(2, hours=1.0, reopened=True), tl(3, hours=5.0)]
    assert _ids(order_lines(lines, "reopen_rate")) == [2, 3, 1]


# --- _when and _line -------------------------------------------------------------------------------

def test_when():
    assert _when(None) is None
    assert _when("2026-03-02 09:15:00") == dt.datetime(2026, 3, 2, 9, 15)


NAMES = {3: "Ann", 5: "Bo"}


def row(tid=11, ext=1001, source="jira", tech=3, shared=None, created="2026-03-01 08:00:00",
        resolved="2026-03-02 10:00:00", tier=2, raw="High", ttype="incident", category="Email", status="Done",
        hours=26.0, sla=1, reopened=0, escalated=None, fcr=1, csat=4.5, positive=1, basis="closed", group="Field"):
    return (tid, ext, source, tech, shared, created, resolved, tier, raw, ttype, category, status, hours, sla,
            reopened, escalated, fcr, csat, positive, basis, group)


def test_line_every_field():
    assert _line(row(), NAMES) == TicketLine(
        ticket_id=11, external_id="1001", source="jira", technicians="Ann",
        created_at=dt.datetime(2026, 3, 1, 8, 0), resolved_at=dt.datetime(2026, 3, 2, 10, 0), priority="P2",
        ticket_type="incident", category="Email", status="Done", group="Field", resolution_hours=26.0,
        sla_met=True, reopened=False, escalated=None, first_contact=True, csat=4.5, csat_positive=True,
        basis="closed")


def test_line_missing_texts_are_empty_strings():
    x = _line(row(source=None, raw=None, tier=None, ttype=None, category=None, status=None, group=None,
                  resolved=None, csat=None, basis=None, tech=None), NAMES)
    assert (x.source, x.priority, x.ticket_type, x.category, x.status, x.group, x.technicians) == (
        "", "", "", "", "", "", "")
    assert x.resolved_at is None and x.csat is None and x.basis is None


@pytest.mark.parametrize("tier,raw,expected", [
    (1, "Crit", "P1"), (2, "High", "P2"), (3, "Med", "P3"), (4, "Low", "P4"), (5, "Sev5", "Sev5"),
    (None, "Urgent", "Urgent"), (0, None, ""),
])
def test_line_priority(tier, raw, expected):
    assert _line(row(tier=tier, raw=raw), NAMES).priority == expected


def test_line_shared_ticket_lists_the_owner_then_the_others_once():
    assert _line(row(tech=3, shared="[3, 5]"), NAMES).technicians == "Ann, Bo"
    assert _line(row(tech=5, shared="[3, 9]"), NAMES).technicians == "Bo, Ann, #9"
    assert _line(row(tech=None, shared="[5]"), NAMES).technicians == "Bo"
    assert _line(row(tech=9, shared=None), NAMES).technicians == "#9"
    assert _line(row(tech=3, shared="[]"), NAMES).technicians == "Ann"


# --- metric_value_text -----------------------------------------------------------------------------

@pytest.mark.parametrize("metric", ["mttr_hours", "fcr_rate", "csat_mean", "backlog_change", "resolved_count"])
def test_value_none_reads_none(metric):
    assert metric_value_text(metric, None) == "none"


@pytest.mark.parametrize("metric,value,expected", [
    ("backlog_change", 3.0, "+3"), ("backlog_change", -2, "-2"), ("backlog_change", 0, "+0"),
    ("fcr_rate", 0.5, "50.0 %"), ("sla_compliance", 1 / 3, "33.3 %"), ("reopen_rate", 0.0, "0.0 %"),
    ("escalation_rate", 1.0, "100.0 %"), ("csat_positive_rate", 0.12345, "12.3 %"),
    ("csat_response_rate", 0.9995, "100.0 %"),
    ("mttr_hours", 31.25, "31.2 h"), ("mttr_hours", 20.0, "20.0 h"), ("mttr_hours", 0.0, "0.0 h"),
    ("csat_mean", 4.5, "4.50"), ("csat_mean", 4.0, "4.00"),
    ("resolved_count", 3, "3"), ("backlog_open", 0, "0"), ("resolved_count", 2.5, "2.5"),
])
def test_value_text(metric, value, expected):
    assert metric_value_text(metric, value) == expected


# --- summary_text ----------------------------------------------------------------------------------

def test_summary_resolved_count_one_and_many():
    assert summary_text(ev(None, [tl(1)])) == "1 resolved ticket"
    assert summary_text(ev(None, [tl(1), tl(2), tl(3)])) == "3 resolved tickets"
    assert summary_text(ev("resolved_count", [])) == "0 resolved tickets"


def test_summary_backlog_open():
    assert summary_text(ev("backlog_open", [tl(1)])) == "Backlog: 1 ticket open at the end of 2026-03"
    assert summary_text(ev("backlog_open", [tl(1), tl(2)])) == "Backlog: 2 tickets open at the end of 2026-03"


def test_summary_backlog_change():
    assert summary_text(ev("backlog_change", [tl(1), tl(2), tl(3)], 2)) == (
        "Backlog change +1: 3 open at the end of 2026-03, 2 at the end of 2026-02")
    assert summary_text(ev("backlog_change", [tl(1)], 4)) == (
        "Backlog change -3: 1 open at the end of 2026-03, 4 at the end of 2026-02")


def test_summary_mttr_with_median_and_p90():
    lines = [tl(i, hours=h) for i, h in enumerate([100.0, 10.0, 40.0, 20.0, 30.0])]
    assert summary_text(ev("mttr_hours", lines)) == (
        "MTTR 40.0 h over 5 tickets with a resolution time (median 30.0 h, p90 76.0 h)")


def test_summary_mttr_one_ticket_and_one_more_listed():
    assert summary_text(ev("mttr_hours", [tl(1, hours=2.5), tl(2)])) == (
        "MTTR 2.5 h over 1 ticket with a resolution time (median 2.5 h, p90 2.5 h); 2 tickets listed")


def test_summary_mttr_with_no_times_has_no_median():
    assert summary_text(ev("mttr_hours", [tl(1)])) == (
        "MTTR none over 0 tickets with a resolution time; 1 ticket listed")
    assert summary_text(ev("mttr_hours", [])) == "MTTR none over 0 tickets with a resolution time"


def test_summary_rate_and_listed_tail():
    lines = [tl(1, sla=True), tl(2, sla=False), tl(3)]
    assert summary_text(ev("sla_compliance", lines)) == (
        "SLA compliance 50.0 % over 2 tickets with a known SLA; 3 tickets listed")
    assert summary_text(ev("sla_compliance", [tl(1, sla=True)])) == (
        "SLA compliance 100.0 % over 1 ticket with a known SLA")
    assert summary_text(ev("fcr_rate", [tl(1, fcr=True), tl(2, fcr=False)])) == (
        "First-contact resolution 50.0 % over 2 resolved tickets")


def test_summary_rate_with_nothing_under_it_is_none():
    assert summary_text(ev("csat_mean", [tl(1), tl(2)])) == "CSAT none over 0 survey scores; 2 tickets listed"
    assert summary_text(ev("csat_mean", [tl(1, csat=4.0), tl(2, csat=5.0)])) == "CSAT 4.50 over 2 survey scores"
    assert summary_text(ev("csat_positive_rate", [tl(1, positive=False)])) == (
        "CSAT % positive 0.0 % over 1 thumbs answer")
