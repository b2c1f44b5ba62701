"""The SQL behind the metrics engine: GROUP BYs over the derived ticket columns (kpidesk/tickets.py).

Every query groups by technician (and period, and segment), never by team or desk: those are exact
sums of the technician rows (means and rates are carried as sums and counts), so one pass over the
table serves all three scopes. Only the percentiles need their own ordered pass per scope kind.
Groups (the export's group column, scope 'group:<name>') are their own key: the same queries run
by group_name instead of technician_id.
Keys compare as text ('2026-W05' < '2026-W06'), so period ranges are plain BETWENs.

Shared tickets (DESIGN.md: a cell naming several technicians counts for each of them, and once for
the desk): technician_id holds the first of them and shared_with (JSON) the others. The share
queries read only those tickets (a partial index finds them) and give one row per further
technician, with `dup` set where that technician's team already has the ticket through an earlier
one, so a team counts a ticket once too. Nothing of this runs on a database with no shared ticket.
"""
from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
import datetime as dt
import sqlite3
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from kpidesk.metrics import dialect
from kpidesk.metrics.dialect import NOT_INDEXED, Dialect

if TYPE_CHECKING:
    from kpidesk.store import Store

PERIOD_COLUMN = {
    "week": "resolved_week",
    "month": "resolved_month",
    "quarter": "resolved_quarter",
    "half": "substr(resolved_month, 1, 4) || '-H' || (CASE WHEN substr(resolved_month, 6, 2) <= '06' THEN 1 ELSE 2 END)",
    "year": "substr(resolved_month, 1, 4)",  # no year column: the month key's prefix is as cheap
}
SPLIT_COLUMN = {None: "NULL", "priority": "priority_tier", "type": "ticket_type"}
# The desk alone needs no key: one group per period and segment (a third of the groups' work at 1M).
KEY_COLUMN = {"technician": "t.technician_id", "group": "t.group_name", "desk": "0"}

# Positions in an aggregate row (after key, period, seg).
N, H_SUM, H_N, FCR_SUM, FCR_N, SLA_SUM, SLA_N, CS_SUM, CS_N, RESP_N, POS_SUM, POS_N, ESC_SUM, ESC_N, \
    REO_SUM, REO_N = range(16)
AGG_WIDTH = 16

# The 16 sums and counts themselves: dialect.Dialect.sums.
_AGGREGATE = """
SELECT {key}, {p} AS period, {seg} AS seg,
       {sums}
FROM ticket t {hint}
WHERE {p} BETWEEN ? AND ? {only}
GROUP BY 1, period, seg
"""
# Over most of the table a plain scan beats walking the (technician, period) index and fetching every
# row through it (~1.7x measured on 100k tickets); SQLite's planner picks the index without statistics.
# On SQLite: NOT INDEXED; PostgreSQL plans by its statistics.
FULL_SCAN = NOT_INDEXED
# Done with no time at all: in no period and in no backlog (DESIGN.md).
IN_BACKLOG = "(t.resolved_basis IS NULL OR t.resolved_basis != 'no_time')"
# When a ticket comes in: created, or resolved where that comes first (bad export data). It counts in
# by an end it came in before: one created after the end but resolved before it goes out by then, so
# it comes in too (filtered on created_at it went out only, a backlog of -1). Dialect.came_day.


def _shares(d: Dialect) -> str:
    """One row per further technician of a shared ticket (m), the ticket t."""
    return (f"FROM ticket t {d.hint('ix_ticket_shared')}, {d.elements('j')}\n"
            f"JOIN technician m ON m.id = {d.member('j')}")


def _dup(d: Dialect) -> str:
    """Where the further technician's team already has the ticket, through t's technician or an earlier one."""
    return f"""(m.team_id IS NULL OR EXISTS (
    SELECT 1 FROM technician o WHERE o.team_id = m.team_id AND (o.id = t.technician_id
        OR o.id IN (SELECT {d.member('k')} FROM {d.elements('k')} WHERE k.key < j.key))))"""


