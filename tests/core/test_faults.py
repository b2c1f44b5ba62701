"""Issue 7: what laptops do to an import. A process killed mid-write, a full disk, a database held
by another process: each ends with a clear message and the database holding exactly what it held."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kpidesk import database as db
from kpidesk.errors import DatabaseLocked, DiskFull
from kpidesk.importing import ticket_writer, tickets_import
from kpidesk.store import Store
from tests.import_samples import dump, write_csv

ROOT = Path(__file__).resolve().parents[2]
HEADERS = ["Number", "Opened", "Resolved", "Priority", "Assigned to", "Reassignment count", "Reopen count"]


def export(path: Path, n: int, offset: int = 0) -> Path:
    rows = [[f"INC{offset + i:07d}", f"2026-0{1 + i % 9}-1{i % 9} 09:00:00", f"2026-0{1 + i % 9}-1{i % 9} 15:30:00",
             f"{1 + i % 4} - Moderate", f"Tech {i % 7}", i % 3, i % 2] for i in range(n)]
    return write_csv(path, HEADERS, rows)


@pytest.fixture
def seeded(store, tmp_path):
    """A database that already holds an import, so 'unchanged' is more than 'empty'."""
    tickets_import.run(store, export(tmp_path / "first.csv", 300))
    return store


KILLER = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[3])
    from kpidesk.store import Store
    from kpidesk.importing import tickets_import

    class Loud:
        writing = False
        def set_status(self, text):
            if text.startswith("Saving"):
                self.writing = True
        def set_progress(self, done, total):
            if self.writing and done:
                print("writing", done, flush=True)
        def cancelled(self):
            return False

    with Store.open(sys.argv[1]) as s:
        tickets_import.run(s, sys.argv[2], progress=Loud())
    print("finished", flush=True)
""")


def test_sigkill_in_the_middle_of_an_import_leaves_the_database_as_it_was(seeded, tmp_path):
    before = dump(seeded)
    big = export(tmp_path / "big.csv", 60_000, offset=100)
    proc = subprocess.Popen([sys.executable, "-c", KILLER, seeded.address, str(big), str(ROOT)],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    while line and not line.startswith("writing"):
        line = proc.stdout.readline()
    assert line.startswith("writing"), "the child never reached the write phase"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with Store.open(seeded.address) as s:
        assert s.integrity_problems() == []
    assert dump(seeded) == before


@pytest.mark.sqlite_only("SQLite's own disk-full error in its bulk write")
def test_disk_full_mid_import_rolls_back_with_a_clear_message(seeded, tmp_path, monkeypatch):
    before = dump(seeded.path)
    calls = {"n": 0}
    real_raw_write = Store.raw_write

    class FullDisk:
        """A DBAPI connection whose second bulk write hits SQLITE_FULL, as a full disk does."""

        def __init__(self, con):
            self._con = con

        def cursor(self):
            cur = self._con.cursor()
            con = self

            class C:
                def __getattr__(self, name):
                    return getattr(cur, name)

                def execute(self, sql, params=()):
                    if sql.startswith("INSERT INTO temp.import_rows"):  # a chunk's bulk write
                        calls["n"] += 1
                        if calls["n"] == 2:
                            raise sqlite3.OperationalError("database or disk is full")
                    return cur.execute(sql, params)
            return C()

        def __getattr__(self, name):
            return getattr(self._con, name)

    from contextlib import contextmanager

    @contextmanager
    def failing_raw_write(self, **options):
        with real_raw_write(self, **options) as con:
            yield FullDisk(con)

    monkeypatch.setattr(Store, "raw_write", failing_raw_write)
    monkeypatch.setattr(tickets_import, "CHUNK", 1000)  # so the file is written in three chunks
    with pytest.raises(DiskFull) as err:
        tickets_import.run(seeded, export(tmp_path / "more.csv", 3000, offset=5000))
    assert "full" in str(err.value) and "Nothing was changed" in str(err.value)
    assert calls["n"] >= 2
    assert dump(seeded.path) == before


HOLDER = textwrap.dedent("""
    import sqlite3, sys
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    con.execute("insert into objective(name, description) values ('held', '')")
    print("locked", flush=True)
    sys.stdin.readline()
    con.execute("ROLLBACK")
""")


@pytest.mark.sqlite_only("another process holding the file's write lock")
def test_import_while_another_process_holds_the_database(seeded, tmp_path, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.3)
    monkeypatch.setattr(ticket_writer, "IMPORT_LOCK_WAIT_S", 0.3)  # imports queue longer than other writes
    with Store.open(seeded.path) as s:  # a fresh store picks up the short timeout
        before = dump(s)
        proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(s.path)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "locked"
            with pytest.raises(DatabaseLocked) as err:
                tickets_import.run(s, export(tmp_path / "blocked.csv", 50, offset=9000))
            assert "busy" in str(err.value)
        finally:
            proc.stdin.write("\n")
            proc.stdin.close()
            proc.wait(timeout=10)
    assert dump(seeded.path) == before
