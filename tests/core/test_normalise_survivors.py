"""What the mutation run of kpidesk/importing/normalise.py (issue 20) found untested, after
test_normalise_edges.py: a placeholder exactly as long as the longest one ('Not Assigned') read as
free text; ids with narrow no-break spaces (U+202F) only, and an id of exactly 100 characters off the
fast path; numbers whose separators are mixed up (a point on both sides of the last comma, or a comma
on both sides of the last point) and a trailing X taken for a percent sign; a count of exactly 1e9
given as text or as an integer (not the float cell of the fast path); a bare duration typed as text
in a column whose unit KPI Desk does not know; a priority cell that is a list, dict or set (a
rejected row, not a crash); the exact message of a priority map with a tier that is not a number;
stars with spaces between them.

Expected values worked out by hand in the comments.
"""
from __future__ import annotations

import pytest

from kpidesk.importing.errors import BadValue
from kpidesk.importing.normalise import (
    PLACEHOLDERS,
    PriorityParser,
    _clamp,
    parse_count,
    parse_csat,
    parse_duration_hours,
    parse_id,
    parse_number,
    parse_text,
)

UNKNOWN_PRIORITY = "not a priority KPI Desk knows (map it to P1-P4 in the priority settings)"
NOT_A_CSAT = "not a satisfaction score (1-5, a percentage, good/bad or yes/no)"


def message(fn, value, *args) -> str:
    with pytest.raises(BadValue) as e:
        fn(value, *args)
    return str(e.value)


# ---------------------------------------------------------------- text

def test_the_longest_placeholder_read_as_text_is_blank():
    # 'not assigned' is 3 + 1 + 8 = 12 characters, the longest placeholder: the length test of
    # parse_text's fast path must let exactly that length through to the set lookup.
    assert max(len(p) for p in PLACEHOLDERS) == len("not assigned") == 12
    assert parse_text("Not Assigned") == ""
    assert parse_text("  NOT ASSIGNED ") == ""  # stripped to the same 12 characters


# ---------------------------------------------------------------- ids

@pytest.mark.parametrize("value, ticket_id", [
    ("5\u202f732\u202f943", "5732943"),  # narrow no-break spaces only (French Excel), no ordinary or U+00A0 one
    ("52\u202f267", "52267"),
])
def test_an_id_with_narrow_no_break_spaces_only_is_squeezed(value, ticket_id):
    assert parse_id(value) == ticket_id


def test_an_id_of_exactly_100_characters_off_the_fast_path_is_kept():
    # 'INC-' (4) + 96 digits = 100 characters; the hyphen keeps it off the isalnum fast path, so it is
    # the general length test that must allow 100.
    ticket_id = "INC-" + "0" * 96
    assert len(ticket_id) == 100
    assert parse_id(ticket_id) == ticket_id
    assert parse_id(f"  {ticket_id}  ") == ticket_id  # stripped to the same 100


# ---------------------------------------------------------------- numbers and counts

@pytest.mark.parametrize("value", [
    "1.234,5.6",  # the last separator is a point (index 7), so commas go: '1.2345.6', two points: refused
    "1,234.5,6",  # the last is a comma (index 7), so points go: '1,2345,6' -> '1.2345.6': refused
])
def test_a_point_and_a_comma_on_both_sides_of_the_decimal_one_is_not_a_number(value):
    # Deciding by the first point ('1.234,5.6': index 1, before the last comma) would read 1234.56,
    # and by the first comma ('1,234.5,6': index 1, before the last point) 12345.6.
    assert message(parse_number, value) == "not a number"


@pytest.mark.parametrize("value", ["12X", "95 X", "80%X"])
def test_a_trailing_x_is_not_a_percent_sign(value):
    # Only '%' is stripped from the end: '12X' stays '12X' and float() refuses it.
    assert message(parse_number, value) == "not a number"


@pytest.mark.parametrize("value", ["1000000000", "1 000 000 000", "1,000,000,000.0", 1_000_000_000])
def test_a_count_of_exactly_one_billion_off_the_float_path_is_kept(value):
    # Text and integer cells go through parse_number: 1e9 is the largest count allowed, not too large.
    got = parse_count(value)
    assert got == 1_000_000_000 and type(got) is int


def test_just_over_one_billion_as_text_is_implausible():
    assert message(parse_count, "1000000001") == "an implausibly large count"


# ---------------------------------------------------------------- durations

@pytest.mark.parametrize("value, hours", [
    ("3", 3.0),  # a bare number in a unit not in _BARE_UNIT is read as hours (factor 1.0)
    ("1,5", 1.5),  # decimal comma: 1.5 * 1.0
    ("-2", -2.0),  # the sign is read first: -1.0 * 2 * 1.0
])
def test_a_bare_duration_text_in_an_unknown_unit_is_hours(value, hours):
    assert parse_duration_hours(value, "fortnights") == pytest.approx(hours)


# ---------------------------------------------------------------- priorities

@pytest.mark.parametrize("value", [["P1"], {"P1": 1}, {"P1"}])
def test_a_priority_cell_that_cannot_be_hashed_is_a_rejected_value_not_a_crash(value):
    # Not a str, so not looked up in the cache (a dict key must be hashable); its text "['P1']" etc.
    # is neither a word, a leading digit nor a code.
    assert message(PriorityParser(), value) == UNKNOWN_PRIORITY


def test_a_priority_map_with_a_tier_that_is_not_a_number_says_not_a_priority():
    assert message(PriorityParser, {"Gold": "1"}) == "not a priority"
    assert message(_clamp, 2.0) == "not a priority"
    assert message(_clamp, True) == "not a priority"


# ---------------------------------------------------------------- CSAT

@pytest.mark.parametrize("value, stars", [
    ("★★★ ☆☆", 3.0),  # filled, empty and a space: all three characters of the star set
    ("★★★★ ☆", 4.0),
    ("★ ★ ★ ★ ★", 5.0),  # filled stars and spaces only
    ("★ ☆ ☆ ☆ ☆", 1.0),
])
def test_stars_with_spaces_between_them_are_counted(value, stars):
    assert parse_csat(value) == (stars, None)


def test_spaced_empty_stars_are_no_score():
    # Spaces between them change nothing: no filled star is not 1 to 5.
    assert message(parse_csat, "☆ ☆ ☆") == "not a satisfaction score"
    assert message(parse_csat, "★ ☆ x") == NOT_A_CSAT  # an 'x' is not a star: read as a number, refused
