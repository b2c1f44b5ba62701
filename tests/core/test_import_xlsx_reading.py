"""How an .xlsx is read for an import (issue 19): the check for formulas without a saved value runs
beside the reading and still reaches the summary; a big sheet's header scan hands its reading to the
import instead of parsing the first slice again, and that first slice is small."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from kpidesk.importing import xlsx_slices
from kpidesk.importing.mappings import is_known_header
from kpidesk.importing.readers import open_table
from kpidesk.importing.tickets_import import run
from tests.import_samples import write_xlsx

D = dt.datetime
HEAD = ["Number", "Opened", "Resolved", "Priority", "Assigned to", "Updated"]


def _rows(n):
    return [[f"INC{i:05d}", D(2026, 1, 1 + i % 28, 8), D(2026, 1, 1 + i % 28, 10), "3 - Moderate", "Ann",
             D(2026, 2, 1, 12)] for i in range(n)]


def test_formulas_without_a_value_are_still_counted_in_the_summary(store, tmp_path):
    path = tmp_path / "formulas.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD)
    for r in _rows(4):
        ws.append(r)
    ws["D3"] = "=1+2"  # written by a program, never opened in a spreadsheet app: no saved value
    ws["D4"] = "=1+3"
    wb.save(path)
    report = run(store, path)
    warning = next(w for w in report.warnings if w.code == "formula_without_value")
    assert warning.count == 2 and warning.rows == ["D3", "D4"]


@pytest.fixture
def small_slices(monkeypatch):
    monkeypatch.setattr(xlsx_slices, "SLICE_MIN_BYTES", 1)
    monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 8192)
    monkeypatch.setattr(xlsx_slices, "FIRST_SLICE_BYTES", 2048)


def test_a_sliced_sheet_is_parsed_once_from_the_header_scan_to_the_last_row(store, tmp_path, monkeypatch, small_slices):
    path = write_xlsx(tmp_path / "big.xlsx", HEAD, _rows(400))
    sizes = []
    real = xlsx_slices.SlicedSheet._workbook
    monkeypatch.setattr(xlsx_slices.SlicedSheet, "_workbook", lambda self, xml: (sizes.append(len(xml)), real(self, xml))[1])
    report = run(store, path)
    assert report.created == 400
    whole = sum(sizes)
    sliced = xlsx_slices.open_sliced(path, open_table(path, known=is_known_header).sheet)
    assert sliced is not None
    assert whole == sum(len(x) for x in sliced._slices())  # each slice parsed once, none again for the import
    assert sizes[0] < 4096 < max(sizes)  # the first slice is the small one


def test_a_parked_reading_is_let_go_when_nobody_reads_it(tmp_path, small_slices):
    path = write_xlsx(tmp_path / "big.xlsx", HEAD, _rows(300))
    table = open_table(path, known=is_known_header)
    sheet = table._rows.__self__
    assert sheet._parked is not None
    assert len(table.preview(5)) == 5  # takes the parked reading
    assert sheet._parked is None
    rows = [r for _, r in table.rows()]  # a later reading starts again, from the top
    assert len(rows) == 300 and rows[0][0] == "INC00000"


def _with_formulas(path, rows, cells):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    for ref in cells:
        ws[ref] = "=1+2"  # written by a program, never opened in a spreadsheet app: no saved value
    wb.save(path)
    return path


def test_a_sliced_sheet_is_searched_for_formulas_as_it_is_cut_not_inflated_again(store, tmp_path, monkeypatch,
                                                                                  small_slices):
    path = _with_formulas(tmp_path / "big.xlsx", _rows(400), ["D3", "D250", "D401"])  # first, a middle, last slice
    from kpidesk.importing import readers, xlsx_formulas

    def again(*_args):
        raise AssertionError("the sheet's XML was inflated a second time for its formulas")

    monkeypatch.setattr(readers, "formulas_without_value", again)
    monkeypatch.setattr(xlsx_slices, "formulas_without_value", again)
    report = run(store, path)
    warning = next(w for w in report.warnings if w.code == "formula_without_value")
    assert warning.count == 3 and warning.rows == ["D3", "D250", "D401"]
    # A reading stopped before the end has not seen every cell: the search is made apart then.
    monkeypatch.setattr(xlsx_slices, "formulas_without_value", xlsx_formulas.formulas_without_value)
    table = open_table(path, known=is_known_header)
    assert len(table.preview(5)) == 5
    assert table.formulas() == (3, ["D3", "D250", "D401"])


def test_the_formula_search_finds_a_cell_cut_between_two_pieces(tmp_path):
    from kpidesk.importing.xlsx_formulas import FormulaScan, formulas_without_value

    path = _with_formulas(tmp_path / "f.xlsx", _rows(30), ["D3", "D17", "F31"])
    import zipfile

    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    assert formulas_without_value(path, "Sheet") == (3, ["D3", "D17", "F31"])
    for size in (1, 7, 64, len(xml)):
        scan = FormulaScan()
        for start in range(0, len(xml), size):
            scan.feed(xml[start:start + size])
        assert scan.result() == (3, ["D3", "D17", "F31"]), size
    none = FormulaScan()
    none.feed(xml.replace(b"<f>", b"<g>").replace(b"</f>", b"</g>"))
    assert none.result() is None
