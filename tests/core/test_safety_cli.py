"""Issue 13: every command against every bad database ends in its documented exit code and one
plain line, never a traceback, and leaves the file as it was; plus items 8, 9 and 10."""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from kpidesk.cli import run
from main import main
from tests.import_samples import write_csv

ROOT = Path(__file__).resolve().parents[2]
HEAD = ["Number", "Opened", "Resolved", "Priority", "Assigned to"]
ROWS = [["INC1", "2026-01-05 08:00", "2026-01-05 10:00", "1 - Critical", "Ann"],
        ["INC2", "2026-01-06 08:00", "", "4 - Low", "Ben"]]


def digest(path: Path) -> str | None:
    if path.is_dir():
        return "dir"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


# ---------------------------------------------------------------- the bad databases


def _truncated(good: Path, dest: Path) -> None:
    data = good.read_bytes()
    dest.write_bytes(data[: len(data) // 3])


def _foreign(good: Path, dest: Path) -> None:
    con = sqlite3.connect(dest)
    con.execute("create table invoices(id integer primary key)")
    con.commit()
    con.close()


def _relabel(version: str):
    def make(good: Path, dest: Path) -> None:
        shutil.copy(good, dest)
        con = sqlite3.connect(dest)
        con.execute("update alembic_version set version_num = ?", (version,))
        con.commit()
        con.close()
    return make


def _missing_table(good: Path, dest: Path) -> None:
    shutil.copy(good, dest)
    con = sqlite3.connect(dest)
    con.execute("drop table review")
    con.commit()
    con.close()


def _png(good: Path, dest: Path) -> None:
    dest.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)


def _folder(good: Path, dest: Path) -> None:
    dest.mkdir()


BAD = {"truncated": _truncated, "foreign": _foreign, "newer": _relabel("9999_from_the_future"),
       "missing-table": _missing_table, "png": _png, "folder": _folder, "absent": lambda good, dest: None}

# (argv after --db, exit code on a bad database); restore finds no usable backup: 1, and --list
# only lists (0). `check` and `backup` know more than open does, so a few cells differ below.
COMMANDS = {
    "kpi list": (["kpi", "list"], 4), "imports": (["imports", "--json"], 4), "undo": (["undo-import", "1"], 4),
    "metrics": (["metrics", "--period", "2026-01"], 4), "reviews": (["reviews", "--check"], 4),
    "export": (["export", "appraisals", "--period", "2026-Q1", "--format", "xlsx", "--out", "OUT"], 4),
    "demo": (["demo", "--today", "2026-11-22"], 4), "import": (["import", "FILE"], 4),
    "check": (["check"], 4), "backup": (["backup"], 4), "backup-to": (["backup", "OUT/copy.db"], 4),
    "restore-list": (["restore", "--list"], 0), "restore-latest": (["restore", "--latest"], 1),
}
EXCEPTIONS = {("backup", "newer"): 0, ("backup-to", "newer"): 0,  # a sound KPI Desk file: a copy is fine
              ("backup", "missing-table"): 0, ("backup-to", "missing-table"): 0,
              ("demo", "absent"): 0, ("import", "absent"): 0}  # the two commands that create a database


@pytest.mark.parametrize("bad", sorted(BAD))
def test_every_command_against_every_bad_database(bad, _template_db, tmp_path, capsys):
    export = write_csv(tmp_path / "inc.csv", HEAD, ROWS)
    results = []
    for name, (argv, expected) in sorted(COMMANDS.items()):
        case = tmp_path / name
        case.mkdir()
        db = case / "team.db"
        BAD[bad](_template_db, db)
        before = digest(db)
        argv = [a.replace("OUT", str(case / "out")).replace("FILE", str(export)) for a in argv]
        try:
            code = main(["--db", str(db), *argv])
        except BaseException as exc:  # noqa: BLE001 - a traceback is the failure this test is for
            results.append((name, "raised", f"{type(exc).__name__}: {exc}"))
            continue
        out = capsys.readouterr()
        want = EXCEPTIONS.get((name, bad), expected)
        if code != want:
            results.append((name, code, out.err.strip() or out.out.strip()))
        reported = name == "check" and "Integrity:" in out.out  # check's failing report is its answer
        if code != 0 and not reported:
            lines = out.err.strip().splitlines()
            if len(lines) != 1 or not lines[0].startswith("kpidesk: ") or "Traceback" in out.err:
                results.append((name, "message", out.err))
        if want != 0 and digest(db) != before:
            results.append((name, "changed the file", ""))
        if bad == "absent" and want != 0 and db.exists():
            results.append((name, "created a database", ""))
    assert results == []


def test_an_empty_db_path_is_bad_usage(capsys):
    """Item 9: `--db ""` silently meant the default database."""
    with pytest.raises(SystemExit) as exit_:
        run(["--db", "", "kpi", "list"])
    assert exit_.value.code == 2
    assert "--db needs a file path" in capsys.readouterr().err


def test_a_read_only_folder_ends_in_plain_messages(_template_db):
    """Item 4: `check` and `backup` in a read-only folder printed tracebacks. Root ignores
    permissions, so the commands run as an unprivileged user where the test runs as root."""
    if os.name == "nt":
        pytest.skip("POSIX permissions")
    as_nobody = None
    if os.geteuid() == 0:
        def as_nobody():  # noqa: E306
            os.setgid(65534)
            os.setuid(65534)
    folder = Path(tempfile.mkdtemp(prefix="kpidesk-ro-"))
    try:
        db = folder / "team.db"
        shutil.copy(_template_db, db)
        os.chmod(db, 0o644)
        os.chmod(folder, 0o555)
        env = {"PATH": "/usr/bin:/bin", "KPIDESK_HOME": str(folder / "home"), "HOME": str(folder)}
        expected = {("check",): 0, ("backup",): 1, ("kpi", "list"): 4, ("backup", str(folder / "b.db")): 1}
        for argv, code in expected.items():
            res = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(db), *argv], env=env,
                                 capture_output=True, text=True, preexec_fn=as_nobody, timeout=120)
            if res.returncode != 0 and "Permission denied" in res.stderr and "main.py" in res.stderr:
                pytest.skip("an unprivileged user cannot read the project here")
            assert res.returncode == code, (argv, res.stderr)
            assert "Traceback" not in res.stderr and res.stderr.count("\n") <= 1, res.stderr
        assert sorted(p.name for p in folder.iterdir()) == ["team.db"]  # no *.tmp, no -wal left
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- item 8: pipes and devices


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_with_no_writer_is_refused_at_once(tmp_path):
    """Item 8: importing a FIFO with no writer hung for ever."""
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    res = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(tmp_path / "t.db"), "import", str(fifo)],
                         capture_output=True, text=True, timeout=60, env={**os.environ, "KPIDESK_HOME": str(tmp_path)})
    assert res.returncode == 2 and "it is a pipe, not a file" in res.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_not_called_empty(tmp_path, capsys):
    """Item 8: /dev/zero and piped input were called 'empty'."""
    assert run(["--db", str(tmp_path / "t.db"), "import", "/dev/zero"]) == 2
    assert "it is a device, not a file" in capsys.readouterr().err


