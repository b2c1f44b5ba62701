"""The foundation CLI: demo, kpi list, check, backup (exit codes and JSON keys are contracts)."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kpidesk.cli import run
from kpidesk.store import Store

ROOT = Path(__file__).resolve().parents[2]


def test_help_lists_the_subcommands():
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for cmd in ("demo", "kpi", "check", "backup"):
        assert cmd in out.stdout


def test_kpi_list_json_on_demo_data(tmp_path, capsys):
    db = tmp_path / "d.db"
    assert run(["--db", str(db), "demo", "--today", "2026-11-22"]) == 0
    capsys.readouterr()
    assert run(["--db", str(db), "kpi", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_name = {d["name"]: d for d in data}
    assert by_name["MTTR P1"]["is_kpi"] is True and by_name["MTTR P1"]["target_value"] == 4.0
    assert by_name["MTTR P1"]["direction"] == "lower" and by_name["MTTR P1"]["unit"] == "hours"
    assert {"name", "category", "unit", "direction", "owner", "health", "is_kpi"} <= set(data[0])
    # The demo set MTTR's baseline, which switched on its relative trigger: it is a KPI.
    assert by_name["MTTR"]["is_kpi"] is True and by_name["MTTR"]["trigger_kind"] == "relative"
    assert by_name["MTTR"]["baseline_value"] > 0
    # Deployment frequency has nothing measured, so no baseline and no trigger: a plain metric, and why.
    assert by_name["Deployment frequency"]["is_kpi"] is False
    assert any("trigger" in h for h in by_name["Deployment frequency"]["health"])


def test_check_reports_ok_and_fails_on_damage(db_path, capsys):
    assert run(["--db", str(db_path), "check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["integrity"] == ["ok"]
    con = sqlite3.connect(db_path)
    con.execute("update alembic_version set version_num='0999_future'")
    con.commit()
    con.close()
    assert run(["--db", str(db_path), "check"]) == 4
    assert "newer" in capsys.readouterr().out


def test_check_on_missing_file(tmp_path, capsys):
    """Issue 13: a missing database is a database problem (exit 4), for check as for every reader."""
    assert run(["--db", str(tmp_path / "nope.db"), "check"]) == 4
    assert "no database" in capsys.readouterr().err
    assert not (tmp_path / "nope.db").exists()


@pytest.mark.sqlite_only("a file's backup (on a server: pg_dump, test_shared_postgres)")
def test_backup_to_a_path(store, tmp_path, capsys):
    store.create_objective("Backed up")
    dest = tmp_path / "b.db"
    assert run(["--db", str(store.path), "backup", str(dest)]) == 0
    with Store.open(dest) as copy:
        assert [o.name for o in copy.list_objectives()] == ["Backed up"]


def test_not_a_database_gives_a_message_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_text("hello")
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(bad), "kpi", "list"],
                         capture_output=True, text=True)
    assert out.returncode == 4
    assert "not a KPI Desk database" in out.stderr and "Traceback" not in out.stderr
    assert bad.read_text() == "hello"


@pytest.mark.sqlite_only("restore of the database file")
def test_restore_lists_and_restores_latest(store, capsys):
    from kpidesk import backups

    store.create_objective("before")
    backups.auto_backup(store.path)
    store.create_objective("after")
    assert run(["--db", str(store.path), "restore", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed and listed[0]["ok"] and listed[0]["reason"] == "daily"
    assert run(["--db", str(store.path), "restore", "--latest"]) == 0
    assert [o.name for o in store.list_objectives()] == ["before"]
    # The state before the restore was kept, so the restore can itself be undone.
    assert any(b.reason == "before-restore" for b in backups.list_backups(store.path))
