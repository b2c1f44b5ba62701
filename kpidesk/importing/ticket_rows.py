"""Turning a chunk of a table's rows into ticket rows ready to store (the normalise half of an import).

Column by column, not cell by cell: an export repeats a handful of values in most columns
(priority, status, category, names, flags, counts), so each distinct value of a chunk is parsed
once and the column is mapped through the results in C (`map(memo.__getitem__, column)`). Only the
per-ticket columns (id, dates) cost a parser call per cell, and date cells a workbook already
typed skip the parser altogether. The derived columns follow tickets.derive() exactly (a test
holds the two equal). A chunk comes out as one flat row-major list of the columns that vary
(`bound`), dates as to_iso text, which the writer binds in one statement; the columns the mapping
leaves empty (`consts`) and the flags SQL can derive (SQL_DERIVED) are never bound per row.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import Any, Callable, Sequence

from kpidesk.importing.assumptions import Tally
from kpidesk.importing.dates import _FIRST_REAL, _MAX_YEAR, _UNIX_ZERO, PLACEHOLDER, DateMemo, DateOrder, DateParser
from kpidesk.importing.errors import BadValue
from kpidesk.importing.mappings import column_index
from kpidesk.importing.names import needs_split, split_names
from kpidesk.importing.normalise import (
    PLACEHOLDERS,
    PriorityParser,
    parse_count,
    parse_csat,
    parse_duration_hours,
    parse_flag,
    parse_id,
    parse_text,
    parse_ticket_type,
)
from kpidesk.importing.report import RejectedRow, display_value
from kpidesk.importing.statuses import StatusMap
from kpidesk.people import alias_key
from kpidesk.periods import week_key
from kpidesk.tickets import ALL_FIELDS, TIME_KNOWN, default_sla_hours, settle

DATE_FIELDS = ("created_at", "first_response_at", "resolved_at", "closed_at", "updated_at", "sla_due_at",
               "status_changed_at")
TEXT_FIELDS = ("category", "status", "assignee", "resolver", "group_name", "channel")
# The declared lengths of the ticket's text columns: a longer cell is cut (and counted), so what
# is stored is what PostgreSQL would store too, and a name fits a file name later.
TEXT_LIMITS = {"category": 200, "status": 50, "assignee": 200, "resolver": 200, "group_name": 200, "channel": 50,
               "priority_raw": 50}
# Only these can reject a row (DESIGN.md: a bad cell elsewhere leaves that value empty, counted).
KEY_FIELDS = ("external_id", "created_at")
_BAD = object()  # a cell its parser refused: the row is rejected
_DATETIME, _DATE, _TZINFO = dt.datetime, dt.date, attrgetter("tzinfo")

# Parsers of the plain fields; dates and priority are handled apart.
_PARSERS: dict[str, Callable[[Any], Any]] = {
    "external_id": parse_id, "ticket_type": parse_ticket_type,
    "reopen_count": parse_count, "reassignment_count": parse_count,
    "escalated": parse_flag, "sla_met": parse_flag, "first_contact": parse_flag, "sla_breached": parse_flag,
    "csat": parse_csat, "sla_remaining": parse_duration_hours,
    "first_response_minutes": lambda v: parse_duration_hours(v, "minutes"),
    **dict.fromkeys((*TEXT_FIELDS, "status_category"), parse_text),
}


def fast_iso(value: dt.datetime) -> str:
    """tickets.to_iso for the naive datetimes the parsers return (years 1900-2200), ~4x faster than
    its strftime; a test holds the two equal."""
    return value.isoformat(" ", "microseconds")


@dataclass
class Chunk:
    """One chunk, normalised: the rows to store and what the report needs to know about the rest."""
    rows: list[Any]  # row-major values of ChunkReader.bound, len(bound) per row (how the writer binds them)
    ids: Sequence[str]  # external id of each row
    updated: Sequence[str | None]  # its 'updated' time as text, for 'the latest row wins'
    rejected: list[RejectedRow] = field(default_factory=list)


# The columns read for every row of a file, before its rows are normalised: what decides whether a
# row is rejected (its id and created date) and which row of a ticket the import keeps (the latest
# 'updated', else the last row). Every other column is read only for the rows kept.
KEY_COLUMNS = ("external_id", "created_at", "updated_at")


@dataclass
class Keys:
    """A chunk's cells (every mapped field, raw) with its key columns already parsed: what
    ChunkReader.keys() reads of every row, and ChunkReader.read() normalises for the rows kept."""
    numbers: list[int]  # file row numbers
    picked: dict[int, list[Any]]  # column index -> its cells
    col: dict[str, list[Any]]  # key field -> parsed values (_BAD where the parser refused)
    iso: dict[str, list[Any]]  # date key field -> to_iso text (_BAD where refused)
    errors: dict[str, dict[Any, str]]  # key field -> {refused cell: message}
    rejected: dict[int, RejectedRow]  # index -> why: no id or no created date
    names: list[str] = field(default_factory=list)  # distinct technician cells of the rows not rejected
    cells: list[Any] = field(default_factory=list)  # the rows (read() picks the other columns from them)

    def updated(self) -> list[str | None]:
        """Each row's 'updated' as the import stores it (missing, placeholder or unreadable: None)."""
        values = self.iso.get("updated_at")
        if values is None:
            return [None] * len(self.numbers)
        return [None if v is _BAD else v for v in values]


