"""Imports and their undo on a shared PostgreSQL database (issue 18), held to what they do on the file.

The same department is on a file and on the server (the `both` fixture); the same exports are
imported into each and undone, and the tickets, the import records and the stored values must come
out the same. Then what only a server has: a column length it enforces (the import fails whole and
says where), and several people writing at once from separate processes.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from kpidesk.actions.imports import ImportRequest, import_file, undo_import
from kpidesk.metrics import sql
from kpidesk.tickets import ALL_FIELDS
from tests.conftest import DEMO_TODAY
from tests.import_samples import as_filed, write_csv

ROOT = Path(__file__).resolve().parents[2]
HEAD = ["Number", "Opened", "Resolved", "Priority", "Assigned to", "Category", "Reopen count"]


def rows_of(n: int, prefix: str = "NEW", start: dt.datetime = dt.datetime(2026, 10, 1, 8, 0)) -> list[list[str]]:
    people = ["Alex Morgan", "Priya Shah", "Marcus Reid", "Sofia Alvarez", "Dana New"]
    out = []
    for i in range(n):
        opened = start + dt.timedelta(hours=7 * i)
        resolved = "" if i % 9 == 0 else (opened + dt.timedelta(minutes=37 * (i % 23 + 1))).strftime("%Y-%m-%d %H:%M")
        out.append([f"{prefix}{i:05d}", opened.strftime("%Y-%m-%d %H:%M"), resolved, f"P{i % 4 + 1}",
                    people[i % len(people)], ["Network", "Access", "Hardware"][i % 3], "" if i % 4 else str(i % 3)])
    return out


def tickets(store) -> dict[tuple[str, str], tuple]:
    with sql.connection(store) as con:
        rows = con.execute(f"SELECT {', '.join(ALL_FIELDS)}, import_batch_id FROM ticket").fetchall()
    return {(r[0], r[1]): tuple(as_filed(v) for v in r) for r in rows}


def technicians(store) -> list[tuple]:
    with sql.connection(store) as con:
        return sorted(tuple(map(as_filed, r)) for r in con.execute(
            "SELECT id, display_name, team_id, escalation_destination FROM technician").fetchall())


def computed(store) -> dict[tuple, tuple]:
    with sql.connection(store) as con:
        rows = con.execute("SELECT kpi_id, scope_key, period, segment, value, count FROM measurement "
                           "WHERE source = 'computed'").fetchall()
    return {tuple(r[:4]): (round(r[4], 9), r[5]) for r in rows}


def run_import(store, path, **kw):
    return import_file(store, ImportRequest(path=path, **kw), today=DEMO_TODAY).result.report


def assert_same_department(a, b):
    assert tickets(b) == tickets(a)
    assert technicians(b) == technicians(a)
    assert computed(b) == computed(a)


def test_an_import_then_a_changed_one_then_their_undo_do_the_same_on_the_server(both, tmp_path):
    on_file, on_server = both
    first = write_csv(tmp_path / "october.csv", HEAD, rows_of(300))
    reports = [run_import(s, first) for s in (on_file, on_server)]
    assert [(r.created, r.updated, r.unchanged, r.new_technicians) for r in reports] == [(300, 0, 0, ["Dana New"])] * 2
    assert [str(w) for w in reports[1].warnings] == [str(w) for w in reports[0].warnings]
    assert_same_department(on_file, on_server)

    changed = rows_of(300)
    for r in changed[::10]:  # every tenth ticket resolved an hour later; the rest as they were
        if r[2]:
            r[2] = (dt.datetime.fromisoformat(r[2]) + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    changed += rows_of(20, prefix="MORE")
    second = write_csv(tmp_path / "october-again.csv", HEAD, changed)
    reports = [run_import(s, second) for s in (on_file, on_server)]
    assert [(r.created, r.updated, r.unchanged) for r in reports] == [(20, 26, 274)] * 2
    assert_same_department(on_file, on_server)

    for batch in (reports[0].batch_id, reports[0].batch_id - 1):  # newest first, like an undo stack
        assert reports[1].batch_id == reports[0].batch_id  # the copy kept the ids, so they agree
        for store in (on_file, on_server):
            undo_import(store, batch, today=DEMO_TODAY)
        assert_same_department(on_file, on_server)
    with sql.connection(on_server) as con:
        assert con.execute("SELECT count(*) FROM ticket WHERE external_id LIKE 'NEW%' OR external_id LIKE "
                           "'MORE%'").fetchone()[0] == 0


def test_a_file_listing_tickets_again_in_later_chunks_is_stored_alike(both, tmp_path, monkeypatch):
    """Tickets met again after their first chunk was written (a file listing some twice, the later row
    the one kept) are written twice on a fresh import: on the server the second write meets them and
    goes in as an upsert after all (kpidesk/importing/ticket_writer.py, _merge_new)."""
    from kpidesk.importing import latest_rows, ticket_writer, tickets_import

    on_file, on_server = both
    monkeypatch.setattr(tickets_import, "CHUNK", 50)
    monkeypatch.setattr(tickets_import, "MIN_CHUNK", 50)
    monkeypatch.setattr(latest_rows, "MAX_HELD", 20)
    fallbacks = []
    real = ticket_writer.TicketWriter._merge_new

    def counting(self, cur):
        before = cur.execute("SELECT count(*) FROM ticket").fetchone()[0]
        staged = cur.execute(f"SELECT count(*) FROM {self._sql.staging}").fetchone()[0]
        real(self, cur)
        after = cur.execute("SELECT count(*) FROM ticket").fetchone()[0]
        if self._sql.insert_new is not None:  # the server's
            fallbacks.append(after - before < staged)  # some staged rows were tickets already: merged

    monkeypatch.setattr(ticket_writer.TicketWriter, "_merge_new", counting)
    rows = rows_of(200, prefix="TWICE")
    for r in rows[:60:3]:  # twenty tickets listed again further down, resolved later
        again = list(r)
        again[2] = (dt.datetime.fromisoformat(r[1]) + dt.timedelta(hours=30)).strftime("%Y-%m-%d %H:%M")
        rows.append(again)
    path = write_csv(tmp_path / "twice.csv", HEAD, rows)
    reports = [run_import(s, path) for s in (on_file, on_server)]
    assert [(r.created, r.updated, r.unchanged) for r in reports] == [(200, 0, 0)] * 2
    assert_same_department(on_file, on_server)
    assert any(fallbacks) and not all(fallbacks)  # chunks of new tickets alone went in the plain way
    with sql.connection(on_server) as con:
        late = con.execute("SELECT resolved_at, created_at FROM ticket WHERE external_id = 'TWICE00003'").fetchone()
    assert late[0] - late[1] == dt.timedelta(hours=30)
    # Each new ticket has its one 'created' record, whichever way its chunk went in: undo takes all 200 out.
    for store, report in zip((on_file, on_server), reports):
        with sql.connection(store) as con:
            assert con.execute("SELECT count(*), count(DISTINCT ticket_id) FROM import_change WHERE batch_id = ? "
                               "AND action = 'created'", (report.batch_id,)).fetchone() == (200, 200)
        undo_import(store, report.batch_id, today=DEMO_TODAY)
        with sql.connection(store) as con:
            assert con.execute("SELECT count(*) FROM ticket WHERE external_id LIKE 'TWICE%'").fetchone()[0] == 0


def test_an_import_leaves_the_servers_statistics_of_tickets_up_to_date(pg_url, tmp_path):
    """After the commit, on the store's background thread: the next import's plan depends on them."""
    from kpidesk.store import Store

    def stats(store):
        with sql.connection(store) as con:
            analysed = con.execute("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'ticket'").fetchone()
            planned = con.execute("SELECT reltuples FROM pg_class WHERE oid = 'ticket'::regclass").fetchone()
            return analysed[0], planned[0], con.execute("SELECT count(*) FROM ticket").fetchone()[0]

    with Store.open(pg_url) as store:
        assert stats(store) == (None, -1, 0)  # never analysed
        report = run_import(store, write_csv(tmp_path / "october.csv", HEAD, rows_of(300)))
        assert report.created == 300
        store.wait_for_checkpoint()
        analysed, planned, count = stats(store)
    assert analysed is not None  # by hand: autovacuum's sets last_autoanalyze
    assert planned == count == 300



def test_an_import_undone_puts_back_tickets_recorded_on_the_file_before_the_copy(demo_store, pg_url, tmp_path):
    """A database moved to the server keeps its undo records, written by SQLite (flags as 0/1)."""
    from kpidesk import copying
    from kpidesk.store import Store

    before = tickets(demo_store)
    edited = [["INC-X1", "2026-10-02 09:00", "2026-10-02 10:00", "P2", "Alex Morgan", "Network", "1"]]
    write_csv(tmp_path / "a.csv", HEAD, edited)
    first = run_import(demo_store, tmp_path / "a.csv")
    edited[0][2], edited[0][6] = "2026-10-03 10:00", "0"
    second = run_import(demo_store, write_csv(tmp_path / "b.csv", HEAD, edited))
    assert (first.created, second.updated) == (1, 1)
    copying.copy_database(demo_store.path, pg_url)
    with Store.open(pg_url) as on_server:
        undo_import(on_server, second.batch_id, today=DEMO_TODAY)
        (ticket,) = [t for k, t in tickets(on_server).items() if k[1] == "INC-X1"]
        assert ticket[ALL_FIELDS.index("resolved_at")] == "2026-10-02 10:00:00.000000"
        assert ticket[ALL_FIELDS.index("reopen_count")] == 1
        assert ticket[ALL_FIELDS.index("reopened")] == 1 and ticket[ALL_FIELDS.index("fcr")] == 0  # true, false
        undo_import(on_server, first.batch_id, today=DEMO_TODAY)
        assert tickets(on_server) == before


def test_values_imported_and_undone_on_the_server(both, tmp_path):
    on_file, on_server = both
    with sql.connection(on_file) as con:
        kpi = con.execute("SELECT name FROM kpi WHERE value_source != 'computed' ORDER BY id").fetchone()[0]
    path = write_csv(tmp_path / "values.csv", ["KPI", "Period", "Value"],
                     [[kpi, "2026-08", "91.5"], [kpi, "2026-09", "93"], [kpi, "2026-10", "94.25"]])
    reports = [run_import(s, path, kind="values") for s in (on_file, on_server)]
    assert [(r.created + r.updated, r.rejected) for r in reports] == [(3, 0)] * 2

    def entered(store):
        with sql.connection(store) as con:
            return sorted(tuple(map(as_filed, r)) for r in con.execute(
                "SELECT kpi_id, scope_key, period, period_start, segment, value, source FROM measurement "
                "WHERE source != 'computed'").fetchall())
    assert entered(on_server) == entered(on_file)
    for store, report in zip((on_file, on_server), reports):
        undo_import(store, report.batch_id, today=DEMO_TODAY)
    assert entered(on_server) == entered(on_file)


def test_a_row_the_server_refuses_fails_the_whole_import_and_says_so(both, tmp_path):
    """A server holds rows to checks of its own (here one its administrator added): the import is
    refused whole, naming the file and the check, and nothing of it stays, not even its new people."""
    from kpidesk.errors import ImportFailed

    _, on_server = both
    with on_server.write() as s:
        s.execute(text("ALTER TABLE ticket ADD CONSTRAINT no_test_tickets CHECK (external_id NOT LIKE 'NEW0003%')"))
    before, batches = tickets(on_server), _batches(on_server)
    with pytest.raises(ImportFailed) as caught:
        run_import(on_server, write_csv(tmp_path / "october.csv", HEAD, rows_of(50)))
    message = str(caught.value)
    assert message.startswith("Cannot import october.csv: The shared database")
    assert 'violates check constraint "no_test_tickets"' in message and "Nothing was changed" in message
    assert tickets(on_server) == before and _batches(on_server) == batches
    assert "Dana New" not in {t[1] for t in technicians(on_server)}


def _batches(store) -> int:
    with sql.connection(store) as con:
        return con.execute("SELECT count(*) FROM import_batch").fetchone()[0]


def test_several_people_importing_and_recomputing_at_once_lose_and_duplicate_nothing(both, pg_url, tmp_path):
    """Three managers' imports (two of them overlapping: the same 100 tickets) and a recompute, each
    its own process, started together against the server. Each import waits its turn for the bulk
    lock; at the end every ticket is there once, every import is recorded, and the stored values are
    those of a recompute over the final tickets."""
    from kpidesk.actions.derived import refresh

    _, on_server = both
    refresh(on_server)  # the fixture's shared tickets were added without one
    base = tickets(on_server)
    files = [write_csv(tmp_path / "a.csv", HEAD, rows_of(400, "A")),
             write_csv(tmp_path / "b.csv", HEAD, rows_of(400, "B") + rows_of(100, "SAME")),
             write_csv(tmp_path / "c.csv", HEAD, rows_of(100, "SAME") + rows_of(300, "C"))]
    cmd = [sys.executable, str(ROOT / "main.py"), "--db", pg_url]
    procs = [subprocess.Popen([*cmd, "import", str(f), "--names", "create", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=ROOT) for f in files]
    procs.append(subprocess.Popen([*cmd, "metrics", "--period", "2026-10", "--json"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, cwd=ROOT))
    outs = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [o[1] for o in outs]
    created = [json.loads(o[0])["created"] for o in outs[:3]]
    assert sum(created) == 400 + 400 + 300 + 100  # SAME's hundred created once, by whichever came first
    after = tickets(on_server)
    assert len(after) == len(base) + 1200
    with sql.connection(on_server) as con:
        assert con.execute("SELECT count(*) FROM import_batch WHERE finished_at IS NOT NULL").fetchone()[0] \
            == _batches(on_server)
        assert con.execute("SELECT count(DISTINCT ticket_id), count(*) FROM import_change WHERE action = 'created' "
                           "AND batch_id IN (SELECT id FROM import_batch ORDER BY id DESC LIMIT 3)").fetchone() \
            == (1200, 1200)
    stored = computed(on_server)
    refresh(on_server)  # a full recompute now gives what the imports left stored
    assert computed(on_server) == stored
