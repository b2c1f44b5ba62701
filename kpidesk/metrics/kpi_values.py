"""A KPI's values per period for one scope, in the KPI's own unit, whatever their source:
computed from tickets (live, through the engine), entered or imported (Measurements), or a formula
over other KPIs. Every consumer (status, baseline, reviews, trends, plots) reads values here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from kpidesk.errors import NotFound, ValidationError
from kpidesk.metrics.engine import compute_all
from kpidesk.metrics.formula import parse_formula
from kpidesk.metrics.model import Scope, granularity_of, split_of_segment
from kpidesk.models import Measurement
from kpidesk.periods import Period
from kpidesk.records import KpiRecord
from kpidesk.units import metric_to_kpi

if TYPE_CHECKING:
    from kpidesk.store import Store

Values = dict[str, tuple[float | None, int | None]]  # period key -> (value, count)


def kpi_record(store: "Store", kpi: KpiRecord | int) -> KpiRecord:
    return kpi if isinstance(kpi, KpiRecord) else store.get_kpi(kpi)


def kpi_values(store: "Store", kpi: KpiRecord | int, periods: list[Period], scope_key: str = "desk",
               segment: str | None = None, _stack: tuple[int, ...] = (), stored: bool = False) -> Values:
    """{period key: (value, count)} for the periods that have a value. `segment` None means the KPI's
    own segment (an 'MTTR P1' KPI reads P1). Periods are one contiguous run of one length.
    stored: a computed KPI's values are read as stored (kpidesk/metrics/recompute.py, kept true by
    every action) where they are stored (its own segment, by its cadence or by month), not computed."""
    k = kpi_record(store, kpi)
    if not periods:
        return {}
    seg = k.segment if segment is None else segment
    if k.value_source == "computed":
        if stored and seg == k.segment and periods[0].granularity in (granularity_of(k.cadence), "month"):
            return _stored(store, k.id, periods, scope_key, seg)  # type: ignore[arg-type]
        return _computed(store, k, periods, scope_key, seg)
    if k.value_source == "formula":
        return _formula(store, k, periods, scope_key, _stack)
    return _stored(store, k.id, periods, scope_key, seg)  # type: ignore[arg-type]


def _computed(store: "Store", k: KpiRecord, periods: list[Period], scope_key: str, seg: str) -> Values:
    if scope_key != "desk" and not scope_key.startswith(("team:", "technician:", "group:")):
        return _stored(store, k.id, periods, scope_key, seg)  # type: ignore[arg-type]
    rows = compute_all(store, granularity=periods[0].granularity, first=periods[0], last=periods[-1],
                       split=split_of_segment(seg), metrics=[k.metric], only=Scope.parse(scope_key))
    wanted = {p.key for p in periods}
    return {v.period: (metric_to_kpi(k.metric, k.unit, v.value), v.count) for v in rows
            if v.kpi == k.metric and v.segment == (seg or None) and v.period in wanted and v.value is not None}


def _stored(store: "Store", kpi_id: int, periods: list[Period], scope_key: str, seg: str) -> Values:
    with store.read() as s:
        rows = s.execute(select(Measurement.period, Measurement.value, Measurement.count).where(
            Measurement.kpi_id == kpi_id, Measurement.scope_key == scope_key, Measurement.segment == (seg or ""),
            Measurement.period.in_([p.key for p in periods]))).all()
    return {p: (v, c) for p, v, c in rows if v is not None}


def _formula(store: "Store", k: KpiRecord, periods: list[Period], scope_key: str, stack: tuple[int, ...]) -> Values:
    if k.id in stack:
        raise ValidationError({"formula": f"the formula of {k.name!r} refers back to itself"})
    f = parse_formula(k.formula)
    inputs: dict[str, Values] = {}
    for name in f.refs:
        ref = store.find_kpi(name)
        if ref is None:
            raise NotFound(f"The formula of {k.name!r} refers to {name!r}, and there is no KPI of that name.")
        inputs[name] = kpi_values(store, ref, periods, scope_key, None, stack + (k.id,))  # type: ignore[operator]
    out: Values = {}
    for p in periods:
        value = f.evaluate({name: vals.get(p.key, (None, None))[0] for name, vals in inputs.items()})
        if value is not None:
            counts = [vals[p.key][1] for vals in inputs.values() if vals.get(p.key, (None, None))[1] is not None]
            out[p.key] = (value, min(counts) if counts else None)  # type: ignore[type-var]
    return out
