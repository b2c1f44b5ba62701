"""Edges of the mix-adjusted speed (kpidesk/metrics/mix.py, issue 20): MixFigure.from_json with keys
missing, verdict_of at its edges (no ticket, min_count, the ratio rounded to 9 decimals), the card's
short line and the sentence word for word (each fallback said, keys missing), the desk's means when a
cell or tier has exactly 5 tickets or none at all, min_count from the setting (also stored as null)
and from the caller, a technician with nothing resolved, tickets of 0 h (no expected time), and
shared tickets: with no priority, with no resolution time, asked for by the technician shared with,
and with shared_with that is not JSON. Every number is worked out by hand in the comments; the
rule is in the module's docstring (a cell or tier needs 5 tickets; faster <= 0.9, slower >= 1.1)."""
from __future__ import annotations

import json

import pytest

from kpidesk.metrics.mix import MixFigure, _people, _Reference, describe, mix_all, mix_for, short_words, verdict_of
from kpidesk.periods import parse_period
from tests.core.metrics_tickets import add_tickets, done, people, ticket

ZERO = {"cell": 0, "tier": 0, "desk": 0}
TAIL = " (fewer than 5 desk tickets of the same priority and category)"
NOTHING = "No ticket with a resolution time in {}: no mix-adjusted speed"


def fig(**kw) -> MixFigure:
    return MixFigure(7, "2026-06", **kw)


# MixFigure.from_json -----------------------------------------------------------------------------

def test_from_json_fills_what_is_missing():
    empty = MixFigure.from_json({})
    assert (empty.technician_id, empty.period, empty.fallbacks) == (0, "", ZERO)
    assert empty.technician_id is not None and empty.period is not None
    assert empty == MixFigure(0, "")
    # Only the desk's count kept: the other levels are 0, not None and not 1.
    assert MixFigure.from_json({"fallbacks": {"desk": 2}}).fallbacks == {"cell": 0, "tier": 0, "desk": 2}
    assert MixFigure.from_json({"fallbacks": None}).fallbacks == ZERO
    # What is there is kept, keys the figure does not know are dropped.
    kept = MixFigure.from_json({"technician_id": 4, "period": "2026-Q2", "ratio": 0.5, "colour": "red"})
    assert (kept.technician_id, kept.period, kept.ratio, kept.fallbacks) == (4, "2026-Q2", 0.5, ZERO)


def test_from_json_round_trip():
    whole = fig(actual=12.0, expected=10.0, ratio=1.2, count=5, fallbacks={"cell": 3, "tier": 2, "desk": 0},
                verdict="slower", text="t", min_count=4)
    assert MixFigure.from_json(json.loads(json.dumps(whole.to_json()))) == whole


# verdict_of --------------------------------------------------------------------------------------

def test_verdict_needs_a_ticket_and_min_count():
    assert verdict_of(0.5, 0, 0) == "unknown"  # no ticket, even where min_count asks for none
    assert verdict_of(0.5, 1, 0) == verdict_of(0.5, 1, 1) == "faster"
    assert verdict_of(0.5, 1, 2) == "unknown"  # just under min_count
    assert verdict_of(1.5, 2, 2) == "slower"  # at min_count
    assert verdict_of(None, 9, 1) == "unknown"


def test_verdict_compares_the_ratio_rounded_to_9_decimals():
    # 0.9000000004 is 0.9 at 9 decimals (faster); 0.900000001 is not (about the same).
    assert verdict_of(0.9000000004, 5, 5) == "faster"
    assert verdict_of(0.900000001, 5, 5) == "about the same"
    assert verdict_of(0.899999999, 5, 5) == "faster"
    # 1.0999999996 is 1.1 at 9 decimals (slower); 1.099999999 is not.
    assert verdict_of(1.0999999996, 5, 5) == "slower"
    assert verdict_of(1.099999999, 5, 5) == "about the same"
    assert verdict_of(1.100000001, 5, 5) == "slower"
    assert verdict_of(9 / 10, 5, 5) == "faster" and verdict_of(11 / 10, 5, 5) == "slower"


# short_words -------------------------------------------------------------------------------------

def test_short_words_word_for_word():
    # 31 / 34 = 0.9118: 0.91x.
    assert short_words(fig(actual=31.0, expected=34.0, ratio=31 / 34, count=40, verdict="faster")) == \
        "Expected 34 h for this mix: 0.91\u00d7, faster"
    assert short_words(fig(actual=31.0, expected=34.0, ratio=31 / 34, count=4, verdict="unknown")) == \
        "Expected 34 h for this mix: 0.91\u00d7, too few to judge"
    # Below 10 h one decimal; 4.6 / 4.5 = 1.022: 1.02x.
    assert short_words(fig(actual=4.6, expected=4.5, ratio=4.6 / 4.5, count=9, verdict="about the same")) == \
        "Expected 4.5 h for this mix: 1.02\u00d7, about the same"
    assert short_words(fig(actual=13.0, expected=10.0, ratio=1.3, count=9, verdict="slower")) == \
        "Expected 10 h for this mix: 1.30\u00d7, slower"


