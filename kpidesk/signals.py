"""The one vocabulary for what a KPI value says: the dashboard's cards and buttons, the plots' legends,
the KPI table, the appraisal PDF and the workbook all take their words from here, so the same value
reads the same everywhere (tests/core/test_signals.py checks every surface against it).

Status of one value (by the target and trigger in force in its period, kpidesk.metrics.status):
    no_data      there is no value for the period ("No data"): never drawn or printed as 0
    few          a value resting on fewer tickets than the minimum count ("Too few to judge")
    no_target    a value with neither target nor trigger to judge it by ("No target")
    on_target    at or better than the target
    off_target   worse than the target, not past the trigger
    triggered    past its trigger ("Past trigger"): the KPI's last full period opens a review
A KPI judged in three bands (KpiRecord.bands) says the last two its own way: "Watch" (worse than the
target, short of the act line) and "Act" (past the act line, which is its trigger): the same
judgement, the same colours and shapes, the words of a three-band scorecard.
Each has a shape beside its colour, so it reads in greyscale and to a screen reader.

Trend: the arrow says which way the value moves, the word after it whether that is better or worse
by the KPI's direction ("↓ falling, better" for an MTTR coming down): arrow and word never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

ARROW_UP, ARROW_DOWN, ARROW_FLAT = "\u2191", "\u2193", "\u2192"


@dataclass(frozen=True)
class Signal:
    key: str
    word: str
    shape: str  # circle | triangle | diamond | ring
    colour: str
    meaning: str


SIGNALS: dict[str, Signal] = {s.key: s for s in (
    Signal("on_target", "On target", "circle", "#2f855a", "at or better than its target"),
    Signal("off_target", "Off target", "triangle", "#b7791f", "worse than its target, not past its trigger"),
    Signal("triggered", "Past trigger", "diamond", "#c53030",
           "past its trigger: a review opens for the last full period"),
    Signal("few", "Too few to judge", "ring", "#9fb3c8", "rests on too few tickets to judge"),
    Signal("no_target", "No target", "ring", "#829ab1", "has no target or trigger to judge it by"),
    Signal("no_data", "No data", "ring", "#9fb3c8", "has no value for this period"),
)}
JUDGED = ("on_target", "off_target", "triggered")
BAND_SIGNALS = {
    "off_target": Signal("watch", "Watch", "triangle", "#b7791f", "worse than its target, short of its act line"),
    "triggered": Signal("act", "Act", "diamond", "#c53030", "past its act line: a review opens for the last full period"),
}

# How the reference lines are drawn in the app's plots and the PDF's alike (the legend says so).
LINE_STYLES = {"baseline": "dotted", "target": "dashed"}


def status_key(status: Optional[str], value: Optional[float], *, few: bool = False) -> str:
    """The signal for a value: `status` is the judgement (on_target | off_target | triggered | None)."""
    if value is None:
        return "no_data"
    if few:
        return "few"
    return status if status in JUDGED else "no_target"


def signal(status: Optional[str], value: Optional[float], *, few: bool = False, bands: bool = False) -> Signal:
    key = status_key(status, value, few=few)
    return BAND_SIGNALS[key] if bands and key in BAND_SIGNALS else SIGNALS[key]


def status_word(status: Optional[str], value: Optional[float], *, few: bool = False, bands: bool = False) -> str:
    return signal(status, value, few=few, bands=bands).word


def judge_line(value: Optional[float], target: Optional[float], direction: str,
               band: Optional[tuple[float, float]] = None) -> Optional[str]:
    """on_target | off_target | None (nothing to judge) for a value and its target alone, where no
    trigger is at hand (an appraisal line judges the person against the role's target): the rule of
    kpidesk.metrics.status.judge with no trigger."""
    import datetime as dt

    from kpidesk.metrics.status import judge
    from kpidesk.records import KpiRecord, TargetRecord

    goal = TargetRecord(kpi_id=0, segment="", target_value=target, band_low=band[0] if band else None,
                        band_high=band[1] if band else None, trigger_kind=None, trigger_value=None,
                        valid_from=dt.datetime.min, valid_to=None)
    return judge(KpiRecord(name="", direction=direction), value, goal).status


def trend_phrase(move: Optional[str], better: Optional[bool]) -> str:
    """move: up | down | flat | None (too little data); better: whether the move is good."""
    if move is None:
        return "\u2013 too little data"
    if move == "flat":
        return f"{ARROW_FLAT} steady"
    arrow, verb = (ARROW_UP, "rising") if move == "up" else (ARROW_DOWN, "falling")
    if better is None:
        return f"{arrow} {verb}"
    return f"{arrow} {verb}, {'better' if better else 'worse'}"


def trend_of_label(label: str, slope: Optional[float]) -> str:
    """The phrase for kpidesk.metrics.trend's label (improving | declining | flat | unknown) and slope."""
    if label == "flat":
        return trend_phrase("flat", None)
    if label not in ("improving", "declining") or not slope:
        return trend_phrase(None, None)
    return trend_phrase("up" if slope > 0 else "down", label == "improving")


def _distance_to_band(value: float, band: tuple[float, float]) -> float:
    return max(band[0] - value, 0.0, value - band[1])


def change_phrase(now: Optional[float], then: Optional[float], then_period: str, direction: str, unit: str,
                  band: Optional[tuple[float, float]] = None) -> str:
    """Period over period, direction-aware: '↓ 2.1 h better than 2026-09' for an MTTR that fell,
    '↑ 3.0 pts worse than 2025-10' for a rate that rose where lower is better. A band KPI is better
    when it comes closer to its band. No value on either side: 'no value in 2025-10 to compare'."""
    from kpidesk.units import fmt_value, is_percent

    if now is None or then is None:
        return f"no value in {then_period} to compare"
    delta = now - then
    if abs(delta) < 1e-9:
        return f"{ARROW_FLAT} same as {then_period}"
    size = f"{abs(delta):.1f} pts" if is_percent(unit) else fmt_value(abs(delta), unit)
    arrow = ARROW_UP if delta > 0 else ARROW_DOWN
    if direction == "band":
        if band is None:
            return f"{arrow} {size} against {then_period}"
        gap_now, gap_then = _distance_to_band(now, band), _distance_to_band(then, band)
        if abs(gap_now - gap_then) < 1e-9:
            return f"{arrow} {size}, as near its band as in {then_period}"
        better = gap_now < gap_then
    else:
        better = delta < 0 if direction == "lower" else delta > 0
    return f"{arrow} {size} {'better' if better else 'worse'} than {then_period}"
