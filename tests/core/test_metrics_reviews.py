"""Review triggers, acknowledgement, overdue reviews and the reviews CLI (issue 4)."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from kpidesk.cli import run
from kpidesk.errors import ValidationError
from kpidesk.metrics.reviews import acknowledge_review, check_triggers, list_reviews, mark_reviewed, overdue_reviews
from kpidesk.records import KpiRecord
from tests.core.metrics_tickets import add_tickets, ticket


@pytest.fixture
def reopen_kpi(store):
    # March 2026: 4 tickets, 1 reopened -> 25 %, above the 8 % ceiling. No technicians, so only the desk
    # has values (teams would each get their own review).
    add_tickets(store, [ticket("2026-03-02 09:00", "2026-03-02 10:00", reopen_count=1)] +
                [ticket(f"2026-03-0{d} 09:00", f"2026-03-0{d} 10:00") for d in (3, 4, 5)])
    # Through the action, as the app does it: the KPI's values are computed and stored with it
    # (`reviews --check` reads the stored values). The action's own trigger check is as of today.
    from kpidesk import actions

    return actions.create_kpi(store, KpiRecord(name="Reopen rate", unit="%", direction="lower", cadence="monthly",
                                               value_source="computed", metric="reopen_rate", owner="Dana",
                                               target_value=5.0, trigger_kind="ceiling", trigger_value=8.0)).result


def test_a_crossed_trigger_opens_exactly_one_review(store, reopen_kpi):
    opened, changes = check_triggers(store, dt.date(2026, 4, 10))  # last full month: March
    assert changes.reviews and len(opened) == 1
    r = opened[0]
    assert (r.kpi_name, r.scope_key, r.period, r.owner, r.segment) == ("Reopen rate", "desk", "2026-03", "Dana", "")
    assert r.value == pytest.approx(25.0)
    assert r.rule == "above the ceiling of 8 %"
    assert r.opened_at.date() == dt.date(2026, 4, 10)
    assert check_triggers(store, dt.date(2026, 4, 20))[0] == []  # same period: no duplicate
    assert check_triggers(store, dt.date(2026, 5, 3))[0] == []  # April has no value: nothing to judge
    assert len(list_reviews(store)) == 1


def test_acknowledge_with_a_note(store, reopen_kpi):
    (r,), _ = check_triggers(store, dt.date(2026, 4, 10))
    with pytest.raises(ValidationError, match="what will be done"):
        acknowledge_review(store, r.id, "  ", "Dana")
    done, changes = acknowledge_review(store, r.id, "Coach on closing checks", "Dana")
    assert changes.reviews and not done.is_open and done.note == "Coach on closing checks"
    assert list_reviews(store) == []
    assert [x.id for x in list_reviews(store, open_only=False)] == [r.id]
    with pytest.raises(ValidationError, match="already acknowledged"):
        acknowledge_review(store, r.id, "again", "Dana")
    assert check_triggers(store, dt.date(2026, 4, 11))[0] == []  # acknowledged is not reopened


def test_overdue_by_cadence(store, reopen_kpi):
    mark_reviewed(store, reopen_kpi.id, "Looked at it", "Dana", today=dt.date(2026, 4, 1))
    assert overdue_reviews(store, dt.date(2026, 4, 20)) == []
    (late,) = overdue_reviews(store, dt.date(2026, 5, 10))  # monthly: due 31 days after 1 April
    assert (late.kpi_name, late.due, late.days_overdue) == ("Reopen rate", dt.date(2026, 5, 2), 8)


def test_reviews_cli(store, db_path, reopen_kpi, capsys):
    assert run(["--db", str(db_path), "reviews", "--check", "--today", "2026-04-10", "--json"]) == 0
    (r,) = json.loads(capsys.readouterr().out)
    assert (r["kpi"], r["scope"], r["period"], r["owner"], r["acknowledged_at"]) == (
        "Reopen rate", "desk", "2026-03", "Dana", None)
    assert run(["--db", str(db_path), "reviews"]) == 0
    assert "Reopen rate for the desk in 2026-03: 25 %, above the ceiling of 8 %" in capsys.readouterr().out
