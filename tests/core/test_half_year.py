"""Issue 17: review cycles may span a half-year ('2026-H1'); the engine answers for one exactly as the
two quarters' tickets say (counts add up, rates are pooled, the backlog is the second quarter's)."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.metrics.engine import compute
from kpidesk.periods import last_full_period, parse_period, period_containing


@pytest.mark.parametrize("spec, start, end", [
    ("2026-H1", dt.date(2026, 1, 1), dt.date(2026, 7, 1)),
    ("2026-h2", dt.date(2026, 7, 1), dt.date(2027, 1, 1)),
])
def test_half_year_periods(spec, start, end):
    p = parse_period(spec)
    assert (p.start, p.end, p.granularity, p.key) == (start, end, "half", spec.upper())
    assert period_containing(dt.date(2026, 6, 30), "half").key == "2026-H1"
    assert period_containing(dt.date(2026, 7, 1), "half").key == "2026-H2"
    assert parse_period("2026-H2").next().key == "2027-H1"
    assert parse_period("2026-H1").previous().key == "2025-H2"
    assert last_full_period(dt.date(2026, 11, 22), "half").key == "2026-H1"
    with pytest.raises(ValueError, match="not a period"):
        parse_period("2026-H3")


def _by(rows, metric):
    return {r.period: (r.value, r.count) for r in rows if r.kpi == metric and not r.segment}


def test_engine_half_year_adds_up_its_quarters(demo_store):
    halves = compute(demo_store, scope_key="desk", granularity="half", first="2026-H1", last="2026-H1")
    quarters = compute(demo_store, scope_key="desk", granularity="quarter", first="2026-Q1", last="2026-Q2")
    h, q = _by(halves, "resolved_count"), _by(quarters, "resolved_count")
    assert h["2026-H1"][0] == q["2026-Q1"][0] + q["2026-Q2"][0] > 0
    # A pooled rate: the half's SLA rate is the tickets-weighted mean of its quarters'.
    hs, qs = _by(halves, "sla_compliance"), _by(quarters, "sla_compliance")
    pooled = (qs["2026-Q1"][0] * qs["2026-Q1"][1] + qs["2026-Q2"][0] * qs["2026-Q2"][1]) / (
        qs["2026-Q1"][1] + qs["2026-Q2"][1])
    assert hs["2026-H1"][1] == qs["2026-Q1"][1] + qs["2026-Q2"][1]
    assert hs["2026-H1"][0] == pytest.approx(pooled)
    assert _by(halves, "backlog_open")["2026-H1"][0] == _by(quarters, "backlog_open")["2026-Q2"][0]
