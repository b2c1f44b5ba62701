"""Numbers as people read them (PDF) and as Excel stores them (workbook), from one place.

Units follow the KPI catalogue and kpidesk/units.py: KPI values are in the KPI's own unit, so '%'
and '±%' are percentage points (75.0 means 75 %), 'score', 'tickets'/'count', anything else shown as is. Excel gets percentages as
fractions so the 0.0% format shows them right.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional, Sequence

from kpidesk.signals import trend_phrase
from kpidesk.units import fmt_value, is_percent, unit_kind  # noqa: F401  (fmt_value, unit_kind: re-exported)

# Excel number formats. Plain strings, kept here rather than beside the workbook writer so that
# formatting a number never imports openpyxl (0.18 s at the app's start).
PCT = "0.0%"
SIGNED_PCT = '+0.0%;-0.0%;0.0%'
HOURS = '0.0 "h"'
SCORE = "0.00"
DECIMAL = "0.0"
INTEGER = "0"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"


def fmt_target(target: Optional[float], unit: str, direction: str,
               band: Optional[tuple[float, float]] = None) -> str:
    if direction == "band" and band is not None:
        return f"{fmt_value(band[0], unit)} to {fmt_value(band[1], unit)}"
    if target is None:
        return "\u2013"
    sign = {"higher": "\u2265 ", "lower": "\u2264 "}.get(direction, "")
    return sign + fmt_value(target, unit)


def excel_number(value: Optional[float], unit: str) -> tuple[Optional[float], Optional[str]]:
    """(value as Excel should hold it, number format)."""
    kind = unit_kind(unit)
    if value is None:
        return None, None
    if kind == "pct":
        return value / 100.0, PCT
    if kind == "signed_pct":
        return value / 100.0, SIGNED_PCT
    if kind == "hours":
        return value, HOURS
    if kind == "score":
        return value, SCORE
    if kind == "count":
        return value, INTEGER if float(value).is_integer() else DECIMAL
    return value, None


def fmt_rating(rating: Optional[float], scale: tuple[int, int] = (1, 5), words: Sequence[str] = ()) -> str:
    """'4 / 5 (Above expectations)'; a mean between points has no word: '3.4 / 5'."""
    if rating is None:
        return "not rated"
    from kpidesk.settings import rating_word

    text = f"{rating:.1f}".rstrip("0").rstrip(".")
    word = rating_word(rating, scale, words)
    return f"{text} / {scale[1]}{f' ({word})' if word else ''}"


def fmt_date(value: Optional[dt.date | dt.datetime]) -> str:
    if value is None:
        return "\u2013"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def trend_direction(values: Sequence[Optional[float]], rel_threshold: float = 0.03) -> str:
    """'up', 'down' or 'flat': this period against the mean of the earlier ones (a single period's
    wobble against the one before is noise; the mean of up to five earlier periods is steadier)."""
    known = [v for v in values if v is not None]
    if len(known) < 2 or values[-1] is None:
        return "flat"
    last, earlier = known[-1], known[:-1][-5:]
    mean = sum(earlier) / len(earlier)
    scale = max(abs(mean), abs(last), 1e-9)
    if abs(last - mean) / scale < rel_threshold:
        return "flat"
    return "up" if last > mean else "down"


def trend_label(values: Sequence[Optional[float]], direction: str,
                band: Optional[tuple[float, float]] = None) -> str:
    """The trend in the words of kpidesk.signals ('↑ rising, better'), so it reads in greyscale, to a
    screen reader, and the same as on the dashboard."""
    if sum(v is not None for v in values) < 2 or values[-1] is None:
        return trend_phrase(None, None)  # not 'steady': an empty series is not a stable one
    move = trend_direction(values)
    if move == "flat":
        return trend_phrase("flat", None)
    if direction == "band" and band is not None:
        known = [v for v in values if v is not None]
        mid = (band[0] + band[1]) / 2
        return trend_phrase(move, abs(known[-1] - mid) < abs(sum(known[:-1]) / len(known[:-1]) - mid))
    return trend_phrase(move, (move == "up") == (direction != "lower"))