# Columns the writer computes in SQL from the bound ones (ticket_writer.derived_sql), as tickets.derive()
# does: the period keys but the ISO week, and the first-contact, escalation and reopen flags.
SQL_DERIVED = ("resolved_month", "resolved_quarter", "fcr", "escalated_eff", "reopened")


def constant_columns(mapping: dict[str, str], source_system: str) -> dict[str, Any]:
    """{ticket column: its value in every row} for the columns this mapping leaves without a source,
    so they are written once per statement instead of bound once per row. The resolution columns
    (resolved_at, its basis, the status category) are always bound: a file with no resolved column
    still resolves tickets from its closed or updated times and its statuses."""
    mapped = set(mapping)
    consts: dict[str, Any] = {"source_system": source_system}
    for f in TEXT_FIELDS:
        if f not in mapped:
            consts[f] = ""
    for f in ("ticket_type", "reopen_count", "reassignment_count", "escalated", "first_contact", "first_response_at",
              "closed_at", "updated_at", "sla_due_at"):
        if f not in mapped:
            consts[f] = None
    if "first_response_minutes" in mapped:
        consts.pop("first_response_at", None)
    if "priority" not in mapped:
        consts["priority_raw"], consts["priority_tier"] = "", None
    if not mapped & {"assignee", "resolver"}:
        consts["technician_id"] = consts["shared_with"] = None
    if not mapped & {"sla_met", "sla_breached", "sla_remaining", "resolved_at", "closed_at", "status_changed_at"}:
        consts["sla_met"] = None
    if "csat" not in mapped:
        consts["csat_score"] = consts["csat_positive"] = None
    return consts


