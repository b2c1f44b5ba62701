"""Fixture exports for the import tests, written by the tests themselves (openpyxl / csv) in each
tool's real header layout (../shared/helpdesk-exports.md)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

import openpyxl


def write_xlsx(path: Path, headers: Sequence[Any], rows: Sequence[Sequence[Any]], *,
               title_rows: Sequence[Sequence[Any]] = (), sheet: str = "Page 1",
               extra_sheets: dict[str, list[list[Any]]] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for extra_name, extra_rows in (extra_sheets or {}).items():
        other = wb.create_sheet(extra_name, 0)  # first, so picking "the data sheet" is tested
        for r in extra_rows:
            other.append(r)
    for r in title_rows:
        ws.append(list(r))
    ws.append(list(headers))
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


_INLINE = re.compile(r'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is><t(?: [^>]*)?>(.*?)</t></is></c>', re.S)


def as_excel_saved(path: Path) -> Path:
    """Rewrite a workbook openpyxl wrote (text inline in each cell) the way Excel saves one: text in
    a shared-strings part, cells holding its index. Returns the path, rewritten in place."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    strings: dict[str, int] = {}

    def shared(m: re.Match[str]) -> str:
        index = strings.setdefault(m.group(3), len(strings))
        return f'<c r="{m.group(1)}"{m.group(2) or ""} t="s"><v>{index}</v></c>'

    for name in [n for n in parts if n.startswith("xl/worksheets/") and n.endswith(".xml")]:
        parts[name] = _INLINE.sub(shared, parts[name].decode("utf-8")).encode("utf-8")
    parts["xl/sharedStrings.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f'<si><t xml:space="preserve">{t}</t></si>' for t in strings) + "</sst>").encode("utf-8")
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, delimiter: str = ",",
              encoding: str = "utf-8", title_rows: Sequence[Sequence[Any]] = ()) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for r in title_rows:
        w.writerow(r)
    w.writerow(headers)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def as_filed(value: Any) -> Any:
    """A value read from a shared database as the file holds it (SQLAlchemy's SQLite formats), so a
    test's expectations hold on both backends."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):  # avg() of integers; SQLite's is a float
        return float(value)
    return value


def rows_of(db: Any, query: str) -> list[tuple[Any, ...]]:
    """The rows of `query` from a database file (a path, or a Store on a file) with sqlite3 as it
    stores them, or from a Store on a shared database, as the file would store them."""
    if getattr(db, "shared", False):
        import psycopg

        with psycopg.connect(db.url) as con:
            return [tuple(as_filed(v) for v in row) for row in con.execute(query)]
    con = sqlite3.connect(getattr(db, "path", None) or db)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def dump(db: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: equal dumps mean equal content. `db`: a file's path or a Store."""
    if getattr(db, "shared", False):
        from kpidesk.models import Base

        names = ["alembic_version", *(t.name for t in Base.metadata.sorted_tables)]
    else:
        names = [r[0] for r in rows_of(db, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: sorted(rows_of(db, f'SELECT * FROM "{t}"'), key=repr) for t in names}


def tickets(db: Any, *cols: str) -> dict[str, tuple[Any, ...]]:
    """{external_id: (cols...)} straight from the database (a file's path or a Store)."""
    sel = ", ".join(cols) if cols else "id"
    return {r[0]: r[1:] for r in rows_of(db, f"SELECT external_id, {sel} FROM ticket")}


class FakeProgress:
    """The Progress protocol: records calls; cancels once `cancel_after` progress reports were made."""

    def __init__(self, cancel_after: int | None = None) -> None:
        self.cancel_after = cancel_after
        self.statuses: list[str] = []
        self.progress: list[tuple[int, int]] = []

    def set_status(self, text: str) -> None:
        self.statuses.append(text)

    def set_progress(self, done: int, total: int) -> None:
        self.progress.append((done, total))

    def cancelled(self) -> bool:
        return self.cancel_after is not None and len(self.progress) >= self.cancel_after
