"""Issue 19: `kpidesk metrics` reads a healthy, current database without SQLAlchemy (0.1 s a call, not
0.6 s) and answers exactly what the full Store path answers; anything else takes the full path, which
migrates, refuses or explains with its documented exit code."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kpidesk.cli import run
from kpidesk.readonly import ReadOnlyDb
from tests.core.test_metrics_engine import ids  # noqa: F401  (fixture: the hand-made March 2026 set)

ROOT = Path(__file__).resolve().parents[2]


def metrics_json(db_path, capsys, *args):
    assert run(["--db", str(db_path), "metrics", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("args", [
    ("--period", "2026-03"),
    ("--technician", "BOB", "--from", "2026-W10", "--to", "2026-W11"),  # an alias key, folded
    ("--team", "Desk", "--period", "2026-Q1", "--by", "month", "--split", "priority"),
])
def test_the_light_path_answers_what_the_store_answers(db_path, ids, capsys, monkeypatch, args):  # noqa: F811
    assert ReadOnlyDb.open(db_path) is not None
    light = metrics_json(db_path, capsys, *args)
    monkeypatch.setattr(ReadOnlyDb, "open", classmethod(lambda cls, path: None))
    full = metrics_json(db_path, capsys, *args)
    assert light == full and light


def test_only_a_healthy_current_database_takes_it(tmp_path, db_path, ids):  # noqa: F811
    con = sqlite3.connect(db_path)
    con.execute("UPDATE alembic_version SET version_num = '0001_first_schema'")  # an older schema
    con.commit()
    con.close()
    assert ReadOnlyDb.open(db_path) is None  # the Store migrates it
    assert ReadOnlyDb.open(tmp_path / "missing.db") is None
    other = tmp_path / "notes.txt"
    other.write_text("not a database")
    assert ReadOnlyDb.open(other) is None
    empty = tmp_path / "other.db"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.commit()
    assert ReadOnlyDb.open(empty) is None  # SQLite, but not KPI Desk's


def test_a_metrics_call_never_loads_sqlalchemy(db_path, ids):  # noqa: F811
    code = ("import sys, io, contextlib; sys.path.insert(0, '.'); import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()): rc = main.main(['--db', {str(db_path)!r}, "
            "'metrics', '--technician', 'Bob', '--period', '2026-03', '--json'])\n"
            "print(rc, 'sqlalchemy' in sys.modules, 'PySide6' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.split() == ["0", "False", "False"], out.stderr


def test_the_column_list_the_light_path_checks_is_the_models():
    """kpidesk/schema_columns.json stands in for the models where they are not loaded; a model change
    must regenerate it (python -m kpidesk.schema_check --write-columns)."""
    from kpidesk.models import Base
    from kpidesk.schema_check import head_columns

    assert head_columns() == {t.name: [c.name for c in t.columns] for t in Base.metadata.sorted_tables}
