"""Baselines: the mean of the 3 to 6 full periods before a date (DESIGN.md), stored on the KPI with
the window it came from, so a relative trigger and a trend plot can say what they compare with."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from kpidesk.errors import NotFound, ValidationError
from kpidesk.metrics.kpi_values import kpi_values
from kpidesk.metrics.model import granularity_of
from kpidesk.models import Kpi
from kpidesk.periods import Period, period_containing
from kpidesk.records import Changes, KpiRecord

if TYPE_CHECKING:
    from kpidesk.store import Store

MIN_PERIODS, MAX_PERIODS = 3, 6
_NAMES = {"week": "weeks", "month": "months", "quarter": "quarters", "half": "half-years", "year": "years"}


def baseline_window(before: dt.date, periods: int, granularity: str) -> list[Period]:
    """The `periods` full periods that end on or before `before` (a period still running is left out)."""
    p = period_containing(before, granularity).previous()
    out = [p]
    while len(out) < periods:
        out.insert(0, out[0].previous())
    return out


def compute_baseline(store: "Store", kpi_id: int, before: dt.date, periods: int = 3, scope_key: str = "desk",
                     segment: str | None = None) -> tuple[float, list[Period]]:
    """(baseline value in the KPI's unit, its window) without saving; ValidationError when the window
    lacks data. Every period of the window must have a value: a mean over fewer periods than the
    manager chose would not be the baseline they asked for."""
    if not MIN_PERIODS <= periods <= MAX_PERIODS:
        raise ValidationError({"periods": f"a baseline is the mean of {MIN_PERIODS} to {MAX_PERIODS} full periods"})
    kpi = store.get_kpi(kpi_id)
    gran = granularity_of(kpi.cadence)
    window = baseline_window(before, periods, gran)
    values = kpi_values(store, kpi, window, scope_key, segment)
    have = [values[p.key][0] for p in window if p.key in values and values[p.key][0] is not None]
    if len(have) < periods:
        missing = ", ".join(p.key for p in window if p.key not in values)
        raise ValidationError({"baseline": (
            f"only {len(have)} of the {periods} full {_NAMES[gran]} before {before.isoformat()} have a value for "
            f"{kpi.name} (missing: {missing}); pick a later date or fewer {_NAMES[gran]}")})
    return sum(have) / len(have), window  # type: ignore[arg-type]


def set_baseline(store: "Store", kpi_id: int, before: dt.date, periods: int = 3, scope_key: str = "desk",
                 segment: str | None = None) -> tuple[KpiRecord, Changes]:
    """Compute the baseline and store it with its window (baseline_from/to/periods) on the KPI."""
    value, window = compute_baseline(store, kpi_id, before, periods, scope_key, segment)
    with store.write() as s:
        k = s.get(Kpi, kpi_id)
        if k is None:
            raise NotFound(f"There is no KPI with id {kpi_id}.")
        k.baseline_value = value
        k.baseline_from, k.baseline_to = window[0].start, window[-1].last_day
        k.baseline_periods = len(window)
    return store.get_kpi(kpi_id), Changes(kpis=True)
