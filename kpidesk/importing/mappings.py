"""Choosing a file's column mapping: an explicit one, a remembered one (column_mapping table, keyed
by the header signature), or the detected preset. Also the preview the mapping dialog shows."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from kpidesk.errors import ImportFailed
from kpidesk.importing import presets
from kpidesk.importing.presets import FIELDS, PRESETS, fold_header, header_signature, norm_header
from kpidesk.models import ColumnMapping, utcnow

if TYPE_CHECKING:
    from kpidesk.store import Store

_KNOWN: set[str] = {fold_header(a) for p in PRESETS.values() for al in p.aliases.values() for a in al}


def is_known_header(text: str) -> bool:
    """Does this look like a ticket export column name? (Used to find the header row and sheet.)"""
    key = fold_header(text)
    return key in _KNOWN or presets.folded_matches_generic(key)


def remembered_mapping(store: "Store", headers: list[str]) -> tuple[str, dict[str, str]] | None:
    sig = header_signature(headers)
    with store.read() as s:
        row = s.scalar(select(ColumnMapping).where(ColumnMapping.header_signature == sig))
        if row is None:
            return None
        return row.preset, dict(json.loads(row.mapping_json))


def remember_mapping(store: "Store", headers: list[str], preset: str, mapping: dict[str, str]) -> None:
    """Keep a confirmed mapping for files with the same headers (one row per signature)."""
    sig = header_signature(headers)
    with store.write() as s:
        row = s.scalar(select(ColumnMapping).where(ColumnMapping.header_signature == sig))
        if row is None:
            s.add(ColumnMapping(header_signature=sig, preset=preset, mapping_json=json.dumps(mapping)))
        else:
            row.preset, row.mapping_json, row.updated_at = preset, json.dumps(mapping), utcnow()


def detect_mapping(headers: list[str], preset: str = "auto") -> tuple[str, dict[str, str]]:
    if preset == "auto":
        return presets.detect_preset(headers)
    try:
        return preset, presets.mapping_for(preset, headers)
    except KeyError as exc:
        raise ImportFailed(str(exc.args[0])) from None


def resolve_mapping(store: "Store", headers: list[str], preset: str = "auto",
                    mapping: dict[str, str] | None = None) -> tuple[str, dict[str, str], str]:
    """(preset, mapping, how) where how is 'given', 'remembered' or 'detected'."""
    if mapping is not None:
        chosen = preset if preset != "auto" else presets.detect_preset(headers)[0]
        how = "given"
    else:
        remembered = remembered_mapping(store, headers) if preset == "auto" else None
        if remembered is not None:
            (chosen, mapping), how = remembered, "remembered"
        else:
            (chosen, mapping), how = detect_mapping(headers, preset), "detected"
    check_mapping(mapping, headers)
    return chosen, mapping, how


def check_mapping(mapping: dict[str, str], headers: list[str]) -> None:
    unknown = [f for f in mapping if f not in FIELDS]
    if unknown:
        raise ImportFailed(f"Unknown ticket field(s) in the mapping: {', '.join(unknown)}.")
    present = {norm_header(h) for h in headers}
    absent = [h for h in mapping.values() if norm_header(h) not in present]
    if absent:
        raise ImportFailed(f"The mapping names columns this file does not have: {', '.join(absent)}.")
    missing = presets.missing_required(mapping)
    if missing:
        raise ImportFailed(
            f"Cannot find the {' and the '.join(missing)} column in this file (its columns: "
            f"{', '.join(h for h in headers if h)[:300]}). Choose the columns in the import dialog, or "
            "pick the right preset with --preset.")


def column_index(headers: list[str], header: str) -> int:
    """First column with this header (Jira repeats some headers; the first is the one meant)."""
    key = norm_header(header)
    return next(i for i, h in enumerate(headers) if norm_header(h) == key)


def mapping_preview(headers: list[str], rows: list[list[Any]], mapping: dict[str, str]) -> list[dict[str, Any]]:
    """The first rows as {field: raw cell} for the mapping dialog's preview table."""
    idx = {f: column_index(headers, h) for f, h in mapping.items()}
    return [{f: (r[i] if i < len(r) else None) for f, i in idx.items()} for r in rows]