class ChunkReader:
    """Normalises chunks of one table under one mapping. Keeps the file-wide state: the date order
    (DateOrder, shared by all date columns), the names matched so far, and the tally of every
    assumption it made (`tally`, which the import summary turns into its warnings).

    `on_new_names({alias key: name}) -> {alias key: technician id or None}` is asked about the names
    no alias matched, once each, before their tickets are built (the CLI creates technicians; the
    GUI leaves them unassigned and lists them).
    """

    def __init__(self, file: str, sheet: str, headers: list[str], mapping: dict[str, str], order: DateOrder,
                 *, source_system: str, sla_hours: dict[str, float] | None, priority_map: dict[str, int],
                 alias_ids: dict[str, int | None], status_map: StatusMap | None = None,
                 on_new_names: Callable[[dict[str, str]], dict[str, int | None]] | None = None) -> None:
        self.file, self.sheet, self.order, self.source_system = file, sheet, order, source_system
        self.sla_hours = {k: float(v) for k, v in (sla_hours or default_sla_hours()).items()}
        self.alias_ids = dict(alias_ids)
        self.known_at_start = frozenset(k for k, v in alias_ids.items() if v is not None)
        self.on_new_names = on_new_names
        self.new_names: dict[str, str] = {}  # alias key -> name as first seen, for names no alias matched
        self.headers = dict(mapping)
        self.index = {f: column_index(headers, h) for f, h in mapping.items()}
        columns = sorted(set(self.index.values()))
        self._width = max(columns) + 1
        self._getters = {c: itemgetter(c) for c in columns}
        memo = DateMemo()
        self._dates = {f: DateParser(order, memo) for f in DATE_FIELDS if f in mapping}
        # The columns keys() reads of every row: the key fields' and the technician names'.
        self.key_columns = sorted({self.index[f] for f in (*KEY_COLUMNS, "resolver", "assignee") if f in self.index})
        self._priority = PriorityParser(priority_map)
        self._status = status_map or StatusMap()
        self.resolved_column = "resolved_at" in mapping
        self.consts = constant_columns(mapping, source_system)
        self.bound = tuple(f for f in ALL_FIELDS if f not in self.consts and f not in SQL_DERIVED)
        self._weeks: dict[Any, str | None] = {None: None}
        self._keys: dict[str, str] = {}
        self._splits: dict[str, list[str]] = {}
        self.tally = Tally()

    # ------------------------------------------------------------ one chunk

    def keys(self, numbers: Sequence[int], cells: list[list[Any]]) -> Keys:
        """Pick the mapped columns of a chunk and parse its KEY_COLUMNS only: which rows are rejected
        (no id or created date) and each row's 'updated'. The names of the rows not rejected are met
        here too (on_new_names), chunk by chunk, as every row of the file names them."""
        n = len(cells)
        if n and min(map(len, cells)) < self._width:  # short rows (CSV): the missing cells are blank
            width = self._width
            cells = [r if len(r) >= width else list(r) + [None] * (width - len(r)) for r in cells]
        # One column at a time through map(itemgetter): no tuple per row (transposing with zip(*rows)
        # built one per row, and at 5,000 rows a chunk those kept the garbage collector busy).
        getters = self._getters
        picked = {c: list(map(getters[c], cells)) for c in self.key_columns}
        col: dict[str, list[Any]] = {}
        iso: dict[str, list[Any]] = {}
        errors: dict[str, dict[Any, str]] = {}
        for f, c in self.index.items():  # mapping order, so a row is reported for its first bad cell
            if f not in KEY_COLUMNS:
                continue
            if f in self._dates:
                col[f], iso[f], errs = _date_column(picked[c], self._dates[f])
            else:
                col[f], errs = _id_column(picked[c])
            if errs:
                errors[f] = errs
        keys = Keys(list(numbers), picked, col, iso, errors, {}, cells=cells)
        if n:
            keys.rejected = self._rejections(keys.numbers, {f: picked[self.index[f]] for f in KEY_FIELDS}, col, errors)
            keys.names = self.name_cells(picked, keys.rejected)
            self.learn_names(keys.names)
        return keys

    def read(self, numbers: Sequence[int], cells: list[list[Any]] | None, keys: Keys | None = None) -> Chunk:
        """Normalise a chunk: its rows (`cells`), or the rows `keys` (from keys()) already holds."""
        if keys is None:
            if not cells:
                return Chunk([], (), ())
            keys = self.keys(numbers, cells)
        numbers = keys.numbers
        n = len(numbers)
        if n == 0:
            return Chunk([], (), ())
        raw = self._raw(keys)
        col: dict[str, list[Any]] = {}
        errors: dict[str, dict[Any, str]] = {}
        iso: dict[str, list[Any]] = {}
        for f in self.index:  # mapping order, so a row is reported for its first bad cell
            if f in keys.col:
                col[f], errs = keys.col[f], keys.errors.get(f)
                if f in keys.iso:
                    iso[f] = keys.iso[f]
            elif f in self._dates:
                col[f], iso[f], errs = _date_column(raw[f], self._dates[f])
            elif f == "priority":
                continue
            else:
                col[f], errs = _parse_column(raw[f], _PARSERS[f], memo=f != "external_id")
            if errs:
                errors[f] = errs

        rejected = keys.rejected
        keep: list[int] | None = None
        if rejected:
            keep = [i for i in range(n) if i not in rejected]
            col = {f: _take(v, keep) for f, v in col.items()}
            iso = {f: _take(v, keep) for f, v in iso.items()}
            raw = {f: _take(v, keep) for f, v in raw.items()}
            numbers = _take(numbers, keep)
            n = len(keep)
        chunk = Chunk([], (), (), sorted(rejected.values(), key=lambda r: r.row))
        if n == 0:
            return chunk
        self._blank_the_unreadable(numbers, raw, col, iso, errors)
        chunk.rows, chunk.ids, chunk.updated = self._build(n, numbers, raw, col, iso)
        return chunk

    def _raw(self, keys: Keys) -> dict[str, list[Any]]:
        """{field: its cells}: the columns keys() picked, the others picked now from the rows."""
        picked = keys.picked
        for c, get in self._getters.items():
            if c not in picked:
                picked[c] = list(map(get, keys.cells))
        return {f: picked[i] for f, i in self.index.items()}

    def name_cells(self, picked: dict[int, list[Any]], rejected: dict[int, RejectedRow]) -> list[str]:
        """The distinct technician cells (resolver, else assignee, as _technician_column reads them) of
        the rows not rejected, in file order."""
        got = [picked[self.index[f]] for f in ("resolver", "assignee") if f in self.index]
        if not got:
            return []
        if rejected:
            keep = [i for i in range(len(got[0])) if i not in rejected]
            got = [_take(cells, keep) for cells in got]
        limit = TEXT_LIMITS["resolver"]
        texts = []
        for cells in got:
            if set(map(type, cells)) == {str}:  # the usual column: each distinct text read and cut once
                memo = {c: parse_text(c)[:limit] for c in dict.fromkeys(cells)}
                texts.append(list(map(memo.__getitem__, cells)))
            else:
                texts.append([t[:limit] for t in _parse_column(cells, parse_text)[0]])
        names = texts[0] if len(texts) == 1 else [r or a for r, a in zip(*texts)]
        return list(dict.fromkeys(names))

    def _rejections(self, numbers: Sequence[int], raw: dict[str, Sequence[Any]], col: dict[str, list[Any]],
                    errors: dict[str, dict[Any, str]]) -> dict[int, RejectedRow]:
        """Rows whose id or created date cannot be read: without them there is no ticket to keep."""
        out: dict[int, RejectedRow] = {}
        for f in KEY_FIELDS:
            errs = errors.get(f)
            if errs:
                values, cells = col[f], raw[f]
                for i in [i for i, v in enumerate(values) if v is _BAD]:
                    if i not in out:
                        out[i] = self._reject(numbers[i], f, cells[i], errs[cells[i]])
        created = col["created_at"]
        if None in created or PLACEHOLDER in created:
            for i in [i for i, v in enumerate(created) if v is None or v is PLACEHOLDER]:
                if i not in out:
                    out[i] = self._reject(numbers[i], "created_at", raw["created_at"][i],
                                          "the ticket has no created date")
        return out

    def _reject(self, number: int, fld: str, value: Any, reason: str) -> RejectedRow:
        return RejectedRow(file=self.file, sheet=self.sheet, row=number, column=self.headers[fld],
                           value=display_value(value), reason=reason)

    def _blank_the_unreadable(self, numbers: Sequence[int], raw: dict[str, Sequence[Any]],
                              col: dict[str, list[Any]], iso: dict[str, list[Any]],
                              errors: dict[str, dict[Any, str]]) -> None:
        """A cell outside the key fields that cannot be read becomes an empty value, counted with its
        column, rows and values; placeholder dates become empty too, counted apart."""
        for f in col:
            values = col[f]
            if f in errors and f not in KEY_FIELDS:
                bad = [i for i, v in enumerate(values) if v is _BAD]
                code = "csat_unscored" if f == "csat" else "unreadable"
                self.tally.add(code, [numbers[i] for i in bad], [display_value(raw[f][i]) for i in bad],
                               column=self.headers[f])
                for i in bad:
                    values[i] = (None, None) if f == "csat" else None
                    if f in iso:
                        iso[f][i] = None
            if f in self._dates and PLACEHOLDER in values:
                marked = [i for i, v in enumerate(values) if v is PLACEHOLDER]
                self.tally.add("placeholder_dates", [numbers[i] for i in marked],
                               [display_value(raw[f][i]) for i in marked], column=self.headers[f])
                for i in marked:
                    values[i] = None
                    iso[f][i] = None
        for f, limit in TEXT_LIMITS.items():
            values = col.get(f)
            if values is not None and max(map(len, values), default=0) > limit:
                long = [i for i, v in enumerate(values) if len(v) > limit]
                self.tally.add("text_cut", [numbers[i] for i in long], column=self.headers[f])
                for i in long:
                    values[i] = values[i][:limit]

    # ------------------------------------------------------------ building the rows

    def _build(self, n: int, numbers: Sequence[int], raw: dict[str, Sequence[Any]], col: dict[str, list[Any]],
               iso: dict[str, list[Any]]) -> tuple[list[Any], Sequence[str], Sequence[Any]]:
        # Plain lists, not itertools.repeat: several columns are read more than once below.
        out: dict[str, Any] = {"source_system": [self.source_system] * n}
        for f in ("external_id", "ticket_type", "reopen_count", "reassignment_count", "escalated",
                  "sla_met", "first_contact", *TEXT_FIELDS):
            out[f] = col[f] if f in col else [""] * n if f in TEXT_FIELDS else [None] * n
        for f in DATE_FIELDS:
            out[f] = iso[f] if f in iso else [None] * n
        self._priority_columns(n, numbers, raw, out)
        self._pseudo_columns(n, col, iso, out)
        self._resolution_columns(n, numbers, col, out)
        self._technician_column(n, numbers, col, out)
        self._derived_columns(n, col, out)
        width = len(self.bound)
        flat: list[Any] = [None] * (n * width)
        for j, f in enumerate(self.bound):  # row-major by slice assignment: C speed, no row tuples
            flat[j::width] = out[f]
        return flat, out["external_id"], out["updated_at"] if "updated_at" in iso else [None] * n

    def _priority_columns(self, n: int, numbers: Sequence[int], raw: dict[str, Sequence[Any]],
                          out: dict[str, Any]) -> None:
        if "priority" not in raw:
            out["priority_raw"], out["priority_tier"] = [""] * n, [None] * n
            return
        cells = raw["priority"]
        text = _parse_column(cells, parse_text)[0]
        out["priority_raw"] = [t[:TEXT_LIMITS["priority_raw"]] for t in text]
        tiers, errs = _parse_column(cells, self._priority)
        if errs:  # an unknown spelling is a warning, not a rejection: the ticket has no tier
            bad = [i for i, t in enumerate(tiers) if t is _BAD]
            self.tally.add("unknown_priority", [numbers[i] for i in bad], [text[i] for i in bad])
            tiers = [None if t is _BAD else t for t in tiers]
        out["priority_tier"] = tiers

    def _resolution_columns(self, n: int, numbers: Sequence[int], col: dict[str, list[Any]],
                            out: dict[str, Any]) -> None:
        """The status category, then resolved_at and what it rests on (tickets.settle), row by row."""
        categories = self._categories(n, numbers, col)
        created = col["created_at"]
        none = [None] * n
        resolved, closed = col.get("resolved_at", none), col.get("closed_at", none)
        updated, changed = col.get("updated_at", none), col.get("status_changed_at", none)
        for f, values in (("resolved_at", resolved), ("closed_at", closed), ("status_changed_at", changed)):
            early = [i for i, (c, v) in enumerate(zip(created, values)) if v is not None and v < c]
            if early:  # a resolution before the ticket existed is no resolution: left out, counted
                self.tally.add("before_created", [numbers[i] for i in early], column=self.headers[f])
                values = list(values)
                for i in early:
                    values[i] = None
                if f == "resolved_at":
                    resolved = values
                elif f == "closed_at":
                    closed = values
                else:
                    changed = values
        settled_at: list[Any] = [None] * n
        basis: list[Any] = [None] * n
        open_with_dates: list[int] = []
        resolved_column = self.resolved_column
        for i, (cat, r, c, u, ch, cr) in enumerate(zip(categories, resolved, closed, updated, changed, created)):
            if u is not None and u < cr:
                u = None
            when, how = settle(cat, r, c, u, ch, resolved_column=resolved_column)
            settled_at[i], basis[i] = when, how
            if cat == "open" and (r is not None or c is not None):
                open_with_dates.append(i)
        if open_with_dates:
            self.tally.add("open_status_with_dates", [numbers[i] for i in open_with_dates])
        for how in ("closed", "status_changed", "closed_assumed", "updated_assumed", "no_time"):
            if how in basis:
                self.tally.add(f"resolved_{how}", [numbers[i] for i, b in enumerate(basis) if b == how])
        col["resolved_at"] = settled_at
        col["resolved_basis"] = basis
        out["resolved_at"] = [None if t is None else fast_iso(t) for t in settled_at]
        out["resolved_basis"] = basis
        out["status_category"] = categories

    def _categories(self, n: int, numbers: Sequence[int], col: dict[str, list[Any]]) -> list[Any]:
        """Each row's status category: Jira's own category column where it has a known value, else
        the status column through the status map; None where neither says (the dates then decide)."""
        categories: list[Any] = [None] * n
        unknown: list[int] = []
        for f in ("status", "status_category"):  # the second, where known, wins
            values = col.get(f)
            if values is None:
                continue
            mapped = {v: self._status(v) if v else None for v in dict.fromkeys(values)}
            for i, v in enumerate(values):
                cat = mapped[v]
                if cat is not None:
                    categories[i] = cat
            if f == "status":
                unknown = [i for i, v in enumerate(values) if v and mapped[v] is None]
        if unknown:
            still = [i for i in unknown if categories[i] is None]
            if still:
                self.tally.add("unknown_status", [numbers[i] for i in still], [col["status"][i] for i in still])
        return categories

    @staticmethod
    def _pseudo_columns(n: int, col: dict[str, list[Any]], iso: dict[str, list[Any]], out: dict[str, Any]) -> None:
        """The inputs that become another column: csat, sla_breached, sla_remaining, response minutes."""
        if "csat" in col:
            out["csat_score"], out["csat_positive"] = (list(c) for c in zip(*col["csat"]))
        else:
            out["csat_score"], out["csat_positive"] = [None] * n, [None] * n
        if "sla_breached" in col or "sla_remaining" in col:
            met = list(out["sla_met"]) if "sla_met" in col else [None] * n
            for i, b in enumerate(col.get("sla_breached", ())):
                if met[i] is None and b is not None:
                    met[i] = not b
            for i, left in enumerate(col.get("sla_remaining", ())):
                if met[i] is None and left is not None:
                    met[i] = left >= 0  # Jira: time left on the goal; negative = breached
            out["sla_met"] = met
        if "first_response_minutes" in col:
            created = col["created_at"]
            first = list(col.get("first_response_at", [None] * n))
            texts = list(iso.get("first_response_at", [None] * n))
            for i, hours in enumerate(col["first_response_minutes"]):
                if first[i] is None and hours is not None:
                    first[i] = created[i] + dt.timedelta(minutes=hours * 60)
                    texts[i] = fast_iso(first[i])
            col["first_response_at"], out["first_response_at"] = first, texts

    def _technician_column(self, n: int, numbers: Sequence[int], col: dict[str, list[Any]],
                           out: dict[str, Any]) -> None:
        """Resolver where the export has one, else the assignee (DESIGN.md), matched through aliases.
        A cell naming several people (names.split_names) counts for each: the first is the ticket's
        technician, the others go in shared_with (a JSON list of ids)."""
        resolver, assignee = col.get("resolver"), col.get("assignee")
        if resolver is None and assignee is None:  # no name column at all: desk and group figures only
            out["technician_id"], out["shared_with"] = [None] * n, [None] * n
            self.tally.add("no_technician", numbers)
            return
        if resolver is None or assignee is None:
            names: Sequence[str] = resolver if resolver is not None else assignee  # type: ignore[assignment]
        else:
            names = [r or a for r, a in zip(resolver, assignee)]
        self.learn_names(dict.fromkeys(names))  # met already by keys(), unless read() was given cells
        keys, ids, splits = self._keys, self.alias_ids, self._splits
        primary: dict[str, int | None] = {"": None}
        shared: dict[str, str | None] = {"": None}
        display: dict[str, str] = {"": ""}
        for cell in dict.fromkeys(names):
            if cell in primary:
                continue
            parts = splits[cell]
            people = [ids.get(keys[p]) for p in parts]
            primary[cell] = people[0] if people else None
            others = sorted({p for p in people[1:] if p is not None and p != primary[cell]})
            shared[cell] = json.dumps(others) if others else None
            display[cell] = "; ".join(parts) if len(parts) > 1 else cell
        out["technician_id"] = list(map(primary.__getitem__, names))
        out["shared_with"] = list(map(shared.__getitem__, names))
        several = [i for i, name in enumerate(names) if name and len(splits[name]) > 1]
        if several:
            self.tally.add("split_names", [numbers[i] for i in several], [names[i] for i in several])
            for f in ("assignee", "resolver"):
                if f in col:
                    out[f] = [display.get(v, v) for v in col[f]]
        nobody = [i for i, name in enumerate(names) if not name]
        if nobody:
            self.tally.add("no_technician", [numbers[i] for i in nobody])

    def learn_names(self, cells: Any) -> None:
        """Meet the technician cells of some rows: a name no alias matches is asked about
        (on_new_names) the first time it is met, with the other new names of the same cells."""
        keys, ids, splits = self._keys, self.alias_ids, self._splits
        known = self.known_at_start.__contains__
        unseen: dict[str, str] = {}
        for cell in cells:
            if not cell or cell in splits:
                continue
            parts = split_names(cell, known) if needs_split(cell) else [cell]
            splits[cell] = parts
            for name in parts:
                if name not in keys:
                    keys[name] = key = alias_key(name)
                    if key not in ids and key not in unseen:
                        unseen[key] = name
        if unseen:
            answers = self.on_new_names(unseen) if self.on_new_names else {}
            for key, name in unseen.items():
                ids[key] = answers.get(key)
                self.new_names.setdefault(key, name)

    def _derived_columns(self, n: int, col: dict[str, list[Any]], out: dict[str, Any]) -> None:
        """The part of tickets.derive() that needs Python: resolution hours (only where the resolved
        time is a real one), the ISO week, SLA met from the due time or the tier's target (the rest
        is SQL_DERIVED)."""
        created, resolved, basis = col["created_at"], col["resolved_at"], col["resolved_basis"]
        out["resolution_hours"] = hours = [
            None if r is None or b not in TIME_KNOWN else (r - c).total_seconds() / 3600.0
            for c, r, b in zip(created, resolved, basis)]
        weeks = self._weeks
        days = [None if r is None else r.date() for r in resolved]
        for d in dict.fromkeys(days):
            if d not in weeks:
                weeks[d] = week_key(d)
        out["resolved_week"] = list(map(weeks.__getitem__, days))
        out["sla_met"] = self._sla_met(out["sla_met"], resolved, col.get("sla_due_at"), out["priority_tier"], hours)

    def _sla_met(self, met: Sequence[Any], resolved: list[Any], due: list[Any] | None, tiers: Sequence[Any],
                 hours: Sequence[Any]) -> list[Any]:
        """The export's flag, else (resolution time known) the SLA due time, else resolution time
        against the tier's target."""
        limits = {t: self.sla_hours.get(f"P{t}") for t in (1, 2, 3, 4)}
        met = list(met)
        for i in [i for i, (m, h) in enumerate(zip(met, hours)) if m is None and h is not None]:
            if due is not None and due[i] is not None:
                met[i] = resolved[i] <= due[i]
            elif tiers[i]:
                limit = limits.get(tiers[i])
                if limit is not None:
                    met[i] = hours[i] <= limit
        return met


