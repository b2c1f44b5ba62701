"""Event logs (issue 19): the row of each ticket the import keeps is chosen from the raw rows, before
any row is normalised, by the rule imports always kept (a row replaces the one kept so far unless
both carry an 'updated' time and its own is earlier; a rejected row replaces nothing); the rows it
drops are never read further. The names check reads the file once and hands what it read to the
import. And the day/month text reader that made it affordable reads exactly what the parser reads."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from kpidesk import actions
from kpidesk.importing import tickets_import
from kpidesk.importing.dates import PLACEHOLDER, BadValue, DateOrder, DateParser, is_placeholder
from kpidesk.importing.readers import Table
from kpidesk.importing.tickets_import import run, scan_new_names
from kpidesk.records import TechnicianRecord
from kpidesk.tickets import ALL_FIELDS
from tests.import_samples import dump, rows_of, write_csv, write_xlsx

HEAD = ["number", "incident_state", "reassignment_count", "reopen_count", "made_sla", "opened_at", "sys_updated_at",
        "priority", "assigned_to", "resolved_by", "resolved_at", "closed_at"]
COMPARED = [f for f in ALL_FIELDS if f != "technician_id"]


def _tickets(db):
    """{id: every stored column, the technician by name}: what an import stored, ids aside."""
    rows = rows_of(db, f"SELECT {', '.join('t.' + f for f in COMPARED)}, h.display_name FROM ticket t "
                       "LEFT JOIN technician h ON h.id = t.technician_id")
    return {r[1]: r for r in rows}


def _row(number, state, opened, updated, *, priority="3 - Moderate", assignee="Resolver 1", resolver="?",
         resolved="?", closed="?", reassign=0, reopen=0, sla="true"):
    return [number, state, reassign, reopen, sla, opened, updated, priority, assignee, resolver, resolved, closed]


def test_superseded_rows_are_dropped_unread_and_the_tickets_are_what_their_latest_rows_say(store, tmp_path, db_path):
    """Older states of a ticket with cells that cannot be read (a resolved date that does not exist,
    an unknown priority, an unreadable count): the ticket is its latest row, as before, and the
    summary counts no unreadable cell: it says that 3 rows repeated a ticket and were left out."""
    rows = [
        _row("INC0000045", "New", "29/2/2016 01:16", "29/2/2016 01:23", priority="9 - ???", resolved="31/2/2016 09:00"),
        _row("INC0000046", "Active", "29/2/2016 02:00", "29/2/2016 02:05", assignee="Resolver 2"),
        _row("INC0000045", "Active", "29/2/2016 01:16", "29/2/2016 08:53", reassign="lots"),
        _row("INC0000045", "Resolved", "29/2/2016 01:16", "1/3/2016 09:52", resolver="Resolved by 149",
             resolved="1/3/2016 09:52", reassign=1),
        _row("INC0000046", "Closed", "29/2/2016 02:00", "3/3/2016 10:00", assignee="Resolver 2",
             resolver="Resolved by 7", resolved="2/3/2016 10:00", closed="3/3/2016 10:00"),
        _row("INC0000046", "Active", "29/2/2016 02:00", "1/3/2016 10:00", closed="31/2/2016 10:00"),  # older: dropped
    ]
    report = run(store, write_csv(tmp_path / "incident_event_log.csv", HEAD, rows))
    assert (report.rows_read, report.created, report.rejected) == (6, 2, 0)  # rows read counts every row
    codes = {w.code: w for w in report.warnings}
    assert "unreadable" not in codes and "unknown_priority" not in codes
    assert codes["duplicates"].count == 4 and "left out unread" in codes["duplicates"].message
    # The same tickets as a file of the latest rows only.
    from kpidesk.store import Store

    with Store.open(tmp_path / "latest.db") as other:
        run(other, write_csv(tmp_path / "latest.csv", HEAD, [rows[3], rows[4]]))
        want = _tickets(other.path)
    assert _tickets(store) == want
    assert want["INC0000045"][COMPARED.index("resolved_at")] == "2016-03-01 09:52:00.000000"
    assert want["INC0000046"][-1] == "Resolved by 7"


def test_a_rejected_row_replaces_nothing_even_when_it_is_the_latest(store, tmp_path):
    rows = [_row("A1", "Active", "2/3/2016 08:00", "2/3/2016 09:00", priority="2 - High"),
            _row("A1", "Resolved", "31/2/2016 08:00", "5/3/2016 09:00", resolved="5/3/2016 09:00"),  # no created date
            _row("?", "Resolved", "2/3/2016 08:00", "6/3/2016 09:00"),  # no id
            _row("A1", "Active", "2/3/2016 08:00", "1/3/2016 09:00", priority="4 - Low")]  # older than the first
    report = run(store, write_csv(tmp_path / "log.csv", HEAD, rows))
    assert (report.rows_read, report.created, report.rejected) == (4, 1, 2)
    assert [r.row for r in report.rejected_rows] == [3, 4]
    got = _tickets(store)["A1"]
    assert (got[COMPARED.index("status")], got[COMPARED.index("priority_tier")]) == ("Active", 2)


def _reference_latest(rows):
    """The rule, on the rows as a person reads them: (id, its kept row) in the order kept."""
    def when(text):
        try:
            return dt.datetime.strptime(text, "%d/%m/%Y %H:%M")
        except ValueError:
            return None

    kept: dict[str, list] = {}
    for r in rows:
        if r[0] in ("", "?") or when(r[5]) is None:
            continue  # rejected: no id or created date
        old = kept.get(r[0])
        if old is not None and when(r[6]) is not None and when(old[6]) is not None and when(r[6]) < when(old[6]):
            continue
        kept[r[0]] = r
    return kept


@pytest.mark.parametrize("seed,chunk,held", [(1, 7, None), (2, 50, None), (3, 5000, None), (4, 3, None), (5, 20, 6)])
def test_random_event_logs_keep_the_rows_the_rule_keeps(tmp_path, monkeypatch, seed, chunk, held):
    """Random logs (rows in any order, ties, missing, unreadable and placeholder update times,
    rejected rows, names met only in older rows), read in chunks of every size, with few rows held
    (the first-met half written early, then again): the stored tickets are those of a file holding
    only the rows the rule keeps, and every name met becomes a technician."""
    from kpidesk.importing import latest_rows
    from kpidesk.store import Store

    if held is not None:
        monkeypatch.setattr(latest_rows, "MAX_HELD", held)
    monkeypatch.setattr(tickets_import, "CHUNK", chunk)
    monkeypatch.setattr(tickets_import, "MIN_CHUNK", min(chunk, 1000))
    rng = random.Random(seed)
    rows = []
    for _ in range(300):
        n = rng.randrange(40)
        opened = dt.datetime(2016, 3, 1) + dt.timedelta(hours=n * 5)
        upd = opened + dt.timedelta(hours=rng.randrange(6))
        updated = rng.choice([upd.strftime("%d/%m/%Y %H:%M")] * 6 + ["?", "31/2/2016 10:00", "00/00/0000 00:00"])
        created = opened.strftime("%d/%m/%Y %H:%M") if rng.random() > 0.05 else "99/99/2016 10:00"
        state = rng.choice(["New", "Active", "Resolved", "Closed"])
        done = state in ("Resolved", "Closed")
        rows.append(_row(f"INC{n:04d}" if rng.random() > 0.03 else "?", state, created, updated,
                         priority=rng.choice(["1 - Critical", "3 - Moderate", "x"]),
                         assignee=f"Resolver {rng.randrange(12)}", resolver=f"Resolved by {rng.randrange(5)}" if done else "?",
                         resolved=(opened + dt.timedelta(hours=7)).strftime("%d/%m/%Y %H:%M") if done else "?",
                         reopen=rng.choice([0, 1, "?"])))
    kept = _reference_latest(rows)
    with Store.open(tmp_path / "log.db") as log, Store.open(tmp_path / "kept.db") as snapshot:
        report = run(log, write_csv(tmp_path / "log.csv", HEAD, rows), day_first=True)
        run(snapshot, write_csv(tmp_path / "kept.csv", HEAD, list(kept.values())), day_first=True)
        assert report.rows_read == len(rows) and report.created == len(kept)
        assert _tickets(log.path) == _tickets(snapshot.path)
        named = {r[9] if r[9] != "?" else r[8] for r in rows if r[0] != "?" and not r[5].startswith("99")}
        assert {t.display_name for t in log.list_technicians()} == named  # older rows' names too, as before


def test_tickets_get_the_ids_writing_every_row_in_turn_gave_them(store, tmp_path, monkeypatch):
    """Rows are held and written at the end, in the order their tickets were first written when every
    chunk was written in turn: within a chunk at the last row kept there, so ids (and the order a scan
    of the table meets tickets in) do not move."""
    monkeypatch.setattr(tickets_import, "CHUNK", 3)
    monkeypatch.setattr(tickets_import, "MIN_CHUNK", 3)
    rows = [_row("A", "New", "2/3/2016 08:00", "2/3/2016 08:00"),  # chunk 1: A, then B, then A again
            _row("B", "New", "2/3/2016 09:00", "2/3/2016 09:00"),
            _row("A", "Active", "2/3/2016 08:00", "2/3/2016 10:00"),
            _row("C", "New", "2/3/2016 11:00", "2/3/2016 11:00"),  # chunk 2: C, D, then an older B
            _row("D", "New", "2/3/2016 12:00", "2/3/2016 12:00"),
            _row("B", "New", "2/3/2016 09:00", "2/3/2016 08:30")]
    run(store, write_csv(tmp_path / "log.csv", HEAD, rows))
    order = [r[0] for r in rows_of(store, "SELECT external_id FROM ticket ORDER BY id")]
    assert order == ["B", "A", "C", "D"]  # chunk 1 wrote B (row 2) before A (kept at row 3)


def test_the_names_check_lists_what_a_full_read_finds_and_hands_the_file_over(store, tmp_path, monkeypatch):
    store.create_technician(TechnicianRecord(display_name="Resolver 1"))
    rows = [_row("A1", "New", "2/3/2016 08:00", "2/3/2016 08:00", assignee="Only Early"),  # superseded
            _row("A1", "Resolved", "2/3/2016 08:00", "3/3/2016 08:00", resolver="Resolved by 9", resolved="3/3/2016 08:00"),
            _row("B2", "Active", "99/3/2016 08:00", "3/3/2016 08:00", assignee="Rejected Row"),  # listed, as before
            _row("C3", "Active", "4/3/2016 08:00", "4/3/2016 08:00", assignee="resolver 1"),  # known by alias key
            _row("D4", "Active", "4/3/2016 08:00", "4/3/2016 08:00", assignee="Ann Lee, Bo Chan")]
    path = write_csv(tmp_path / "log.csv", HEAD, rows)
    full = sorted({r[9] if r[9] != "?" else r[8] for r in rows} - {"resolver 1"}, key=str.casefold)
    reads = []
    real = Table.chunks
    monkeypatch.setattr(Table, "chunks", lambda self, size: (reads.append(size), real(self, size))[1])
    names, table = scan_new_names(store, path)
    assert names == full and len(reads) == 1
    report = run(store, path, table=table, create_technicians=False)
    assert len(reads) == 1  # the import used what the check read
    assert report.rows_read == 5 and report.created == 3 and report.unassigned_names == [
        n for n in full if n != "Rejected Row"]  # the import meets the rows it does not reject


def test_the_gui_path_reads_the_file_once_and_stores_what_a_plain_import_stores(tmp_path, monkeypatch):
    """The Imports screen: the names check, the dialog, then the import in a second action; the import
    takes the rows the check held (same file, unchanged, same settings) and stores the same."""
    from kpidesk.store import Store

    rows = [_row(f"T{i % 7}", "Active" if i < 10 else "Resolved", "2/3/2016 08:00", f"{2 + i // 7}/3/2016 09:00",
                 assignee=f"Resolver {i % 4}", resolver="Resolved by 1" if i >= 10 else "?",
                 resolved="9/3/2016 10:00" if i >= 10 else "?") for i in range(20)]
    path = write_csv(tmp_path / "log.csv", HEAD, rows)
    with Store.open(tmp_path / "plain.db") as plain:
        run(plain, path)
        want = dump(plain.path)
    reads = []
    real = Table.chunks
    monkeypatch.setattr(Table, "chunks", lambda self, size: (reads.append(size), real(self, size))[1])
    with Store.open(tmp_path / "gui.db") as gui:
        request = actions.ImportRequest(path, ask_names=True)
        first = actions.import_file(gui, request).result
        assert first.needs_names and len(reads) == 1
        report = actions.import_file(gui, request.with_names({})).result.report
        assert len(reads) == 1 and report.rows_read == 20 and report.created == 7
        got = dump(gui.path)
    for table in ("ticket", "technician", "technician_alias"):
        assert got[table] == want[table]
    # A changed file is read again.
    request = actions.ImportRequest(path, ask_names=True)
    with Store.open(tmp_path / "again.db") as again:
        assert actions.import_file(again, request).result.needs_names
        write_csv(path, HEAD, rows[:5])
        assert actions.import_file(again, request.with_names({})).result.report.rows_read == 5
    assert len(reads) == 3


def test_a_scan_for_another_order_or_a_cancelled_dialog_is_not_used(store, tmp_path, monkeypatch):
    rows = [_row("A", "New", "2/3/2016 08:00", "3/2/2016 09:00"), _row("A", "New", "2/3/2016 08:00", "4/2/2016 09:00")]
    path = write_csv(tmp_path / "log.csv", HEAD, rows)
    reads = []
    real = Table.chunks
    monkeypatch.setattr(Table, "chunks", lambda self, size: (reads.append(size), real(self, size))[1])
    scan_new_names(store, path)  # read day-first (assumed: nothing says otherwise)
    report = run(store, path, day_first=False)  # the user says month-first: read again
    assert len(reads) == 2 and report.date_order == "month-first (set)"
    scan_new_names(store, path)
    tickets_import.forget_scan()  # the names dialog was cancelled
    run(store, path)
    assert len(reads) == 4


def _as_the_parser_read_it(parser, text):
    """DateParser.__call__ as it was: _parse, then the placeholder rule."""
    try:
        value = parser._parse(text)
    except BadValue as exc:
        return ("bad", str(exc))
    if value is not None and value is not PLACEHOLDER and is_placeholder(value):
        return PLACEHOLDER
    return value


TEXTS = ["29/2/2016 01:16", "1/3/2016 09:52", "31/2/2016 10:00", "12/13/2016 10:00", "13/12/2016 10:00",
         "00/00/0000 00:00", "00.00.0000", "1/1/1900 00:00", "2/1/1900 00:00", "1/1/1970 00:00", "1/1/1970 00:01",
         "5/6/2016 25:00", "5/6/2016 10:61", "5/6/2016 1:05:07", "5/6/2016 1:05:60", "5.6.2016", "5-6-2016 10:00",
         "5/6-2016 10:00", "5/6/16 10:00", " 5/6/2016 10:00", "5/6/2016  10:00", "5/6/2016 10:00 PM", "5/6/1899 10:00",
         "5/6/2201 10:00", "0/6/2016", "5/0/2016", "?", "", "2016-06-05 10:00:00", "5 Jun 2016", "05/06/2016 10:00",
         "1/1/2200 23:59:59", "31/12/2200 23:59", "٥/٦/٢٠١٦ 10:00"]


@pytest.mark.parametrize("day_first", [True, False])
def test_the_day_month_text_reader_reads_what_the_parser_reads(day_first):
    for text in TEXTS:
        want = _as_the_parser_read_it(DateParser(DateOrder(day_first)), text)
        parser = DateParser(DateOrder(day_first))
        try:
            got = parser(text)
        except BadValue as exc:
            got = ("bad", str(exc))
        assert got == want, text
        values, isos = DateParser(DateOrder(day_first)).read_texts([text])
        value = ("bad", str(values[0])) if isinstance(values[0], BadValue) else values[0]
        assert value == want, text
        assert isos[0] == (want.isoformat(" ", "microseconds") if isinstance(want, dt.datetime) else None), text
    values, _ = DateParser(DateOrder(day_first)).read_texts(TEXTS * 2)  # the halves it remembers change nothing
    assert [("bad", str(v)) if isinstance(v, BadValue) else v for v in values] == [
        _as_the_parser_read_it(DateParser(DateOrder(day_first)), t) for t in TEXTS * 2]


def test_an_xlsx_event_log_keeps_the_latest_row_too(store, tmp_path):
    D = dt.datetime
    rows = [["X1", "New", 0, 0, True, D(2026, 1, 5, 8), D(2026, 1, 5, 8), "P3", "Ann", None, None, None],
            ["X1", "Resolved", 0, 0, True, D(2026, 1, 5, 8), D(2026, 1, 6, 8), "P2", "Ann", "Ben", D(2026, 1, 6, 8), None],
            ["X1", "Active", 0, 0, True, D(2026, 1, 5, 8), D(2026, 1, 5, 12), "P4", "Cy", None, None, None]]
    report = run(store, write_xlsx(tmp_path / "log.xlsx", HEAD, rows))
    assert (report.rows_read, report.created) == (3, 1)
    got = _tickets(store)["X1"]
    assert (got[COMPARED.index("status")], got[-1]) == ("Resolved", "Ben")
