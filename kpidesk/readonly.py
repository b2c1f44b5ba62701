"""The read side of a database without SQLAlchemy, for the commands scripts call in loops.

`kpidesk metrics` answers from a handful of GROUP BYs over a plain sqlite3 connection (the engine
needs nothing else), but opening the Store costs 0.45 s of imports (SQLAlchemy, the ORM models)
before the first query: an HR script running it for 40 people waited half a minute for imports.
ReadOnlyDb opens the file read-only with the standard library, and only when the database is a
healthy KPI Desk database at this version's schema; anything else (missing, damaged, another
program's file, an older or newer schema, a database that needs its migration) gets None, and the
caller takes the full Store path, which says exactly what is wrong with the documented exit code.

    db = ReadOnlyDb.open(path)      # None: use Store.open(path)
    compute(db, scope_key=..., ...)  # the metrics engine reads db.raw_connection
"""
from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from kpidesk.naming import alias_key
from kpidesk.schema_check import head_columns, missing_columns, readonly_connect
from kpidesk.schema_version import head_revision

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Named:
    """A technician or a team as the read path knows them: enough to name a scope."""

    id: int
    name: str

    @property
    def display_name(self) -> str:
        return self.name


class ReadOnlyDb:
    def __init__(self, path: Path, con: sqlite3.Connection) -> None:
        self.path = path
        self.raw_connection = con

    @classmethod
    def open(cls, path: str | Path) -> "ReadOnlyDb | None":
        path = Path(path).expanduser()
        try:
            if not path.is_file() or path.stat().st_size == 0:
                return None
            with open(path, "rb") as fh:
                if fh.read(16) != SQLITE_MAGIC:
                    return None
            con = readonly_connect(path)
        except (OSError, sqlite3.Error):
            return None
        try:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            # The same integrity check as Store.open: a damaged file is refused, never read from.
            healthy = con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            if row is not None and row[0] == head_revision() and healthy and not missing_columns(con, head_columns()):
                con.execute("PRAGMA query_only = ON")
                return cls(path, con)
        except sqlite3.Error:
            pass
        con.close()
        return None

    def close(self) -> None:
        self.raw_connection.close()

    def __enter__(self) -> "ReadOnlyDb":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        yield self.raw_connection

    # The three lookups `metrics` names its scope with, by the Store's own rules.
    def find_technician(self, name: str) -> Named | None:
        """By display name or any alias, case and whitespace insensitive (PeopleApi.find_technician)."""
        key = alias_key(name)
        con = self.raw_connection
        hit = con.execute("SELECT t.id, t.display_name FROM technician t JOIN technician_alias a "
                          "ON a.technician_id = t.id WHERE a.key = ?", (key,)).fetchone()
        if hit is None:
            hit = next((r for r in con.execute("SELECT id, display_name FROM technician ORDER BY id")
                        if alias_key(r[1]) == key), None)
        return Named(*hit) if hit else None

    def list_teams(self) -> list[Named]:
        return [Named(*r) for r in self.raw_connection.execute("SELECT id, name FROM team ORDER BY name")]

    def list_groups(self) -> list[str]:
        return [r[0] for r in self.raw_connection.execute(
            "SELECT DISTINCT group_name FROM ticket WHERE group_name != '' ORDER BY group_name")]
