"""Edges of baselines and review triggers (kpidesk/metrics/baseline.py, reviews.py, issue 20): the
baseline window of 3 to 6 full periods, a value at exactly 10 % worse than its baseline (no review)
and just past it (a review), the last full period at a month's first day, overdue by exactly one
cadence. Values worked out by hand in the comments."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.errors import NotFound, ValidationError
from kpidesk.metrics.baseline import baseline_window, compute_baseline, set_baseline
from kpidesk.metrics.reviews import (CADENCE_DAYS, ReviewRecord, acknowledge_review, check_triggers, list_reviews,
                                     mark_reviewed, overdue_reviews, review_json, scope_label)
from kpidesk.records import KpiRecord, MeasurementRecord

D = dt.date


# ---------------------------------------------------------------- the baseline window

def test_baseline_window_is_the_full_periods_before_the_date():
    # before 1 April (a month's first day): March is the last full month
    assert [p.key for p in baseline_window(D(2026, 4, 1), 3, "month")] == ["2026-01", "2026-02", "2026-03"]
    # before 31 March: March is still running, so December to February
    assert [p.key for p in baseline_window(D(2026, 3, 31), 3, "month")] == ["2025-12", "2026-01", "2026-02"]
    assert [p.key for p in baseline_window(D(2026, 4, 1), 6, "month")] == [
        "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    assert [p.key for p in baseline_window(D(2026, 4, 1), 1, "quarter")] == ["2026-Q1"]
    assert [p.key for p in baseline_window(D(2026, 3, 30), 2, "week")] == ["2026-W12", "2026-W13"]


def entered_kpi(store, values: dict[str, float], name="Uptime", **more):
    rec, _ = store.create_kpi(KpiRecord(name=name, unit="%", direction="higher", cadence="monthly",
                                        value_source="entered", owner="Dana", **more))
    store.add_measurements([MeasurementRecord(rec.id, "desk", p, v) for p, v in values.items()])
    return rec


def test_compute_baseline_is_the_mean_of_every_period_of_the_window(store):
    k = entered_kpi(store, {"2025-12": 90.0, "2026-01": 96.0, "2026-02": 93.0, "2026-03": 99.0})
    value, window = compute_baseline(store, k.id, D(2026, 4, 1), 3)
    assert value == 96.0 and [p.key for p in window] == ["2026-01", "2026-02", "2026-03"]  # (96+93+99)/3
    value, _ = compute_baseline(store, k.id, D(2026, 4, 1), 4)
    assert value == 94.5  # (90+96+93+99)/4
    for bad in (2, 7):  # 3 to 6 periods, both ends allowed
        with pytest.raises(ValidationError) as e:
            compute_baseline(store, k.id, D(2026, 4, 1), bad)
        assert e.value.problems == {"periods": "a baseline is the mean of 3 to 6 full periods"}
    with pytest.raises(ValidationError) as e:
        compute_baseline(store, k.id, D(2026, 4, 1), 5)  # November is missing
    assert e.value.problems == {"baseline": (
        "only 4 of the 5 full months before 2026-04-01 have a value for Uptime (missing: 2025-11); "
        "pick a later date or fewer months")}
    with pytest.raises(ValidationError):
        compute_baseline(store, k.id, D(2026, 4, 1), 6)


def test_baseline_of_6_periods_defaults_and_segments(store):
    k = entered_kpi(store, {"2025-10": 90.0, "2025-11": 93.0, "2025-12": 90.0, "2026-01": 96.0, "2026-02": 93.0,
                            "2026-03": 99.0})
    assert compute_baseline(store, k.id, D(2026, 4, 1), 6)[0] == 93.5  # 561 / 6: 6 is allowed
    value, window = compute_baseline(store, k.id, D(2026, 4, 1))  # 3 periods by default
    assert value == 96.0 and len(window) == 3
    # a segment's own values: P1 has 10, 20, 30 in January to March
    store.add_measurements([MeasurementRecord(k.id, "desk", p, v, segment="P1")
                            for p, v in (("2026-01", 10.0), ("2026-02", 20.0), ("2026-03", 30.0))])
    assert compute_baseline(store, k.id, D(2026, 4, 1), 3, segment="P1")[0] == 20.0
    rec, _ = set_baseline(store, k.id, D(2026, 4, 1), 3, segment="P1")
    assert rec.baseline_value == 20.0
    # two periods missing are both named
    gap = entered_kpi(store, {"2026-01": 1.0, "2026-02": 1.0, "2026-03": 1.0}, name="Gappy")
    with pytest.raises(ValidationError) as e:
        compute_baseline(store, gap.id, D(2026, 4, 1), 5)
    assert "(missing: 2025-11, 2025-12)" in e.value.problems["baseline"]


def test_a_quarterly_baseline_is_made_of_quarters(store):
    q, _ = store.create_kpi(KpiRecord(name="Q", unit="%", cadence="quarterly", value_source="entered"))
    store.add_measurements([MeasurementRecord(q.id, "desk", p, v)
                            for p, v in (("2025-Q3", 1.0), ("2025-Q4", 2.0), ("2026-Q1", 6.0))])
    value, window = compute_baseline(store, q.id, D(2026, 4, 1))
    assert value == 3.0 and [p.key for p in window] == ["2025-Q3", "2025-Q4", "2026-Q1"]
    with pytest.raises(ValidationError) as e:
        compute_baseline(store, q.id, D(2026, 3, 31))
    assert e.value.problems["baseline"].startswith("only 2 of the 3 full quarters before 2026-03-31 have a value")


def test_set_baseline_stores_the_value_and_its_window(store):
    k = entered_kpi(store, {"2026-01": 96.0, "2026-02": 93.0, "2026-03": 99.0})
    rec, changes = set_baseline(store, k.id, D(2026, 4, 1))
    assert changes.kpis
    assert (rec.baseline_value, rec.baseline_from, rec.baseline_to, rec.baseline_periods) == (
        96.0, D(2026, 1, 1), D(2026, 3, 31), 3)
    assert store.get_kpi(k.id).baseline_value == 96.0


# ---------------------------------------------------------------- a trigger at exactly 10 % worse

def relative_kpi(store, march: float):
    # baseline 90 %, higher is better, 10 % worse: the line is 90 - 9 = 81
    return entered_kpi(store, {"2026-03": march}, baseline_value=90.0, target_value=95.0,
                       trigger_kind="relative", trigger_value=10.0)


def test_exactly_10_percent_worse_opens_no_review(store):
    relative_kpi(store, 81.0)
    opened, changes = check_triggers(store, D(2026, 4, 1))  # 1 April: March is the last full month
    assert opened == [] and not changes.reviews


def test_just_past_10_percent_worse_opens_one(store):
    k = relative_kpi(store, 80.99)
    opened, changes = check_triggers(store, D(2026, 4, 1))
    assert changes.reviews and len(opened) == 1
    r = opened[0]
    assert (r.kpi_id, r.kpi_name, r.scope_key, r.scope_label, r.period, r.value, r.owner, r.segment) == (
        k.id, "Uptime", "desk", "the desk", "2026-03", 80.99, "Dana", "")
    assert r.rule == "more than 10 % worse than the baseline 90 % (below 81 %)"
    assert r.opened_at.date() == D(2026, 4, 1) and r.is_open
    assert r.summary == "Uptime for the desk in 2026-03: 80.99 %, more than 10 % worse than the baseline 90 % (below 81 %)"
    # 31 March: the last full month is February, which has no value
    assert check_triggers(store, D(2026, 3, 31))[0] == []
    assert check_triggers(store, D(2026, 4, 30))[0] == []  # March again: never twice
    assert len(list_reviews(store)) == 1


def test_a_kpi_without_a_trigger_is_not_checked(store):
    entered_kpi(store, {"2026-03": 1.0}, target_value=95.0)
    assert check_triggers(store, D(2026, 4, 1)) [0] == []


def test_every_scope_of_an_entered_kpi_is_checked(store):
    k = entered_kpi(store, {}, trigger_kind="floor", trigger_value=90.0)
    team, _ = store.create_team("Infra")
    store.add_measurements([MeasurementRecord(k.id, "desk", "2026-03", 89.0),
                            MeasurementRecord(k.id, f"team:{team.id}", "2026-03", 80.0),
                            MeasurementRecord(k.id, "group:Network", "2026-03", 90.0)])  # at the floor: fine
    opened, _ = check_triggers(store, D(2026, 4, 2))
    assert sorted((r.scope_key, r.scope_label, r.rule) for r in opened) == [
        ("desk", "the desk", "below the floor of 90 %"),
        (f"team:{team.id}", "team Infra", "below the floor of 90 %")]


def test_review_json_and_summary():
    r = ReviewRecord(id=3, kpi_id=1, kpi_name="MTTR P1", scope_key="team:2", scope_label="team Infra", segment="P1",
                     period="2026-03", value=5.5, unit="hours", rule="above the ceiling of 4 hours", owner="Dana",
                     opened_at=dt.datetime(2026, 4, 1, 9, 30))
    assert r.summary == "MTTR P1 for team Infra in 2026-03: 5.5 hours, above the ceiling of 4 hours"
    r.kpi_name = "MTTR"
    assert r.summary.startswith("MTTR P1 for team Infra")  # the segment said when the name lacks it
    assert review_json(r) == {
        "id": 3, "kpi": "MTTR", "kpi_id": 1, "scope": "team:2", "who": "team Infra", "segment": "P1",
        "period": "2026-03", "value": 5.5, "unit": "hours", "rule": "above the ceiling of 4 hours", "owner": "Dana",
        "opened_at": "2026-04-01T09:30:00", "acknowledged_at": None, "acknowledged_by": "", "note": "",
        "follow_up": None, "follow_up_at": None}
    r.segment, r.acknowledged_at = "", dt.datetime(2026, 4, 2, 8, 0)
    assert review_json(r)["segment"] is None and review_json(r)["acknowledged_at"] == "2026-04-02T08:00:00"
    r.follow_up, r.follow_up_at = "2026-Q2 check-in: agreed a checklist", dt.datetime(2026, 7, 10, 15)
    assert (review_json(r)["follow_up"], review_json(r)["follow_up_at"]) == (
        "2026-Q2 check-in: agreed a checklist", "2026-07-10T15:00:00")
    assert not r.is_open and r.summary.startswith("MTTR for team Infra")


def test_scope_labels(store):
    team, _ = store.create_team("Infra")
    assert scope_label(store, "desk") == "the desk"
    assert scope_label(store, f"team:{team.id}") == "team Infra"
    assert scope_label(store, "team:999") == "team:999"
    assert scope_label(store, "technician:999") == "technician:999"
    assert scope_label(store, "group:Service Desk") == "group Service Desk"
    assert scope_label(store, "odd:thing") == "thing"
    assert scope_label(store, "odd") == "odd"


# ---------------------------------------------------------------- acknowledging and overdue by cadence

def test_acknowledge_and_mark_reviewed(store):
    k = relative_kpi(store, 70.0)
    (r,), _ = check_triggers(store, D(2026, 4, 1))
    with pytest.raises(NotFound):
        acknowledge_review(store, 999, "note", "Dana")
    done, changes = acknowledge_review(store, r.id, "  Add a second link  ", "  Dana ", when=dt.datetime(2026, 4, 2))
    assert (done.note, done.acknowledged_by, done.acknowledged_at) == ("Add a second link", "Dana",
                                                                       dt.datetime(2026, 4, 2))
    with pytest.raises(ValidationError) as e:
        acknowledge_review(store, r.id, "again", "Sam")
    assert e.value.problems == {"review": "this review was already acknowledged on 2026-04-02 by Dana"}
    rec, _ = mark_reviewed(store, k.id, "Looked at it", "Sam", today=D(2026, 5, 3))
    assert (rec.period, rec.rule, rec.scope_key, rec.value, rec.acknowledged_at) == (
        "2026-05", "scheduled review", "desk", None, dt.datetime(2026, 5, 3))
    assert [x.id for x in list_reviews(store, open_only=False, kpi_id=k.id)] == [rec.id, r.id]  # newest first
    assert list_reviews(store, open_only=False, kpi_id=k.id + 1) == []


def test_overdue_one_day_after_exactly_one_cadence(store):
    assert CADENCE_DAYS == {"daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92}
    k = relative_kpi(store, 95.0)
    mark_reviewed(store, k.id, "fine", "Dana", today=D(2026, 4, 1))
    assert overdue_reviews(store, D(2026, 5, 2)) == []  # 1 April + 31 days: due that day, not overdue
    (late,) = overdue_reviews(store, D(2026, 5, 3))
    assert (late.kpi_id, late.kpi_name, late.owner, late.cadence, late.last_reviewed, late.due, late.days_overdue) == (
        k.id, "Uptime", "Dana", "monthly", D(2026, 4, 1), D(2026, 5, 2), 1)


def test_a_technicians_label(store):
    from kpidesk.records import TechnicianRecord

    tech, _ = store.create_technician(TechnicianRecord(display_name="Ann Lee"))
    assert scope_label(store, f"technician:{tech.id}") == "Ann Lee"
    assert scope_label(store, "technician:x1") == "x1"  # not a number: the part after the colon
    assert scope_label(store, "team:x1") == "x1"


def test_every_kpi_and_scope_is_checked_in_its_cadences_last_period(store):
    # a KPI without a trigger first: checking goes on to the next KPI
    entered_kpi(store, {"2026-03": 1.0}, name="No trigger", target_value=95.0)
    q, _ = store.create_kpi(KpiRecord(name="Quarterly", unit="%", direction="higher", cadence="quarterly",
                                      value_source="entered", trigger_kind="floor", trigger_value=50.0))
    store.add_measurements([MeasurementRecord(q.id, "desk", "2026-Q1", 40.0)])
    k = entered_kpi(store, {}, trigger_kind="floor", trigger_value=90.0)
    team, _ = store.create_team("Infra")
    store.add_measurements([MeasurementRecord(k.id, "desk", "2026-03", 89.0),
                            MeasurementRecord(k.id, "group:Network", "2026-03", 90.0),  # at the floor: fine
                            MeasurementRecord(k.id, f"team:{team.id}", "2026-03", 80.0)])
    opened, _ = check_triggers(store, D(2026, 4, 1))
    # the quarterly KPI is judged in 2026-Q1 (not March); each scope by its own value
    assert sorted((r.kpi_name, r.scope_key, r.period, r.value) for r in opened) == [
        ("Quarterly", "desk", "2026-Q1", 40.0), ("Uptime", "desk", "2026-03", 89.0),
        ("Uptime", f"team:{team.id}", "2026-03", 80.0)]
    assert len(list_reviews(store)) == 3  # one row per review, each with its own KPI
    # April below the floor too: its own review, the month after March's
    store.add_measurements([MeasurementRecord(k.id, "desk", "2026-04", 85.0)])
    (april,) = check_triggers(store, D(2026, 5, 1))[0]
    assert (april.period, april.value) == ("2026-04", 85.0)


def test_a_formula_is_checked_in_the_scopes_of_the_kpis_it_reads(store):
    a = entered_kpi(store, {"2026-03": 10.0})
    team, _ = store.create_team("Infra")
    store.add_measurements([MeasurementRecord(a.id, f"team:{team.id}", "2026-03", 30.0)])
    other, _ = store.create_kpi(KpiRecord(name="Other", unit="%", value_source="entered"))
    store.add_measurements([MeasurementRecord(other.id, "group:Elsewhere", "2026-03", 1.0)])
    f, _ = store.create_kpi(KpiRecord(name="Double", unit="%", direction="lower", cadence="monthly",
                                      value_source="formula", formula="[Uptime] * 2", trigger_kind="ceiling",
                                      trigger_value=50.0))
    opened, _ = check_triggers(store, D(2026, 4, 1))
    # desk: 20, not above 50; the team: 60, above it; Other's scope is not the formula's
    assert [(r.kpi_name, r.scope_key, r.value) for r in opened] == [("Double", f"team:{team.id}", 60.0)]


def test_computed_kpis_are_checked_for_the_desk_and_its_teams_never_a_technician(store):
    from kpidesk import actions
    from tests.core.metrics_tickets import add_tickets, people, ticket

    ids = people(store)
    # March: Ann 2 tickets, 1 reopened (50 %); Cy 2 tickets, none reopened; desk 1 of 4 = 25 %
    add_tickets(store, [ticket("2026-03-02 09:00", "2026-03-02 10:00", tech=ids["Ann"], reopen_count=1),
                        ticket("2026-03-03 09:00", "2026-03-03 10:00", tech=ids["Ann"]),
                        ticket("2026-03-04 09:00", "2026-03-04 10:00", tech=ids["Cy"]),
                        ticket("2026-03-05 09:00", "2026-03-05 10:00", tech=ids["Cy"])])
    actions.create_kpi(store, KpiRecord(name="Reopen rate", unit="%", direction="lower", cadence="monthly",
                                        value_source="computed", metric="reopen_rate", owner="Dana",
                                        target_value=5.0, trigger_kind="ceiling", trigger_value=8.0),
                       today=D(2026, 3, 20))
    # four more of Cy's tickets written behind the actions' back: live, the desk is 1 of 8 = 12.5 %;
    # stored=True reads what the action stored (25 %), as an action's own check does
    add_tickets(store, [ticket(f"2026-03-1{d} 09:00", f"2026-03-1{d} 10:00", tech=ids["Cy"]) for d in range(4)])
    opened, _ = check_triggers(store, D(2026, 4, 1), stored=True)
    assert sorted((r.scope_key, r.value) for r in opened) == [("desk", 25.0), (f"team:{ids['Desk']}", 50.0)]
    # April's ticket, written the same way, has no stored value: by default the check reads live values
    add_tickets(store, [ticket("2026-04-02 09:00", "2026-04-02 10:00", tech=ids["Ann"], reopen_count=1)])
    opened, _ = check_triggers(store, D(2026, 5, 1))
    assert sorted((r.scope_key, r.period, r.value) for r in opened) == [
        ("desk", "2026-04", 100.0), (f"team:{ids['Desk']}", "2026-04", 100.0)]


def test_reviews_are_listed_newest_first(store):
    k = relative_kpi(store, 70.0)
    (r,), _ = check_triggers(store, D(2026, 4, 1))  # opened on 1 April
    older, _ = mark_reviewed(store, k.id, "earlier", "Dana", today=D(2026, 3, 15))  # a higher id, opened before
    same, _ = mark_reviewed(store, k.id, "same day", "Dana", today=D(2026, 3, 15))  # same time: the higher id first
    assert [x.id for x in list_reviews(store, open_only=False)] == [r.id, same.id, older.id]
    assert [x.id for x in list_reviews(store)] == [r.id]


def test_acknowledging_needs_a_note_and_an_existing_open_review(store):
    relative_kpi(store, 70.0)
    (r,), _ = check_triggers(store, D(2026, 4, 1))
    with pytest.raises(ValidationError) as e:
        acknowledge_review(store, r.id, " \n ", "Dana")
    assert e.value.problems == {"note": "say what will be done about it (a short note)"}
    with pytest.raises(NotFound) as e:
        acknowledge_review(store, 999, "note", "Dana")
    assert str(e.value) == "There is no review with id 999."
    acknowledge_review(store, r.id, "done", "   ", when=dt.datetime(2026, 4, 3))  # nobody named
    with pytest.raises(ValidationError) as e:
        acknowledge_review(store, r.id, "again", "Sam")
    assert e.value.problems == {"review": "this review was already acknowledged on 2026-04-03 by someone"}


def test_reviews_keep_the_kpis_segment_and_owner(store):
    k = entered_kpi(store, {}, name="MTTR P1", segment="P1", trigger_kind="floor", trigger_value=90.0)
    store.add_measurements([MeasurementRecord(k.id, "desk", "2026-03", 80.0, segment="P1")])
    (r,), _ = check_triggers(store, D(2026, 4, 1))
    assert (r.segment, r.value) == ("P1", 80.0)
    q, _ = store.create_kpi(KpiRecord(name="Quarterly", unit="%", cadence="quarterly", value_source="entered",
                                      owner="Sam", segment="P2"))
    rec, _ = mark_reviewed(store, q.id, "fine", "Sam", today=D(2026, 5, 3))
    assert (rec.period, rec.segment, rec.owner, rec.scope_key) == ("2026-Q2", "P2", "Sam", "desk")


def test_two_kpis_triggered_in_the_same_scope_and_period_each_get_a_review(store):
    a = entered_kpi(store, {"2026-03": 80.0}, name="A", trigger_kind="floor", trigger_value=90.0)
    b = entered_kpi(store, {"2026-03": 70.0}, name="B", trigger_kind="floor", trigger_value=90.0)
    opened, _ = check_triggers(store, D(2026, 4, 1))
    assert sorted((r.kpi_id, r.value) for r in opened) == [(a.id, 80.0), (b.id, 70.0)]
    assert sorted((r.kpi_name, r.value) for r in list_reviews(store)) == [("A", 80.0), ("B", 70.0)]


def kpi_created(store, kpi_id) -> dt.date:
    from sqlalchemy import select

    from kpidesk.models import Kpi

    with store.read() as s:
        return s.scalar(select(Kpi.created_at).where(Kpi.id == kpi_id)).date()


def test_overdue_counts_from_the_latest_review_else_the_kpis_creation(store):
    # a plain metric (no owner) with a cadence, a KPI without one (listed first, by name): never overdue,
    # and the KPIs after them are looked at
    store.create_kpi(KpiRecord(name="A plain metric", unit="%", cadence="monthly", value_source="entered"))
    store.create_kpi(KpiRecord(name="A KPI without cadence", unit="%", owner="Dana", target_value=1.0, trigger_kind="floor",
                               trigger_value=0.5, value_source="entered"))
    never = entered_kpi(store, {}, name="Never", target_value=95.0, trigger_kind="floor", trigger_value=90.0)
    monthly = entered_kpi(store, {}, name="Monthly", target_value=95.0, trigger_kind="floor", trigger_value=90.0)
    assert [k.name for k in store.list_kpis()][:2] == ["A KPI without cadence", "A plain metric"]
    # Monthly reviewed on 1 May, then (recorded later) on 1 April: the latest, 1 May, counts: due 1 June
    mark_reviewed(store, monthly.id, "may", "Dana", today=D(2026, 5, 1))
    mark_reviewed(store, monthly.id, "april", "Dana", today=D(2026, 4, 1))
    created = kpi_created(store, never.id)
    today = max(created, D(2026, 6, 1)) + dt.timedelta(days=40)
    got = {o.kpi_name: (o.last_reviewed, o.due, o.days_overdue) for o in overdue_reviews(store, today)}
    assert set(got) == {"Never", "Monthly"}
    assert got["Monthly"][:2] == (D(2026, 5, 1), D(2026, 6, 1))
    assert got["Monthly"][2] == (today - D(2026, 6, 1)).days
    # never reviewed: counted from its creation, one cadence (monthly, 31 days) later
    assert got["Never"][:2] == (created, created + dt.timedelta(days=31))
    # the most overdue first
    order = [o.kpi_name for o in overdue_reviews(store, today)]
    assert order == sorted(got, key=lambda n: -got[n][2])
    assert got["Never"][2] != got["Monthly"][2]


def test_a_formula_over_formulas_reads_every_scope_of_every_kpi_below_it(store):
    a = entered_kpi(store, {"2026-03": 10.0}, name="A")  # the desk only
    team, _ = store.create_team("Infra")
    b = entered_kpi(store, {}, name="B")
    store.add_measurements([MeasurementRecord(b.id, f"team:{team.id}", "2026-03", 5.0),
                            MeasurementRecord(a.id, f"team:{team.id}", "2026-03", 1.0)])
    store.create_kpi(KpiRecord(name="Sum", unit="%", value_source="formula", formula="[A] + [B]"))
    store.create_kpi(KpiRecord(name="Top", unit="%", direction="lower", cadence="monthly", value_source="formula",
                               formula="[Sum] * 1 + [A] * 0", trigger_kind="ceiling", trigger_value=0.0))
    opened, _ = check_triggers(store, D(2026, 4, 1))
    # Top's scopes are A's (desk, team) and B's (team): the team has A 1 + B 5 = 6; the desk has no B: no value
    assert [(r.kpi_name, r.scope_key, r.value) for r in opened] == [("Top", f"team:{team.id}", 6.0)]


def test_formulas_over_each_other_or_over_a_kpi_that_is_gone_open_nothing_and_end(store):
    for name, formula in (("X", "[Y] + 1"), ("Y", "[X] + 1"), ("G", "[Ghost] * 2")):
        store.create_kpi(KpiRecord(name=name, unit="%", value_source="formula", formula=formula,
                                   trigger_kind="ceiling", trigger_value=0.0))
    assert check_triggers(store, D(2026, 4, 1))[0] == []


def test_a_period_is_judged_by_the_trigger_in_force_then_even_if_it_is_gone_now(store):
    # created with a floor of 80, then the trigger is taken off: March (before both rows of the
    # history) is judged by the first, so 70 is below its floor
    k = entered_kpi(store, {"2026-03": 70.0}, target_value=95.0, trigger_kind="floor", trigger_value=80.0)
    rec = store.get_kpi(k.id)
    rec.trigger_kind, rec.trigger_value = None, None
    store.update_kpi(rec)
    assert not store.get_kpi(k.id).has_trigger
    (r,) = check_triggers(store, D(2026, 4, 1))[0]
    assert (r.period, r.value, r.rule) == ("2026-03", 70.0, "below the floor of 80 %")


# ---------------------------------------------------------------- a review raised by hand (issue 17)

def test_a_review_raised_by_hand_keeps_its_value_scope_segment_and_why(store):
    from kpidesk.metrics.reviews import raise_review
    from kpidesk.records import TechnicianRecord

    ann, _ = store.create_technician(TechnicianRecord(display_name="Ann Lee"))
    k = entered_kpi(store, {}, segment="P1")
    store.add_measurements([MeasurementRecord(k.id, "desk", "2026-03", 97.0, segment="P1"),
                            MeasurementRecord(k.id, "desk", "2026-03", 50.0),  # not the KPI's segment
                            MeasurementRecord(k.id, f"technician:{ann.id}", "2026-03", 91.5, segment="P1"),
                            MeasurementRecord(k.id, f"technician:{ann.id}", "2026-02", 99.0, segment="P1")])
    rec, changes = raise_review(store, k.id, f"technician:{ann.id}", "2026-03", "  two outages  ", " Dana ",
                                when=dt.datetime(2026, 4, 2, 9, 30, 15, 777))
    assert changes.reviews is True and changes.kpis is False and rec.follow_up == "" and rec.follow_up_at is None
    other = entered_kpi(store, {}, name="Patching", segment="P1")  # another KPI, same scope and period: its own
    assert raise_review(store, other.id, f"technician:{ann.id}", "2026-03", "late", "Dana")[0].kpi_id == other.id
    assert (rec.kpi_id, rec.scope_key, rec.scope_label, rec.segment, rec.period, rec.value, rec.rule, rec.owner,
            rec.opened_at, rec.is_open) == (k.id, f"technician:{ann.id}", "Ann Lee", "P1", "2026-03", 91.5,
                                            "raised by Dana: two outages", "Dana", dt.datetime(2026, 4, 2, 9, 30, 15),
                                            True)
    # The desk's review of the same KPI and period is another review; the same scope again is refused,
    # open or acknowledged.
    desk, _ = raise_review(store, k.id, "desk", "2026-03", "check", "")
    assert (desk.value, desk.rule) == (97.0, "raised by the manager: check")
    with pytest.raises(ValidationError) as e:
        raise_review(store, k.id, f"technician:{ann.id}", "2026-03", "again", "Dana")
    assert e.value.problems == {"review": "Uptime for 2026-03 already has a review (open)"}
    acknowledge_review(store, rec.id, "talked it over", "Dana", when=dt.datetime(2026, 4, 9, 8))
    with pytest.raises(ValidationError) as e:
        raise_review(store, k.id, f"technician:{ann.id}", "2026-03", "again", "Dana")
    assert e.value.problems == {"review": "Uptime for 2026-03 already has a review (acknowledged on 09 Apr 2026)"}
    with pytest.raises(ValidationError) as e:
        raise_review(store, k.id, f"technician:{ann.id}", "2026-02", " ", "Dana")
    assert e.value.problems == {"why": "say why the value needs a review (a short note)"}
    none, _ = raise_review(store, k.id, f"technician:{ann.id}", "2026-01", "no value that month", "Dana")
    assert none.value is None and none.is_open  # a review on a month with no value says so, not 0
    assert [r.id for r in list_reviews(store, open_only=True)][:2] == [none.id, desk.id]  # newest first


def test_a_reviews_follow_up_is_listed_and_in_its_json(store):
    from kpidesk.models import Review

    k = entered_kpi(store, {"2026-03": 97.0})
    with store.write() as s:
        r = Review(kpi_id=k.id, scope_key="desk", period="2026-03", value=97.0, rule="by hand",
                   opened_at=dt.datetime(2026, 4, 1), follow_up="2026-Q1 check-in: agreed",
                   follow_up_at=dt.datetime(2026, 4, 10, 15))
        s.add(r)
    listed = list_reviews(store)[0]
    assert (listed.follow_up, listed.follow_up_at) == ("2026-Q1 check-in: agreed", dt.datetime(2026, 4, 10, 15))
    assert (review_json(listed)["follow_up"], review_json(listed)["follow_up_at"]) == (
        "2026-Q1 check-in: agreed", "2026-04-10T15:00:00")
