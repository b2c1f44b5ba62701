"""Edges of the reporting periods (kpidesk/periods.py, issue 20): every boundary at its last day and
the first day after it, keys, parsing and the windows built from them. Dates worked out by hand."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.periods import (GRANULARITIES, Period, key_for, last_full_period, month_key, parse_period,
                             period_containing, periods_between, quarter_key, week_key)

D = dt.date


@pytest.mark.parametrize("day, week, month, quarter", [
    (D(2026, 1, 1), "2026-W01", "2026-01", "2026-Q1"),  # a Thursday: ISO week 1 of 2026
    (D(2025, 12, 29), "2026-W01", "2025-12", "2025-Q4"),  # its Monday, still in 2025
    (D(2025, 12, 28), "2025-W52", "2025-12", "2025-Q4"),
    (D(2026, 3, 31), "2026-W14", "2026-03", "2026-Q1"),
    (D(2026, 4, 1), "2026-W14", "2026-04", "2026-Q2"),
    (D(2026, 6, 30), "2026-W27", "2026-06", "2026-Q2"),
    (D(2026, 7, 1), "2026-W27", "2026-07", "2026-Q3"),
    (D(2026, 9, 30), "2026-W40", "2026-09", "2026-Q3"),
    (D(2026, 10, 1), "2026-W40", "2026-10", "2026-Q4"),
    (D(2026, 12, 31), "2026-W53", "2026-12", "2026-Q4"),
])
def test_keys(day, week, month, quarter):
    assert (week_key(day), month_key(day), quarter_key(day)) == (week, month, quarter)
    assert [key_for(day, g) for g in GRANULARITIES] == [week, month, quarter, str(day.year)]


def test_keys_are_zero_padded_and_sort_in_time_order():
    assert week_key(D(2026, 2, 2)) == "2026-W06" and month_key(D(2026, 2, 2)) == "2026-02"
    keys = [month_key(D(2026, m, 1)) for m in range(1, 13)]
    assert keys == sorted(keys)


@pytest.mark.parametrize("day, granularity, start, end", [
    # a week runs Monday to Sunday: Sunday is its last day, the next Monday starts the next week
    (D(2026, 3, 29), "week", D(2026, 3, 23), D(2026, 3, 30)),
    (D(2026, 3, 30), "week", D(2026, 3, 30), D(2026, 4, 6)),
    (D(2026, 3, 23), "week", D(2026, 3, 23), D(2026, 3, 30)),
    # months of 28, 29, 30 and 31 days
    (D(2026, 2, 28), "month", D(2026, 2, 1), D(2026, 3, 1)),
    (D(2028, 2, 29), "month", D(2028, 2, 1), D(2028, 3, 1)),
    (D(2026, 4, 30), "month", D(2026, 4, 1), D(2026, 5, 1)),
    (D(2026, 1, 31), "month", D(2026, 1, 1), D(2026, 2, 1)),
    (D(2026, 12, 31), "month", D(2026, 12, 1), D(2027, 1, 1)),
    (D(2026, 12, 1), "month", D(2026, 12, 1), D(2027, 1, 1)),
    # every quarter, its first and last day
    (D(2026, 1, 1), "quarter", D(2026, 1, 1), D(2026, 4, 1)),
    (D(2026, 3, 31), "quarter", D(2026, 1, 1), D(2026, 4, 1)),
    (D(2026, 4, 1), "quarter", D(2026, 4, 1), D(2026, 7, 1)),
    (D(2026, 6, 30), "quarter", D(2026, 4, 1), D(2026, 7, 1)),
    (D(2026, 7, 1), "quarter", D(2026, 7, 1), D(2026, 10, 1)),
    (D(2026, 9, 30), "quarter", D(2026, 7, 1), D(2026, 10, 1)),
    (D(2026, 10, 1), "quarter", D(2026, 10, 1), D(2027, 1, 1)),
    (D(2026, 12, 31), "quarter", D(2026, 10, 1), D(2027, 1, 1)),
    (D(2026, 1, 1), "year", D(2026, 1, 1), D(2027, 1, 1)),
    (D(2026, 12, 31), "year", D(2026, 1, 1), D(2027, 1, 1)),
])
def test_period_containing(day, granularity, start, end):
    p = period_containing(day, granularity)
    assert (p.start, p.end, p.granularity) == (start, end, granularity)
    assert p.key == key_for(start, granularity) == str(p)
    assert p.last_day == end - dt.timedelta(days=1)
    assert p.end_datetime == dt.datetime(end.year, end.month, end.day, 0, 0, 0)
    # a datetime is placed by its date: 23:59:59 on the last day is inside, midnight after is not
    assert period_containing(dt.datetime.combine(p.last_day, dt.time(23, 59, 59)), granularity) == p
    assert period_containing(dt.datetime.combine(end, dt.time(0, 0, 0)), granularity).start == end


def test_unknown_granularity():
    with pytest.raises(ValueError, match="unknown period length 'day'"):
        period_containing(D(2026, 1, 1), "day")


def test_next_and_previous():
    p = period_containing(D(2026, 12, 15), "month")
    assert p.next().key == "2027-01" and p.previous().key == "2026-11"
    q = period_containing(D(2026, 1, 15), "quarter")
    assert q.previous().key == "2025-Q4" and q.next().key == "2026-Q2"
    w = period_containing(D(2026, 1, 1), "week")
    assert w.previous().key == "2025-W52" and w.next().key == "2026-W02"


@pytest.mark.parametrize("spec, start, end", [
    ("2026-03", D(2026, 3, 1), D(2026, 4, 1)),
    (" 2026-3 ", D(2026, 3, 1), D(2026, 4, 1)),
    ("2026-12", D(2026, 12, 1), D(2027, 1, 1)),
    ("2026-01", D(2026, 1, 1), D(2026, 2, 1)),
    ("2026-Q1", D(2026, 1, 1), D(2026, 4, 1)),
    ("2026-q4", D(2026, 10, 1), D(2027, 1, 1)),
    ("2026-Q2", D(2026, 4, 1), D(2026, 7, 1)),
    ("2026-W01", D(2025, 12, 29), D(2026, 1, 5)),
    ("2026-w5", D(2026, 1, 26), D(2026, 2, 2)),
    ("2026-W53", D(2026, 12, 28), D(2027, 1, 4)),
    ("2026", D(2026, 1, 1), D(2027, 1, 1)),
])
def test_parse_period(spec, start, end):
    p = parse_period(spec)
    assert (p.start, p.end) == (start, end)


@pytest.mark.parametrize("spec, message", [
    ("2025-W53", "'2025-W53': 2025 has no ISO week 53"),
    ("2026-W00", "'2026-W00': 2026 has no ISO week 0"),
    ("2026-13", "'2026-13': there is no month 13"),
    ("2026-00", "'2026-00': there is no month 0"),
    ("2026-Q5", "'2026-Q5' is not a period"),
    ("March", "'March' is not a period: use 2026-03 (month), 2026-Q1 (quarter), 2026-W05 (week), 2026-H1 (half-year) or 2026"),
    ("2026-03-01", "is not a period"),
    ("x2026", "is not a period"),
    ("2026-W123", "is not a period"),
])
def test_parse_period_refuses(spec, message):
    with pytest.raises(ValueError) as e:
        parse_period(spec)
    assert message in str(e.value)


def test_periods_between_includes_both_ends():
    got = periods_between(D(2026, 1, 31), D(2026, 4, 1), "month")
    assert [p.key for p in got] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    # the last day of a period as `last`: that period is the last one
    assert [p.key for p in periods_between(D(2026, 1, 1), D(2026, 3, 31), "quarter")] == ["2026-Q1"]
    assert [p.key for p in periods_between(D(2026, 1, 1), D(2026, 4, 1), "quarter")] == ["2026-Q1", "2026-Q2"]
    assert [p.key for p in periods_between(D(2026, 3, 1), D(2026, 3, 1), "month")] == ["2026-03"]
    assert periods_between(D(2026, 3, 1), D(2026, 2, 27), "month") == []  # last before the month starts


def test_last_full_period():
    assert last_full_period(D(2026, 4, 1), "month").key == "2026-03"
    assert last_full_period(D(2026, 3, 31), "month").key == "2026-02"
    assert last_full_period(D(2026, 4, 1), "quarter").key == "2026-Q1"
    assert last_full_period(D(2026, 3, 30), "week").key == "2026-W13"  # a Monday: last week is full
    assert last_full_period(D(2026, 3, 29), "week").key == "2026-W12"  # a Sunday: this week runs on


def test_periods_order_by_start():
    a, b = period_containing(D(2026, 1, 5), "month"), period_containing(D(2026, 2, 5), "month")
    assert a < b and sorted([b, a]) == [a, b]
    assert isinstance(a, Period)
