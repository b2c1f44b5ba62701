"""Opening a KPI Desk database: paths, engines, migrations, integrity and backups.

Thread rules: an Engine is thread-safe; each unit of work takes its own Session (see store.Store).
Crash safety: SQLite in WAL mode with foreign keys on. DDL is made transactional by taking the
transaction over from pysqlite (isolation_level=None + our own BEGIN), because pysqlite otherwise
autocommits DDL that runs before the first DML statement and a failed migration would leave a
half-built schema behind (measured: ../shared/RELIABILITY-NOTES.md, B2).
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from kpidesk.errors import (
    BackupRefused,
    DatabaseDamaged,
    DatabaseLocked,
    DatabaseReadOnly,
    DiskFull,
    NotADatabase,
    SchemaTooNew,
)
from kpidesk.fileio import fsync_dir, fsync_file
from kpidesk.schema_check import missing_from_models, readonly_connect
from kpidesk.paths import APP_SLUG, DB_FILE_NAME, data_dir, resolve_db_path  # noqa: F401  (re-exported)
from kpidesk.schema_version import MIGRATIONS_DIR, _revision_graph, head_revision, known_revisions  # noqa: F401

APP_NAME = "KPI Desk"
BUSY_TIMEOUT_S = 5.0
SQLITE_MAGIC = b"SQLite format 3\x00"


# ---------------------------------------------------------------- paths

# ---------------------------------------------------------------- engines

def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str, *, immediate: bool = False, foreign_keys: bool = True) -> Engine:
    """An engine with KPI Desk's connection settings. `immediate` engines start every transaction
    with BEGIN IMMEDIATE, taking the write lock up front so that a writer waits for another writer
    (up to the busy timeout) instead of failing half-way with SQLITE_BUSY."""
    if not url.startswith("sqlite"):
        return create_engine(url, future=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (transactional DDL)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def translate_db_error(exc: BaseException, path: Path | str) -> Exception:
    """Map a raw driver error onto one of the core's plain-language errors (or return it as is)."""
    msg = str(getattr(exc, "orig", exc)).lower()
    if "locked" in msg or "busy" in msg:
        return DatabaseLocked(
            f"The database {path} is busy: another KPI Desk window or program is writing to it and "
            "did not finish in time. Nothing was changed; try again in a moment."
        )
    if "readonly" in msg or "read-only" in msg or "unable to open" in msg:
        return DatabaseReadOnly(
            f"The database {path} cannot be written (read-only file or folder). Nothing was changed. "
            "Copy it to a folder you can write to, or check its permissions."
        )
    if "malformed" in msg or "not a database" in msg or "disk image" in msg:
        return DatabaseDamaged(
            f"The database {path} is damaged ({msg}). Restore the newest backup (File > Restore from "
            "backup, or `kpidesk restore`)."
        )
    if "disk is full" in msg or "database or disk is full" in msg:
        return DiskFull(
            f"The disk holding {path} is full. Nothing was changed; free some space and try again."
        )
    return exc if isinstance(exc, Exception) else RuntimeError(str(exc))


# ---------------------------------------------------------------- file checks

def check_file_is_sqlite(path: Path) -> None:
    """Refuse, without touching it, a file that exists and is not an SQLite database."""
    if not path.exists():
        return
    if path.is_dir():
        raise NotADatabase(f"{path} is a folder, not a KPI Desk database file.")
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head and head != SQLITE_MAGIC:
        raise NotADatabase(
            f"{path} is not a KPI Desk database (it is not an SQLite file). It was not opened or changed."
        )


def check_writable(path: Path) -> None:
    folder = path.parent
    if path.exists() and not os.access(path, os.W_OK):
        raise DatabaseReadOnly(
            f"The database {path} is read-only. Nothing was changed. Copy it somewhere you can write "
            "to, or make it writable."
        )
    if not os.access(folder, os.W_OK):
        raise DatabaseReadOnly(
            f"The folder {folder} is read-only, and SQLite needs to write its journal there. Nothing "
            "was changed. Move the database to a folder you can write to."
        )


