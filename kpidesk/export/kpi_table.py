"""The dashboard's current KPI table to Excel: whatever rows the screen shows, as a filterable
Excel table with a frozen header, numbers kept as numbers in their unit's format.

    write_kpi_table(rows, dest, columns=[Column("KPI", "name"), Column("Value", "value", unit_key="unit")])

Rows are mappings or objects (dataclasses, records); a column reads `key` from each row. A value
column whose unit differs per row (MTTR in hours beside FCR in %) names the row field holding the
unit with `unit_key`. All text goes through the formula-injection guard.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from kpidesk.export.formats import excel_number

if TYPE_CHECKING:
    from openpyxl import Workbook


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    unit: str = ""  # a fixed unit for the whole column ('%', 'hours', ...)
    unit_key: str = ""  # or: the row field that holds each row's unit


def _get(row: Any, key: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(key)
    return getattr(row, key, None)


def build_kpi_table(rows: Sequence[Any], columns: Sequence[Column | str], *, sheet: str = "KPIs",
                    title: str = "") -> "Workbook":
    # openpyxl (and the writer over it) load on the first export: the screens that declare their
    # columns with Column are on the start path, and openpyxl costs 0.1-0.2 s to import.
    from openpyxl import Workbook

    from kpidesk.export.xlsx_safe import HEADER_FONT, add_table, autosize, header_row, put, safe_sheet_title, safe_table_name

    cols = [c if isinstance(c, Column) else Column(c, c) for c in columns]
    wb = Workbook()
    ws = wb.active
    ws.title = safe_sheet_title(sheet, set())
    first = 1
    if title:  # a caption row above the table (the table itself must start with its header)
        put(ws, 1, 1, title).font = HEADER_FONT
        first = 3
    header_row(ws, first, [c.header for c in cols])
    for i, row in enumerate(rows, start=first + 1):
        for j, col in enumerate(cols, start=1):
            value = _get(row, col.key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                unit = str(_get(row, col.unit_key) or "") if col.unit_key else col.unit
                number, fmt = excel_number(float(value), unit)
                put(ws, i, j, number if number is not None else value, fmt)
            elif isinstance(value, (str, dt.date, type(None), bool)):
                put(ws, i, j, value)
            else:
                put(ws, i, j, str(value))
    add_table(ws, first, first + len(rows), len(cols), safe_table_name(sheet, set()))
    autosize(ws)
    return wb


def write_kpi_table(rows: Sequence[Any], dest: str | Path, columns: Sequence[Column | str], *,
                    sheet: str = "KPIs", title: str = "") -> Path:
    """Save the table atomically to `dest` (.xlsx)."""
    from kpidesk.export.xlsx_safe import save_atomic

    return save_atomic(build_kpi_table(rows, columns, sheet=sheet, title=title), dest)
