"""The chunk reader at its edges (kpidesk/importing/ticket_rows.py, issue 20): a few rows in memory
through ChunkReader.keys()/read() and its column helpers, each expectation worked out by hand from
DESIGN.md's rules: which rows are rejected and why (file, row, column, value), which cells are
blanked and counted, the SLA flag at exactly its target, the technician of a cell naming several,
the resolution a date before the ticket's creation does not give, and the shortcuts (typed dates,
plain ids, one parse per distinct cell) giving exactly what the slow way gives.

Dates are day-first text ('05/01/2026 09:00' is 5 January 2026), as a European CSV export writes them.
"""
from __future__ import annotations

import datetime as dt
from unittest import mock

from kpidesk.importing import ticket_rows
from kpidesk.importing.dates import PLACEHOLDER, DateOrder, DateParser
from kpidesk.importing.normalise import parse_csat, parse_flag, parse_text
from kpidesk.importing.report import RejectedRow
from kpidesk.importing.ticket_rows import (
    _BAD,
    Chunk,
    ChunkReader,
    _date_column,
    _date_values,
    _id_column,
    _parse_column,
    constant_columns,
)

D = dt.datetime
FILE, SHEET = "export.csv", "Tickets"
SLA = {"P1": 4, "P2": 8, "P3": 24, "P4": 72}
BASE = {"external_id": "ID", "created_at": "Created"}


def make(mapping: dict[str, str], *, headers: list[str] | None = None, **options) -> ChunkReader:
    """A reader of a table whose headers are the mapping's (in its order) unless given."""
    options.setdefault("sla_hours", SLA)
    options.setdefault("priority_map", {})
    options.setdefault("alias_ids", {})
    return ChunkReader(FILE, SHEET, list(mapping.values()) if headers is None else headers, dict(mapping),
                       DateOrder(True), source_system="test", **options)


def when(day: int, hour: int, minute: int = 0) -> str:
    """A January 2026 time as the export writes it."""
    return f"{day:02d}/01/2026 {hour:02d}:{minute:02d}"


def iso(day: int, hour: int, minute: int = 0) -> str:
    """The same time as the database stores it."""
    return f"2026-01-{day:02d} {hour:02d}:{minute:02d}:00.000000"


def read(reader: ChunkReader, rows: list[list], first: int = 2) -> Chunk:
    return reader.read(list(range(first, first + len(rows))), [list(r) for r in rows])


def table(reader: ChunkReader, chunk: Chunk) -> list[dict]:
    """The chunk's rows as {column: value}, the constant columns included."""
    width = len(reader.bound)
    assert len(chunk.rows) % width == 0
    return [{**reader.consts, **dict(zip(reader.bound, chunk.rows[i:i + width]))}
            for i in range(0, len(chunk.rows), width)]


def col(reader: ChunkReader, chunk: Chunk, field: str) -> list:
    return [row[field] for row in table(reader, chunk)]


def tally(reader: ChunkReader) -> dict[tuple[str, str], tuple[int, list[int], dict[str, int]]]:
    """{(code, column): (count, first rows, values)} of every assumption the reader made."""
    return {key: (e.count, list(e.rows), dict(e.values)) for key, e in reader.tally.entries.items()}


# ---------------------------------------------------------------- constant columns, empty chunks

def test_response_minutes_beside_a_response_column_leave_both_bound():
    consts = constant_columns({"first_response_minutes": "FRT", "first_response_at": "First reply"}, "zendesk")
    assert "first_response_at" not in consts and consts["closed_at"] is None


def test_an_empty_chunk_reads_to_nothing():
    reader = make(BASE)
    assert reader.read([], []) == Chunk([], (), ())
    assert reader.read([], None) == Chunk([], (), ())
    keys = reader.keys([], [])
    assert keys.numbers == [] and keys.rejected == {} and keys.names == []
    assert reader.read([], None, keys) == Chunk([], (), ())
    assert reader.tally.entries == {}


# ---------------------------------------------------------------- rejected rows

