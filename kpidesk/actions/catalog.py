"""The KPI catalogue: create, edit, delete, targets, baselines, templates. A KPI computed from
tickets gets its values computed when it is created or its metric changes; any change to what a
KPI is judged by (target, trigger, baseline) re-judges it."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Iterable

from kpidesk.actions.derived import refresh
from kpidesk.actions.outcome import Outcome
from kpidesk.metrics import baseline
from kpidesk.metrics.recompute import forget_computed
from kpidesk.records import KpiRecord, ObjectiveRecord
from kpidesk.templates import KPI_TEMPLATES, add_kpi_from_template

if TYPE_CHECKING:
    from kpidesk.store import Store

# What a computed KPI's stored values depend on: a change of any of these computes them again.
VALUE_FIELDS = ("value_source", "metric", "segment", "cadence", "unit")


def _computed(k: KpiRecord) -> bool:
    return k.value_source == "computed"


def create_kpi(store: "Store", record: KpiRecord, today: dt.date | None = None) -> Outcome[KpiRecord]:
    created, changes = store.create_kpi(record)
    more, opened = refresh(store, kpi_ids=[created.id] if _computed(created) else (), today=today)  # type: ignore[list-item]
    return Outcome(created, changes | more, opened)


def update_kpi(store: "Store", record: KpiRecord, today: dt.date | None = None) -> Outcome[KpiRecord]:
    before = store.get_kpi(record.id) if record.id is not None else None  # type: ignore[arg-type]
    saved, changes = store.update_kpi(record)
    moved = before is not None and any(getattr(before, f) != getattr(saved, f) for f in VALUE_FIELDS)
    if moved and before is not None and _computed(before) and not _computed(saved):
        changes |= forget_computed(store, saved.id)  # type: ignore[arg-type]
    more, opened = refresh(store, kpi_ids=[saved.id] if moved and _computed(saved) else (), today=today)  # type: ignore[list-item]
    return Outcome(saved, changes | more, opened)


def delete_kpi(store: "Store", kpi_id: int) -> Outcome[None]:
    return Outcome(None, store.delete_kpi(kpi_id))  # its values and reviews go with it


def set_segment_target(store: "Store", kpi_id: int, segment: str, *, today: dt.date | None = None,
                       **target: object) -> Outcome[None]:
    changes = store.set_segment_target(kpi_id, segment, **target)  # type: ignore[arg-type]
    more, opened = refresh(store, kpi_ids=(), today=today)
    return Outcome(None, changes | more, opened)


def set_baseline(store: "Store", kpi_id: int, before: dt.date, periods: int = 3, scope_key: str = "desk",
                 segment: str | None = None, today: dt.date | None = None) -> Outcome[KpiRecord]:
    """Compute and keep a KPI's baseline; a relative trigger is then judged against it."""
    rec, changes = baseline.set_baseline(store, kpi_id, before, periods, scope_key, segment)
    more, opened = refresh(store, kpi_ids=(), today=today)
    return Outcome(rec, changes | more, opened)


def add_templates(store: "Store", keys: Iterable[str] | None = None, owner: str = "",
                  today: dt.date | None = None, skip_existing: bool = False) -> Outcome[list[KpiRecord]]:
    """Add KPIs from the templates (all of them by default); a name already taken gets a number,
    or with `skip_existing` the template is left out (and said so in the notes)."""
    unknown = [k for k in (keys or ()) if k not in KPI_TEMPLATES]
    if unknown:
        from kpidesk.errors import ValidationError

        raise ValidationError({"templates": f"unknown template(s) {', '.join(unknown)}; they are "
                                            f"{', '.join(KPI_TEMPLATES)}"})
    wanted = list(keys or KPI_TEMPLATES)
    skipped: list[str] = []
    if skip_existing:
        have = {k.name.casefold() for k in store.list_kpis()}
        skipped = [KPI_TEMPLATES[k].name for k in wanted if KPI_TEMPLATES[k].name.casefold() in have]
        wanted = [k for k in wanted if KPI_TEMPLATES[k].name.casefold() not in have]
    made = [add_kpi_from_template(store, key, owner=owner)[0] for key in wanted]
    from kpidesk.records import Changes

    changes, opened = refresh(store, kpi_ids=[k.id for k in made if _computed(k)], today=today)  # type: ignore[misc]
    out = Outcome(made, Changes(kpis=bool(made)) | changes, opened)
    if skipped:
        out.notes.append(f"Already in the catalogue, not added again: {', '.join(skipped)}.")
    return out


def create_objective(store: "Store", name: str, description: str = "") -> Outcome[ObjectiveRecord]:
    """A business objective KPIs can serve."""
    rec, changes = store.create_objective(name, description)
    return Outcome(rec, changes)
