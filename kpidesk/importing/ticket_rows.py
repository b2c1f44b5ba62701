"""Turning a table's rows into ticket rows ready to store (the read-and-normalise half of an import).

Hot path: one `RowReader` per file precompiles a (column index, parser) plan, so each cell costs one
parser call; a row becomes a list in tickets.ALL_FIELDS order (dates already as to_iso text), which
the writer hands straight to executemany. Duplicates of one ticket collapse as they are read: the
row with the latest 'updated' wins, else the last row.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from kpidesk.importing.dates import DateOrder, DateParser
from kpidesk.importing.errors import BadValue
from kpidesk.importing.mappings import column_index
from kpidesk.importing.normalise import (
    PriorityParser,
    parse_count,
    parse_csat,
    parse_duration_hours,
    parse_flag,
    parse_id,
    parse_text,
    parse_ticket_type,
)
from kpidesk.importing.readers import Table
from kpidesk.importing.report import PROGRESS_EVERY, Progress, RejectedRow, display_value, poll
from kpidesk.people import alias_key
from kpidesk.tickets import ALL_FIELDS, derive, empty_row

DATE_FIELDS = ("created_at", "first_response_at", "resolved_at", "closed_at", "updated_at", "sla_due_at")
_DATE_POS = tuple(ALL_FIELDS.index(f) for f in DATE_FIELDS)
TECH_POS = ALL_FIELDS.index("technician_id")
UPDATED_POS = ALL_FIELDS.index("updated_at")
EXT_POS = ALL_FIELDS.index("external_id")


@dataclass
class ReadResult:
    rows: dict[str, list[Any]] = field(default_factory=dict)  # external id -> row (ALL_FIELDS order)
    unknown_names: dict[str, str] = field(default_factory=dict)  # alias key -> name as first seen
    rejected: list[RejectedRow] = field(default_factory=list)
    unmapped_priorities: dict[str, int] = field(default_factory=dict)
    rows_read: int = 0
    duplicates: int = 0


def fast_iso(value: dt.datetime) -> str:
    """tickets.to_iso for the naive datetimes the parsers return (years 1900-2200), ~4x faster than
    its strftime; a test holds the two equal."""
    return value.isoformat(" ", "microseconds")


class RowReader:
    def __init__(self, table: Table, mapping: dict[str, str], order: DateOrder, *, source_system: str,
                 sla_hours: dict[str, float] | None, priority_map: dict[str, int],
                 alias_ids: dict[str, int | None]) -> None:
        self.table, self.order, self.sla_hours = table, order, sla_hours
        self.source_system, self.alias_ids = source_system, alias_ids
        self.headers = {f: h for f, h in mapping.items()}
        self.index = {f: column_index(table.headers, h) for f, h in mapping.items()}
        self.priority = PriorityParser(priority_map)
        dates = {f: DateParser(order) for f in DATE_FIELDS}
        parsers: dict[str, Callable[[Any], Any]] = {
            **dates, "external_id": parse_id, "ticket_type": parse_ticket_type,
            "reopen_count": parse_count, "reassignment_count": parse_count,
            "escalated": parse_flag, "sla_met": parse_flag, "first_contact": parse_flag,
            "sla_breached": parse_flag, "csat": parse_csat, "sla_remaining": parse_duration_hours,
            "first_response_minutes": lambda v: parse_duration_hours(v, "minutes"),
        }
        for f in ("category", "status", "assignee", "resolver", "group_name", "channel"):
            parsers[f] = parse_text
        # The plan: plain fields first; priority is handled apart (an unknown spelling is a warning).
        self.plan = [(f, self.index[f], parsers[f]) for f in mapping if f != "priority"]
        self.pseudo = [f for f in ("csat", "sla_breached", "sla_remaining", "first_response_minutes") if f in mapping]
        self._name_keys: dict[str, str] = {}

    def read(self, progress: Progress | None = None) -> ReadResult:
        result = ReadResult()
        total = self.table.total_rows
        base = empty_row(source_system=self.source_system)
        plan, pseudo, derive_row = self.plan, self.pseudo, self._finish
        prio_idx = self.index.get("priority")
        order = self.order
        for number, cells in self.table.rows():
            result.rows_read += 1
            if result.rows_read % PROGRESS_EVERY == 0:
                poll(progress, result.rows_read, total)
                if order.conflict:  # the day/month order flipped: the caller reads again
                    return result
            n = len(cells)
            rec = dict(base)
            try:
                for fld, idx, parse in plan:
                    rec[fld] = parse(cells[idx] if idx < n else None)
            except BadValue as exc:
                value = cells[idx] if idx < n else None
                result.rejected.append(self._reject(number, self.headers[fld], value, str(exc)))
                continue
            if rec["created_at"] is None:
                value = cells[self.index["created_at"]] if self.index["created_at"] < n else None
                result.rejected.append(self._reject(number, self.headers["created_at"], value,
                                                    "the ticket has no created date"))
                continue
            if rec["resolved_at"] is not None and rec["resolved_at"] < rec["created_at"]:
                # A negative resolution time would pull every MTTR it lands in down: refuse the row.
                idx = self.index["resolved_at"]
                result.rejected.append(self._reject(
                    number, self.headers["resolved_at"], cells[idx] if idx < n else None,
                    f"resolved before it was created ({rec['created_at']:%Y-%m-%d %H:%M})"))
                continue
            if prio_idx is not None and prio_idx < n:
                self._priority(rec, cells[prio_idx], result)
            if pseudo:
                self._pseudo(rec, pseudo)
            row = derive_row(rec)
            self._keep(row, rec, result)
        return result

    def _reject(self, number: int, column: str, value: Any, reason: str) -> RejectedRow:
        return RejectedRow(file=self.table.path.name, sheet=self.table.sheet, row=number, column=column,
                           value=display_value(value), reason=reason)

    def _priority(self, rec: dict[str, Any], cell: Any, result: ReadResult) -> None:
        raw = parse_text(cell)
        rec["priority_raw"] = raw
        try:
            rec["priority_tier"] = self.priority(cell)
        except BadValue:
            result.unmapped_priorities[raw] = result.unmapped_priorities.get(raw, 0) + 1

    @staticmethod
    def _pseudo(rec: dict[str, Any], pseudo: list[str]) -> None:
        for f in pseudo:
            value = rec.pop(f)
            if value is None:
                continue
            if f == "csat":
                rec["csat_score"], rec["csat_positive"] = value
            elif f == "sla_breached" and rec["sla_met"] is None:
                rec["sla_met"] = not value
            elif f == "sla_remaining" and rec["sla_met"] is None:
                rec["sla_met"] = value >= 0  # Jira: time left on the goal; negative = breached
            elif f == "first_response_minutes" and rec["first_response_at"] is None:
                rec["first_response_at"] = rec["created_at"] + dt.timedelta(minutes=value * 60)

    def _finish(self, rec: dict[str, Any]) -> list[Any]:
        name = rec["resolver"] or rec["assignee"]
        if name:
            key = self._name_keys.get(name)
            if key is None:
                key = self._name_keys[name] = alias_key(name)
            rec["technician_id"] = self.alias_ids.get(key)
            rec["_tech_key"] = key
        derive(rec, sla_hours=self.sla_hours)
        row = [rec[f] for f in ALL_FIELDS]
        for pos in _DATE_POS:
            if row[pos] is not None:
                row[pos] = fast_iso(row[pos])
        row.append(rec.get("_tech_key"))  # trailing helper slot, dropped before writing
        return row

    def _keep(self, row: list[Any], rec: dict[str, Any], result: ReadResult) -> None:
        ext = row[EXT_POS]
        old = result.rows.get(ext)
        if old is not None:
            result.duplicates += 1
            new_upd, old_upd = row[UPDATED_POS], old[UPDATED_POS]
            if new_upd is not None and old_upd is not None and new_upd < old_upd:
                return  # an older state of a ticket already seen: the latest 'updated' wins
        result.rows[ext] = row
        key = row[-1]
        if key is not None and key not in self.alias_ids:
            result.unknown_names.setdefault(key, rec["resolver"] or rec["assignee"])
