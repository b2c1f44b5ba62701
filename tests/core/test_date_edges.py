"""Edges of the date rules of an import (kpidesk/importing/dates.py, issue 20): placeholder dates at
1900-01-01 23:59:59 and 1900-01-02 00:00:00, the Unix zero at midnight and a second after, the years
1900 and 2200, the day/month decision at 12 and 13, two-digit years at 69 and 70, 12 AM and 12 PM,
Excel serials at the ends of their range. Expected values worked out by hand in the comments."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.importing.dates import PLACEHOLDER, DateMemo, DateOrder, DateParser, is_placeholder
from kpidesk.importing.errors import BadValue

DT = dt.datetime


def parse(value, day_first=True):
    return DateParser(DateOrder(day_first=day_first))(value)


def refused(value, day_first=True) -> str:
    with pytest.raises(BadValue) as e:
        parse(value, day_first)
    return str(e.value)


# ---------------------------------------------------------------- placeholders

@pytest.mark.parametrize("value, placeholder", [
    (DT(1900, 1, 1, 0, 0, 0), True),
    (DT(1900, 1, 1, 23, 59, 59), True),  # any time on 1900-01-01 is one
    (DT(1900, 1, 2, 0, 0, 0), False),  # the first real moment
    (DT(1970, 1, 1, 0, 0, 0), True),  # the Unix zero, at midnight exactly
    (DT(1970, 1, 1, 0, 0, 1), False),
    (DT(1969, 12, 31, 23, 59, 59), False),
])
def test_placeholders(value, placeholder):
    assert is_placeholder(value) is placeholder
    assert (parse(value) is PLACEHOLDER) is placeholder  # a date cell
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    assert (parse(text) is PLACEHOLDER) is placeholder  # ISO text
    dmy = value.strftime("%d/%m/%Y %H:%M:%S")
    assert (parse(dmy) is PLACEHOLDER) is placeholder  # day/month text, the fast path
    values, isos = DateParser(DateOrder(day_first=True), DateMemo()).read_texts([dmy])
    assert (values[0] is PLACEHOLDER) is placeholder and (isos[0] is None) is placeholder
    if not placeholder:
        assert parse(text) == parse(dmy) == value
        assert isos[0] == value.strftime("%Y-%m-%d %H:%M:%S") + ".000000"


@pytest.mark.parametrize("text", ["0000-00-00", "0000-00-00 00:00:00", "00/00/0000", "00.00.0000 00:00", " 00/00/0000"])
def test_zero_dates_are_placeholders(text):
    assert parse(text) is PLACEHOLDER
    assert parse(text, day_first=False) is PLACEHOLDER


def test_excel_day_0_and_1_are_placeholders():
    assert parse(DT(1899, 12, 30)) is PLACEHOLDER and parse(DT(1899, 12, 31, 12)) is PLACEHOLDER
    for serial in (0, 1, 1.0, 1.5, 1.999):
        assert parse(serial) is PLACEHOLDER, serial


@pytest.mark.parametrize("serial, expected", [
    (3653, DT(1909, 12, 31)),  # the first serial taken: 1899-12-30 + 2 + 3650 + 2 leap days - 1
    (46082, DT(2026, 3, 1)),
    (46082.5, DT(2026, 3, 1, 12)),
    (109574, DT(2199, 12, 31)),  # the last whole day taken (109575 would be 2200-01-01)
])
def test_excel_serials(serial, expected):
    assert parse(serial) == expected


@pytest.mark.parametrize("serial", [2, 3652.99, 109575, float("nan"), -5])
def test_excel_serials_out_of_range(serial):
    assert refused(serial) == "not a date (a number, but not a plausible Excel date)"


# ---------------------------------------------------------------- the years 1900 to 2200

@pytest.mark.parametrize("text", ["02/01/1900", "1900-01-02", "31/12/2200 23:59", "2200-12-31T23:59:59"])
def test_years_1900_and_2200_are_read(text):
    assert parse(text).year in (1900, 2200)


@pytest.mark.parametrize("text", ["31/12/1899", "01/01/2201", "2201-01-01", "1899-12-31 10:00", "1/1/2201 10:00"])
def test_years_outside_1900_2200_are_refused(text):
    assert refused(text) == "a date outside the years 1900-2200"


def test_year_of_a_date_cell():
    assert parse(DT(2200, 12, 31)) == DT(2200, 12, 31)
    assert refused(DT(2201, 1, 1)) == "a date outside the years 1900-2200"
    assert parse(dt.date(2026, 3, 1)) == DT(2026, 3, 1)


# ---------------------------------------------------------------- day/month at 12 and 13

def test_the_order_is_decided_by_a_day_above_12():
    order = DateOrder()
    p = DateParser(order)
    assert p("12/12/2026") == DT(2026, 12, 12) and order.how == "assumed" and order.ambiguous == 0
    assert p("03/04/2026") == DT(2026, 4, 3) and order.ambiguous == 1  # day-first assumed (the fallback)
    assert p("13/12/2026") == DT(2026, 12, 13)  # 13 > 12 >= 12: day-first, certain
    assert (order.day_first, order.how, order.conflict) == (True, "detected", False)
    assert order.describe() == "day-first (detected)"
    with pytest.raises(BadValue) as e:
        p("12/13/2026")
    assert str(e.value) == "not a date in this file's day-first format (day/month/year)"


def test_month_first_decided_against_the_fallback_is_a_conflict():
    order = DateOrder(fallback=True)
    p = DateParser(order)
    p("03/04/2026")  # read day-first, as assumed
    assert p("12/13/2026") == DT(2026, 12, 13)  # 13 as the day: month-first after all
    assert (order.day_first, order.how, order.conflict) == (False, "detected", True)
    assert order.describe() == "month-first (detected)"
    with pytest.raises(BadValue) as e:
        p("13/12/2026")
    assert str(e.value) == "not a date in this file's month-first format (month/day/year)"


def test_an_order_without_dates_to_decide_it():
    order = DateOrder()
    assert order.effective is True and order.describe() == "year-first or real dates (no day/month order to decide)"
    assert DateOrder(fallback=False).effective is False
    assert DateOrder(day_first=False, fallback=True).effective is False
    assert DateOrder(day_first=True).describe() == "day-first (set)"
    p = DateParser(DateOrder(fallback=False))
    assert p("03/04/2026") == DT(2026, 3, 4)  # month-first assumed
    assert p.order.describe() == "month-first (assumed)" and p.order.ambiguous == 1
    p("05/05/2026")
    assert p.order.ambiguous == 1  # the same either way: not ambiguous


# ---------------------------------------------------------------- years and hours of a text

@pytest.mark.parametrize("text, expected", [
    ("01/02/69", DT(2069, 2, 1)),  # two digits below 70: this century
    ("01/02/70", DT(1970, 2, 1)),  # 70 and above: the last one
    ("01-Feb-26 12:00 AM", DT(2026, 2, 1, 0, 0)),  # 12 AM is midnight
    ("01-Feb-26 12:00 PM", DT(2026, 2, 1, 12, 0)),  # 12 PM is noon
    ("01-Feb-26 1:05 PM", DT(2026, 2, 1, 13, 5)),
    ("01-Feb-26 11:59 p.m.", DT(2026, 2, 1, 23, 59)),
    ("Feb 1, 2026 9:30 am", DT(2026, 2, 1, 9, 30)),
    ("1 févr. 2026", DT(2026, 2, 1)),
    ("2026-02-01 10:00:00.5", DT(2026, 2, 1, 10, 0, 0, 500000)),  # a fraction is padded to microseconds
    ("2026/02/01 10:00", DT(2026, 2, 1, 10, 0)),
    ("'2026-02-01", DT(2026, 2, 1)),  # Excel's text mark
    ("31/01/2026 23:59:59", DT(2026, 1, 31, 23, 59, 59)),
    ("1/2/2026 0:00", DT(2026, 2, 1, 0, 0)),
])
def test_texts(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize("text, message", [
    ("01-Feb-26 13:00 PM", "not a time (AM/PM hours run from 1 to 12)"),
    ("01-Feb-26 0:30 AM", "not a time (AM/PM hours run from 1 to 12)"),
    ("31/02/2026", "not a real date or time (e.g. 31 February, or hour 25)"),
    ("01/02/2026 24:00", "not a real date or time (e.g. 31 February, or hour 25)"),
    ("01/02/026", "not a date (the year needs 2 or 4 digits)"),
    ("someday", "not a date KPI Desk can read (e.g. 2026-01-31 14:05, 31/01/2026 14:05)"),
    ("01 Foo 2026", "not a date KPI Desk can read (e.g. 2026-01-31 14:05, 31/01/2026 14:05)"),
])
def test_texts_refused(text, message):
    assert refused(text) == message


@pytest.mark.parametrize("blank", [None, "", "  ", "-", "?", "n/a", "N/A", "null", "None", "nan", "'"])
def test_blanks(blank):
    assert parse(blank) is None


@pytest.mark.parametrize("value", [True, False, object(), b"2026-01-01"])
def test_not_dates(value):
    assert refused(value) == "not a date"


def test_read_texts_needs_the_order():
    with pytest.raises(ValueError):
        DateParser(DateOrder()).read_texts(["01/02/2026"])


def test_read_texts_equals_the_parser_on_every_kind_of_text():
    texts = ["01/02/2026 10:05", "01/02/2026", "13/02/2026 10:05:07", "2026-02-01 10:00", "31/02/2026 10:00",
             "01/13/2026", "01/02/2026 25:00", "01/02/1899", "junk", "01.02.2026 7:05", "1/2/2026 10:05:59"]
    for day_first in (True, False):
        fast = DateParser(DateOrder(day_first=day_first), DateMemo())
        values, isos = fast.read_texts(texts)
        for text, value, iso in zip(texts, values, isos):
            try:
                expected = DateParser(DateOrder(day_first=day_first))(text)
            except BadValue as exc:
                assert isinstance(value, BadValue) and str(value) == str(exc) and iso is None, text
                continue
            assert value == expected, text
            assert iso == (None if expected in (None, PLACEHOLDER) else expected.isoformat(" ", "microseconds")), text


# ---------------------------------------------------------------- more edges (mutation testing, issue 20)

@pytest.mark.parametrize("text, expected", [
    ("2026-02-01T10:00:00.123", DT(2026, 2, 1, 10, 0, 0, 123000)),  # fromisoformat
    ("2026/02/01 10:00:00,25", DT(2026, 2, 1, 10, 0, 0, 250000)),  # a comma fraction: the regex path
    ("2026-02-01 10:00:00.1234567", DT(2026, 2, 1, 10, 0, 0, 123456)),  # a 7th digit is cut, not rounded
    ("2026/02/01 10:00:07 PM", DT(2026, 2, 1, 22, 0, 7)),  # seconds and AM/PM after a year-first date
    ("2026/02/01 10:00:07.5 AM", DT(2026, 2, 1, 10, 0, 7, 500000)),
    ("2026/2/3", DT(2026, 2, 3)),  # one-digit month and day, slashes (it was refused: under 10 characters)
    ("2026-2-3", DT(2026, 2, 3)),
    ("2026/2/3 9:05:01", DT(2026, 2, 3, 9, 5, 1)),
    ("2026/2/", None),
    ("2026-2-3 9:05", DT(2026, 2, 3, 9, 5)),
    ("20260/02/01", None),
    ("2026/123/01", None),  # three digits of month
    ("2026-02-101", None),  # three digits of day
])
def test_year_first_texts(text, expected):
    if expected is None:
        with pytest.raises(BadValue):
            parse(text)
    else:
        assert parse(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("01/02/2026 10:00:07.5", DT(2026, 2, 1, 10, 0, 7, 500000)),  # day-first with a fraction
    ("01/02/2026 10:00:07,123456", DT(2026, 2, 1, 10, 0, 7, 123456)),
    ("01-Feb.-2026", DT(2026, 2, 1)),  # a month's dot
    ("01 sept. 2026 10:05:09", DT(2026, 9, 1, 10, 5, 9)),
    ("Sept. 1, 2026 10:05:09 pm", DT(2026, 9, 1, 22, 5, 9)),
])
def test_day_first_and_named_texts_with_seconds(text, expected):
    assert parse(text) == expected


def test_a_day_first_number_with_three_digits_is_not_a_day_month_date():
    assert refused("101/02/2026") == "not a date KPI Desk can read (e.g. 2026-01-31 14:05, 31/01/2026 14:05)"


@pytest.mark.parametrize("value, expected", [
    (DT(1900, 1, 2), DT(1900, 1, 2)),  # the first real moment, a date cell
    (DT(2200, 12, 31, 23, 59), DT(2200, 12, 31, 23, 59)),  # the last year read
    (DT(1899, 12, 31, 12, 0), PLACEHOLDER),  # Excel's day 1 as a date cell
    (DT(1899, 12, 30), PLACEHOLDER),  # Excel's day 0
])
def test_date_cells_at_the_edges(value, expected):
    assert parse(value) == expected


def test_date_cells_outside_the_years():
    assert refused(DT(2201, 1, 1)) == "a date outside the years 1900-2200"
    assert refused(DT(1899, 12, 29)) == "a date outside the years 1900-2200"
    assert refused(dt.datetime(2201, 1, 1, tzinfo=dt.timezone.utc)) == "a date outside the years 1900-2200"


def test_an_offset_is_converted_to_local_time():
    value = dt.datetime(2026, 2, 1, 10, 0, tzinfo=dt.timezone.utc)
    assert parse(value) == value.astimezone().replace(tzinfo=None)
    assert parse("2026-02-01T10:00:00Z") == value.astimezone().replace(tzinfo=None)


def test_the_order_counts_the_day_month_dates_it_read():
    order = DateOrder(day_first=True)
    p = DateParser(order)
    p("01/02/2026")
    p("2026-02-01")  # ISO: no day/month order involved
    p("03.04.2026 9:05")
    assert order.seen == 2
    order = DateOrder()  # undecided: each ambiguous one counted, then decided
    p = DateParser(order)
    p("01/02/2026")
    p("13/02/2026")
    assert (order.seen, order.ambiguous, order.day_first) == (2, 1, True)
    fast = DateParser(DateOrder(day_first=True), DateMemo())
    fast.read_texts(["01/02/2026", "02/02/2026 10:00", "junk", "2026-02-01"])
    assert fast.order.seen == 2  # the two read from their halves; the others went through the parser
    fast.read_texts(["01/02/2026"])
    assert fast.order.seen == 3
    assert fast("05/02/2026") == DT(2026, 2, 5)  # the parser goes on where read_texts left off


def test_read_texts_with_odd_spacing_and_times():
    texts = ["01/02/2026  10:05", "01/02/2026 10:05 extra", "01/02/2026 7:5", "01/02/2026 10:05:60",
             "01/02/1900 00:00", "02/01/1900 00:00:01", "01/01/1970 00:00", "01/01/1970 00:00:01",
             "01/02/2026 ", " 01/02/2026", "32/01/2026 10:00", "01/02/2201", "00/00/0000 00:00"]
    fast = DateParser(DateOrder(day_first=True), DateMemo())
    values, isos = fast.read_texts(texts)
    for text, value, iso in zip(texts, values, isos, strict=True):
        try:
            expected = DateParser(DateOrder(day_first=True))(text)
        except BadValue as exc:
            assert isinstance(value, BadValue) and str(value) == str(exc) and iso is None, text
            continue
        assert value == expected, text
        assert iso == (None if expected in (None, PLACEHOLDER) else expected.isoformat(" ", "microseconds")), text


def test_read_texts_forgets_its_memo_past_100000_halves():
    memo = DateMemo()
    memo.days.update({f"x{i}": False for i in range(100_001)})
    memo.times["junk"] = False
    fast = DateParser(DateOrder(day_first=True), memo)
    values, _ = fast.read_texts(["01/02/2026 10:00"])
    assert values == [DT(2026, 2, 1, 10, 0)]
    assert len(memo.days) == 1 and set(memo.times) == {"10:00"}  # cleared, then this text's halves
    memo.days.clear()
    memo.days.update({f"x{i}": False for i in range(100_000)})  # exactly 100,000: kept
    fast.read_texts(["01/02/2026"])
    assert len(memo.days) == 100_001
    memo.times.update({f"t{i}": False for i in range(100_001)})
    fast.read_texts(["01/02/2026 10:00"])
    assert len(memo.days) == 1 and len(memo.times) == 1


def test_a_parser_remembers_the_form_that_worked_and_keeps_its_memo():
    memo = DateMemo()
    p = DateParser(DateOrder(day_first=True), memo)
    assert p.memo is memo
    assert DateParser(DateOrder(day_first=True)).memo is not memo
    assert p("Feb 1, 2026") == DT(2026, 2, 1)
    assert p("Feb 2, 2026") == DT(2026, 2, 2)  # tried first now, and still right
    assert p("2026-02-03") == DT(2026, 2, 3)
