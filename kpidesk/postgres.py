"""A department's shared KPI Desk database on PostgreSQL 15 or newer (issue 18), through psycopg 3.

What differs from the SQLite file (kpidesk.database) and nothing else:
- opening: a URL, not a path; there is no file to check, the server checks its own pages;
- migrations: the same Alembic revisions, run under a transaction-level advisory lock so that two
  people opening a new database at once do not both build it; PostgreSQL's DDL is transactional,
  so a failed migration leaves nothing behind;
- backups: pg_dump's job (`dump`), not a file copy.
The ORM and Core above speak the same SQL to both.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from kpidesk.backend import shown, sqlalchemy_url
from kpidesk.errors import BackupRefused, DatabaseError, DatabaseLocked, NotADatabase, SchemaTooNew
from kpidesk.schema_version import head_revision, known_revisions

# Any constant: the key of the advisory lock that serialises migrations of one database.
MIGRATION_LOCK = 0x4B504944  # 'KPID'
# And of the one that lets one bulk writer (an import, an undo, a recompute) at a time, as SQLite's
# BEGIN IMMEDIATE does on a file: each of them counts on no other writer changing the tickets or
# stored values under it (new ticket ids above the largest before it, values deleted then written).
BULK_LOCK = 0x4B504957  # 'KPIW'
BULK_WAIT_S = 5.0  # as kpidesk.database.BUSY_TIMEOUT_S
CONNECT_TIMEOUT_S = 10


class SharedUnavailable(DatabaseError):
    """The server cannot be reached, or refused the login."""


class ServerRefused(DatabaseError):
    """The server refused a change for its data: a constraint or a type it holds the rows to (its
    administrator may add checks of their own). The transaction was rolled back."""


def make_engine(url: str) -> Engine:
    """An engine for `url`. pool_pre_ping: a laptop that slept or changed network gets a new
    connection instead of an error on its first query."""
    return create_engine(sqlalchemy_url(url), pool_pre_ping=True,
                         connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "KPI Desk"})


def translate_error(exc: BaseException, url: str) -> Exception:
    """A raw driver error as one of the core's plain-language errors (or as it is)."""
    msg = str(getattr(exc, "orig", exc))
    low = msg.lower()
    if "could not connect" in low or "connection refused" in low or "timeout expired" in low \
            or "no such file or directory" in low and "socket" in low or "could not translate host" in low \
            or "failed to resolve host" in low or "name or service not known" in low:
        return SharedUnavailable(f"The shared database {shown(url)} cannot be reached ({_first_line(msg)}). "
                                 "Nothing was changed; check the address and that the server is running.")
    if "password authentication failed" in low or "no password supplied" in low or "role" in low \
            and "does not exist" in low:
        return SharedUnavailable(f"The shared database {shown(url)} refused the login ({_first_line(msg)}).")
    if "database" in low and "does not exist" in low:
        return SharedUnavailable(f"There is no database {shown(url)} on that server ({_first_line(msg)}). "
                                 "Ask its administrator to create it (CREATE DATABASE), then open it again.")
    diag = getattr(getattr(exc, "orig", exc), "diag", None)
    sqlstate = getattr(getattr(exc, "orig", exc), "sqlstate", None) or ""
    if sqlstate[:2] in ("22", "23") and diag is not None:  # data exception, integrity constraint violation
        where = f" (column {diag.column_name})" if diag.column_name else ""
        return ServerRefused(f"The shared database {shown(url)} refused the change: {diag.message_primary}{where}. "
                             "Nothing was changed.")
    if "deadlock detected" in low or "could not serialize" in low or "lock timeout" in low:
        return DatabaseLocked(f"The shared database {shown(url)} was busy with another writer and this change "
                              "could not go through. Nothing was changed; try again in a moment.")
    return exc if isinstance(exc, Exception) else RuntimeError(msg)


def _first_line(msg: str) -> str:
    return msg.strip().splitlines()[0] if msg.strip() else msg


def open_engine(url: str) -> Engine:
    """An engine on a reachable KPI Desk database at this version's schema (migrated if older).

    Refuses, changing nothing: a server it cannot reach or log in to, a database holding another
    program's tables, a schema newer than this version."""
    engine = make_engine(url)
    try:
        migrate(engine, url)
    except DBAPIError as exc:
        engine.dispose()
        raise translate_error(exc, url) from exc
    except BaseException:
        engine.dispose()
        raise
    return engine