def test_every_row_rejected_gives_no_rows_and_the_reasons_in_row_order():
    reader = make(BASE)
    chunk = read(reader, [
        ["T1", ""],                      # row 2: no created date
        ["", when(5, 9)],                # row 3: no id
        ["T3", "1900-01-01"],            # row 4: a placeholder is no created date
        ["T4", "31/02/2026"],            # row 5: no such day
    ])
    reject = lambda row, column, value, reason: RejectedRow(FILE, SHEET, row, column, value, reason)  # noqa: E731
    assert chunk == Chunk([], (), (), [
        reject(2, "Created", "", "the ticket has no created date"),
        reject(3, "ID", "", "the ticket has no id"),
        reject(4, "Created", "1900-01-01", "the ticket has no created date"),
        reject(5, "Created", "31/02/2026", "not a real date or time (e.g. 31 February, or hour 25)"),
    ])


def test_a_placeholder_created_date_alone_rejects_its_row():
    reader = make(BASE)
    chunk = read(reader, [["T1", "1900-01-01 00:00"], ["T2", when(5, 9)]])
    assert chunk.rejected == [RejectedRow(FILE, SHEET, 2, "Created", "1900-01-01 00:00",
                                          "the ticket has no created date")]
    assert chunk.ids == ["T2"] and col(reader, chunk, "created_at") == [iso(5, 9)]


def test_a_rejected_row_is_left_out_of_the_rows_kept():
    reader = make({**BASE, "category": "Category"})
    chunk = read(reader, [["T1", when(5, 9), "Mail"], ["", when(5, 10), "Net"], ["T3", when(5, 11), "Web"]])
    assert [r.row for r in chunk.rejected] == [3]
    assert chunk.ids == ["T1", "T3"] and col(reader, chunk, "category") == ["Mail", "Web"]


def test_ids_of_100_characters_are_ids_and_of_101_are_not():
    reader = make(BASE)
    chunk = read(reader, [["A" * 100, when(5, 9)], ["B" * 101, when(5, 9)]])
    assert chunk.ids == ["A" * 100]
    assert chunk.rejected == [RejectedRow(FILE, SHEET, 3, "ID", "B" * 101,
                                          "not a ticket id (empty or longer than 100 characters)")]


def test_a_column_of_plain_ids_is_taken_as_it_is():
    def refuse(value):
        raise AssertionError(f"parse_id called for {value!r}")

    with mock.patch.object(ticket_rows, "parse_id", refuse):
        assert _id_column(["A" * 100, "INC0012", "7"]) == (["A" * 100, "INC0012", "7"], {})
    assert _id_column(["52 267", "T1"]) == (["52267", "T1"], {})  # GLPI's thousands space


# ---------------------------------------------------------------- short and whole rows

def test_short_rows_read_their_missing_cells_as_blank():
    reader = make({**BASE, "category": "Category"})
    whole, short = ["T1", when(5, 9), "Net"], ["T2", when(5, 10)]
    cells = [whole, short]
    keys = reader.keys([2, 3], cells)
    assert keys.cells[0] is whole  # a whole row is used as it is
    assert keys.cells[1] == ["T2", when(5, 10), None]
    chunk = reader.read([2, 3], None, keys)
    assert chunk.ids == ["T1", "T2"] and col(reader, chunk, "category") == ["Net", ""]


def test_a_chunk_of_whole_rows_is_not_copied():
    reader = make({**BASE, "category": "Category"})
    cells = [["T1", when(5, 9), "Net"], ("T2", when(5, 10), "Mail")]
    keys = reader.keys([2, 3], cells)
    assert keys.cells is cells
    assert col(reader, reader.read([2, 3], None, keys), "category") == ["Net", "Mail"]


def test_the_date_columns_share_one_memo_of_day_and_time_texts():
    reader = make({**BASE, "resolved_at": "Resolved", "closed_at": "Closed"})
    assert len({id(p.memo) for p in reader._dates.values()}) == 1 and len(reader._dates) == 3


# ---------------------------------------------------------------- blanked and cut cells

