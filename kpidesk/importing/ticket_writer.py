"""The write half of a ticket import: one transaction, on a thread of its own.

    writer = TicketWriter(store, path, source_system).start()
    writer.write(rows)                  # queued; the reader goes on normalising the next chunk
    ids = writer.call(create_technicians, names)     # in order, waits for the answer
    counts = writer.finish(report_fields, distinct_tickets, dry_run)   # commit (or roll back)
    writer.abort()                      # roll back: cancel, error, or read again

Why a thread: SQLite does its B-tree, index and foreign-key work with the GIL released, so the
writer stores chunk k while the reader normalises chunk k+1 (the sheet itself is loaded by
calamine's Rust code before the first chunk, also without the GIL).
Why a staging table: a row-at-a-time executemany takes the GIL back after every row, and a busy
reader thread starves it (measured here: a 1.7 s write took 2.4 s beside a Python loop and overlapped
it by 0.3 s). So each chunk is bound into a TEMP table in one multi-row INSERT, then merged into
`ticket` by set-based statements, each of them one long step without the GIL.

Undo and counts: a ticket this import changes gets an 'updated' ImportChange with its previous row
(only the first time, while it still carries another batch id; found by a set-based query, so an
import of unchanged or new tickets reads nothing back into Python); rows equal to the stored ticket are
not rewritten. New tickets get ids above the largest id before the import (SQLite's rowid rule, and
the import holds the write lock), which is how `finish` records them as 'created' without a scan.
"""
from __future__ import annotations

import json
import queue
import sqlite3
import threading
from concurrent.futures import Future
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from kpidesk.errors import ImportFailed
from kpidesk.importing.sniff import file_digest
from kpidesk.models import utcnow
from kpidesk.tickets import ALL_FIELDS, to_iso

if TYPE_CHECKING:
    from kpidesk.store import Store

QUEUE_CHUNKS = 3  # chunks the reader may run ahead of the writer (bounded: memory stays flat)
_WIDTH = len(ALL_FIELDS)
_COLS = ", ".join(ALL_FIELDS)
_SAME = " AND ".join(f"t.{f} IS n.{f}" for f in ALL_FIELDS)
_MATCH = "t.source_system = n.source_system AND t.external_id = n.external_id"
# Tickets of this chunk that exist and differ, as they were before this import touched them. Read
# back into Python because SQLite's json_object() keeps only 15 digits of a REAL, and undo must put
# the row back exactly.
_CHANGED = (
    f"SELECT t.id, {', '.join('t.' + f for f in ALL_FIELDS)}, t.import_batch_id "
    f"FROM temp.import_rows n CROSS JOIN ticket t ON {_MATCH} "
    f"WHERE t.import_batch_id IS NOT ? AND NOT ({_SAME})"
)
_PREVIOUS_KEYS = (*ALL_FIELDS, "import_batch_id")
_MERGE = (
    f"INSERT INTO ticket ({_COLS}, import_batch_id) "
    f"SELECT {', '.join('n.' + f for f in ALL_FIELDS)}, ?1 FROM temp.import_rows n "
    f"WHERE NOT EXISTS (SELECT 1 FROM ticket t WHERE {_MATCH} AND {_SAME}) "
    "ON CONFLICT(source_system, external_id) DO UPDATE SET "
    + ", ".join(f"{f} = excluded.{f}" for f in ALL_FIELDS[2:]) + ", import_batch_id = excluded.import_batch_id"
)
_BATCH_FIELDS = ("sheet", "preset", "source_system", "mapping_json", "rejected_count", "rejected_json")


class _Stop(Exception):
    """Raised inside the transaction to roll it back (abort, or the end of a dry run)."""


