"""The SQL behind the metrics engine: GROUP BYs over the derived ticket columns (kpidesk/tickets.py).

Every query groups by technician (and period, and segment), never by team or desk: those are exact
sums of the technician rows (means and rates are carried as sums and counts), so one pass over the
table serves all three scopes. Only the percentiles need their own ordered pass per scope kind.
Keys compare as text ('2026-W05' < '2026-W06'), so period ranges are plain BETWEENs.
"""
from __future__ import annotations

import contextlib
import sqlite3
from typing import TYPE_CHECKING, Any, Iterator, Sequence

if TYPE_CHECKING:
    from kpidesk.store import Store

PERIOD_COLUMN = {
    "week": "resolved_week",
    "month": "resolved_month",
    "quarter": "resolved_quarter",
    "year": "substr(resolved_month, 1, 4)",  # no year column: the month key's prefix is as cheap
}
SPLIT_COLUMN = {None: "NULL", "priority": "priority_tier", "type": "ticket_type"}

# Positions in an aggregate row (after technician_id, period, seg).
N, H_SUM, H_N, FCR_SUM, FCR_N, SLA_SUM, SLA_N, CS_SUM, CS_N, RESP_N, POS_SUM, POS_N, ESC_SUM, ESC_N, \
    REO_SUM, REO_N = range(16)
AGG_WIDTH = 16

_AGGREGATE = """
SELECT technician_id, {p} AS period, {seg} AS seg,
       count(*), total(resolution_hours), count(resolution_hours),
       total(fcr), count(fcr), total(sla_met), count(sla_met),
       total(csat_score), count(csat_score),
       total(csat_score IS NOT NULL OR csat_positive IS NOT NULL),
       total(csat_positive), count(csat_positive),
       total(escalated_eff), count(escalated_eff), total(reopened), count(reopened)
FROM ticket {hint}
WHERE {p} BETWEEN ? AND ? {only}
GROUP BY technician_id, period, seg
"""
# Over most of the table a plain scan beats walking the (technician, period) index and fetching every
# row through it (~1.7x measured on 100k tickets); SQLite's planner picks the index without statistics.
FULL_SCAN = "NOT INDEXED"


@contextlib.contextmanager
def connection(store: "Store") -> Iterator[sqlite3.Connection]:
    """The bare sqlite3 connection under a read session: aggregate rows come back as plain tuples."""
    with store.read() as s:
        yield s.connection().connection.driver_connection  # type: ignore[union-attr]


def _only(tech_ids: Sequence[int] | None, column: str = "technician_id") -> str:
    # Ids come from the technician table (ints), so inlining them is safe and keeps the index usable.
    if tech_ids is None:
        return ""
    return f" AND {column} IN ({','.join(str(int(i)) for i in tech_ids) or 'NULL'})"


def aggregate(con: sqlite3.Connection, granularity: str, first_key: str, last_key: str,
              split: str | None, tech_ids: Sequence[int] | None, full_scan: bool = False) -> list[tuple[Any, ...]]:
    """(technician_id, period key, raw segment, 16 sums/counts) per group of resolved tickets."""
    sql = _AGGREGATE.format(p=PERIOD_COLUMN[granularity], seg=SPLIT_COLUMN[split], only=_only(tech_ids),
                            hint=FULL_SCAN if full_scan and tech_ids is None else "")
    return con.execute(sql, (first_key, last_key)).fetchall()