def test_unreadable_cells_are_blanked_and_counted_with_their_column_rows_and_values():
    reader = make({**BASE, "reopen_count": "Reopens", "closed_at": "Closed", "category": "Category",
                   "csat": "CSAT"})
    chunk = read(reader, [
        ["T1", when(5, 9), "many", "not a date", "Net", "5"],
        ["T2", when(5, 10), "1", "1900-01-01", "x" * 201, "meh"],
        ["T3", when(5, 11), "2", when(6, 12), "y" * 200, "4"],
    ])
    rows = table(reader, chunk)
    assert [r["reopen_count"] for r in rows] == [None, 1, 2]
    assert [r["closed_at"] for r in rows] == [None, None, iso(6, 12)]
    assert [r["category"] for r in rows] == ["Net", "x" * 200, "y" * 200]
    assert [(r["csat_score"], r["csat_positive"]) for r in rows] == [(5.0, None), (None, None), (4.0, None)]
    # no resolved column: the closed time is the resolved time (row 4); rows 2 and 3 are open
    assert [(r["resolved_at"], r["resolved_basis"]) for r in rows] == [(None, None), (None, None),
                                                                      (iso(6, 12), "closed")]
    assert tally(reader) == {
        ("unreadable", "Reopens"): (1, [2], {"many": 1}),
        ("unreadable", "Closed"): (1, [2], {"not a date": 1}),
        ("placeholder_dates", "Closed"): (1, [3], {"1900-01-01": 1}),
        ("csat_unscored", "CSAT"): (1, [3], {"meh": 1}),
        ("text_cut", "Category"): (1, [3], {}),
        ("resolved_closed", ""): (1, [4], {}),
        ("no_technician", ""): (3, [2, 3, 4], {}),
    }


def test_a_text_of_exactly_its_limit_is_not_cut_nor_counted():
    reader = make({**BASE, "category": "Category", "status": "Status"})
    chunk = read(reader, [["T1", when(5, 9), "c" * 200, "s" * 50], ["T2", when(5, 9), "short", "t" * 51]])
    rows = table(reader, chunk)
    assert [r["category"] for r in rows] == ["c" * 200, "short"]
    assert [r["status"] for r in rows] == ["s" * 50, "t" * 50]
    assert ("text_cut", "Category") not in reader.tally.entries
    assert tally(reader)[("text_cut", "Status")] == (1, [3], {})


def test_a_clean_chunk_makes_no_assumption_but_the_ones_it_must():
    reader = make({**BASE, "resolved_at": "Resolved", "category": "Category", "assignee": "Assignee",
                   "priority": "Priority"})
    chunk = read(reader, [["T1", when(5, 9), when(5, 10), "Net", "Ann", "P2"]])
    assert tally(reader) == {}  # no empty entries either: each code is added only where it applies
    assert col(reader, chunk, "resolution_hours") == [1.0]
    assert col(reader, chunk, "sla_met") == [True]


# ---------------------------------------------------------------- priority

def test_unknown_priorities_are_counted_and_left_without_a_tier():
    reader = make({**BASE, "priority": "Priority"})
    chunk = read(reader, [[f"T{i}", when(5, 9), p] for i, p in enumerate(("High", "Banana", "p5", "", "Banana"))])
    rows = table(reader, chunk)
    assert [r["priority_raw"] for r in rows] == ["High", "Banana", "p5", "", "Banana"]
    assert [r["priority_tier"] for r in rows] == [2, None, 4, None, None]
    assert tally(reader)[("unknown_priority", "")] == (2, [3, 6], {"Banana": 2})


# ---------------------------------------------------------------- SLA flags

def test_an_sla_breached_column_beats_the_clock_and_a_blank_says_nothing():
    reader = make({**BASE, "resolved_at": "Resolved", "priority": "Priority", "sla_breached": "Breached"})
    chunk = read(reader, [
        ["T1", when(5, 9), when(5, 10), "P1", "yes"],  # 1 h of 4, but the export says breached
        ["T2", when(5, 9), when(5, 10), "P1", ""],     # no flag: 1 h <= 4 h
        ["T3", when(5, 9), "", "P1", ""],              # not resolved, no flag: unknown
        ["T4", when(5, 9), "", "P1", "no"],            # not breached
    ])
    assert col(reader, chunk, "sla_met") == [False, True, None, True]


