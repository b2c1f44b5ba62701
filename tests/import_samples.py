"""Fixture exports for the import tests, written by the tests themselves (openpyxl / csv) in each
tool's real header layout (../shared/helpdesk-exports.md)."""
from __future__ import annotations

import csv
import io
import re
import sqlite3
import zipfile
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


def dump(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: equal dumps mean equal content."""
    con = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        con.close()


def tickets(db_path: Path, *cols: str) -> dict[str, tuple[Any, ...]]:
    """{external_id: (cols...)} straight from the database."""
    con = sqlite3.connect(db_path)
    try:
        sel = ", ".join(cols) if cols else "id"
        return {r[0]: r[1:] for r in con.execute(f"SELECT external_id, {sel} FROM ticket")}
    finally:
        con.close()


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
