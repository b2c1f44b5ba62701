"""Issue 16, part 5: mix-adjusted speed (kpidesk.metrics.mix). Every expected number is worked out by
hand in the comments, from the rule in the module's docstring: for each ticket the desk's mean over
the 6 periods ending with P for its priority and category (else its priority, else the desk, where
fewer than 5 tickets), `expected` their mean, ratio = MTTR / expected, faster <= 0.9, slower >= 1.1."""
from __future__ import annotations

import json

import pytest

from kpidesk.appraisal.facts import gather
from kpidesk.appraisal.model import Facts
from kpidesk.metrics.engine import compute_all
from kpidesk.metrics.mix import MIX_MIN_CELL, MixFigure, mix_all, mix_for, verdict_of
from kpidesk.records import TechnicianRecord
from tests.core.metrics_tickets import add_tickets, done, people, ticket


def mttr(store, period: str, granularity: str = "month") -> dict[int, tuple[float, int]]:
    return {v.scope_id: (v.value, v.count) for v in compute_all(store, granularity=granularity, first=period,
                                                                 scopes=("technician",), metrics=["mttr_hours"])}


# The hand-worked desk. Month P = 2026-06, so the window is 2026-01 .. 2026-06.
# Unassigned background (desk only):
#   P1 hardware  9 x 4 h       (March)
#   P4 hardware  9 x 30 h      (April)
#   P2 network   1 2 3 4 5 6 h (May)
# June:
#   Ann  P1 hardware  8  9 10 11 12 h  -> MTTR 10 h
#   Bob  P4 hardware  6  8 10 12 14 h  -> MTTR 10 h  (the same MTTR, the opposite mix)
#   Cy   P2 printer 7 h, P3 printer 20 h, no tier (hardware) 16 h
#   Dee  one ticket resolved with no resolution time (closed, time assumed)
@pytest.fixture
def desk(store):
    ids = people(store)
    ids["Dee"] = store.create_technician(TechnicianRecord(display_name="Dee", team_id=ids["Desk"]))[0].id
    ann, bob, cy, dee = ids["Ann"], ids["Bob"], ids["Cy"], ids["Dee"]
    rows = [done("2026-03-10 12:00", 4, tier=1, category="hardware") for _ in range(9)]
    rows += [done("2026-04-10 12:00", 30, tier=4, category="hardware") for _ in range(9)]
    rows += [done("2026-05-10 12:00", h, tier=2, category="network") for h in (1, 2, 3, 4, 5, 6)]
    rows += [done("2026-06-10 12:00", h, tech=ann, tier=1, category="hardware") for h in (8, 9, 10, 11, 12)]
    rows += [done("2026-06-11 12:00", h, tech=bob, tier=4, category="hardware") for h in (6, 8, 10, 12, 14)]
    rows += [done("2026-06-12 12:00", 7, tech=cy, tier=2, category="printer"),
             done("2026-06-12 12:00", 20, tech=cy, tier=3, category="printer"),
             done("2026-06-12 12:00", 16, tech=cy, tier=None, category="hardware")]
    rows.append(ticket("2026-06-01 09:00", "2026-06-02 09:00", tech=dee, resolved_basis="closed_assumed"))
    add_tickets(store, rows)
    return ids


def test_same_mttr_different_mix_different_verdicts(store, desk):
    figs = mix_all(store, "2026-06")
    ann, bob = figs[desk["Ann"]], figs[desk["Bob"]]
    # Both MTTR 10 h on 5 tickets.
    assert (ann.actual, ann.count) == (pytest.approx(10.0), 5)
    assert (bob.actual, bob.count) == (pytest.approx(10.0), 5)
    # Ann's cell P1 hardware: nine 4 h and 8 9 10 11 12, n = 14, sum 36 + 50 = 86: mean 86/14 = 6.14 h for
    # each of her tickets: expected 86/14, ratio 10 / (86/14) = 140/86 = 1.63.
    assert ann.expected == pytest.approx(86 / 14) and ann.ratio == pytest.approx(140 / 86)
    assert ann.verdict == "slower" and ann.fallbacks == {"cell": 5, "tier": 0, "desk": 0}
    assert ann.text == "10 h against 6.1 h expected for this mix: slower than the desk for the tickets they got"
    # Bob's cell P4 hardware: 6 8 10 12 14 and nine 30 h, n = 14, sum 50 + 270 = 320: expected 320/14 = 22.9 h,
    # ratio 140/320 = 0.44.
    assert bob.expected == pytest.approx(320 / 14) and bob.ratio == pytest.approx(140 / 320)
    assert bob.verdict == "faster" and bob.fallbacks == {"cell": 5, "tier": 0, "desk": 0}
    assert bob.text == "10 h against 23 h expected for this mix: faster than the desk for the tickets they got"


