"""The trend rules at their edges (issue 20): least squares worked by hand, the 'better' direction of
higher / lower / band KPIs, labels at the flat threshold, anomalies at, under and over 3 MADs and at
the minimum of 5 points, the projection's crossing period exactly, and what analyse() hands the plot.
Pure functions over small series: every expected value below is worked out in its comment."""
from __future__ import annotations

import pytest

from kpidesk.metrics.engine import period_range
from kpidesk.metrics.trend import _better_sign, analyse, anomalies, least_squares, projection, rolling_mean, trend_label

M = period_range("2026-01", "2026-06", "month")  # last_i = 5, the last period 2026-06
M7 = period_range("2026-01", "2026-07", "month")


# ---- least squares -------------------------------------------------------------------------------

def test_least_squares_needs_two_values():
    assert least_squares([]) is None
    assert least_squares([5]) is None
    assert least_squares([None, 5, None]) is None
    # two points: mx 0.5, my 2, sxx 0.5, sxy 1 -> slope 2, intercept 2 - 2 x 0.5 = 1
    assert least_squares([1, 3]) == (2.0, 1.0)
    # the indices of the values present: (1, 1), (3, 4): mx 2, my 2.5, sxx 2, sxy 3 -> 1.5, 2.5 - 3
    assert least_squares([None, 1, None, 4]) == (1.5, -0.5)


def test_least_squares_on_four_points():
    # mx 1.5, my 4, sxx 2.25 + 0.25 + 0.25 + 2.25 = 5, sxy 3 + 0.5 + 0.5 + 3 = 7 -> 1.4, 4 - 2.1 = 1.9
    slope, intercept = least_squares([2, 3, 5, 6])
    assert slope == pytest.approx(1.4) and intercept == pytest.approx(1.9)


def test_least_squares_keeps_its_digits_at_a_level_of_a_billion():
    # A budget in cents: the sums are centred on the means, so the level does not swamp the change.
    # Points (0, L), (2, L + 1), (3, L + 3): mx 5/3, my L + 4/3; sxy 20/9 - 1/9 + 20/9 = 13/3,
    # sxx 25/9 + 1/9 + 16/9 = 14/3 -> slope 13/14, intercept L + 4/3 - 65/42 = L - 3/14
    L = 1e9
    slope, intercept = least_squares([L, None, L + 1, L + 3])
    assert slope == pytest.approx(13 / 14, abs=1e-9)
    assert intercept == pytest.approx(L - 3 / 14, abs=1e-6)


# ---- which way is better ---------------------------------------------------------------------------

@pytest.mark.parametrize("direction, level, band, sign", [
    ("higher", 5, None, 1), ("higher", 99, (70, 85), 1),
    ("lower", 5, None, -1), ("lower", 0, (70, 85), -1),
    ("band", 5, None, 0), ("", 5, None, 0),  # no band to judge by: neither way
    ("band", 69, (70, 85), 1),  # below the band: rising is good
    ("band", 86, (70, 85), -1),  # above: falling is good
    ("band", 70, (70, 85), 1),  # at the low edge: towards the middle (77.5) is up
    ("band", 72, (70, 85), 1),  # inside, under the middle
    ("band", 77.5, (70, 85), -1),  # at the middle exactly: the rule picks falling
    ("band", 80, (70, 85), -1),  # inside, over the middle
    ("band", 85, (70, 85), -1),  # at the high edge
    ("band", 5, (5, 5), -1),  # a band of one value, at it: its middle, so falling as above
])
def test_better_sign(direction, level, band, sign):
    assert _better_sign(direction, level, band) == sign


def test_labels_of_a_band_kpi_follow_the_way_to_its_middle():
    assert trend_label(-2, 95, "band", (70, 85)) == "improving"  # above, falling
    assert trend_label(2, 95, "band", (70, 85)) == "declining"
    assert trend_label(2, 72, "band", (70, 85)) == "improving"  # inside, under the middle, rising (2 > 1.44)
    assert trend_label(-2, 72, "band", (70, 85)) == "declining"
    assert trend_label(5, 10, "band") == "flat"  # no band: no better way
    assert trend_label(-5, 10, "unknown-direction") == "flat"


# ---- labels --------------------------------------------------------------------------------------

def test_label_unknown_without_a_slope_or_a_level():
    assert trend_label(None, 10, "higher") == "unknown"
    assert trend_label(1, None, "higher") == "unknown"


