"""The SQL of an incremental recompute: the same sums and backlog flows as sql.py, for the periods
from `start` on only, each query walking an index over the recent tickets instead of the table.

- aggregates: tickets resolved since `start` (ix_ticket_resolved);
- backlog: the tickets open at `start` (the few unresolved ones, and those resolved since), the flows
  after it (tickets created since `start`, ix_ticket_created; resolved since, ix_ticket_resolved),
  and for each technician (or group) and segment whether it had any ticket before `start` at all,
  one index seek each. The engine's backlog rule needs that last bit: a scope's backlog is reported
  from the first period it had a ticket in.
Together they equal sql.backlog_flows over the whole table for every period from `start` on (a test
holds the incremental recompute equal to the full one).
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from kpidesk.metrics.sql import _SUMS, IN_BACKLOG, KEY_COLUMN, PERIOD_COLUMN, SPLIT_COLUMN

DAY_WIDTH = {"week": 10}  # incoming flows by day for weeks, by month ('2026-03') otherwise


def aggregate_since(con: sqlite3.Connection, start: dt.date, split: str | None, by: str = "technician"
                    ) -> list[tuple[Any, ...]]:
    """(key, week, month, raw segment, 16 sums) for the tickets resolved from `start` on: weeks,
    months and quarters all add up from it, so the recent tickets are read once."""
    key, seg = KEY_COLUMN[by], SPLIT_COLUMN[split]
    group = " AND t.group_name != ''" if by == "group" else ""
    sql = (f"SELECT {key}, resolved_week, resolved_month, {seg} AS seg, {_SUMS} FROM ticket t "
           f"INDEXED BY ix_ticket_resolved WHERE t.resolved_at >= ?{group} GROUP BY 1, 2, 3, seg")
    return con.execute(sql, (start.isoformat(),)).fetchall()


def backlog_since(con: sqlite3.Connection, granularity: str, start: dt.date, before_key: str, last_key: str,
                  end: dt.date, split: str | None, segments: tuple[Any, ...], by: str = "technician"
                  ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Backlog flows (key, raw segment, day or month, n) in and (key, raw segment, period, n) out, for
    the periods from `start`: an opening balance dated just before it (period `before_key`), then
    the flows after. `segments` are the raw segment values the split keeps (for 'had a ticket')."""
    key, p, seg = KEY_COLUMN[by], PERIOD_COLUMN[granularity], SPLIT_COLUMN[split]
    width = DAY_WIDTH.get(granularity, 7)
    group = " AND t.group_name != ''" if by == "group" else ""
    s, e = start.isoformat(), end.isoformat()
    # Open at `start`: came in before it and not resolved before it (unresolved, or resolved since).
    opening = con.execute(
        f"SELECT k, sg, count(*) FROM ("
        f" SELECT {key} AS k, {seg} AS sg FROM ticket t INDEXED BY ix_ticket_resolved"
        f" WHERE t.resolved_at IS NULL AND t.created_at < ? AND {IN_BACKLOG}{group}"
        f" UNION ALL SELECT {key}, {seg} FROM ticket t INDEXED BY ix_ticket_resolved"
        f" WHERE t.resolved_at >= ? AND t.created_at < ?{group}) GROUP BY 1, 2", (s, s, s)).fetchall()
    before_day = (start - dt.timedelta(days=1)).isoformat()[:width]
    had = _had_tickets(con, start, split, segments, by)
    opened = {(k, sg): n for k, sg, n in opening}
    incoming = [(k, sg, before_day, opened.get((k, sg), 0) + 1) for k, sg in had]
    incoming += [(k, sg, before_day, n) for (k, sg), n in opened.items() if (k, sg) not in had]
    outgoing = [(k, sg, before_key, 1) for k, sg in had]
    # After `start`: in on min(created, resolved) (created since `start` covers every such ticket),
    # out in the period resolved.
    incoming += con.execute(
        f"SELECT {key}, {seg}, substr(min(t.created_at, coalesce(t.resolved_at, t.created_at)), 1, {width}) AS d, "
        f"count(*) FROM ticket t INDEXED BY ix_ticket_created WHERE t.created_at >= ? AND t.created_at < ? "
        f"AND {IN_BACKLOG}{group} AND min(t.created_at, coalesce(t.resolved_at, t.created_at)) >= ? "
        f"GROUP BY 1, 2, 3", (s, e, s)).fetchall()
    outgoing += con.execute(
        f"SELECT {key}, {seg}, {p} AS period, count(*) FROM ticket t INDEXED BY ix_ticket_resolved "
        f"WHERE t.resolved_at >= ? AND {p} <= ?{group} GROUP BY 1, 2, 3", (s, last_key)).fetchall()
    return incoming, outgoing


def _had_tickets(con: sqlite3.Connection, start: dt.date, split: str | None, segments: tuple[Any, ...],
                 by: str) -> set[tuple[Any, Any]]:
    """(key, raw segment) pairs that had a ticket resolved before `start`, each found by one seek
    ((technician_id, resolved_month) index; the group index for groups). Tickets still open at
    `start` are in the opening balance, so together they say whether the pair had any ticket by then."""
    seg = SPLIT_COLUMN[split]
    s = start.isoformat()
    month = s[:7]
    out: set[tuple[Any, Any]] = set()
    if by == "group":
        keys = [r[0] for r in con.execute("SELECT DISTINCT group_name FROM ticket INDEXED BY ix_ticket_group "
                                          "WHERE group_name != ''")]
        # `!= ''` as well: it is what lets SQLite use the partial index for a bound name.
        probe = (f"SELECT 1 FROM ticket t INDEXED BY ix_ticket_group WHERE t.group_name = ? AND t.group_name != '' "
                 f"AND t.resolved_at < ? {{seg}} LIMIT 1")
        args = lambda k: (k, s)  # noqa: E731
    else:
        keys = [r[0] for r in con.execute("SELECT id FROM technician")] + [None]
        probe = (f"SELECT 1 FROM ticket t INDEXED BY ix_ticket_tech_month WHERE t.technician_id IS ? "
                 f"AND t.resolved_month <= ? AND t.resolved_at < ? {{seg}} LIMIT 1")
        args = lambda k: (k, month, s)  # noqa: E731
    for k in keys:
        for sg in segments:
            cond, extra = ("", ()) if split is None else (f"AND {seg} IS ?", (sg,))
            if con.execute(probe.format(seg=cond), (*args(k), *extra)).fetchone() is not None:
                out.add((k, sg))
    return out
