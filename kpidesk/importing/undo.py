"""Undoing an import and listing imports for the Imports screen.

An import is undone from its ImportChange rows: tickets (or measurements) it created are deleted,
ones it updated are put back exactly as `previous_json` recorded them. A later import that changed
the same rows would be silently overwritten by that restore, so undo refuses until the later
import is undone first (newest first, like an undo stack).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from kpidesk.errors import ImportFailed, NotFound
from kpidesk.metrics import dialect, sql
from kpidesk.models import utcnow
from kpidesk.records import Changes
from kpidesk.tickets import ALL_FIELDS, to_iso

if TYPE_CHECKING:
    from kpidesk.store import Store

_MEASUREMENT_FIELDS = ("kpi_id", "scope_key", "period", "period_start", "segment", "value", "count",
                       "source", "import_batch_id", "recorded_at")


@dataclass
class ImportRecord:
    id: int
    kind: str
    file_name: str
    sheet: str
    preset: str
    source_system: str
    file_size: int
    sha256: str
    created: int
    updated: int
    unchanged: int
    rejected: int
    started_at: Optional[dt.datetime]
    finished_at: Optional[dt.datetime]
    undone_at: Optional[dt.datetime]
    # What the import read the file with: {"preset", "columns", "status_categories",
    # "priority_tiers", "day_first"}, the shape `import --mapping` takes back.
    mapping: dict[str, Any] = field(default_factory=dict)

    @property
    def undone(self) -> bool:
        return self.undone_at is not None


def _dt(stamp: Any) -> Optional[dt.datetime]:
    """SQLite's ISO text, or PostgreSQL's datetime."""
    if isinstance(stamp, dt.datetime) or not stamp:
        return stamp or None
    return dt.datetime.fromisoformat(stamp)


def mapping_document(preset: str, mapping_json: str | None) -> dict[str, Any]:
    """A batch's stored mapping as the document `import --mapping` reads (older batches stored the
    columns alone)."""
    doc = json.loads(mapping_json or "{}")
    if "columns" not in doc:
        doc = {"preset": preset, "columns": doc, "status_categories": {}, "priority_tiers": {}, "day_first": None}
    return doc


def list_imports(store: "Store") -> list[ImportRecord]:
    """Every import, newest first."""
    with sql.connection(store) as con:
        rows = con.execute(
            "SELECT id, kind, file_name, sheet, preset, source_system, file_size, sha256, created_count, "
            "updated_count, unchanged_count, rejected_count, started_at, finished_at, undone_at, mapping_json "
            "FROM import_batch ORDER BY id DESC").fetchall()
    return [ImportRecord(*r[:12], _dt(r[12]), _dt(r[13]), _dt(r[14]), mapping_document(r[4], r[15]))
            for r in rows]


def rejected_rows(store: "Store", batch_id: int) -> list[dict[str, Any]]:
    """The rejected rows stored with a batch (for the Imports screen and the error report)."""
    with sql.connection(store) as con:
        row = con.execute("SELECT rejected_json FROM import_batch WHERE id = ?", (batch_id,)).fetchone()
    if row is None:
        raise NotFound(f"There is no import with id {batch_id}.")
    return list(json.loads(row[0] or "[]"))


def undo_import(store: "Store", batch_id: int) -> Changes:
    """Undo import `batch_id` in one transaction. Raises NotFound, or ImportFailed with a plain
    reason (already undone; a later import changed the same tickets/values)."""
    return undo(store, batch_id)[0]


def undo(store: "Store", batch_id: int) -> tuple[Changes, dt.date | None]:
    """undo_import(), and the earliest day a ticket it removed or put back came in or was resolved
    (before or after): stored KPI values of earlier periods do not depend on the undo."""
    since: str | None = None
    with store.raw_write(shared_ok=True) as con:
        cur = con.cursor()
        batch = cur.execute("SELECT kind, file_name, undone_at FROM import_batch WHERE id = ?", (batch_id,)).fetchone()
        if batch is None:
            raise NotFound(f"There is no import with id {batch_id}.")
        kind, name, undone_at = batch
        if undone_at:
            raise ImportFailed(f"Import {batch_id} ({name}) was already undone on {str(undone_at)[:16]}.")
        column = "ticket_id" if kind == "tickets" else "measurement_id"
        later = cur.execute(
            f"SELECT DISTINCT b.id, b.file_name FROM import_change c JOIN import_batch b ON b.id = c.batch_id "
            f"WHERE c.batch_id > ? AND b.undone_at IS NULL AND c.{column} IN "
            f"(SELECT {column} FROM import_change WHERE batch_id = ?) ORDER BY b.id", (batch_id, batch_id)).fetchall()
        if later:
            names = ", ".join(f"#{i} ({n})" for i, n in later)
            raise ImportFailed(f"Cannot undo import {batch_id} ({name}): the later import(s) {names} changed "
                               "the same records. Undo those first.")
        changes = cur.execute(f"SELECT {column}, action, previous_json FROM import_change WHERE batch_id = ?",
                              (batch_id,)).fetchall()
        if kind == "tickets":
            since = _earliest_day(cur, batch_id, changes)
        table, fields = ("ticket", ALL_FIELDS) if kind == "tickets" else ("measurement", _MEASUREMENT_FIELDS)
        created = [(rid,) for rid, action, _ in changes if action == "created" and rid is not None]
        cur.executemany(f"DELETE FROM {table} WHERE id = ?", created)
        restore_cols = tuple(fields) + (("import_batch_id",) if kind == "tickets" else ())
        update = f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in restore_cols)} WHERE id = ?"
        restores = []
        as_stored = _as_stored(table, restore_cols, dialect.of(cur))
        for rid, action, prev in changes:
            if action == "updated" and prev:
                before = json.loads(prev)
                restores.append(as_stored(tuple(before.get(c) for c in restore_cols)) + (rid,))
        cur.executemany(update, restores)
        cur.execute("UPDATE import_batch SET undone_at = ? WHERE id = ?", (to_iso(utcnow()), batch_id))
    changes_made = Changes(tickets=kind == "tickets", measurements=kind != "tickets", imports=True)
    return changes_made, dt.date.fromisoformat(since[:10]) if since else None


def _earliest_day(cur: Any, batch_id: int, changes: list[tuple[Any, ...]]) -> str | None:
    """Before the undo runs: the tickets of the batch as they are now, and as they were before it."""
    found = cur.execute(
        f"SELECT min({dialect.of(cur).least('t.created_at', 'coalesce(t.resolved_at, t.created_at)')}) "
        "FROM import_change c JOIN ticket t ON t.id = c.ticket_id WHERE c.batch_id = ?", (batch_id,)).fetchone()[0]
    days = [to_iso(found)] if found else []
    for _rid, action, prev in changes:
        if action == "updated" and prev:
            before = json.loads(prev)
            created, resolved = before.get("created_at"), before.get("resolved_at")
            days += [d for d in (created, resolved) if d]
    return min(days) if days else None


def _as_stored(table: str, columns: tuple[str, ...], d: dialect.Dialect) -> Any:
    """previous_json's values as the columns take them back. SQLite's rows recorded a flag as 0/1,
    which a PostgreSQL boolean column refuses (a database copied to the server keeps those records);
    everything else goes back as recorded (timestamps as text, which either database reads)."""
    if d is dialect.SQLITE:
        return lambda values: values
    from sqlalchemy import Boolean

    from kpidesk.models import Base

    types = Base.metadata.tables[table].c
    flags = [i for i, c in enumerate(columns) if isinstance(types[c].type, Boolean)]

    def put(values: tuple[Any, ...]) -> tuple[Any, ...]:
        out = list(values)
        for i in flags:
            if out[i] is not None:
                out[i] = bool(out[i])
        return tuple(out)
    return put
