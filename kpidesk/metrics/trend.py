"""Trend analysis on a KPI's series: pure functions over plain lists (None = no value that period),
so a plot, a card and a test can use them alike.

- slope: least squares over the last N periods, per period, in the KPI's unit;
- label: improving / declining / flat by the KPI's direction (a falling MTTR improves), flat when the
  slope is small against the level (|slope| <= flat_ratio x |mean|);
- projection: the period in which the trend line reaches the target, None when it never does
  (flat, moving away, or further out than max_periods);
- anomalies: a period whose residual from a robust (Theil-Sen) trend line lies beyond 3 median
  absolute deviations of the series' residuals: a one-off spike is flagged, a steady drift is not;
- rolling: trailing mean over a window.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Sequence

from kpidesk.periods import Period

Series = Sequence[float | None]


@dataclass
class Trend:
    slope: float | None  # per period; None with fewer than 3 values
    label: str  # improving | declining | flat | unknown
    projected_period: str | None  # when the trend reaches the target; None: never (or no target)
    fitted: list[float | None] = field(default_factory=list)  # the least-squares line, for the plot
    anomalies: list[bool] = field(default_factory=list)
    rolling: list[float | None] = field(default_factory=list)


def least_squares(values: Series) -> tuple[float, float] | None:
    """(slope, intercept) over the indices of the values present; None with fewer than 2."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(pts) < 2:
        return None
    mx = sum(i for i, _ in pts) / len(pts)
    my = sum(v for _, v in pts) / len(pts)
    sxx = sum((i - mx) ** 2 for i, _ in pts)
    slope = sum((i - mx) * (v - my) for i, v in pts) / sxx
    return slope, my - slope * mx


def _better_sign(direction: str, level: float, band: tuple[float, float] | None) -> int:
    """+1 when a rising value is good, -1 when falling is good. A band KPI: towards the band from
    outside it (below +1, above -1) and, inside it, towards its middle (at the middle falling counts
    as good); 0 when it has no band to aim at."""
    if direction == "higher":
        return 1
    if direction == "lower":
        return -1
    if band is None:
        return 0
    lo, hi = band
    return 1 if level < lo else -1 if level > hi else (1 if level < (lo + hi) / 2 else -1)


def trend_label(slope: float | None, level: float | None, direction: str, band: tuple[float, float] | None = None,
                flat_ratio: float = 0.02) -> str:
    if slope is None or level is None:
        return "unknown"
    if abs(slope) <= flat_ratio * abs(level) or slope == 0:
        return "flat"
    sign = _better_sign(direction, level, band)
    if sign == 0:
        return "flat"
    return "improving" if slope * sign > 0 else "declining"


def rolling_mean(values: Series, window: int = 3) -> list[float | None]:
    out: list[float | None] = []
    for i in range(len(values)):
        have = [v for v in values[max(0, i - window + 1): i + 1] if v is not None]
        out.append(sum(have) / len(have) if have else None)
    return out


def anomalies(values: Series, k: float = 3.0, min_points: int = 5) -> list[bool]:
    """Flag values beyond k median absolute deviations of the residuals from a Theil-Sen line."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None]
    flags = [False] * len(values)
    if len(pts) < min_points:
        return flags
    slopes = [(vj - vi) / (j - i) for a, (i, vi) in enumerate(pts) for (j, vj) in pts[a + 1:]]
    slope = statistics.median(slopes)
    intercept = statistics.median(v - slope * i for i, v in pts)
    res = [v - (intercept + slope * i) for i, v in pts]
    centre = statistics.median(res)
    mad = statistics.median(abs(r - centre) for r in res)
    # A floor on the MAD: a near-perfect line would otherwise flag rounding noise.
    mad = max(mad, 0.01 * abs(statistics.median(v for _, v in pts)), 1e-9)
    for (i, _), r in zip(pts, res):
        flags[i] = abs(r - centre) > k * mad
    return flags


def projection(periods: Sequence[Period], values: Series, slope: float | None, intercept: float | None,
               direction: str, target: float | None, band: tuple[float, float] | None = None,
               label: str = "", max_periods: int = 120) -> str | None:
    """The key of the period in which the trend line reaches the target (the last period's key when the
    last value already meets it); None when it never does."""
    if not periods or slope is None or intercept is None:
        return None
    last_i = len(periods) - 1
    last = next((v for v in reversed(values) if v is not None), None)
    goal = target
    if direction == "band":
        if band is None:
            return None
        if last is not None and band[0] <= last <= band[1]:
            return periods[-1].key
        goal = band[0] if (last or 0) < band[0] else band[1]
    if goal is None:
        return None
    meets = (lambda v: v <= goal) if direction == "lower" or (direction == "band" and goal == band[1]) \
        else (lambda v: v >= goal)  # type: ignore[index]
    if last is not None and meets(last):
        return periods[-1].key
    if label not in ("improving", "") or slope == 0:
        return None
    steps = (goal - (intercept + slope * last_i)) / slope
    if steps < 0 or steps > max_periods:
        return None
    p = periods[-1]
    for _ in range(max(1, math.ceil(steps))):
        p = p.next()
    return p.key


def analyse(periods: Sequence[Period], values: Series, direction: str, target: float | None = None,
            band: tuple[float, float] | None = None, last_n: int = 6, window: int = 3,
            flat_ratio: float = 0.02) -> Trend:
    """Everything a trend plot or a card needs about a series, in one call."""
    recent = list(values[-last_n:]) if last_n else list(values)
    offset = len(values) - len(recent)
    present = [v for v in recent if v is not None]
    fit = least_squares(recent) if len(present) >= 3 else None
    slope = intercept = None
    fitted: list[float | None] = [None] * len(values)
    if fit is not None:
        slope, b = fit
        intercept = b - slope * offset  # the same line, indexed over the whole series
        fitted = [intercept + slope * i if i >= offset else None for i in range(len(values))]
    level = sum(present) / len(present) if present else None
    label = trend_label(slope, level, direction, band, flat_ratio)
    return Trend(slope=slope, label=label,
                 projected_period=projection(periods, values, slope, intercept, direction, target, band, label),
                 fitted=fitted, anomalies=anomalies(values), rolling=rolling_mean(values, window))
