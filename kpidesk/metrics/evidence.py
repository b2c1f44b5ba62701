"""The tickets behind a value (issue 16): for one scope, period and segment, the very tickets a
metric rests on, and the metric worked again from them.

    ev = tickets_behind(store, "technician:3", "2026-03", metric="mttr_hours")
    ev.lines            # the tickets, the ones that moved the value most first
    ev.summary()        # (value, count, extra): equal to the engine's value for that scope and period

Which tickets, by the engine's rules (DESIGN.md):
- every metric but backlog rests on the tickets *resolved* in the period: a technician's are those
  they resolved, a shared ticket counting for each of its technicians; a team's are those its current
  members resolved, a shared ticket once; the desk's are all of them, unassigned ones included; a
  group's are those the export put in that group;
- backlog rests on the tickets *open at the period's end*: created before the end and not resolved
  by then; done tickets with no time at all are in no backlog. backlog_change is that count less the same count at the previous period's end.
The summary is worked here in Python from the lines, not read from the engine, so a test can hold the
two against each other for every metric and scope (tests/core/test_evidence.py).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from kpidesk.errors import ValidationError
from kpidesk.metrics import dialect, sql
from kpidesk.metrics.model import BACKLOG_METRICS, TICKET_METRICS, Scope, as_period, split_of_segment
from kpidesk.periods import Period

if TYPE_CHECKING:
    from kpidesk.store import Store

# What a resolved time rests on, in words, where it was assumed or read from another column.
BASIS_WORDS = {
    "resolved": "",
    "closed": "closed date (the file has no resolved column)",
    "status_changed": "status change to Done",
    "closed_assumed": "assumed: closed date, no resolved time",
    "updated_assumed": "assumed: last update, no resolved time",
}

_COLUMNS = """t.id, t.external_id, t.source_system, t.technician_id, t.shared_with, t.created_at, t.resolved_at,
    t.priority_tier, t.priority_raw, t.ticket_type, t.category, t.status, t.resolution_hours, t.sla_met,
    t.reopened, t.escalated_eff, t.fcr, t.csat_score, t.csat_positive, t.resolved_basis, t.group_name"""


@dataclass(frozen=True)
class TicketLine:
    """One ticket as the drill-down shows it. Flags are None where the export does not say."""

    ticket_id: int
    external_id: str
    source: str
    technicians: str  # who it counts for ('' when no technician could be matched)
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    priority: str  # 'P1'..'P4', else the export's own word
    ticket_type: str
    category: str
    status: str
    group: str
    resolution_hours: float | None
    sla_met: bool | None
    reopened: bool | None
    escalated: bool | None
    first_contact: bool | None
    csat: float | None
    csat_positive: bool | None
    basis: str | None

    @property
    def basis_words(self) -> str:
        return BASIS_WORDS.get(self.basis or "", "")

    def to_json(self) -> dict[str, Any]:
        return {"id": self.external_id, "source": self.source, "technicians": self.technicians,
                "created": self.created_at.isoformat(sep=" "),
                "resolved": self.resolved_at.isoformat(sep=" ") if self.resolved_at else None,
                "priority": self.priority, "type": self.ticket_type, "category": self.category,
                "status": self.status, "group": self.group, "resolution_hours": self.resolution_hours,
                "sla_met": self.sla_met, "reopened": self.reopened, "escalated": self.escalated,
                "first_contact": self.first_contact, "csat": self.csat, "csat_positive": self.csat_positive,
                "resolved_basis": self.basis, "resolved_basis_words": self.basis_words}


@dataclass
class Evidence:
    """The tickets behind one scope, period and segment; `metric` decides which tickets (resolved, or
    open at the end for backlog) and their order."""

    scope_key: str
    who: str
    period: Period
    segment: str | None
    metric: str | None
    lines: list[TicketLine] = field(default_factory=list)
    open_before: int | None = None  # backlog at the previous period's end (backlog_change only)

    @property
    def is_backlog(self) -> bool:
        return self.metric in BACKLOG_METRICS

    def summary(self, metric: str | None = None) -> tuple[float | None, int, dict[str, float | None]]:
        """(value, count, extra) of `metric` (default: the one asked for) worked from the lines, by
        the engine's rules; a rate with nothing under it is None, never 0."""
        return summarise(metric or self.metric or "resolved_count", self.lines, self.open_before)


