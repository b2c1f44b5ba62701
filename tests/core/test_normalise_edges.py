"""Edges of the cell parsers (kpidesk/importing/normalise.py, issue 20): each rule at, just inside and
just outside its limit, with the exact value or message a manager would see. Written against the
mutants of normalise.py that the import tests let survive."""
from __future__ import annotations

import datetime as dt
import math

import pytest

from kpidesk.importing.errors import BadValue
from kpidesk.importing.normalise import (
    PriorityParser,
    _clamp,
    clean_text,
    is_blank,
    parse_count,
    parse_csat,
    parse_duration_hours,
    parse_flag,
    parse_id,
    parse_number,
    parse_text,
)


def message(fn, value, *args) -> str:
    with pytest.raises(BadValue) as e:
        fn(value, *args)
    return str(e.value)


# ---------------------------------------------------------------- blanks and text

@pytest.mark.parametrize("value, blank", [
    (None, True), ("", True), ("   ", True), ("N/A", True), (" (none) ", True), ("Not Assigned", True),
    ("not assigned!", False), ("nan", True), (float("nan"), True), (0.0, False), (0, False), ("0", False),
    ("x" * 13, False), ("unassigned", True),
])
def test_is_blank(value, blank):
    assert is_blank(value) is blank


@pytest.mark.parametrize("value, text", [
    (1234.0, "1234"), (-5.0, "-5"), (1e15, "1000000000000000.0"), (999999999999999.0, "999999999999999"), (12.5, "12.5"),
    ("  '=SUM(A1)  ", "=SUM(A1)"), ("'-3", "-3"), ("'+44 20", "+44 20"), ("'@home", "@home"),
    ("'plain", "'plain"), (7, "7"),
])
def test_clean_text(value, text):
    assert clean_text(value) == text


@pytest.mark.parametrize("value, text", [
    ("  Network  ", "Network"), ("'=cmd", "=cmd"), ("'quoted", "'quoted"), ("N/A", ""), ("  -  ", ""),
    ("Unassigned", ""), (None, ""), (float("nan"), ""), (42.0, "42"), (3, "3"), ("'n/a", "'n/a"),
    ("'-", ""),  # the formula apostrophe goes, then "-" is a placeholder
])
def test_parse_text(value, text):
    assert parse_text(value) == text


def test_parse_text_of_a_non_string_placeholder():
    class Cell:
        def __str__(self) -> str:
            return "N/A"

    assert parse_text(Cell()) == ""
    assert parse_text(True) == "True"


# ---------------------------------------------------------------- ids

@pytest.mark.parametrize("value, ticket_id", [
    ("INC0012345", "INC0012345"), ("52 267", "52267"), ("5\u00a0732\u202f943", "5732943"), (1234.0, "1234"),
    ("  INC-1  ", "INC-1"), ("AB 12", "AB 12"), ("x" * 100, "x" * 100), ("'=1", "=1"),
])
def test_parse_id(value, ticket_id):
    assert parse_id(value) == ticket_id


@pytest.mark.parametrize("value, text", [
    (None, "the ticket has no id"), ("N/A", "the ticket has no id"), ("", "the ticket has no id"),
    ("x" * 101, "not a ticket id (empty or longer than 100 characters)"),
    ("x" * 100 + " 1", "not a ticket id (empty or longer than 100 characters)"),
])
def test_parse_id_refused(value, text):
    assert message(parse_id, value) == text


def test_an_alphanumeric_placeholder_is_no_id():
    assert message(parse_id, "none") == "the ticket has no id"
    assert message(parse_id, "NULL") == "the ticket has no id"


# ---------------------------------------------------------------- numbers and counts

@pytest.mark.parametrize("value, number", [
    (12, 12.0), (12.5, 12.5), (True, 1.0), (False, 0.0), ("1,234.5", 1234.5), ("1.234,5", 1234.5),
    ("12,5", 12.5), ("95 %", 95.0), ("95%", 95.0), ("1 234", 1234.0), ("-3", -3.0), ("1,234,567", None),
    ("  7  ", 7.0), ("N/A", None), (None, None), ("1.234.567,5", 1234567.5), ("1,234,567.5", 1234567.5),
])
def test_parse_number(value, number):
    if number is None and value not in ("N/A", None):
        assert message(parse_number, value) == "not a number"
    else:
        assert parse_number(value) == number


@pytest.mark.parametrize("value, text", [
    (float("inf"), "not a finite number"), (float("-inf"), "not a finite number"), ("inf", "not a finite number"),
    ("-Infinity", "not a finite number"), ("1e999", "not a finite number"), ("abc", "not a number"),
    ("12 apples", "not a number"),
])
def test_parse_number_refused(value, text):
    assert message(parse_number, value) == text