def _parse_column(cells: Sequence[Any], parse: Callable[[Any], Any], memo: bool = True) -> tuple[list[Any], dict[Any, str]]:
    """The parsed column (_BAD where the parser refused) and {refused cell: message}. With `memo`,
    each distinct cell is parsed once, in file order (the date order decision depends on it)."""
    errors: dict[Any, str] = {}
    if memo:
        seen = dict.fromkeys(cells)
        types = set(map(type, seen))
        # True == 1 == 1.0 share a dict key, but parse_text(True) != parse_text(1): parse each cell.
        # The keys alone hide that clash (one of True and 1 is kept): where a key is 0 or 1, the
        # cells' own types decide.
        if 0 in seen or 1 in seen:
            types = set(map(type, cells))
        if not (bool in types and (int in types or float in types)):
            for cell in seen:
                try:
                    seen[cell] = parse(cell)
                except BadValue as exc:
                    seen[cell], errors[cell] = _BAD, str(exc)
            return list(map(seen.__getitem__, cells)), errors
    out = []
    for cell in cells:
        try:
            out.append(parse(cell))
        except BadValue as exc:
            out.append(_BAD)
            errors[cell] = str(exc)
    return out, errors


def _date_column(cells: Sequence[Any], parse: DateParser) -> tuple[list[Any], list[Any], dict[Any, str]]:
    """(datetimes, their to_iso text, errors). A column of naive date cells in range and blanks
    (None, or '' from calamine), the usual workbook column, is taken as it is."""
    present = list(filter(None, cells))  # a date is never falsy; 0 or False is not a blank, though:
    types = set(map(type, present))
    if types <= {_DATETIME, _DATE} and len(present) + cells.count(None) + cells.count("") == len(cells):
        if _DATE in types:  # calamine gives a date cell at midnight as a date
            cells = [dt.datetime(c.year, c.month, c.day) if c.__class__ is _DATE else c for c in cells]
            present = list(filter(None, cells))
        if not present or (not any(map(_TZINFO, present)) and _FIRST_REAL <= min(present)
                           and max(present).year <= _MAX_YEAR and _UNIX_ZERO not in present):
            if len(present) == len(cells):
                return list(cells), list(map(_DATETIME.isoformat, cells, repeat(" "), repeat("microseconds"))), {}
            values = [c if c.__class__ is _DATETIME else None for c in cells]
            return values, [None if c is None else c.isoformat(" ", "microseconds") for c in values], {}
    return _date_values(cells, parse)


