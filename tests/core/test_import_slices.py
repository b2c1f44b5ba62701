"""Big sheets read a slice at a time (xlsx_slices): the same rows as calamine's whole-sheet read,
the same import, and the old path for anything it does not expect."""
from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from kpidesk.errors import ImportFailed
from kpidesk.importing import xlsx_slices
from kpidesk.importing.readers import open_table
from kpidesk.importing.tickets_import import run
from kpidesk.store import Store
from tests.import_samples import as_excel_saved, dump, write_xlsx

D = dt.datetime
HEAD = ["Number", "Opened", "Resolved", "Priority", "Assigned to", "Short description", "Reopen count"]


def _rows(n):
    return [[f"INC{i:05d}", D(2026, 1, 1 + i % 28, 8, i % 60), D(2026, 1, 1 + i % 28, 10) if i % 3 else None,
             f"{1 + i % 4} - x", ["Ann", "Ben", "Cy"][i % 3], f"Problem {i} & <more>", i % 2] for i in range(n)]


def _trimmed(rows):
    out = []
    for r in rows:
        r = list(r)
        while r and r[-1] == "":
            r.pop()
        out.append(r)
    return out


@pytest.fixture
def small_slices(monkeypatch):
    monkeypatch.setattr(xlsx_slices, "SLICE_MIN_BYTES", 1)
    monkeypatch.setattr(xlsx_slices, "SLICE_MIN_BYTES_SHARED", 1)  # whatever its shared strings
    monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 4096)