def test_sla_time_remaining_at_zero_is_met_and_below_it_breached():
    reader = make({**BASE, "sla_remaining": "Time to resolution"})
    chunk = read(reader, [[f"T{i}", when(5, 9), left] for i, left in enumerate(("-0:01", "0", "0:30", "", "2:00"))])
    assert col(reader, chunk, "sla_met") == [False, True, True, None, True]


def test_the_exports_sla_flag_wins_over_its_breached_column():
    reader = make({**BASE, "sla_met": "SLA met", "sla_breached": "Breached"})
    chunk = read(reader, [["T1", when(5, 9), "yes", "yes"], ["T2", when(5, 9), "", "yes"],
                          ["T3", when(5, 9), "no", "no"], ["T4", when(5, 9), "", ""]])
    assert col(reader, chunk, "sla_met") == [True, False, False, None]


def test_resolved_exactly_at_the_due_time_is_met_and_a_minute_later_not():
    reader = make({**BASE, "resolved_at": "Resolved", "sla_due_at": "Due"})
    chunk = read(reader, [["T1", when(5, 9), when(5, 12), when(5, 12)], ["T2", when(5, 9), when(5, 12, 1), when(5, 12)],
                          ["T3", when(5, 9), when(5, 11, 59), when(5, 12)]])
    assert col(reader, chunk, "sla_met") == [True, False, True]


def test_the_tiers_target_at_exactly_its_hours_is_met():
    reader = make({**BASE, "resolved_at": "Resolved", "priority": "Priority"})
    chunk = read(reader, [["T1", when(5, 9), when(5, 17), "P2"], ["T2", when(5, 9), when(5, 17, 1), "P2"],
                          ["T3", when(5, 9), when(6, 9), "P3"], ["T4", when(5, 9), when(6, 9), ""]])
    assert col(reader, chunk, "sla_met") == [True, False, True, None]
    assert col(reader, chunk, "resolution_hours") == [8.0, 8 + 1 / 60, 24.0, 24.0]


# ---------------------------------------------------------------- first response

def test_response_minutes_fill_only_a_missing_response_time():
    reader = make({**BASE, "first_response_at": "First reply", "first_response_minutes": "Reply minutes"})
    chunk = read(reader, [["T1", when(5, 9), when(5, 9, 30), "90"],  # the time given wins
                          ["T2", when(5, 9), "", "90"],               # 09:00 + 90 min
                          ["T3", when(5, 9), "", ""]])
    assert col(reader, chunk, "first_response_at") == [iso(5, 9, 30), iso(5, 10, 30), None]


# ---------------------------------------------------------------- resolution

def test_a_resolved_time_before_creation_is_no_resolution_and_one_at_creation_is():
    reader = make({**BASE, "resolved_at": "Resolved"})
    chunk = read(reader, [["T1", when(5, 9), when(5, 8, 59)], ["T2", when(5, 9), when(5, 9)],
                          ["T3", when(5, 9), when(5, 11, 30)]])
    rows = table(reader, chunk)
    assert [(r["resolved_at"], r["resolved_basis"], r["resolution_hours"]) for r in rows] == [
        (None, None, None), (iso(5, 9), "resolved", 0.0), (iso(5, 11, 30), "resolved", 2.5)]
    assert tally(reader)[("before_created", "Resolved")] == (1, [2], {})


def test_a_closed_time_before_creation_does_not_resolve_a_file_without_a_resolved_column():
    reader = make({**BASE, "closed_at": "Closed"})
    chunk = read(reader, [["T1", when(5, 9), when(4, 9)], ["T2", when(5, 9), when(5, 10)]])
    rows = table(reader, chunk)
    assert [(r["resolved_at"], r["resolved_basis"]) for r in rows] == [(None, None), (iso(5, 10), "closed")]
    assert col(reader, chunk, "resolution_hours") == [None, 1.0]
    assert tally(reader)[("before_created", "Closed")] == (1, [2], {})


