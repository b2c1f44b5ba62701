"""What the mutation run of kpidesk/importing/dates.py (issue 20) found untested: how PLACEHOLDER
shows, read_texts' refusal without a day/month order, its memo of day and time halves (what each
half reads to, texts not in the usual form, the limit of 100,000 times), the parser after
read_texts, datetime-subclass cells in 1900 (off the hot path), offsets on slash-separated year-first
text and on cells in the year 2200, a time zone that cannot be converted, and texts that must be
refused: a compact 20260201, a slash where an offset's sign goes, a day of three or four digits,
a month name followed by a letter that folds to a space or to X.

Expected values worked out by hand in the comments; offsets are read with the local time zone
pinned to UTC+1 (no daylight saving), so 10:00 UTC is 11:00.
"""
from __future__ import annotations

import datetime as dt
import time

import pytest

from kpidesk.importing.dates import PLACEHOLDER, DateMemo, DateOrder, DateParser
from tests.core.test_date_edges import parse, refused

DT = dt.datetime
UTC = dt.timezone.utc
UNREADABLE = "not a date KPI Desk can read (e.g. 2026-01-31 14:05, 31/01/2026 14:05)"
NOT_REAL = "not a real date or time (e.g. 31 February, or hour 25)"


@pytest.fixture
def utc_plus_1(monkeypatch):
    """The computer's time zone pinned to UTC+1 all year (POSIX TZ 'KPI-1')."""
    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset to pin the local time zone")
    monkeypatch.setenv("TZ", "KPI-1")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# ---------------------------------------------------------------- PLACEHOLDER as shown

def test_placeholder_shows_as_its_name():
    assert repr(PLACEHOLDER) == "PLACEHOLDER"
    values, _ = DateParser(DateOrder(day_first=True), DateMemo()).read_texts(["01/01/1900", "02/01/1900"])
    assert repr(values) == "[PLACEHOLDER, datetime.datetime(1900, 1, 2, 0, 0)]"  # as a column's values print


# ---------------------------------------------------------------- read_texts and its memo

@pytest.mark.parametrize("fallback", [True, False])
def test_read_texts_refuses_an_undecided_order_with_its_message(fallback):
    with pytest.raises(ValueError) as e:
        DateParser(DateOrder(fallback=fallback)).read_texts(["01/02/2026"])
    assert str(e.value) == "read_texts needs the file's day/month order"


def test_the_memo_holds_each_half_as_read():
    memo = DateMemo()
    order = DateOrder(day_first=True)
    texts = ["01/02/2026 10:05", "01/02/2026", "junk 10:06", "01/02/2026 10:07 extra", "01/02/2026  10:08"]
    values, isos = DateParser(order, memo).read_texts(texts)
    assert values[:2] == [DT(2026, 2, 1, 10, 5), DT(2026, 2, 1)]
    assert [str(v) for v in values[2:4]] == [UNREADABLE, UNREADABLE]
    assert values[4] == DT(2026, 2, 1, 10, 8)  # two spaces: not the usual form, the parser reads it
    assert isos == ["2026-02-01 10:05:00.000000", "2026-02-01 00:00:00.000000", None, None,
                    "2026-02-01 10:08:00.000000"]
    # the day is split off at the first space; a day not in the D/M/YYYY form leaves its time unread;
    # a text without a time has no time half; a time half not in the H:MM[:SS] form is kept as False
    assert memo.days == {"01/02/2026": (2026, 2, 1, "2026-02-01"), "junk": False}
    assert memo.times == {"10:05": (10, 5, 0, "10:05:00"), "10:07 extra": False, " 10:08": False}
    assert order.seen == 3  # the two read from halves and the one the parser read day/month


def test_the_time_memo_is_kept_at_100000_and_cleared_past_it():
    memo = DateMemo()
    memo.times.update({f"t{i}": False for i in range(100_000)})
    parser = DateParser(DateOrder(day_first=True), memo)
    values, _ = parser.read_texts(["01/02/2026 10:00"])
    assert values == [DT(2026, 2, 1, 10, 0)]
    assert len(memo.times) == 100_001 and memo.times["10:00"] == (10, 0, 0, "10:00:00")  # 100,000: kept
    values, _ = parser.read_texts(["01/02/2026 10:01"])  # 100,001 times: cleared first
    assert values == [DT(2026, 2, 1, 10, 1)]
    assert memo.times == {"10:01": (10, 1, 0, "10:01:00")}
    assert memo.days == {"01/02/2026": (2026, 2, 1, "2026-02-01")}


