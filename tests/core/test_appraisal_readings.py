"""Issue 5: the plain-language readings, the overall rating and the SMART goal check, on numbers
chosen to hit each rule (no database needed)."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.appraisal import rating
from kpidesk.appraisal.goals import normalise, smart_problems
from kpidesk.appraisal.readings import Figure, escalation_reading, sla_vs_csat, speed_vs_quality
from kpidesk.errors import ValidationError

N = 50  # enough tickets for every figure


def mttr(v: float, target: float | None = 24.0, baseline: float | None = None) -> Figure:
    return Figure(v, target=target, baseline=baseline, count=N)


def fcr(v: float, previous: float | None = None, target: float | None = 0.75, baseline: float | None = None) -> Figure:
    return Figure(v, target=target, baseline=baseline, previous=previous, count=N)


@pytest.mark.parametrize("speed, quality, verdict, joint", [
    (mttr(12), fcr(0.82, previous=0.80), "efficient", "and"),
    (mttr(12), fcr(0.61, previous=0.78), "speed may be costing quality", "but"),
    (mttr(12), fcr(0.60, previous=0.62), "speed may be costing quality", "but"),
    (mttr(24), fcr(0.80), "steady: on pace with quality holding", "and"),
    (mttr(24), fcr(0.70), "quality needs attention", "and"),
    (mttr(30), fcr(0.90), "thorough", "but"),
    (mttr(30), fcr(0.60), "both speed and quality need support", "and"),
])
def test_speed_quality_pairs(speed, quality, verdict, joint):
    r = speed_vs_quality(speed, quality)
    assert r.verdict.startswith(verdict)
    assert f", {joint} " in r.text
    assert r.rule and r.numbers["mttr"]["value"] == speed.value


def test_speed_quality_wording_of_the_issue():
    """'fast, but first-contact resolution fell from 78 % to 61 %: speed may be costing quality'."""
    fell = speed_vs_quality(mttr(12), fcr(0.61, previous=0.78))
    assert "first-contact resolution fell from 78 % to 61 %: speed may be costing quality" in fell.text
    assert fell.text.startswith("Fast")
    high = speed_vs_quality(mttr(12), fcr(0.82))
    assert "first-contact resolution is high (82 %" in high.text and high.text.endswith("efficient.")


def test_speed_against_own_baseline_when_no_target():
    r = speed_vs_quality(mttr(13, target=None, baseline=10), fcr(0.8))
    assert r.text.startswith("Slow") and "their own baseline of 10.0 h" in r.text


def test_thin_or_missing_data_gives_no_verdict():
    assert speed_vs_quality(Figure(12, target=24, count=2), fcr(0.8), min_count=5).verdict == "unknown"
    assert speed_vs_quality(mttr(12), Figure(None, target=0.75)).verdict == "unknown"


@pytest.mark.parametrize("sla, csat, verdict", [
    (0.96, 4.6, "on time and well received"),
    (0.96, 3.5, "meets the clock, but users are less satisfied"),
    (0.88, 4.6, "a little behind on the clock, but users are satisfied"),
    (0.70, 4.7, "users are satisfied despite missed deadlines"),
    (0.70, 3.2, "late, and users notice"),
])
def test_sla_csat_pairs(sla, csat, verdict):
    r = sla_vs_csat(Figure(sla, target=0.95, count=N), Figure(csat, target=4.5, count=N), response_rate=0.3)
    assert r.verdict.startswith(verdict)
    assert "30 % of users answered" in r.text


def test_csat_fall_is_read_before_the_level():
    r = sla_vs_csat(Figure(0.97, target=0.95, count=N), Figure(4.5, target=4.5, previous=4.9, count=N))
    assert "CSAT fell from 4.90 to 4.50" in r.text


def test_escalation_destination_is_reported_not_rated():
    r = escalation_reading(Figure(0.40, target=0.15, count=N), Figure(4.6, count=12), Figure(4.4, count=30),
                           destination=True, name="Lena Novak")
    assert r.verdict == "not rated"
    assert "escalation destination" in r.text and "reported, not rated" in r.text
    assert "CSAT 4.60 (n=12)" in r.text


def test_escalation_high_with_unhappy_escalations():
    r = escalation_reading(Figure(0.30, target=0.15, count=N), Figure(3.6, count=10), Figure(4.4, count=40),
                           destination=False)
    assert "(high)" in r.text and "less satisfied" in r.verdict
    ok = escalation_reading(Figure(0.12, target=0.15, count=N), Figure(4.3, count=10), Figure(4.4, count=40),
                            destination=False)
    assert ok.verdict.startswith("escalation rate in line")


# Overall rating ---------------------------------------------------------------------------------

def test_proposal_is_weighted_and_skips_unrated():
    # (4*2 + 2*1) / 3 = 3.33 -> 3.3; KPI 3 has no rating, KPI 4 is a team outcome.
    assert rating.propose({1: 4, 2: 2, 3: None, 4: 1}, {1: 2, 2: 1, 3: 5, 4: 5}, {4: False}) == 3.3
    assert rating.propose({1: None}, {1: 1}) is None


def test_override_needs_a_reason():
    with pytest.raises(ValidationError) as err:
        rating.decide(3.3, 4.0, "  ")
    assert "override_reason" in err.value.problems
    d = rating.decide(3.3, 4.0, "Led the migration weekend")
    assert d.overall == 4.0 and d.overridden and d.proposed == 3.3
    assert rating.decide(3.3, 3.3, "").overall == 3.3  # choosing the proposal is no override
    with pytest.raises(ValidationError):
        rating.decide(3.0, 7, "off the scale", (1, 5))


# SMART goals ------------------------------------------------------------------------------------

END = dt.date(2026, 9, 30)


def test_smart_goal_passes_and_fails_plainly():
    kpis = {2: "First-contact resolution"}
    good = {"text": "Raise FCR", "kpi_id": 2, "target_value": 80, "due": "2026-12-31"}
    assert smart_problems(good, END, kpis) == []
    bad = {"text": "", "kpi_id": None, "target_value": None, "due": "2026-09-01"}
    problems = smart_problems(bad, END, kpis)
    assert any("what the goal is" in p for p in problems)
    assert any("tie it to a KPI" in p for p in problems)
    assert any("target value" in p for p in problems)
    assert any("after the period ends" in p for p in problems)
    assert smart_problems({**good, "due": None}, END, kpis) == ["No date: say by when."]


def test_goal_is_stored_with_kpi_name_target_text_and_problems():
    g = normalise({"text": "Raise FCR", "kpi_id": "2", "target_value": "80", "due": "2026-12-31"}, END,
                  {2: ("First-contact resolution", "%")})
    assert g["kpi"] == "First-contact resolution" and g["target"] == "80 %" and g["smart_problems"] == []


def test_a_fall_within_noise_is_not_read_as_a_decline():
    from kpidesk.appraisal.readings import fcr_state

    # 94 % -> 88 % on ~70 tickets each: a 6-point drop, but the standard error of the difference is
    # ~5 points, so it is noise, not a fall: the person is judged against the target instead.
    noisy = Figure(0.88, target=0.75, previous=0.94, count=70, previous_count=66)
    assert fcr_state(noisy)[0] == "high"
    # 78 % -> 61 % on 200 tickets each is far beyond noise.
    real = Figure(0.61, target=0.75, previous=0.78, count=200, previous_count=200)
    assert fcr_state(real)[0] == "fell"
    # Without the previous count the plain 5-point rule decides, as before.
    assert fcr_state(Figure(0.88, target=0.75, previous=0.94, count=70))[0] == "fell"
