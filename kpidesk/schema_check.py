"""Does a database file hold the schema its revision label promises?

The alembic_version row is only a label: a file can say "0001_first_schema" and miss a table (a
hand-edited copy, a half-restored file, another tool's database with a borrowed table name). So
`check` and `restore` compare the file's real tables, columns and indexes with what the
migrations build for that revision, in a scratch database, once per revision and process.

Everything here reads the file read-only (`readonly_connect`): checking a foreign file must not
switch it to WAL or otherwise change a byte of it. This module stands below database.py (which
opens files through it); what needs the migrations (the schema a revision should have, a file's
whole state) is in db_inspect.py, above both.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

Schema = dict[str, tuple[dict[str, str], frozenset[tuple[bool, tuple[str, ...]]]]]


def readonly_connect(path: Path, timeout: float = 5.0) -> sqlite3.Connection:
    """Open `path` read-only through a URI that survives any file name ('?', '#', '%', spaces).
    A WAL database in a folder we cannot write (no -shm yet) cannot be opened read-only the normal
    way; then it is opened immutable, which is safe there because nobody can write it either."""
    uri = Path(path).resolve().as_uri()
    con = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout)
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return con
    except sqlite3.OperationalError as exc:
        con.close()
        # "unable to open" or "attempt to write a readonly database": WAL needs its -shm file.
        if "unable to open" not in str(exc) and "readonly" not in str(exc):
            raise
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=timeout)


def read_schema(con: sqlite3.Connection) -> Schema:
    """{table: ({column: declared type}, {(unique, indexed columns)})} for every user table."""
    out: Schema = {}
    tables = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for table in tables:
        q = table.replace('"', '""')
        columns = {r[1]: str(r[2]).upper() for r in con.execute(f'PRAGMA table_info("{q}")')}
        indexes = set()
        for row in con.execute(f'PRAGMA index_list("{q}")'):
            name, unique = row[1], bool(row[2])
            qi = name.replace('"', '""')
            cols = tuple(r[2] for r in con.execute(f'PRAGMA index_info("{qi}")'))
            indexes.add((unique, cols))
        out[table] = (columns, frozenset(indexes))
    return out


def schema_problems(actual: Schema, expected: Schema) -> list[str]:
    """What the file lacks or has changed against `expected` (extra tables and columns are allowed:
    they cannot make a number wrong)."""
    problems = []
    for table, (columns, indexes) in sorted(expected.items()):
        if table == "alembic_version":
            continue
        if table not in actual:
            problems.append(f"table {table} is missing")
            continue
        have_cols, have_idx = actual[table]
        for col, typ in columns.items():
            if col not in have_cols:
                problems.append(f"column {table}.{col} is missing")
            elif have_cols[col] != typ:
                problems.append(f"column {table}.{col} is {have_cols[col] or 'untyped'}, not {typ}")
        for unique, cols in sorted(indexes - have_idx):
            kind = "unique index" if unique else "index"
            problems.append(f"{kind} on {table}({', '.join(cols)}) is missing")
    return problems


def missing_from_models(con: sqlite3.Connection) -> list[str]:
    """The tables and columns the models need that the file lacks: the check every open can afford
    (names only, straight from the models; `check` and `restore` compare types and indexes too)."""
    from kpidesk.models import Base

    return missing_columns(con, {t.name: [c.name for c in t.columns] for t in Base.metadata.sorted_tables})


def missing_columns(con: sqlite3.Connection, tables: dict[str, list[str]]) -> list[str]:
    """The tables and columns of `tables` ({table: [column, ...]}) that the file lacks."""
    have: dict[str, set[str]] = {}
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        q = table.replace('"', '""')
        have[table] = {r[1] for r in con.execute(f'PRAGMA table_info("{q}")')}
    problems = []
    for table, columns in tables.items():
        if table not in have:
            problems.append(f"table {table} is missing")
            continue
        problems += [f"column {table}.{c} is missing" for c in columns if c not in have[table]]
    return problems


def head_columns() -> dict[str, list[str]]:
    """The models' tables and columns at this version, as kpidesk/schema_columns.json keeps them for
    the read path that does not load the models (kpidesk.readonly); a test holds the file equal to
    the models (regenerate it with `python -m kpidesk.schema_check --write-columns`)."""
    import json

    return json.loads(Path(__file__).with_name("schema_columns.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class FileState:
    """What a database file is, read without changing it."""
    revision: str | None  # alembic label, None when there is none
    foreign_tables: bool  # tables but no KPI Desk label: another program's database
    integrity: tuple[str, ...]  # () when sound
    schema: tuple[str, ...]  # schema_problems for a known revision, () otherwise


if __name__ == "__main__":
    import json
    import sys

    if sys.argv[1:] == ["--write-columns"]:
        from kpidesk.models import Base

        columns = {t.name: [c.name for c in t.columns] for t in Base.metadata.sorted_tables}
        Path(__file__).with_name("schema_columns.json").write_text(json.dumps(columns, indent=1) + "\n",
                                                                     encoding="utf-8")
