"""Field rules for KPIs, shared by the service API (which refuses bad records) and the editor form
(which shows the same messages beside the fields)."""
from __future__ import annotations

from kpidesk.models import CADENCES, CATEGORIES, DIRECTIONS, LEVELS, TRIGGER_KINDS, VALUE_SOURCES
from kpidesk.records import KpiRecord

from kpidesk.units import PERCENT_UNITS
# Units whose values cannot be negative.
NON_NEGATIVE_UNITS = set(PERCENT_UNITS) | {"hours", "h", "minutes", "min", "days", "count", "tickets", "score"}


def is_percent(unit: str) -> bool:
    return unit.strip().lower() in PERCENT_UNITS


def _check_value(problems: dict[str, str], field: str, label: str, value: float | None, unit: str) -> None:
    if value is None:
        return
    if not isinstance(value, (int, float)) or value != value:  # NaN
        problems[field] = f"{label} must be a number"
        return
    u = unit.strip().lower()
    if u in PERCENT_UNITS and not 0 <= value <= 100:
        problems[field] = f"{label} is a percentage: it must be between 0 and 100"
    elif u in NON_NEGATIVE_UNITS and value < 0:
        problems[field] = f"{label} cannot be negative for a value in {unit}"


def validate_kpi(k: KpiRecord) -> dict[str, str]:
    """Return {field: message} for every rule the record breaks; empty when it is valid."""
    p: dict[str, str] = {}
    if not k.name or not k.name.strip():
        p["name"] = "a KPI needs a name"
    elif len(k.name) > 200:
        p["name"] = "the name is longer than 200 characters"
    if k.category not in CATEGORIES:
        p["category"] = f"category must be one of: {', '.join(CATEGORIES)}"
    if k.direction not in DIRECTIONS:
        p["direction"] = "direction must be higher, lower or band"
    if k.level not in LEVELS:
        p["level"] = "level must be individual or team"
    if k.cadence is not None and k.cadence not in CADENCES:
        p["cadence"] = f"cadence must be one of: {', '.join(CADENCES)}"
    if k.value_source not in VALUE_SOURCES:
        p["value_source"] = "values come from tickets (computed), entered values, or a formula"
    if k.value_source == "computed" and not k.metric:
        p["metric"] = "a computed KPI needs the ticket metric it is computed from"
    if k.value_source == "formula" and not k.formula.strip():
        p["formula"] = "a formula KPI needs a formula, e.g. [Monthly cost] / [Resolved tickets]"

    _check_value(p, "target_value", "The target", k.target_value, k.unit)
    _check_value(p, "baseline_value", "The baseline", k.baseline_value, k.unit)
    _check_value(p, "band_low", "The band's low end", k.band_low, k.unit)
    _check_value(p, "band_high", "The band's high end", k.band_high, k.unit)
    if k.direction == "band":
        if (k.band_low is None) != (k.band_high is None):
            p["band_high"] = "a band needs both a low and a high end"
        elif k.band_low is not None and k.band_high is not None and k.band_low > k.band_high:
            p["band_high"] = "the band's high end is below its low end"

    if k.baseline_from and k.baseline_to and k.baseline_from > k.baseline_to:
        p["baseline_to"] = "the baseline window ends before it starts"

    if (k.trigger_kind is None) != (k.trigger_value is None):
        p["trigger_value"] = "a review trigger needs both its kind and its value"
    elif k.trigger_kind is not None:
        if k.trigger_kind not in TRIGGER_KINDS:
            p["trigger_kind"] = "the trigger is relative to the baseline, a floor or a ceiling"
        elif k.trigger_kind == "relative":
            if k.baseline_value is None:
                p["trigger_kind"] = (
                    "a trigger relative to the baseline needs a baseline; set one, or use an "
                    "absolute floor or ceiling"
                )
            if k.trigger_value is not None and not 0 < k.trigger_value <= 100:
                p["trigger_value"] = "a relative trigger is a percentage of the baseline, above 0 and up to 100"
        else:
            _check_value(p, "trigger_value", "The trigger limit", k.trigger_value, k.unit)
    if k.bands and not p:
        _check_bands(p, k)
    return p


def _check_bands(p: dict[str, str], k: KpiRecord) -> None:
    """Three bands need both edges, and the act line on the bad side of the target (else the watch
    band would be empty or inverted)."""
    from kpidesk.metrics.status import trigger_limits

    if not (k.has_target and k.has_trigger):
        p["bands"] = ("three bands need a target (the edge of 'on target') and a trigger (the edge of 'act'); "
                      "set both, or keep one trigger line")
        return
    band = (k.band_low, k.band_high) if k.direction == "band" else None
    lo, hi = trigger_limits(k.direction, k.trigger_kind, k.trigger_value, k.baseline_value, band)
    if k.direction == "lower" and hi is not None and hi < k.target_value:  # type: ignore[operator]
        p["bands"] = (f"the act line ({hi:g}) is below the target ({k.target_value:g}): for a lower-is-better "
                      "KPI the act line must be above the target")
    elif k.direction == "higher" and lo is not None and lo > k.target_value:  # type: ignore[operator]
        p["bands"] = (f"the act line ({lo:g}) is above the target ({k.target_value:g}): for a higher-is-better "
                      "KPI the act line must be below the target")
    elif k.direction == "band" and band is not None and (
            (lo is not None and lo > band[0]) or (hi is not None and hi < band[1])):
        p["bands"] = "the act lines must lie outside the target band"