def test_a_status_change_before_creation_leaves_a_done_ticket_with_no_time():
    reader = make({**BASE, "resolved_at": "Resolved", "status": "Status", "status_changed_at": "Status changed"})
    chunk = read(reader, [["T1", when(5, 9), "", "Done", when(5, 8)], ["T2", when(5, 9), "", "Done", when(5, 15)]])
    rows = table(reader, chunk)
    assert [(r["resolved_at"], r["resolved_basis"]) for r in rows] == [(None, "no_time"),
                                                                      (iso(5, 15), "status_changed")]
    assert [r["status_category"] for r in rows] == ["resolved", "resolved"]
    entries = tally(reader)
    assert entries[("before_created", "Status changed")] == (1, [2], {})
    assert entries[("resolved_no_time", "")] == (1, [2], {})
    assert entries[("resolved_status_changed", "")] == (1, [3], {})


def test_an_update_at_creation_stands_in_for_the_resolution_and_one_before_it_does_not():
    reader = make({**BASE, "status": "Status", "updated_at": "Updated"})
    chunk = read(reader, [["T1", when(5, 9), "Closed", when(5, 9)], ["T2", when(5, 9), "Closed", when(4, 9)],
                          ["T3", when(5, 9), "Open", when(6, 9)]])
    rows = table(reader, chunk)
    assert [(r["resolved_at"], r["resolved_basis"], r["resolution_hours"]) for r in rows] == [
        (iso(5, 9), "updated_assumed", None), (None, "no_time", None), (None, None, None)]
    # 'updated' for 'the latest row wins' is the cell as read, whatever it did to the resolution
    assert chunk.updated == [iso(5, 9), iso(4, 9), iso(6, 9)]
    assert reader.keys([2], [["T1", when(5, 9), "Closed", ""]]).updated() == [None]


def test_without_an_updated_column_no_row_has_an_update_time():
    reader = make(BASE)
    assert read(reader, [["T1", when(5, 9)], ["T2", when(5, 9)]]).updated == [None, None]


def test_the_status_category_column_alone_decides_and_wins_where_it_knows():
    reader = make({**BASE, "status_category": "Status Category"})
    chunk = read(reader, [["T1", when(5, 9), "Done"], ["T2", when(5, 9), "In Progress"], ["T3", when(5, 9), ""]])
    assert col(reader, chunk, "status_category") == ["resolved", "open", None]
    assert col(reader, chunk, "resolved_basis") == ["no_time", None, None]


def test_an_unknown_status_is_counted_only_where_nothing_else_says_and_a_blank_never():
    reader = make({**BASE, "status": "Status", "status_category": "Status Category"})
    chunk = read(reader, [["T1", when(5, 9), "Frobnicated", "Done"],  # the category column says
                          ["T2", when(5, 9), "Frobnicated", ""],      # nothing says: counted
                          ["T3", when(5, 9), "", ""],                 # no status at all: not counted
                          ["T4", when(5, 9), "Open", "Done"]])        # the category column wins
    assert col(reader, chunk, "status_category") == ["resolved", None, None, "resolved"]
    assert tally(reader)[("unknown_status", "")] == (1, [3], {"Frobnicated": 1})


def test_escalation_and_first_contact_flags_are_bound_as_read():
    reader = make({**BASE, "escalated": "Escalated", "first_contact": "First contact", "ticket_type": "Type"})
    chunk = read(reader, [["T1", when(5, 9), "yes", "no", "Incident"], ["T2", when(5, 9), "", "1", "Question"]])
    rows = table(reader, chunk)
    assert [(r["escalated"], r["first_contact"], r["ticket_type"]) for r in rows] == [
        (True, False, "incident"), (None, True, "request")]


# ---------------------------------------------------------------- technicians

def test_new_names_are_asked_about_once_and_their_answers_used():
    asked = []

    def answer(names):
        asked.append(dict(names))
        return {key: 9 for key in names}

    reader = make({**BASE, "assignee": "Assignee"}, alias_ids={"ann lee": 7}, on_new_names=answer)
    chunk = read(reader, [["T1", when(5, 9), "Ann Lee"], ["T2", when(5, 9), "Bo Chen"], ["T3", when(5, 9), "bo  CHEN"]])
    assert asked == [{"bo chen": "Bo Chen"}]
    assert col(reader, chunk, "technician_id") == [7, 9, 9]
    assert reader.new_names == {"bo chen": "Bo Chen"}


