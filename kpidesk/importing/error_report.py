"""Saving rejected rows as an .xlsx error report the manager can fix and re-import from.

Every cell is written as text, never a formula: a rejected value is untrusted (it came from the
export) and openpyxl would store '=HYPERLINK(...)' as a live formula. Values starting with
= + - @ tab or CR are forced to data_type 's' with Excel's quote prefix (xlsx_safe.put).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from openpyxl import Workbook

from kpidesk.export.xlsx_safe import autosize, header_row, put, save_atomic
from kpidesk.importing.report import RejectedRow

COLUMNS = ("file", "sheet", "row", "column", "value", "reason")
HEADERS = ("File", "Sheet", "Row", "Column", "Value", "Reason")


def save_error_report(rows: Iterable[RejectedRow | dict[str, Any]], dest: str | Path) -> Path:
    """Write the rejected rows to `dest` (.xlsx), atomically. Returns the path written."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Rejected rows"
    header_row(ws, 1, HEADERS)
    n = 1
    for n, r in enumerate(rows, start=2):
        record = r if isinstance(r, dict) else vars(r)
        for col, key in enumerate(COLUMNS, start=1):
            value = record.get(key)
            if key == "row" and isinstance(value, int):
                put(ws, n, col, value)  # the row number stays a number, to sort by
            else:
                put(ws, n, col, "" if value is None else str(value))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:F{max(n, 1)}"
    autosize(ws)
    return save_atomic(wb, dest)
