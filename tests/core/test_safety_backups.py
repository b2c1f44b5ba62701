"""Issue 13: a backup must never destroy, a restore checks what it restores, `check` changes nothing.

Each test names the numbered item of issue 13 it holds; each failed on the code before the fix.
"""
from __future__ import annotations

import hashlib
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from kpidesk import backups
from kpidesk.cli import run
from kpidesk.store import Store

pytestmark = pytest.mark.sqlite_only("backup and restore of the database file")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".tmp") or p.name.endswith(".old"))


@pytest.fixture
def live(store):
    store.create_objective("Keep me")
    store.close()
    return store.path


def still_whole(path: Path) -> None:
    with Store.open(path) as s:
        assert [o.name for o in s.list_objectives()] == ["Keep me"]


# ---------------------------------------------------------------- item 1: backup onto itself


def test_backup_onto_the_live_database_is_refused_however_it_is_spelled(live, tmp_path, monkeypatch, capsys):
    """Item 1: `backup team.db` over team.db used to unlink the database, then fail."""
    before = digest(live)
    link = tmp_path / "alias.db"
    link.symlink_to(live)
    monkeypatch.chdir(live.parent)
    spellings = [str(live), live.name, f"./{live.name}", str(link), f"{live}-wal", f"{live}-shm",
                 f"{live.parent}/../{live.parent.name}/{live.name}"]
    for dest in spellings:
        assert run(["--db", str(live), "backup", dest]) == 1, dest
        err = capsys.readouterr().err
        assert "Nothing was changed" in err and err.count("\n") == 1, err
    assert digest(live) == before
    still_whole(live)
    assert leftovers(tmp_path) == []


def test_backup_never_overwrites_a_file_that_is_not_a_backup(live, tmp_path, capsys):
    """Item 1: `backup existing.txt` (on a damaged database, too) deleted existing.txt."""
    existing = tmp_path / "existing.txt"
    existing.write_text("quarterly notes\n")
    assert run(["--db", str(live), "backup", str(existing)]) == 1
    assert "not a database backup" in capsys.readouterr().err
    damaged = tmp_path / "damaged.db"
    data = bytearray(live.read_bytes())
    data[4096:4096 * 3] = b"\xa5" * (4096 * 2)
    damaged.write_bytes(bytes(data))
    assert run(["--db", str(damaged), "backup", str(existing)]) == 4
    assert "damaged" in capsys.readouterr().err
    assert existing.read_text() == "quarterly notes\n"
    assert leftovers(tmp_path) == []


def test_backup_into_a_folder_and_over_an_earlier_backup(live, tmp_path, capsys):
    """Item 4: a folder as destination was a traceback; now it gets a dated file inside it."""
    folder = tmp_path / "usb"
    folder.mkdir()
    assert run(["--db", str(live), "backup", str(folder)]) == 0
    made = list(folder.glob("kpidesk-*-manual.db"))
    assert len(made) == 1 and stat.S_IMODE(made[0].stat().st_mode) == 0o600
    still_whole(made[0])
    # An earlier backup at the same name is replaced whole (it is an SQLite file nobody has open).
    old = tmp_path / "weekly.db"
    shutil.copy(made[0], old)
    with Store.open(live) as s:
        s.create_objective("Added later")
    # Store.open of the copy above leaves a -wal beside it only while open; the copy is closed.
    assert run(["--db", str(live), "backup", str(old)]) == 0
    with Store.open(old) as s:
        assert {o.name for o in s.list_objectives()} == {"Keep me", "Added later"}
    capsys.readouterr()


def test_backup_over_a_database_in_use_is_refused(live, tmp_path, capsys):
    other = tmp_path / "other.db"
    shutil.copy(live, other)
    Path(f"{other}-wal").write_bytes(b"")  # it is open somewhere, or was not closed cleanly
    before = digest(other)
    assert run(["--db", str(live), "backup", str(other)]) == 1
    assert "open" in capsys.readouterr().err
    assert digest(other) == before