def test_a_comma_splits_only_names_known_from_the_start():
    reader = make({**BASE, "assignee": "Assignee"}, alias_ids={"ann lee": 1, "bo chen": 2, "cy": None})
    chunk = read(reader, [["T1", when(5, 9), "Ann Lee, Bo Chen"], ["T2", when(5, 9), "Cy, Ann Lee"]])
    assert col(reader, chunk, "technician_id") == [1, None]  # 'Cy, Ann Lee' is one (new) person
    assert col(reader, chunk, "shared_with") == ["[2]", None]
    assert col(reader, chunk, "assignee") == ["Ann Lee; Bo Chen", "Cy, Ann Lee"]


def test_cells_naming_several_technicians():
    reader = make({**BASE, "resolver": "Resolver", "assignee": "Assignee"},
                  alias_ids={"ann": 1, "bob": 2, "carl": 3})
    chunk = read(reader, [
        ["T1", when(5, 9), "Ann;Bob", "Carl"],  # the resolver counts; the assignee is kept as written
        ["T2", when(5, 9), "", "Bob;Carl"],     # no resolver: the assignee
        ["T3", when(5, 9), "", ""],             # nobody
        ["T4", when(5, 9), "Ann", "XXXX"],      # one name: nobody shares it
        ["T5", when(5, 9), "Dee;", ""],         # one (new) name, written with a separator
        ["T6", when(5, 9), "Ann;Zed", ""],      # Zed is no one KPI Desk knows: shared with nobody
    ])
    rows = table(reader, chunk)
    assert [r["technician_id"] for r in rows] == [1, 2, None, 1, None, 1]
    assert [r["shared_with"] for r in rows] == ["[2]", "[3]", None, None, None, None]
    assert [r["resolver"] for r in rows] == ["Ann; Bob", "", "", "Ann", "Dee;", "Ann; Zed"]
    assert [r["assignee"] for r in rows] == ["Carl", "Bob; Carl", "", "XXXX", "", ""]
    entries = tally(reader)
    assert entries[("split_names", "")] == (3, [2, 3, 7], {"Ann;Bob": 1, "Bob;Carl": 1, "Ann;Zed": 1})
    assert entries[("no_technician", "")] == (1, [4], {})


def test_one_person_written_twice_in_a_cell_shares_with_nobody():
    reader = make({**BASE, "assignee": "Assignee"}, alias_ids={"ann": 1, "annie": 1, "bob": 2})
    chunk = read(reader, [["T1", when(5, 9), "Ann;Annie;Bob"], ["T2", when(5, 9), "Ann;Annie"]])
    assert col(reader, chunk, "technician_id") == [1, 1]
    assert col(reader, chunk, "shared_with") == ["[2]", None]


def test_a_cell_of_separators_names_nobody():
    reader = make({**BASE, "assignee": "Assignee"}, alias_ids={"ann": 1})
    chunk = read(reader, [["T1", when(5, 9), ";"], ["T2", when(5, 9), "Ann"]])
    assert col(reader, chunk, "technician_id") == [None, 1]
    assert col(reader, chunk, "shared_with") == [None, None]


def test_a_resolver_column_alone_names_the_technician():
    reader = make({**BASE, "resolver": "Resolved by"}, alias_ids={"ann": 1})
    chunk = read(reader, [["T1", when(5, 9), "Ann"], ["T2", when(5, 9), ""]])
    assert col(reader, chunk, "technician_id") == [1, None]
    assert tally(reader)[("no_technician", "")] == (1, [3], {})


def test_the_names_met_by_keys_are_cut_to_the_names_length_in_any_column():
    reader = make({**BASE, "assignee": "Assignee"})
    assert reader.keys([2, 3], [["T1", when(5, 9), "A" * 250], ["T2", when(5, 9), "A" * 250]]).names == ["A" * 200]
    mixed = reader.keys([2, 3, 4], [["T1", when(5, 9), None], ["T2", when(5, 9), "B" * 250], ["T3", when(5, 9), 7]])
    assert mixed.names == ["", "B" * 200, "7"]
    # True == 1 as dict keys, but they read as two texts
    assert reader.keys([2, 3], [["T1", when(5, 9), 1], ["T2", when(5, 9), True]]).names == ["1", "True"]


