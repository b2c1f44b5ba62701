"""Every assumption an import makes, counted and said (DESIGN.md: "never guess silently").

The chunk reader adds to a `Tally` as it goes (how many tickets each rule touched, their first row
numbers, the values behind them); at the end `warnings()` turns the tally into the import summary's
warnings: a stable `code` for scripts, a plain `message` for people, and the `count` of tickets.
"""
from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from kpidesk.wording import count as count_words

ROWS_KEPT = 5  # first row numbers kept per warning, to point at
VALUES_SHOWN = 4


@dataclass
class ImportWarning:
    code: str
    message: str
    count: int
    rows: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "count": self.count, "rows": list(self.rows)}

    def __str__(self) -> str:
        return self.message


@dataclass
class _Entry:
    count: int = 0
    rows: list[int] = field(default_factory=list)
    values: Counter[str] = field(default_factory=Counter)


class Tally:
    """{(code, column): count, first rows, values}, filled chunk by chunk."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], _Entry] = {}

    def add(self, code: str, rows: Sequence[int], values: Iterable[str] = (), *, column: str = "",
            count: int | None = None) -> None:
        entry = self.entries.setdefault((code, column), _Entry())
        entry.count += len(rows) if count is None else count
        # The first rows of the file: the rows an event log keeps are read in ticket order, not row order.
        if rows and (len(entry.rows) < ROWS_KEPT or min(rows) < entry.rows[-1]):
            entry.rows = heapq.nsmallest(ROWS_KEPT, {*entry.rows, *rows})
        if len(entry.values) < 200:
            entry.values.update(v for v in values if v)

    def count(self, code: str) -> int:
        return sum(e.count for (c, _col), e in self.entries.items() if c == code)

    def warnings(self) -> list[ImportWarning]:
        out = []
        for (code, column), e in sorted(self.entries.items(), key=lambda kv: _ORDER.get(kv[0][0], 99)):
            if e.count:
                out.append(ImportWarning(code, _message(code, column, e), e.count, list(e.rows)))
        return out


def _tickets(n: int) -> str:
    return f"{n:,} ticket{'s' if n != 1 else ''}"


def _rows(e: _Entry) -> str:
    if not e.rows:
        return ""
    more = ", ..." if e.count > len(e.rows) else ""
    return f" (row{'s' if len(e.rows) > 1 else ''} {', '.join(map(str, e.rows))}{more})"


def _values(e: _Entry) -> str:
    common = [f"{v!r}" + (f" x{n}" if n > 1 else "") for v, n in e.values.most_common(VALUES_SHOWN)]
    more = f" and {len(e.values) - VALUES_SHOWN} more" if len(e.values) > VALUES_SHOWN else ""
    return ", ".join(common) + more


_ORDER = {code: i for i, code in enumerate((
    "resolved_closed", "resolved_status_changed", "resolved_closed_assumed", "resolved_updated_assumed",
    "resolved_no_time", "open_status_with_dates", "unknown_status", "placeholder_dates", "before_created",
    "split_names", "no_technician", "unknown_priority", "csat_unscored", "unreadable", "text_cut",
    "replaced_bytes", "duplicate_headers", "other_sheets", "formula_without_value", "duplicates", "date_order"))}


def _message(code: str, column: str, e: _Entry) -> str:
    n, rows, values = _tickets(e.count), _rows(e), _values(e)
    col = f" in column {column!r}" if column else ""
    one = e.count == 1
    are, have, name, count_ = ("is", "has", "names", "counts") if one else ("are", "have", "name", "count")
    they, their, them = ("it", "its", "it") if one else ("they", "their", "them")
    messages = {
        "resolved_closed": f"{n} resolved at {their} closing time: the file has no resolved column, so its closed "
                           f"column is the resolved time (GLPI, osTicket, Zammad write only that one).",
        "resolved_status_changed": f"{n} {are} Done with no Resolved date: resolved when {their} status category "
                                   f"changed{rows}.",
        "resolved_closed_assumed": f"{n} {are} done but {have} no resolved time: counted as resolved at {their} "
                                   f"closing time, and left out of MTTR and SLA by the clock (resolution time "
                                   f"unknown){rows}.",
        "resolved_updated_assumed": f"{n} {are} done (by {their} status) with no resolved or closed time: counted as "
                                    f"resolved at {their} last update, and left out of MTTR and SLA by the clock "
                                    f"(resolution time unknown){rows}.",
        "resolved_no_time": f"{n} {are} done but carr{'ies' if one else 'y'} no time at all: {they} {are} in no period and in no "
                            f"backlog{rows}.",
        "open_status_with_dates": f"{n} {have} an open status but a resolved or closed date: the status wins, "
                                  f"{they} {count_} as open{rows}.",
        "unknown_status": f"{n} {have} a status KPI Desk does not know ({values}): {their} dates decide whether "
                          f"{they} {are} done. Map the status to open, resolved or closed (mapping file or import "
                          f"dialog).",
        "placeholder_dates": f"{n}: placeholder dates{col} ({values}) were read as missing, not as dates{rows}.",
        "before_created": f"{n}: a time{col} earlier than the ticket's creation was left out{rows}.",
        "split_names": f"{n} {name} several technicians in one cell ({values}): each counts for every one of them, "
                       f"and once for the desk{rows}.",
        "no_technician": f"{n} {name} no technician: {they} {count_} for the desk (and {their} group) only.",
        "unknown_priority": f"{n} {have} a priority KPI Desk cannot place in P1-P4 ({values}): {they} {have} no "
                            f"tier (left out of per-tier figures and of SLA by the clock). Map it with --mapping.",
        "csat_unscored": f"{n}: satisfaction answers{col} that are not a score on a known scale ({values}) count as "
                         f"no response{rows}.",
        "unreadable": f"{n}: cells{col} that could not be read ({values}) were left empty; the tickets are "
                      f"kept{rows}.",
        "text_cut": f"{n}: text{col} longer than KPI Desk keeps was cut{rows}.",
        "replaced_bytes": f"{n}: bytes that are not valid {column or 'UTF-8'} were replaced with '\ufffd'{rows}; "
                          f"the rest of the file was read as {column or 'UTF-8'}.",
        "duplicate_headers": f"{e.count} column(s) share a header with an earlier one ({values}); the first of "
                             f"each is the one read.",
        "other_sheets": f"{e.count} other sheet(s) also look like tickets and were left out ({values}); import "
                        f"them with --sheet NAME.",
        "formula_without_value": f"{e.count} formula cell(s){col} have no saved value (the file was never opened "
                                 f"in a spreadsheet app): they read as empty{rows}.",
        "duplicates": f"{count_words(e.count, 'row')} repeated a ticket already in the file; the row with the latest "
                      f"'updated' time (else the last one) was kept, and the {'other was' if one else 'others were'} "
                      "left out unread (an event log's older states of a ticket).",
    }
    return messages.get(code, f"{code}: {n}{col}{rows}")
