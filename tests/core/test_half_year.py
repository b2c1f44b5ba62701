"""Issue 17: review cycles may span a half-year ('2026-H1'): parsed, stepped and found like the other
period lengths (the engine's answer for one is in test_cycle.py, on the demo)."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.periods import key_for, last_full_period, parse_period, period_containing


@pytest.mark.parametrize("spec, start, end", [
    ("2026-H1", dt.date(2026, 1, 1), dt.date(2026, 7, 1)),
    ("2026-h2", dt.date(2026, 7, 1), dt.date(2027, 1, 1)),
])
def test_half_year_periods(spec, start, end):
    p = parse_period(spec)
    assert (p.start, p.end, p.granularity, p.key) == (start, end, "half", spec.upper())
    assert period_containing(dt.date(2026, 6, 30), "half").key == "2026-H1"
    assert period_containing(dt.date(2026, 7, 1), "half").key == "2026-H2"
    assert [key_for(dt.date(2026, m, 15), "half") for m in (5, 6, 7)] == ["2026-H1", "2026-H1", "2026-H2"]
    assert parse_period("2026-H2").next().key == "2027-H1"
    assert parse_period("2026-H1").previous().key == "2025-H2"
    assert last_full_period(dt.date(2026, 11, 22), "half").key == "2026-H1"
    with pytest.raises(ValueError, match="not a period"):
        parse_period("2026-H3")
