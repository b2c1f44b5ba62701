"""Service API for the KPI catalogue: KPIs, their target history, objectives and measurements.
Mixed into store.Store; every method runs in its own unit of work."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import select

from kpidesk.errors import NotFound, ValidationError
from kpidesk.models import Kpi, KpiTarget, Measurement, Objective, utcnow
from kpidesk.records import Changes, KpiRecord, MeasurementRecord, ObjectiveRecord, TargetRecord, from_orm
from kpidesk.unit_of_work import UnitsOfWork
from kpidesk.validation import validate_kpi


TARGET_FIELDS = ("target_value", "band_low", "band_high", "trigger_kind", "trigger_value")


def _kpi_record(k: Kpi, names: dict[int, str] | None = None) -> KpiRecord:
    return from_orm(
        KpiRecord,
        k,
        objective_name=k.objective.name if k.objective else "",
        paired_kpi_name=(names or {}).get(k.paired_kpi_id or -1, ""),
    )


class CatalogApi(UnitsOfWork):
    # ------------------------------------------------------------ KPIs (read)

    def list_kpis(self) -> list[KpiRecord]:
        with self.read() as s:
            kpis = s.scalars(select(Kpi).order_by(Kpi.name)).all()
            names = {k.id: k.name for k in kpis}
            return [_kpi_record(k, names) for k in kpis]

    def get_kpi(self, kpi_id: int) -> KpiRecord:
        with self.read() as s:
            k = s.get(Kpi, kpi_id)
            if k is None:
                raise NotFound(f"There is no KPI with id {kpi_id}.")
            paired = s.get(Kpi, k.paired_kpi_id) if k.paired_kpi_id else None
            return _kpi_record(k, {paired.id: paired.name} if paired else {})

    def find_kpi(self, name: str) -> KpiRecord | None:
        with self.read() as s:
            k = s.scalar(select(Kpi).where(Kpi.name == name))
            return self.get_kpi(k.id) if k else None

    def target_history(self, kpi_id: int) -> list[TargetRecord]:
        with self.read() as s:
            rows = s.scalars(
                select(KpiTarget).where(KpiTarget.kpi_id == kpi_id).order_by(KpiTarget.valid_from, KpiTarget.id)
            ).all()
            return [from_orm(TargetRecord, t) for t in rows]

    def target_histories(self) -> dict[int, list[TargetRecord]]:
        """Every KPI's target history in one read (for screens that judge many KPIs at once)."""
        out: dict[int, list[TargetRecord]] = {}
        with self.read() as s:
            for t in s.scalars(select(KpiTarget).order_by(KpiTarget.valid_from, KpiTarget.id)):
                out.setdefault(t.kpi_id, []).append(from_orm(TargetRecord, t))
        return out

    def target_at(self, kpi_id: int, when: dt.datetime, segment: str = "") -> TargetRecord | None:
        """The target and trigger in force at `when` (for `segment`, falling back to the KPI-wide one),
        so each past period is judged by the target of its time."""
        history = self.target_history(kpi_id)
        for seg in ([segment, ""] if segment else [""]):
            for t in reversed(history):
                if t.segment == seg and t.valid_from <= when and (t.valid_to is None or when < t.valid_to):
                    return t
        return None

    # ------------------------------------------------------------ KPIs (write)

    def create_kpi(self, record: KpiRecord) -> tuple[KpiRecord, Changes]:
        problems = validate_kpi(record)
        if problems:
            raise ValidationError(problems)
        with self.write() as s:
            if s.scalar(select(Kpi.id).where(Kpi.name == record.name.strip())):
                raise ValidationError({"name": f"a KPI named {record.name.strip()!r} already exists"})
            k = Kpi(**record.editable_fields())
            k.name = record.name.strip()
            s.add(k)
            s.flush()
            _record_target(s, k, utcnow())
            new_id = k.id
        return self.get_kpi(new_id), Changes(kpis=True)

    def update_kpi(self, record: KpiRecord) -> tuple[KpiRecord, Changes]:
        """Save `record` over the KPI with its id. A change of target or trigger closes the old
        target's validity and opens a new one, keeping the history."""
        if record.id is None:
            raise NotFound("update_kpi needs a KPI id")
        problems = validate_kpi(record)
        if problems:
            raise ValidationError(problems)
        with self.write() as s:
            k = s.get(Kpi, record.id)
            if k is None:
                raise NotFound(f"There is no KPI with id {record.id}.")
            clash = s.scalar(select(Kpi.id).where(Kpi.name == record.name.strip(), Kpi.id != record.id))
            if clash:
                raise ValidationError({"name": f"a KPI named {record.name.strip()!r} already exists"})
            if record.paired_kpi_id == record.id:
                raise ValidationError({"paired_kpi_id": "a KPI cannot be paired with itself"})
            target_changed = any(getattr(k, f) != getattr(record, f) for f in TARGET_FIELDS)
            for name, value in record.editable_fields().items():
                setattr(k, name, value)
            k.name = record.name.strip()
            if target_changed:
                _record_target(s, k, utcnow())
        return self.get_kpi(record.id), Changes(kpis=True)

    def delete_kpi(self, kpi_id: int) -> Changes:
        with self.write() as s:
            k = s.get(Kpi, kpi_id)
            if k is None:
                raise NotFound(f"There is no KPI with id {kpi_id}.")
            s.delete(k)
        return Changes(kpis=True, measurements=True, reviews=True)

    def set_segment_target(self, kpi_id: int, segment: str, *, target_value: float | None = None,
                           band_low: float | None = None, band_high: float | None = None,
                           trigger_kind: str | None = None, trigger_value: float | None = None,
                           valid_from: dt.datetime | None = None) -> Changes:
        """Set the target (and trigger) of one segment, e.g. the MTTR target for P1 only."""
        when = valid_from or utcnow()
        with self.write() as s:
            if s.get(Kpi, kpi_id) is None:
                raise NotFound(f"There is no KPI with id {kpi_id}.")
            _close_open_target(s, kpi_id, segment, when)
            s.add(KpiTarget(kpi_id=kpi_id, segment=segment, target_value=target_value, band_low=band_low,
                            band_high=band_high, trigger_kind=trigger_kind, trigger_value=trigger_value,
                            valid_from=when))
        return Changes(kpis=True)

    # ------------------------------------------------------------ objectives

    def list_objectives(self) -> list[ObjectiveRecord]:
        with self.read() as s:
            return [from_orm(ObjectiveRecord, o) for o in s.scalars(select(Objective).order_by(Objective.name))]

    def create_objective(self, name: str, description: str = "") -> tuple[ObjectiveRecord, Changes]:
        if not name.strip():
            raise ValidationError({"name": "an objective needs a name"})
        with self.write() as s:
            o = Objective(name=name.strip(), description=description)
            s.add(o)
            s.flush()
            rec = from_orm(ObjectiveRecord, o)
        return rec, Changes(kpis=True)

    def update_objective(self, rec: ObjectiveRecord) -> Changes:
        with self.write() as s:
            o = s.get(Objective, rec.id)
            if o is None:
                raise NotFound(f"There is no objective with id {rec.id}.")
            o.name, o.description = rec.name.strip(), rec.description
        return Changes(kpis=True)

    def delete_objective(self, objective_id: int) -> Changes:
        with self.write() as s:
            o = s.get(Objective, objective_id)
            if o is not None:
                s.delete(o)
        return Changes(kpis=True)

    # ------------------------------------------------------------ measurements

    def add_measurements(self, records: Iterable[MeasurementRecord]) -> Changes:
        """Upsert KPI values by (kpi, scope, period, segment)."""
        rows = [
            dict(kpi_id=r.kpi_id, scope_key=r.scope_key, period=r.period, period_start=r.period_start,
                 segment=r.segment, value=r.value, count=r.count, source=r.source,
                 import_batch_id=r.import_batch_id, recorded_at=utcnow())
            for r in records
        ]
        if not rows:
            return Changes()
        stmt = upsert_insert(self.write_engine.dialect.name)(Measurement)
        stmt = stmt.on_conflict_do_update(
            index_elements=["kpi_id", "scope_key", "period", "segment"],
            set_={c: stmt.excluded[c] for c in ("value", "count", "source", "import_batch_id",
                                                  "recorded_at", "period_start")},
        )
        with self.write() as s:
            s.execute(stmt, rows)
        return Changes(measurements=True)

    def list_measurements(self, kpi_id: int, scope_key: str | None = None,
                          segment: str | None = None) -> list[MeasurementRecord]:
        with self.read() as s:
            q = select(Measurement).where(Measurement.kpi_id == kpi_id)
            if scope_key is not None:
                q = q.where(Measurement.scope_key == scope_key)
            if segment is not None:
                q = q.where(Measurement.segment == segment)
            return [from_orm(MeasurementRecord, m) for m in s.scalars(q.order_by(Measurement.period))]


def _close_open_target(s, kpi_id: int, segment: str, when: dt.datetime) -> None:
    for t in s.scalars(select(KpiTarget).where(KpiTarget.kpi_id == kpi_id, KpiTarget.segment == segment,
                                               KpiTarget.valid_to.is_(None))):
        t.valid_to = when


def _record_target(s, k: Kpi, when: dt.datetime) -> None:
    _close_open_target(s, k.id, "", when)
    if any(getattr(k, f) is not None for f in TARGET_FIELDS):
        s.add(KpiTarget(kpi_id=k.id, segment="", valid_from=when,
                        **{f: getattr(k, f) for f in TARGET_FIELDS}))


def upsert_insert(dialect: str):
    """The INSERT that takes ON CONFLICT DO UPDATE for this backend (the same call on both)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
