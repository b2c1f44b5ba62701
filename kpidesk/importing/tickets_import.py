"""Ticket import: read, normalise, upsert, all in one transaction (issue 3), in one pass.

    report = run(store, "export.xlsx")                      # CLI behaviour
    report = run(store, path, mapping=confirmed, progress=worker, create_technicians=False,
                 alias_overrides={"J. Doe": 7, "Robot": None})  # GUI after the mapping dialog

Guarantees: the batch row, every ticket insert/update, the ImportChange rows that make undo possible
and any technician the import creates are written in ONE transaction, so a crash, a cancel
(`progress.cancelled()`, polled every CHUNK rows) or an error leaves the database as it was.
Unchanged tickets are counted and not rewritten. The chunks are normalised here (ticket_rows) and
stored by a writer thread holding that transaction (ticket_writer), so the two overlap. Of each row
only the id, created date, 'updated' and names are read first (ChunkReader.keys), so the rows an
event log's later rows replace are dropped before they are normalised (latest_rows). Thread
rule: run it off the GUI thread (the Imports screen's Op does); it touches no widget.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpidesk.errors import ImportFailed
from kpidesk.importing import presets
from kpidesk.importing.assumptions import ImportWarning, Tally
from kpidesk.importing.bulk_settings import bulk_settings
from kpidesk.importing.dates import DateOrder
from kpidesk.importing.errors import RowsRejected
from kpidesk.importing.latest_rows import LatestRows
from kpidesk.importing.mappings import column_index, detect_mapping, is_known_header, remember_mapping, resolve_mapping
from kpidesk.importing.names import needs_split, split_names
from kpidesk.importing.normalise import parse_text
from kpidesk.importing.presets import norm_header
from kpidesk.importing.readers import Table, open_table
from kpidesk.importing.report import ImportReport, Progress, RejectedRow, poll
from kpidesk.importing.statuses import SERVICENOW_CODES, StatusMap
from kpidesk.importing.ticket_rows import ChunkReader, Keys
from kpidesk.importing.ticket_writer import TicketWriter
from kpidesk.importing.ticket_writer import create_technicians as create_technicians_in
from kpidesk.people import alias_key
from kpidesk.wording import count

if TYPE_CHECKING:
    from kpidesk.store import Store

CHUNK = 5000  # rows normalised and handed to the writer at a time; progress and cancel per chunk
# A small file is cut finer, so that the writer is not left with a big last chunk after the reader
# is done (10k rows: 0.1 s sooner in chunks of 1,250 than of 5,000); below 1,000 rows a chunk
# costs more than it overlaps.
MIN_CHUNK = 1000
MAX_REJECTED_KEPT = 5000
STATUS_SCAN_ROWS = 50_000  # the import dialog lists the statuses of this many rows (a status column has few)  # rejected rows stored with the batch (the report itself has them all)


class _OrderSettled(Exception):
    """Ambiguous dates were read the wrong way round before a later one settled the order."""

    def __init__(self, day_first: bool) -> None:
        super().__init__()
        self.day_first = day_first


def run(store: "Store", path: str | Path, *, sheet: str | None = None, preset: str = "auto",
        mapping: dict[str, str] | None = None, day_first: bool | None = None, strict: bool = False,
        dry_run: bool = False, progress: Progress | None = None, create_technicians: bool = True,
        alias_overrides: dict[str, int | None] | None = None,
        priority_overrides: dict[str, int] | None = None, status_overrides: dict[str, str] | None = None,
        remember: bool = True, table: Table | None = None) -> ImportReport:
    """Import a ticket export. Raises ImportFailed (unreadable file, no id/created column),
    RowsRejected (strict and some rows rejected; nothing written) or Cancelled (nothing written).

    mapping: {ticket field: column header} confirmed by the user (remembered for files with the same
    headers when `remember`); None: a remembered mapping, else the detected preset.
    create_technicians: unknown assignee/resolver names become technicians (CLI); False leaves
    their tickets unassigned and lists the names. alias_overrides: {name: technician id, or None to
    ignore the name}, the GUI's confirm/merge/ignore answers. priority_overrides ({spelling: tier})
    and status_overrides ({status: open|resolved|closed}) correct the presets for this file (a
    mapping file's "priority_tiers" and "status_categories"), over the ones kept in the settings.
    table: the file as scan_new_names() opened it, so it is not loaded twice.
    """
    t0 = time.perf_counter()
    path = Path(path)
    prepared = _take_prepared(store, path, sheet, preset, mapping, table)
    if prepared is not None:
        table = prepared.table
    if table is None:
        if progress is not None:
            progress.set_status(f"Opening {path.name}…")
        # The database is read beside the sheet load (calamine's parser does not hold the GIL): in a
        # fresh process its first query also sets up the ORM, 0.1 s of a 1 s import of 10k rows.
        pool = ThreadPoolExecutor(1, thread_name_prefix="kpidesk-import-settings")
        pending = pool.submit(_stored_settings, store)
        pool.shutdown(wait=False)
        table = open_table(path, sheet, known=is_known_header)
        aliases, fallback, sla_hours, stored = pending.result()
    else:
        aliases, fallback, sla_hours, stored = _stored_settings(store)
    chosen, mapping, how = resolve_mapping(store, table.headers, preset, mapping)
    alias_ids: dict[str, int | None] = dict(aliases)
    for name, tech in (alias_overrides or {}).items():
        alias_ids[alias_key(name)] = tech
    order = DateOrder(day_first, fallback=True if fallback is None else bool(fallback))
    if prepared is not None:
        order = prepared.order_for(chosen, mapping, order)
        if order is None:  # read for other settings: this import reads the file itself
            prepared, order = None, DateOrder(day_first, fallback=True if fallback is None else bool(fallback))
    report = ImportReport(batch_id=None, file=path.name, kind="tickets", sheet=table.sheet, preset=chosen,
                          source_system=presets.source_system(chosen), mapping=dict(mapping), dry_run=dry_run)
    try:
        status_map = StatusMap(dict(stored["status_categories"] or {}) | dict(status_overrides or {}),
                               numeric_codes=SERVICENOW_CODES if chosen == "servicenow" else None)
    except ValueError as exc:
        raise ImportFailed(f"Cannot import {path.name}: {exc}.") from None
    priorities = presets.priority_map(chosen) | dict(stored["priority_tiers"] or {}) | dict(priority_overrides or {})
    options = dict(priority_map=priorities, sla_hours=sla_hours, alias_ids=alias_ids, status_map=status_map)
    report.mapping_doc = {"preset": chosen, "columns": dict(mapping), "status_categories": dict(status_overrides or {}),
                          "priority_tiers": dict(priority_overrides or {}), "day_first": day_first}
    if progress is not None:
        progress.set_status(f"Reading {path.name}…")
    with bulk_settings():
        try:
            _import(store, table, report, order, options, strict, create_technicians, progress, prepared)
        except _OrderSettled as settled:  # read again, now that the file itself decided the order
            order = DateOrder(settled.day_first)
            order.how = "detected"
            _import(store, table, report, order, options, strict, create_technicians, progress)
    if remember and not dry_run:  # only once the import itself has landed
        if how == "given":
            remember_mapping(store, table.headers, chosen, mapping)
        if status_overrides:  # the manager's answers hold for every later file too
            store.set_setting("status_categories", dict(stored["status_categories"] or {}) | dict(status_overrides))
    report.elapsed_s = time.perf_counter() - t0
    if progress is not None:
        progress.set_progress(report.rows_read, report.rows_read)
        progress.set_status(report.summary())
    return report


def scan_new_names(store: "Store", path: str | Path, *, sheet: str | None = None, preset: str = "auto",
                   mapping: dict[str, str] | None = None, alias_overrides: dict[str, int | None] | None = None,
                   progress: Progress | None = None) -> tuple[list[str], Table]:
    """The technician names (resolver, else assignee) no alias matches, and the opened table: hand it
    to run(table=...), or run the import of the same file later (after the names dialog), and the
    file is not read again.

    Reading the names, it reads what the import reads of every row (ChunkReader.keys: id, created,
    'updated', names) and holds the row the import keeps of each ticket (LatestRows), up to
    HAND_OVER_MAX_ROWS of them; the import then only normalises and writes those."""
    path = Path(path)
    if progress is not None:
        progress.set_status(f"Opening {path.name}…")
    table = open_table(path, sheet, known=is_known_header)
    chosen, resolved, _how = resolve_mapping(store, table.headers, preset, mapping)
    aliases = store.alias_map()
    fallback = store.get_setting("day_first")
    people = {k for k, v in aliases.items() if v is not None}
    known = people | {alias_key(n) for n in (alias_overrides or {})}
    columns = [column_index(table.headers, resolved[f]) for f in ("resolver", "assignee") if f in resolved]
    order = DateOrder(None, fallback=True if fallback is None else bool(fallback))
    reader = ChunkReader(table.path.name, table.sheet, table.headers, resolved, order,
                         source_system=presets.source_system(chosen), sla_hours=None, priority_map={},
                         alias_ids=dict(aliases))
    prepared: _Prepared | None = _Prepared(_scan_key(store, path, sheet, preset, mapping), table, chosen,
                                           dict(resolved), order.fallback, order, LatestRows(reader.index, hold=True))
    found: dict[str, str] = {}
    done = 0
    with bulk_settings():
        for numbers, cells in table.chunks(chunk_rows(table.total_rows)):
            done += len(cells)
            poll(progress, done, table.total_rows)
            if prepared is not None:  # the names of its rows as the import will meet them, rejected rows' too
                keys = prepared.add(table, reader, numbers, cells)
                met = keys.names if not keys.rejected else reader.name_cells(keys.picked, {})
                if order.conflict or len(prepared.latest.held) > HAND_OVER_MAX_ROWS:
                    prepared = None  # the import reads the file itself (and settles the order)
            else:
                pairs = dict.fromkeys(tuple(r[i] if i < len(r) else None for i in columns) for r in cells)
                met = list(dict.fromkeys(next((t for t in map(parse_text, pair) if t), "") for pair in pairs))
            for cell in met:
                # A cell naming several people (names.split_names), as the import will read it.
                for name in (split_names(cell, people.__contains__) if cell and needs_split(cell) else [cell]):
                    key = alias_key(name) if name else ""
                    if key and key not in known and key not in found:
                        found[key] = name
    table.prepared = prepared
    _keep_prepared(prepared)
    return sorted(found.values(), key=str.casefold), table


# What the names check hands to the import. A module-wide slot: the Imports screen asks the names in
# one action and imports in the next (after the dialog), with the same file and settings.
HAND_OVER_MAX_ROWS = 120_000  # held rows (about 1 KB each) kept for the import; past it, it reads the file
_PREPARED: dict[str, Any] = {"scan": None}
_PREPARED_LOCK = threading.Lock()


@dataclass
class _Prepared:
    """The names check's read of a file: every row's keys, the latest row of each ticket held."""
    key: tuple[Any, ...]
    table: Table
    chosen: str
    mapping: dict[str, str]
    fallback: bool
    order: DateOrder
    latest: LatestRows
    rows_read: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    names: list[list[str]] = field(default_factory=list)  # each chunk's technician cells, in order
    replaced: list[int] = field(default_factory=list)  # rows with bytes read as U+FFFD

    def add(self, table: Table, reader: ChunkReader, numbers: list[int], cells: list[list[Any]]) -> Keys:
        self.rows_read += len(cells)
        if table.replaced_bytes:
            self.replaced += _replaced_rows(numbers, cells)
        keys = reader.keys(numbers, cells)
        self.rejected += sorted(keys.rejected.values(), key=attrgetter("row"))
        self.names.append(keys.names)
        self.latest.add(keys)
        return keys

    def order_for(self, chosen: str, mapping: dict[str, str], order: DateOrder) -> DateOrder | None:
        """The date order to import with (the scan's, which its dates were read in), or None when the
        import's settings differ from the scan's (another preset, mapping or day/month order)."""
        if (chosen, dict(mapping)) != (self.chosen, self.mapping):
            return None
        if order.day_first is None:
            return self.order if order.fallback == self.fallback else None
        if self.order.effective != order.day_first:
            return None
        self.order.day_first, self.order.how = order.day_first, "set"
        return self.order


def _scan_key(store: "Store", path: Path, sheet: str | None, preset: str, mapping: dict[str, str] | None) -> tuple[Any, ...]:
    try:
        st = path.stat()
        stamp: tuple[Any, ...] = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    except OSError:
        stamp = (str(path),)
    return (str(store.path), *stamp, sheet, preset, json.dumps(mapping, sort_keys=True))


def _keep_prepared(prepared: _Prepared | None) -> None:
    with _PREPARED_LOCK:
        _PREPARED["scan"] = prepared


def forget_scan() -> None:
    """Let go of what the last names check holds (the names dialog was cancelled)."""
    _keep_prepared(None)


def _take_prepared(store: "Store", path: Path, sheet: str | None, preset: str, mapping: dict[str, str] | None,
                   table: Table | None) -> _Prepared | None:
    """The names check's read of this file, once: from the table it handed over, else the last check,
    if it was of the same file (unchanged since), sheet, preset, mapping and database."""
    with _PREPARED_LOCK:
        last = _PREPARED["scan"]
        if table is not None:
            prepared = getattr(table, "prepared", None)
            table.prepared = None
        elif last is not None and last.key == _scan_key(store, path, sheet, preset, mapping):
            prepared = last
        else:
            prepared = None
        if prepared is not None and prepared is last:
            _PREPARED["scan"] = None
    return prepared


def _replaced_rows(numbers: list[int], cells: list[list[Any]]) -> list[int]:
    return [n for n, row in zip(numbers, cells) if any("\ufffd" in c for c in row if type(c) is str)]


def _import(store: "Store", table: Table, report: ImportReport, order: DateOrder, options: dict[str, Any],
            strict: bool, create_technicians: bool, progress: Progress | None,
            prepared: _Prepared | None = None) -> None:
    """Read the keys of every row, normalise and write the rows kept (latest_rows), in one pass while
    no ticket repeats: the writer thread stores chunk k while this thread reads chunk k+1. Fills
    `report`; raises (after rolling back) on strict rejections, a cancel, an error, or a day/month
    order settled the other way. `prepared`: the names check read the file already."""
    reader = ChunkReader(table.path.name, table.sheet, table.headers, report.mapping, order,
                         source_system=report.source_system, **options)
    writer = TicketWriter(store, table.path, reader.bound, reader.consts).start()
    created: set[str] = set()
    if create_technicians:
        reader.on_new_names = lambda names: writer.call(create_technicians_in, names, created)
    rejected: list[RejectedRow] = []

    def write(part: Keys) -> None:
        chunk = reader.read(part.numbers, None, part)
        if order.conflict:
            raise _OrderSettled(bool(order.day_first))
        if not (strict and rejected):  # strict: read on to report every rejected row, write nothing
            writer.write(chunk.rows)

    try:
        if prepared is not None:
            latest, rows_read, rejected = prepared.latest, prepared.rows_read, list(prepared.rejected)
            for cells in prepared.names:  # the names met chunk by chunk, as reading the file meets them
                reader.learn_names(cells)
            if prepared.replaced:
                reader.tally.add("replaced_bytes", prepared.replaced, column=table.encoding_label)
        else:
            latest = LatestRows(reader.index)
            rows_read = 0
            for numbers, cells in table.chunks(chunk_rows(table.total_rows)):
                rows_read += len(cells)
                poll(progress, rows_read, table.total_rows)
                if table.replaced_bytes:  # only a file whose bytes were not all valid pays for this look
                    replaced = _replaced_rows(numbers, cells)
                    if replaced:
                        reader.tally.add("replaced_bytes", replaced, column=table.encoding_label)
                keys = reader.keys(numbers, cells)
                if order.conflict:
                    raise _OrderSettled(bool(order.day_first))
                if keys.rejected:
                    rejected += sorted(keys.rejected.values(), key=attrgetter("row"))
                for part in latest.add(keys):
                    write(part)
        if latest.held:
            held = len(latest.held)
            if progress is not None:
                progress.set_status(f"Reading the latest row of {count(held, 'ticket')}…")
            done = 0
            for part in latest.rest(chunk_rows(held)):
                write(part)
                done += len(part.numbers)
                poll(progress, done, held)
        report.rows_read, report.rejected_rows = rows_read, rejected
        if rows_read == 0:
            raise ImportFailed(f"Cannot import {table.path.name}: it has column names but no rows below them; "
                               "nothing was imported. Export it again with the tickets in it.")
        report.date_order = order.describe()
        report.warnings = _warnings(order, reader.tally, latest.duplicates, table, report.mapping)
        # Names another import created meanwhile were matched, not created (create_technicians_in).
        report.new_technicians = sorted((n for k, n in reader.new_names.items() if k in created), key=str.casefold)
        if not create_technicians:
            report.unassigned_names = sorted(reader.new_names.values(), key=str.casefold)
        if strict and rejected:
            report.refused = True
            first = rejected[0]
            raise RowsRejected(f"{table.path.name}: {count(len(rejected), 'row')} rejected; with --strict nothing "
                               f"was imported (first: row {first.row}, column {first.column!r}: {first.reason}).",
                               report)
        if progress is not None:
            progress.set_status(f"Saving {len(latest.seen)} tickets…")
        poll(progress, rows_read, rows_read)  # last chance to cancel before the commit
        fields = dict(sheet=table.sheet, preset=report.preset, source_system=report.source_system,
                      mapping_json=json.dumps(report.mapping_doc or report.mapping), rejected_count=len(rejected),
                      rejected_json=json.dumps([vars(r) for r in rejected[:MAX_REJECTED_KEPT]]))
        report.created, report.updated, report.unchanged = writer.finish(fields, len(latest.seen), latest.resent,
                                                                          report.dry_run)
        report.batch_id = None if report.dry_run else writer.batch_id
        if not report.dry_run and writer.touched_since:
            report.touched_since = dt.date.fromisoformat(writer.touched_since)
    finally:
        writer.abort()


def _stored_settings(store: "Store") -> tuple[dict[str, int | None], Any, Any, dict[str, Any]]:
    """What an import reads from the database before it starts: aliases, day_first, SLA targets,
    and the manager's own status categories and priority tiers."""
    return (dict(store.alias_map()), store.get_setting("day_first"), store.get_setting("sla_hours"),
            {k: store.get_setting(k) for k in ("status_categories", "priority_tiers")})


def chunk_rows(total_rows: int) -> int:
    """Rows per chunk for a table of about `total_rows`: an eighth of it, within MIN_CHUNK..CHUNK."""
    return min(CHUNK, max(MIN_CHUNK, total_rows // 8))


def _warnings(order: DateOrder, tally: Tally, duplicates: int, table: Table,
              mapping: dict[str, str]) -> list[ImportWarning]:
    """The reader's tally, plus what the file itself showed, as the summary's warnings."""
    if duplicates:
        tally.add("duplicates", [], count=duplicates)
    seen: dict[str, int] = {}
    for h in table.headers:
        key = norm_header(h)
        if key:
            seen[key] = seen.get(key, 0) + 1
    repeated = [h for h in dict.fromkeys(mapping.values()) if seen.get(norm_header(h), 0) > 1]
    if repeated:
        tally.add("duplicate_headers", [], repeated, count=len(repeated))
    if table.other_sheets:
        tally.add("other_sheets", [], table.other_sheets, count=len(table.other_sheets))
    if table.formulas():
        count, refs = table.formulas()
        tally.add("formula_without_value", [], count=count)
        tally.entries[("formula_without_value", "")].rows = list(refs)  # cell references, not rows
    out = tally.warnings()
    if order.how == "assumed" and order.ambiguous:
        out.append(ImportWarning("date_order", f"{order.ambiguous} date(s) such as 03/04 could be read either way "
                                 f"and were read {order.describe()}; import again with --month-first or --day-first "
                                 "if that is wrong.", order.ambiguous))
    return out


@dataclass
class FilePreview:
    """What the mapping dialog shows before an import: the detected layout and the first rows."""
    sheet: str
    sheets: list[str]
    header_row: int
    headers: list[str]
    preset: str
    mapping: dict[str, str]
    how: str  # given | remembered | detected
    rows: list[list[Any]]
    problem: str = ""  # why the mapping cannot be used as it is (e.g. no id column), else ''
    # The statuses of the mapped status column(s) in the file's first rows, and the category each
    # is read as (None: unknown): what the dialog lets the manager correct.
    statuses: dict[str, str | None] = field(default_factory=dict)


def inspect_file(store: "Store", path: str | Path, *, sheet: str | None = None, preset: str = "auto",
                 rows: int = 20) -> FilePreview:
    """Open a file and detect its mapping without importing (raises ImportFailed if unreadable)."""
    from kpidesk.importing.mapping_file import distinct_values

    table = open_table(Path(path), sheet, known=is_known_header)
    try:
        chosen, mapping, how = resolve_mapping(store, table.headers, preset, None)
        problem = ""
    except ImportFailed as exc:
        chosen, mapping = detect_mapping(table.headers, preset)
        how, problem = "detected", str(exc)
    status_map = StatusMap(store.get_setting("status_categories") or {},
                           numeric_codes=SERVICENOW_CODES if chosen == "servicenow" else None)
    found = distinct_values(table, mapping, ("status", "status_category"), max_rows=STATUS_SCAN_ROWS)
    statuses = {s: status_map(s) for values in found.values() for s in values}
    return FilePreview(table.sheet, table.sheets, table.header_row, table.headers, chosen, mapping, how,
                       table.preview(rows), problem, statuses)
