"""A column mapping as a file: what the import dialog decides, for the command line and scripts.

    kpidesk import FILE --show-mapping > map.json     # what auto detection would use, ready to edit
    kpidesk import FILE --mapping map.json            # import with it

    {
      "preset": "glpi",
      "columns": {"external_id": "ID", "created_at": "Fecha de apertura", ...},
      "status_categories": {"En curso (asignada)": "open", "Resuelto": "resolved", "Cerrado": "closed"},
      "priority_tiers": {"Mediana": 3, "Muy alta": 1},
      "day_first": true
    }

Every key is optional. `columns` maps ticket fields (presets.FIELD_LABELS) onto the file's headers;
the statuses and priorities shown by --show-mapping are the ones the file holds, each with what KPI
Desk would read it as (null: it does not know it yet; write the category or the tier there).
`imports --json` gives each past import's mapping in the same shape.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpidesk.errors import ImportFailed
from kpidesk.importing import presets
from kpidesk.importing.errors import BadValue
from kpidesk.importing.mappings import column_index, is_known_header, resolve_mapping
from kpidesk.importing.normalise import PriorityParser, parse_text
from kpidesk.importing.readers import Table, open_table
from kpidesk.importing.statuses import CATEGORIES, SERVICENOW_CODES, StatusMap

if TYPE_CHECKING:
    from kpidesk.store import Store

KEYS = ("preset", "columns", "status_categories", "priority_tiers", "day_first")
DISTINCT_MAX = 200  # statuses or priorities listed at most (a free-text column is not a status column)


def load(path: str | Path) -> dict[str, Any]:
    """Read and check a mapping file; ImportFailed with the file, and the line or key, when it is wrong."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ImportFailed(f"Cannot read the mapping file {path}: {exc.strerror or exc}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise ImportFailed(f"The mapping file {path.name} is not valid JSON{where}: "
                           f"{getattr(exc, 'msg', exc)}.") from None
    if not isinstance(doc, dict):
        raise ImportFailed(f"The mapping file {path.name} must hold one JSON object ({{\"columns\": ...}}).")
    unknown = sorted(set(doc) - set(KEYS))
    if unknown:
        raise ImportFailed(f"The mapping file {path.name} has unknown key(s) {', '.join(unknown)}; it may have "
                           f"{', '.join(KEYS)}.")
    columns = doc.get("columns")
    if columns is not None and not (isinstance(columns, dict) and all(isinstance(v, str) for v in columns.values())):
        raise ImportFailed(f"{path.name}: \"columns\" must map ticket fields to column headers (text).")
    bad_fields = sorted(set(columns or {}) - set(presets.FIELDS))
    if bad_fields:
        raise ImportFailed(f"{path.name}: unknown ticket field(s) in \"columns\": {', '.join(bad_fields)} (fields: "
                           f"{', '.join(presets.FIELDS)}).")
    statuses = doc.get("status_categories") or {}
    wrong = {k: v for k, v in statuses.items() if v is not None and v not in CATEGORIES}
    if not isinstance(statuses, dict) or wrong:
        raise ImportFailed(f"{path.name}: \"status_categories\" maps each status to open, resolved or closed "
                           f"(not {wrong or statuses!r}).")
    tiers = doc.get("priority_tiers") or {}
    if not isinstance(tiers, dict) or any(v is not None and v not in (1, 2, 3, 4) for v in tiers.values()):
        raise ImportFailed(f"{path.name}: \"priority_tiers\" maps each priority to a tier 1 to 4 (P1-P4).")
    if doc.get("day_first") not in (None, True, False):
        raise ImportFailed(f"{path.name}: \"day_first\" is true, false or null.")
    preset = doc.get("preset") or "auto"
    if preset != "auto" and preset != "generic" and preset not in presets.PRESETS:
        raise ImportFailed(f"{path.name}: unknown preset {preset!r}.")
    return {"preset": preset, "columns": columns,
            "status_categories": {k: v for k, v in statuses.items() if v is not None},
            "priority_tiers": {k: int(v) for k, v in tiers.items() if v is not None},
            "day_first": doc.get("day_first")}


def distinct_values(table: Table, mapping: dict[str, str], fields: tuple[str, ...],
                    max_rows: int | None = None) -> dict[str, dict[str, None]]:
    """{field: its distinct non-blank values, in file order} for the mapped `fields` (at most
    DISTINCT_MAX each), reading the first `max_rows` rows (all when None)."""
    wanted = {f: column_index(table.headers, mapping[f]) for f in fields if f in mapping}
    seen: dict[str, dict[str, None]] = {f: {} for f in wanted}
    done = 0
    for _numbers, cells in table.chunks(5000):
        for f, i in wanted.items():
            found = seen[f]
            if len(found) < DISTINCT_MAX:
                for cell in dict.fromkeys(row[i] if i < len(row) else None for row in cells):
                    text = parse_text(cell)
                    if text:
                        found.setdefault(text)
        done += len(cells)
        if max_rows is not None and done >= max_rows:
            break
    return seen


def describe(store: "Store | None", path: str | Path, *, sheet: str | None = None, preset: str = "auto",
             columns: dict[str, str] | None = None) -> dict[str, Any]:
    """The mapping auto detection (or `columns`) gives this file, with the statuses and priorities it
    holds and what each is read as: the document `load` takes back."""
    table = open_table(Path(path), sheet, known=is_known_header)
    if store is not None:
        chosen, mapping, _how = resolve_mapping(store, table.headers, preset, columns)
        stored_status = dict(store.get_setting("status_categories") or {})
        stored_tiers = dict(store.get_setting("priority_tiers") or {})
    else:
        from kpidesk.importing.mappings import check_mapping, detect_mapping

        chosen, mapping = (preset, dict(columns)) if columns else detect_mapping(table.headers, preset)
        check_mapping(mapping, table.headers)
        stored_status, stored_tiers = {}, {}
    status_map = StatusMap(stored_status, numeric_codes=SERVICENOW_CODES if chosen == "servicenow" else None)
    priority = PriorityParser(presets.priority_map(chosen) | stored_tiers)
    seen = distinct_values(table, mapping, ("status", "status_category", "priority"))
    statuses = {s: status_map(s) for f in ("status", "status_category") for s in seen.get(f, {})}
    tiers: dict[str, int | None] = {}
    for p in seen.get("priority", {}):
        try:
            tiers[p] = priority(p)
        except BadValue:
            tiers[p] = None
    return {"preset": chosen, "columns": dict(mapping), "status_categories": statuses, "priority_tiers": tiers,
            "day_first": None}