@contextlib.contextmanager
def connection(store: "Store") -> Iterator[Any]:
    """The bare sqlite3 connection under a read session: aggregate rows come back as plain tuples.
    A kpidesk.readonly.ReadOnlyDb (the command line's light read path) hands its own. On a shared
    database, psycopg's in a dialect.PgConnection, in one REPEATABLE READ transaction: every query of
    a computation sees the same tickets while others import (SQLite's read transaction does too)."""
    raw = getattr(store, "raw_connection", None)
    if isinstance(raw, sqlite3.Connection):
        yield raw
        return
    with store.read() as s:
        if getattr(store, "shared", False):
            conn = s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield dialect.PgConnection(conn.connection.driver_connection)
            return
        yield s.connection().connection.driver_connection  # type: ignore[union-attr]


def _only(ids: Sequence[Any] | None, column: str = "t.technician_id") -> tuple[str, list[Any]]:
    """(SQL filter, its parameters). Technician and team ids are ints from the database, inlined so
    the index stays usable; group names are text, bound."""
    if ids is None:
        return "", []
    if all(isinstance(i, int) for i in ids):
        return f" AND {column} IN ({','.join(str(int(i)) for i in ids) or 'NULL'})", []
    return f" AND {column} IN ({','.join('?' * len(ids)) or 'NULL'})", list(ids)


def has_shares(con: sqlite3.Connection) -> bool:
    return con.execute(f"SELECT 1 FROM ticket {dialect.of(con).hint('ix_ticket_shared')} "
                       "WHERE shared_with IS NOT NULL LIMIT 1").fetchone() is not None


def has_groups(con: sqlite3.Connection) -> bool:
    return con.execute(f"SELECT 1 FROM ticket {dialect.of(con).hint('ix_ticket_group')} "
                       "WHERE group_name != '' LIMIT 1").fetchone() is not None


def aggregate(con: sqlite3.Connection, granularity: str, first_key: str, last_key: str,
              split: str | None, ids: Sequence[Any] | None, full_scan: bool = False,
              by: str = "technician") -> list[tuple[Any, ...]]:
    """(technician id or group name, period key, raw segment, 16 sums/counts) per group of resolved
    tickets. `ids` keeps only those technicians (or groups)."""
    key = KEY_COLUMN[by]
    only, params = _only(ids, key)
    if by == "group":
        only += " AND t.group_name != ''"
    d = dialect.of(con)
    sql = _AGGREGATE.format(key=key, p=PERIOD_COLUMN[granularity], seg=SPLIT_COLUMN[split], only=only,
                            sums=d.sums, hint=d.hint(FULL_SCAN) if full_scan and ids is None else "")
    return con.execute(sql, (first_key, last_key, *params)).fetchall()


def aggregate_shares(con: sqlite3.Connection, granularity: str, first_key: str, last_key: str,
                     split: str | None, tech_ids: Sequence[int] | None) -> list[tuple[Any, ...]]:
    """(technician id, dup, period, raw segment, 16 sums) for the further technicians of shared tickets."""
    p, seg, d = PERIOD_COLUMN[granularity], SPLIT_COLUMN[split], dialect.of(con)
    only, _params = _only(tech_ids, "m.id")
    sql = (f"SELECT m.id, {_dup(d)} AS dup, {p} AS period, {seg} AS seg, {d.sums} {_shares(d)} "
           f"WHERE t.shared_with IS NOT NULL AND {p} BETWEEN ? AND ? {only} GROUP BY 1, 2, period, seg")
    return con.execute(sql, (first_key, last_key)).fetchall()


class _Flow:
    """The parts of a read of the backlog flows (backlog_flows, aggregate_and_flows): which column is
    the key and the segment, the day a ticket came in (by day for weeks, by month otherwise,
    '2026-03-09' / '2026-03': fewer groups to add up), the filter and its named parameters."""

    def __init__(self, d: Dialect, granularity: str, last_key: str, end_text: str, split: str | None,
                 ids: Sequence[Any] | None, by: str) -> None:
        self.seg, self.key = SPLIT_COLUMN[split], KEY_COLUMN[by]
        width = 10 if granularity == "week" else 7
        only, params = _only(ids, self.key)
        if by == "group":
            only += " AND t.group_name != ''"
        self.hint = d.hint(FULL_SCAN) if ids is None else ""
        self.p = PERIOD_COLUMN[granularity]
        # came_day < :end, spelled so that SQLite compares one column for most rows instead of calling min()
        self.came = f"(created_at < :end OR resolved_at < :end) AND {IN_BACKLOG}"
        self.came_day = f"CASE WHEN {self.came} THEN {d.day(d.came_day, width)} END"
        self.named = {"end": end_text, "last": last_key, **{f"p{i}": v for i, v in enumerate(params)}}
        self.only = _named(only, len(params))


