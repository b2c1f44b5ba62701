"""The shared database on a real PostgreSQL server (issue 18): opening and migrating it, moving a
whole database to it and back, and what this version still refuses there. Each test gets a new,
empty database on the server (the pg_url fixture; .ci/run starts the server)."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from kpidesk import backend, copying, postgres
from kpidesk.cli import run as cli_run
from kpidesk.errors import DatabaseMissing, NotADatabase, NotOnSharedYet, SchemaTooNew
from kpidesk.records import KpiRecord
from kpidesk.schema_version import head_revision
from kpidesk.store import Store

ROOT = Path(__file__).resolve().parents[2]


def quoted_tables(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table as SQL literals (quote()): 1 and 1.0, '1' and 1 all differ."""
    con = sqlite3.connect(path)
    try:
        out = {}
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                   "AND name NOT LIKE 'sqlite_%' ORDER BY name"):
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{name}")')]
            sel = ", ".join(f'quote("{c}")' for c in cols)
            out[name] = con.execute(f'SELECT {sel} FROM "{name}" ORDER BY rowid').fetchall()
        return out
    finally:
        con.close()


# ---------------------------------------------------------------- targets

@pytest.mark.parametrize("target, shared", [
    ("postgresql://kim@db.example/kpi", True),
    ("postgres://kim@db.example/kpi", True),
    ("PostgreSQL+psycopg://db/kpi", True),
    ("team.db", False),
    ("C:\\Users\\kim\\kpidesk.db", False),
    ("/home/kim/postgresql/kpidesk.db", False),
    (Path("postgresql:/x"), False),
    (None, False),
])
def test_a_url_names_a_shared_database_and_a_path_a_file(target, shared):
    assert backend.is_shared(target) is shared


@pytest.mark.parametrize("target, scheme", [
    ("mysql://kim@db/kpi", "mysql"), ("sqlite:///team.db", "sqlite"), ("postgresql://db/kpi", None),
    ("C://Users/kim/kpidesk.db", None), ("team.db", None), (None, None),
])
def test_a_url_of_another_database_kind_is_named_for_refusal(target, scheme, capsys):
    assert backend.foreign_scheme(target) == scheme
    if scheme:
        with pytest.raises(SystemExit) as out:
            cli_run(["--db", target, "kpi", "list"])
        assert out.value.code == 2 and "opens SQLite files and PostgreSQL databases" in capsys.readouterr().err
        with pytest.raises(SystemExit) as out:
            cli_run(["copy", "--from", "team.db", "--to", target])
        assert out.value.code == 2


def test_a_password_is_never_shown():
    assert backend.shown("postgresql://kim:s3cret@db.example:5433/kpi") == "postgresql://kim:***@db.example:5433/kpi"
    assert backend.shown("postgresql://kim@db.example/kpi") == "postgresql://kim@db.example/kpi"
    err = postgres.translate_error(Exception("connection refused"), "postgresql://kim:s3cret@127.0.0.1:9/kpi")
    assert "s3cret" not in str(err) and "kim:***@127.0.0.1:9/kpi" in str(err)


def test_a_url_gets_the_psycopg_driver():
    assert backend.sqlalchemy_url("postgresql://kim@db/kpi") == "postgresql+psycopg://kim@db/kpi"
    assert backend.sqlalchemy_url("postgres://db/kpi") == "postgresql+psycopg://db/kpi"


# ---------------------------------------------------------------- opening

