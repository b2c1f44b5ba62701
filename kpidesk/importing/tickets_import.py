"""Ticket import: read, normalise, upsert, all in one transaction (issue 3).

    report = run(store, "export.xlsx")                      # CLI behaviour
    report = run(store, path, mapping=confirmed, progress=worker, create_technicians=False,
                 alias_overrides={"J. Doe": 7, "Robot": None})  # GUI after the mapping dialog

Guarantees: the batch row, every ticket insert/update, the ImportChange rows that make undo possible
and any technician the import creates are written in ONE transaction, so a crash, a cancel
(`progress.cancelled()`, polled every PROGRESS_EVERY rows) or an error leaves the database as it
was. Unchanged tickets are counted and not rewritten. Thread rule: run it on the Store's single
write worker; it touches no widget.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpidesk.errors import ImportFailed
from kpidesk.importing import presets
from kpidesk.importing.dates import DateOrder
from kpidesk.importing.errors import RowsRejected
from kpidesk.importing.mappings import detect_mapping, is_known_header, remember_mapping, resolve_mapping
from kpidesk.importing.readers import open_table
from kpidesk.importing.report import ImportReport, Progress, poll
from kpidesk.importing.ticket_rows import TECH_POS, ReadResult, RowReader
from kpidesk.models import utcnow
from kpidesk.people import alias_key
from kpidesk.tickets import ALL_FIELDS, to_iso

if TYPE_CHECKING:
    from kpidesk.store import Store

CHUNK = 900  # rows per executemany / per existing-row lookup (under SQLite's variable limit)
_COLS = ", ".join(ALL_FIELDS)
_UPSERT = (
    f"INSERT INTO ticket ({_COLS}, import_batch_id) VALUES ({', '.join('?' * (len(ALL_FIELDS) + 1))}) "
    "ON CONFLICT(source_system, external_id) DO UPDATE SET "
    + ", ".join(f"{f} = excluded.{f}" for f in ALL_FIELDS[2:]) + ", import_batch_id = excluded.import_batch_id"
)
_BATCH_COLS = ("kind", "file_name", "file_size", "sha256", "sheet", "preset", "source_system",
               "mapping_json", "created_count", "updated_count", "unchanged_count", "rejected_count",
               "rejected_json", "started_at")
MAX_REJECTED_KEPT = 5000  # rejected rows stored with the batch (the report itself has them all)


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back after everything else ran."""


def run(store: "Store", path: str | Path, *, sheet: str | None = None, preset: str = "auto",
        mapping: dict[str, str] | None = None, day_first: bool | None = None, strict: bool = False,
        dry_run: bool = False, progress: Progress | None = None, create_technicians: bool = True,
        alias_overrides: dict[str, int | None] | None = None,
        priority_overrides: dict[str, int] | None = None, remember: bool = True) -> ImportReport:
    """Import a ticket export. Raises ImportFailed (unreadable file, no id/created column),
    RowsRejected (strict and some rows rejected; nothing written) or Cancelled (nothing written).

    mapping: {ticket field: column header} confirmed by the user (remembered for files with the same
    headers when `remember`); None: a remembered mapping, else the detected preset.
    create_technicians: unknown assignee/resolver names become technicians (CLI); False leaves
    their tickets unassigned and lists the names. alias_overrides: {name: technician id, or None to
    ignore the name}, the GUI's confirm/merge/ignore answers.
    """
    started, t0 = utcnow(), time.perf_counter()
    path = Path(path)
    if progress is not None:
        progress.set_status(f"Opening {path.name}…")
    table = open_table(path, sheet, known=is_known_header)
    chosen, mapping, how = resolve_mapping(store, table.headers, preset, mapping)
    if how == "given" and remember and not dry_run:
        remember_mapping(store, table.headers, chosen, mapping)
    system = presets.source_system(chosen)
    alias_ids: dict[str, int | None] = dict(store.alias_map())
    for name, tech in (alias_overrides or {}).items():
        alias_ids[alias_key(name)] = tech
    prio = presets.priority_map(chosen) | dict(priority_overrides or {})
    fallback = store.get_setting("day_first")
    order = DateOrder(day_first, fallback=True if fallback is None else bool(fallback))
    sla_hours = store.get_setting("sla_hours")

    if progress is not None:
        progress.set_status(f"Reading {path.name}…")
    result = RowReader(table, mapping, order, source_system=system, sla_hours=sla_hours,
                       priority_map=prio, alias_ids=alias_ids).read(progress)
    if order.conflict:  # ambiguous dates were read the wrong way round: read again, now decided
        order = DateOrder(order.day_first)
        order.how = "detected"
        result = RowReader(table, mapping, order, source_system=system, sla_hours=sla_hours,
                           priority_map=prio, alias_ids=alias_ids).read(progress)

    report = ImportReport(batch_id=None, file=path.name, kind="tickets", sheet=table.sheet, preset=chosen,
                          source_system=system, mapping=dict(mapping), rejected_rows=result.rejected,
                          date_order=order.describe(), dry_run=dry_run, rows_read=result.rows_read)
    report.warnings = _warnings(order, result)
    report.new_technicians = sorted(result.unknown_names.values(), key=str.casefold)
    if strict and result.rejected:
        report.elapsed_s = time.perf_counter() - t0
        raise RowsRejected(f"{path.name}: {len(result.rejected)} row(s) rejected; with --strict nothing "
                           f"was imported (first: row {result.rejected[0].row}, column "
                           f"{result.rejected[0].column!r}: {result.rejected[0].reason}).", report)
    try:
        _write(store, path, table.sheet, report, result, started, create_technicians, progress)
    except _DryRun:
        report.batch_id = None
    report.elapsed_s = time.perf_counter() - t0
    if progress is not None:
        progress.set_progress(result.rows_read, result.rows_read)
        progress.set_status(report.summary())
    return report