def create_private_file(path: Path) -> None:
    """Create an empty database file readable by the user only (0600): it will hold HR records."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


# ---------------------------------------------------------------- migrations

def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


def has_user_tables(engine: Engine) -> bool:
    with engine.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
    return bool(names)


def build_schema(path: Path, revision: str = "head") -> None:
    """Build the schema up to `revision` in a new database file (for schema checks)."""
    from alembic import command

    engine = make_engine(_sqlite_url(path), immediate=True, foreign_keys=False)
    try:
        with engine.begin() as conn:
            command.upgrade(_alembic_config(conn), revision)
    finally:
        engine.dispose()


def migrate(path: Path, *, backup_dir: Path | None = None) -> str | None:
    """Bring the database at `path` to the head revision. Returns the backup file taken before a
    migration changed an existing database (None when nothing needed doing or the file was new).

    Runs with foreign keys off (batch migrations on SQLite rebuild tables) inside one transaction,
    then checks foreign keys before committing."""
    current, user_tables = inspect_readonly(path)
    head = head_revision()
    if current is not None and current not in known_revisions():
        raise SchemaTooNew(
            f"The database {path} was written by a newer version of KPI Desk (schema {current}). "
            "It was not opened or changed; update KPI Desk to open it."
        )
    if current == head:
        return None
    if current is None and user_tables:
        raise NotADatabase(
            f"{path} is an SQLite file but not a KPI Desk database. It was not opened or changed."
        )
    backup_file = None
    if current is not None:
        backup_file = str(backup_database(path, reason=f"before-migration-{current[:8]}", dest_dir=backup_dir))
    from alembic import command  # only now: a current database opens without it

    engine = None
    try:
        # Only now take the write lock: opening a current database must not wait for a writer.
        engine = make_engine(_sqlite_url(path), immediate=True, foreign_keys=False)
        with engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "head")
            bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if bad:
                raise DatabaseDamaged(f"Migration of {path} would break {len(bad)} references; rolled back.")
        return backup_file
    except DBAPIError as exc:
        raise translate_db_error(exc, path) from exc
    finally:
        if engine is not None:
            engine.dispose()


def inspect_readonly(path: Path) -> tuple[str | None, bool]:
    """(schema revision, has other tables) read without changing a byte of the file: opening with
    our engine would switch the journal to WAL, which rewrites the header of a foreign file."""
    if not path.exists() or path.stat().st_size == 0:
        return None, False
    try:
        con = readonly_connect(path, BUSY_TIMEOUT_S)
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamaged(f"The database {path} cannot be read ({exc}). It was not changed.") from exc
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        current = None
        if "alembic_version" in names:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            current = row[0] if row else None
        return current, bool(names - {"alembic_version"})
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamaged(f"The database {path} cannot be read ({exc}). It was not changed.") from exc
    finally:
        con.close()


def check_tables(path: Path) -> None:
    """Refuse a database whose label says KPI Desk but whose tables say otherwise (a table dropped
    by hand, a half-copied file): it would fail later, half-way through some action."""
    con = readonly_connect(path, BUSY_TIMEOUT_S)
    try:
        missing = missing_from_models(con)
    finally:
        con.close()
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise DatabaseDamaged(
            f"The database {path} is incomplete ({'; '.join(missing[:3])}{more}). It was not changed. "
            "Restore the newest backup (File > Restore from backup, or `kpidesk restore --latest`).")


# ---------------------------------------------------------------- integrity and backups

def integrity_check(path: Path, *, quick: bool = False) -> list[str]:
    """PRAGMA integrity_check (or quick_check); returns [] when the file is sound."""
    check_file_is_sqlite(path)
    try:
        con = readonly_connect(path, BUSY_TIMEOUT_S)
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    try:
        rows = con.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        con.close()
    problems = [r[0] for r in rows if r[0] != "ok"]
    return problems


def backups_dir(path: Path) -> Path:
    return path.parent / "backups"


def backup_database(path: Path, dest: Path | None = None, *, reason: str = "manual",
                    dest_dir: Path | None = None) -> Path:
    """Copy the database with SQLite's online backup API: consistent even while another window
    writes to it (a plain file copy of a WAL database can lose committed data).

    Nothing is deleted before the copy is whole: it is written to a new private temporary file in
    the destination's folder, synced, and only then renamed over `dest`. A destination that is a
    folder gets a dated file inside it. Refused before anything is written (BackupRefused): the
    live database itself or its -wal/-shm/-journal (also through a symlink or another spelling of
    the path), a file that is not an SQLite database, and an SQLite file in use (it has a -wal or
    -journal beside it, which would then belong to the wrong file)."""
    path = Path(path)
    if dest is None:
        folder = dest_dir or backups_dir(path)
        dest = folder / dated_backup_name(path, reason)
    else:
        dest = Path(dest).expanduser()
        if dest.is_dir():
            dest = dest / dated_backup_name(path, reason)
    refuse_live_target(path, dest, "back up")
    if dest.exists() or dest.is_symlink():
        _check_replaceable(dest)
    folder = dest.parent
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name[:100]}.", suffix=".tmp", dir=folder)
        os.close(fd)  # mkstemp creates it 0600: a backup holds HR records
    except OSError as exc:
        raise BackupRefused(f"Cannot write the backup in {folder}: {exc.strerror or exc}. Nothing was "
                            "changed; choose a folder you can write to.") from exc
    tmp = Path(tmp_name)
    try:
        try:
            src = readonly_connect(path, BUSY_TIMEOUT_S)
            try:
                dst = sqlite3.connect(tmp)
                try:
                    src.backup(dst)
                    dst.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
                finally:
                    dst.close()
            finally:
                src.close()
        except sqlite3.DatabaseError as exc:
            if "full" in str(exc).lower():
                raise BackupRefused(f"The disk holding {folder} is full; no backup was written and nothing "
                                    "was changed.") from exc
            raise translate_db_error(exc, path) from exc
        fsync_file(tmp)
        os.replace(tmp, dest)
        fsync_dir(folder)
    except OSError as exc:
        raise BackupRefused(f"The backup could not be written to {dest}: {exc.strerror or exc}. Nothing "
                            "was changed.") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal")):
            try:
                leftover.unlink()
            except OSError:
                pass
    return dest


def dated_backup_name(path: Path, reason: str) -> str:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return f"{path.stem}-{stamp}-{reason}.db"


SIDECARS = ("-wal", "-shm", "-journal")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def refuse_live_target(live: Path, target: Path, verb: str) -> None:
    """Refuse to write over the live database or one of its companion files."""
    live = Path(live)
    for suffix in ("",) + SIDECARS:
        if _same_file(target, Path(f"{live}{suffix}")):
            what = "the database itself" if not suffix else f"the database's {suffix[1:]} file"
            raise BackupRefused(f"Cannot {verb} {live} to {target}: that is {what}. Nothing was changed; "
                                "choose another file or a folder.")


def _check_replaceable(dest: Path) -> None:
    """An existing destination may be replaced only when it is an SQLite file nobody has open."""
    if dest.is_dir():
        raise BackupRefused(f"{dest} is a folder.")
    try:
        with open(dest, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise BackupRefused(f"Cannot replace {dest}: {exc.strerror or exc}. Nothing was changed.") from exc
    if head and head != SQLITE_MAGIC:
        raise BackupRefused(f"{dest} exists and is not a database backup; it was not overwritten. Choose "
                            "another file name or a folder.")
    for suffix in ("-wal", "-journal"):
        if Path(f"{dest}{suffix}").exists():
            raise BackupRefused(f"{dest} is a database that is open or was not closed cleanly (it has a "
                                f"{suffix[1:]} file); it was not overwritten. Choose another file name.")