def _date_values(cells: Sequence[Any], parse: DateParser) -> tuple[list[Any], list[Any], dict[Any, str]]:
    """_date_column's general case: each distinct cell parsed once and its text made once, in file
    order (the date order decision depends on it); a column of texts, once the file's order is
    known, through DateParser.read_texts."""
    seen: dict[Any, Any] = dict.fromkeys(cells)
    types = set(map(type, seen))
    if 0 in seen or 1 in seen:  # True and 1 share a key: the cells' own types tell whether both are there
        types = set(map(type, cells))
    errors: dict[Any, str] = {}
    isos: dict[Any, Any] = {}
    if types == {str} and parse.order.day_first is not None:
        distinct = list(seen)
        got, texts = parse.read_texts(distinct)
        if set(map(type, got)) == {_DATETIME}:  # the usual column: all real dates
            seen, isos = dict(zip(distinct, got)), dict(zip(distinct, texts))
        else:
            for cell, value, text in zip(distinct, got, texts):
                if value.__class__ is BadValue:
                    seen[cell] = isos[cell] = _BAD
                    errors[cell] = str(value)
                else:
                    seen[cell], isos[cell] = value, text
        return list(map(seen.__getitem__, cells)), list(map(isos.__getitem__, cells)), errors
    if bool in types and (int in types or float in types):  # True == 1 == 1.0 share a dict key
        values, errors = _parse_column(cells, parse, memo=False)
        return values, [c if c is None or c is _BAD else None if c is PLACEHOLDER else fast_iso(c)
                        for c in values], errors
    for cell in seen:
        try:
            value = parse(cell)
        except BadValue as exc:
            seen[cell] = isos[cell] = _BAD
            errors[cell] = str(exc)
            continue
        seen[cell] = value
        isos[cell] = None if value is None or value is PLACEHOLDER else fast_iso(value)
    return list(map(seen.__getitem__, cells)), list(map(isos.__getitem__, cells)), errors


def _id_column(cells: Sequence[Any]) -> tuple[list[Any], dict[Any, str]]:
    """parse_id over a column: a column of plain ids (text, letters and digits only, no placeholder:
    parse_id's own hot path) is checked in C and taken as it is."""
    if (cells and set(map(type, cells)) == {str} and all(map(str.isalnum, cells)) and max(map(len, cells)) <= 100
            and PLACEHOLDERS.isdisjoint(map(str.casefold, cells))):
        return list(cells), {}
    return _parse_column(cells, parse_id, memo=False)


def _take(values: Sequence[Any], keep: list[int]) -> list[Any]:
    return [values[i] for i in keep]