def test_short_words_is_empty_without_a_ratio_or_an_expected_time():
    assert short_words(fig(actual=5.0, expected=10.0, ratio=None, count=2)) == ""
    assert short_words(fig(actual=5.0, expected=None, ratio=0.5, count=2)) == ""
    assert short_words(fig()) == ""


# describe ----------------------------------------------------------------------------------------

def test_describe_with_no_ticket_or_no_actual():
    assert describe(fig(count=0, actual=5.0, expected=4.0)) == NOTHING.format("2026-06")
    assert describe(fig(count=3, actual=None)) == NOTHING.format("2026-06")


def test_describe_with_no_expected_time():
    assert describe(fig(count=2, actual=5.0, expected=0.0)) == \
        "5.0 h with no expected time for this mix (the desk's means are 0 h)"
    assert describe(fig(count=2, actual=12.0, expected=None)) == \
        "12 h with no expected time for this mix (the desk's means are 0 h)"


def test_describe_says_each_fallback():
    base = dict(actual=12.0, expected=10.0, ratio=1.2, count=5, verdict="slower", min_count=5)
    head = "12 h against 10 h expected for this mix: slower than the desk for the tickets they got"
    # The priority's mean alone.
    assert describe(fig(**base, fallbacks={"cell": 3, "tier": 2, "desk": 0})) == \
        head + "; 2 of 5 tickets compared with its priority's mean" + TAIL
    # The whole desk's alone.
    assert describe(fig(**base, fallbacks={"cell": 4, "tier": 0, "desk": 1})) == \
        head + "; 1 of 5 tickets compared with the whole desk's mean" + TAIL
    # Both.
    assert describe(fig(**base, fallbacks={"cell": 1, "tier": 3, "desk": 1})) == \
        head + "; 3 of 5 tickets compared with its priority's mean and 1 with the whole desk's" + TAIL
    # None: nothing said.
    assert describe(fig(**base, fallbacks={"cell": 5, "tier": 0, "desk": 0})) == head


def test_describe_with_fallback_keys_missing():
    base = dict(actual=12.0, expected=10.0, ratio=1.2, count=5, verdict="slower", min_count=5)
    head = "12 h against 10 h expected for this mix: slower than the desk for the tickets they got"
    # A missing level is 0: no fallback said.
    assert describe(fig(**base, fallbacks={"cell": 5})) == head
    assert describe(fig(**base, fallbacks={})) == head
    assert describe(fig(**base, fallbacks={"cell": 3, "tier": 2})) == \
        head + "; 2 of 5 tickets compared with its priority's mean" + TAIL
    assert describe(fig(**base, fallbacks={"cell": 3, "desk": 2})) == \
        head + "; 2 of 5 tickets compared with the whole desk's mean" + TAIL


def test_describe_too_few_with_fallbacks():
    text = describe(fig(actual=9.0, expected=10.0, ratio=0.9, count=1, verdict="unknown", min_count=5,
                        fallbacks={"cell": 0, "tier": 0, "desk": 1}))
    assert text == ("9.0 h against 10 h expected for this mix, on only 1 ticket: too few to judge (at least 5 "
                    "needed); 1 of 1 ticket compared with the whole desk's mean" + TAIL)


# The desk's means --------------------------------------------------------------------------------

def test_reference_of_a_cell_it_has_never_seen():
    ref = _Reference({(1, "a"): [1.0, 2.0, 3.0, 4.0, 5.0]})
    assert ref.of(1, "a") == (3.0, "cell")  # 15 / 5
    assert ref.of(1, "b") == (3.0, "tier")  # no (1, 'b') cell: tier 1 has the 5
    assert ref.of(2, "a") == (3.0, "desk")  # no tier 2 at all
    assert ref.of(None, "a") == (3.0, "desk")


def test_reference_with_no_ticket_at_all():
    ref = _Reference({})
    assert ref.of(None, "") == (None, "desk")
    assert ref.of(1, "a") == (None, "desk")
    assert _Reference._mean([]) is None


