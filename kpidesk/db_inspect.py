"""A database file's whole state against what its schema revision should be (integrity, label,
tables, columns, indexes), for `check`, `backup` and `restore`; the pieces are in schema_check.py."""
from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy import create_engine

from kpidesk import database as db
from kpidesk.schema_check import FileState, Schema, read_schema, readonly_connect, schema_problems

_EXPECTED: dict[str, Schema] = {}


def expected_schema(revision: str) -> Schema:
    """The schema the migrations build up to `revision`, built once per process in a scratch
    database. The head revision is built from the models in memory instead (no migration run; a
    test holds the migrations equal to the models)."""
    if revision not in _EXPECTED:
        if revision == db.head_revision():
            from kpidesk.models import Base

            con = sqlite3.connect(":memory:")
            try:
                engine = create_engine("sqlite://", creator=lambda: con)
                Base.metadata.create_all(engine)
                _EXPECTED[revision] = read_schema(con)
                _EXPECTED[revision].pop("alembic_version", None)
            finally:
                con.close()
        else:
            with tempfile.TemporaryDirectory(prefix="kpidesk-schema-") as folder:
                scratch = Path(folder) / "scratch.db"
                db.build_schema(scratch, revision)
                con = sqlite3.connect(scratch)
                try:
                    _EXPECTED[revision] = read_schema(con)
                finally:
                    con.close()
    return _EXPECTED[revision]


def inspect_file(path: Path, *, quick: bool = True) -> FileState:
    """Integrity, revision and schema of the SQLite file at `path` (the caller checked it is one).
    Raises sqlite3.DatabaseError when the file cannot be read at all."""
    con = readonly_connect(path)
    try:
        try:
            rows = con.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
            integrity = tuple(r[0] for r in rows if r[0] != "ok")
        except sqlite3.DatabaseError as exc:
            return FileState(None, False, (str(exc),), ())
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = None
        if "alembic_version" in names:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        foreign = revision is None and bool(names - {"alembic_version"})
        schema: tuple[str, ...] = ()
        if revision is not None and revision in db.known_revisions():
            schema = tuple(schema_problems(read_schema(con), expected_schema(revision)))
        return FileState(revision, foreign, integrity, schema)
    finally:
        con.close()