def test_fallbacks_are_counted_and_said(store, desk):
    cy = mix_for(store, desk["Cy"], "2026-06")
    # P2 printer: one ticket in the cell -> the P2 tier: 1 2 3 4 5 6 and Cy's 7, n = 7, mean 28/7 = 4 h.
    # P3 printer: one ticket, and one P3 ticket in all -> the desk. No tier -> the desk.
    # The desk's 37 timed tickets: nine 4s (36), nine 30s (270), 1..6 (21), Ann 50, Bob 50, Cy 7 + 20 + 16
    # (43): 470 h, mean 470/37 = 12.70 h.
    # Expected (4 + 470/37 + 470/37) / 3 = (148 + 940) / 111 = 1088/111 = 9.80; actual 43/3; ratio 43 x 37 / 1088.
    assert cy.fallbacks == {"cell": 0, "tier": 1, "desk": 2}
    assert cy.expected == pytest.approx(1088 / 111) and cy.actual == pytest.approx(43 / 3)
    assert cy.ratio == pytest.approx(43 * 37 / 1088) and cy.count == 3
    # Three tickets: fewer than min_count (5 by default): a ratio, but no verdict.
    assert cy.verdict == "unknown"
    assert cy.text.startswith("14 h against 9.8 h expected for this mix, on only 3 tickets: too few to judge "
                              "(at least 5 needed)")
    assert "1 of 3 tickets compared with its priority's mean and 2 with the whole desk's" in cy.text
    assert mix_for(store, desk["Cy"], "2026-06", min_count=3).verdict == "slower"
    assert MIX_MIN_CELL == 5


def test_actual_is_the_engines_mttr(store, desk):
    engine = mttr(store, "2026-06")
    figs = mix_all(store, "2026-06")
    for name in ("Ann", "Bob", "Cy"):
        tid = desk[name]
        assert (figs[tid].actual, figs[tid].count) == (pytest.approx(engine[tid][0]), engine[tid][1])
        assert mix_for(store, tid, "2026-06") == figs[tid]


def test_no_timed_ticket_gives_none_not_zero(store, desk):
    dee = mix_all(store, "2026-06")[desk["Dee"]]  # resolved something, but with no resolution time
    assert (dee.actual, dee.expected, dee.ratio, dee.count, dee.verdict) == (None, None, None, 0, "unknown")
    assert dee.text == "No ticket with a resolution time in 2026-06: no mix-adjusted speed"
    nothing = mix_for(store, desk["Ann"], "2026-07")  # nothing resolved at all in July
    assert (nothing.actual, nothing.expected, nothing.ratio, nothing.count) == (None, None, None, 0)
    assert mix_all(store, "2026-07") == {}


def test_window_is_the_six_periods_ending_with_p(store):
    ann = people(store)["Ann"]
    rows = [done("2026-06-15 12:00", 10, tech=ann)]  # P3, no category
    rows += [done("2026-01-01 00:30", 2) for _ in range(4)]  # 5 periods before June: in the window
    rows += [done("2025-12-31 23:30", 100) for _ in range(10)]  # 6 periods before: out
    rows += [done("2026-07-01 00:10", 100) for _ in range(3)]  # after June: out
    # Weeks: P = 2026-W10 (2 to 8 March), window W05 (26 Jan - 1 Feb) .. W10.
    rows.append(done("2026-03-04 12:00", 10, tech=ann, category="w"))
    rows += [done("2026-01-26 00:30", 2, category="w") for _ in range(4)]  # W05: in
    rows += [done("2026-01-25 23:30", 100, category="w") for _ in range(10)]  # W04: out
    add_tickets(store, rows)
    june = mix_for(store, ann, "2026-06", min_count=1)
    # Cell P3 '': 2 2 2 2 and Ann's 10: exactly MIX_MIN_CELL tickets, mean 18/5 = 3.6 h; ratio 10 / 3.6.
    assert (june.expected, june.ratio, june.fallbacks["cell"]) == (pytest.approx(3.6), pytest.approx(10 / 3.6), 1)
    week = mix_for(store, ann, "2026-W10", min_count=1)
    assert (week.period, week.expected, week.fallbacks["cell"]) == ("2026-W10", pytest.approx(3.6), 1)
    # Quarters: 2026-Q2's window is 2025-Q1 .. 2026-Q2, so December is in: 2 2 2 2 10 and ten 100s,
    # n = 15, mean 1018/15 = 67.9 h.
    quarter = mix_for(store, ann, "2026-Q2", min_count=1)
    assert (quarter.expected, quarter.ratio) == (pytest.approx(1018 / 15), pytest.approx(150 / 1018))


def test_thresholds_at_exactly_0_9_and_1_1(store):
    ids = people(store)
    rows = []
    # Each cell: nine desk tickets and the technician's, n = 10, chosen to add up to 100 h: expected 10 h.
    for cat, tech, hours, odd in (("a", ids["Ann"], 9, 11), ("b", ids["Bob"], 11, 9), ("c", ids["Cy"], 10.5, 9.5)):
        rows += [done("2026-06-05 12:00", 10, category=cat) for _ in range(8)]
        rows.append(done("2026-06-05 12:00", odd, category=cat))
        rows.append(done("2026-06-20 12:00", hours, tech=tech, category=cat))
    add_tickets(store, rows)
    figs = mix_all(store, "2026-06", min_count=1)
    assert {figs[ids[n]].expected for n in ("Ann", "Bob", "Cy")} == {10.0}
    assert (figs[ids["Ann"]].ratio, figs[ids["Ann"]].verdict) == (pytest.approx(0.9), "faster")  # 9 / 10
    assert (figs[ids["Bob"]].ratio, figs[ids["Bob"]].verdict) == (pytest.approx(1.1), "slower")  # 11 / 10
    assert figs[ids["Cy"]].verdict == "about the same"  # 10.5 / 10
    assert figs[ids["Cy"]].text.endswith("in line with the desk for the tickets they got")
    assert verdict_of(0.9, 5, 5) == "faster" and verdict_of(1.1, 5, 5) == "slower"
    assert verdict_of(0.90001, 5, 5) == verdict_of(1.09999, 5, 5) == "about the same"
    assert verdict_of(0.5, 4, 5) == verdict_of(None, 5, 5) == "unknown"