def test_a_tier_of_exactly_5_and_one_of_4(store):
    ids = people(store)
    ann, bob = ids["Ann"], ids["Bob"]
    rows = [done("2026-06-10 12:00", 10, tech=ann, tier=2, category="a"),
            done("2026-06-05 12:00", 2, tier=2, category="a")]
    rows += [done("2026-06-05 12:00", 4, tier=2, category="b") for _ in range(3)]
    rows += [done("2026-06-11 12:00", 6, tech=bob, tier=1, category="c")]
    rows += [done("2026-06-05 12:00", 2, tier=1, category="d") for _ in range(3)]
    rows += [done("2026-06-05 12:00", 100, tier=3, category="z")]
    add_tickets(store, rows)
    figs = mix_all(store, "2026-06", min_count=1)
    # Tier 2: 10 2 4 4 4, n = 5 (cell 2/a has 2): mean 24/5 = 4.8. Ratio 10 / 4.8 = 2.08.
    a = figs[ann]
    assert (a.technician_id, a.actual, a.expected, a.ratio) == (ann, 10.0, pytest.approx(4.8), pytest.approx(10 / 4.8))
    assert a.fallbacks == {"cell": 0, "tier": 1, "desk": 0} and a.verdict == "slower"
    assert a.text == ("10 h against 4.8 h expected for this mix: slower than the desk for the tickets they got; "
                      "1 of 1 ticket compared with its priority's mean" + TAIL)
    # Tier 1: 6 2 2 2, n = 4: the desk, 10 + 2 + 12 + 6 + 6 + 100 = 136 over 10 tickets: 13.6 h. 6 / 13.6 = 0.44.
    b = figs[bob]
    assert (b.technician_id, b.actual, b.expected, b.ratio) == (bob, 6.0, pytest.approx(13.6), pytest.approx(6 / 13.6))
    assert b.fallbacks == {"cell": 0, "tier": 0, "desk": 1} and b.verdict == "faster"
    assert b.text == ("6.0 h against 14 h expected for this mix: faster than the desk for the tickets they got; "
                      "1 of 1 ticket compared with the whole desk's mean" + TAIL)


# min_count ---------------------------------------------------------------------------------------

@pytest.fixture
def three(store):
    """Ann: 6 8 10 h (MTTR 8 h) in June, P3 no category; the desk's 20 20: cell P3 '' has 5 tickets,
    64 h, mean 12.8 h; ratio 8 / 12.8 = 0.625: faster, on 3 tickets."""
    ann = people(store)["Ann"]
    add_tickets(store, [done("2026-06-10 12:00", h, tech=ann) for h in (6, 8, 10)]
                + [done("2026-06-05 12:00", 20) for _ in range(2)])
    return ann


TOO_FEW = "8.0 h against 13 h expected for this mix, on only 3 tickets: too few to judge (at least {} needed)"
FASTER = "8.0 h against 13 h expected for this mix: faster than the desk for the tickets they got"


def test_min_count_is_the_setting(store, three):
    f = mix_for(store, three, "2026-06")  # the default setting: 5
    assert (f.actual, f.expected, f.ratio, f.count) == (8.0, pytest.approx(12.8), pytest.approx(0.625), 3)
    assert (f.min_count, f.verdict, f.text) == (5, "unknown", TOO_FEW.format(5))
    store.set_setting("min_count", 3)
    f = mix_all(store, "2026-06")[three]
    assert (f.technician_id, f.min_count, f.verdict, f.text) == (three, 3, "faster", FASTER)
    assert mix_for(store, three, "2026-06") == f
    # The caller's min_count wins over the setting.
    f = mix_for(store, three, "2026-06", min_count=4)
    assert (f.min_count, f.verdict, f.text) == (4, "unknown", TOO_FEW.format(4))
    # A setting stored as null reads as 5.
    store.set_setting("min_count", None)
    f = mix_for(store, three, "2026-06")
    assert (f.min_count, f.verdict, f.text) == (5, "unknown", TOO_FEW.format(5))


def test_nothing_resolved_gives_an_empty_figure_with_min_count(store):
    ann = people(store)["Ann"]
    f = mix_for(store, ann, "2026-07")
    assert f == MixFigure(ann, "2026-07", min_count=5, text=NOTHING.format("2026-07"))
    assert (f.technician_id, f.period, f.min_count, f.verdict, f.fallbacks) == (ann, "2026-07", 5, "unknown", ZERO)
    assert mix_for(store, ann, parse_period("2026-W27"), min_count=3) == \
        MixFigure(ann, "2026-W27", min_count=3, text=NOTHING.format("2026-W27"))
    store.set_setting("min_count", 7)
    assert mix_for(store, ann, "2026-Q3").min_count == 7
    assert mix_for(store, ann, "2026-Q3", min_count=2).min_count == 2
    store.set_setting("min_count", None)
    assert mix_for(store, ann, "2026-Q3").min_count == 5


