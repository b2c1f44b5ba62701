"""Moving a whole KPI Desk database between a file and a shared server, either way (issue 18).

    report = copy_database("team.db", "postgresql://kim@db/kpi")     # a laptop's file to the server
    report = copy_database("postgresql://kim@db/kpi", "laptop.db")   # and back, to work offline

Every table, every row, with its ids, so that references, undo history and signed check-ins mean
the same on the other side. All or nothing: the destination is written in one transaction, and
before it commits each table's row count and checksum are read back through that transaction and
compared with the source's; any difference rolls everything back. The destination must be empty
(a new file, or a database on the server with no KPI Desk data in it): a copy never merges.

The checksum is SHA-256 over the rows in primary-key order, each value written the same way
whatever the backend returned (a boolean as 0/1, a float by repr, a time in ISO form), so a file
and a server holding the same data give the same checksum.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import Integer, Table, func, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from kpidesk.backend import is_shared
from kpidesk.errors import DatabaseMissing, KpiDeskError
from kpidesk.models import Base

BATCH = 2000


class CopyRefused(KpiDeskError):
    """The copy was not made (destination not empty, a row the destination refuses, a checksum that
    differs); nothing was written."""


@dataclass(frozen=True)
class TableCopy:
    name: str
    rows: int
    checksum: str  # hex SHA-256, the same on both sides


@dataclass
class CopyReport:
    source: str
    destination: str
    tables: list[TableCopy] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "destination": self.destination, "rows": self.rows,
                "seconds": round(self.seconds, 3), "verified": True,
                "tables": [{"table": t.name, "rows": t.rows, "checksum": t.checksum} for t in self.tables]}


def tables() -> list[Table]:
    """Every table of the schema, each after the tables it refers to."""
    return list(Base.metadata.sorted_tables)


def _cell(value: Any) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _rows(conn: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    order = list(table.primary_key.columns) or list(table.columns)
    yield from conn.execute(select(*table.columns).order_by(*order)).yield_per(BATCH)


def _row_bytes(row: tuple[Any, ...]) -> bytes:
    return "\x1f".join(_cell(v) for v in row).encode("utf-8", "surrogatepass") + b"\x1e"


def checksum(conn: Connection, table: Table) -> TableCopy:
    digest = hashlib.sha256()
    n = 0
    for row in _rows(conn, table):
        digest.update(_row_bytes(row))
        n += 1
    return TableCopy(table.name, n, digest.hexdigest())


def checksums(store: Any) -> list[TableCopy]:
    """Each table's row count and checksum, read in one transaction (a consistent picture)."""
    with store.engine.connect() as conn:
        with conn.begin():
            return [checksum(conn, t) for t in tables()]


def _open(target: str | Path, *, create: bool) -> Any:
    from kpidesk.store import Store

    if not is_shared(target):
        path = Path(target).expanduser()
        if not create and not path.exists():
            raise DatabaseMissing(f"There is no database at {path}: nothing was copied.")
        if create and path.exists() and path.stat().st_size > 0:
            raise CopyRefused(f"{path} already exists. A copy goes into a new file and never merges: choose a "
                              "file name that does not exist yet. Nothing was copied.")
    return Store.open(target)


def copy_database(source: str | Path, destination: str | Path,
                  progress: Callable[[str, int, int], None] | None = None) -> CopyReport:
    """Copy every table of `source` into the empty `destination` (file or postgresql:// URL) and
    verify it; see the module's docstring. progress(table, done, total tables) after each table."""
    if str(source).strip() == str(destination).strip():
        raise CopyRefused("The source and the destination are the same database. Nothing was copied.")
    started = time.perf_counter()
    src = _open(source, create=False)
    try:
        dst = _open(destination, create=True)
        try:
            report = copy_stores(src, dst, progress)
        finally:
            dst.close()
    finally:
        src.close()
    report.seconds = time.perf_counter() - started
    return report


