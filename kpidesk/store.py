"""The one front door to a KPI Desk database (after calibre's db.cache.Cache and Anki's Collection).

    store = Store.open(path)          # checks the file, migrates (with a backup first), opens
    store.list_kpis() ...             # read API: returns records (dataclasses)
    store.create_kpi(record)          # write API: returns (record, Changes) or Changes

Thread rules: the Store is shared; every call opens its own short Session, so calls may come from
a worker thread. Writes take SQLite's write lock up front (BEGIN IMMEDIATE) and run in one
transaction each: a failure rolls the whole call back.
"""
from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kpidesk import database as db
from kpidesk.backend import is_shared, shown
from kpidesk.catalog import CatalogApi
from kpidesk.errors import BackupRefused, DatabaseDamaged, NotOnSharedYet, ValidationError
from kpidesk.models import Base
from kpidesk.people import PeopleApi
from kpidesk.settings import SettingsApi


class Store(CatalogApi, PeopleApi, SettingsApi):
    def __init__(self, path: Path | None, read_engine: Engine, write_engine: Engine, *, url: str | None = None) -> None:
        self.path = path  # None for a shared database: it has a URL, not a file
        self.url = url
        self.shared = url is not None
        self.engine = read_engine
        self.write_engine = write_engine
        self._reader = sessionmaker(read_engine, expire_on_commit=False)
        self._writer = sessionmaker(write_engine, expire_on_commit=False)
        self.migration_backup: str | None = None
        self._checkpoint_lock = threading.Lock()
        self._checkpoint_wanted = False
        self._checkpoint_running = False
        self._checkpointer: threading.Thread | None = None

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | Path, *, quick_check: bool = True) -> "Store":
        """Open (creating if need be) the database file at `path`, or the shared PostgreSQL database
        a postgresql:// URL names (kpidesk.postgres: it must exist on the server; its schema is built
        or migrated here).

        Refuses, without modifying it: a file that is not SQLite, a damaged file, a schema newer
        than this version, a read-only file or folder. Migrates an older schema after backing it up.
        """
        if is_shared(path):
            from kpidesk import postgres

            engine = postgres.open_engine(str(path))
            return cls(None, engine, engine, url=str(path))
        path = Path(path).expanduser().resolve()
        db.check_file_is_sqlite(path)
        is_new = not path.exists() or path.stat().st_size == 0
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
        db.check_writable(path)
        if not path.exists():
            db.create_private_file(path)
        elif not is_new and quick_check:
            problems = db.integrity_check(path, quick=True)
            if problems:
                raise DatabaseDamaged(
                    f"The database {path} is damaged ({problems[0]}). It was not changed. Restore the "
                    "newest backup (File > Restore from backup, or `kpidesk restore`)."
                )
        backup = db.migrate(path)
        db.check_tables(path)
        url = db._sqlite_url(path)
        store = cls(path, db.make_engine(url), db.make_engine(url, immediate=True))
        store.migration_backup = backup
        return store

    @property
    def address(self) -> str:
        """What opens this database again (--db, KPIDESK_DB, Store.open): the file's path or the
        server's URL as given, password included; for messages use `location`."""
        return self.url if self.url is not None else str(self.path)

    @property
    def location(self) -> str:
        """Where the data lives, as messages show it (a URL's password hidden)."""
        return shown(self.url) if self.url is not None else str(self.path)

    def _translate(self, exc: BaseException) -> Exception:
        if self.url is not None:
            from kpidesk import postgres

            return postgres.translate_error(exc, self.url)
        return db.translate_db_error(exc, self.path)

    def close(self) -> None:
        self.wait_for_checkpoint()
        self.engine.dispose()
        self.write_engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ sessions

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A short read-only unit of work (rolled back at the end)."""
        session = self._reader()
        try:
            yield session
        except DBAPIError as exc:
            raise self._translate(exc) from exc
        finally:
            session.rollback()
            session.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed if the block ends normally, rolled back otherwise."""
        session = self._writer()
        try:
            with session.begin():
                yield session
        except IntegrityError as exc:
            raise ValidationError({"database": _integrity_message(exc)}) from exc
        except DBAPIError as exc:
            raise self._translate(exc) from exc
        finally:
            session.close()

    @contextlib.contextmanager
    def raw_write(self, *, checkpoint_later: bool = False, lock_wait_s: float | None = None,
                  shared_ok: bool = False) -> Iterator[object]:
        """A write transaction on a bare DBAPI connection, for bulk work (imports, recompute):
        executemany through sqlite3 is ~10x faster than the ORM. Rolled back unless it ends normally.

        checkpoint_later: for a big write. SQLite's automatic checkpoint would copy every page the
        transaction wrote from the write-ahead log into the database file inside the commit, before
        the caller gets its answer (0.4 s of a 100k-row import); it is done just after, on a
        background thread, instead (checkpoint_soon). The commit is as durable either way. On a
        shared database, that thread brings the planner's statistics of `ticket` up to date instead.

        lock_wait_s: how long BEGIN IMMEDIATE may wait for another writer (default: the busy timeout).

        On a shared database (kpidesk.postgres.bulk_write): a dialect.PgConnection, one bulk writer at
        a time. shared_ok: the caller's SQL speaks both dialects (kpidesk.metrics.dialect); the others
        are refused there before anything is written."""
        if self.shared:
            if not shared_ok:
                raise NotOnSharedYet("Bulk writing (imports, undo)")
            from kpidesk import postgres

            with postgres.bulk_write(self.write_engine, self.url, lock_wait_s) as con:  # type: ignore[arg-type]
                yield con
            if checkpoint_later:
                self.checkpoint_soon()
            return
        with self.write_engine.connect() as conn:
            raw = conn.connection.driver_connection
            automatic = 0
            if lock_wait_s is not None:
                raw.execute(f"PRAGMA busy_timeout = {int(lock_wait_s * 1000)}")
            if checkpoint_later:
                automatic = raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
                raw.execute("PRAGMA wal_autocheckpoint = 0")
            try:
                with conn.begin():
                    yield raw
            except (DBAPIError, sqlite3.Error) as exc:  # raw sqlite3 errors surface here unwrapped
                raise db.translate_db_error(exc, self.path) from exc
            finally:
                try:  # the pooled connection goes back as it came, or not at all
                    if checkpoint_later:
                        raw.execute(f"PRAGMA wal_autocheckpoint = {int(automatic)}")
                    if lock_wait_s is not None:
                        raw.execute(f"PRAGMA busy_timeout = {int(db.BUSY_TIMEOUT_S * 1000)}")
                except sqlite3.Error:
                    conn.invalidate()
        if checkpoint_later:
            self.checkpoint_soon()

    def checkpoint_soon(self) -> None:
        """Copy the write-ahead log into the database file on a background thread. PASSIVE: it
        neither waits for nor blocks the window's readers and writers; if it cannot finish, the next
        commit's automatic checkpoint does the rest. close() waits for it.

        On a shared database: ANALYZE ticket, on that thread. Autovacuum analyses a table up to a
        minute after a bulk load; until then the planner took the new tickets for a handful and hashed
        the whole table for each chunk of the next import (a 100k-row re-import straight after the
        first: 5.2 s, against 2.8 s analysed). Inside the import's transaction it cost 0.37 s at 100k;
        after the commit, beside the caller, nothing. ANALYZE reads a sample of at most 30,000 rows;
        it takes no lock that keeps readers or writers of rows out, and a role that does not own the
        table gets a warning and no statistics, not an error."""
        with self._checkpoint_lock:
            self._checkpoint_wanted = True
            if self._checkpoint_running:
                return  # it looks at _checkpoint_wanted again before it ends
            self._checkpoint_running = True
            self._checkpointer = threading.Thread(target=self._checkpoint, name="kpidesk-checkpoint", daemon=True)
            self._checkpointer.start()

    def _checkpoint(self) -> None:
        while True:
            with self._checkpoint_lock:
                if not self._checkpoint_wanted:
                    # Cleared under the lock, not read from is_alive(): a thread on its way out
                    # would otherwise swallow a request made in its last moment.
                    self._checkpoint_running = False
                    return
                self._checkpoint_wanted = False
            if self.shared:
                self._analyse_tickets()
                continue
            try:
                con = sqlite3.connect(self.path, timeout=db.BUSY_TIMEOUT_S)
                try:
                    con.execute("PRAGMA wal_checkpoint(PASSIVE)")
                finally:
                    con.close()
            except sqlite3.Error:
                pass  # housekeeping only: nothing is lost, the log is checkpointed later

    def _analyse_tickets(self) -> None:
        try:
            with self.write_engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE ticket")
                conn.commit()
        except DBAPIError:
            pass  # housekeeping only: autovacuum analyses the table later

    def wait_for_checkpoint(self) -> None:
        thread = self._checkpointer
        if thread is not None:
            thread.join()

    # ------------------------------------------------------------ maintenance

    def integrity_problems(self, quick: bool = False) -> list[str]:
        if self.shared:  # the server checks its own pages; what we can check is the schema
            with self.engine.connect() as conn:
                present = set(inspect(conn).get_table_names())
            missing = [t for t in Base.metadata.tables if t not in present]
            return [f"table {t} is missing" for t in missing]
        return db.integrity_check(self.path, quick=quick)

    def backup(self, dest: str | Path | None = None, reason: str = "manual") -> Path:
        if self.shared:
            from kpidesk import postgres

            if dest is None:
                raise BackupRefused("A shared database's backup needs a destination (a file or a folder): "
                                    "it is written with pg_dump.")
            return postgres.dump(self.url, Path(dest))
        return db.backup_database(self.path, Path(dest) if dest else None, reason=reason)

    def schema_revision(self) -> str | None:
        return db.current_revision(self.engine)


def _integrity_message(exc: IntegrityError) -> str:
    msg = str(exc.orig)
    low = msg.lower()
    if "violates" in low:  # PostgreSQL's wording: 'duplicate key value violates unique constraint "..."'
        detail = msg.splitlines()[1].removeprefix("DETAIL:").strip() if "\n" in msg.strip() else msg
        if "unique constraint" in low:
            return f"that name is already taken ({detail})"
        if "foreign key constraint" in low:
            return "it refers to something that does not exist (or is still in use)"
        if "not-null constraint" in low:
            return f"a required value is missing ({detail})"
        if "check constraint" in low:
            return f"a value is outside the allowed set ({detail})"
    if "UNIQUE" in msg:
        what = msg.split(":", 1)[-1].strip()
        return f"that name is already taken ({what})"
    if "FOREIGN KEY" in msg:
        return "it refers to something that does not exist (or is still in use)"
    if "NOT NULL" in msg:
        return f"a required value is missing ({msg.split(':', 1)[-1].strip()})"
    if "CHECK" in msg:
        return f"a value is outside the allowed set ({msg.split(':', 1)[-1].strip()})"
    return msg
