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

On a shared PostgreSQL database (issue 18) the same statements run with the dialect's pieces put in
(kpidesk.metrics.dialect), and a chunk goes into the staging table by COPY instead of a multi-row
INSERT: the staging table takes its column types from `ticket` (CREATE TABLE AS ... WITH NO DATA),
so COPY reads each value as the ticket column will hold it. The bulk-write lock
(kpidesk.postgres.BULK_LOCK) keeps other imports out, so new ids are still above the old largest.
"""
from __future__ import annotations

import json
import queue
import sqlite3
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from kpidesk.errors import ImportFailed
from kpidesk.importing.sniff import file_digest
from kpidesk.metrics import dialect
from kpidesk.metrics.dialect import Dialect
from kpidesk.models import utcnow
from kpidesk.tickets import ALL_FIELDS, to_iso

if TYPE_CHECKING:
    from kpidesk.store import Store

QUEUE_CHUNKS = 3
# How long an import waits for another import (or any writer) to finish before giving up: imports
# queue behind each other instead of failing after the usual 5 s (a big import takes minutes).
IMPORT_LOCK_WAIT_S = 120.0  # chunks the reader may run ahead of the writer (bounded: memory stays flat)
_COLS = ", ".join(ALL_FIELDS)
_PREVIOUS_KEYS = (*ALL_FIELDS, "import_batch_id")
_BATCH_FIELDS = ("sheet", "preset", "source_system", "mapping_json", "rejected_count", "rejected_json")


def derived_sql(src: dict[str, str], d: Dialect = dialect.SQLITE) -> dict[str, str]:
    """tickets.derive()'s period keys (but the ISO week) and flags as SQL over the row's sources
    (a test holds them equal to derive()). SQLite holds a timestamp as text and a flag as 0/1;
    PostgreSQL as a timestamp and a boolean."""
    r, ro, ra = src["resolved_at"], src["reopen_count"], src["reassignment_count"]
    sqlite = d is dialect.SQLITE
    flag = (lambda x: f"{x} != 0") if sqlite else (lambda x: x)
    return {
        "resolved_month": f"substr({r}, 1, 7)" if sqlite else f"to_char({r}, 'YYYY-MM')",
        "resolved_quarter": f"substr({r}, 1, 4) || '-Q' || ((CAST(substr({r}, 6, 2) AS INTEGER) + 2) / 3)"
                            if sqlite else f"to_char({r}, 'YYYY-\"Q\"Q')",
        "reopened": f"CASE WHEN {ro} IS NULL THEN NULL ELSE {ro} > 0 END",
        "fcr": f"CASE WHEN {src['first_contact']} IS NOT NULL THEN {flag(src['first_contact'])} "
               f"WHEN {ro} IS NULL AND {ra} IS NULL THEN NULL ELSE coalesce({ro}, 0) = 0 AND coalesce({ra}, 0) = 0 END",
        "escalated_eff": f"CASE WHEN {src['escalated']} IS NOT NULL THEN {flag(src['escalated'])} "
                         f"WHEN {ra} IS NOT NULL THEN {ra} >= 1 ELSE NULL END",
    }


def _pg_type(field: str) -> str:
    """A ticket column's type as PostgreSQL spells it, for a constant bound in its place."""
    from sqlalchemy.dialects import postgresql

    from kpidesk.models import Ticket

    return Ticket.__table__.c[field].type.compile(dialect=postgresql.dialect())


_RECORD_CREATED = "INSERT INTO import_change (batch_id, ticket_id, measurement_id, action, previous_json)"


