"""Edges of the appraisal readings and the overall rating (kpidesk/appraisal/readings.py, rating.py,
issue 20): each threshold at, just below and just above it (a speed at exactly 0.9 and 1.1 x the
reference, an FCR drop of exactly 5 points, SLA exactly 10 points short, CSAT exactly 0.3 down and
0.5 under target, an escalation rate exactly 5 points over, a rating exactly 0.05 off the proposal),
and the exact words each reading says. Expected values are worked out by hand in the comments."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from kpidesk.appraisal import rating
from kpidesk.appraisal.readings import (Figure, Reading, csat_state, escalation_reading, fcr_state, hours, pct,
                                        sla_state, sla_vs_csat, speed_state, speed_vs_quality)
from kpidesk.errors import ValidationError


# ---------------------------------------------------------------- speed: 0.9 and 1.1 x the reference

@pytest.mark.parametrize("value, state", [
    (9.0, "fast"),  # 9 / 10 = 0.9 exactly: fast
    (9.001, "on pace"),
    (8.999, "fast"),
    (11.0, "slow"),  # 11 / 10 = 1.1 exactly: slow
    (10.999, "on pace"),
    (11.001, "slow"),
    (10.0, "on pace"),
])
def test_speed_against_its_target(value, state):
    assert speed_state(Figure(value, target=10.0, count=5), 5) == (state, 10.0, "target")


def test_speed_falls_back_to_the_own_baseline_and_needs_enough_tickets():
    assert speed_state(Figure(9.0, baseline=10.0, count=5), 5) == ("fast", 10.0, "own baseline")
    assert speed_state(Figure(9.0, target=0.0, baseline=10.0, count=5), 5) == ("fast", 10.0, "own baseline")
    assert speed_state(Figure(9.0, target=20.0, baseline=10.0, count=5), 5) == ("fast", 20.0, "target")
    assert speed_state(Figure(9.0, target=10.0, count=4), 5) == ("unknown", 10.0, "target")  # 4 < 5 tickets
    assert speed_state(Figure(None, target=10.0, count=50), 5)[0] == "unknown"
    assert speed_state(Figure(9.0, count=50), 5) == ("unknown", None, "own baseline")
    assert speed_state(Figure(9.0, baseline=0.0, count=50), 5)[0] == "unknown"  # a zero reference: no ratio
    assert speed_state(Figure(9.0, target=10.0, count=1))[0] == "fast"  # min_count defaults to 1
    assert speed_state(Figure(9.0, target=10.0, count=0))[0] == "unknown"


# ---------------------------------------------------------------- first-contact resolution

def test_fcr_fell_at_exactly_5_points():
    # 0.75 - 0.05 = 0.70 exactly in floats; counts unknown (0): the plain threshold decides
    assert fcr_state(Figure(0.70, previous=0.75, target=0.5, count=5), 5) == ("fell", 0.75, "previous period")
    assert fcr_state(Figure(0.7001, previous=0.75, target=0.5, count=5), 5) == ("high", 0.5, "target")
    assert fcr_state(Figure(0.69, previous=0.75, target=0.5, count=5), 5)[0] == "fell"


def test_fcr_high_at_exactly_its_reference():
    assert fcr_state(Figure(0.75, target=0.75, count=5), 5) == ("high", 0.75, "target")
    assert fcr_state(Figure(0.7499, target=0.75, count=5), 5) == ("low", 0.75, "target")
    assert fcr_state(Figure(0.8, baseline=0.8, count=5), 5) == ("high", 0.8, "own baseline")
    assert fcr_state(Figure(0.8, target=0.0, baseline=0.9, count=5), 5) == ("high", 0.0, "target")  # 0 is a target
    assert fcr_state(Figure(0.8, count=5), 5) == ("unknown", None, "")
    assert fcr_state(Figure(0.8, target=0.5, count=4), 5) == ("unknown", None, "")
    assert fcr_state(Figure(None, target=0.5, count=5), 5) == ("unknown", None, "")
    assert fcr_state(Figure(0.8, target=0.5, count=1)) == ("high", 0.5, "target")


def test_fcr_fall_must_be_beyond_noise_when_counts_are_known():
    # 0.80 -> 0.70 on 50 and 50 tickets: se = sqrt(.7*.3/50 + .8*.2/50) = sqrt(.0074) = 0.086,
    # twice that 0.172 > the 0.10 drop: noise, read against the target (0.75): low
    assert fcr_state(Figure(0.70, previous=0.80, target=0.75, count=50, previous_count=50), 5)[0] == "low"
    # on 1000 and 1000: se = sqrt(.00021 + .00016) = 0.0192, twice 0.0385 < 0.10: a real fall
    assert fcr_state(Figure(0.70, previous=0.80, target=0.75, count=1000, previous_count=1000), 5)[0] == "fell"
    # one count unknown: the threshold alone decides
    assert fcr_state(Figure(0.70, previous=0.80, target=0.75, count=50, previous_count=0), 5)[0] == "fell"
    # exactly twice the standard error is not beyond it: 1.0 -> 0.5 on 4 and 10 tickets,
    # se = sqrt(.5*.5/4 + 1*0/10) = 0.25, twice 0.5 == the drop 0.5
    assert fcr_state(Figure(0.5, previous=1.0, target=0.4, count=4, previous_count=10), 1)[0] == "high"
    assert fcr_state(Figure(0.49, previous=1.0, target=0.4, count=4, previous_count=10), 1)[0] == "fell"


# ---------------------------------------------------------------- SLA compliance and CSAT

@pytest.mark.parametrize("value, state", [
    (0.90, "met"), (0.8999, "short"), (0.80, "short"),  # 0.9 - 0.1 = 0.8 exactly: short
    (0.7999, "late"), (0.95, "met"),
])
def test_sla_met_short_late(value, state):
    assert sla_state(Figure(value, target=0.90, count=5), 5) == (state, 0.90, "target")


def test_sla_reference_and_counts():
    assert sla_state(Figure(0.5, baseline=0.5, count=5), 5) == ("met", 0.5, "own baseline")
    assert sla_state(Figure(0.5, target=0.0, baseline=0.9, count=5), 5) == ("met", 0.0, "target")
    assert sla_state(Figure(0.5, target=0.5, count=4), 5) == ("unknown", 0.5, "target")
    assert sla_state(Figure(0.5, count=5), 5) == ("unknown", None, "own baseline")
    assert sla_state(Figure(0.5, target=0.5, count=1)) == ("met", 0.5, "target")


@pytest.mark.parametrize("value, previous, state", [
    (3.7, 4.0, "fell"),  # 4.0 - 0.3 = 3.7 exactly: fell
    (3.7001, 4.0, "fair"),
    (4.0, None, "high"), (3.9999, None, "fair"),
    (3.5, None, "fair"),  # 4.0 - 0.5 = 3.5 exactly: fair
    (3.4999, None, "low"),
])
def test_csat_fell_high_fair_low(value, previous, state):
    got = csat_state(Figure(value, target=4.0, previous=previous, count=5), 5)
    assert got == ((state, 4.0, "previous period") if state == "fell" else (state, 4.0, "target"))


def test_csat_reference_and_counts():
    assert csat_state(Figure(4.0, baseline=4.0, count=5), 5) == ("high", 4.0, "own baseline")
    assert csat_state(Figure(4.0, count=5), 5) == ("unknown", None, "")
    assert csat_state(Figure(4.0, target=4.0, count=4), 5) == ("unknown", None, "")
    assert csat_state(Figure(4.0, target=4.0, count=1)) == ("high", 4.0, "target")


# ---------------------------------------------------------------- the words of each reading

def test_speed_against_quality_in_words():
    # 21.6 / 24 = 0.9: fast; FCR 0.80 >= target 0.75: high
    r = speed_vs_quality(Figure(21.6, target=24.0, count=50), Figure(0.80, target=0.75, count=50))
    assert r.topic == "speed_quality" and r.verdict == "efficient"
    assert r.text == "Fast (MTTR 21.6 h against the target of 24.0 h), and first-contact resolution is high (80 %): efficient."
    assert r.rule == ("speed fast: MTTR / target = 0.90 (fast <= 0.9, slow >= 1.1); "
                      "quality high: against the FCR target, else own baseline")
    assert r.numbers == {"mttr": {"value": 21.6, "target": 24.0, "baseline": None, "previous": None, "count": 50},
                         "fcr": {"value": 0.80, "target": 0.75, "baseline": None, "previous": None, "count": 50}}


def test_slow_and_low_against_the_own_baselines_in_words():
    # 33 / 30 = 1.1: slow; FCR 0.70 against baseline 0.80: low, 10 points down from it
    r = speed_vs_quality(Figure(33.0, baseline=30.0, count=5), Figure(0.70, baseline=0.80, previous=0.74, count=5))
    assert r.text == ("Slow (MTTR 33.0 h against their own baseline of 30.0 h), and first-contact resolution is low "
                      "(70 %, down from their own baseline of 80 %): both speed and quality need support.")
    assert r.rule.startswith("speed slow: MTTR / own baseline = 1.10 (fast <= 0.9, slow >= 1.1); quality low: ")


def test_the_baseline_is_said_from_5_points_away():
    # 0.80 against baseline 0.75: 5 points up (0.80 - 0.75 = 0.05000000000000004 >= 0.05): said
    up = speed_vs_quality(Figure(24.0, target=24.0, count=5), Figure(0.80, target=0.7, baseline=0.75, count=5))
    assert "is high (80 %, up from their own baseline of 75 %)" in up.text
    # 0.78 against 0.75: 3 points, not said
    near = speed_vs_quality(Figure(24.0, target=24.0, count=5), Figure(0.78, target=0.7, baseline=0.75, count=5))
    assert "is high (78 %):" in near.text


def test_a_fall_and_a_label_in_words():
    r = speed_vs_quality(Figure(24.0, target=24.0, count=5), Figure(0.70, target=0.75, previous=0.75, count=5),
                         label="MTTR P1")
    assert r.verdict == "quality needs attention"
    assert r.text == ("On pace (MTTR P1 24.0 h against the target of 24.0 h), and first-contact resolution fell "
                      "from 75 % to 70 %: quality needs attention.")
    assert r.rule == ("speed on pace: MTTR P1 / target = 1.00 (fast <= 0.9, slow >= 1.1); "
                      "quality fell: drop >= 5 points against the previous period")


def test_conflicting_speed_and_quality_join_with_but():
    r = speed_vs_quality(Figure(30.0, target=24.0, count=5), Figure(0.80, target=0.75, count=5))
    assert r.text.startswith("Slow (MTTR 30.0 h against the target of 24.0 h), but first-contact")
    assert r.verdict.startswith("thorough")


def test_not_enough_data_to_read_speed_against_quality():
    r = speed_vs_quality(Figure(20.0, target=24.0, count=4), Figure(0.8, target=0.75, count=50))
    assert (r.text, r.rule, r.verdict) == (
        "Not enough data to read speed against quality (MTTR has no reference or rests on fewer than 5 tickets).",
        "insufficient data", "unknown")
    assert r.numbers["mttr"]["count"] == 4
    r = speed_vs_quality(Figure(20.0, target=24.0, count=6), Figure(0.8, target=0.75, count=5), min_count=6,
                         label="MTTR P2")
    assert r.text == ("Not enough data to read speed against quality (first-contact resolution has no reference or "
                      "rests on fewer than 6 tickets).")


def test_the_mix_adjusted_speed_is_said_after_the_speed():
    mix = SimpleNamespace(text="faster than the desk for their mix", ratio=0.8512, verdict="faster",
                          rule="MTTR <= 0.9 x expected", to_json=lambda: {"verdict": "faster"})
    r = speed_vs_quality(Figure(21.6, target=24.0, count=50), Figure(0.80, target=0.75, count=50), mix=mix)
    assert r.text.endswith("efficient. Faster than the desk for their mix.")
    assert r.rule.endswith("; mix-adjusted faster: MTTR / expected = 0.85 (MTTR <= 0.9 x expected)")
    assert r.numbers["mix"] == {"verdict": "faster"} and r.verdict == "efficient"
    mix.ratio = None
    r = speed_vs_quality(Figure(21.6, target=24.0, count=50), Figure(0.80, target=0.75, count=50), mix=mix,
                         label="MTTR P1")
    assert r.text.endswith("efficient. MTTR over all their tickets: faster than the desk for their mix.")
    assert "MTTR / expected = n/a (" in r.rule


def test_sla_against_csat_in_words():
    r = sla_vs_csat(Figure(0.95, target=0.95, count=20), Figure(4.2, target=4.0, count=10), response_rate=0.25)
    assert (r.topic, r.verdict) == ("sla_csat", "on time and well received")
    assert r.text == ("SLA compliance 95 % against the target of 95 %, and CSAT 4.20 (high), 25 % of users "
                      "answered: on time and well received.")
    assert r.rule == ("SLA met (met >= reference, short within 10 points); CSAT high "
                      "(fell >= 0.3 against the previous period; high >= target; fair within 0.5)")
    assert r.numbers["csat_response_rate"] == 0.25 and r.numbers["sla"]["value"] == 0.95


def test_sla_against_csat_fell_late_and_but():
    r = sla_vs_csat(Figure(0.70, baseline=0.95, count=20), Figure(3.7, target=4.0, previous=4.0, count=10))
    assert r.verdict == "late, and users notice"
    assert r.text == ("SLA compliance 70 % against their own baseline of 95 %, and CSAT fell from 4.00 to 3.70: "
                      "late, and users notice.")
    r = sla_vs_csat(Figure(0.95, target=0.95, count=20), Figure(3.0, target=4.0, count=10))
    assert r.text == ("SLA compliance 95 % against the target of 95 %, but CSAT 3.00 (low): meets the clock, but "
                      "users are less satisfied: look at how tickets are closed.")
    assert r.numbers["csat_response_rate"] is None


def test_not_enough_data_to_read_sla_against_csat():
    r = sla_vs_csat(Figure(0.95, target=0.95, count=20), Figure(4.2, target=4.0, count=3))
    assert (r.text, r.rule, r.verdict) == (
        "Not enough data to read SLA compliance against CSAT (only 3 survey responses; at least 5 needed).",
        "insufficient data", "unknown")
    r = sla_vs_csat(Figure(0.95, target=0.95, count=20), Figure(4.2, target=4.0, count=1), min_count=2)
    assert "(only 1 survey response; at least 2 needed)" in r.text
    r = sla_vs_csat(Figure(0.95, count=20), Figure(4.2, target=4.0, count=10))
    assert r.text == ("Not enough data to read SLA compliance against CSAT (SLA compliance or CSAT is missing or has "
                      "no reference; at least 5 needed).")
    r = sla_vs_csat(Figure(0.95, target=0.95, count=20), Figure(None, target=4.0, count=0))
    assert "(SLA compliance or CSAT is missing" in r.text


# ---------------------------------------------------------------- escalations

def esc(rate, target=0.05, count=20, esc_csat=None, esc_n=0, other=None, **kw):
    return escalation_reading(Figure(rate, target=target, count=count), Figure(esc_csat, count=esc_n),
                              Figure(other, count=30), **{"destination": False, **kw})


def test_escalation_rate_exactly_5_points_over_is_in_line():
    # 0.05 + 0.05 = 0.1 exactly: not above it
    assert esc(0.10).verdict == "escalation rate in line"
    assert esc(0.1001).verdict == "escalates often"
    r = esc(0.10)
    assert r.text == "Escalation rate 10 % against the target of 5 % (in line): escalation rate in line."
    assert r.rule == "rate in line (high > reference + 5 points); escalated CSAT not judged"
    r = esc(0.11)
    assert r.text == "Escalation rate 11 % against the target of 5 % (high): escalates often."
    assert r.rule == "rate high (high > reference + 5 points); escalated CSAT not judged"


def test_escalated_csat_lower_at_exactly_half_a_point():
    # 4.0 - 3.5 = 0.5: lower; 4.0 - 3.6 = 0.4: within
    r = esc(0.10, esc_csat=3.5, esc_n=6, other=4.0)
    assert r.verdict == "escalated tickets score lower: escalations may come late"
    assert r.text == ("Escalation rate 10 % against the target of 5 % (in line); escalated tickets scored CSAT 3.50 "
                      "(n=6) against 4.00 for the rest: escalated tickets score lower: escalations may come late.")
    assert r.rule == "rate in line (high > reference + 5 points); escalated CSAT lower by >= 0.5"
    r = esc(0.10, esc_csat=3.6, esc_n=6, other=4.0)
    assert r.verdict == "escalation rate in line and escalations land well"
    assert r.rule.endswith("escalated CSAT within 0.5 of the rest")
    assert esc(0.2, esc_csat=3.5, esc_n=6, other=4.0).verdict == (
        "escalated tickets leave users less satisfied: coaching on diagnosis before escalating may help")
    assert esc(0.2, esc_csat=3.6, esc_n=6, other=4.0).verdict == (
        "escalates often, but escalations land well: check whether the work mix needs L2 skills")


def test_escalated_csat_on_too_few_responses_or_without_the_rest():
    r = esc(0.10, esc_csat=3.0, esc_n=4, other=4.0)  # 4 < 5 responses
    assert r.text == ("Escalation rate 10 % against the target of 5 % (in line); only 4 survey responses on "
                      "escalated tickets, too few to judge: escalation rate in line.")
    r = esc(0.10, esc_csat=3.0, esc_n=5, other=None)  # 5 responses: judged, but nothing to compare with
    assert "; escalated tickets scored CSAT 3.00 (n=5):" in r.text and r.verdict == "escalation rate in line"
    r = esc(0.10, esc_csat=3.0, esc_n=1, other=4.0, min_count=2)
    assert "only 1 survey response on escalated tickets" in r.text


def test_escalation_reference_and_counts():
    r = escalation_reading(Figure(0.10, baseline=0.05, count=5), Figure(None), Figure(None), destination=False)
    assert r.text.startswith("Escalation rate 10 % against their own baseline of 5 % (in line)")
    for rate in (Figure(0.10, target=0.05, count=4), Figure(0.10, count=50), Figure(None, target=0.05, count=50)):
        r = escalation_reading(rate, Figure(None), Figure(None), destination=False)
        assert (r.text, r.rule, r.verdict) == ("Not enough data to read the escalation rate.", "insufficient data",
                                               "unknown")
    r = escalation_reading(Figure(0.10, target=0.05, count=1), Figure(None), Figure(None), destination=False,
                           min_count=1)
    assert r.verdict == "escalation rate in line"


def test_an_escalation_destination_is_reported_not_rated():
    r = escalation_reading(Figure(0.40, target=0.05, count=50), Figure(4.1, count=8), Figure(4.3, count=40),
                           destination=True, name="Sam Ortiz")
    assert (r.topic, r.verdict, r.rule) == ("escalation", "not rated", "escalation destination: reported, not rated")
    assert r.text == ("Sam Ortiz is an escalation destination: escalated tickets come to Sam, so the escalation rate "
                      "(40 %) is reported, not rated; escalated tickets scored CSAT 4.10 (n=8) against 4.30 for the "
                      "rest.")
    assert r.numbers["destination"] is True
    r = escalation_reading(Figure(0.40, count=2), Figure(None), Figure(None), destination=True)
    assert r.text == ("This technician is an escalation destination: escalated tickets come to This, so the "
                      "escalation rate (40 %) is reported, not rated.")
    assert r.numbers["destination"] is True and r.numbers["rate"]["count"] == 2
    assert esc(0.1).numbers["destination"] is False


# ---------------------------------------------------------------- small parts

def test_words_for_numbers():
    assert pct(None) == "n/a" and pct(0.954) == "95 %" and pct(0.955) == "96 %" and pct(1) == "100 %"
    assert hours(None) == "n/a" and hours(3.25) == "3.2 h" and hours(10) == "10.0 h"


def test_reading_json_round_trip():
    r = Reading("sla_csat", "text", "rule", "verdict", {"a": 1})
    assert r.to_json() == {"topic": "sla_csat", "text": "text", "rule": "rule", "verdict": "verdict",
                           "numbers": {"a": 1}}
    assert Reading.from_json(r.to_json()) == r
    assert Reading.from_json("older text") == Reading("", "older text", "")
    assert Reading.from_json({}) == Reading("", "", "", "", {})
    assert Reading.from_json({"topic": 3, "numbers": None}) == Reading("3", "", "", "", {})
    assert Reading("t", "x", "r").verdict == "" and Reading("t", "x", "r").numbers == {}


# ---------------------------------------------------------------- the overall rating

def test_propose_is_the_weighted_mean_rounded_to_one_decimal():
    # (4 x 2 + 3 x 1) / 3 = 3.666... -> 3.7
    assert rating.propose({1: 4, 2: 3}, {1: 2, 2: 1}) == 3.7
    # a KPI missing from the weights weighs 1: (4 + 2) / 2 = 3.0
    assert rating.propose({1: 4, 2: 2}, {}) == 3.0
    # weight 0 and below are skipped: only KPI 1 counts
    assert rating.propose({1: 4, 2: 1, 3: 1}, {2: 0, 3: -1}) == 4.0
    assert rating.propose({1: 4, 2: 1}, {2: 0.0001}) == 4.0  # (4 + 0.0001) / 1.0001 = 3.9997 -> 4.0
    # no rating, not rated: skipped; nothing left: no proposal
    assert rating.propose({1: None, 2: 2}, {}) == 2.0
    assert rating.propose({1: 5, 2: 2}, {}, rated={1: False}) == 2.0
    assert rating.propose({1: 5, 2: 2}, {}, rated={3: False}) == 3.5  # not named: rated
    assert rating.propose({1: 5}, {}, rated={1: True}) == 5.0
    assert rating.propose({}, {}) is None
    assert rating.propose({1: 3}, {1: 0}) is None
    assert rating.propose({1: None}, {}) is None
    # 1.25 -> 1.2 (round half to even on the binary value), 1.35 -> 1.4
    assert rating.propose({1: 1, 2: 1.5}, {}) == 1.2
    assert rating.propose({1: 1, 2: 1.7}, {}) == 1.4


def test_an_override_within_005_is_no_override():
    d = rating.decide(3.5, 3.55, "")  # 0.05 off (0.04999... in floats): the proposal stands
    assert (d.proposed, d.overall, d.overridden, d.reason) == (3.5, 3.5, False, "")
    d = rating.decide(3.5, 3.45, "  ")
    assert (d.overall, d.overridden) == (3.5, False)
    d = rating.decide(3.5, None, "why")  # no override: no reason kept
    assert (d.overall, d.overridden, d.reason) == (3.5, False, "")
    with pytest.raises(ValidationError) as e:
        rating.decide(3.5, 3.6, "")  # 0.1 off: an override, and it needs a reason
    assert e.value.problems == {"override_reason": "an overall rating of 3.6 instead of the proposed 3.5 needs a stated reason"}
    d = rating.decide(3.5, 3.6, "  covered for a colleague  ")
    assert (d.proposed, d.overall, d.overridden, d.reason) == (3.5, 3.6, True, "covered for a colleague")
    with pytest.raises(ValidationError) as e:
        rating.decide(None, 4, "")
    assert e.value.problems == {"override_reason": "an overall rating of 4 instead of no proposal (no KPI is rated) "
                                                 "needs a stated reason"}
    assert rating.decide(None, 4, "new starter").overridden is True
    assert rating.decide(None, None, "").overall is None
    with pytest.raises(ValidationError):
        rating.decide(3.5, 3.56, None)  # 0.06 off


def test_ratings_lie_on_the_scale_edges_included():
    rating.check_rating(1, (1, 5))
    rating.check_rating(5, (1, 5))
    rating.check_rating(None, (1, 5))
    for bad in (0.99, 5.01):
        with pytest.raises(ValidationError) as e:
            rating.check_rating(bad, (1, 5), "overall")
        assert e.value.problems == {"overall": f"{bad:g} is outside the rating scale 1 to 5"}
    with pytest.raises(ValidationError) as e:
        rating.decide(3.0, 6, "why", scale=(1, 5))
    assert "overall_override" in e.value.problems
    with pytest.raises(ValidationError) as e:
        rating.check_rating(0, (1, 5))
    assert e.value.problems == {"rating": "0 is outside the rating scale 1 to 5"}
    assert rating.decide(7.0, 9.5, "r", scale=(0, 10)).overall == 9.5


# ---------------------------------------------------------------- what each reading carries

def test_the_baseline_is_said_at_exactly_5_points():
    # 0.05 - 0.0 is exactly 0.05 in floats: said; the FCR target 0.0 is met
    r = speed_vs_quality(Figure(24.0, target=24.0, count=5), Figure(0.05, target=0.0, baseline=0.0, count=5))
    assert "is high (5 %, up from their own baseline of 0 %)" in r.text


def test_noise_is_not_judged_without_both_rates():
    from kpidesk.appraisal.readings import _beyond_noise

    assert _beyond_noise(Figure(None, previous=0.5, count=5, previous_count=5)) is True
    assert _beyond_noise(Figure(0.5, previous=None, count=5, previous_count=5)) is True
    assert _beyond_noise(Figure(0.5, previous=0.9, count=0, previous_count=5)) is True
    assert _beyond_noise(Figure(0.5, previous=0.9, count=5, previous_count=0)) is True
    # 0.9 -> 0.5 on 5 and 5: se = sqrt(.25/5 + .09/5) = 0.2608, twice 0.5215 > 0.4: not beyond
    assert _beyond_noise(Figure(0.5, previous=0.9, count=5, previous_count=5)) is False


def test_sla_against_csat_needs_enough_tickets_for_the_sla_too():
    # 3 SLA tickets < 5: unknown, whatever CSAT says
    r = sla_vs_csat(Figure(0.95, target=0.95, count=3), Figure(4.2, target=4.0, count=10))
    assert (r.topic, r.verdict) == ("sla_csat", "unknown")
    assert set(r.numbers) == {"sla", "csat", "csat_response_rate"} and r.numbers["sla"]["count"] == 3
    r = sla_vs_csat(Figure(0.95, target=0.95, count=20), Figure(4.2, target=4.0, count=10))
    assert set(r.numbers) == {"sla", "csat", "csat_response_rate"} and r.numbers["csat"]["value"] == 4.2


def test_escalation_readings_carry_their_topic_and_numbers():
    keys = {"rate", "csat_escalated", "csat_other", "destination"}
    for r in (esc(0.10, esc_csat=3.5, esc_n=6, other=4.0), esc(0.10, count=1),
              escalation_reading(Figure(0.4, count=1), Figure(None), Figure(None), destination=True)):
        assert r.topic == "escalation" and set(r.numbers) == keys
    r = esc(0.10, esc_csat=3.5, esc_n=6, other=4.2)
    assert (r.numbers["csat_escalated"]["value"], r.numbers["csat_other"]["value"]) == (3.5, 4.2)


def test_weights_missing_zero_or_below_in_any_order():
    # KPI 2 has no weight: it weighs 1, so (4 x 1 + 2 x 1) / 2 = 3.0 (a weight of 2 would give 2.7)
    assert rating.propose({1: 4, 2: 2}, {1: 1.0}) == 3.0
    # a KPI weighing 0 first: skipped, and the next ones still count
    assert rating.propose({1: 1, 2: 4, 3: 2}, {1: 0, 3: 3}) == 2.5  # (4 + 6) / 4
    assert rating.propose({1: 1, 2: 4}, {1: -2}) == 4.0
    assert rating.propose({1: None, 2: 4, 3: 5}, {}, rated={2: False}) == 5.0


def test_exactly_005_from_the_proposal_is_no_override():
    # 0.05 - 0.0 is exactly 0.05 in floats: within the tolerance
    d = rating.decide(0.0, 0.05, "", scale=(0, 5))
    assert (d.overall, d.overridden, d.reason) == (0.0, False, "")
    with pytest.raises(ValidationError):
        rating.decide(0.0, 0.0500001, "", scale=(0, 5))