def _rate(values: list[Any]) -> tuple[float | None, int]:
    known = [float(v) for v in values if v is not None]
    return (sum(known) / len(known) if known else None), len(known)


def summarise(metric: str, lines: list[TicketLine], open_before: int | None = None
              ) -> tuple[float | None, int, dict[str, float | None]]:
    n = len(lines)
    if metric == "mttr_hours":
        hours = sorted(x.resolution_hours for x in lines if x.resolution_hours is not None)
        ranked = dict(enumerate(hours))
        mean = sum(hours) / len(hours) if hours else None
        return mean, len(hours), {"median": sql.quantile(ranked, len(hours), 0.5),
                                  "p90": sql.quantile(ranked, len(hours), 0.9)}
    if metric == "fcr_rate":
        return (*_rate([x.first_contact for x in lines]), {})
    if metric == "sla_compliance":
        return (*_rate([x.sla_met for x in lines]), {})
    if metric == "csat_mean":
        return (*_rate([x.csat for x in lines]), {})
    if metric == "csat_positive_rate":
        return (*_rate([x.csat_positive for x in lines]), {})
    if metric == "csat_response_rate":
        answered = sum(1 for x in lines if x.csat is not None or x.csat_positive is not None)
        return (answered / n if n else None), n, {}
    if metric == "escalation_rate":
        return (*_rate([x.escalated for x in lines]), {})
    if metric == "reopen_rate":
        return (*_rate([x.reopened for x in lines]), {})
    if metric in ("resolved_count", "backlog_open"):
        return n, n, {}
    if metric == "backlog_change":
        return (n - open_before if open_before is not None else None), n, {}
    raise ValidationError({"kpi": f"{metric!r} is not a ticket metric ({', '.join(TICKET_METRICS)})"})


def _bad_first(flag: bool | None) -> int:
    return 0 if flag is False else 1 if flag is None else 2


def _longest(x: TicketLine) -> tuple[Any, ...]:
    return (x.resolution_hours is None, -(x.resolution_hours or 0.0))


# The ones that moved the value most first: for a time, the longest; for a rate, the tickets against
# it (breached, reopened, escalated, not first contact, the lowest score), longest first among them.
_ORDERS = {
    "sla_compliance": lambda x: (_bad_first(x.sla_met), *_longest(x)),
    "fcr_rate": lambda x: (_bad_first(x.first_contact), *_longest(x)),
    "reopen_rate": lambda x: (_bad_first(None if x.reopened is None else not x.reopened), *_longest(x)),
    "escalation_rate": lambda x: (_bad_first(None if x.escalated is None else not x.escalated), *_longest(x)),
    "csat_mean": lambda x: (x.csat is None, x.csat or 0.0, *_longest(x)),
    "csat_positive_rate": lambda x: (_bad_first(x.csat_positive), *_longest(x)),
    "csat_response_rate": lambda x: (x.csat is not None or x.csat_positive is not None, *_longest(x)),
    "backlog_open": lambda x: (x.created_at,),
    "backlog_change": lambda x: (x.created_at,),
}


def order_lines(lines: Iterable[TicketLine], metric: str | None) -> list[TicketLine]:
    """Ties in the ticket's order of entry, so that the list is the same whatever order the database
    gave the rows in (SQLite's and PostgreSQL's differ)."""
    order = _ORDERS.get(metric or "", _longest)
    return sorted(lines, key=lambda x: (*order(x), x.ticket_id))


def tickets_behind(store: "Store", scope_key: str, period: Period | str, *, metric: str | None = None,
                   segment: str | None = None) -> Evidence:
    """The tickets behind `metric` (None: the resolved tickets, behind every metric but backlog) for
    one scope ('desk', 'team:<id>', 'technician:<id>', 'group:<name>'), period and segment ('P1'..'P4',
    'incident', 'request' or None)."""
    scope = Scope.parse(scope_key)
    p = as_period(period)
    if metric is not None and metric not in TICKET_METRICS:
        raise ValidationError({"kpi": f"{metric!r} is not a ticket metric ({', '.join(TICKET_METRICS)})"})
    split = split_of_segment(segment)
    seg = None if split is None else (segment.upper() if split == "priority" else segment.lower())  # type: ignore[union-attr]
    with sql.connection(store) as con:
        tech_names, team_names = sql.names(con)
        ids = _scope_technicians(con, scope)
        seg_sql, seg_params = _segment_filter(split, seg)
        if metric in BACKLOG_METRICS:
            rows = _open_at_end(con, scope, ids, p, seg_sql, seg_params)
            before = None
            if metric == "backlog_change":
                before = len(_open_at_end(con, scope, ids, p.previous(), seg_sql, seg_params, ids_only=True))
        else:
            rows = _resolved_in(con, scope, ids, p, seg_sql, seg_params)
            before = None
    who = {"desk": "desk", "group": str(scope.id)}.get(scope.kind) or (
        tech_names.get(scope.id, f"#{scope.id}") if scope.kind == "technician" else team_names.get(scope.id, f"#{scope.id}"))
    lines = order_lines((_line(r, tech_names) for r in rows), metric)
    return Evidence(scope_key=scope.key, who=who, period=p, segment=seg, metric=metric, lines=lines,
                    open_before=before)