class TicketWriter:
    def __init__(self, store: "Store", path: Path, source_system: str) -> None:
        self.store, self.path, self.source_system = store, path, source_system
        self.batch_id: int | None = None
        self.updated = 0
        self.error: BaseException | None = None
        self._tasks: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_CHUNKS)
        self._thread = threading.Thread(target=self._run, name="kpidesk-import-writer", daemon=True)
        self._max_id = 0
        self._per_statement = 1

    def start(self) -> "TicketWriter":
        self._thread.start()
        return self

    # ------------------------------------------------------------ called by the reader

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self._put((self._write_rows, (rows,), None))

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run fn(cursor, *args) inside the import's transaction, after what is queued; its result."""
        future: Future[Any] = Future()
        self._put((fn, args, future))
        return future.result()

    def finish(self, fields: dict[str, Any], distinct: int, resent: set[str], dry_run: bool) -> tuple[int, int, int]:
        """Record the batch and commit (roll back when `dry_run`): (created, updated, unchanged).
        `resent`: ids a later chunk wrote again (a file repeating a ticket far apart)."""
        future: Future[Any] = Future()
        self._put((self._finish, (fields, distinct, resent, dry_run), future))
        counts = future.result()
        self._thread.join()
        if self.error is not None:
            raise self.error
        return counts

    def abort(self) -> None:
        """Roll everything back and wait for the thread (safe to call at any point, and twice)."""
        if self._thread.is_alive():
            self._tasks.put(None)
            self._thread.join()

    def _put(self, task: Any) -> None:
        while True:
            if self.error is not None:
                raise self.error
            try:
                self._tasks.put(task, timeout=0.1)
                return
            except queue.Full:
                continue

    # ------------------------------------------------------------ the writer thread

    def _run(self) -> None:
        try:
            with self.store.raw_write() as con:
                cur = con.cursor()
                self._begin(cur)
                while True:
                    task = self._tasks.get()
                    if task is None:
                        raise _Stop()
                    fn, args, future = task
                    try:
                        result = fn(cur, *args)
                    except _Stop:
                        future.set_result(self._counts)
                        raise
                    except BaseException as exc:
                        if future is not None:
                            future.set_exception(exc)
                        raise
                    if future is not None:
                        future.set_result(result)
                    if fn == self._finish:
                        break
        except _Stop:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the reader's thread
            self.error = exc
            self._drain()

    def _drain(self) -> None:
        """After a failure: answer whatever the reader still queues, so it never waits forever."""
        while True:
            try:
                task = self._tasks.get(timeout=0.5)
            except queue.Empty:
                if not threading.main_thread().is_alive():
                    return
                continue
            if task is None:
                return
            future = task[2]
            if future is not None and not future.done():
                future.set_exception(self.error or ImportFailed("the import was stopped"))
                if task[0] == self._finish:
                    return

    def _begin(self, cur: sqlite3.Cursor) -> None:
        # SQLite's default 2 MB page cache thrashes once the ticket indexes outgrow it (measured:
        # 100k rows wrote 24x slower than 10k); 128 MB keeps them in memory. Per connection, harmless.
        cur.execute("PRAGMA cache_size = -131072")
        cur.execute("PRAGMA temp_store = MEMORY")
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS import_rows ({_COLS})")
        cur.execute("DELETE FROM temp.import_rows")
        size, sha = file_digest(self.path)
        cur.execute("INSERT INTO import_batch (kind, file_name, file_size, sha256, sheet, preset, source_system, "
                    "created_count, updated_count, unchanged_count, rejected_count, rejected_json, mapping_json, "
                    "started_at) VALUES ('tickets', ?, ?, ?, '', '', ?, 0, 0, 0, 0, '[]', '{}', ?)",
                    (self.path.name, size, sha, self.source_system, to_iso(utcnow())))
        self.batch_id = cur.lastrowid
        self._max_id = cur.execute("SELECT coalesce(max(id), 0) FROM ticket").fetchone()[0]
        limit = _variable_limit(cur.connection)
        self._per_statement = max(1, limit // _WIDTH)

    def _write_rows(self, cur: sqlite3.Cursor, rows: list[tuple[Any, ...]]) -> None:
        step = self._per_statement
        for start in range(0, len(rows), step):
            part = rows[start:start + step]
            # One statement for the whole part: the GIL is taken back once, not once per row.
            cur.execute(_insert_values(len(part)), list(chain.from_iterable(part)))
        changed = cur.execute(_CHANGED, (self.batch_id,)).fetchall()
        if changed:
            cur.executemany("INSERT INTO import_change (batch_id, ticket_id, measurement_id, action, previous_json) "
                            "VALUES (?, ?, NULL, 'updated', ?)",
                            [(self.batch_id, r[0], json.dumps(dict(zip(_PREVIOUS_KEYS, r[1:])))) for r in changed])
            self.updated += len(changed)
        cur.execute(_MERGE, (self.batch_id,))
        cur.execute("DELETE FROM temp.import_rows")

    def _finish(self, cur: sqlite3.Cursor, fields: dict[str, Any], distinct: int, resent: set[str],
                dry_run: bool) -> tuple[int, int, int]:
        if resent:
            self._unmark_reverted(cur, sorted(resent))
        cur.execute("INSERT INTO import_change (batch_id, ticket_id, measurement_id, action, previous_json) "
                    "SELECT ?, id, NULL, 'created', NULL FROM ticket WHERE id > ?", (self.batch_id, self._max_id))
        created = cur.rowcount
        unchanged = max(0, distinct - created - self.updated)
        self._counts = (created, self.updated, unchanged)
        cur.execute("DROP TABLE temp.import_rows")
        values = [fields[f] for f in _BATCH_FIELDS]
        cur.execute(f"UPDATE import_batch SET {', '.join(f + ' = ?' for f in _BATCH_FIELDS)}, created_count = ?, "
                    "updated_count = ?, unchanged_count = ?, finished_at = ? WHERE id = ?",
                    (*values, created, self.updated, unchanged, to_iso(utcnow()), self.batch_id))
        if dry_run:
            raise _Stop()
        return self._counts

    _counts: tuple[int, int, int] = (0, 0, 0)

    def _unmark_reverted(self, cur: sqlite3.Cursor, ids: list[str]) -> None:
        """A ticket changed by one row and put back by a later row of the same file is unchanged:
        drop its 'updated' record and give it back its batch id."""
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            rows = cur.execute(
                f"SELECT c.id, t.id, {', '.join('t.' + f for f in ALL_FIELDS)}, c.previous_json FROM ticket t "
                "JOIN import_change c ON c.ticket_id = t.id AND c.batch_id = ? AND c.action = 'updated' "
                f"WHERE t.source_system = ? AND t.external_id IN ({', '.join('?' * len(part))})",
                (self.batch_id, self.source_system, *part)).fetchall()
            for change_id, ticket_id, *now, previous in rows:
                before = json.loads(previous)
                if all(before[f] == v for f, v in zip(ALL_FIELDS, now)):
                    cur.execute("DELETE FROM import_change WHERE id = ?", (change_id,))
                    cur.execute("UPDATE ticket SET import_batch_id = ? WHERE id = ?", (before["import_batch_id"], ticket_id))
                    self.updated -= 1


def create_technicians(cur: sqlite3.Cursor, names: dict[str, str]) -> dict[str, int]:
    """{alias key: new technician id} for names no alias matched, created inside the import's
    transaction (so a cancel or failure removes them too)."""
    ids: dict[str, int] = {}
    for key, name in sorted(names.items()):
        cur.execute("INSERT INTO technician (display_name, email, escalation_destination) VALUES (?, '', 0)",
                    (" ".join(name.split()),))
        ids[key] = cur.lastrowid
    return ids


_VALUES_SQL: dict[int, str] = {}


def _insert_values(rows: int) -> str:
    sql = _VALUES_SQL.get(rows)
    if sql is None:
        one = "(" + ", ".join("?" * _WIDTH) + ")"
        sql = _VALUES_SQL[rows] = f"INSERT INTO temp.import_rows ({_COLS}) VALUES " + ", ".join([one] * rows)
        if len(_VALUES_SQL) > 8:  # the full-size statement and a few odd last chunks
            _VALUES_SQL.pop(next(iter(_VALUES_SQL)))
    return sql


def _variable_limit(con: sqlite3.Connection) -> int:
    """Bound parameters one statement may take (32766 in SQLite 3.32+, 999 before; Python 3.11+ can ask)."""
    try:
        limit = con.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[attr-defined]
    except AttributeError:
        return 999
    return int(min(limit, 250_000))