def test_a_new_shared_database_gets_the_schema_of_the_models(pg_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from kpidesk.models import Base

    with Store.open(pg_url) as store:
        assert store.shared and store.path is None
        assert store.schema_revision() == head_revision()
        assert store.integrity_problems() == []
        with store.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    # Opened again: nothing to migrate, the same revision.
    engine = postgres.make_engine(pg_url)
    try:
        assert postgres.migrate(engine, pg_url) is False
    finally:
        engine.dispose()


def test_the_catalogue_reads_and_writes_on_the_server(pg_url):
    from kpidesk.templates import start_with_templates

    with Store.open(pg_url) as store:
        start_with_templates(store, owner="Kim")
        names = sorted(k.name for k in store.list_kpis())
    with Store.open(pg_url) as again:  # another connection, another process's view
        assert sorted(k.name for k in again.list_kpis()) == names
        assert len(names) == 17


def test_another_programs_database_is_refused_and_left_alone(pg_url):
    with psycopg.connect(pg_url.replace("postgresql://", "postgresql://", 1), autocommit=True) as con:
        con.execute("CREATE TABLE invoices (id int)")
    with pytest.raises(NotADatabase, match="another program"):
        Store.open(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as con:
        tables = {r[0] for r in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert tables == {"invoices"}


def test_a_newer_schema_is_refused(pg_url):
    Store.open(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("UPDATE alembic_version SET version_num = '0099_future'")
    with pytest.raises(SchemaTooNew, match="newer version"):
        Store.open(pg_url)


def test_two_people_opening_a_new_database_at_once_build_it_once(pg_url):
    """The advisory lock: both processes open it, the schema is built once, nothing fails."""
    code = ("import sys; sys.path.insert(0, %r); from kpidesk.store import Store; "
            "s = Store.open(%r); print(s.schema_revision()); s.close()") % (str(ROOT), pg_url)
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-800:] for o in outs]
    assert [o[0].strip() for o in outs] == [head_revision()] * 2
    with psycopg.connect(pg_url, autocommit=True) as con:
        assert con.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1


def test_an_unreachable_server_says_so_without_the_password(tmp_path):
    url = "postgresql://kim:s3cret@127.0.0.1:1/kpi"  # nothing listens on port 1
    with pytest.raises(postgres.SharedUnavailable) as err:
        Store.open(url)
    assert "cannot be reached" in str(err.value) and "s3cret" not in str(err.value)


# ---------------------------------------------------------------- copying

def test_a_database_goes_to_the_server_and_back_unchanged(demo_store, pg_url, tmp_path):
    source = demo_store.path
    demo_store.close()
    before = quoted_tables(source)
    there = copying.copy_database(source, pg_url)
    assert there.rows == sum(len(rows) for name, rows in before.items() if name != "alembic_version")
    assert {t.name: t.rows for t in there.tables} == {n: len(r) for n, r in before.items() if n != "alembic_version"}
    back = tmp_path / "laptop.db"
    home = copying.copy_database(pg_url, back)
    # Byte for byte in content: every value of every row, as SQL literals, ids included.
    assert quoted_tables(back) == before
    assert [(t.name, t.rows, t.checksum) for t in home.tables] == [(t.name, t.rows, t.checksum) for t in there.tables]
    with Store.open(back) as laptop:
        assert copying.checksums(laptop) == there.tables


def test_ids_go_on_after_the_copied_ones_on_the_server(demo_store, pg_url):
    highest = max(k.id for k in demo_store.list_kpis())
    source = demo_store.path
    demo_store.close()
    copying.copy_database(source, pg_url)
    with Store.open(pg_url) as shared:
        made, _changes = shared.create_kpi(KpiRecord(name="Printer uptime", unit="%", direction="higher",
                                                     category="infrastructure"))
        assert made.id == highest + 1


def test_a_kpi_paired_with_a_later_one_is_copied(store, pg_url, tmp_path):
    a, _ = store.create_kpi(KpiRecord(name="First response", unit="h", direction="lower", category="service desk"))
    b, _ = store.create_kpi(KpiRecord(name="Backlog", unit="tickets", direction="lower", category="service desk"))
    with store.write() as s:  # a pointing forward at b, and b back at a
        s.execute(text("UPDATE kpi SET paired_kpi_id = :b WHERE id = :a"), {"a": a.id, "b": b.id})
        s.execute(text("UPDATE kpi SET paired_kpi_id = :a WHERE id = :b"), {"a": a.id, "b": b.id})
    source = store.path
    store.close()
    copying.copy_database(source, pg_url)
    back = tmp_path / "back.db"
    copying.copy_database(pg_url, back)
    assert quoted_tables(back)["kpi"] == quoted_tables(source)["kpi"]


def test_a_corrected_check_in_is_copied_with_its_own_times(demo_store, pg_url, tmp_path):
    """A correction points at the check-in it supersedes, filled in by an UPDATE after every row is
    there; that UPDATE must not stamp updated_at with the time of the copy (the copy refused itself:
    'did not arrive whole')."""
    from kpidesk import actions

    chloe = demo_store.find_technician("Chloe Dubois").id  # type: ignore[union-attr]
    draft = actions.start_checkin(demo_store, chloe, "2026-Q4").result
    signed = actions.sign_checkin(demo_store, draft.id, "Dana Whitfield").result
    actions.correct_checkin(demo_store, signed.id)
    source = demo_store.path
    demo_store.close()
    copying.copy_database(source, pg_url)
    back = tmp_path / "back.db"
    copying.copy_database(pg_url, back)
    assert quoted_tables(back)["check_in"] == quoted_tables(source)["check_in"]
    with sqlite3.connect(back) as con:  # the correction came with its pointer
        assert con.execute("SELECT count(*) FROM check_in WHERE supersedes_id = ?", (signed.id,)).fetchone() == (1,)


def test_a_copy_never_merges_into_data(store, pg_url, tmp_path):
    store.create_kpi(KpiRecord(name="Backlog", unit="tickets", direction="lower", category="service desk"))
    source = store.path
    store.close()
    copying.copy_database(source, pg_url)
    with pytest.raises(copying.CopyRefused, match="already holds KPI Desk data"):
        copying.copy_database(source, pg_url)
    existing = tmp_path / "there.db"
    shutil.copy(source, existing)
    with pytest.raises(copying.CopyRefused, match="already exists"):
        copying.copy_database(pg_url, existing)
    with pytest.raises(copying.CopyRefused, match="the same database"):
        copying.copy_database(pg_url, pg_url)
    with pytest.raises(DatabaseMissing):
        copying.copy_database(tmp_path / "nowhere.db", pg_url)


def test_a_row_the_server_will_not_take_rolls_the_whole_copy_back(store, pg_url):
    """SQLite keeps any text in a String(200) column; PostgreSQL refuses it. The message names the
    table, and the server is left with no data at all (not the tables before that one)."""
    store.create_kpi(KpiRecord(name="Backlog", unit="tickets", direction="lower", category="service desk"))
    with store.write() as s:
        s.execute(text("INSERT INTO team (name, description) VALUES (:n, '')"), {"n": "x" * 5000})
    source = store.path
    store.close()
    with pytest.raises(copying.CopyRefused, match=r"table team .*Nothing was copied"):
        copying.copy_database(source, pg_url)
    with psycopg.connect(pg_url, autocommit=True) as con:
        assert con.execute("SELECT count(*) FROM kpi").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM team").fetchone()[0] == 0


# ---------------------------------------------------------------- the command line

def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli_run(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_copy_command_and_its_exit_codes(store, pg_url, tmp_path, capsys):
    store.create_kpi(KpiRecord(name="Backlog", unit="tickets", direction="lower", category="service desk"))
    source = str(store.path)
    store.close()
    code, out, _err = cli(capsys, "copy", "--from", source, "--to", pg_url, "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"source", "destination", "rows", "seconds", "verified", "tables"}
    assert report["verified"] is True and report["destination"] == backend.shown(pg_url)
    assert {t["table"]: t["rows"] for t in report["tables"]}["kpi"] == 1
    code, _out, err = cli(capsys, "copy", "--from", source, "--to", pg_url)
    assert code == 1 and "already holds KPI Desk data" in err
    code, _out, err = cli(capsys, "copy", "--from", str(tmp_path / "missing.db"), "--to", pg_url)
    assert code == 4 and "no database" in err
    code, out, _err = cli(capsys, "--db", pg_url, "check", "--json")
    assert code == 0 and json.loads(out)["state"] == "up to date"
    code, out, _err = cli(capsys, "--db", pg_url, "kpi", "list", "--json")
    assert code == 0 and [k["name"] for k in json.loads(out)] == ["Backlog"]


def test_the_command_line_imports_and_undoes_on_the_server(demo_store, pg_url, capsys, tmp_path):
    source = demo_store.path
    demo_store.close()
    copying.copy_database(source, pg_url)
    with Store.open(pg_url) as shared:
        with pytest.raises(NotOnSharedYet):  # bulk SQL that speaks SQLite's dialect alone is refused there
            with shared.raw_write():
                pass
    export = tmp_path / "incidents.csv"
    export.write_text("Number,Opened,Resolved,Assigned to,Priority\nINC1,2026-10-01 09:00,2026-10-01 11:00,Tom Becker,2\n",
                      encoding="utf-8")
    code, out, err = cli(capsys, "--db", pg_url, "import", str(export), "--json")
    assert code == 0, err
    batch = json.loads(out)["batch_id"]
    assert json.loads(out)["created"] == 1
    with psycopg.connect(pg_url) as con:
        assert con.execute("SELECT count(*) FROM ticket WHERE external_id = 'INC1'").fetchone()[0] == 1
    code, out, err = cli(capsys, "--db", pg_url, "undo-import", str(batch))
    assert code == 0, err
    with psycopg.connect(pg_url) as con:
        assert con.execute("SELECT count(*) FROM ticket WHERE external_id = 'INC1'").fetchone()[0] == 0
        assert con.execute("SELECT undone_at IS NOT NULL FROM import_batch WHERE id = %s", (batch,)).fetchone()[0]


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_backup_of_a_shared_database_is_pg_dumps_job(store, pg_url, tmp_path, capsys):
    store.close()
    Store.open(pg_url).close()
    code, out, _err = cli(capsys, "--db", pg_url, "backup", str(tmp_path / "dumps") + os.sep)
    assert code == 0 and "with pg_dump" in out and "pg_restore" in out
    (dump,) = (tmp_path / "dumps").iterdir()
    assert dump.suffix == ".dump" and (dump.stat().st_mode & 0o077) == 0  # private: it holds HR records
    listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True)
    assert listing.returncode == 0 and "TABLE public check_in" in listing.stdout
    code, _out, err = cli(capsys, "--db", pg_url, "backup")
    assert code == 2 and "needs a destination" in err


def test_the_demo_fills_a_shared_database_in_one_verified_copy(pg_url, _demo_db, capsys):
    from tests.conftest import DEMO_TODAY

    code, out, _err = cli(capsys, "--db", pg_url, "demo", "--today", DEMO_TODAY.isoformat())
    assert code == 0 and f"Demo data created in {backend.shown(pg_url)}: 8 technicians" in out
    with Store.open(pg_url) as shared, Store.open(_demo_db) as local:
        assert [(t.name, t.rows) for t in copying.checksums(shared)] == [(t.name, t.rows) for t in copying.checksums(local)]
    code, _out, err = cli(capsys, "--db", pg_url, "demo")
    assert code == 1 and "already has KPIs or people" in err
