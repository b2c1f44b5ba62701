"""Issue 6: `kpidesk export appraisals` on the demo data with its demo check-ins (appraisal_demo):
exit codes, file names, drafts, nothing matches, unwritable target; the PDF runs offscreen."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from kpidesk.cli import run
from kpidesk.export.appraisal_source import reports_for
from kpidesk.periods import period_containing

ROOT = Path(__file__).resolve().parents[2]
from tests.conftest import DEMO_TODAY as TODAY  # the demo already holds last quarter's check-ins


@pytest.fixture
def demo_db(demo_store):
    from kpidesk.periods import last_full_period

    return demo_store.address, last_full_period(TODAY, "quarter").key


def test_export_demo_checkins_signed_last_quarter_and_drafts_this_quarter(demo_store):
    from kpidesk.periods import last_full_period, period_containing

    reports = reports_for(demo_store, last_full_period(TODAY, "quarter").key)
    assert len(reports) == 8 and not [r.technician for r in reports if r.is_draft]
    current = reports_for(demo_store, period_containing(TODAY, "quarter").key)
    assert sorted(r.technician for r in current if r.is_draft) == ["Chloe Dubois", "Tom Becker"]
    alex = next(r for r in reports if r.technician == "Alex Morgan")
    assert alex.organisation == "Northwind Facilities Ltd" and alex.manager_signed_at and alex.kpis
    mttr = next(k for k in alex.kpis if k.name == "MTTR")
    assert mttr.value is not None and mttr.baseline is not None and len(mttr.trend) == 6 and mttr.rating
    lena = next(r for r in reports if r.technician == "Lena Novak")
    assert lena.escalation_destination


def test_export_cli_folder_both_without_drafts(demo_db, tmp_path, capsys):
    db, period = demo_db
    out = tmp_path / "hr"
    code = run(["--db", str(db), "export", "appraisals", "--period", period, "--team", "service desk",
                "--format", "both", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f"{period}_Becker_Tom.pdf", f"{period}_Dubois_Chloe.pdf", f"{period}_Morgan_Alex.pdf",
                            f"{period}_Novak_Lena.pdf", f"{period}_Shah_Priya.pdf", f"{period}_appraisals.xlsx"])
    wb = openpyxl.load_workbook(out / f"{period}_appraisals.xlsx")
    assert wb["Summary"].max_row == 6
    # This quarter's check-ins are drafts: left out, and said so.
    now = period_containing(TODAY, "quarter").key
    code = run(["--db", str(db), "export", "appraisals", "--period", now, "--format", "both", "--out",
                str(tmp_path / "now")])
    assert code == 1 and "Tom Becker" in capsys.readouterr().err
    text = " ".join(p.extract_text() for p in PdfReader(out / f"{period}_Morgan_Alex.pdf").pages)
    assert "Alex Morgan" in " ".join(text.split()) and "DRAFT" not in text


def test_export_cli_single_draft_pdf(demo_db, tmp_path):
    db, _ = demo_db
    period = period_containing(TODAY, "quarter").key
    dest = tmp_path / "tom.pdf"
    args = ["--db", str(db), "export", "appraisals", "--period", period, "--technician", "tom becker",
            "--format", "pdf", "--out", str(dest)]
    assert run(args) == 1 and not dest.exists()  # a draft, left out by default
    assert run(args + ["--include-drafts", "--page-size", "Letter"]) == 0
    reader = PdfReader(dest)
    assert all("DRAFT" in p.extract_text() for p in reader.pages)
    assert round(float(reader.pages[0].mediabox.height)) == 792


def test_export_cli_errors(demo_db, tmp_path, capsys):
    db, period = demo_db
    base = ["--db", str(db), "export", "appraisals"]
    assert run(base + ["--period", "2001-Q1", "--format", "xlsx", "--out", str(tmp_path)]) == 1
    assert "no check-ins for 2001-Q1" in capsys.readouterr().err
    assert run(base + ["--period", period, "--team", "Nope", "--format", "xlsx", "--out", str(tmp_path)]) == 1
    assert "No team named 'Nope'" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert run(base + ["--period", period, "--format", "xlsx", "--out", str(blocker / "out")]) == 1
    assert "Cannot create the folder" in capsys.readouterr().err
    assert run(base + ["--period", period, "--format", "both", "--out", str(tmp_path / "x.pdf")]) == 2
    assert run(base + ["--period", "someday", "--format", "xlsx", "--out", str(tmp_path)]) == 2
    if os.name == "posix" and os.geteuid() != 0:  # root ignores permissions
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert run(base + ["--period", period, "--format", "xlsx", "--out", str(locked)]) == 1


def test_export_cli_without_display_in_a_subprocess(demo_db, tmp_path):
    """The CLI makes PDFs on a machine with no display (it starts Qt offscreen by itself)."""
    db, period = demo_db
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(db), "export", "appraisals",
                           "--period", period, "--technician", "Priya Shah", "--format", "pdf", "--out",
                           str(tmp_path / "priya.pdf")], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "priya.pdf").read_bytes().startswith(b"%PDF")