def test_backup_to_a_place_it_cannot_write_leaves_nothing_behind(live, tmp_path, capsys):
    """Item 4: an unwritable destination was a traceback and left 0-byte *.tmp files."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for dest in (blocker / "sub" / "b.db", Path("/proc/kpidesk-test/b.db")):
        assert run(["--db", str(live), "backup", str(dest)]) == 1
        err = capsys.readouterr().err
        assert err.startswith("kpidesk: ") and err.count("\n") == 1 and "Traceback" not in err
    assert leftovers(tmp_path) == []
    assert leftovers(live.parent) == []


def test_a_failed_copy_removes_its_temporary_file(live, tmp_path, monkeypatch):
    """The copy itself failing half-way (disk full) leaves neither a temporary nor a half file."""
    real_connect = sqlite3.connect

    class FullDisk:
        def __init__(self, con):
            self.con = con

        def backup(self, target, **kw):
            raise sqlite3.OperationalError("database or disk is full")

        def __getattr__(self, name):
            return getattr(self.con, name)

    def connect(*a, **kw):
        con = real_connect(*a, **kw)
        return FullDisk(con) if kw.get("uri") else con

    monkeypatch.setattr(sqlite3, "connect", connect)
    dest = tmp_path / "full" / "b.db"
    with pytest.raises(Exception) as err:
        backups.db.backup_database(live, dest)
    assert "full" in str(err.value)
    assert not dest.exists() and leftovers(tmp_path) == []


# ---------------------------------------------------------------- item 3: foreign files


def _foreign(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("create table invoices(id integer primary key, amount real)")
    con.execute("insert into invoices(amount) values (12.5)")
    con.commit()
    con.close()
    return path


def test_check_and_backup_leave_a_foreign_database_byte_for_byte(tmp_path, capsys):
    """Item 3: `check` on another program's database switched it to WAL (header bytes 18-19)."""
    other = _foreign(tmp_path / "invoices.db")
    before = digest(other)
    assert run(["--db", str(other), "check"]) == 4
    assert "not a KPI Desk database" in capsys.readouterr().out
    assert run(["--db", str(other), "backup"]) == 4
    assert run(["--db", str(other), "kpi", "list"]) == 4
    assert digest(other) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["invoices.db"]


def test_restore_over_a_foreign_database_is_refused(live, tmp_path, capsys):
    """Item 3: `restore` overwrote another program's database."""
    backup = backups.db.backup_database(live, tmp_path / "good-backup.db")
    other = _foreign(tmp_path / "invoices.db")
    before = digest(other)
    assert run(["--db", str(other), "restore", str(backup)]) == 4
    assert "another program's database" in capsys.readouterr().err
    assert digest(other) == before


# ---------------------------------------------------------------- item 7: what a restore accepts


def _labelled_only(path: Path) -> Path:
    """A file with KPI Desk's label and table names, and nothing else right."""
    con = sqlite3.connect(path)
    con.execute("create table alembic_version(version_num varchar(32) not null primary key)")
    con.execute("insert into alembic_version values ('0001_first_schema')")
    for t in ("kpi", "technician", "team", "ticket", "import_batch", "check_in", "review", "performance_note"):
        con.execute(f"create table {t}(id integer primary key)")
    con.commit()
    con.close()
    return path


def test_restore_checks_the_content_of_the_backup(live, capsys):
    """Item 7: a newer-schema backup, and a file with only the right table names, were restored
    (and --latest picked the newer one), leaving a database that could not be opened."""
    folder = backups.db.backups_dir(live)
    good = backups.db.backup_database(live, reason="daily")
    newer = folder / "kpidesk-20991231-235959-000001-manual.db"  # the newest by its name
    shutil.copy(good, newer)
    con = sqlite3.connect(newer)
    con.execute("update alembic_version set version_num = '9999_from_the_future'")
    con.commit()
    con.close()
    fake = _labelled_only(folder / "kpidesk-20991231-235958-000001-manual.db")
    assert "newer version" in backups.backup_problem(newer)
    assert "incomplete" in backups.backup_problem(fake)
    assert backups.backup_problem(good) == ""
    assert not backups.preview(newer).ok and not backups.preview(fake).ok
    before = digest(live)
    for bad in (newer, fake):
        assert run(["--db", str(live), "restore", str(bad)]) == 1
        assert "cannot be restored" in capsys.readouterr().err
    assert digest(live) == before
    assert run(["--db", str(live), "restore", "--latest"]) == 0
    assert good.name in capsys.readouterr().out
    still_whole(live)


def test_check_compares_the_tables_with_the_schema_not_only_the_label(live, capsys):
    """Item 7: `check` said ok on a database with a table dropped."""
    assert run(["--db", str(live), "check", "--json"]) == 0
    capsys.readouterr()
    con = sqlite3.connect(live)
    con.execute("drop table review")
    con.execute("drop index ix_ticket_created")
    con.commit()
    con.close()
    assert run(["--db", str(live), "check"]) == 4
    out = capsys.readouterr().out
    assert "table review is missing" in out and "index on ticket(created_at) is missing" in out
    assert run(["--db", str(live), "kpi", "list"]) == 4
    assert "incomplete (table review is missing)" in capsys.readouterr().err


def test_restore_of_a_missing_database_creates_it_private(live, tmp_path, capsys):
    good = backups.db.backup_database(live, tmp_path / "b.db")
    target = tmp_path / "new-home" / "kpidesk.db"
    target.parent.mkdir()
    assert run(["--db", str(target), "restore", str(good)]) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    still_whole(target)
    capsys.readouterr()


def test_restore_from_the_live_file_itself_is_refused(live, capsys):
    assert run(["--db", str(live), "restore", str(live)]) == 1
    assert "database itself" in capsys.readouterr().err
