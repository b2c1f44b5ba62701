"""Status of a KPI value: 'on_target', 'off_target' (but within its trigger) or 'triggered'.

Direction-aware: lower is better, higher is better, or good inside a band. Each period is judged by
the target and trigger in force at its end (kpi_target history, per segment with a fallback to the
KPI-wide one, as catalog.target_at); a period older than the KPI's first target is judged by that
first target, so a KPI set up today still colours its history.
Triggers: 'relative' = more than X % worse than the baseline in the KPI's bad direction (for a band,
X % of the baseline beyond either edge); 'floor' / 'ceiling' = an absolute limit.
All numbers are in the KPI's unit (kpidesk/units.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kpidesk.periods import Period
from kpidesk.records import KpiRecord, TargetRecord

if TYPE_CHECKING:
    from kpidesk.store import Store

STATUSES = ("on_target", "off_target", "triggered")


@dataclass(frozen=True)
class Judgement:
    status: str | None  # None: nothing to judge (no value, or neither target nor trigger)
    target: float | None
    band: tuple[float, float] | None
    limits: tuple[float | None, float | None]  # triggered below limits[0] or above limits[1]
    rule: str  # the trigger rule in words, '' when there is none


def target_for(history: list[TargetRecord], when: dt.datetime, segment: str = "") -> TargetRecord | None:
    """The target in force at `when` for `segment` (else the KPI-wide one); before the first target
    of that segment, the first one."""
    for seg in ([segment, ""] if segment else [""]):
        mine = [t for t in history if t.segment == seg]
        if not mine:
            continue
        for t in reversed(mine):
            if t.valid_from <= when and (t.valid_to is None or when < t.valid_to):
                return t
        if when < min(t.valid_from for t in mine):
            return min(mine, key=lambda t: t.valid_from)
    return None


def trigger_limits(direction: str, kind: str | None, value: float | None, baseline: float | None,
                   band: tuple[float, float] | None = None) -> tuple[float | None, float | None]:
    """(low, high): the KPI is triggered below low or above high (None: no limit on that side)."""
    if kind is None or value is None:
        return (None, None)
    if kind == "floor":
        return (value, None)
    if kind == "ceiling":
        return (None, value)
    if baseline is None:  # a relative trigger without a baseline cannot fire
        return (None, None)
    margin = abs(baseline) * value / 100.0
    if direction == "lower":
        return (None, baseline + margin)
    if direction == "higher":
        return (baseline - margin, None)
    lo, hi = band if band else (baseline, baseline)
    return (lo - margin, hi + margin)


def judge(kpi: KpiRecord, value: float | None, target: TargetRecord | None) -> Judgement:
    """Judge one value by `target` (a kpi_target row; None: the KPI has neither target nor trigger)."""
    band = None
    tv = kind = trig = None
    if target is not None:
        tv, kind, trig = target.target_value, target.trigger_kind, target.trigger_value
        if target.band_low is not None and target.band_high is not None:
            band = (target.band_low, target.band_high)
    limits = trigger_limits(kpi.direction, kind, trig, kpi.baseline_value, band)
    rule = rule_text(kpi, kind, trig, limits)
    if value is None:
        return Judgement(None, tv, band, limits, rule)
    lo, hi = limits
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        status: str | None = "triggered"
    elif kpi.direction == "band" and band is not None:
        status = "on_target" if band[0] <= value <= band[1] else "off_target"
    elif kpi.direction != "band" and tv is not None:
        good = value <= tv if kpi.direction == "lower" else value >= tv
        status = "on_target" if good else "off_target"
    else:
        status = None
    return Judgement(status, tv, band, limits, rule)


def judge_period(kpi: KpiRecord, history: list[TargetRecord], period: Period, value: float | None,
                 segment: str | None = None) -> Judgement:
    seg = kpi.segment if segment is None else segment
    # The last moment of the period: a target changed mid-period judges that period.
    when = period.end_datetime - dt.timedelta(microseconds=1)
    return judge(kpi, value, target_for(history, when, seg) or _current(kpi))


def kpi_status(store: "Store", kpi_id: int, period: Period, value: float | None,
               segment: str | None = None) -> Judgement:
    """Status of `value` for the KPI in `period` (the UI's one call for a card or a table cell)."""
    kpi = store.get_kpi(kpi_id)
    return judge_period(kpi, store.target_history(kpi_id), period, value, segment)


def _current(kpi: KpiRecord) -> TargetRecord | None:
    # A KPI written without any kpi_target row (not through the Store): judge by its own fields.
    if not (kpi.has_target or kpi.has_trigger):
        return None
    return TargetRecord(kpi_id=kpi.id or 0, segment="", target_value=kpi.target_value, band_low=kpi.band_low,
                        band_high=kpi.band_high, trigger_kind=kpi.trigger_kind, trigger_value=kpi.trigger_value,
                        valid_from=dt.datetime.min, valid_to=None)


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    text = f"{value:.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    u = unit.strip()
    return f"{text} %" if u in ("%", "±%") else f"{text} {u}".rstrip()


def rule_text(kpi: KpiRecord, kind: str | None, trig: float | None,
              limits: tuple[float | None, float | None]) -> str:
    """The trigger as a sentence, e.g. 'more than 10 % worse than the baseline 24 hours (above 26.4 hours)'."""
    if kind is None or trig is None:
        return ""
    if kind == "floor":
        return f"below the floor of {fmt(trig, kpi.unit)}"
    if kind == "ceiling":
        return f"above the ceiling of {fmt(trig, kpi.unit)}"
    lo, hi = limits
    base = f"more than {trig:g} % worse than the baseline {fmt(kpi.baseline_value, kpi.unit)}"
    if lo is None and hi is None:
        return base + " (no baseline set yet)"
    parts = ([f"below {fmt(lo, kpi.unit)}"] if lo is not None else []) + \
            ([f"above {fmt(hi, kpi.unit)}"] if hi is not None else [])
    return f"{base} ({' or '.join(parts)})"
