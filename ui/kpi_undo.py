"""Undoable KPI edits: QUndoCommands that call the Store (create, edit, delete).

Invariants:
- A command does its first run in `apply()` before it is pushed, so a refused edit (ValidationError)
  raises to the form and nothing lands on the stack. `redo()` skips that first call from push().
- Deleting and then undoing re-creates the KPI under a new database id; `KpiIds` maps the id a
  command first saw to the current one, so older commands on the stack still find their KPI.
- Undoing a delete restores the definition, the pairings that pointed at it and its role-profile
  memberships; its recorded values and target history are gone (the delete dialog says so).
- Errors during undo/redo (the database changed under us) go to `KpiEditContext.failed`.
"""
from __future__ import annotations

import dataclasses

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from kpidesk import actions
from kpidesk.records import Changes, KpiRecord, RoleKpiRecord
from kpidesk.store import Store


class KpiEditContext(QObject):
    """What the commands share: the Store, the id map, and signals for the screen."""

    changed = Signal(object, object)  # Changes, kpi id to select (or None)
    failed = Signal(object)  # exception

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._ids: dict[int, int] = {}

    def current_id(self, original: int | None) -> int | None:
        if original is None:
            return None
        seen: set[int] = set()
        while original in self._ids and original not in seen:
            seen.add(original)
            original = self._ids[original]
        return original

    def remap(self, original: int, current: int) -> None:
        if original != current:
            self._ids[original] = current

    def resolved(self, rec: KpiRecord) -> KpiRecord:
        return dataclasses.replace(rec, id=self.current_id(rec.id), paired_kpi_id=self.current_id(rec.paired_kpi_id))


class _KpiCommand(QUndoCommand):
    def __init__(self, ctx: KpiEditContext, text: str) -> None:
        super().__init__(text)
        self.ctx = ctx
        self._first = True

    def apply(self) -> None:
        """First run, before push(); raises on a refused edit."""
        self._do()

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._guard(self._do)

    def undo(self) -> None:
        self._guard(self._undo)

    def _guard(self, fn) -> None:  # noqa: ANN001
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - reported to the screen, which shows it
            self.ctx.failed.emit(exc)

    def _do(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError


class CreateKpiCommand(_KpiCommand):
    def __init__(self, ctx: KpiEditContext, record: KpiRecord) -> None:
        super().__init__(ctx, f"add KPI {record.name!r}")
        self.record = dataclasses.replace(record, id=None)
        self.original_id: int | None = None

    def _do(self) -> None:
        rec = self.ctx.resolved(dataclasses.replace(self.record, id=None))
        done = actions.create_kpi(self.ctx.store, rec)
        created, changes = done.result, done.changes
        assert created.id is not None
        if self.original_id is None:
            self.original_id = created.id
        else:
            self.ctx.remap(self.original_id, created.id)
        self.ctx.changed.emit(changes, created.id)

    def _undo(self) -> None:
        changes = actions.delete_kpi(self.ctx.store, self.ctx.current_id(self.original_id)).changes  # type: ignore[arg-type]
        self.ctx.changed.emit(changes, None)


class EditKpiCommand(_KpiCommand):
    def __init__(self, ctx: KpiEditContext, before: KpiRecord, after: KpiRecord) -> None:
        super().__init__(ctx, f"edit KPI {after.name!r}")
        self.before, self.after = before, dataclasses.replace(after, id=before.id)

    def _save(self, rec: KpiRecord) -> None:
        done = actions.update_kpi(self.ctx.store, self.ctx.resolved(rec))
        self.ctx.changed.emit(done.changes, done.result.id)

    def _do(self) -> None:
        self._save(self.after)

    def _undo(self) -> None:
        self._save(self.before)


class DeleteKpiCommand(_KpiCommand):
    def __init__(self, ctx: KpiEditContext, record: KpiRecord) -> None:
        super().__init__(ctx, f"delete KPI {record.name!r}")
        self.record = record
        self._paired_from: list[int] = []  # KPIs whose counterpart this one was
        self._roles: list[tuple[int, int, RoleKpiRecord]] = []  # (role id, position, membership)

    def _do(self) -> None:
        store, kid = self.ctx.store, self.ctx.current_id(self.record.id)
        assert kid is not None
        self._paired_from = [k.id for k in store.list_kpis() if k.paired_kpi_id == kid and k.id is not None]
        self._roles = [(r.id, pos, m) for r in store.list_role_profiles() if r.id is not None
                       for pos, m in enumerate(r.kpis) if m.kpi_id == kid]
        changes = actions.delete_kpi(store, kid).changes
        self.ctx.changed.emit(changes, None)

    def _undo(self) -> None:
        store = self.ctx.store
        done = actions.create_kpi(store, self.ctx.resolved(dataclasses.replace(self.record, id=None)))
        created, changes = done.result, done.changes
        assert created.id is not None and self.record.id is not None
        self.ctx.remap(self.record.id, created.id)
        for other in self._paired_from:
            rec = store.get_kpi(self.ctx.current_id(other))  # type: ignore[arg-type]
            rec.paired_kpi_id = created.id
            changes |= actions.update_kpi(store, rec).changes
        for role_id, pos, member in self._roles:
            role = store.get_role_profile(role_id)
            role.kpis.insert(min(pos, len(role.kpis)), dataclasses.replace(member, kpi_id=created.id))
            changes |= actions.save_role_profile(store, role).changes
        self.ctx.changed.emit(changes, created.id)


class AddTemplateCommand(CreateKpiCommand):
    """Add a KPI from the library: the first run goes through the core's add_kpi_from_template
    (numbered name, pairing); a redo after an undo re-creates the same record."""

    def __init__(self, ctx: KpiEditContext, key: str, owner: str = "") -> None:
        from kpidesk.templates import KPI_TEMPLATES

        super().__init__(ctx, KPI_TEMPLATES[key])
        self.key, self.owner = key, owner
        self.setText(f"add KPI {KPI_TEMPLATES[key].name!r} from the library")

    def apply(self) -> None:
        done = actions.add_templates(self.ctx.store, [self.key], owner=self.owner)
        created, changes = done.result[0], done.changes
        self.record = dataclasses.replace(created, id=None)
        self.original_id = created.id
        self.setText(f"add KPI {created.name!r} from the library")
        self.ctx.changed.emit(changes, created.id)