def _scope_technicians(con: Any, scope: Scope) -> list[int] | None:
    if scope.kind == "technician":
        return [int(scope.id)]
    if scope.kind == "team":
        return [t for t, team in sql.team_map(con).items() if team == scope.id]
    return None


def _segment_filter(split: str | None, seg: str | None) -> tuple[str, list[Any]]:
    if split == "priority":
        return " AND t.priority_tier = ?", [int(seg[1])]  # type: ignore[index]
    if split == "type":
        return " AND t.ticket_type = ?", [seg]
    return "", []


def _in_ids(column: str, ids: list[int]) -> str:
    # Ids are ints from the database: inlined, so SQLite can use the (technician, period) indexes.
    return f"{column} IN ({','.join(str(int(i)) for i in ids) or 'NULL'})"


def _union_shares(con: Any, where: str, params: list[Any], scope: Scope, ids: list[int] | None,
                  select: str, hint: str = "") -> list[tuple[Any, ...]]:
    """Rows matching `where` for the scope: its technicians' own tickets plus the shared tickets that
    count for one of them (each ticket once). `hint` picks the index for the desk and groups."""
    if ids is None:
        extra = " AND t.group_name = ?" if scope.kind == "group" else ""
        extra_params = [scope.id] if scope.kind == "group" else []
        return con.execute(f"SELECT {select} FROM ticket t {hint} WHERE {where}{extra}",
                           params + extra_params).fetchall()
    own = con.execute(f"SELECT {select} FROM ticket t WHERE {_in_ids('t.technician_id', ids)} AND {where}",
                      params).fetchall()
    if not sql.has_shares(con):
        return own
    d = dialect.of(con)
    shared = con.execute(
        f"SELECT DISTINCT {select} FROM ticket t {d.hint('ix_ticket_shared')}, {d.elements('j')} "
        f"WHERE t.shared_with IS NOT NULL AND {_in_ids(d.member('j'), ids)} AND {where}", params).fetchall()
    seen = {r[0] for r in own}
    return own + [r for r in shared if r[0] not in seen]


def _resolved_in(con: Any, scope: Scope, ids: list[int] | None, p: Period, seg_sql: str,
                 seg_params: list[Any]) -> list[tuple[Any, ...]]:
    column = sql.PERIOD_COLUMN[p.granularity]
    # The resolved_at range lets the desk and groups use ix_ticket_resolved; the key decides.
    where = f"t.resolved_at >= ? AND t.resolved_at < ? AND {column} = ?{seg_sql}"
    params = [p.start.isoformat(), p.end.isoformat(), p.key, *seg_params]
    return _union_shares(con, where, params, scope, ids, _COLUMNS)


def _open_at_end(con: Any, scope: Scope, ids: list[int] | None, p: Period, seg_sql: str, seg_params: list[Any],
                 ids_only: bool = False) -> list[tuple[Any, ...]]:
    # As the engine's backlog flows: in if created before the end, out once resolved in the period or
    # before. Said with resolved_at (the period keys come from it) so the desk's list is two ranges of
    # ix_ticket_resolved (NULL, and after the end), not half the table through ix_ticket_created, which
    # the planner picks unasked (2.0 s against 0.6 s at 1M tickets).
    end = p.end.isoformat()
    where = (f"(t.resolved_at IS NULL OR t.resolved_at >= ?) AND t.created_at < ? AND {sql.IN_BACKLOG}"
             f"{seg_sql}")
    return _union_shares(con, where, [end, end, *seg_params], scope, ids, "t.id" if ids_only else _COLUMNS,
                         hint=dialect.of(con).hint("ix_ticket_resolved"))