def _write_only(path, rows, gap=False):
    """openpyxl's streaming writer: inline strings (the other layout from shared strings)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Export")
    ws.append(["Incidents, exported 2026-02-01"])
    ws.append([])
    ws.append(HEAD)
    for i, r in enumerate(rows):
        if gap and i == len(rows) // 2:
            for _ in range(3):
                ws.append([])
        ws.append(r)
    wb.save(path)
    return path


@pytest.mark.parametrize("layout", ["shared strings", "inline strings"])
def test_sliced_rows_are_calamines_whole_sheet_rows(tmp_path, small_slices, layout):
    rows = _rows(400)
    for r in rows[150:260]:  # a stretch with column A empty: a slice may start right of column A
        r[0] = None
    if layout == "shared strings":
        path = as_excel_saved(write_xlsx(tmp_path / "a.xlsx", HEAD, rows, title_rows=[["Incidents"], []]))
        with zipfile.ZipFile(path) as z:
            assert b't="s"' in z.read("xl/worksheets/sheet1.xml")
    else:
        path = _write_only(tmp_path / "a.xlsx", rows, gap=True)
    sheet = CalamineWorkbook.from_path(str(path)).sheet_names[0]
    sliced = xlsx_slices.open_sliced(path, sheet)
    assert sliced is not None
    whole = list(CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).iter_rows())
    got = list(sliced.rows())
    assert len(list(sliced._slices())) > 5  # really cut into slices
    assert _trimmed(got) == _trimmed(whole)
    assert list(sliced.rows())[:3] == got[:3]  # rows() reads again from the start


def test_an_import_through_slices_stores_what_the_whole_sheet_import_stores(tmp_path, monkeypatch):
    path = _write_only(tmp_path / "big.xlsx", _rows(700), gap=True)
    whole_db, sliced_db = tmp_path / "whole.db", tmp_path / "sliced.db"
    with Store.open(whole_db) as store:
        whole = run(store, path)
    monkeypatch.setattr(xlsx_slices, "SLICE_MIN_BYTES", 1)
    monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 8192)
    table = open_table(path)
    assert table._rows.__self__.__class__ is xlsx_slices.SlicedSheet and table.header_row == 3
    assert 600 <= table.total_rows <= 800  # estimated from the first slice the reading cut (700 rows)
    with Store.open(sliced_db) as store:
        sliced = run(store, path)
    assert (sliced.created, sliced.rejected, sliced.rows_read) == (whole.created, whole.rejected, whole.rows_read) == (700, 0, 700)
    a, b = dump(whole_db), dump(sliced_db)
    for t in ("import_batch", "alembic_version"):
        a.pop(t), b.pop(t)
    assert a == b


def test_a_sheet_without_the_expected_layout_is_read_whole(tmp_path, small_slices):
    path = write_xlsx(tmp_path / "a.xlsx", HEAD, _rows(20))
    assert xlsx_slices.open_sliced(path, "No such sheet") is None
    odd = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(odd, "w") as dst:
        for item in src.infolist():
            if item.filename != "xl/_rels/workbook.xml.rels":
                dst.writestr(item, src.read(item))
    assert xlsx_slices.open_sliced(odd, "Page 1") is None


def test_a_sheet_with_many_shared_strings_is_sliced_only_from_the_higher_size(tmp_path, monkeypatch):
    """Every slice parses the shared strings again, so an Excel-saved sheet with many of them is
    read whole up to SLICE_MIN_BYTES_SHARED; an inline-string sheet of the same size is sliced."""
    shared = as_excel_saved(write_xlsx(tmp_path / "shared.xlsx", HEAD, _rows(300)))
    inline = _write_only(tmp_path / "inline.xlsx", _rows(300))
    sheet = lambda p: CalamineWorkbook.from_path(str(p)).sheet_names[0]  # noqa: E731
    with zipfile.ZipFile(shared) as z:
        strings = next(i.file_size for i in z.infolist() if i.filename.endswith("sharedStrings.xml"))
    monkeypatch.setattr(xlsx_slices, "SLICE_MIN_BYTES", 1)
    monkeypatch.setattr(xlsx_slices, "SLICE_MIN_BYTES_SHARED", 10**12)
    monkeypatch.setattr(xlsx_slices, "SHARED_STRINGS_SMALL", strings - 1)  # this file has "many"
    assert xlsx_slices.open_sliced(shared, sheet(shared)) is None
    assert xlsx_slices.open_sliced(inline, sheet(inline)) is not None
    monkeypatch.setattr(xlsx_slices, "SHARED_STRINGS_SMALL", strings)  # now it has few
    assert xlsx_slices.open_sliced(shared, sheet(shared)) is not None
    # ...few for slices of eight times their size or more: each slice would parse them again.
    monkeypatch.setattr(xlsx_slices, "SHARED_STRINGS_SMALL", 10**9)
    monkeypatch.setattr(xlsx_slices, "SLICES", 1)
    monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 8 * strings - 8)
    assert xlsx_slices.open_sliced(shared, sheet(shared)) is None
    monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 8 * strings)
    assert xlsx_slices.open_sliced(shared, sheet(shared)) is not None


def test_a_sheet_is_cut_in_about_eight_slices_within_the_smallest_and_largest_size():
    mb = 1024 * 1024
    assert xlsx_slices.slice_bytes(13 * mb) == 13 * mb // 8  # 10k rows of a 25-column export
    assert xlsx_slices.slice_bytes(4 * mb) == xlsx_slices.SMALLEST_SLICE_BYTES == mb
    assert xlsx_slices.slice_bytes(132 * mb) == xlsx_slices.SLICE_BYTES == 6 * mb
    assert xlsx_slices.SLICE_MIN_BYTES == 4 * mb


@pytest.mark.parametrize("damage", [b'<c r="B9"<<<', b"<row"])
def test_a_sheet_damaged_past_its_first_slice_is_refused_whole_naming_where(tmp_path, small_slices, damage):
    """The header scan reads only the first slice: a fault further down is met by the import, which
    says which file, sheet and rows, and stores nothing (not a traceback, not half the file)."""
    path = _write_only(tmp_path / "big.xlsx", _rows(400))
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"]
    at = xml.index(b'<row r="300"')
    parts["xl/worksheets/sheet1.xml"] = xml[:at] + damage + xml[at + 40:]
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert open_table(broken).headers[:2] == HEAD[:2]  # its top reads fine
    with Store.open(tmp_path / "t.db") as store:
        with pytest.raises(ImportFailed) as err:
            run(store, broken)
        stored = dump(store)
    assert stored["ticket"] == stored["import_batch"] == stored["technician"] == []
    message = str(err.value)
    assert message.startswith("Cannot import broken.xlsx: the workbook is damaged (") and "sheet 'Export'" in message
    first = int(message.split("from row ")[1].split(" ")[0].replace(",", ""))
    assert 200 < first <= 302  # the slice holding row 300 (three title rows above the data)