def test_the_names_of_rejected_rows_are_not_met():
    asked = []
    reader = make({**BASE, "assignee": "Assignee"}, on_new_names=lambda names: asked.append(dict(names)) or {})
    keys = reader.keys([2, 3], [["", when(5, 9), "Ann"], ["T2", when(5, 9), "Bob"]])
    assert keys.names == ["Bob"] and asked == [{"bob": "Bob"}]


# ---------------------------------------------------------------- column helpers

class Counting:
    """A parser that counts the cells it is asked about."""

    def __init__(self, parse):
        self.parse, self.calls = parse, []

    def __call__(self, value):
        self.calls.append(value)
        return self.parse(value)


def test_each_distinct_cell_is_parsed_once_in_file_order():
    parse = Counting(parse_text)
    assert _parse_column(["b", "a", "b", "b"], parse) == (["b", "a", "b", "b"], {})
    assert parse.calls == ["b", "a"]
    parse = Counting(parse_text)
    assert _parse_column([2, 2, 3.5], parse) == (["2", "2", "3.5"], {})
    assert parse.calls == [2, 3.5]
    parse = Counting(parse_text)
    assert _parse_column(["b", "b"], parse, memo=False) == (["b", "b"], {})
    assert parse.calls == ["b", "b"]


def test_a_chunk_parses_each_distinct_cell_of_a_column_once():
    parse = Counting(parse_text)
    reader = make({**BASE, "category": "Category"})
    with mock.patch.dict(ticket_rows._PARSERS, {"category": parse}):
        chunk = read(reader, [["T1", when(5, 9), "Net"], ["T2", when(5, 9), "Net"], ["T3", when(5, 9), "Mail"],
                              ["T4", when(5, 9), "Net"]])
    assert parse.calls == ["Net", "Mail"]
    assert col(reader, chunk, "category") == ["Net", "Net", "Mail", "Net"]


def test_true_and_one_in_a_column_are_read_apart():
    # True == 1 == 1.0 and False == 0 share a dict key; each must still be read as itself.
    assert _parse_column([1, True], parse_text) == (["1", "True"], {})
    assert _parse_column([True, 1], parse_text) == (["True", "1"], {})
    assert _parse_column([1.0, True], parse_text) == (["1", "True"], {})
    assert _parse_column([False, 0.0], parse_text) == (["False", "0"], {})
    assert _parse_column([1.0, True, 4], parse_csat) == ([(1.0, None), (None, True), (4.0, None)], {})


def test_a_csat_column_of_scores_and_yes_no_cells():
    reader = make({**BASE, "csat": "Satisfaction"})
    chunk = read(reader, [["T1", when(5, 9), 1.0], ["T2", when(5, 9), True], ["T3", when(5, 9), None]])
    assert col(reader, chunk, "csat_score") == [1.0, None, None]
    assert col(reader, chunk, "csat_positive") == [None, True, None]


def test_refused_cells_are_marked_and_their_messages_kept():
    assert _parse_column(["maybe", "yes", "maybe"], parse_flag) == ([_BAD, True, _BAD], {"maybe": "not a yes/no value"})
    assert _parse_column(["maybe", "yes"], parse_flag, memo=False) == ([_BAD, True], {"maybe": "not a yes/no value"})


class NoParse:
    """A date parser the typed-date shortcut must never call."""

    order = DateOrder(True)

    def __call__(self, value):
        raise AssertionError(f"parsed {value!r}")


def test_a_column_of_typed_dates_in_range_is_taken_without_the_parser():
    cells = [D(1900, 1, 2), D(2200, 12, 31, 23, 59, 59), dt.date(2026, 3, 2), None, "", D(2026, 3, 3, 8, 5, 1, 7)]
    values, texts, errors = _date_column(cells, NoParse())
    assert values == [D(1900, 1, 2), D(2200, 12, 31, 23, 59, 59), D(2026, 3, 2), None, None, D(2026, 3, 3, 8, 5, 1, 7)]
    assert texts == ["1900-01-02 00:00:00.000000", "2200-12-31 23:59:59.000000", "2026-03-02 00:00:00.000000",
                     None, None, "2026-03-03 08:05:01.000007"]
    assert errors == {}
    assert _date_column([D(2026, 1, 5), D(2026, 1, 6, 7)], NoParse()) == (
        [D(2026, 1, 5), D(2026, 1, 6, 7)], ["2026-01-05 00:00:00.000000", "2026-01-06 07:00:00.000000"], {})
    assert _date_column([None, ""], NoParse()) == ([None, None], [None, None], {})


