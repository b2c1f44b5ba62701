"""Where the metrics' SQL differs between the SQLite file and a shared PostgreSQL database (issue 18),
and nowhere else: the queries in sql.py, sql_since.py, evidence.py and mix.py are written once, with
these pieces put in.

The pieces: a sum that is 0 over no rows (SQLite's total(); PostgreSQL sums a flag as an integer),
SQLite's plan hints (PostgreSQL plans by its statistics and has no hints), the smaller of two
values (SQLite's two-argument min(), PostgreSQL's least()), the day or month of a timestamp as text
(SQLite stores it as ISO text; PostgreSQL formats its timestamp), the technicians a shared ticket
names further (SQLite's json_each; PostgreSQL's jsonb_array_elements_text WITH ORDINALITY), and
`IS` between two values that may be NULL.

A query's connection says which dialect it speaks (`of(con)`): a bare sqlite3 connection is SQLite;
PgConnection wraps psycopg's and carries POSTGRES. PgConnection also takes the queries' `?` and
`:name` marks, so that the queries need no second spelling for the driver's %s.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

# The 16 sums and counts of an aggregate row (sql.N ... sql.REO_N), as (function, column).
_SUM_TERMS = (("count", "*"), ("total", "resolution_hours"), ("count", "resolution_hours"),
              ("flags", "fcr"), ("count", "fcr"), ("flags", "sla_met"), ("count", "sla_met"),
              ("total", "csat_score"), ("count", "csat_score"),
              ("flags", "(csat_score IS NOT NULL OR csat_positive IS NOT NULL)"),
              ("flags", "csat_positive"), ("count", "csat_positive"),
              ("flags", "escalated_eff"), ("count", "escalated_eff"), ("flags", "reopened"), ("count", "reopened"))


@dataclass(frozen=True)
class Dialect:
    name: str
    total: Callable[[str], str]  # a sum of numbers, 0 over no rows
    flags: Callable[[str], str]  # how many rows a flag (or condition) holds for, 0 over no rows
    hint: Callable[[str], str]  # a plan hint after `FROM ticket t`: an index name, or NOT_INDEXED
    least: Callable[[str, str], str]
    day: Callable[[str, int], str]  # a timestamp's first 10 (day) or 7 (month) characters of ISO text
    elements: Callable[[str], str]  # FROM item: a shared ticket's further technicians as alias(value, key)
    member: Callable[[str], str]  # one such technician's id, from elements(alias)
    is_same: str  # `a IS b`, true for two NULLs
    glob: str  # `key GLOB '[0-9][0-9]-W[0-9]'`: character classes and literal characters only

    @property
    def sums(self) -> str:
        return ", ".join(f"count({c})" if f == "count" else getattr(self, f)(c) for f, c in _SUM_TERMS)

    @property
    def came_day(self) -> str:
        """When a ticket comes in: created, or resolved where that comes first (bad export data)."""
        return self.least("created_at", "coalesce(resolved_at, created_at)")


NOT_INDEXED = ""  # hint(NOT_INDEXED): a plain scan of the table


def _sqlite_hint(index: str) -> str:
    return f"INDEXED BY {index}" if index else "NOT INDEXED"


SQLITE = Dialect(
    name="sqlite",
    total=lambda c: f"total({c})",
    flags=lambda c: f"total({c})",
    hint=_sqlite_hint,
    least=lambda a, b: f"min({a}, {b})",
    day=lambda c, width: f"substr({c}, 1, {width})",
    elements=lambda alias: f"json_each(t.shared_with) {alias}",
    member=lambda alias: f"{alias}.value",
    is_same="IS",
    glob="GLOB",
)

_PG_FORMAT = {10: "YYYY-MM-DD", 7: "YYYY-MM"}

POSTGRES = Dialect(
    name="postgresql",
    total=lambda c: f"coalesce(sum({c}), 0)",
    flags=lambda c: f"coalesce(sum(CAST({c} AS integer)), 0)",
    hint=lambda _index: "",
    least=lambda a, b: f"least({a}, {b})",
    day=lambda c, width: f"to_char({c}, '{_PG_FORMAT[width]}')",
    elements=lambda alias: (f"jsonb_array_elements_text(CAST(t.shared_with AS jsonb)) WITH ORDINALITY "
                            f"AS {alias}(value, key)"),
    member=lambda alias: f"CAST({alias}.value AS integer)",
    is_same="IS NOT DISTINCT FROM",
    glob="SIMILAR TO",
)


def of(con: Any) -> Dialect:
    return getattr(con, "dialect", SQLITE)


def insert_id(cur: Any, query: str, params: Any = ()) -> int:
    """Run an INSERT of one row; the id it got (sqlite3's lastrowid; RETURNING on PostgreSQL, which
    SQLite has only since 3.35, newer than some systems' Python)."""
    if of(cur) is SQLITE:
        return cur.execute(query, params).lastrowid
    return cur.execute(f"{query} RETURNING id", params).fetchone()[0]


# A quoted literal, or a mark: ? or :name (not the second colon of a ::cast).
_TOKEN = re.compile(r"'(?:[^']|'')*'|\?|(?<![:\w]):([A-Za-z_]\w*)|%")


def pyformat(query: str) -> str:
    """A query with ? and :name marks in psycopg's spelling (%s, %(name)s); a literal % doubled."""
    def put(m: re.Match[str]) -> str:
        text = m.group(0)
        if text.startswith("'"):
            return text.replace("%", "%%")
        if text == "?":
            return "%s"
        if text == "%":
            return "%%"
        return f"%({m.group(1)})s"
    return _TOKEN.sub(put, query)


class PgCursor:
    """psycopg's cursor as sqlite3's is used here: execute and executemany take ? and :name marks."""

    dialect = POSTGRES

    def __init__(self, cur: Any) -> None:
        self._cur = cur

    def execute(self, query: str, params: Any = ()) -> "PgCursor":
        self._cur.execute(pyformat(query), params)
        return self

    def executemany(self, query: str, rows: Any) -> "PgCursor":
        self._cur.executemany(pyformat(query), rows)
        return self

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cur.fetchall()

    def __iter__(self) -> Any:
        return iter(self._cur)

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    def copy(self, statement: str) -> Any:
        """COPY ... FROM STDIN: psycopg's Copy, to write_row() into (a bulk load without marks)."""
        return self._cur.copy(statement)


class PgConnection:
    """psycopg's connection as the metrics' queries use sqlite3's: execute(query, params) -> rows."""

    dialect = POSTGRES

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def cursor(self) -> PgCursor:
        return PgCursor(self._raw.cursor())

    def execute(self, query: str, params: Any = ()) -> PgCursor:
        return self.cursor().execute(query, params)

    def executemany(self, query: str, rows: Any) -> PgCursor:
        return self.cursor().executemany(query, rows)