class _Sql:
    """The statements for one import's column plan: `bound` columns staged per row, `consts` once."""

    def __init__(self, bound: tuple[str, ...], consts: dict[str, Any], d: Dialect = dialect.SQLITE) -> None:
        sqlite = d is dialect.SQLITE
        # A constant's type is the column's: PostgreSQL would take an untyped parameter for text.
        src = {f: f"n.{f}" for f in bound} | {f: f":c_{f}" if sqlite else f"CAST(:c_{f} AS {_pg_type(f)})"
                                              for f in consts}
        src |= derived_sql(src, d)
        missing = [f for f in ALL_FIELDS if f not in src]
        if missing:
            raise ValueError(f"no source for ticket column(s) {missing}")
        self.width = len(bound)
        self.params = {f"c_{f}": v for f, v in consts.items()}
        self.staging = "temp.import_rows" if sqlite else "pg_temp.import_rows"
        self.create = (f"CREATE TEMP TABLE import_rows ({', '.join(bound)})" if sqlite else
                       f"CREATE TEMP TABLE import_rows AS SELECT {', '.join(bound)} FROM ticket WITH NO DATA")
        self.insert_head = f"INSERT INTO temp.import_rows ({', '.join(bound)}) VALUES "
        self.copy = f"COPY pg_temp.import_rows ({', '.join(bound)}) FROM STDIN"
        # TRUNCATE on PostgreSQL: a DELETE leaves each chunk's rows behind, dead; the planner, sizing the
        # staging table by its pages, then planned each merge worse than the last (a 100k-row re-import:
        # 25 s for its fifth chunk and rising; 7.7 s for the whole with TRUNCATE).
        self.clear = f"DELETE FROM {self.staging}" if sqlite else f"TRUNCATE {self.staging}"
        self.row = "(" + ", ".join("?" * self.width) + ")"
        match = f"t.source_system = {src['source_system']} AND t.external_id = n.external_id"
        same = " AND ".join(f"t.{f} {d.is_same} {src[f]}" for f in ALL_FIELDS)
        # Tickets of this chunk that exist and differ, as they were before this import touched them.
        # Read back into Python because SQLite's json_object() keeps only 15 digits of a REAL, and
        # undo must put the row back exactly.
        self.changed = (f"SELECT t.id, {', '.join('t.' + f for f in ALL_FIELDS)}, t.import_batch_id "
                        f"FROM {self.staging} n {'CROSS JOIN' if sqlite else 'JOIN'} ticket t ON {match} "
                        f"WHERE NOT (t.import_batch_id {d.is_same} :batch) AND NOT ({same})")
        insert = f"INSERT INTO ticket ({_COLS}, import_batch_id) SELECT {', '.join(src[f] for f in ALL_FIELDS)}, :batch "
        upsert = ("ON CONFLICT(source_system, external_id) DO UPDATE SET "
                  + ", ".join(f"{f} = excluded.{f}" for f in ALL_FIELDS[2:]) + ", import_batch_id = excluded.import_batch_id")
        self.merge = (f"{insert} FROM {self.staging} n "
                      f"WHERE NOT EXISTS (SELECT 1 FROM ticket t WHERE {match} AND {same}) {upsert}")
        # PostgreSQL: the staged rows equal to their ticket are deleted first, so the 35 columns are
        # compared once per row instead of twice (in `changed` and again in `merge`); what is left is new
        # or differs, and goes in as on a fresh import. SQLite keeps the two statements.
        self.drop_same = None if sqlite else (f"DELETE FROM {self.staging} n USING ticket t "
                                              f"WHERE {match} AND {same}")
        self.changed_left = (f"SELECT t.id, {', '.join('t.' + f for f in ALL_FIELDS)}, t.import_batch_id "
                             f"FROM {self.staging} n JOIN ticket t ON {match} "
                             f"WHERE NOT (t.import_batch_id {d.is_same} :batch)")
        # When no ticket of this source existed before, every match is a row of this same file:
        # nothing to compare or record (WHERE true: SQLite's parser needs it before ON CONFLICT).
        self.merge_fresh = f"{insert} FROM {self.staging} n WHERE true {upsert}"
        # PostgreSQL: rows expected to be all new go in without ON CONFLICT, whose probe of the unique
        # index before each row cost a fifth of the INSERT; a duplicate after all rolls that INSERT back
        # to a savepoint and the rows go in by merge_fresh.
        # Each new ticket's 'created' record goes in with it, per chunk, beside the reader; written in
        # one statement at the end, it ran after the last row with nothing beside it (100k rows: 0.9 s).
        self.insert_new = None if sqlite else (
            f"WITH new AS ({insert} FROM {self.staging} n RETURNING id), recorded AS ({_RECORD_CREATED} "
            "SELECT :batch, id, NULL, 'created', NULL FROM new) SELECT count(*), max(id) FROM new")
        self._values: dict[int, str] = {}

    def insert(self, rows: int) -> str:
        sql = self._values.get(rows)
        if sql is None:
            if len(self._values) > 4:  # the full-size statement and a few odd last parts
                self._values.clear()
            sql = self._values[rows] = self.insert_head + ", ".join([self.row] * rows)
        return sql


