"""Issue 7 item 6: hostile and odd workbooks. Each gets a clear answer quickly (a message naming
the file, or rows rejected with row, column and value), never a crash, a hang or a memory blow-up.
(Zip bombs, truncated zips and password-protected files are in test_import_readers.py.)"""
from __future__ import annotations

import datetime as dt
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kpidesk.errors import ImportFailed
from kpidesk.importing import tickets_import
from tests.import_samples import rows_of

HEADERS = ["Number", "Opened", "Resolved", "Priority", "Assigned to", "Reopen count", "Category"]


def base_workbook(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def rewrite_sheet(src: Path, dst: Path, transform) -> Path:
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for item in zi.infolist():
            data = zi.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = transform(data.decode()).encode()
            zo.writestr(item, data)
    return dst


def test_xml_entity_bomb_is_refused_without_expanding(store, tmp_path):
    src = base_workbook(tmp_path / "base.xlsx", [["INC1", "2026-01-01 10:00", "2026-01-01 12:00", "P1", "A", 0, "x"]])
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "' + (f"&lol{i - 1};" if i > 1 else "&lol;") * 10 + '">' for i in range(1, 10))

    def bomb(xml: str) -> str:
        body = xml[xml.index("<worksheet"):]
        return f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>' + body.replace(">A<", ">&lol9;<", 1)

    path = rewrite_sheet(src, tmp_path / "bomb.xlsx", bomb)
    t0 = time.perf_counter()
    with pytest.raises(ImportFailed) as err:
        tickets_import.run(store, path)
    assert time.perf_counter() - t0 < 10
    assert "bomb.xlsx" in str(err.value) and "save it as .xlsx" in str(err.value)
    assert store.list_technicians() == []


def test_a_million_empty_styled_rows_are_read_quickly(store, tmp_path):
    src = base_workbook(tmp_path / "base.xlsx", [["INC1", "2026-01-01 10:00", "2026-01-01 12:00", "P1", "A", 0, "x"]])

    def million(xml: str) -> str:
        head, rest = xml.split("<sheetData>")
        data, tail = rest.split("</sheetData>")
        empty = "".join(f'<row r="{r}"><c r="A{r}" s="0"/><c r="B{r}" s="0"/></row>' for r in range(3, 1_000_003))
        return head.replace("A1:G2", "A1:G1000002") + "<sheetData>" + data + empty + "</sheetData>" + tail

    path = rewrite_sheet(src, tmp_path / "million.xlsx", million)
    t0 = time.perf_counter()
    report = tickets_import.run(store, path)
    assert time.perf_counter() - t0 < 30
    assert (report.created, report.rejected) == (1, 0)


def test_odd_cells_are_rejected_with_row_column_and_value(store, tmp_path):
    path = base_workbook(tmp_path / "odd.xlsx", [
        ["INC1", "=DATE(2026,1,1)", "2026-01-02 10:00", "1 - Critical", "A", 0, "a formula with no saved value"],
        ["INC2", "1800-01-01 10:00", "1800-01-02 10:00", "1 - Critical", "A", 0, "far past"],
        ["INC3", "2026-01-01 10:00", "2999-01-02 10:00", "1 - Critical", "A", 0, "far future"],
        ["INC4", "2026-01-01 10:00", "2026-01-02 10:00", "1 - Critical", "A", "many", "text in a number column"],
        ["INC5", "2026-01-01 10:00", "2026-01-02 10:00", "1 - Critical", "A", 0, "y" * 100_000],
        ["INC6", dt.datetime(2026, 1, 1, 9), dt.datetime(2026, 1, 1, 12), "1 - Critical", "A", 0, "fine"],
        ["INC7", "2026-01-05 10:00", "2026-01-02 10:00", "1 - Critical", "A", 0, "resolved before created"],
    ])
    report = tickets_import.run(store, path)
    rejected = {(r.row, r.column): r for r in report.rejected_rows}
    # Issue 12: only the id and the created date reject a row; the other odd cells are left empty,
    # the tickets kept, and each is counted with its column and row in the summary.
    assert set(rejected) == {(2, "Opened"), (3, "Opened")}
    assert "created date" in rejected[(2, "Opened")].reason
    assert "1900-2200" in rejected[(3, "Opened")].reason and rejected[(3, "Opened")].value == "1800-01-01 10:00"
    said = {(w.code, w.rows[0]) for w in report.warnings if w.rows}
    assert {("unreadable", 4), ("unreadable", 5), ("before_created", 8)} <= said
    assert any("'many'" in str(w) and "'Reopen count'" in str(w) for w in report.warnings)
    assert all(r.file == "odd.xlsx" for r in report.rejected_rows)
    assert report.created == 5
    lengths = dict(rows_of(store, "SELECT external_id, length(category) FROM ticket"))
    huge, fine = lengths["INC5"], lengths["INC6"]
    assert 0 < huge <= 32_767 and fine == 4  # a 100,000-character cell is kept, cut to Excel's own limit
