"""KPI value imports: values that are not computed from tickets (project and financial KPIs, uptime
from a monitoring tool), in either shape spreadsheets use:

    long:  Period | KPI | Technician/Team/Project | Value        one value per row
    wide:  KPI | [Team...] | Jan 2026 | Feb 2026 | ...           one row per KPI, one column per period

KPI names match existing KPIs case- and whitespace-insensitively; an unknown KPI, person or team is
a rejected row with its reason. Writes Measurement rows (source 'imported') with an ImportBatch
(kind 'values') and ImportChange rows in one transaction, so the import can be undone.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpidesk.errors import ImportFailed
from kpidesk.importing.errors import BadValue, RowsRejected
from kpidesk.importing.normalise import is_blank, parse_number, parse_text
from kpidesk.importing.readers import open_table
from kpidesk.importing.report import ImportReport, Progress, RejectedRow, display_value, poll
from kpidesk.importing.sniff import file_digest
from kpidesk.metrics import dialect
from kpidesk.models import utcnow
from kpidesk.people import alias_key
from kpidesk.periods import Period, parse_period, period_containing
from kpidesk.tickets import to_iso
from kpidesk.wording import count

if TYPE_CHECKING:
    from kpidesk.store import Store

KPI_WORDS = ("kpi", "metric", "indicator", "measure", "kpi name", "name")
PERIOD_WORDS = ("period", "month", "week", "quarter", "date", "year")
VALUE_WORDS = ("value", "actual", "result", "amount", "score")
SCOPE_WORDS = {"technician": "technician", "person": "technician", "employee": "technician",
               "agent": "technician", "owner": "technician", "team": "team", "project": "project",
               "scope": "scope"}

_MONTH_NAME = re.compile(r"^([^\W\d_]{3,9})\.?[\s\-/']+(\d{2}|\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{1,2})[/.](\d{4})$")
_Q_FIRST = re.compile(r"^q([1-4])[\s\-/]*(\d{4})$", re.I)
_Y_Q = re.compile(r"^(\d{4})\s*q([1-4])$", re.I)
_W_FIRST = re.compile(r"^w(?:eek)?\s*(\d{1,2})[\s\-/,]*(\d{4})$", re.I)
_Y_W = re.compile(r"^(\d{4})\s*w(?:eek)?\s*(\d{1,2})$", re.I)


def parse_period_label(cell: Any) -> Period | None:
    """A period from a header or cell: 'Jan 2026', 'January 2026', 'Jan-26', '2026-01', '01/2026',
    '2026-Q1', 'Q1 2026', '2026-W05', 'W5 2026', '2026', or a date cell (its month). None if not one."""
    from kpidesk.importing.dates import _MONTHS, _fold

    if isinstance(cell, (dt.date, dt.datetime)):
        return period_containing(cell if isinstance(cell, dt.date) else cell.date(), "month")
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = " ".join(str(cell or "").split())
    if not text:
        return None
    try:
        return parse_period(text)
    except ValueError:
        pass
    if m := _MONTH_NAME.match(text):
        month = _MONTHS.get(_fold(m[1]))
        year = int(m[2]) + (2000 if len(m[2]) == 2 else 0)
        if month and 1900 <= year <= 2200:
            return period_containing(dt.date(year, month, 1), "month")
    for pattern, kind in ((_YEAR_MONTH, "ym"), (_Q_FIRST, "qy"), (_Y_Q, "yq"), (_W_FIRST, "wy"), (_Y_W, "yw")):
        if m := pattern.match(text):
            a, b = int(m[1]), int(m[2])
            spec = {"ym": f"{b}-{a:02d}", "qy": f"{b}-Q{a}", "yq": f"{a}-Q{b}", "wy": f"{b}-W{a:02d}",
                    "yw": f"{a}-W{b:02d}"}[kind]
            try:
                return parse_period(spec)
            except ValueError:
                return None
    if len(text) >= 8 and text[:4].isdigit():  # a full date as text: its month
        try:
            return period_containing(dt.date.fromisoformat(text[:10]), "month")
        except ValueError:
            return None
    return None


def _known(text: str) -> bool:
    key = text.casefold().strip()
    return (key in KPI_WORDS or key in PERIOD_WORDS or key in VALUE_WORDS or key in SCOPE_WORDS
            or key == "segment" or parse_period_label(text) is not None)


def _find(headers: list[str], words: tuple[str, ...] | list[str]) -> int | None:
    keys = [h.casefold().strip() for h in headers]
    for w in words:
        if w in keys:
            return keys.index(w)
    return None


class _Resolver:
    """Names in the file onto ids: KPIs, technicians (through aliases) and teams."""

    def __init__(self, store: "Store") -> None:
        self.kpis = {alias_key(k.name): k for k in store.list_kpis()}
        self.techs = store.alias_map()
        self.teams = {alias_key(t.name): t.id for t in store.list_teams()}

    def kpi(self, cell: Any) -> int:
        name = parse_text(cell)
        if not name:
            raise BadValue("no KPI name")
        k = self.kpis.get(alias_key(name))
        if k is None:
            raise BadValue("unknown KPI (create it first, or check the spelling)")
        if k.value_source == "computed":
            raise BadValue("this KPI is computed from tickets; its values are not imported")
        return int(k.id)

    def scope(self, kind: str, cell: Any) -> str:
        name = parse_text(cell)
        if not name:
            return "desk"
        if kind == "scope" and ":" in name:
            kind, name = name.split(":", 1)
            kind, name = kind.strip().casefold(), name.strip()
            if kind == "desk":
                return "desk"
        if kind in ("technician", "scope") and alias_key(name) in self.techs:
            return f"technician:{self.techs[alias_key(name)]}"
        if kind in ("team", "scope") and alias_key(name) in self.teams:
            return f"team:{self.teams[alias_key(name)]}"
        if kind in ("project", "scope"):
            return f"project:{name}"
        raise BadValue(f"unknown {kind} (add them under People first)")


def run(store: "Store", path: str | Path, *, sheet: str | None = None, strict: bool = False,
        dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import KPI values. Raises ImportFailed (unreadable file or neither shape recognised),
    RowsRejected (strict with rejected rows; nothing written) or Cancelled (nothing written)."""
    t0, started = time.perf_counter(), utcnow()
    path = Path(path)
    table = open_table(path, sheet, known=_known)
    headers = table.headers
    resolver = _Resolver(store)
    kpi_col = _find(headers, KPI_WORDS)
    period_cols = [(i, p) for i, h in enumerate(headers) if i != kpi_col and (p := parse_period_label(table.raw_headers[i]))]
    period_col, value_col = _find(headers, PERIOD_WORDS), _find(headers, VALUE_WORDS)
    scope_cols = [(i, SCOPE_WORDS[h.casefold().strip()]) for i, h in enumerate(headers)
                  if h.casefold().strip() in SCOPE_WORDS]
    segment_col = _find(headers, ("segment",))
    if kpi_col is None:
        raise ImportFailed(f"Cannot import {path.name}: no KPI column (a column headed KPI, Metric or Name).")
    if period_col is not None and value_col is not None:
        shape = "long"
    elif period_cols:
        shape = "wide"
    else:
        raise ImportFailed(f"Cannot import {path.name}: found neither a Period and a Value column (long "
                           "shape) nor period columns such as 'Jan 2026' or '2026-01' (wide shape).")
    report = ImportReport(batch_id=None, file=path.name, kind="values", sheet=table.sheet,
                          preset=f"values ({shape})", dry_run=dry_run)
    values: dict[tuple[int, str, str, str], tuple[float, Period]] = {}

    def reject(number: int, col: int, cells: list[Any], reason: str) -> None:
        value = cells[col] if col < len(cells) else None
        report.rejected_rows.append(RejectedRow(path.name, table.sheet, number, headers[col],
                                                display_value(value), reason))

    for number, cells in table.rows():
        report.rows_read += 1
        if report.rows_read % 500 == 0:
            poll(progress, report.rows_read, table.total_rows)
        cell = lambda i: cells[i] if i < len(cells) else None  # noqa: E731
        col = kpi_col
        try:
            kpi_id = resolver.kpi(cell(kpi_col))
            scope = "desk"
            for col, kind in scope_cols:
                found = resolver.scope(kind, cell(col))
                scope = found if found != "desk" else scope
            segment = parse_text(cell(segment_col)) if segment_col is not None else ""
            if shape == "long":
                col = period_col
                period = parse_period_label(cell(period_col))
                if period is None:
                    raise BadValue("not a period (use e.g. 2026-03, Mar 2026, 2026-Q1 or 2026-W05)")
                col = value_col
                if is_blank(cell(value_col)):
                    continue
                values[(kpi_id, scope, period.key, segment)] = (parse_number(cell(value_col)), period)
            else:
                for col, period in period_cols:
                    if not is_blank(cell(col)):
                        values[(kpi_id, scope, period.key, segment)] = (parse_number(cell(col)), period)
        except BadValue as exc:
            reject(number, col, cells, str(exc))
    if report.rows_read == 0:
        raise ImportFailed(f"Cannot import {path.name}: it has column names but no rows below them; nothing "
                           "was imported.")
    if strict and report.rejected_rows:
        report.refused = True
        raise RowsRejected(f"{path.name}: {count(report.rejected, 'row')} rejected; with --strict nothing was "
                           "imported.", report)
    try:
        _write(store, path, report, values, started, progress)
    except _Rollback:  # a dry run: everything ran, nothing is kept
        pass
    report.elapsed_s = time.perf_counter() - t0
    return report