class _Stop(Exception):
    """Raised inside the transaction to roll it back (abort, or the end of a dry run)."""


class TicketWriter:
    def __init__(self, store: "Store", path: Path, bound: tuple[str, ...], consts: dict[str, Any]) -> None:
        self.store, self.path = store, path
        self._failed = threading.Event()
        self._fresh = False
        self.source_system = consts["source_system"]
        self._dialect = dialect.POSTGRES if getattr(store, "shared", False) else dialect.SQLITE
        self._sql = _Sql(bound, consts, self._dialect)
        self.batch_id: int | None = None
        self.updated = 0
        self.error: BaseException | None = None
        self._tasks: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_CHUNKS)
        self._thread = threading.Thread(target=self._run, name="kpidesk-import-writer", daemon=True)
        self._max_id = 0
        self._recorded = 0  # the highest ticket id with its 'created' record written
        self.created = 0
        self._per_statement = 1

    def start(self) -> "TicketWriter":
        self._thread.start()
        return self

    # ------------------------------------------------------------ called by the reader

    def write(self, rows: list[Any]) -> None:
        """Queue a chunk: row-major values of the `bound` columns."""
        if rows:
            self._put((self._write_rows, (rows,), None))

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run fn(cursor, *args) inside the import's transaction, after what is queued; its result."""
        future: Future[Any] = Future()
        self._put((fn, args, future))
        return self._result(future)

    def finish(self, fields: dict[str, Any], distinct: int, resent: set[str], dry_run: bool) -> tuple[int, int, int]:
        """Record the batch and commit (roll back when `dry_run`): (created, updated, unchanged).
        `resent`: ids a later chunk wrote again (a file repeating a ticket far apart)."""
        future: Future[Any] = Future()
        self._put((self._finish, (fields, distinct, resent, dry_run), future))
        counts = self._result(future)
        self._thread.join()  # the commit happens as the thread leaves the transaction
        if self.error is not None:
            raise self.error
        return counts

    def abort(self) -> None:
        """Roll everything back and wait for the thread (safe to call at any point, and twice)."""
        if self._thread.is_alive():
            self._tasks.put(None)
            self._thread.join()

    def _result(self, future: "Future[Any]") -> Any:
        try:
            return future.result()
        except BaseException:
            # The future holds the raw driver error; raw_write translates it (DiskFull, locked...)
            # as the transaction ends, a moment later: raise that plain-language one.
            self._failed.wait(5)
            if self.error is not None:
                raise self.error from None
            raise

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
            with self.store.raw_write(checkpoint_later=True, lock_wait_s=IMPORT_LOCK_WAIT_S, shared_ok=True) as con:
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
            if exc.__class__.__name__ == "ServerRefused":  # kpidesk.postgres: say which file it was
                self.error = ImportFailed(f"Cannot import {self.path.name}: {exc}")
            self._failed.set()
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
        # The ticket indexes are kept up to date row by row, here, beside the reader. Dropping them and
        # building them again once at the end was cheaper in CPU but put that build (0.9 s at 100k rows,
        # 7 s at 500k) after the last row, where nothing runs beside it: measured on 2 cores, keeping
        # them made the whole import faster (100k: -0.5 s; 500k: 34 s against 42 s).
        # SQLite's default 2 MB page cache thrashes once those indexes outgrow it (measured: 100k rows
        # wrote 24x slower than 10k); 128 MB keeps them in memory. Per connection, harmless.
        sqlite = self._dialect is dialect.SQLITE
        if sqlite:
            cur.execute("PRAGMA cache_size = -131072")
            cur.execute("PRAGMA temp_store = MEMORY")
        cur.execute(f"DROP TABLE IF EXISTS {self._sql.staging}")  # a pooled connection's leftover, if any
        cur.execute(self._sql.create)
        size, sha = file_digest(self.path)
        self.batch_id = dialect.insert_id(
            cur, "INSERT INTO import_batch (kind, file_name, file_size, sha256, sheet, preset, source_system, "
            "created_count, updated_count, unchanged_count, rejected_count, rejected_json, mapping_json, "
            "started_at) VALUES ('tickets', ?, ?, ?, '', '', ?, 0, 0, 0, 0, '[]', '{}', ?)",
            (self.path.name, size, sha, self.source_system, to_iso(utcnow())))
        self._max_id = self._recorded = cur.execute("SELECT coalesce(max(id), 0) FROM ticket").fetchone()[0]
        self._fresh = cur.execute("SELECT 1 FROM ticket WHERE source_system = ? LIMIT 1",
                                  (self.source_system,)).fetchone() is None
        if sqlite:
            self._per_statement = max(1, _variable_limit(cur.connection) // self._sql.width)
        self._sql.params["batch"] = self.batch_id

    def _write_rows(self, cur: sqlite3.Cursor, rows: list[Any]) -> None:
        sql, width = self._sql, self._sql.width
        if self._dialect is dialect.SQLITE:
            step = self._per_statement * width
            for start in range(0, len(rows), step):
                part = rows[start:start + step]
                # One statement for the whole part: the GIL is taken back once, not once per row.
                cur.execute(sql.insert(len(part) // width), part)
        else:
            with cur.copy(sql.copy) as copy:
                for start in range(0, len(rows), width):
                    copy.write_row(rows[start:start + width])
        if self._fresh:
            self._merge_new(cur)
            cur.execute(sql.clear)
            return
        if sql.drop_same is not None:
            cur.execute(sql.drop_same, sql.params)
            changed = cur.execute(sql.changed_left, sql.params).fetchall()
        else:
            changed = cur.execute(sql.changed, sql.params).fetchall()
        if changed:
            # As SQLite's text: a datetime from PostgreSQL too, so that undo reads one format.
            cur.executemany("INSERT INTO import_change (batch_id, ticket_id, measurement_id, action, previous_json) "
                            "VALUES (?, ?, NULL, 'updated', ?)",
                            [(self.batch_id, r[0], json.dumps(dict(zip(_PREVIOUS_KEYS, map(to_iso, r[1:])))))
                             for r in changed])
            self.updated += len(changed)
        if sql.drop_same is None:
            cur.execute(sql.merge, sql.params)
            self._record_created(cur)
        elif changed:
            self._merge_fresh(cur)
        else:
            self._merge_new(cur)
        cur.execute(sql.clear)

    def _merge_fresh(self, cur: sqlite3.Cursor) -> None:
        cur.execute(self._sql.merge_fresh, self._sql.params)
        self._record_created(cur)

    def _merge_new(self, cur: sqlite3.Cursor) -> None:
        """The staged rows, none of them expected to be in `ticket` yet, with their 'created' records."""
        sql = self._sql
        if sql.insert_new is None:
            self._merge_fresh(cur)
            return
        from psycopg.errors import UniqueViolation

        cur.execute("SAVEPOINT new_rows")
        try:
            count, last = cur.execute(sql.insert_new, sql.params).fetchone()
        except UniqueViolation:  # a ticket met again (a file that lists one twice): merged instead
            cur.execute("ROLLBACK TO SAVEPOINT new_rows")
            cur.execute("RELEASE SAVEPOINT new_rows")
            self._merge_fresh(cur)
            return
        cur.execute("RELEASE SAVEPOINT new_rows")
        self.created += count
        self._recorded = max(self._recorded, last or 0)

    def _record_created(self, cur: sqlite3.Cursor) -> None:
        """'created' records for the tickets inserted since the last ones were written: ids only grow,
        and the bulk-write lock keeps any other writer out of `ticket` until the commit."""
        cur.execute(f"{_RECORD_CREATED} SELECT ?, id, NULL, 'created', NULL FROM ticket WHERE id > ?",
                    (self.batch_id, self._recorded))
        if cur.rowcount > 0:
            self.created += cur.rowcount
            self._recorded = cur.execute("SELECT max(id) FROM ticket").fetchone()[0]

    def _finish(self, cur: sqlite3.Cursor, fields: dict[str, Any], distinct: int, resent: set[str],
                dry_run: bool) -> tuple[int, int, int]:
        if resent:
            self._unmark_reverted(cur, sorted(resent))
        self._record_created(cur)  # a no-op unless something other than a chunk put a ticket in
        created = self.created
        unchanged = max(0, distinct - created - self.updated)
        self.touched_since = touched_since(cur, self.batch_id, self._max_id)
        self._counts = (created, self.updated, unchanged)
        cur.execute(f"DROP TABLE {self._sql.staging}")
        values = [fields[f] for f in _BATCH_FIELDS]
        cur.execute(f"UPDATE import_batch SET {', '.join(f + ' = ?' for f in _BATCH_FIELDS)}, created_count = ?, "
                    "updated_count = ?, unchanged_count = ?, finished_at = ? WHERE id = ?",
                    (*values, created, self.updated, unchanged, to_iso(utcnow()), self.batch_id))
        if dry_run:
            raise _Stop()
        return self._counts

    _counts: tuple[int, int, int] = (0, 0, 0)
    touched_since: str | None = None

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
                if all(before[f] == to_iso(v) for f, v in zip(ALL_FIELDS, now)):
                    cur.execute("DELETE FROM import_change WHERE id = ?", (change_id,))
                    cur.execute("UPDATE ticket SET import_batch_id = ? WHERE id = ?", (before["import_batch_id"], ticket_id))
                    self.updated -= 1


def touched_since(cur: sqlite3.Cursor, batch_id: int, max_id: int) -> str | None:
    """The earliest day a ticket this batch created or changed (as it is now, and as it was) came in or
    was resolved: no stored KPI value of an earlier period depends on what the batch did."""
    d = dialect.of(cur)
    day = d.came_day
    new = cur.execute(f"SELECT min({day}) FROM ticket WHERE id > ?", (max_id,)).fetchone()[0]
    if d is dialect.SQLITE:
        was = {f: f"json_extract(c.previous_json, '$.{f}')" for f in ("created_at", "resolved_at")}
    else:
        was = {f: f"CAST(CAST(c.previous_json AS json) ->> '{f}' AS timestamp)" for f in ("created_at", "resolved_at")}
    now, before = cur.execute(
        f"SELECT min({d.least('t.created_at', 'coalesce(t.resolved_at, t.created_at)')}), "
        f"min({d.least(was['created_at'], 'coalesce(' + was['resolved_at'] + ', ' + was['created_at'] + ')')}) "
        "FROM import_change c JOIN ticket t ON t.id = c.ticket_id WHERE c.batch_id = ? AND c.action = 'updated'",
        (batch_id,)).fetchone()
    found = [to_iso(x) for x in (new, now, before) if x]
    return min(found)[:10] if found else None


NAME_MAX = 200  # technician.display_name's declared length


def create_technicians(cur: sqlite3.Cursor, names: dict[str, str], created: set[str] | None = None) -> dict[str, int]:
    """{alias key: technician id} for names no alias matched when the import started, created inside
    the import's transaction (so a cancel or failure removes them too).

    The alias map the reader started from was read before this transaction took the write lock, so
    another import (the app and a script at once) may have created the same people since: the names
    are matched again here, under the lock, and created with INSERT ... ON CONFLICT DO NOTHING then
    read back, so both imports succeed and share one technician. `created` collects the keys of
    the people this call really added."""
    from kpidesk.people import alias_key

    now: dict[str, int] = {}
    for tech_id, display in cur.execute("SELECT id, display_name FROM technician"):
        now.setdefault(alias_key(display), tech_id)
    for key, tech_id in cur.execute("SELECT key, technician_id FROM technician_alias"):
        now[key] = tech_id
    ids: dict[str, int] = {}
    for key, name in sorted(names.items()):
        if key in now:
            ids[key] = now[key]
            continue
        display = " ".join(name.split())[:NAME_MAX]
        cur.execute("INSERT INTO technician (display_name, email, escalation_destination) VALUES (?, '', FALSE) "
                    "ON CONFLICT (display_name) DO NOTHING", (display,))
        if cur.rowcount == 1 and created is not None:
            created.add(key)
        ids[key] = cur.execute("SELECT id FROM technician WHERE display_name = ?", (display,)).fetchone()[0]
    return ids


def _variable_limit(con: sqlite3.Connection) -> int:
    """Bound parameters one statement may take (32766 in SQLite 3.32+, 999 before; Python 3.11+ can ask)."""
    try:
        limit = con.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[attr-defined]
    except AttributeError:
        return 999
    return int(min(limit, 250_000))
