"""Ticket import behaviour (issue 3): idempotent upserts, duplicates, rejected rows, technicians,
strict / dry run, and the all-or-nothing guarantee (an error or a cancel half-way changes nothing)."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.errors import Cancelled, ImportFailed
from kpidesk.importing import tickets_import
from kpidesk.importing.errors import RowsRejected
from kpidesk.importing.mappings import remembered_mapping
from kpidesk.importing.ticket_writer import TicketWriter
from kpidesk.importing.tickets_import import run
from kpidesk.records import TechnicianRecord
from tests.import_samples import FakeProgress, dump, tickets, write_csv, write_xlsx

D = dt.datetime
HEAD = ["Number", "Opened", "Resolved", "Priority", "Assigned to", "Updated", "Reopen count"]


def _rows(n, *, start=0, updated_hour=12, resolved=True):
    return [[f"INC{i:05d}", D(2026, 1, 1 + i % 28, 8), D(2026, 1, 1 + i % 28, 10) if resolved else None,
             f"{1 + i % 4} - x", ["Ann", "Ben", "Cy"][i % 3], D(2026, 2, 1, updated_hour), i % 2]
            for i in range(start, start + n)]


def test_reimport_is_idempotent_and_a_newer_export_updates(store, tmp_path):
    p = write_xlsx(tmp_path / "a.xlsx", HEAD, _rows(30, resolved=False))
    first = run(store, p)
    assert (first.created, first.updated, first.unchanged) == (30, 0, 0)
    before = dump(store)
    second = run(store, p)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 30)
    after = dump(store)
    assert after["ticket"] == before["ticket"]  # unchanged rows are not rewritten (batch id kept too)
    newer = _rows(30, updated_hour=18) + _rows(5, start=30)  # now resolved, and 5 new tickets
    third = run(store, write_xlsx(tmp_path / "b.xlsx", HEAD, newer))
    assert (third.created, third.updated, third.unchanged) == (5, 30, 0)
    got = tickets(store, "resolved_at", "resolution_hours", "import_batch_id")
    assert len(got) == 35
    assert got["INC00003"] == ("2026-01-04 10:00:00.000000", 2.0, third.batch_id)


def test_duplicates_in_one_file_latest_updated_wins_else_last_row(store, tmp_path):
    rows = [["A1", "2026-01-05 08:00", "", "P2", "Ann", "2026-01-05 09:00", 0],
            ["A1", "2026-01-05 08:00", "2026-01-05 12:00", "P2", "Ben", "2026-01-05 12:00", 0],  # newest
            ["A1", "2026-01-05 08:00", "", "P3", "Cy", "2026-01-05 10:00", 0],
            ["B2", "2026-01-06 08:00", "", "P4", "Ann", "", 0],
            ["B2", "2026-01-06 08:00", "", "P1", "Ann", "", 0]]  # no 'updated': the last row wins
    r = run(store, write_csv(tmp_path / "log.csv", HEAD, rows))
    assert (r.created, r.rows_read) == (2, 5)
    got = tickets(store, "assignee", "priority_tier")
    assert got == {"A1": ("Ben", 2), "B2": ("Ann", 1)}
    assert any(w.code == "duplicates" and "repeated a ticket" in str(w) for w in r.warnings)


def test_broken_rows_are_rejected_with_row_column_and_value(store, tmp_path):
    rows = [["OK1", "2026-01-05 08:00", "", "P2", "Ann", "", 0],
            ["", "2026-01-05 08:00", "", "P2", "Ann", "", 0],  # no id
            ["BAD2", "next tuesday", "", "P2", "Ann", "", 0],
            ["BAD3", "2026-01-05 08:00", "", "P2", "Ann", "", "lots"],
            ["BAD4", "N/A", "", "P2", "Ann", "", 0],  # placeholder created date
            ["OK2", "2026-01-05 08:00", "null", "?", "Unassigned", "-", ""]]  # placeholders are blanks
    r = run(store, write_csv(tmp_path / "x.csv", HEAD, rows, title_rows=[["Export"], []]))
    # Issue 12: only the id and the created date can reject a row; 'lots' reopens leave the count
    # empty, the ticket kept, and the summary says so with the row.
    assert (r.created, r.rejected) == (3, 3)
    got = [(x.file, x.sheet, x.row, x.column, x.value, x.reason.split(" (")[0]) for x in r.rejected_rows]
    assert got == [("x.csv", "", 5, "Number", "", "the ticket has no id"),
                   ("x.csv", "", 6, "Opened", "next tuesday", "not a date KPI Desk can read"),
                   ("x.csv", "", 8, "Opened", "N/A", "the ticket has no created date")]
    unreadable = next(w for w in r.warnings if w.code == "unreadable")
    assert (unreadable.count, unreadable.rows) == (1, [7]) and "'Reopen count'" in str(unreadable)
    assert tickets(store, "reopen_count")["BAD3"] == (None,)
    assert tickets(store, "assignee", "resolved_at", "priority_tier")["OK2"] == ("", None, None)


def test_strict_rejects_everything_and_dry_run_keeps_nothing(store, tmp_path):
    rows = _rows(3) + [["X9", "not a date", "", "P1", "Ann", "", 0]]
    p = write_xlsx(tmp_path / "a.xlsx", HEAD, rows)
    before = dump(store)
    with pytest.raises(RowsRejected) as info:
        run(store, p, strict=True)
    assert info.value.report.rejected == 1 and "row 5" in str(info.value)
    assert dump(store) == before
    dry = run(store, p, dry_run=True)
    assert (dry.batch_id, dry.created, dry.rejected, dry.dry_run) == (None, 3, 1, True)
    assert dry.new_technicians == ["Ann", "Ben", "Cy"]
    assert dump(store) == before


def test_technicians_matched_through_aliases(store, tmp_path):
    ann, _ = store.create_technician(TechnicianRecord(display_name="Ann Archer", aliases=["aarcher", "Ann"]))
    rows = [["T1", "2026-01-05 08:00", "", "P2", "  ANN ", "", 0], ["T2", "2026-01-05 08:00", "", "P2", "AARCHER", "", 0],
            ["T3", "2026-01-05 08:00", "", "P2", "Robot", "", 0], ["T4", "2026-01-05 08:00", "", "P2", "New Guy", "", 0]]
    p = write_csv(tmp_path / "a.csv", HEAD, rows)
    r = run(store, p, create_technicians=False, alias_overrides={"robot": None})
    assert r.unassigned_names == ["New Guy"] and r.new_technicians == []
    assert tickets(store, "technician_id") == {"T1": (ann.id,), "T2": (ann.id,), "T3": (None,), "T4": (None,)}
    assert store.find_technician("New Guy") is None  # not created in GUI mode


def test_mapping_given_is_remembered_for_the_same_headers(store, tmp_path):
    head = ["Ref", "Logged", "Fixed", "Who"]
    rows = [["R1", "2026-02-02 09:00", "2026-02-02 10:00", "Ann"]]
    p = write_csv(tmp_path / "odd.csv", head, rows)
    mapping = {"external_id": "Ref", "created_at": "Logged", "resolved_at": "Fixed", "assignee": "Who"}
    run(store, p, mapping=mapping)
    assert remembered_mapping(store, head) == ("generic", mapping)
    again = run(store, write_csv(tmp_path / "odd2.csv", head, rows))
    assert (again.mapping, again.unchanged) == (mapping, 1)


def test_missing_id_column_is_a_clear_failure(store, tmp_path):
    p = write_csv(tmp_path / "a.csv", ["Title", "Opened", "Notes"], [["x", "2026-01-01", "y"]])
    with pytest.raises(ImportFailed, match="Ticket id column"):
        run(store, p)


def test_ambiguous_dates_read_again_when_the_order_is_settled_later(store, tmp_path):
    rows = [["M1", "03/04/2026 10:00", "", "P2", "Ann", "", 0],  # ambiguous: first read day-first
            ["M2", "12/25/2026 10:00", "", "P2", "Ann", "", 0]]  # certainly month-first
    r = run(store, write_csv(tmp_path / "us.csv", HEAD, rows))
    assert (r.created, r.rejected, r.date_order) == (2, 0, "month-first (detected)")
    assert tickets(store, "created_at")["M1"] == ("2026-03-04 10:00:00.000000",)
    forced = run(store, write_csv(tmp_path / "us2.csv", HEAD, rows[:1]), day_first=True)
    assert (forced.updated, forced.date_order) == (1, "day-first (set)")


def test_error_half_way_leaves_every_table_as_it_was(store, tmp_path, monkeypatch):
    run(store, write_xlsx(tmp_path / "base.xlsx", HEAD, _rows(10)))
    before = dump(store)
    calls = {"n": 0}
    real_write = TicketWriter._write_rows

    def failing(self, cur, rows):  # the writer thread blows up on its second chunk
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return real_write(self, cur, rows)

    monkeypatch.setattr(tickets_import, "CHUNK", 7)
    monkeypatch.setattr(TicketWriter, "_write_rows", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run(store, write_xlsx(tmp_path / "new.xlsx", HEAD, _rows(20, updated_hour=20) + [["Z1", D(2026, 3, 1), None, "P1", "Zed", None, 0]]))
    assert calls["n"] == 2
    assert dump(store) == before  # no batch, no tickets, no technician 'Zed', no changes


def test_cancel_while_reading_or_writing_rolls_back(store, tmp_path, monkeypatch):
    monkeypatch.setattr(tickets_import, "CHUNK", 5)
    p = write_xlsx(tmp_path / "a.xlsx", HEAD, _rows(40))
    before = dump(store)
    with pytest.raises(Cancelled):
        run(store, p, progress=FakeProgress(cancel_after=2))  # while reading (and writing) chunks
    assert dump(store) == before
    progress = FakeProgress(cancel_after=9)  # 8 chunks read and written, then the poll before commit
    with pytest.raises(Cancelled):
        run(store, p, progress=progress)
    assert any(s.startswith("Saving") for s in progress.statuses)
    assert dump(store) == before
    ok = FakeProgress()
    assert run(store, p, progress=ok).created == 40
    assert ok.progress[-1] == (40, 40)


def test_inspect_file_previews_the_detected_mapping(store, tmp_path):
    from kpidesk.importing.tickets_import import inspect_file

    p = write_xlsx(tmp_path / "a.xlsx", HEAD, _rows(30), title_rows=[["Incidents"]])
    info = inspect_file(store, p, rows=3)
    assert (info.sheet, info.header_row, info.preset, info.how, info.problem) == ("Page 1", 2, "servicenow", "detected", "")
    assert info.mapping["external_id"] == "Number" and [r[0] for r in info.rows] == ["INC00000", "INC00001", "INC00002"]
    odd = inspect_file(store, write_csv(tmp_path / "b.csv", ["Title", "Opened", "Notes"], [["x", "2026-01-01", "y"]]))
    assert "Ticket id" in odd.problem and odd.mapping == {"created_at": "Opened"}
