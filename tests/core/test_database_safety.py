"""Opening databases: migrations from an empty file, and the bad-database cases (never modified)."""
from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kpidesk import database as db
from kpidesk.errors import DatabaseLocked, DatabaseReadOnly, NotADatabase, SchemaTooNew
from kpidesk.models import Base
from kpidesk.records import KpiRecord
from kpidesk.store import Store

pytestmark = pytest.mark.sqlite_only("the database file's own safety")

ROOT = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_migrates_an_empty_file_to_the_whole_schema(tmp_path):
    path = tmp_path / "new.db"
    with Store.open(path) as s:
        assert s.schema_revision() == db.head_revision()
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    assert set(Base.metadata.tables) <= tables
    assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_zero_byte_file_is_initialised(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    with Store.open(path) as s:
        assert s.schema_revision() == db.head_revision()


def test_not_sqlite_is_refused_and_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 20)
    before = digest(path)
    with pytest.raises(NotADatabase) as err:
        Store.open(path)
    assert str(path) in str(err.value)
    assert digest(path) == before


def test_foreign_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("create table invoices(id integer primary key, amount real)")
    con.commit()
    con.close()
    before = digest(path)
    with pytest.raises(NotADatabase):
        Store.open(path)
    assert digest(path) == before


def test_newer_schema_is_refused_and_untouched(db_path):
    con = sqlite3.connect(db_path)
    con.execute("update alembic_version set version_num='9999_from_the_future'")
    con.commit()
    con.close()
    before = digest(db_path)
    with pytest.raises(SchemaTooNew) as err:
        Store.open(db_path)
    assert "newer version" in str(err.value)
    assert digest(db_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_file_is_refused(db_path):
    db_path.chmod(0o400)
    with pytest.raises(DatabaseReadOnly):
        Store.open(db_path)


def test_read_only_file_is_refused_even_for_root(db_path, monkeypatch):
    # root can write anything, so simulate what os.access reports for an ordinary user.
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == db_path and mode == os.W_OK else real(p, mode))
    before = digest(db_path)
    with pytest.raises(DatabaseReadOnly) as err:
        Store.open(db_path)
    assert "read-only" in str(err.value)
    assert digest(db_path) == before


def test_read_only_folder_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == folder and mode == os.W_OK else real(p, mode))
    with pytest.raises(DatabaseReadOnly) as err:
        Store.open(folder / "kpidesk.db")
    assert "folder" in str(err.value)
    assert not (folder / "kpidesk.db").exists()


HOLD_LOCK = textwrap.dedent("""
    import sqlite3, sys, time
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    con.execute("insert into objective(name, description) values ('held', '')")
    print("locked", flush=True)
    sys.stdin.readline()
    con.execute("ROLLBACK")
""")


def test_locked_by_another_process_gives_a_clear_message(db_path, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.3)
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db_path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with Store.open(db_path) as s:
            s.list_kpis()  # reading still works in WAL mode
            with pytest.raises(DatabaseLocked) as err:
                s.create_kpi(KpiRecord(name="Blocked"))
            assert "busy" in str(err.value)
    finally:
        proc.stdin.write("\n")
        proc.stdin.close()
        proc.wait(timeout=10)
    with Store.open(db_path) as s:
        assert s.list_kpis() == [] and s.list_objectives() == []


WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[3])
    from kpidesk.store import Store
    from kpidesk.records import KpiRecord
    with Store.open(sys.argv[1]) as s:
        for i in range(40):
            s.create_kpi(KpiRecord(name=f"{sys.argv[2]}-{i}"))
""")


def test_two_app_instances_writing_one_file_lose_nothing(db_path):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), who, str(ROOT)]) for who in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    with Store.open(db_path) as s:
        names = {k.name for k in s.list_kpis()}
        assert len(names) == 80
        assert s.integrity_problems() == []


def test_backup_is_consistent_and_private(store, tmp_path):
    store.create_kpi(KpiRecord(name="Kept"))
    dest = store.backup(tmp_path / "copy.db")
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    with Store.open(dest) as copy:
        assert [k.name for k in copy.list_kpis()] == ["Kept"]


def test_damaged_file_is_refused(db_path, tmp_path):
    data = bytearray(db_path.read_bytes())
    # Scribble over pages after the header: the file still says SQLite but its b-trees are gone.
    for i in range(4096, min(len(data), 4096 * 6)):
        data[i] = 0xA5
    bad = tmp_path / "damaged.db"
    bad.write_bytes(bytes(data))
    before = digest(bad)
    with pytest.raises(Exception) as err:
        Store.open(bad)
    assert "damaged" in str(err.value) or "not" in str(err.value)
    assert digest(bad) == before


def test_a_new_database_in_a_missing_folder_creates_the_folder(tmp_path):
    path = tmp_path / "not" / "yet" / "there.db"
    with Store.open(path) as s:
        assert s.list_kpis() == []
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
