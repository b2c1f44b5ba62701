"""Issue 17: calibration flags on a hand-made fixture (each rule at, just inside and just outside its
edge), the distribution, and a rating changed from calibration with its reason."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk import actions
from kpidesk import appraisal as ap
from kpidesk.appraisal.calibration import (
    Calibration,
    CalibrationRow,
    calibration,
    evidence,
    find_flags,
    movement,
)
from kpidesk.appraisal.model import KpiFact
from kpidesk.errors import ValidationError

P = "2026-Q3"
SCALE = (1, 5)


def fact(value, previous, *, target=80.0, direction="higher", kpi_id=1, name="FCR", rated=True) -> KpiFact:
    return KpiFact(kpi_id=kpi_id, name=name, unit="%", direction=direction, value=value, target=target,
                   rated=rated, trend=[("2026-Q2", previous), (P, value)])


def row(tech_id: int, name: str, *facts_and_ratings: tuple[KpiFact, float | None]) -> CalibrationRow:
    return CalibrationRow(technician_id=tech_id, technician=name, team="Desk", state="draft", checkin_id=tech_id,
                          signed=False, proposed=None, overall=None,
                          kpis=[evidence(f, P, r) for f, r in facts_and_ratings])


@pytest.mark.parametrize("value, previous, rating, flagged", [
    (70.0, 75.0, 5, True),     # off target and worse, rated the top: flagged
    (70.0, 75.0, 4, False),    # one below the top: a judgement call, not flagged
    (70.0, 70.0, 5, False),    # off target but the same as before
    (70.0, 65.0, 5, False),    # off target but better
    (80.0, 85.0, 5, False),    # worse but exactly on target (80 % >= 80 %)
    (79.9, 85.0, 5, True),     # just below target
])
def test_top_rating_on_weak_evidence(value, previous, rating, flagged):
    flags = find_flags([row(1, "Alex", (fact(value, previous), rating))], SCALE)
    assert [f.kind for f in flags] == (["high on weak evidence"] if flagged else [])
    if flagged:
        assert flags[0].text == "Alex is rated 5 on FCR, which is off target and got worse than the period before."


@pytest.mark.parametrize("value, previous, rating, flagged", [
    (85.0, 80.0, 1, True),     # on target and better, rated the bottom
    (85.0, 80.0, 2, False),
    (85.0, 90.0, 1, False),    # on target but worse
    (79.0, 70.0, 1, False),    # better but off target
])
def test_bottom_rating_on_strong_evidence(value, previous, rating, flagged):
    flags = find_flags([row(1, "Alex", (fact(value, previous), rating))], SCALE)
    assert [f.kind for f in flags] == (["low on strong evidence"] if flagged else [])


def test_lower_is_better_reads_worse_the_other_way():
    mttr = fact(9.0, 8.0, target=8.0, direction="lower", name="MTTR")  # rose above its ceiling: worse, off target
    assert (evidence(mttr, P, 5).verdict, evidence(mttr, P, 5).movement) == ("off_target", "worse")
    assert [f.kind for f in find_flags([row(1, "Alex", (mttr, 5))], SCALE)] == ["high on weak evidence"]
    assert movement(None, 3.0, "lower") is None and movement(3.0, None, "lower") is None


@pytest.mark.parametrize("a, b, ra, rb, flagged", [
    (70.0, 74.0, 4, 2, True),   # 4 points apart on a target of 80: within 5 % (4.0), same verdict and movement
    (70.0, 74.0, 3, 3, False),  # rated the same
    (70.0, 74.0, 3.5, 3, False),  # half a point apart: not a different rating
    (70.0, 74.0, 4, 3, True),   # a point apart
    (70.0, 74.1, 4, 2, False),  # 4.1 apart: beyond 5 % of the target
    (78.0, 82.0, 4, 2, False),  # close values, but one is on target and the other is not
])
def test_same_evidence_different_rating(a, b, ra, rb, flagged):
    rows = [row(1, "Alex", (fact(a, a - 5), ra)), row(2, "Priya", (fact(b, b - 5), rb))]
    flags = find_flags(rows, SCALE)
    kinds = [f.kind for f in flags]
    assert kinds == (["same evidence, different rating"] if flagged else [])
    if flagged:
        assert (flags[0].technician_id, flags[0].other_id) == (1, 2)
        assert "Alex and Priya show the same evidence" in flags[0].text


def test_unrated_kpis_and_team_outcomes_never_flag():
    team = fact(70.0, 75.0, rated=False)
    rows = [row(1, "Alex", (team, 5)), row(2, "Priya", (fact(70.0, 75.0), None))]
    assert find_flags(rows, SCALE) == []


def test_distribution_rounds_to_the_nearest_point_and_counts_the_unrated():
    rows = [row(i, f"T{i}") for i in range(5)]
    for r, overall in zip(rows, (4.4, 4.5, 1.0, None, 5.0), strict=True):
        r.overall = overall
    cal = Calibration(period=P, scale=SCALE, rows=rows, flags=[])
    assert cal.distribution == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 2, "none": 1}


def test_calibrating_a_draft_keeps_the_reason_and_refuses_a_signed_one(demo_store):
    alex = demo_store.find_technician("Alex Morgan").id
    ci = ap.start_or_resume(demo_store, alex, "2026-Q2")
    facts = ap.facts_of(demo_store, ci.id)
    kpis = [k.kpi_id for k in facts.kpis if k.rated and k.value is not None]
    ap.save_step(demo_store, ci.id, 4, {"ratings": {str(k): {"rating": 3} for k in kpis}})
    with pytest.raises(ValidationError, match="say why"):
        actions.calibrate_rating(demo_store, ci.id, kpis[0], 5, "  ")
    rec = actions.calibrate_rating(demo_store, ci.id, kpis[0], 5, "Handled the outage alone", by="Dana").result
    assert rec.data["ratings"][str(kpis[0])]["rating"] == 5 and rec.step == 4
    assert rec.data["calibration"][-1] | {"at": None} == {"at": None, "by": "Dana", "what": str(kpis[0]), "from": 3.0,
                                                          "to": 5, "reason": "Handled the outage alone"}
    rec = actions.calibrate_rating(demo_store, ci.id, None, 2, "Below the team on every speed measure").result
    assert rec.overall_rating == 2 and rec.data["override_reason"] == "Below the team on every speed measure"
    assert len(rec.data["calibration"]) == 2
    cal = calibration(demo_store, "2026-Q2", dt.date(2026, 7, 15))
    alex_row = next(r for r in cal.rows if r.technician == "Alex Morgan")
    assert (alex_row.overall, alex_row.kpi(kpis[0]).rating, alex_row.state) == (2, 5, "draft")
    assert cal.distribution["2"] >= 1 and cal.distribution["none"] == len(cal.rows) - 1
    ap.sign(demo_store, ci.id, "Dana")
    with pytest.raises(ap.CheckInLocked):
        actions.calibrate_rating(demo_store, ci.id, kpis[0], 4, "too late")


# Edges and exact records (issue 20: mutation testing of calibration) ---------------------------------

from kpidesk.appraisal.calibration import Flag, KpiEvidence, _ratings, row_for  # noqa: E402
from kpidesk.appraisal.model import CheckInRecord, Facts  # noqa: E402


def test_evidence_is_the_whole_record():
    k = KpiFact(kpi_id=7, name="SLA", unit="%", direction="higher", value=91.0, target=95.0, count=40,
                band=None, trend=[("2026-Q1", 88.0), ("2026-Q2", 93.0), (P, 91.0)])
    assert evidence(k, P, 3) == KpiEvidence(kpi_id=7, name="SLA", unit="%", direction="higher", value=91.0,
                                            target=95.0, previous=93.0, count=40, verdict="off_target",
                                            movement="worse", rating=3, rated=True)
    alone = KpiFact(kpi_id=7, name="SLA", unit="%", value=91.0, target=95.0, trend=[(P, 91.0)])
    assert (evidence(alone, P, None).previous, evidence(alone, P, None).movement) == (None, None)
    # A band KPI is judged against its band: 50 inside 40..60 is on target whatever the target says.
    band = KpiFact(kpi_id=8, name="Util", unit="%", direction="band", value=50.0, target=90.0, band=(40.0, 60.0),
                   trend=[(P, 50.0)])
    assert evidence(band, P, None).verdict == "on_target"
    assert movement(5.0, 5.0, "band") is None and movement(5.0, 4.0, "band") is None  # no better way for a band
    assert movement(5.0, 5.0 + 1e-12, "higher") == "same"  # float noise is no movement
    assert movement(4.0, 5.0, "lower") == "better" and movement(6.0, 5.0, "lower") == "worse"


def test_ratings_read_from_answers():
    assert _ratings({"ratings": {"1": {"rating": 4}, "2": 3, "3": {"rating": ""}, "x": 5, "4": {"rating": "2"}}}) == {
        1: 4.0, 2: 3.0, 3: None, 4: 2.0}
    assert _ratings({}) == {}


def test_flags_are_whole_records_and_skip_what_cannot_be_compared():
    weak = fact(70.0, 75.0, kpi_id=2, name="FCR")
    unrated_first = fact(70.0, 75.0, kpi_id=1, name="Team CSAT", rated=False)
    rows = [row(10, "Alex", (unrated_first, 5), (weak, 5))]
    assert find_flags(rows, SCALE) == [Flag("high on weak evidence", 10, "Alex", 2, "FCR",
                                            "Alex is rated 5 on FCR, which is off target and got worse than the "
                                            "period before.")]
    strong = fact(85.0, 80.0, kpi_id=2, name="FCR")
    assert find_flags([row(11, "Priya", (unrated_first, 1), (strong, 1))], SCALE) == [
        Flag("low on strong evidence", 11, "Priya", 2, "FCR",
             "Priya is rated 1 on FCR, which is on target and got better than the period before.")]
    # A 1-to-4 scale: 4 is the top.
    assert [f.kind for f in find_flags([row(1, "A", (weak, 4))], (1, 4))] == ["high on weak evidence"]
    # One of two people rated the KPI, the other has it as a team outcome: not compared.
    mixed = [row(1, "A", (fact(70.0, 65.0), 4)), row(2, "B", (fact(70.0, 65.0, rated=False), 2))]
    assert find_flags(mixed, SCALE) == []
    # The second KPI of a pair is still compared after a first one that is not.
    pair = [row(1, "A", (fact(70.0, 65.0, kpi_id=1), None), (fact(70.0, 65.0, kpi_id=2, name="SLA"), 4)),
            row(2, "B", (fact(70.0, 65.0, kpi_id=1), 3), (fact(71.0, 66.0, kpi_id=2, name="SLA"), 2))]
    assert find_flags(pair, SCALE) == [Flag(
        "same evidence, different rating", 1, "A", 2, "SLA",
        "SLA: A and B show the same evidence (70.0 %, off target, better and 71.0 %, off target, better) but are "
        "rated 4 and 2.", other_id=2)]


def test_same_evidence_without_a_target_or_a_value():
    def no_target(value, previous):
        return fact(value, previous, target=None)

    close = [row(1, "A", (no_target(100.0, 90.0), 4)), row(2, "B", (no_target(104.0, 95.0), 2))]
    flags = find_flags(close, SCALE)  # within 5 % of the larger value (5.2)
    assert [f.kind for f in flags] == ["same evidence, different rating"]
    assert "(100.0 %, no target, better and 104.0 %, no target, better)" in flags[0].text
    assert find_flags([row(1, "A", (no_target(100.0, 90.0), 4)), row(2, "B", (no_target(106.0, 95.0), 2))],
                      SCALE) == []
    zeros = [row(1, "A", (no_target(0.0, 1.0), 4)), row(2, "B", (no_target(0.0, 1.0), 2))]
    assert len(find_flags(zeros, SCALE)) == 1  # both at zero: the same
    assert find_flags([row(1, "A", (no_target(0.0, 1.0), 4)), row(2, "B", (no_target(0.1, 1.0), 2))], SCALE) == []
    none = [row(1, "A", (no_target(None, 90.0), 4)), row(2, "B", (no_target(None, 95.0), 2))]
    assert find_flags(none, SCALE) == []
    one = [row(1, "A", (no_target(None, None), 4)), row(2, "B", (no_target(5.0, None), 2))]
    assert find_flags(one, SCALE) == []


def test_row_for_a_checkin_and_for_someone_not_started():
    facts = Facts(technician_id=3, technician="Alex", period=P, tickets=57,
                  kpis=[fact(70.0, 75.0, kpi_id=1), fact(85.0, 80.0, kpi_id=2, name="SLA")])
    rec = CheckInRecord(id=9, technician_id=3, technician="Alex", period=P, status="signed", overall_rating=2.0,
                        data={"ratings": {"1": {"rating": 2}, "2": {"rating": 3}}, "proposed_rating": 2.5,
                              "overall_override": 2.0, "override_reason": "One KPI weighs more"})
    r = row_for(3, "Alex", "Desk", "signed", rec, facts)
    assert (r.technician_id, r.technician, r.team, r.state, r.checkin_id, r.signed, r.proposed, r.overall,
            r.override_reason, r.tickets) == (3, "Alex", "Desk", "signed", 9, True, 2.5, 2.0, "One KPI weighs more", 57)
    assert [(k.kpi_id, k.rating) for k in r.kpis] == [(1, 2), (2, 3)]
    rec.data = {"ratings": {}, "proposed_rating": 3.0, "overall_override": None, "override_reason": "stale"}
    assert row_for(3, "Alex", "Desk", "draft", rec, facts).override_reason == ""  # no override: no reason shown
    rec.status = "draft"
    assert row_for(3, "Alex", "Desk", "draft", rec, facts).signed is False
    nobody = row_for(3, "Alex", "", "not started", None, facts)
    assert (nobody.checkin_id, nobody.signed, nobody.proposed, nobody.overall, nobody.override_reason) == (
        None, False, None, None, "")
    assert [k.rating for k in nobody.kpis] == [None, None]


def test_calibration_json_and_flags_for():
    a = row(1, "Alex", (fact(70.0, 75.0), 5))
    b = row(2, "Priya", (fact(71.0, 76.0), 3))
    a.overall, a.proposed, a.tickets = 4.0, 3.5, 12
    flags = find_flags([a, b], SCALE)
    cal = Calibration(period=P, scale=SCALE, rows=[a, b], flags=flags)
    assert [f.kind for f in cal.flags_for(2)] == ["same evidence, different rating"]
    assert [f.kind for f in cal.flags_for(1)] == ["high on weak evidence", "same evidence, different rating"]
    assert cal.flags_for(3) == []
    assert cal.to_json() == {
        "period": P, "scale": [1, 5], "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0, "none": 1},
        "rows": [{"technician": "Alex", "technician_id": 1, "team": "Desk", "state": "draft", "checkin_id": 1,
                  "proposed": 3.5, "overall": 4.0, "override_reason": "", "tickets": 12,
                  "kpis": [{"kpi": "FCR", "kpi_id": 1, "value": 70.0, "target": 80.0, "previous": 75.0, "count": None,
                            "verdict": "off_target", "movement": "worse", "rating": 5, "rated": True}]},
                 {"technician": "Priya", "technician_id": 2, "team": "Desk", "state": "draft", "checkin_id": 2,
                  "proposed": None, "overall": None, "override_reason": "", "tickets": 0,
                  "kpis": [{"kpi": "FCR", "kpi_id": 1, "value": 71.0, "target": 80.0, "previous": 76.0, "count": None,
                            "verdict": "off_target", "movement": "worse", "rating": 3, "rated": True}]}],
        "flags": [{"kind": f.kind, "technician": f.technician, "kpi": f.kpi, "text": f.text} for f in flags]}


def test_calibration_reads_the_scale_and_the_cycle(demo_store):
    demo_store.set_setting("rating_scale", [1, 4])
    cal = calibration(demo_store, "2026-Q3", dt.date(2026, 11, 22))
    assert cal.period == "2026-Q3" and cal.scale == (1, 4)
    assert cal.flags == find_flags(cal.rows, (1, 4))
    tom = demo_store.find_technician("Tom Becker")
    row_tom = next(r for r in cal.rows if r.technician == "Tom Becker")
    assert (row_tom.technician_id, row_tom.team, row_tom.state) == (tom.id, tom.team_name, "acknowledged")


def test_calibrate_log_entry_in_full(demo_store):
    alex = demo_store.find_technician("Alex Morgan").id
    ci = ap.start_or_resume(demo_store, alex, "2026-Q2")
    kpis = [k.kpi_id for k in ap.facts_of(demo_store, ci.id).kpis if k.rated and k.value is not None]
    ap.save_step(demo_store, ci.id, 4, {"ratings": {str(kpis[0]): 3}})  # a bare number, as old drafts kept it
    with pytest.raises(ValidationError) as bad:
        actions.calibrate_rating(demo_store, ci.id, kpis[0], 4, "")
    assert bad.value.problems == {"reason": "say why the rating changes (it is kept with the check-in)"}
    from kpidesk.appraisal.calibration import calibrate

    rec = calibrate(demo_store, ci.id, kpis[0], 4, " Took the outage calls ", now=dt.datetime(2026, 7, 9, 11, 5, 7, 9))
    assert rec.data["calibration"] == [{"at": "2026-07-09 11:05:07", "by": "", "what": str(kpis[0]), "from": 3.0,
                                        "to": 4, "reason": "Took the outage calls"}]
    assert rec.data["ratings"][str(kpis[0])]["rating"] == 4
    rec = calibrate(demo_store, ci.id, None, 3, "in line with the team", now=dt.datetime(2026, 7, 9, 12))
    assert rec.data["calibration"][-1] == {"at": "2026-07-09 12:00:00", "by": "", "what": "overall",
                                           "from": 4.0, "to": 3, "reason": "in line with the team"}
    assert (rec.data["overall_override"], rec.data["override_reason"]) == (3.0, "in line with the team")
    rec = calibrate(demo_store, ci.id, None, None, "back to the proposal", now=dt.datetime(2026, 7, 9, 13))
    assert rec.data["overall_override"] is None and rec.data["override_reason"] == ""


def test_flag_texts_on_target_and_without_a_previous_value():
    on = [row(1, "A", (fact(85.0, 82.0), 4)), row(2, "B", (fact(86.0, 83.0), 2))]
    assert "(85.0 %, on target, better and 86.0 %, on target, better)" in find_flags(on, SCALE)[0].text
    new = [row(1, "A", (fact(70.0, None), 4)), row(2, "B", (fact(71.0, None), 2))]
    assert "(70.0 %, off target and 71.0 %, off target)" in find_flags(new, SCALE)[0].text


def test_an_override_without_its_reason_shows_none():
    facts = Facts(technician_id=3, technician="Alex", period=P, kpis=[])
    rec = CheckInRecord(id=9, technician_id=3, technician="Alex", period=P, data={"overall_override": 4.0})
    assert row_for(3, "Alex", "Desk", "draft", rec, facts).override_reason == ""


def test_calibrating_a_kpi_not_rated_yet_and_the_cycle_asked_for(demo_store):
    from kpidesk.appraisal.calibration import calibrate

    alex = demo_store.find_technician("Alex Morgan").id
    ci = ap.start_or_resume(demo_store, alex, "2026-Q2")
    kpi = next(k.kpi_id for k in ap.facts_of(demo_store, ci.id).kpis if k.rated and k.value is not None)
    rec = calibrate(demo_store, ci.id, kpi, 4, "first time rated here", now=dt.datetime(2026, 7, 1))
    assert rec.data["ratings"][str(kpi)] == {"rating": 4.0, "comment": ""}
    assert rec.data["calibration"][0]["from"] is None
    cal = calibration(demo_store, "2026-Q2", dt.date(2026, 11, 22))  # not the last full quarter (Q3)
    assert cal.period == "2026-Q2" and next(r for r in cal.rows if r.technician_id == alex).checkin_id == ci.id


def test_a_signed_checkin_is_calibrated_on_its_frozen_numbers(demo_store):
    from tests.core.metrics_tickets import add_tickets, ticket

    tom = demo_store.find_technician("Tom Becker").id
    before = next(r for r in calibration(demo_store, "2026-Q3", dt.date(2026, 11, 22)).rows if r.technician_id == tom)
    add_tickets(demo_store, [ticket("2026-08-01 09:00", "2026-09-20 09:00", tech=tom) for _ in range(30)])
    after = next(r for r in calibration(demo_store, "2026-Q3", dt.date(2026, 11, 22)).rows if r.technician_id == tom)
    assert after.signed and after.tickets == before.tickets  # frozen at signing, not the 30 added since
    assert [(k.kpi_id, k.value) for k in after.kpis] == [(k.kpi_id, k.value) for k in before.kpis]
