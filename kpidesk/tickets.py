"""The ticket row as stored, and the derived columns every metric reads.

Both the importer and the demo generator build ticket rows with `derive()`, so the metrics engine
can rely on these columns being filled the same way, and aggregate with plain GROUP BYs over indexed
columns instead of parsing dates inside SQL (measured ~19 s over 1M tickets when it did).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from kpidesk.periods import month_key, quarter_key, week_key

# Columns of the `ticket` table an import or the demo fills (id and import_batch_id aside).
SOURCE_FIELDS = (
    "source_system", "external_id", "created_at", "first_response_at", "resolved_at", "closed_at",
    "updated_at", "priority_raw", "priority_tier", "ticket_type", "category", "status", "assignee",
    "resolver", "group_name", "channel", "technician_id", "reopen_count", "reassignment_count",
    "escalated", "sla_met", "sla_due_at", "first_contact", "csat_score", "csat_positive",
    "status_category", "resolved_basis", "shared_with",
)
DERIVED_FIELDS = (
    "resolution_hours", "resolved_week", "resolved_month", "resolved_quarter", "fcr",
    "escalated_eff", "reopened",
)
ALL_FIELDS = SOURCE_FIELDS + DERIVED_FIELDS

# What a ticket's resolved_at rests on (DESIGN.md, "When a ticket counts as resolved").
# The resolution time is known for these: the resolved column, the closed column of a file that has
# no resolved column (GLPI), Jira's "Status Category Changed" of a Done ticket with no Resolved date.
TIME_KNOWN = ("resolved", "closed", "status_changed")
# Done, but resolved at a time that stands in for the unknown one: it counts as resolved in that
# period (throughput, backlog, rates) and stays out of MTTR, its percentiles and SLA by the clock.
TIME_ASSUMED = ("closed_assumed", "updated_assumed")
NO_TIME = "no_time"  # done, with no time at all: in no period and in no backlog
BASES = TIME_KNOWN + TIME_ASSUMED + (NO_TIME,)
DONE_CATEGORIES = ("resolved", "closed")


def settle(category: str | None, resolved: dt.datetime | None, closed: dt.datetime | None,
           updated: dt.datetime | None, changed: dt.datetime | None, *, resolved_column: bool) -> tuple[dt.datetime | None, str | None]:
    """(resolved_at, basis) of one ticket, by DESIGN.md's rules in their order:
    - an open status makes the ticket open, whatever dates it carries;
    - the resolved column, where it has a time;
    - a file with no resolved column at all uses its closed column as the resolved time;
    - a Done ticket (by its status) with Jira's status-category change time is resolved then;
    - a done row (closed time set, or a resolved/closed status) with no resolved time is resolved
      at its closed time, else its last-updated time, its resolution time unknown;
    - a done row with no time at all is in no period (basis 'no_time');
    - anything else is open (None, None).
    `category` is the status's category (None: no status, or one nobody mapped: the dates decide).
    Times before the ticket was created are not a resolution: the caller leaves them out first."""
    if category == "open":
        return None, None
    if resolved is not None:
        return resolved, "resolved"
    if closed is not None and not resolved_column:
        return closed, "closed"
    done = category in DONE_CATEGORIES
    if done and changed is not None:
        return changed, "status_changed"
    if not done and closed is None:
        return None, None
    if closed is not None:
        return closed, "closed_assumed"
    if updated is not None:
        return updated, "updated_assumed"
    return None, NO_TIME


def default_sla_hours() -> dict[str, float]:
    """The SLA hours per priority where none are given: the `sla_hours` setting's default, whose one
    copy is in kpidesk/settings.py (imported here, when needed: settings brings the database layer)."""
    from kpidesk.settings import DEFAULTS

    return DEFAULTS["sla_hours"]


def derive(row: dict[str, Any], sla_hours: dict[str, float] | None = None) -> dict[str, Any]:
    """Fill the derived columns of a ticket row in place (and return it).

    Rules, from DESIGN.md:
    - resolution time = resolved_at - created_at in calendar hours, where resolved_at rests on a real
      resolution time (resolved_basis in TIME_KNOWN; settle() decides it); the period keys come from
      resolved_at whatever it rests on (a ticket counts in the period it was resolved in);
    - first contact: the explicit flag where the export has one, else no reopen and no reassignment
      (unknown when the export has neither count);
    - escalated: the export's flag, else at least one reassignment;
    - SLA met: the export's flag, else (only when the resolution time is known) the SLA due time, else
      resolution time against the target for the ticket's priority tier (sla_hours, default the
      setting's: P1 4 h, P2 8 h, P3 24 h, P4 72 h).
    """
    created, resolved = row.get("created_at"), row.get("resolved_at")
    if resolved is not None and row.get("resolved_basis") is None:
        row["resolved_basis"] = "resolved"  # a row built with its resolved time (demo, tests)
    known = row.get("resolved_basis") in TIME_KNOWN
    if created is not None and resolved is not None:
        row["resolution_hours"] = (resolved - created).total_seconds() / 3600.0 if known else None
        d = resolved.date()
        row["resolved_week"], row["resolved_month"], row["resolved_quarter"] = week_key(d), month_key(d), quarter_key(d)
    else:
        row["resolution_hours"] = None
        row["resolved_week"] = row["resolved_month"] = row["resolved_quarter"] = None

    reopen, reassign = row.get("reopen_count"), row.get("reassignment_count")
    row["reopened"] = None if reopen is None else reopen > 0

    if row.get("first_contact") is not None:
        row["fcr"] = bool(row["first_contact"])
    elif reopen is None and reassign is None:
        row["fcr"] = None
    else:
        row["fcr"] = (reopen or 0) == 0 and (reassign or 0) == 0

    if row.get("escalated") is not None:
        row["escalated_eff"] = bool(row["escalated"])
    elif reassign is not None:
        row["escalated_eff"] = reassign >= 1
    else:
        row["escalated_eff"] = None

    if row.get("sla_met") is None and resolved is not None and known:
        due = row.get("sla_due_at")
        if due is not None:
            row["sla_met"] = resolved <= due
        elif row.get("priority_tier") and row.get("resolution_hours") is not None:
            limit = (sla_hours or default_sla_hours()).get(f"P{row['priority_tier']}")
            if limit is not None:
                row["sla_met"] = row["resolution_hours"] <= float(limit)
    return row


def empty_row(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {f: None for f in ALL_FIELDS}
    for f in ("priority_raw", "category", "status", "assignee", "resolver", "group_name", "channel"):
        row[f] = ""
    row.update(values)
    if row["status_category"] is None and row["resolved_at"] is not None:
        row["status_category"] = "resolved"
    return row


def to_iso(value: Any) -> Any:
    """Datetimes as SQLAlchemy's SQLite text format, for raw executemany writes that the ORM can
    read back unchanged."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