# ---------------------------------------------------------------- items 9 and 10


def test_read_commands_do_not_create_a_database_at_a_mistyped_path(tmp_path, capsys):
    """Item 9: read commands on a mistyped --db created an empty database and printed nulls, exit 0."""
    typo = tmp_path / "tema.db"
    for argv in (["kpi", "list"], ["metrics", "--json"], ["reviews"], ["imports"], ["check"], ["backup"]):
        assert run(["--db", str(typo), *argv]) == 4, argv
        assert f"no database at {typo}" in capsys.readouterr().err
    assert not typo.exists()
    export = write_csv(tmp_path / "inc.csv", HEAD, ROWS)
    assert run(["--db", str(typo), "import", str(export)]) == 0  # import may create one
    assert typo.exists()


def test_periods_are_checked_not_guessed(demo_store, capsys):
    """Item 10: --period '' was accepted, a bad period exited 1 in metrics and 2 in export, --from
    after --to was silently swapped and --from alone gave one period."""
    db = demo_store.address
    for argv in (["metrics", "--period", ""], ["metrics", "--period", "March"],
                 ["metrics", "--from", "2026-06", "--to", "2026-03"], ["metrics", "--to", "2026-03"],
                 ["metrics", "--from", "2026-01", "--to", "2026-Q2"], ["metrics", "--from", ""],
                 ["export", "appraisals", "--period", "", "--format", "xlsx", "--out", db + ".d"],
                 ["export", "appraisals", "--period", "2026-13", "--format", "xlsx", "--out", db + ".d"],
                 ["reviews", "--today", "yesterday"]):
        assert run(["--db", db, *argv]) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("kpidesk: ") and err.count("\n") == 1, err
    import datetime as dt
    import json

    assert run(["--db", db, "metrics", "--from", "2026-01", "--json"]) == 0
    periods = {r["period"] for r in json.loads(capsys.readouterr().out)}
    this_month = dt.date.today().strftime("%Y-%m")
    assert min(periods) == "2026-01" and max(periods) == this_month and len(periods) > 1