def _write(store: "Store", path: Path, report: ImportReport,
           values: dict[tuple[int, str, str, str], tuple[float, Period]], started: dt.datetime,
           progress: Progress | None) -> None:
    size, sha = file_digest(path)
    now = to_iso(utcnow())
    with store.raw_write(shared_ok=True) as con:
        cur = con.cursor()
        batch = dialect.insert_id(
            cur, "INSERT INTO import_batch (kind, file_name, file_size, sha256, sheet, preset, source_system, "
            "mapping_json, created_count, updated_count, unchanged_count, rejected_count, rejected_json, "
            "started_at) VALUES ('values', ?, ?, ?, ?, ?, '', '{}', 0, 0, 0, ?, ?, ?)",
            (path.name, size, sha, report.sheet, report.preset, report.rejected,
             json.dumps([vars(r) for r in report.rejected_rows[:5000]]), to_iso(started)))
        for n, ((kpi_id, scope, key, segment), (value, period)) in enumerate(values.items()):
            if n % 500 == 0:
                poll(progress, n, len(values))
            old = cur.execute("SELECT id, kpi_id, scope_key, period, period_start, segment, value, count, source, "
                              "import_batch_id, recorded_at FROM measurement WHERE kpi_id = ? AND scope_key = ? "
                              "AND period = ? AND segment = ?", (kpi_id, scope, key, segment)).fetchone()
            if old is None:
                new_id = dialect.insert_id(
                    cur, "INSERT INTO measurement (kpi_id, scope_key, period, period_start, segment, value, "
                    "count, source, import_batch_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, NULL, 'imported', ?, ?)",
                    (kpi_id, scope, key, period.start.isoformat(), segment, value, batch, now))
                cur.execute("INSERT INTO import_change (batch_id, measurement_id, action) VALUES (?, ?, 'created')",
                            (batch, new_id))
                report.created += 1
            elif old[6] == value:
                report.unchanged += 1
            else:
                fields = ("kpi_id", "scope_key", "period", "period_start", "segment", "value", "count",
                          "source", "import_batch_id", "recorded_at")
                cur.execute("UPDATE measurement SET value = ?, source = 'imported', import_batch_id = ?, "
                            "recorded_at = ? WHERE id = ?", (value, batch, now, old[0]))
                cur.execute("INSERT INTO import_change (batch_id, measurement_id, action, previous_json) "
                            "VALUES (?, ?, 'updated', ?)", (batch, old[0], json.dumps(dict(zip(fields, map(to_iso, old[1:]))))))
                report.updated += 1
        cur.execute("UPDATE import_batch SET created_count = ?, updated_count = ?, unchanged_count = ?, "
                    "finished_at = ? WHERE id = ?", (report.created, report.updated, report.unchanged,
                                                     to_iso(utcnow()), batch))
        report.batch_id = batch
        if report.dry_run:
            report.batch_id = None
            raise _Rollback()


class _Rollback(Exception):
    pass
