"""Backup rotation, preview and restore.

Backups are whole databases written with SQLite's online backup API (never a file copy: a copy of a
WAL database can miss committed data), kept in `backups/` beside the database, newest N kept.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kpidesk import database as db
from kpidesk.errors import BackupRefused, KpiDeskError, NotADatabase, NotFound, SchemaTooNew
from kpidesk.db_inspect import inspect_file
from kpidesk.schema_check import readonly_connect

_NAME = re.compile(r"-(\d{8}-\d{6})-\d+-(?P<reason>[\w-]+)\.db$")
DAY = dt.timedelta(hours=24)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    reason: str
    size: int


@dataclass(frozen=True)
class BackupPreview:
    path: Path
    ok: bool
    problem: str
    counts: dict[str, int]
    newest_ticket: str
    schema: str | None


def list_backups(db_path: Path) -> list[BackupInfo]:
    """Backups of `db_path`, newest first."""
    folder = db.backups_dir(db_path)
    if not folder.is_dir():
        return []
    out = []
    for p in folder.glob(f"{db_path.stem}-*.db"):
        m = _NAME.search(p.name)
        if not m:
            continue
        taken = dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S")
        out.append(BackupInfo(p, taken, m.group("reason"), p.stat().st_size))
    return sorted(out, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def prune(db_path: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; returns what was deleted."""
    doomed = [b.path for b in list_backups(db_path)[max(1, keep):]]
    for p in doomed:
        p.unlink(missing_ok=True)
    return doomed


def auto_backup(db_path: Path, keep: int = 10, now: dt.datetime | None = None) -> Path | None:
    """The start-up backup: at most once a day, and only of a sound database (a damaged file must
    not push a good backup out of the rotation)."""
    now = now or dt.datetime.now()
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    latest = next((b for b in list_backups(db_path) if b.reason == "daily"), None)
    if latest is not None and now - latest.taken_at < DAY:
        return None
    if db.integrity_check(db_path, quick=True):
        return None
    path = db.backup_database(db_path, reason="daily")
    prune(db_path, keep)
    return path


def backup_problem(backup: Path) -> str:
    """Why `backup` cannot be restored by this version ('' when it can): its content is checked,
    not its name or its label (integrity, schema revision no newer than this version, every table,
    column and index that revision has)."""
    try:
        db.check_file_is_sqlite(backup)
        state = inspect_file(backup, quick=True)
    except (KpiDeskError, sqlite3.DatabaseError, OSError) as exc:
        return f"it cannot be read ({exc})"
    if state.integrity:
        return f"it is damaged ({state.integrity[0]})"
    if state.revision is None:
        return "it is not a KPI Desk database"
    if state.revision not in db.known_revisions():
        return f"it was written by a newer version of KPI Desk (schema {state.revision})"
    if state.schema:
        more = f" and {len(state.schema) - 2} more" if len(state.schema) > 2 else ""
        return f"its tables are incomplete ({'; '.join(state.schema[:2])}{more})"
    return ""


def preview(backup: Path) -> BackupPreview:
    """What a backup holds, read without changing it, for the restore dialog."""
    counts: dict[str, int] = {}
    problem = backup_problem(backup)
    if problem:
        return BackupPreview(backup, False, problem, {}, "", None)
    con = readonly_connect(backup)
    try:
        for label, table in (("KPIs", "kpi"), ("technicians", "technician"), ("teams", "team"),
                             ("tickets", "ticket"), ("imports", "import_batch"), ("check-ins", "check_in"),
                             ("reviews", "review"), ("notes", "performance_note")):
            counts[label] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        newest = con.execute("SELECT max(coalesce(resolved_at, created_at)) FROM ticket").fetchone()[0] or ""
        schema = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return BackupPreview(backup, False, str(exc), counts, "", None)
    finally:
        con.close()
    return BackupPreview(backup, True, "", counts, str(newest)[:16], schema)


def restore(db_path: Path, backup: Path) -> Path:
    """Replace the database's content with the backup's. The current content is backed up first
    (so a restore can itself be undone), and the copy goes through the backup API into the live
    file, which respects other connections' locks instead of swapping the file under them.

    Everything is checked before anything is touched: the backup's content (backup_problem), and
    the target, which must be missing, empty, damaged (kept aside) or a KPI Desk database this
    version can open; another program's database or a newer schema is refused."""
    db_path, backup = Path(db_path), Path(backup).expanduser()
    if not backup.exists():
        raise NotFound(f"There is no backup at {backup}.")
    db.refuse_live_target(db_path, backup, "restore")
    problem = backup_problem(backup)
    if problem:
        raise BackupRefused(f"The backup {backup} cannot be restored: {problem}. Nothing was changed; "
                            "choose another backup.")
    if db_path.exists() and db_path.stat().st_size > 0:
        db.check_file_is_sqlite(db_path)
        try:
            state = inspect_file(db_path, quick=True)
        except sqlite3.DatabaseError:
            return _replace_damaged(db_path, backup)
        if state.integrity:
            return _replace_damaged(db_path, backup)
        if state.foreign_tables:
            raise NotADatabase(f"{db_path} is another program's database, not a KPI Desk database; the "
                               "backup was not restored over it. Choose the KPI Desk database file.")
        if state.revision is not None and state.revision not in db.known_revisions():
            raise SchemaTooNew(f"{db_path} was written by a newer version of KPI Desk (schema "
                               f"{state.revision}); restore with that version. Nothing was changed.")
        safety = db.backup_database(db_path, reason="before-restore")
    else:
        safety = None
        if not db_path.exists():
            db.create_private_file(db_path)
    copy_into(backup, db_path)
    return safety or backup


def copy_into(source: Path, db_path: Path) -> None:
    """Replace the content of the live database `db_path` with `source`'s, in one step, through the
    backup API: other connections see either the old or the new content, never a mix."""
    src = readonly_connect(source)
    try:
        dst = sqlite3.connect(db_path, timeout=db.BUSY_TIMEOUT_S)
        try:
            src.backup(dst)
        except sqlite3.DatabaseError as exc:
            raise db.translate_db_error(exc, db_path) from exc
        finally:
            dst.close()
    finally:
        src.close()


def _replace_damaged(db_path: Path, backup: Path) -> Path:
    """A damaged file cannot be read for a safety backup: keep it aside, byte for byte (with its
    write-ahead log, which may hold the newest changes), and put a fresh copy of the backup in its
    place."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = db.backups_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    aside = folder / f"{db_path.stem}-damaged-{stamp}.db.keep"
    shutil.copy2(db_path, aside)
    wal = Path(f"{db_path}-wal")
    if wal.exists():
        shutil.copy2(wal, Path(f"{aside}-wal"))
    fresh = db.backup_database(backup, db_path.with_name(db_path.name + ".restoring"))
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    os.replace(fresh, db_path)
    return aside
