"""The one-pass import (issue 3, speed): what the column-wise reader and the writer thread must keep
equal to the plain rules — derived columns as tickets.derive() fills them, indexes intact and a failure
rolled back, repeats of a ticket far apart in a file, the name scan the GUI runs first, the date
shortcut, the collector pause and the checkpoint after the commit."""
from __future__ import annotations

import datetime as dt
import itertools
import sqlite3

import pytest

from kpidesk.importing import tickets_import
from kpidesk.importing.ticket_writer import TicketWriter
from kpidesk.importing.tickets_import import run, scan_new_names
from kpidesk.records import TechnicianRecord
from kpidesk.tickets import ALL_FIELDS, DERIVED_FIELDS, derive
from tests.import_samples import dump, rows_of, write_csv, write_xlsx

D = dt.datetime
HEAD = ["Number", "Opened", "Resolved", "Priority", "Assigned to", "Resolved by", "Updated", "Reopen count",
        "Reassignment count", "Escalated", "First contact", "Made SLA", "SLA due"]


def _stored(db):
    return [dict(zip(ALL_FIELDS, r)) for r in rows_of(db, f"SELECT {', '.join(ALL_FIELDS)} FROM ticket")]


def _indexes(store):
    if store.shared:
        return rows_of(store, "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ticket' ORDER BY indexname")
    return rows_of(store, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ticket' ORDER BY name")


def test_derived_columns_are_what_tickets_derive_computes(store, tmp_path):
    """Every combination of the inputs the flags and the SLA rule read, checked row by row against
    tickets.derive() on the stored source columns."""
    counts, flags = (None, 0, 1, 3), (None, True, False)
    combos = list(itertools.product(counts, counts, flags, flags, flags, (None, 2, 30)))
    rows = []
    for i, (reopen, reassign, esc, fc, met, due_h) in enumerate(combos):
        created = D(2026, 1, 1) + dt.timedelta(hours=7 * i, minutes=i % 60)
        resolved = None if i % 11 == 0 else created + dt.timedelta(hours=(i * 37) % 90, seconds=i % 7)
        rows.append([f"T{i}", created, resolved, f"P{1 + i % 4}", "Ann", "", created, reopen, reassign,
                     esc, fc, met, None if due_h is None else created + dt.timedelta(hours=due_h)])
    run(store, write_xlsx(tmp_path / "combos.xlsx", HEAD, rows))
    stored = _stored(store)
    assert len(stored) == len(combos)
    as_dt = lambda v: None if v is None else dt.datetime.fromisoformat(v)  # noqa: E731
    for row in stored:
        source = {f: row[f] for f in ALL_FIELDS if f not in DERIVED_FIELDS}
        for f in ("created_at", "resolved_at", "sla_due_at"):
            source[f] = as_dt(source[f])
        flag_in = {f: None if row[f] is None else bool(row[f]) for f in ("escalated", "first_contact")}
        expected = derive({**source, **flag_in, "sla_met": None if _made_sla(rows, row) is None else _made_sla(rows, row)})
        for f in DERIVED_FIELDS:
            want = expected[f]
            got = row[f]
            if isinstance(want, bool):
                got = None if got is None else bool(got)
            assert got == want, (row["external_id"], f, got, want)
        assert (None if row["sla_met"] is None else bool(row["sla_met"])) == expected["sla_met"], row["external_id"]


def _made_sla(rows, row):
    return rows[int(row["external_id"][1:])][11]


def test_a_chunked_import_keeps_the_indexes_and_a_failed_one_leaves_the_database_as_it_was(store, tmp_path, monkeypatch):
    monkeypatch.setattr(tickets_import, "CHUNK", 15)
    before = _indexes(store)
    assert len(before) >= 5
    rows = [[f"T{i}", D(2026, 2, 1 + i % 20, 9), D(2026, 2, 1 + i % 20, 15), "P2", "Ann", "", None, 0, 0, None, None, None, None]
            for i in range(60)]
    assert run(store, write_xlsx(tmp_path / "bulk.xlsx", HEAD, rows)).created == 60
    assert _indexes(store) == before
    content = dump(store)
    real = TicketWriter._write_rows
    calls = {"n": 0}

    def failing(self, cur, part):
        calls["n"] += 1
        if calls["n"] == 2:  # the first chunk is written by now: the rollback must take it back
            raise RuntimeError("power cut")
        return real(self, cur, part)

    monkeypatch.setattr(TicketWriter, "_write_rows", failing)
    more = [[f"U{i}", D(2026, 3, 1, 9), None, "P3", "Ben", "", None, 0, 0, None, None, None, None] for i in range(200)]
    with pytest.raises(RuntimeError, match="power cut"):
        run(store, write_xlsx(tmp_path / "more.xlsx", HEAD, more))
    assert _indexes(store) == before
    assert dump(store) == content


def test_a_ticket_changed_and_put_back_later_in_the_same_file_is_unchanged(store, tmp_path, monkeypatch):
    monkeypatch.setattr(tickets_import, "CHUNK", 4)  # the two rows of T1 land in different chunks
    base = [[f"T{i}", D(2026, 4, 1, 9), D(2026, 4, 1, 12), "P2", "Ann", "", D(2026, 4, 4), 0, 0, None, None, None, None]
            for i in range(3)]
    run(store, write_csv(tmp_path / "base.csv", HEAD, base))
    changed = list(base[1])
    changed[3], changed[6] = "P1", D(2026, 4, 3)  # an older state of T1, written with the first chunk
    back = list(base[1])  # T1's latest state, in a later chunk: it wins, and it is what is stored
    later = list(base[2])
    later[3], later[6] = "P4", D(2026, 4, 5)
    rows = [changed] + [[f"N{i}", D(2026, 4, 6), None, "P3", "Cy", "", None, 0, 0, None, None, None, None] for i in range(6)]
    second = run(store, write_csv(tmp_path / "second.csv", HEAD, rows + [back, later]))
    assert (second.created, second.updated, second.unchanged) == (6, 1, 1)
    actions = rows_of(store, "SELECT t.external_id, c.action FROM import_change c JOIN ticket t ON t.id = c.ticket_id "
                             f"WHERE c.batch_id = {int(second.batch_id)} ORDER BY t.external_id")
    t1 = rows_of(store, "SELECT priority_tier, import_batch_id FROM ticket WHERE external_id = 'T1'")[0]
    assert [a for a in actions if a[1] == "updated"] == [("T2", "updated")]
    assert t1[0] == 2 and t1[1] != second.batch_id  # still the first import's ticket, as it was


def test_the_name_scan_lists_unknown_technicians_and_hands_its_table_to_the_import(store, tmp_path):
    store.create_technician(TechnicianRecord(display_name="Ann Lee", aliases=["A. Lee"]))
    rows = [["T1", D(2026, 5, 1), D(2026, 5, 2), "P3", "a. lee", "", None, 0, 0, None, None, None, None],
            ["T2", D(2026, 5, 1), D(2026, 5, 2), "P3", "Ann Lee", "Zoe  Quinn", None, 0, 0, None, None, None, None],
            ["T3", D(2026, 5, 1), None, "P3", "bob", "", None, 0, 0, None, None, None, None]]
    path = write_xlsx(tmp_path / "names.xlsx", HEAD, rows)
    names, table = scan_new_names(store, path)
    assert names == ["bob", "Zoe  Quinn"]  # T2's technician is its resolver; Ann is known by alias
    report = run(store, path, table=table, create_technicians=False)
    assert report.created == 3 and report.unassigned_names == names and report.new_technicians == []


@pytest.mark.sqlite_only("SQLite's own disk-full error; a server reports its own (postgres.translate_error)")
def test_a_full_disk_at_the_end_of_the_import_is_a_plain_message(store, tmp_path, monkeypatch):
    """The end of the import (records, counts) fails the way a chunk write does: DiskFull, no trace."""
    from kpidesk.errors import DiskFull

    before = dump(store)

    def full(self, cur, *args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(TicketWriter, "_finish", full)
    rows = [[f"T{i}", D(2026, 2, 1, 9), None, "P2", "Ann", "", None, 0, 0, None, None, None, None] for i in range(30)]
    with pytest.raises(DiskFull, match="Nothing was changed"):
        run(store, write_xlsx(tmp_path / "full.xlsx", HEAD, rows))
    assert dump(store) == before


@pytest.mark.parametrize("cells", [
    [D(2026, 3, 1, 9, 30), None, "", dt.date(2026, 3, 2), D(2026, 3, 3, 23, 59, 59, 5)],
    [D(2026, 3, 1, 9, 30), 0, None],  # 0 is a number (an Excel serial), not a blank
    [D(2026, 3, 1, 9, 30), False, ""],  # False is not a date at all
    [D(2026, 3, 1, 9, 30), 0.0, D(2026, 3, 4)],
    [None, "", None],
])
def test_the_date_column_fast_path_reads_every_cell_as_the_cell_parser_does(cells):
    """The column-wise shortcut for typed date cells must give exactly what parsing each cell does,
    and must not take a falsy value that is not a blank (0, 0.0, False) for one."""
    from kpidesk.importing.dates import PLACEHOLDER, DateOrder, DateParser
    from kpidesk.importing.errors import BadValue
    from kpidesk.importing.ticket_rows import _BAD, _date_column, fast_iso

    values, texts, errors = _date_column(list(cells), DateParser(DateOrder(True)))
    parse = DateParser(DateOrder(True))
    for cell, value, text in zip(cells, values, texts):
        try:
            want = parse(cell)
        except BadValue:
            assert value is _BAD and cell in errors, cell
            continue
        assert value == want, cell
        assert text == (None if want is None or want is PLACEHOLDER else fast_iso(want)), cell


def test_an_import_runs_without_the_collector_and_with_short_gil_turns_and_puts_both_back(store, tmp_path, monkeypatch):
    import gc
    import sys

    from kpidesk.importing.bulk_settings import SWITCH_INTERVAL_S, bulk_settings
    from kpidesk.importing.ticket_rows import ChunkReader

    seen = []
    real_read = ChunkReader.read
    monkeypatch.setattr(ChunkReader, "read",
                        lambda self, *a: (seen.append((gc.isenabled(), sys.getswitchinterval())), real_read(self, *a))[1])
    interval = sys.getswitchinterval()
    assert gc.isenabled() and interval > SWITCH_INTERVAL_S
    run(store, write_xlsx(tmp_path / "t.xlsx", HEAD[:3], [["T1", D(2026, 1, 5), None]]))
    assert seen == [(False, SWITCH_INTERVAL_S)]
    assert gc.isenabled() and sys.getswitchinterval() == interval
    with bulk_settings():  # nested: the settings come back with the last one out
        with bulk_settings():
            assert not gc.isenabled()
        assert not gc.isenabled() and sys.getswitchinterval() == SWITCH_INTERVAL_S
    assert gc.isenabled() and sys.getswitchinterval() == interval
    gc.disable()
    try:  # off before the import: stays off after it
        with bulk_settings():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.sqlite_only("the write-ahead log's checkpoint is the file's own")
def test_an_import_commits_first_and_checkpoints_the_log_after_on_a_thread(store, tmp_path, monkeypatch):
    """The write-ahead log is copied into the database file after the import has committed, not
    inside its commit; the pooled connection gets its automatic checkpoint back."""
    from kpidesk.store import Store

    seen = []
    real = Store._checkpoint

    def checkpoint(self):
        con = sqlite3.connect(self.path)
        try:  # what another connection sees when the checkpoint starts: the committed import
            seen.append(con.execute("SELECT count(*) FROM ticket").fetchone()[0])
        finally:
            con.close()
        real(self)

    monkeypatch.setattr(Store, "_checkpoint", checkpoint)
    rows = [[f"T{i}", D(2026, 1, 1) + dt.timedelta(hours=i), None] for i in range(300)]
    run(store, write_xlsx(tmp_path / "t.xlsx", HEAD[:3], rows))
    store.wait_for_checkpoint()
    assert seen == [300]
    with store.raw_write() as con:
        assert con.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000


@pytest.mark.sqlite_only("the write-ahead log's checkpoint is the file's own")
def test_a_raw_write_that_fails_leaves_no_checkpoint_and_restores_the_setting(store, monkeypatch):
    from kpidesk.store import Store

    ran = []
    monkeypatch.setattr(Store, "_checkpoint", lambda self: ran.append(1))
    with store.raw_write() as con:
        plain = id(con)
    with pytest.raises(RuntimeError):
        with store.raw_write(checkpoint_later=True) as con:
            assert id(con) == plain  # the pooled connection the next writer gets too
            assert con.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
            raise RuntimeError("half-way")
    with store.raw_write() as con:
        assert id(con) == plain
        assert con.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    store.wait_for_checkpoint()
    assert ran == []


def test_a_small_file_is_cut_into_finer_chunks_so_the_writer_keeps_up(store, tmp_path, monkeypatch):
    sizes = []
    real = TicketWriter.write
    monkeypatch.setattr(TicketWriter, "write", lambda self, rows: (sizes.append(len(rows) // self._sql.width), real(self, rows))[1])
    rows = [[f"T{i}", D(2026, 1, 1) + dt.timedelta(minutes=i), None] for i in range(16_000)]
    assert run(store, write_csv(tmp_path / "t.csv", HEAD[:3], rows)).created == 16_000
    # About an eighth of the file each (the row count of a CSV file is estimated from its first
    # lines), not three chunks of 5,000 and a last one of 1,000.
    assert len(sizes) in (7, 8, 9) and sum(sizes) == 16_000
    assert all(1900 <= n <= 2300 for n in sizes[:-1]), sizes
