"""Issue 6: batch export to a folder: sortable file names, collisions, drafts excluded or included,
progress, cancel leaves nothing, atomic files. The PDF renderer is a stub here (Qt-free core);
tests/ui/test_export_pdf.py covers the real one."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from kpidesk.errors import Cancelled, ExportFailed
from kpidesk.export.batch import appraisal_filename, export_batch, unique_names
from kpidesk.export.kpi_table import Column, write_kpi_table
from tests.export_samples import HOSTILE, sample_report


def fake_pdf(report, path: Path, page_size: str) -> int:
    path.write_bytes(f"%PDF-1.4 {report.technician} {page_size} {'DRAFT' if report.is_draft else ''}".encode())
    return 1


class Recorder:
    def __init__(self, cancel_after: int | None = None) -> None:
        self.statuses: list[str] = []
        self.progress: list[tuple[int, int]] = []
        self.cancel_after = cancel_after

    def set_status(self, text: str) -> None:
        self.statuses.append(text)

    def set_progress(self, done: int, total: int) -> None:
        self.progress.append((done, total))

    def cancelled(self) -> bool:
        return self.cancel_after is not None and len(self.statuses) >= self.cancel_after


def _team():
    return [sample_report("Alex Morgan"), sample_report("Priya Shah"), sample_report("Tom Becker", status="draft"),
            sample_report("Alex Morgan"), sample_report("Chloé Dubois")]


def test_export_file_names_sort_and_collide():
    names = unique_names([appraisal_filename(r) for r in _team()])
    assert names == ["2026-Q3_Morgan_Alex.pdf", "2026-Q3_Shah_Priya.pdf", "2026-Q3_Becker_Tom_DRAFT.pdf",
                     "2026-Q3_Morgan_Alex_2.pdf", "2026-Q3_Dubois_Chloé.pdf"]
    odd = sample_report("Jean-Luc O'Neil / Contractor")
    assert "/" not in appraisal_filename(odd)


def test_export_batch_excludes_drafts_by_default(tmp_path):
    progress = Recorder()
    result = export_batch(_team(), tmp_path / "out", period="2026-Q3", fmt="both", render_pdf=fake_pdf,
                          progress=progress)
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["2026-Q3_Dubois_Chloé.pdf", "2026-Q3_Morgan_Alex.pdf", "2026-Q3_Morgan_Alex_2.pdf",
                     "2026-Q3_Shah_Priya.pdf", "2026-Q3_appraisals.xlsx"]
    assert result.skipped_drafts == ["Tom Becker"] and result.workbook and len(result.pdfs) == 4
    assert progress.progress[-1] == (5, 5) and progress.statuses[0].startswith("Writing ")
    wb = openpyxl.load_workbook(result.workbook)
    assert [r[0].value for r in wb["Summary"].iter_rows(min_row=2)] == [
        "Chloé Dubois", "Alex Morgan", "Alex Morgan", "Priya Shah"]


def test_export_batch_includes_drafts_marked(tmp_path):
    result = export_batch(_team(), tmp_path, period="2026-Q3", fmt="pdf", render_pdf=fake_pdf,
                          include_drafts=True, page_size="Letter")
    draft = tmp_path / "2026-Q3_Becker_Tom_DRAFT.pdf"
    assert draft in result.pdfs and b"DRAFT" in draft.read_bytes() and b"Letter" in draft.read_bytes()
    assert result.workbook is None and not list(tmp_path.glob("*.xlsx"))


def test_export_batch_cancel_leaves_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("HR's own file")
    with pytest.raises(Cancelled):
        export_batch(_team(), out, period="2026-Q3", fmt="both", render_pdf=fake_pdf,
                     progress=Recorder(cancel_after=3))
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_export_batch_failure_mid_way_leaves_nothing(tmp_path):
    def broken(report, path, page_size):
        if report.technician == "Priya Shah":
            raise ExportFailed("renderer broke")
        return fake_pdf(report, path, page_size)

    with pytest.raises(ExportFailed):
        export_batch(_team(), tmp_path, period="2026-Q3", fmt="both", render_pdf=broken)
    assert list(tmp_path.iterdir()) == []


def test_export_batch_nothing_to_export_and_unwritable(tmp_path):
    with pytest.raises(ExportFailed, match="draft"):
        export_batch([sample_report(status="draft")], tmp_path, period="2026-Q3", fmt="pdf", render_pdf=fake_pdf)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ExportFailed, match="a-file"):
        export_batch(_team(), blocker / "sub", period="2026-Q3", fmt="xlsx")


def test_export_kpi_table_rows_to_excel(tmp_path):
    rows = [{"name": "MTTR", "unit": "hours", "value": 7.4, "target": 24.0, "owner": "Dana"},
            {"name": "First-contact resolution", "unit": "%", "value": 61.3, "target": 75.0, "owner": HOSTILE},
            {"name": "Resolved tickets", "unit": "tickets", "value": 182, "target": None, "owner": "@dana"}]
    cols = [Column("KPI", "name"), Column("Value", "value", unit_key="unit"),
            Column("Target", "target", unit_key="unit"), Column("Owner", "owner")]
    path = write_kpi_table(rows, tmp_path / "kpis.xlsx", cols, title=f"Dashboard {dt.date(2026, 10, 1)}")
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "Dashboard 2026-10-01" and ws.freeze_panes == "A4"
    assert [c.value for c in ws[3]] == ["KPI", "Value", "Target", "Owner"]
    assert ws["B4"].value == 7.4 and ws["B4"].number_format == '0.0 "h"'
    assert ws["B5"].value == pytest.approx(0.613) and ws["B5"].number_format == "0.0%"
    assert ws["B6"].value == 182 and ws["C6"].value is None
    assert ws["D5"].value == HOSTILE and ws["D5"].data_type == "s" and ws["D6"].quotePrefix
    (table,) = ws.tables.values()
    assert table.ref == "A3:D6"
