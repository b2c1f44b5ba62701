"""The SQL of an incremental recompute: the same sums and backlog flows as sql.py, for the periods
from `start` on only, from one read of the recent tickets instead of the whole table.

Every number of those periods rests on the tickets resolved since `start` or not resolved at all
(one walk of ix_ticket_resolved): their sums give the periods' aggregates and outgoing flows, their
days in give the incoming flows and the backlog open at `start`. A ticket resolved before `start`
changes nothing after it, except that it tells whether its technician (or group) had a ticket
before: the engine reports a scope's backlog from the first period it had one in, so that is asked
with one index seek per technician (or group) and segment. Together they equal sql.backlog_flows
and sql.aggregate over the whole table for every period from `start` on (a test holds the
incremental recompute equal to the full one).
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from kpidesk.metrics import dialect
from kpidesk.metrics.sql import IN_BACKLOG, KEY_COLUMN, SPLIT_COLUMN

# A row of recent_rows(): key, raw segment, day in (min of created and resolved), day resolved or
# None, 1 when it counts in the backlog, then the 16 sums of dialect.Dialect.sums.
KEY, SEG, DAY_IN, DAY_OUT, IN_LOG = range(5)
SUMS = 5


def recent_rows(con: sqlite3.Connection, start: dt.date, split: str | None, by: str = "technician"
                ) -> list[tuple[Any, ...]]:
    """The tickets resolved since `start` or not resolved, grouped by key, segment, day in, day out."""
    key, seg, d = KEY_COLUMN[by], SPLIT_COLUMN[split], dialect.of(con)
    group = " AND t.group_name != ''" if by == "group" else ""
    sql = (f"SELECT {key}, {seg} AS seg, {d.day(d.came_day, 10)}, "
           f"{d.day('t.resolved_at', 10)}, {IN_BACKLOG}, {d.sums} FROM ticket t "
           f"WHERE (t.resolved_at >= ? OR t.resolved_at IS NULL){group} GROUP BY 1, 2, 3, 4, 5")
    return con.execute(sql, (start.isoformat(),)).fetchall()


def had_tickets(con: sqlite3.Connection, start: dt.date, split: str | None, segments: tuple[Any, ...],
                by: str) -> set[tuple[Any, Any]]:
    """(key, raw segment) pairs that had a ticket resolved before `start`, each found by one seek
    ((technician_id, resolved_month) index; the group index for groups). Tickets still open at
    `start` are in recent_rows, so together they say whether the pair had any ticket by then."""
    seg, d = SPLIT_COLUMN[split], dialect.of(con)
    s = start.isoformat()
    month = s[:7]
    out: set[tuple[Any, Any]] = set()
    if by == "group":
        keys = [r[0] for r in con.execute(f"SELECT DISTINCT group_name FROM ticket {d.hint('ix_ticket_group')} "
                                          "WHERE group_name != ''")]
        # `!= ''` as well: it is what lets SQLite use the partial index for a bound name.
        probe = (f"SELECT 1 FROM ticket t {d.hint('ix_ticket_group')} WHERE t.group_name = ? AND t.group_name != '' "
                 "AND t.resolved_at < ? {seg} LIMIT 1")
        args = lambda k: (k, s)  # noqa: E731
    else:
        keys = [r[0] for r in con.execute("SELECT id FROM technician")] + [None]
        probe = (f"SELECT 1 FROM ticket t {d.hint('ix_ticket_tech_month')} WHERE t.technician_id {d.is_same} ? "
                 "AND t.resolved_month <= ? AND t.resolved_at < ? {seg} LIMIT 1")
        args = lambda k: (k, month, s)  # noqa: E731
    for k in keys:
        for sg in segments:
            cond, extra = ("", ()) if split is None else (f"AND {seg} = ?", (sg,))
            if con.execute(probe.format(seg=cond), (*args(k), *extra)).fetchone() is not None:
                out.add((k, sg))
    return out