def test_label_flat_at_two_percent_of_the_level_and_not_beyond():
    assert trend_label(1.0, 50, "higher") == "flat"  # |1| <= 0.02 x 50 = 1: still flat
    assert trend_label(1.01, 50, "higher") == "improving"
    assert trend_label(-1.0, 50, "lower") == "flat"
    assert trend_label(-1.01, 50, "lower") == "improving"
    assert trend_label(1.01, -50, "lower") == "declining"  # the level counts by its size
    assert trend_label(0, 0, "higher") == "flat"
    assert trend_label(1.0, 50, "higher", flat_ratio=0.01) == "improving"  # 1 > 0.5


def test_label_small_slopes_on_a_small_level():
    assert trend_label(1, 10, "higher") == "improving"  # 1 > 0.2
    assert trend_label(0.5, 10, "higher") == "improving"  # 0.5 > 0.2: a slope under 1 still counts
    assert trend_label(-0.5, 10, "higher") == "declining"
    assert trend_label(-0.5, 10, "lower") == "improving"
    assert trend_label(0.5, 10, "lower") == "declining"


# ---- rolling mean --------------------------------------------------------------------------------

def test_rolling_mean_window_three_by_default():
    assert rolling_mean([1, 2, 3, 4]) == [1, 1.5, 2, 3]
    assert rolling_mean([]) == []
    assert rolling_mean([None, None, 4]) == [None, None, 4]
    assert rolling_mean([1, 2, 3], 1) == [1, 2, 3]


# ---- anomalies -----------------------------------------------------------------------------------
# On a flat series of 100s the Theil-Sen slope is 0 (most pairs are level), the line sits at 100, the
# residuals' MAD is 0 and its floor 1 % of the median (1.0) takes over: the edge is 3 x 1.0 = 3.

def test_a_residual_of_exactly_three_mads_is_not_an_anomaly():
    assert anomalies([100, 100, 100, 103, 100, 100, 100]) == [False] * 7


def test_a_residual_just_over_three_mads_is():
    assert anomalies([100, 100, 100, 103.5, 100, 100, 100]) == [False, False, False, True, False, False, False]


def test_k_times_the_mad_not_k_over_it():
    # the floor is 1 % of 200 = 2: the edge is 6; a residual of 4 is inside, 7 beyond
    assert anomalies([200, 200, 200, 204, 200, 200, 200]) == [False] * 7
    assert anomalies([200, 200, 200, 207, 200, 200, 200]) == [False, False, False, True, False, False, False]
    assert anomalies([200, 200, 200, 207, 200, 200, 200], k=4.0) == [False] * 7  # 7 <= 8


def test_five_values_are_enough_four_are_not():
    # 5 points: 6 level pairs and 4 rising ones -> median slope 0, line at 100, residual 10 > 3
    assert anomalies([100, 100, 100, 100, 110]) == [False, False, False, False, True]
    assert anomalies([100, 100, 100, 110]) == [False] * 4
    # the values present count, not the periods
    assert anomalies([100, None, 100, 100, None, 100, 110]) == [False] * 6 + [True]
    assert anomalies([100, None, 100, None, 100, None, 110]) == [False] * 7
    assert anomalies([]) == []


def test_a_spike_on_a_drift_is_measured_from_the_drift():
    # Rising by 2 with +14 at index 4: the 21 pairs without it all have slope 2 (of 28): slope 2,
    # intercept median(v - 2i) = 10, residuals 0 but 14 at index 4; MAD floor 1 % of 18 = 0.18.
    assert anomalies([10, 12, 14, 16, 32, 20, 22, 24]) == [False, False, False, False, True, False, False, False]
    # and falling by 3 with a dip of -6 at index 2: slope -3, line 50 - 3i, floor 1 % of 39.5 = 0.395
    assert anomalies([50, 47, 38, 41, 38, 35]) == [False, False, True, False, False, False]


def test_a_spike_at_the_minimum_length_on_a_rise():
    # slopes: six pairs of 2; (0,4) 3, (1,4) 10/3, (2,4) 4, (3,4) 6 -> median of ten (2 + 2) / 2 = 2;
    # intercept median(100, 100, 100, 100, 104) = 100; residual 4 > 3 x 1.04 (1 % of the median 104)
    assert anomalies([100, 102, 104, 106, 112]) == [False, False, False, False, True]


def test_the_mad_floor():
    # a near-perfect line: a 0.5 wobble on 100 is under 3 x 1.0, not an anomaly
    assert anomalies([100, 100, 100, 100, 100, 100.5]) == [False] * 6
    # at a level of 0 the floor is 1e-9: rounding noise (0.1 + 0.2 - 0.3 = 5.6e-17) is not flagged...
    assert anomalies([0, 0, 0, 0, 0, 0.1 + 0.2 - 0.3]) == [False] * 6
    assert anomalies([0, 0, 0, 0, 0, 0]) == [False] * 6
    # ...but two incidents after six quiet periods are
    assert anomalies([0, 0, 0, 0, 0, 0, 2]) == [False] * 6 + [True]


