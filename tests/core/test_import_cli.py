"""The import command line contract (issue 3): exit codes 0/2/3, JSON keys, imports list, undo,
and the error report workbook (text cells only, never formulas)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl

from kpidesk.cli import run
from kpidesk.importing.error_report import save_error_report
from kpidesk.importing.report import RejectedRow
from tests.import_samples import tickets, write_csv

ROOT = Path(__file__).resolve().parents[2]
HEAD = ["Number", "Opened", "Resolved", "Priority", "Assigned to"]
GOOD = [["INC1", "2026-01-05 08:00", "2026-01-05 10:00", "1 - Critical", "Ann"],
        ["INC2", "2026-01-06 08:00", "", "4 - Low", "Ben"]]
KEYS = {"batch_id", "file", "preset", "kind", "created", "updated", "unchanged", "rejected", "rejected_rows",
        "new_technicians", "dry_run", "elapsed_s"}


def test_import_json_then_list_then_undo(db_path, tmp_path, capsys):
    p = write_csv(tmp_path / "inc.csv", HEAD, GOOD + [["INC3", "=HYPERLINK(\"x\")", "", "P1", "Ann"]])
    assert run(["--db", str(db_path), "import", str(p), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert KEYS <= set(out)
    assert (out["file"], out["preset"], out["kind"], out["created"], out["rejected"], out["dry_run"]) == \
        ("inc.csv", "servicenow", "tickets", 2, 1, False)
    assert out["rejected_rows"] == [{"file": "inc.csv", "sheet": "", "row": 4, "column": "Opened",
                                     "value": '=HYPERLINK("x")', "reason": out["rejected_rows"][0]["reason"]}]
    assert out["new_technicians"] == ["Ann", "Ben"]
    assert run(["--db", str(db_path), "imports", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(b["id"], b["file_name"], b["created"]) for b in listed] == [(out["batch_id"], "inc.csv", 2)]
    assert run(["--db", str(db_path), "undo-import", str(out["batch_id"])]) == 0
    assert tickets(db_path) == {}
    assert run(["--db", str(db_path), "undo-import", str(out["batch_id"])]) == 1
    assert "already undone" in capsys.readouterr().err


def test_exit_2_unreadable_and_3_strict(db_path, tmp_path, capsys):
    bad = tmp_path / "locked.xlsx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert run(["--db", str(db_path), "import", str(bad)]) == 2
    assert "locked.xlsx" in capsys.readouterr().err
    p = write_csv(tmp_path / "inc.csv", HEAD, GOOD + [["INC3", "soon", "", "P1", "Ann"]])
    assert run(["--db", str(db_path), "import", str(p), "--strict", "--json"]) == 3
    captured = capsys.readouterr()
    assert json.loads(captured.out)["rejected"] == 1 and "--strict nothing was imported" in captured.err
    assert tickets(db_path) == {}
    assert run(["--db", str(db_path), "import", str(p), "--dry-run"]) == 0
    assert "Would import inc.csv" in capsys.readouterr().out
    assert tickets(db_path) == {}


def test_month_first_flag(db_path, tmp_path, capsys):
    p = write_csv(tmp_path / "us.csv", HEAD, [["INC1", "03/04/2026 08:00", "", "P2", "Ann"]])
    assert run(["--db", str(db_path), "import", str(p), "--month-first", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 1
    assert tickets(db_path, "created_at") == {"INC1": ("2026-03-04 08:00:00.000000",)}


def test_real_subprocess(tmp_path):
    p = write_csv(tmp_path / "inc.csv", HEAD, GOOD)
    db = tmp_path / "sub.db"
    res = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(db), "import", str(p)],
                         capture_output=True, text=True, cwd=tmp_path, env={"KPIDESK_HOME": str(tmp_path / "home"),
                                                                              "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stderr
    assert "2 tickets created, 0 updated, 0 unchanged, 0 rows rejected" in res.stdout


def test_error_report_writes_text_never_formulas(tmp_path):
    rows = [RejectedRow("a.csv", "", 7, "Opened", "=1+2", "not a date"),
            RejectedRow("a.csv", "", 8, "Owner", "@SUM(A1)", "x"), RejectedRow("a.csv", "", 9, "N", "-3", "y")]
    dest = save_error_report(rows, tmp_path / "errors.xlsx")
    ws = openpyxl.load_workbook(dest).active
    assert [c.value for c in ws[1]] == ["File", "Sheet", "Row", "Column", "Value", "Reason"]
    assert [ws.cell(r, 5).value for r in (2, 3, 4)] == ["=1+2", "@SUM(A1)", "-3"]
    assert {ws.cell(r, c).data_type for r in (2, 3, 4) for c in (1, 4, 5, 6)} == {"s"}
    assert ws.cell(2, 3).value == 7