def test_typed_placeholder_dates_are_placeholders():
    parse = DateParser(DateOrder(True))
    assert _date_column([D(2026, 1, 5, 9), D(1900, 1, 1)], parse) == (
        [D(2026, 1, 5, 9), PLACEHOLDER], ["2026-01-05 09:00:00.000000", None], {})
    assert _date_column([D(2026, 1, 5, 9), D(1970, 1, 1)], parse) == (
        [D(2026, 1, 5, 9), PLACEHOLDER], ["2026-01-05 09:00:00.000000", None], {})
    after_zero = D(1970, 1, 1, 0, 0, 1)  # only midnight exactly is the Unix placeholder
    assert _date_column([D(2026, 1, 5, 9), after_zero], parse)[0] == [D(2026, 1, 5, 9), after_zero]


def test_typed_dates_with_a_time_zone_are_read_in_local_time():
    aware = D(2026, 1, 5, 9, tzinfo=dt.timezone.utc)
    local = aware.astimezone().replace(tzinfo=None)
    values, texts, errors = _date_column([aware, None], DateParser(DateOrder(True)))
    assert values == [local, None] and values[0].tzinfo is None
    assert texts == [local.isoformat(" ", "microseconds"), None] and errors == {}


def test_date_texts_that_are_no_date_are_marked_with_the_reason():
    assert _date_values(["05/01/2026 09:00", "31/02/2026", "05/01/2026 09:00"], DateParser(DateOrder(True))) == (
        [D(2026, 1, 5, 9), _BAD, D(2026, 1, 5, 9)], ["2026-01-05 09:00:00.000000", _BAD, "2026-01-05 09:00:00.000000"],
        {"31/02/2026": "not a real date or time (e.g. 31 February, or hour 25)"})


class CountingDates(DateParser):
    def __init__(self):
        super().__init__(DateOrder(True))
        self.calls = []

    def __call__(self, value):
        self.calls.append(value)
        return super().__call__(value)


def test_each_distinct_date_cell_is_parsed_once():
    parse = CountingDates()
    # Excel serials: 45000 is 15 March 2023 (45000 days after 30 December 1899)
    values, texts, errors = _date_values([45000, 45000, 45001.5], parse)
    assert values == [D(2023, 3, 15), D(2023, 3, 15), D(2023, 3, 16, 12)]
    assert texts == ["2023-03-15 00:00:00.000000", "2023-03-15 00:00:00.000000", "2023-03-16 12:00:00.000000"]
    assert errors == {} and parse.calls == [45000, 45001.5]


def test_a_date_column_of_numbers_and_booleans_reads_each_cell_as_itself():
    # 1 is Excel's empty date (a placeholder); True is no date at all; 45000 is 15 March 2023
    parse = DateParser(DateOrder(True))
    assert _date_values([1, True, None, 45000], parse) == (
        [PLACEHOLDER, _BAD, None, D(2023, 3, 15)], [None, _BAD, None, "2023-03-15 00:00:00.000000"],
        {True: "not a date"})
    assert _date_values([1.0, True], parse) == ([PLACEHOLDER, _BAD], [None, _BAD], {True: "not a date"})
    assert _date_values([False, 0], parse) == ([_BAD, PLACEHOLDER], [_BAD, None], {False: "not a date"})


def test_a_closed_column_of_a_number_and_a_boolean_is_counted_apart():
    reader = make({**BASE, "closed_at": "Closed"})
    chunk = read(reader, [["T1", when(5, 9), 1], ["T2", when(5, 9), True]])
    assert col(reader, chunk, "closed_at") == [None, None]
    entries = tally(reader)
    assert entries[("placeholder_dates", "Closed")] == (1, [2], {"1": 1})
    assert entries[("unreadable", "Closed")] == (1, [3], {"True": 1})
