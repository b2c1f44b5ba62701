"""Trend direction, projection, anomalies and rolling averages (issue 4): pure functions on lists."""
from __future__ import annotations

import pytest

from kpidesk.metrics.engine import period_range
from kpidesk.metrics.trend import analyse, anomalies, rolling_mean

MONTHS = period_range("2026-01", "2026-06", "month")


def test_falling_mttr_is_improving_and_reaches_its_target():
    t = analyse(MONTHS, [30, 28, 26, 24, 22, 20], "lower", target=16)
    assert t.slope == pytest.approx(-2.0) and t.label == "improving"
    assert t.projected_period == "2026-08"  # 20 -> 18 -> 16: two months after June


def test_the_same_numbers_decline_for_a_higher_is_better_kpi():
    t = analyse(MONTHS, [30, 28, 26, 24, 22, 20], "higher", target=40)
    assert t.label == "declining" and t.projected_period is None  # moving away: never


def test_flat_is_judged_against_the_level():
    assert analyse(MONTHS, [20, 20.1, 19.9, 20, 20.05, 19.95], "lower").label == "flat"
    assert analyse(MONTHS, [1, 1.1, 1.2, 1.3, 1.4, 1.5], "lower").label == "declining"  # small, but 7 %/month
    assert analyse(MONTHS, [None, None, 3, None, None, None], "lower").label == "unknown"


def test_already_on_target_and_band():
    assert analyse(MONTHS, [30, 28, 26, 24, 22, 15], "lower", target=16).projected_period == "2026-06"
    t = analyse(MONTHS, [100, 98, 96, 94, 92, 90], "band", band=(70, 85))
    assert t.label == "improving" and t.projected_period == "2026-09"  # 90 - 2 x 3 = 84 in September


def test_a_spike_is_an_anomaly_a_drift_is_not():
    spike = [10, 10.5, 9.8, 10.2, 30, 10.1, 9.9, 10.3]
    assert anomalies(spike) == [False, False, False, False, True, False, False, False]
    drift = [10, 12.1, 13.9, 16, 18.2, 19.9, 22, 24.1]
    assert not any(anomalies(drift))
    assert not any(anomalies([5, 5, 30]))  # too short to say


def test_rolling_mean():
    assert rolling_mean([1, 2, 3, None, 5], 3) == [1, 1.5, 2, 2.5, 4]