def test_a_nan_cell_is_blank_but_nan_text_after_a_percent_is_not_a_number():
    assert parse_number(float("nan")) is None
    assert message(parse_number, "nan%") == "not a finite number"


@pytest.mark.parametrize("value, count", [
    (0.0, 0), (3.0, 3), (1e9, 1_000_000_000), ("2", 2), (4, 4), ("N/A", None), (None, None), ("1,0", 1),
])
def test_parse_count(value, count):
    got = parse_count(value)
    assert got == count and (got is None or type(got) is int)


@pytest.mark.parametrize("value, text", [
    (-1.0, "not a whole number of 0 or more"), (-1, "not a whole number of 0 or more"),
    (2.5, "not a whole number of 0 or more"), ("1.5", "not a whole number of 0 or more"),
    (1e9 + 1, "an implausibly large count"), (2_000_000_000, "an implausibly large count"),
])
def test_parse_count_refused(value, text):
    assert message(parse_count, value) == text


# ---------------------------------------------------------------- flags

@pytest.mark.parametrize("value, flag", [
    (True, True), (False, False), (1, True), (0, False), (1.0, True), (0.0, False), ("Yes", True),
    (" no ", False), ("Within SLA", True), ("SLA Violated", False), ("Sí", True), ("Não", False),
    ("YES", True), ("N/A", None), (None, None), ("TRUE", True), ("f", False),
])
def test_parse_flag(value, flag):
    assert parse_flag(value) is flag


@pytest.mark.parametrize("value", [2, -1, 0.5, "maybe", "yes!"])
def test_parse_flag_refused(value):
    assert message(parse_flag, value) == "not a yes/no value"


# ---------------------------------------------------------------- durations

@pytest.mark.parametrize("value, hours", [
    ("2h 30m", 2.5), ("1 day 3 hours", 27.0), ("2d 3h 4m", 51 + 4 / 60), ("1 horas 18 minutos", 1.3),
    ("01:30:00", 1.5), ("1:30", 1.5), ("-2:18", -2.3), ("+1:00", 1.0), ("100:00", 100.0),
    ("0:00:36", 0.01), ("1:00:00.5", 1.0), ("1w", 168.0), ("90 s", 0.025), ("1,5 h", 1.5), ("1.5", 1.5),
    ("2h and 30m", 2.5), ("2h, 30m.", 2.5), ("-1d", -24.0), ("3 jours", 72.0),
    (dt.timedelta(hours=1, minutes=30), 1.5), (dt.timedelta(days=2), 48.0), (dt.time(1, 30, 36), 1.51),
    (90, 90.0), (1.5, 1.5), ("N/A", None), (None, None),
])
def test_parse_duration_hours(value, hours):
    got = parse_duration_hours(value)
    assert (got is None and hours is None) or got == pytest.approx(hours, abs=1e-12)


@pytest.mark.parametrize("value, unit, hours", [
    (90, "minutes", 1.5), (5400, "seconds", 1.5), (2, "days", 48.0), (3, "hours", 3.0), (3, "fortnights", 3.0),
    ("90", "minutes", 1.5), ("7200", "seconds", 2.0), ("1,5", "days", 36.0), ("1:30", "minutes", 1.5),
    (float("nan"), "minutes", None),
])
def test_a_bare_number_is_in_the_columns_unit(value, unit, hours):
    got = parse_duration_hours(value, unit)
    assert (got is None and hours is None) or got == pytest.approx(hours)


@pytest.mark.parametrize("value, text", [
    ("soon", "not a duration (use e.g. 2h 30m, 1 day 3 hours or 01:30:00)"),
    ("2h soon", "not a duration (use e.g. 2h 30m, 1 day 3 hours or 01:30:00)"),
    ("2 fortnights", "unknown time unit 'fortnights'"),
    ("1:60", "not a duration (use e.g. 2h 30m, 1 day 3 hours or 01:30:00)"),
    (b"1h", "not a duration"), (True, "not a duration"),
])
def test_parse_duration_refused(value, text):
    assert message(parse_duration_hours, value) == text


# ---------------------------------------------------------------- priorities

@pytest.mark.parametrize("value, tier", [
    ("1 - Critical", 1), ("2 - High", 2), ("3 - Moderate", 3), ("4 - Low", 4), ("5 - Planning", 4),
    ("P0", 1), ("P5", 4), ("p2", 2), ("Sev 3", 3), ("severity-1", 1), ("Priority: 4", 4), ("Tier 2", 2),
    ("Très haute", 1), ("tres  haute", 1), ("1 low", 4), ("3 high", 2), ("3", 3), ("3)", 3), ("2 –", 2),
    (1, 1), (4.0, 4), (5, 4), (9, 4), ("N/A", None), (None, None), ("  HIGH ", 2), ("Normal", 3),
])
def test_priorities(value, tier):
    assert PriorityParser()(value) == tier


