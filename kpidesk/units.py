"""Units: one convention, in one place.

- The metrics engine and its JSON speak DESIGN.md's language: rates are fractions 0..1.
- A KPI's own numbers (target, band, baseline, absolute trigger limits, and its Measurement values)
  are in the KPI's unit as the manager types and reads them: for a '%' KPI, percentage points
  (75.0 means 75 %). A relative trigger is always a percentage of the baseline (10.0 = 10 % worse).
Convert only here, when a computed metric value becomes a KPI value and back.
"""
from __future__ import annotations

from typing import Optional

PERCENT_UNITS = frozenset({"%", "percent", "pct"})
RATE_METRICS = frozenset({"fcr_rate", "sla_compliance", "csat_response_rate", "csat_positive_rate",
                          "escalation_rate", "reopen_rate"})


def is_percent(unit: str) -> bool:
    return unit.strip().lower() in PERCENT_UNITS


def metric_to_kpi(metric: str, unit: str, value: float | None) -> float | None:
    """A metric engine value (fraction for rates) in the KPI's unit (percentage points for '%')."""
    if value is None:
        return None
    if metric in RATE_METRICS and is_percent(unit):
        return value * 100.0
    return value


def kpi_to_metric(metric: str, unit: str, value: float | None) -> float | None:
    if value is None:
        return None
    if metric in RATE_METRICS and is_percent(unit):
        return value / 100.0
    return value


# How a KPI's value reads, by its unit (the PDF, the cards and the CLI alike; export.formats re-exports).
def unit_kind(unit: str) -> str:
    u = (unit or "").strip().lower()
    if u in ("hours", "hour", "h"):
        return "hours"
    if is_percent(u):
        return "pct"
    if u in ("±%", "+/-%"):
        return "signed_pct"
    if u == "score":
        return "score"
    if u in ("tickets", "count", "number", "#"):
        return "count"
    return "other"


def fmt_value(value: Optional[float], unit: str = "") -> str:
    """'12.3 h', '76.0 %', '+3.5 %', '4.35', '42', or '-' when there is no value."""
    if value is None:
        return "\u2013"
    kind = unit_kind(unit)
    if kind == "hours":
        return f"{value:.1f} h"
    if kind == "pct":
        return f"{value:.1f} %"
    if kind == "signed_pct":
        return f"{value:+.1f} %"
    if kind == "score":
        return f"{value:.2f}"
    if kind == "count":
        return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    text = f"{value:g}"
    return f"{text} {unit}".strip()