# ---- projection ----------------------------------------------------------------------------------

def test_projection_without_a_label_projects():
    # line at index 5: 30 - 10 = 20; (16 - 20) / -2 = 2 periods after June
    assert projection(M, [30, 28, 26, 24, 22, 20], -2.0, 30.0, "lower", 16) == "2026-08"
    # moving away, no label: steps (40 - 20) / -2 = -10 < 0 -> never
    assert projection(M, [30, 28, 26, 24, 22, 20], -2.0, 30.0, "higher", 40) is None


def test_projection_needs_periods_a_slope_and_an_intercept():
    on_target = [30, 28, 26, 24, 22, 15]
    assert projection([], on_target, -2.0, 30.0, "lower", 16) is None
    assert projection(M, on_target, None, 30.0, "lower", 16) is None
    assert projection(M, on_target, -2.0, None, "lower", 16) is None
    assert projection(M, on_target, -2.0, 30.0, "lower", None) is None  # no target
    assert projection(M, on_target, -2.0, 30.0, "lower", 16) == "2026-06"


def test_projection_with_no_values_runs_on_the_line():
    # no last value to meet the target: the line 30 - 2i is at 20 in June, at 16 two months later
    assert projection(M, [None] * 6, -2.0, 30.0, "lower", 16) == "2026-08"
    # a band with no values: line 56 + 2i is at 66 in June, reaches the low edge 70 in August
    assert projection(M, [None] * 6, 2.0, 56.0, "band", None, band=(70, 85)) == "2026-08"
    # from above, falling by 5 from 20 (June) into (-5, 5): at 5 after three months
    assert projection(M, [None] * 6, -5.0, 45.0, "band", None, band=(-5, 5)) == "2026-09"
    # from above into (0, 10): falling by 5 from 30, at 10 after four months
    assert projection(M, [None] * 6, -5.0, 55.0, "band", None, band=(0, 10)) == "2026-10"


def test_projection_when_the_last_value_is_already_there():
    # lower, at the target exactly: met
    assert projection(M, [30, 28, 26, 24, 22, 16], -2.0, 30.0, "lower", 16, label="improving") == "2026-06"
    # higher, at the target exactly and above it: met
    assert projection(M, [10, 12, 14, 16, 18, 20], 2.0, 10.0, "higher", 20, label="improving") == "2026-06"
    assert projection(M, [10, 12, 14, 16, 18, 25], 2.0, 10.0, "higher", 20, label="declining") == "2026-06"
    # band: inside, and at either edge
    for last in (80, 70, 85):
        assert projection(M, [90, 88, 86, 84, 82, last], -2.0, 90.0, "band", None, band=(70, 85),
                          label="improving") == "2026-06"
    assert projection(M, [90, 88, 86, 84, 82, 80], -2.0, 90.0, "band", None) is None  # no band given


def test_projection_into_a_band_from_below_aims_at_its_low_edge():
    # 58 + 2i is 68 in June, 70 one month later
    assert projection(M, [58, 60, 62, 64, 66, 68], 2.0, 58.0, "band", None, band=(70, 85),
                      label="improving") == "2026-07"
    # a last value of 0 is below (0.5, 0.75): the line -0.25 + 0.125i is 0.375 in June, 0.5 in July
    assert projection(M, [0.0] * 6, 0.125, -0.25, "band", None, band=(0.5, 0.75), label="improving") == "2026-07"


def test_projection_only_when_improving_or_unlabelled():
    rising = [100, 101, 102, 103, 104, 105]  # 100 + i: 110 five months after June
    assert projection(M, rising, 1.0, 100.0, "higher", 110, label="improving") == "2026-11"
    assert projection(M, rising, 1.0, 100.0, "higher", 110, label="") == "2026-11"
    for label in ("flat", "declining", "unknown"):
        assert projection(M, rising, 1.0, 100.0, "higher", 110, label=label) is None
    assert projection(M, [5] * 6, 0.0, 5.0, "higher", 10) is None  # a level line never gets there


def test_projection_the_crossing_period_rounds_up():
    line = [10, 12, 14, 16, 18, 19.5]  # line 10 + 2i: 20 in June, but June's value 19.5 is short
    assert projection(M, line, 2.0, 10.0, "higher", 20, label="improving") == "2026-07"  # 0 steps: next
    assert projection(M, line, 2.0, 10.0, "higher", 21, label="improving") == "2026-07"  # 0.5 steps
    assert projection(M, line, 2.0, 10.0, "higher", 22, label="improving") == "2026-07"  # 1 step
    assert projection(M, line, 2.0, 10.0, "higher", 23, label="improving") == "2026-08"  # 1.5 steps