def test_shared_tickets_count_for_each_technician_and_once_for_the_desk(store):
    ids = people(store)
    ann, bob = ids["Ann"], ids["Bob"]
    rows = [done("2026-06-05 12:00", h) for h in (2, 2, 10, 10, 10)]
    # Ann and Bob (and a technician since deleted, id 999: left out, as the engine's join does).
    rows.append(done("2026-06-20 12:00", 4, tech=ann, shared_with=json.dumps([bob, 999])))
    add_tickets(store, rows)
    figs = mix_all(store, "2026-06", min_count=1)
    assert set(figs) == {ann, bob}
    # The desk has the shared ticket once: 2 2 4 10 10 10, n = 6, mean 38/6 h
    # (twice, it would be 2 2 4 4 10 10 10 and 42/7 = 6 h).
    for tid in (ann, bob):
        assert (figs[tid].actual, figs[tid].expected, figs[tid].count) == (4.0, pytest.approx(38 / 6), 1)
    engine = mttr(store, "2026-06")
    assert engine[ann] == engine[bob] == (4.0, 1)


def test_the_check_in_reads_the_mix_beside_speed(store, desk):
    facts = gather(store, desk["Ann"], "2026-06")
    mix = mix_for(store, desk["Ann"], "2026-06")
    assert facts.figures["mix"] == mix.to_json()
    speed = next(r for r in facts.readings if r.topic == "speed_quality")
    assert (mix.text[0].upper() + mix.text[1:] + ".") in speed.text
    assert speed.numbers["mix"]["verdict"] == "slower" and "faster <= 0.9" in speed.rule
    # A check-in signed before the mix existed still loads, with no mix in its figures.
    old = json.loads(json.dumps(facts.to_json()))
    del old["figures"]["mix"]
    for r in old["readings"]:
        r["numbers"].pop("mix", None)
    back = Facts.from_json(old)
    assert "mix" not in back.figures and back.readings[0].topic == "speed_quality"
    # And one signed with it gives the figure back.
    again = Facts.from_json(json.loads(json.dumps(facts.to_json())))
    assert MixFigure.from_json(again.figures["mix"]) == mix


def test_the_speed_reading_keeps_its_words_and_adds_the_mix():
    from kpidesk.appraisal.readings import Figure, speed_vs_quality

    mttr, fcr = Figure(12.0, target=24.0, count=50), Figure(0.82, target=0.75, count=50)
    fig = MixFigure(7, "2026-Q3", actual=31.0, expected=34.0, ratio=31 / 34, count=40, verdict="about the same",
                    text="31 h against 34 h expected for this mix: in line with the desk for the tickets they got")
    plain = speed_vs_quality(mttr, fcr)
    with_mix = speed_vs_quality(mttr, fcr, mix=fig)
    assert with_mix.text == plain.text + " 31 h against 34 h expected for this mix: in line with the desk for the " \
                                         "tickets they got."
    assert with_mix.verdict == plain.verdict == "efficient" and with_mix.rule.startswith(plain.rule)
    assert "MTTR / expected = 0.91" in with_mix.rule and "faster <= 0.9, slower >= 1.1" in with_mix.rule
    # A role whose speed KPI is MTTR P1: the mix is over all their tickets, and says so.
    p1 = speed_vs_quality(mttr, fcr, label="MTTR P1", mix=fig)
    assert p1.text.endswith(" MTTR over all their tickets: 31 h against 34 h expected for this mix: in line with "
                            "the desk for the tickets they got.")


def test_the_whole_window_against_itself_scores_exactly_one(store):
    """Why means (the module's docstring): with every ticket of the window resolved by one person in P,
    whatever the cells and their skew, actual equals expected. With the cells' medians the same skewed
    tickets (1 1 1 1 20 in each cell) would read 4.8 / 1 = 4.8: 'slower' than the desk against itself."""
    ann = people(store)["Ann"]
    rows = [done("2026-06-10 12:00", h, tech=ann, tier=t, category=c)
            for t, c in ((1, "network"), (3, "email"), (4, "hardware")) for h in (1, 1, 1, 1, 20)]
    add_tickets(store, rows)
    fig = mix_for(store, ann, "2026-06")
    assert fig.actual == pytest.approx(4.8) and fig.ratio == pytest.approx(1.0) and fig.verdict == "about the same"