def backlog_flows(con: sqlite3.Connection, granularity: str, last_key: str, end_text: str,
                  split: str | None, ids: Sequence[Any] | None, by: str = "technician"
                  ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Tickets coming in (by day) and going out (by period) up to the end of the last period.

    Backlog at a period's end = tickets in before the end - tickets out before the end. A ticket
    comes in on min(created, resolved), so one whose resolution precedes its creation (bad export
    data) is never open, which is what "created on or before the end and not resolved by then" says.
    A done ticket with no time at all never comes in.

    One read gives both flows, counted in Python: two GROUP BYs over the whole table sorted a million
    rows each (3.3 s at 1M tickets), one read and a Counter take 1.8 s (issue 19).
    """
    f = _Flow(dialect.of(con), granularity, last_key, end_text, split, ids, by)
    counts = Counter(con.execute(
        f"SELECT {f.key}, {f.seg}, {f.came_day}, CASE WHEN {f.p} <= :last THEN {f.p} END FROM ticket t {f.hint} "
        f"WHERE ({f.came} OR {f.p} <= :last){f.only}", f.named))
    incoming: Counter[tuple[Any, ...]] = Counter()
    outgoing: Counter[tuple[Any, ...]] = Counter()
    for (k, sg, day, period), n in counts.items():
        if day is not None:
            incoming[(k, sg, day)] += n
        if period is not None:
            outgoing[(k, sg, period)] += n
    return ([(*g, n) for g, n in incoming.items()], [(*g, n) for g, n in outgoing.items()])


def aggregate_and_flows(con: sqlite3.Connection, granularity: str, first_key: str, last_key: str, end_text: str,
                        split: str | None, ids: Sequence[Any] | None, by: str = "technician"
                        ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """aggregate() and backlog_flows() from one pass over the table, for a read that wants both.

    The backlog reads every ticket anyway; grouping that read by month in as well as by period out
    gives the aggregate's sums too, a few groups per (key, period, segment) to add up here, instead
    of a second pass (at 300k tickets 0.71 s for both where the two passes took 0.97 s; issue 19).
    The same rows as the two, in the shapes they return."""
    f = _Flow(dialect.of(con), granularity, last_key, end_text, split, ids, by)
    rows = con.execute(
        f"SELECT {f.key}, CASE WHEN {f.p} <= :last THEN {f.p} END AS period, {f.seg} AS seg, {f.came_day} AS came, "
        f"{dialect.of(con).sums} FROM ticket t {f.hint} WHERE ({f.came} OR {f.p} <= :last){f.only} GROUP BY 1, 2, 3, 4",
        f.named).fetchall()
    sums: dict[tuple[Any, ...], list[Any]] = {}
    incoming: Counter[tuple[Any, ...]] = Counter()
    outgoing: Counter[tuple[Any, ...]] = Counter()
    for k, period, sg, day, *totals in rows:
        n = totals[N]
        if day is not None:
            incoming[(k, sg, day)] += n
        if period is None:
            continue
        outgoing[(k, sg, period)] += n
        if period >= first_key:
            acc = sums.get((k, period, sg))
            if acc is None:
                sums[(k, period, sg)] = totals
            else:
                for i, v in enumerate(totals):
                    acc[i] += v
    return ([(*g, *s) for g, s in sums.items()], [(*g, n) for g, n in incoming.items()],
            [(*g, n) for g, n in outgoing.items()])


def _named(only: str, n: int) -> str:
    """_only()'s filter with its '?' marks named (:p0, :p1...), for a query that names its parameters."""
    for i in range(n):
        only = only.replace("?", f":p{i}", 1)
    return only


def backlog_shares(con: sqlite3.Connection, granularity: str, last_key: str, end_text: str,
                   split: str | None, tech_ids: Sequence[int] | None
                   ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """backlog_flows() for the further technicians of shared tickets, with `dup` after the id:
    (id, dup, seg, day, n) in, (id, dup, seg, period, n) out."""
    seg, p, d = SPLIT_COLUMN[split], PERIOD_COLUMN[granularity], dialect.of(con)
    width = 10 if granularity == "week" else 7
    only, _params = _only(tech_ids, "m.id")
    incoming = con.execute(
        f"SELECT m.id, {_dup(d)}, {seg}, {d.day(d.came_day, width)}, "
        f"count(*) {_shares(d)} WHERE t.shared_with IS NOT NULL AND {d.came_day} < ? AND {IN_BACKLOG} {only} "
        "GROUP BY 1, 2, 3, 4", (end_text,)).fetchall()
    outgoing = con.execute(
        f"SELECT m.id, {_dup(d)}, {seg}, {p}, count(*) {_shares(d)} WHERE t.shared_with IS NOT NULL AND {p} <= ? {only} "
        "GROUP BY 1, 2, 3, 4", (last_key,)).fetchall()
    return incoming, outgoing


def percentile_rows(con: sqlite3.Connection, granularity: str, first_key: str, last_key: str,
                    split: str | None, scope_kind: str, ids: Sequence[Any] | None,
                    shares: bool = False, totals: dict[tuple[Any, Any, Any], tuple[int, float]] | None = None
                    ) -> list[tuple[Any, ...]]:
    """Just the ordered resolution times a median and a 90th percentile need, per group:
    (group id, period, raw segment, 0-based rank, n, hours). The times are read in one plain pass
    and sorted in Python per group: at 1M tickets over 36 months 1.1 s, where SQL's window functions
    took 3.7 s and ORDER BY 1.6 s (issue 19). With `shares`, a shared ticket's time counts for each of
    its technicians, and once for each of their teams. The desk's rows carry group id 0. `totals`,
    when given, receives (count, sum of hours) per group: an MTTR from the same read."""
    p, seg = PERIOD_COLUMN[granularity], SPLIT_COLUMN[split]
    base = f"t.resolution_hours IS NOT NULL AND {p} BETWEEN ? AND ?"
    params: list[Any] = [first_key, last_key]
    pick = f"{p}, {seg}, t.resolution_hours"
    groups: dict[tuple[Any, Any, Any], list[float]] = defaultdict(list)
    if scope_kind == "desk" and split is None:  # the common case, grouped by the period key alone
        by_period: dict[Any, list[float]] = {}
        for period, h in con.execute(f"SELECT {p}, t.resolution_hours FROM ticket t WHERE {base}", params):
            by_period.setdefault(period, []).append(h)
        groups.update({(0, period, None): hours for period, hours in by_period.items()})
    elif scope_kind == "desk":
        for period, s, h in con.execute(f"SELECT {pick} FROM ticket t WHERE {base}", params):
            groups[(0, period, s)].append(h)
    elif scope_kind == "group":
        only, extra = _only(ids, "t.group_name")
        for g, period, s, h in con.execute(f"SELECT t.group_name, {pick} FROM ticket t WHERE {base} "
                                           f"AND t.group_name != ''{only}", params + extra):
            groups[(g, period, s)].append(h)
    else:
        team_of = team_map(con) if scope_kind == "team" else {}
        techs = ids if scope_kind == "technician" else (
            None if ids is None else [t for t, team in team_of.items() if team in set(ids)])
        only, _ = _only(techs, "t.technician_id")
        rows = con.execute(f"SELECT t.id, t.technician_id, {pick} FROM ticket t WHERE {base} "
                           f"AND t.technician_id IS NOT NULL{only}", params).fetchall()
        if shares:
            only_m, _ = _only(techs, "m.id")
            rows += con.execute(f"SELECT t.id, m.id, {pick} {_shares(dialect.of(con))} WHERE t.shared_with IS NOT NULL "
                                f"AND {base}{only_m}", params).fetchall()
        if scope_kind == "technician":
            for _tid, tech, period, s, h in rows:
                groups[(tech, period, s)].append(h)
        else:  # a team counts a shared ticket once
            seen: set[tuple[Any, int]] = set()
            for tid, tech, period, s, h in rows:
                team = team_of.get(tech)
                if team is not None and (team, tid) not in seen:
                    seen.add((team, tid))
                    groups[(team, period, s)].append(h)
    out: list[tuple[Any, ...]] = []
    for (gid, period, s), hours in groups.items():
        hours.sort()
        n = len(hours)
        if totals is not None:
            totals[(gid, period, s)] = (n, sum(hours))
        for rank in {int((n - 1) * 0.5), int((n - 1) * 0.5) + 1, int((n - 1) * 0.9), int((n - 1) * 0.9) + 1}:
            if rank < n:
                out.append((gid, period, s, rank, n, hours[rank]))
    return out


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


def aggregate_weeks_months(con: sqlite3.Connection, split: str | None, by: str = "technician"
                           ) -> list[tuple[Any, ...]]:
    """Like aggregate() over every resolved ticket, grouped by week and month together
    (key, week, month, raw segment, 16 sums): weeks and months both add up exactly from it."""
    key, d = KEY_COLUMN[by], dialect.of(con)
    where = "resolved_week IS NOT NULL" + (" AND t.group_name != ''" if by == "group" else "")
    sql = (f"SELECT {key}, resolved_week, resolved_month, {SPLIT_COLUMN[split]} AS seg, {d.sums} "
           f"FROM ticket t {d.hint(FULL_SCAN)} WHERE {where} GROUP BY 1, 2, 3, seg")
    return con.execute(sql).fetchall()


def aggregate_shares_weeks_months(con: sqlite3.Connection, split: str | None) -> list[tuple[Any, ...]]:
    """aggregate_shares() by week and month together: (id, dup, week, month, raw segment, 16 sums)."""
    d = dialect.of(con)
    sql = (f"SELECT m.id, {_dup(d)} AS dup, resolved_week, resolved_month, {SPLIT_COLUMN[split]} AS seg, {d.sums} "
           f"{_shares(d)} WHERE t.shared_with IS NOT NULL AND resolved_week IS NOT NULL GROUP BY 1, 2, 3, 4, seg")
    return con.execute(sql).fetchall()


def backlog_flows_weeks_months(con: sqlite3.Connection, end_text: str, split: str | None, by: str = "technician"
                               ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """backlog_flows() for weeks and months at once: incoming by day, outgoing by (week, month)."""
    seg, key, d = SPLIT_COLUMN[split], KEY_COLUMN[by], dialect.of(con)
    group = " AND t.group_name != ''" if by == "group" else ""
    incoming = con.execute(
        f"SELECT {key}, {seg}, {d.day(d.came_day, 10)} AS d, "
        f"count(*) FROM ticket t {d.hint(FULL_SCAN)} WHERE {d.came_day} < ? AND {IN_BACKLOG}{group} GROUP BY 1, 2, 3",
        (end_text,)).fetchall()
    outgoing = con.execute(
        f"SELECT {key}, {seg}, resolved_week, resolved_month, count(*) FROM ticket t "
        f"WHERE resolved_week IS NOT NULL{group} GROUP BY 1, 2, 3, 4").fetchall()
    return incoming, outgoing


def backlog_shares_weeks_months(con: sqlite3.Connection, end_text: str, split: str | None
                                ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """backlog_shares() for weeks and months at once: (id, dup, seg, day, n), (id, dup, seg, week, month, n)."""
    seg, d = SPLIT_COLUMN[split], dialect.of(con)
    incoming = con.execute(
        f"SELECT m.id, {_dup(d)}, {seg}, {d.day(d.came_day, 10)}, count(*) "
        f"{_shares(d)} WHERE t.shared_with IS NOT NULL AND {d.came_day} < ? AND {IN_BACKLOG} GROUP BY 1, 2, 3, 4",
        (end_text,)).fetchall()
    outgoing = con.execute(
        f"SELECT m.id, {_dup(d)}, {seg}, resolved_week, resolved_month, count(*) {_shares(d)} "
        "WHERE t.shared_with IS NOT NULL AND resolved_week IS NOT NULL GROUP BY 1, 2, 3, 4, 5").fetchall()
    return incoming, outgoing


def ticket_span(store: "Store") -> tuple[dt.date, dt.date] | None:
    """(first, last) day any ticket was created or resolved; None without tickets."""
    with connection(store) as con:
        return span_of(con)


def span_of(con: sqlite3.Connection) -> tuple[dt.date, dt.date] | None:
    # Three one-aggregate queries, each answered from its index; together in one query SQLite
    # scans the table.
    lo, hi, hi_res = (con.execute(f"SELECT {q} FROM ticket").fetchone()[0]
                      for q in ("min(created_at)", "max(created_at)", "max(resolved_at)"))
    if lo is None:
        return None
    last = max(hi, hi_res or hi)
    return _day(lo), _day(last)


def _day(stamp: str | dt.datetime) -> dt.date:
    """A timestamp's day: SQLite gives its ISO text, PostgreSQL a datetime."""
    return stamp.date() if isinstance(stamp, dt.datetime) else dt.date.fromisoformat(stamp[:10])