def test_a_header_only_file_is_refused_and_records_nothing(db_path, tmp_path, capsys):
    """Item 10: a header-only file recorded an empty import with no warning."""
    empty = write_csv(tmp_path / "empty.csv", HEAD, [])
    assert run(["--db", str(db_path), "import", str(empty)]) == 2
    assert "no rows below them" in capsys.readouterr().err
    assert run(["--db", str(db_path), "imports", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"


def test_a_strict_rejection_does_not_say_imported(db_path, tmp_path, capsys):
    """Item 10: a strict rejection still printed "Imported ..."."""
    bad = write_csv(tmp_path / "bad.csv", HEAD, ROWS + [["INC3", "not a date", "", "P1", "Ann"]])
    assert run(["--db", str(db_path), "import", str(bad), "--strict"]) == 3
    err = capsys.readouterr().err
    assert "Imported" not in err and "Nothing imported from bad.csv" in err


INTERRUPT = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, sys.argv[1])
    # Ctrl-C as a terminal delivers it: a test runner started in the background (CI under nohup, a
    # shell's `&`) passes SIGINT on ignored, and the import would then run to its end.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from kpidesk.importing import ticket_writer
    real = ticket_writer.TicketWriter.write
    def write(self, rows):  # Ctrl-C arrives while the import is half-way through its rows
        real(self, rows)
        os.kill(os.getpid(), signal.SIGINT)
    ticket_writer.TicketWriter.write = write
    import main
    sys.exit(main.main(sys.argv[2:]))
""")


def test_ctrl_c_ends_a_command_with_130_and_the_database_as_it_was(db_path, tmp_path):
    """Item 10: Ctrl-C printed a traceback."""
    rows = [[f"INC{i}", "2026-01-05 08:00", "2026-01-05 10:00", "P2", f"Tech {i % 7}"] for i in range(3000)]
    export = write_csv(tmp_path / "big.csv", HEAD, rows)
    before = sqlite3.connect(db_path).execute("select count(*) from import_batch").fetchone()
    res = subprocess.run([sys.executable, "-c", INTERRUPT, str(ROOT), "--db", str(db_path), "import", str(export)],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "KPIDESK_HOME": str(tmp_path)})
    assert res.returncode == 130, res.stderr
    assert "Traceback" not in res.stderr and "interrupted" in res.stderr
    con = sqlite3.connect(db_path)
    try:
        assert con.execute("select count(*) from import_batch").fetchone() == before
        assert con.execute("select count(*) from ticket").fetchone() == (0,)
        assert con.execute("select count(*) from technician").fetchone() == (0,)
    finally:
        con.close()