def test_projection_at_most_120_periods_out():
    ramp = [0, 1, 2, 3, 4, 5]  # line i: 5 in June
    assert projection(M, ramp, 1.0, 0.0, "higher", 8, label="improving") == "2026-09"
    assert projection(M, ramp, 1.0, 0.0, "higher", 125, label="improving") == "2036-06"  # 120: still
    assert projection(M, ramp, 1.0, 0.0, "higher", 125.5, label="improving") is None  # 120.5: too far
    assert projection(M, ramp, 1.0, 0.0, "higher", 126, label="improving") is None
    assert projection(M, ramp, 1.0, 0.0, "higher", 15, label="improving", max_periods=10) == "2027-04"
    assert projection(M, ramp, 1.0, 0.0, "higher", 16, label="improving", max_periods=10) is None
    assert projection(M, ramp, 1.0, 0.0, "higher", 205, max_periods=1000) == "2043-02"  # 200 months


# ---- analyse -------------------------------------------------------------------------------------

def test_analyse_fits_the_last_six_and_draws_the_line_over_them_only():
    # the last 6 of 7 are 0..5 at indices 1..6: slope 1; over them b = 2.5 - 2.5 = 0, so over the
    # whole series the line is -1 + i; the line is 5 in July, 8 three months later
    t = analyse(M7, [100, 0, 1, 2, 3, 4, 5], "higher", target=8, window=2)
    assert t.slope == pytest.approx(1.0) and t.label == "improving"
    assert t.fitted == [None, pytest.approx(0), pytest.approx(1), pytest.approx(2), pytest.approx(3),
                        pytest.approx(4), pytest.approx(5)]
    assert t.projected_period == "2026-10"
    # Theil-Sen: 15 pairs of slope 1, 6 negative -> 1; line -1 + i; the 100 is 101 off, the floor 0.03
    assert t.anomalies == [True, False, False, False, False, False, False]
    assert t.rolling == [100, 50, 0.5, 1.5, 2.5, 3.5, 4.5]  # window 2


def test_analyse_last_n_zero_fits_everything():
    # indices 0..6: mx 3, sxx 28, sxy -300 - 1 + 3 + 8 + 15 = -275: slope -275/28; level 115/7
    t = analyse(M7, [100, 0, 1, 2, 3, 4, 5], "higher", last_n=0)
    assert t.slope == pytest.approx(-275 / 28) and t.label == "declining"
    assert t.fitted[0] == pytest.approx(115 / 7 + 3 * 275 / 28)
    assert t.fitted[6] == pytest.approx(115 / 7 - 3 * 275 / 28)


def test_analyse_needs_three_values_in_the_window():
    t = analyse(M[:3], [10, 20, 30], "higher")
    assert t.slope == pytest.approx(10) and t.label == "improving"
    assert t.fitted == [pytest.approx(10), pytest.approx(20), pytest.approx(30)]
    t = analyse(M[:2], [10, 20], "higher", target=40)
    assert (t.slope, t.label, t.projected_period) == (None, "unknown", None)
    assert t.fitted == [None, None] and t.anomalies == [False, False] and t.rolling == [10, 15]
    t = analyse(M, [10, 20, 30, None, None, None], "higher", last_n=3)  # none in the last 3
    assert t.slope is None and t.fitted == [None] * 6


def test_analyse_empty_and_one_point():
    t = analyse([], [], "higher")
    assert (t.slope, t.label, t.projected_period, t.fitted, t.anomalies, t.rolling) == \
        (None, "unknown", None, [], [], [])
    t = analyse(M[:1], [5], "lower", target=3)
    assert (t.slope, t.label, t.projected_period, t.fitted, t.anomalies, t.rolling) == \
        (None, "unknown", None, [None], [False], [5])


def test_analyse_passes_its_flat_ratio_and_its_label_on():
    ramp = [0, 1, 2, 3, 4, 5]  # slope 1, level 2.5
    assert analyse(M, ramp, "higher").label == "improving"  # 1 > 0.05
    assert analyse(M, ramp, "higher", flat_ratio=0.5).label == "flat"  # 1 <= 1.25
    # slope 1 on a level of 102.5 is flat (<= 2.05): a flat trend projects nothing, though its line
    # would reach 110 in November
    t = analyse(M, [100, 101, 102, 103, 104, 105], "higher", target=110)
    assert t.label == "flat" and t.projected_period is None