def _when(stamp: str | dt.datetime | None) -> dt.datetime | None:
    """SQLite gives a timestamp as ISO text, PostgreSQL as a datetime."""
    return stamp if stamp is None or isinstance(stamp, dt.datetime) else dt.datetime.fromisoformat(stamp)


def _flag(v: Any) -> bool | None:
    return None if v is None else bool(v)


def _line(r: tuple[Any, ...], tech_names: dict[int, str]) -> TicketLine:
    (tid, ext, source, tech, shared, created, resolved, tier, raw, ttype, category, status, hours, sla,
     reopened, escalated, fcr, csat, positive, basis, group) = r
    people = [tech] if tech is not None else []
    if shared:
        people += [i for i in json.loads(shared) if i not in people]
    return TicketLine(
        ticket_id=tid, external_id=str(ext), source=source or "",
        technicians=", ".join(tech_names.get(i, f"#{i}") for i in people),
        created_at=_when(created), resolved_at=_when(resolved),  # type: ignore[arg-type]
        priority=f"P{tier}" if tier in (1, 2, 3, 4) else (raw or ""), ticket_type=ttype or "",
        category=category or "", status=status or "", group=group or "", resolution_hours=hours,
        sla_met=_flag(sla), reopened=_flag(reopened), escalated=_flag(escalated), first_contact=_flag(fcr),
        csat=csat, csat_positive=_flag(positive), basis=basis)


# The metrics in words, for the drill-down's title and summary.
METRIC_TITLES = {
    "mttr_hours": "MTTR", "fcr_rate": "First-contact resolution", "sla_compliance": "SLA compliance",
    "csat_mean": "CSAT", "csat_response_rate": "CSAT response rate", "csat_positive_rate": "CSAT % positive",
    "escalation_rate": "Escalation rate", "reopen_rate": "Reopen rate", "backlog_open": "Backlog",
    "backlog_change": "Backlog change", "resolved_count": "Resolved tickets",
}
# The columns of a ticket list, in order: (key of TicketLine.to_json(), header). The CLI, the
# workbook and the window show the same ones.
LINE_COLUMNS = (
    ("id", "Ticket"), ("created", "Created"), ("resolved", "Resolved"), ("priority", "Priority"),
    ("type", "Type"), ("category", "Category"), ("resolution_hours", "Resolution (h)"), ("sla_met", "SLA met"),
    ("reopened", "Reopened"), ("escalated", "Escalated"), ("first_contact", "First contact"), ("csat", "CSAT"),
    ("technicians", "Technician"), ("status", "Status"), ("resolved_basis_words", "Resolved time rests on"),
)


def metric_value_text(metric: str, value: float | None) -> str:
    """A metric's value as the cards word it: rates as percentages, MTTR in hours, none as 'none'."""
    from kpidesk.units import RATE_METRICS, fmt_value

    if value is None:
        return "none"
    if metric == "backlog_change":
        return f"{value:+.0f}"
    if metric in RATE_METRICS:
        return fmt_value(value * 100.0, "%")
    return fmt_value(value, {"mttr_hours": "hours", "csat_mean": "score"}.get(metric, "count"))


def summary_text(ev: Evidence) -> str:
    """'MTTR 31.2 h over 42 tickets with a resolution time (median 20.0 h, p90 70.5 h)'."""
    from kpidesk.metrics.model import COUNT_NOUNS
    from kpidesk.wording import count as counted

    metric = ev.metric or "resolved_count"
    value, n, extra = ev.summary()
    title = METRIC_TITLES[metric]
    if metric == "resolved_count":
        return f"{counted(n, 'resolved ticket')}"
    if metric == "backlog_open":
        return f"{title}: {counted(n, 'ticket')} open at the end of {ev.period.key}"
    if metric == "backlog_change":
        return (f"{title} {metric_value_text(metric, value)}: {n} open at the end of {ev.period.key}, "
                f"{ev.open_before} at the end of {ev.period.previous().key}")
    text = f"{title} {metric_value_text(metric, value)} over {counted(n, *COUNT_NOUNS[metric])}"
    if metric == "mttr_hours" and extra.get("median") is not None:
        text += (f" (median {metric_value_text(metric, extra['median'])}, "
                 f"p90 {metric_value_text(metric, extra['p90'])})")
    if n != len(ev.lines):
        text += f"; {counted(len(ev.lines), 'ticket')} listed"
    return text