@pytest.mark.parametrize("value, text", [
    (0, "not a priority (numbers 1 to 5 are understood)"), (10, "not a priority (numbers 1 to 5 are understood)"),
    (-1, "not a priority (numbers 1 to 5 are understood)"), (2.5, "not a priority"),
    (float("inf"), "not a priority"), (True, "not a priority KPI Desk knows (map it to P1-P4 in the priority settings)"),
    ("Whenever", "not a priority KPI Desk knows (map it to P1-P4 in the priority settings)"),
    ("12", "not a priority KPI Desk knows (map it to P1-P4 in the priority settings)"),
    ("1 - Whenever", "not a priority KPI Desk knows (map it to P1-P4 in the priority settings)"),
])
def test_priorities_refused(value, text):
    assert message(PriorityParser(), value) == text


def test_custom_priorities_win_and_the_cache_keeps_answers():
    parser = PriorityParser({"Showstopper": 1, "Major": 2, "Cosmetic": 7, "Zero": 0})
    assert parser("showstopper") == 1 and parser("Major") == 2  # Major is P1 among the words
    assert parser("3 - Major") == 2  # the custom word after a leading digit
    assert parser("Cosmetic") == 4 and parser("zero") == 1  # clamped to 1..4
    assert parser._cache == {"showstopper": 1, "Major": 2, "3 - Major": 2, "Cosmetic": 4, "zero": 1}
    assert parser("Major") == 2
    with pytest.raises(BadValue):
        PriorityParser({"x": "2"})  # type: ignore[dict-item]


def test_the_cache_stops_growing_at_10000_spellings():
    parser = PriorityParser()
    for i in range(10_005):
        parser(f"P{i % 4 + 1}{' ' * (i // 4)}")
    assert len(parser._cache) == 10_000


def test_clamp():
    assert [_clamp(t) for t in (0, 1, 4, 5, -3)] == [1, 1, 4, 4, 1]
    for bad in (True, 2.0, "2"):
        with pytest.raises(BadValue, match="not a priority"):
            _clamp(bad)  # type: ignore[arg-type]


# ---------------------------------------------------------------- CSAT

@pytest.mark.parametrize("value, result", [
    (5, (5.0, None)), (1, (1.0, None)), (1.0, (1.0, None)), ("4", (4.0, None)), (4.5, (4.5, None)),
    (80, (1 + 4 * 0.8, None)), (100, (5.0, None)), (5.5, (1 + 4 * 0.055, None)), ("80 %", (1 + 4 * 0.8, None)),
    ("0%", (1.0, None)), ("100%", (5.0, None)), ("★★★★☆", (4.0, None)), ("★", (1.0, None)), ("★★★★★", (5.0, None)),
    ("Good", (None, True)), ("Bad, I'm unsatisfied", (None, False)), ("👍", (None, True)), ("👎", (None, False)),
    ("Offered", (None, None)), ("not rated", (None, None)), ("Awesome", (5.0, None)), ("Just okay", (3.0, None)),
    ("Extremely happy", (5.0, None)), ("very unhappy", (5 / 3, None)), ("Neutral", (3.0, None)),
    ("slightly dissatisfied", (7 / 3, None)), (True, (None, True)), (False, (None, False)), (None, (None, None)),
    ("N/A", (None, None)), ("  GOOD  ", (None, True)), ("'+4", (4.0, None)),
])
def test_parse_csat(value, result):
    score, positive = parse_csat(value)
    assert positive is result[1]
    assert (score is None and result[0] is None) or score == pytest.approx(result[0])


@pytest.mark.parametrize("value, text", [
    (0, "not a satisfaction score (1-5, a percentage, good/bad or yes/no)"),
    (0.5, "not a satisfaction score (1-5, a percentage, good/bad or yes/no)"),
    (101, "not a satisfaction score (1-5, a percentage, good/bad or yes/no)"),
    (-3, "not a satisfaction score (1-5, a percentage, good/bad or yes/no)"),
    ("meh", "not a satisfaction score (1-5, a percentage, good/bad or yes/no)"),
    ("101 %", "not a satisfaction percentage (0 to 100 %)"), ("-5%", "not a satisfaction percentage (0 to 100 %)"),
    ("☆☆☆", "not a satisfaction score"), ("★★★★★★", "not a satisfaction score"),
])
def test_parse_csat_refused(value, text):
    assert message(parse_csat, value) == text


def test_csat_nan_is_no_response():
    assert parse_csat(float("nan")) == (None, None)
    assert math.isclose(parse_csat(" 3,5 ")[0], 3.5)
