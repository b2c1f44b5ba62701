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