def migrate(engine: Engine, url: str) -> bool:
    """Bring the database to the head revision, in one transaction under the migration lock.
    Returns whether anything was done."""
    head = head_revision()
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        names = set(inspect(conn).get_table_names())
        current = None
        if "alembic_version" in names:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if current is not None and current not in known_revisions():
            raise SchemaTooNew(f"The shared database {shown(url)} was written by a newer version of KPI Desk "
                               f"(schema {current}). It was not changed; update KPI Desk to open it.")
        if current is None and names - {"alembic_version"}:
            raise NotADatabase(f"{shown(url)} holds tables of another program ({', '.join(sorted(names)[:3])}...), "
                               "not a KPI Desk database. It was not changed.")
        if current == head:
            return False
        from alembic import command

        from kpidesk.database import _alembic_config

        command.upgrade(_alembic_config(conn), "head")
    return True


def inspect_shared(url: str) -> dict:
    """What `kpidesk check` says of a shared database, read without changing it: {schema, head,
    state, schema_problems}."""
    from kpidesk.models import Base

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            current = (conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                       if "alembic_version" in names else None)
    except DBAPIError as exc:
        raise translate_error(exc, url) from exc
    finally:
        engine.dispose()
    head = head_revision()
    problems = [f"table {t} is missing" for t in Base.metadata.tables if t not in names] if current == head else []
    if current is None:
        state = "not a KPI Desk database" if names else "empty: the schema is built when KPI Desk first opens it"
    elif current not in known_revisions():
        state = "written by a newer KPI Desk"
    elif problems:
        state = "tables do not match its schema revision"
    elif current == head:
        state = "up to date"
    else:
        state = "older schema: it is migrated when KPI Desk opens it"
    return {"schema": current, "head": head, "state": state, "schema_problems": problems}


def dump(url: str, dest: str | Path) -> Path:
    """A backup of the shared database with pg_dump (custom format, restorable with pg_restore),
    written to a private temporary file and renamed into place only when whole."""
    exe = shutil.which("pg_dump")
    if exe is None:
        raise BackupRefused("Backups of a shared PostgreSQL database are pg_dump's job, and pg_dump is not on "
                            "this computer's PATH. Install the PostgreSQL client tools, or ask the server's "
                            "administrator for the server's own backups.")
    folder_named = str(dest).endswith(("/", os.sep))
    dest = Path(dest).expanduser()
    if folder_named:
        dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    if dest.is_dir():
        dest = dest / f"kpidesk-shared-{dt.datetime.now():%Y%m%d-%H%M%S}.dump"
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)  # a dump holds HR records
    os.close(fd)
    plain = sqlalchemy_url(url).replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        done = subprocess.run([exe, "--format=custom", "--no-owner", f"--file={tmp}", f"--dbname={plain}"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupRefused(f"pg_dump could not back up {shown(url)}: {_first_line(done.stderr)}")
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()
    return dest


@contextlib.contextmanager
def bulk_write(engine: Engine, url: str, lock_wait_s: float | None = None) -> Iterator[object]:
    """Store.raw_write on a shared database: one transaction on psycopg's connection (as a
    dialect.PgConnection), holding BULK_LOCK. Waits lock_wait_s (default BULK_WAIT_S) for another
    bulk writer, then says the database is busy; rolled back unless the block ends normally."""
    import psycopg

    from kpidesk.metrics.dialect import PgConnection

    wait_ms = int((BULK_WAIT_S if lock_wait_s is None else lock_wait_s) * 1000)
    try:
        with engine.connect() as conn, conn.begin():
            raw = conn.connection.driver_connection
            raw.execute(f"SET LOCAL lock_timeout = {wait_ms}")
            raw.execute("SELECT pg_advisory_xact_lock(%s)", (BULK_LOCK,))
            raw.execute("SET LOCAL lock_timeout = 0")  # the lock is ours; the rest waits as usual
            yield PgConnection(raw)
    except (DBAPIError, psycopg.Error) as exc:
        raise translate_error(exc, url) from exc
