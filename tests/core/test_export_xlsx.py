"""Issue 6: the HR workbook read back with openpyxl; the formula-injection guard; sheet names."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from kpidesk.export.workbook import write_workbook
from kpidesk.export.xlsx_safe import put, safe_sheet_title
from tests.export_samples import HOSTILE, sample_report

HOSTILE_VALUES = [HOSTILE, "+1+2", "-3+4", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "=1+1"]


def _all_cells(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def test_export_guard_keeps_literal_text_and_never_a_formula(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, text in enumerate(HOSTILE_VALUES, start=1):
        put(ws, i, 1, text)
    put(ws, 20, 1, -5.5)  # real negative numbers stay numbers
    path = tmp_path / "guard.xlsx"
    wb.save(path)
    back = openpyxl.load_workbook(path).active
    for i, text in enumerate(HOSTILE_VALUES, start=1):
        cell = back.cell(i, 1)
        # XML turns a carriage return into a line feed on reading; the text is otherwise literal.
        assert cell.value == text.replace("\r", "\n") and cell.data_type == "s" and cell.quotePrefix
    assert back.cell(20, 1).value == -5.5 and back.cell(20, 1).data_type == "n"


def test_export_workbook_summary_table_formats_and_guard(tmp_path):
    reports = [sample_report("Alex Morgan", comment=HOSTILE),
               sample_report("Priya Shah", comment="+44 20 7946 0000"),
               sample_report("Tom Becker", status="draft", comment="@channel see me")]
    reports[1].strengths = "-minus first"
    path = write_workbook(reports, "2026-Q3", tmp_path / "hr.xlsx")
    assert not (tmp_path / "hr.xlsx.tmp").exists()
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "Becker, Tom", "Morgan, Alex", "Shah, Priya"]
    ws = wb["Summary"]
    headers = [c.value for c in ws[1]]
    assert headers[:7] == ["Name", "Team", "Role", "Period", "Status", "Version", "Overall rating"]
    assert "First-contact resolution value" in headers and "MTTR rating" in headers
    assert ws.freeze_panes == "A2"
    (table,) = ws.tables.values()
    assert table.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}4"
    assert table.autoFilter is not None
    rows = {r[0].value: {h: c for h, c in zip(headers, r)} for r in ws.iter_rows(min_row=2)}
    alex = rows["Alex Morgan"]
    assert alex["Status"].value == "signed" and rows["Tom Becker"]["Status"].value == "draft"
    assert alex["First-contact resolution value"].value == pytest.approx(0.613)
    assert alex["First-contact resolution value"].number_format == "0.0%"
    assert alex["MTTR value"].value == pytest.approx(7.4) and alex["MTTR value"].number_format == '0.0 "h"'
    assert alex["MTTR rating"].value == 4 and alex["Overall rating"].value == 3.0
    assert alex["Goals"].value == 3 and isinstance(alex["Goals"].value, int)
    assert alex["Manager signed"].value == dt.datetime(2026, 10, 6, 14, 30)
    assert alex["Resolved tickets rating"].value is None  # reported, not rated
    # The guard, everywhere in the workbook: hostile text reads back literally, nothing is a formula.
    cells = list(_all_cells(wb))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {HOSTILE, "+44 20 7946 0000", "@channel see me", "-minus first"} <= texts
    for c in cells:
        if isinstance(c.value, str) and c.value[:1] in "=+-@":
            assert c.quotePrefix and c.data_type == "s", c.coordinate
    detail = wb["Morgan, Alex"]
    col_a = [c.value for c in detail["A"]]
    for section in ("Role KPIs", "Trend by period", "Team context (not rated)", "Strengths",
                    "Support and training needed", "Goals for the next period", "Manager's comments",
                    "Technician's comments"):
        assert section in col_a
    goals_row = col_a.index("Goals for the next period") + 3  # header, then goals (1-based + header)
    assert detail.cell(goals_row, 4).value == dt.datetime(2026, 12, 31)  # due date stays a date


def test_export_safe_sheet_titles():
    taken: set[str] = set()
    long = "O'Brien-Featherstonehaugh, Alexandra [Contractor]"
    a = safe_sheet_title(long, taken)
    b = safe_sheet_title(long, taken)
    c = safe_sheet_title("a/b\\c?d*e:f", taken)
    assert len(a) <= 31 and len(b) <= 31 and a != b and b.endswith("(2)")
    assert not set("[]:*?/\\") & set(a + b + c)
    assert safe_sheet_title("summary", {"Summary"}) == "summary (2)"