def test_the_parser_reads_every_form_after_read_texts():
    parser = DateParser(DateOrder(day_first=True), DateMemo())
    parser.read_texts(["01/02/2026"])
    assert parser("2026-02-03 04:05") == DT(2026, 2, 3, 4, 5)
    assert parser("Feb 4, 2026") == DT(2026, 2, 4)
    assert parser("5-Feb-26 1:00 PM") == DT(2026, 2, 5, 13, 0)
    assert parser("6/2/26") == DT(2026, 2, 6)  # two-digit year: not the usual form, the general parser
    assert parser.order.seen == 2


# ---------------------------------------------------------------- date cells off the hot path

class Cell(dt.datetime):
    """A reader's date cell that subclasses datetime (as pandas' Timestamp does)."""


@pytest.mark.parametrize("value, expected", [
    (Cell(1900, 1, 1, 23, 59, 59), PLACEHOLDER),  # any time on 1900-01-01
    (Cell(1900, 1, 2, 0, 0, 0), DT(1900, 1, 2)),  # the first real moment
    (Cell(1900, 12, 31, 23, 59, 59), DT(1900, 12, 31, 23, 59, 59)),  # still the year 1900: real
    (Cell(1899, 12, 30), PLACEHOLDER),  # Excel's day 0
    (Cell(1970, 1, 1), PLACEHOLDER),  # the Unix zero
    (Cell(2200, 12, 31, 23, 59, 59), DT(2200, 12, 31, 23, 59, 59)),
])
def test_datetime_subclass_cells(value, expected):
    got = parse(value)
    if expected is PLACEHOLDER:
        assert got is PLACEHOLDER
    else:
        assert got == expected and got is not PLACEHOLDER


def test_datetime_subclass_cells_outside_the_years():
    assert refused(Cell(1899, 12, 29, 23, 59, 59)) == "a date outside the years 1900-2200"
    assert refused(Cell(2201, 1, 1)) == "a date outside the years 1900-2200"


# ---------------------------------------------------------------- offsets and time zones

@pytest.mark.parametrize("value, expected", [
    ("2026/02/01T10:00:00+01:00", DT(2026, 2, 1, 10, 0)),  # 09:00 UTC is 10:00 at UTC+1
    ("2026/02/03 10:00Z", DT(2026, 2, 3, 11, 0)),
    ("2026/02/03 10:00:30.25-02:00", DT(2026, 2, 3, 13, 0, 30, 250000)),  # 12:00:30.25 UTC
    ("2200-12-31T12:00:00+00:00", DT(2200, 12, 31, 13, 0)),  # the last year read, with an offset
    (DT(2200, 12, 31, 12, 0, tzinfo=UTC), DT(2200, 12, 31, 13, 0)),  # a date cell with a zone
    (DT(2200, 6, 30, 22, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))), DT(2200, 7, 1, 4, 0)),
    (DT(1900, 1, 2, 12, 0, tzinfo=UTC), DT(1900, 1, 2, 13, 0)),
])
def test_offsets_are_read_in_local_time(utc_plus_1, value, expected):
    assert parse(value) == expected


class _BrokenZone(dt.tzinfo):
    """A time zone whose offset is more than a day: datetime cannot convert from it."""

    def utcoffset(self, d):
        return dt.timedelta(hours=30)

    def dst(self, d):
        return None

    def tzname(self, d):
        return "broken"


def test_a_date_cell_whose_zone_cannot_be_converted():
    assert refused(DT(2026, 2, 1, 10, 0, tzinfo=_BrokenZone())) == "a date whose time zone cannot be converted"


# ---------------------------------------------------------------- texts refused

@pytest.mark.parametrize("text, message", [
    ("20260201", UNREADABLE),  # eight digits: a number (a ticket id), not the year-first form
    ("20260201T1005", UNREADABLE),
    ("2026/02/01 10:00/05:00", UNREADABLE),  # a slash is no offset sign
    ("2026-02-012", NOT_REAL),  # a day of three digits, even 012
    ("2026-02-0012", NOT_REAL),
    ("2026/02/012 10:00", NOT_REAL),
    ("1 sep\u037a 2026", UNREADABLE),  # 'sepͺ': its last letter folds to a space; no month
    ("1 dec\U0001d417 2026", UNREADABLE),  # 'dec𝐗': its last letter folds to a capital X; no month
])
def test_texts_refused(text, message):
    assert refused(text) == message
    assert refused(text, day_first=False) == message


def test_the_same_month_names_without_the_extra_letter_are_read():
    assert parse("1 sep 2026") == DT(2026, 9, 1) and parse("1 dec. 2026") == DT(2026, 12, 1)
    assert parse("2026-02-12") == DT(2026, 2, 12)