def backlog_flows(con: sqlite3.Connection, granularity: str, last_key: str, end_text: str,
                  split: str | None, tech_ids: Sequence[int] | None
                  ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Tickets coming in (by day) and going out (by period) up to the end of the last period.

    Backlog at a period's end = tickets in before the end - tickets out before the end. A ticket
    comes in on min(created, resolved), so one whose resolution precedes its creation (bad export
    data) is never open, which is what "created on or before the end and not resolved by then" says.
    """
    seg = SPLIT_COLUMN[split]
    # By day for weeks, by month otherwise ('2026-03-09' / '2026-03'): fewer groups to sort and add up.
    width = 10 if granularity == "week" else 7
    hint = FULL_SCAN if tech_ids is None else ""
    incoming = con.execute(
        f"SELECT technician_id, {seg}, substr(min(created_at, coalesce(resolved_at, created_at)), 1, {width}) AS d, "
        f"count(*) FROM ticket {hint} WHERE created_at < ? {_only(tech_ids)} GROUP BY 1, 2, 3",
        (end_text,)).fetchall()
    p = PERIOD_COLUMN[granularity]
    outgoing = con.execute(
        f"SELECT technician_id, {seg}, {p} AS period, count(*) FROM ticket WHERE {p} <= ? {_only(tech_ids)} "
        "GROUP BY 1, 2, 3", (last_key,)).fetchall()
    return incoming, outgoing


def percentile_rows(con: sqlite3.Connection, granularity: str, first_key: str, last_key: str,
                    split: str | None, scope_kind: str, ids: Sequence[int] | None
                    ) -> list[tuple[Any, ...]]:
    """Just the ordered resolution times a median and a 90th percentile need, per group:
    (group id, period, raw segment, 0-based rank, n, hours). Ranking runs in SQL (window functions),
    so Python sees at most four rows per group."""
    p, seg = PERIOD_COLUMN[granularity], SPLIT_COLUMN[split]
    if scope_kind == "technician":
        gid, join, where = "t.technician_id", "", " AND t.technician_id IS NOT NULL" + _only(ids, "t.technician_id")
    elif scope_kind == "team":
        gid, join = "m.team_id", " JOIN technician m ON m.id = t.technician_id"
        where = " AND m.team_id IS NOT NULL" + _only(ids, "m.team_id")
    else:
        gid, join, where = "0", "", ""
    sql = f"""
    SELECT gid, period, seg, rn - 1, n, h FROM (
      SELECT {gid} AS gid, {p} AS period, {seg} AS seg, t.resolution_hours AS h,
             row_number() OVER w AS rn, count(*) OVER w AS n
      FROM ticket t{join}
      WHERE t.resolution_hours IS NOT NULL AND {p} BETWEEN ? AND ?{where}
      WINDOW w AS (PARTITION BY {gid}, {p}, {seg} ORDER BY t.resolution_hours
                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))
    WHERE rn - 1 IN (CAST((n - 1) * 0.5 AS INTEGER), CAST((n - 1) * 0.5 AS INTEGER) + 1,
                     CAST((n - 1) * 0.9 AS INTEGER), CAST((n - 1) * 0.9 AS INTEGER) + 1)
    """
    return con.execute(sql, (first_key, last_key)).fetchall()


def quantile(ranked: dict[int, float], n: int, q: float) -> float | None:
    """Linear interpolation between the closest ranks (numpy's default), from the rows above."""
    if n <= 0:
        return None
    h = (n - 1) * q
    lo = int(h)
    lo_v = ranked.get(lo)
    if lo_v is None:
        return None
    hi_v = ranked.get(lo + 1, lo_v)
    return lo_v + (h - lo) * (hi_v - lo_v)


def team_map(con: sqlite3.Connection) -> dict[int, int | None]:
    return dict(con.execute("SELECT id, team_id FROM technician").fetchall())


def names(con: sqlite3.Connection) -> tuple[dict[int, str], dict[int, str]]:
    techs = dict(con.execute("SELECT id, display_name FROM technician").fetchall())
    teams = dict(con.execute("SELECT id, name FROM team").fetchall())
    return techs, teams


def aggregate_weeks_months(con: sqlite3.Connection, split: str | None) -> list[tuple[Any, ...]]:
    """Like aggregate() over every resolved ticket, grouped by week and month together
    (technician_id, week, month, raw segment, 16 sums): weeks and months both add up exactly from it."""
    sql = _AGGREGATE.format(p="resolved_week", seg=SPLIT_COLUMN[split], only="", hint=FULL_SCAN)
    sql = sql.replace("resolved_week AS period,", "resolved_week, resolved_month,").replace(
        "WHERE resolved_week BETWEEN ? AND ?", "WHERE resolved_week IS NOT NULL").replace(
        "GROUP BY technician_id, period, seg", "GROUP BY technician_id, resolved_week, resolved_month, seg")
    return con.execute(sql).fetchall()


def backlog_flows_weeks_months(con: sqlite3.Connection, end_text: str, split: str | None
                               ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """backlog_flows() for weeks and months at once: incoming by day, outgoing by (week, month)."""
    seg = SPLIT_COLUMN[split]
    incoming = con.execute(
        f"SELECT technician_id, {seg}, substr(min(created_at, coalesce(resolved_at, created_at)), 1, 10) AS d, "
        f"count(*) FROM ticket {FULL_SCAN} WHERE created_at < ? GROUP BY 1, 2, 3", (end_text,)).fetchall()
    outgoing = con.execute(
        f"SELECT technician_id, {seg}, resolved_week, resolved_month, count(*) FROM ticket "
        "WHERE resolved_week IS NOT NULL GROUP BY 1, 2, 3, 4").fetchall()
    return incoming, outgoing
