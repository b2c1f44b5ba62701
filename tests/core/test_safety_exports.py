"""Issue 13, items 5, 6 and 10: HR files whatever a name holds, all or nothing, private."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kpidesk.errors import ExportFailed
from kpidesk.export import atomic
from kpidesk.export.batch import NAME_MAX_BYTES, appraisal_filename, export_batch, fit_name
from kpidesk.export.kpi_table import Column, write_kpi_table
from tests.export_samples import sample_report

LONG = "Maximiliana-Josefina " * 15 + "Montenegro-Ávila de la Santísima Trinidad"  # 356 characters


def fake_pdf(report, path: Path, page_size: str) -> int:
    path.write_bytes(f"%PDF-1.4 {report.technician}".encode())
    return 1


def test_file_names_fit_any_file_system_and_stay_stable():
    """Item 5: one name over 255 bytes made the whole PDF export fail (QPainter::begin)."""
    a, b = sample_report(LONG), sample_report(LONG + "x")
    for report in (a, b, sample_report(LONG, status="draft")):
        name = appraisal_filename(report)
        assert len(name.encode("utf-8")) <= NAME_MAX_BYTES
        assert name.endswith("_DRAFT.pdf") == report.is_draft
    assert appraisal_filename(a) == appraisal_filename(sample_report(LONG))  # the same every time
    assert appraisal_filename(a) != appraisal_filename(b)  # and two long names stay apart
    assert appraisal_filename(sample_report("Alex Morgan")) == "2026-Q3_Morgan_Alex.pdf"  # short: untouched
    cut = fit_name("é" * 200, "pdf", 40)
    assert len(cut.encode()) <= 40 and cut.encode().decode() == cut  # never half a character


def test_a_long_name_exports_with_everyone_else(tmp_path):
    result = export_batch([sample_report(LONG), sample_report("Priya Shah")], tmp_path, period="2026-Q3",
                          fmt="both", render_pdf=fake_pdf)
    assert len(result.pdfs) == 2 and result.workbook is not None
    assert all(len(p.name.encode()) <= NAME_MAX_BYTES for p in result.files)


def _folder_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_batch_lands_all_or_nothing_when_a_later_rename_fails(tmp_path, monkeypatch):
    """Item 6: when a later file could not be written, the earlier PDFs stayed (and replaced HR's)."""
    team = [sample_report("Alex Morgan"), sample_report("Priya Shah"), sample_report("Chloé Dubois")]
    export_batch(team, tmp_path, period="2026-Q3", fmt="both", render_pdf=lambda r, p, s: p.write_bytes(b"%PDF old"))
    before = _folder_state(tmp_path)
    real = os.replace
    calls = {"n": 0}

    def failing_replace(src, dst):
        if str(src).endswith(atomic.TMP_SUFFIX):
            calls["n"] += 1
            if calls["n"] == 3:  # the third file of the batch cannot be put in place
                raise PermissionError(13, "Permission denied", str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(ExportFailed) as err:
        export_batch(team, tmp_path, period="2026-Q3", fmt="both", render_pdf=fake_pdf)
    assert "Nothing was exported" in str(err.value)
    assert _folder_state(tmp_path) == before  # the two replaced first have their old content back


def test_a_folder_in_the_way_fails_before_anything_is_written(tmp_path):
    (tmp_path / "2026-Q3_Shah_Priya.pdf").mkdir()
    with pytest.raises(ExportFailed, match="folder of that name"):
        export_batch([sample_report("Alex Morgan"), sample_report("Priya Shah")], tmp_path, period="2026-Q3",
                     fmt="pdf", render_pdf=fake_pdf)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-Q3_Shah_Priya.pdf"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_exported_hr_files_are_private(tmp_path):
    """Item 10: exported appraisals were created 0644 while the database is 0600."""
    old = os.umask(0o022)  # the usual umask, which made them 0644
    try:
        result = export_batch([sample_report("Alex Morgan")], tmp_path / "hr", period="2026-Q3", fmt="both",
                              render_pdf=fake_pdf)
        table = write_kpi_table([{"name": "MTTR"}], tmp_path / "kpis.xlsx", [Column("KPI", "name")], title="t")
    finally:
        os.umask(old)
    for path in [*result.files, table]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_two_exports_of_one_file_at_once_do_not_share_a_temporary_name(tmp_path):
    dest = tmp_path / "kpis.xlsx"
    a, b = atomic.new_tmp_beside(dest), atomic.new_tmp_beside(dest)
    assert a != b and a.parent == b.parent == tmp_path
    assert stat.S_IMODE(a.stat().st_mode) == 0o600