def copy_stores(src: Any, dst: Any, progress: Callable[[str, int, int], None] | None = None) -> CopyReport:
    """copy_database between two open Stores (the demo fills a shared database this way)."""
    started = time.perf_counter()
    report = CopyReport(src.location, dst.location)
    _copy(src, dst, report, progress)
    report.seconds = time.perf_counter() - started
    return report


def _copy(src: Any, dst: Any, report: CopyReport, progress: Callable[[str, int, int], None] | None) -> None:
    todo = tables()
    with src.engine.connect() as sconn, dst.write_engine.connect() as dconn:
        if src.shared:  # one snapshot of the whole source, whatever others write meanwhile
            sconn = sconn.execution_options(isolation_level="REPEATABLE READ")
        with sconn.begin(), dconn.begin():
            for table in todo:
                if dconn.execute(select(func.count()).select_from(table)).scalar():
                    raise CopyRefused(f"{dst.location} already holds KPI Desk data (table {table.name} is not "
                                      "empty). A copy never merges: use a new, empty database. Nothing was copied.")
            for i, table in enumerate(todo, 1):
                expected = _copy_table(sconn, dconn, table, dst.location)
                got = checksum(dconn, table)
                if got != expected:
                    raise CopyRefused(f"Table {table.name} did not arrive whole in {dst.location} ({got.rows} rows "
                                      f"of {expected.rows}, checksum {got.checksum[:12]} against "
                                      f"{expected.checksum[:12]}). Nothing was copied.")
                report.tables.append(got)
                if progress is not None:
                    progress(table.name, i, len(todo))
            if dst.shared:
                _reset_sequences(dconn, todo)


def _copy_table(sconn: Connection, dconn: Connection, table: Table, where: str) -> TableCopy:
    """Rows of `table` from the source into the destination, and the source's checksum of them (from
    the same read). A column referring to its own table (a KPI's paired KPI, the check-in a correction
    supersedes) is filled in after every row is there: it may point at a later row."""
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    # that later UPDATE would stamp a column's onupdate (a check-in's updated_at) with the time of
    # the copy: such columns are written again with the row's own value
    stamped = [c.name for c in table.columns if c.onupdate is not None]
    names = [c.name for c in table.columns]
    pk = [c.name for c in table.primary_key.columns]
    digest = hashlib.sha256()
    n = 0
    later: list[dict[str, Any]] = []
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        try:
            dconn.execute(table.insert(), batch)
        except DBAPIError as exc:
            first = batch[0].get(pk[0]) if pk else "?"
            raise CopyRefused(f"{where} refused a row of table {table.name} (rows from {pk[0] if pk else 'row'} "
                              f"{first}): {str(exc.orig).strip().splitlines()[0]}. Nothing was copied.") from exc
        batch.clear()

    for row in _rows(sconn, table):
        digest.update(_row_bytes(row))
        n += 1
        values = dict(zip(names, row))
        if self_refs and any(values[c] is not None for c in self_refs):
            later.append({**{k: values[k] for k in pk}, **{c: values[c] for c in self_refs + stamped}})
            values.update({c: None for c in self_refs})
        batch.append(values)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    for row in later:
        key = {k: row.pop(k) for k in pk}
        dconn.execute(update(table).where(*(table.c[k] == v for k, v in key.items())).values(**row))
    return TableCopy(table.name, n, digest.hexdigest())


def _reset_sequences(conn: Connection, todo: list[Table]) -> None:
    """Rows came with their ids; each table's id sequence must go on after the highest of them."""
    for table in todo:
        cols = list(table.primary_key.columns)
        if len(cols) != 1 or not isinstance(cols[0].type, Integer):
            continue
        name = table.name
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence(:t, :c), coalesce(max({cols[0].name}), 1), "
                          f"max({cols[0].name}) IS NOT NULL) FROM \"{name}\""), {"t": name, "c": cols[0].name})
