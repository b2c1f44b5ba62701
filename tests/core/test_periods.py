from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.periods import parse_period, period_containing, periods_between


def test_parse_each_form():
    assert (parse_period("2026-03").start, parse_period("2026-03").end) == (dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    q = parse_period("2026-Q4")
    assert (q.start, q.end, q.key) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1), "2026-Q4")
    w = parse_period("2026-W01")  # ISO week 1 of 2026 starts on Monday 29 Dec 2025
    assert (w.start, w.end) == (dt.date(2025, 12, 29), dt.date(2026, 1, 5))
    assert parse_period("2026").end == dt.date(2027, 1, 1)
    for bad in ("2026-13", "2026-W54", "March", "2026-Q5"):
        with pytest.raises(ValueError):
            parse_period(bad)


def test_week_keys_follow_iso_years():
    assert period_containing(dt.date(2027, 1, 1), "week").key == "2026-W53"
    assert period_containing(dt.date(2026, 3, 1), "week").key == "2026-W09"  # a Sunday


def test_periods_between_and_navigation():
    ps = periods_between(dt.date(2026, 1, 15), dt.date(2026, 4, 2), "month")
    assert [p.key for p in ps] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert ps[0].previous().key == "2025-12" and ps[-1].next().key == "2026-05"