# Tickets of 0 h ----------------------------------------------------------------------------------

def test_tickets_of_no_time_give_no_ratio(store):
    ann = people(store)["Ann"]
    add_tickets(store, [done("2026-06-10 12:00", 0, tech=ann) for _ in range(2)])
    f = mix_for(store, ann, "2026-06", min_count=1)
    # Actual 0 h, expected (the desk's 0 h) 0 h: no ratio, no verdict.
    assert (f.actual, f.expected, f.ratio, f.count, f.verdict) == (0.0, 0.0, None, 2, "unknown")
    assert f.text == "0.0 h with no expected time for this mix (the desk's means are 0 h)"
    assert short_words(f) == ""


# Shared tickets ----------------------------------------------------------------------------------

def test_a_shared_ticket_with_no_priority(store):
    ids = people(store)
    ann, bob = ids["Ann"], ids["Bob"]
    # No ticket has a priority: every one is compared with the desk, 2 4 6 8 10: 30/5 = 6 h.
    rows = [done("2026-06-05 12:00", h, tier=None) for h in (2, 4, 6, 8)]
    rows.append(done("2026-06-20 12:00", 10, tech=ann, tier=None, shared_with=json.dumps([bob])))
    add_tickets(store, rows)
    text = ("10 h against 6.0 h expected for this mix: slower than the desk for the tickets they got; "
            "1 of 1 ticket compared with the whole desk's mean" + TAIL)
    figs = mix_all(store, "2026-06", min_count=1)
    assert set(figs) == {ann, bob}
    for tid in (ann, bob):
        f = figs[tid]
        assert (f.technician_id, f.actual, f.expected, f.ratio, f.count) == (tid, 10.0, 6.0, pytest.approx(10 / 6), 1)
        assert (f.fallbacks, f.verdict, f.text) == ({"cell": 0, "tier": 0, "desk": 1}, "slower", text)
    # Bob, asked for alone, is the ticket's second technician.
    assert mix_for(store, bob, "2026-06", min_count=1) == figs[bob]
    assert mix_for(store, ann, "2026-06", min_count=1) == figs[ann]


def test_a_shared_ticket_asked_for_by_the_one_shared_with(store):
    ids = people(store)
    ann, bob, cy = ids["Ann"], ids["Bob"], ids["Cy"]
    # Cell P3 '': 3 3 3 3 and the shared 8: n = 5, mean 20/5 = 4 h; 8 / 4 = 2.
    rows = [done("2026-06-05 12:00", 3) for _ in range(4)]
    rows.append(done("2026-06-20 12:00", 8, tech=ann, shared_with=json.dumps([cy, bob])))
    add_tickets(store, rows)
    for tid in (bob, cy):
        f = mix_for(store, tid, "2026-06", min_count=1)
        assert (f.technician_id, f.actual, f.expected, f.ratio, f.count) == (tid, 8.0, 4.0, 2.0, 1)
        assert f.fallbacks == {"cell": 1, "tier": 0, "desk": 0} and f.verdict == "slower"


def test_a_shared_ticket_with_no_resolution_time(store):
    ids = people(store)
    ann, bob = ids["Ann"], ids["Bob"]
    add_tickets(store, [ticket("2026-06-01 09:00", "2026-06-02 09:00", tech=ann, resolved_basis="closed_assumed",
                               shared_with=json.dumps([bob]))])
    figs = mix_all(store, "2026-06")
    # Both resolved it, neither has a time: a figure each, count 0.
    assert figs == {t: MixFigure(t, "2026-06", min_count=5, text=NOTHING.format("2026-06")) for t in (ann, bob)}


def test_shared_with_that_is_not_json_is_left_out(store):
    ann = people(store)["Ann"]
    add_tickets(store, [done("2026-06-20 12:00", 10, tech=ann, shared_with="[oops")])
    figs = mix_all(store, "2026-06", min_count=1)
    # One ticket, alone in its cell and its tier: the desk's 10 h; 10 / 10 = 1.
    assert set(figs) == {ann}
    f = figs[ann]
    assert (f.actual, f.expected, f.ratio, f.count, f.verdict) == (10.0, 10.0, 1.0, 1, "about the same")
    assert _people(3, "[oops", {3, 4}) == [3]
    # The technician once, an id that is not a technician's (9) or not a number ("4") left out.
    assert _people(3, json.dumps([4, 3, 9, "4"]), {3, 4}) == [3, 4]
    assert _people(None, json.dumps([4]), {4}) == [4]