def _warnings(order: DateOrder, result: ReadResult) -> list[str]:
    out = []
    if order.how == "assumed" and order.ambiguous:
        out.append(f"{order.ambiguous} date(s) such as 03/04 could be read either way and were read "
                   f"{order.describe()}; import again with --month-first or --day-first if that is wrong.")
    for raw, count in sorted(result.unmapped_priorities.items()):
        out.append(f"Priority {raw!r} ({count} tickets) is not mapped to P1-P4; those tickets have no tier.")
    if result.duplicates:
        out.append(f"{result.duplicates} row(s) repeated a ticket already in the file; the row with the "
                   "latest 'updated' time (else the last one) was kept.")
    return out


def file_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


def _write(store: "Store", path: Path, sheet: str, report: ImportReport, result: ReadResult,
           started: Any, create_technicians: bool, progress: Progress | None) -> None:
    size, sha = file_digest(path)
    rejected_json = json.dumps([vars(r) for r in report.rejected_rows[:MAX_REJECTED_KEPT]])
    with store.raw_write() as con:
        cur = con.cursor()
        # SQLite's default 2 MB page cache thrashes once the ticket indexes outgrow it (measured:
        # 100k rows wrote 24x slower than 10k); 128 MB keeps them in memory. Per connection, harmless.
        cur.execute("PRAGMA cache_size = -131072")
        cur.execute(f"INSERT INTO import_batch ({', '.join(_BATCH_COLS)}) VALUES ({', '.join('?' * len(_BATCH_COLS))})",
                    ("tickets", path.name, size, sha, sheet, report.preset, report.source_system,
                     json.dumps(report.mapping), 0, 0, 0, report.rejected, rejected_json, to_iso(started)))
        batch_id = cur.lastrowid
        new_ids = _create_technicians(cur, result) if create_technicians else {}
        rows = list(result.rows.values())
        result.rows.clear()  # the list holds them now; free the dict early
        if progress is not None:
            progress.set_status(f"Saving {len(rows)} tickets…")
        created = updated = unchanged = 0
        previous: list[tuple[int, int, None, str, str]] = []
        for start in range(0, len(rows), CHUNK):
            poll(progress, start, len(rows))
            chunk = rows[start:start + CHUNK]
            existing = _existing(cur, report.source_system, [r[1] for r in chunk])
            out = []
            for row in chunk:
                key = row.pop()
                if row[TECH_POS] is None and key in new_ids:
                    row[TECH_POS] = new_ids[key]
                old = existing.get(row[1])
                if old is None:
                    created += 1
                elif tuple(row) == old[1:-1]:
                    unchanged += 1
                    continue
                else:
                    updated += 1
                    before = dict(zip(ALL_FIELDS, old[1:-1]), import_batch_id=old[-1])
                    previous.append((batch_id, old[0], None, "updated", json.dumps(before)))
                row.append(batch_id)
                out.append(row)
            cur.executemany(_UPSERT, out)
        cur.executemany("INSERT INTO import_change (batch_id, ticket_id, measurement_id, action, previous_json) "
                        "VALUES (?, ?, ?, ?, ?)", previous)
        # Every ticket now carrying this batch id that has no 'updated' change was created by it.
        cur.execute("INSERT INTO import_change (batch_id, ticket_id, measurement_id, action, previous_json) "
                    "SELECT ?, t.id, NULL, 'created', NULL FROM ticket t WHERE t.import_batch_id = ? AND t.id "
                    "NOT IN (SELECT ticket_id FROM import_change WHERE batch_id = ?)", (batch_id, batch_id, batch_id))
        cur.execute("UPDATE import_batch SET created_count = ?, updated_count = ?, unchanged_count = ?, "
                    "finished_at = ? WHERE id = ?", (created, updated, unchanged, to_iso(utcnow()), batch_id))
        report.batch_id, report.created, report.updated, report.unchanged = batch_id, created, updated, unchanged
        if report.dry_run:
            raise _DryRun()
        poll(progress, len(rows), len(rows))  # last chance to cancel before the commit


def _existing(cur: Any, system: str, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    """{external id: (id, *ALL_FIELDS, import_batch_id)} for the tickets of this chunk already stored."""
    marks = ", ".join("?" * len(ids))
    cur.execute(f"SELECT id, {_COLS}, import_batch_id FROM ticket WHERE source_system = ? "
                f"AND external_id IN ({marks})", (system, *ids))
    return {r[2]: r for r in cur.fetchall()}


def _create_technicians(cur: Any, result: ReadResult) -> dict[str, int]:
    """The names no alias matched, created as technicians inside the import's transaction (so undoing
    a cancel or failure removes them too)."""
    ids: dict[str, int] = {}
    for key, name in sorted(result.unknown_names.items()):
        cur.execute("INSERT INTO technician (display_name, email, escalation_destination) VALUES (?, '', 0)",
                    (" ".join(name.split()),))
        ids[key] = cur.lastrowid
    return ids


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


def inspect_file(store: "Store", path: str | Path, *, sheet: str | None = None, preset: str = "auto",
                 rows: int = 20) -> FilePreview:
    """Open a file and detect its mapping without importing (raises ImportFailed if unreadable)."""
    table = open_table(Path(path), sheet, known=is_known_header)
    try:
        chosen, mapping, how = resolve_mapping(store, table.headers, preset, None)
        problem = ""
    except ImportFailed as exc:
        chosen, mapping = detect_mapping(table.headers, preset)
        how, problem = "detected", str(exc)
    return FilePreview(table.sheet, table.sheets, table.header_row, table.headers, chosen, mapping, how,
                       table.preview(rows), problem)
