"""Writing cells HR can open safely (openpyxl).

Formula injection (RELIABILITY-NOTES 6, OWASP ASVS 5.0 V1.2.10): openpyxl stores any string that
starts with "=" as a live formula, and Excel/LibreOffice also evaluate text starting with +, -, @,
a tab or a carriage return. A technician's comment or an imported category is untrusted text, so
every string goes through `put()`: such strings are forced to data_type "s" and styled quotePrefix,
which keeps the literal text (no added apostrophe when read back) and tells Excel it is text.
No cell we write ever has data_type "f".
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from kpidesk.export.atomic import atomic_path
from kpidesk.export.formats import DATE, DATETIME, DECIMAL, HOURS, INTEGER, PCT, SCORE  # noqa: F401  (re-exported)

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot carry: openpyxl raises IllegalCharacterError on them.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
WRAP = Alignment(wrap_text=True, vertical="top")


def is_dangerous(text: str) -> bool:
    return text.startswith(DANGEROUS_PREFIXES)


def put(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None) -> Cell:
    """Write one value. Strings are cleaned and never become formulas; numbers keep their type and
    get `number_format`; dates stay dates."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        text = _ILLEGAL.sub("", value)
        cell.value = text
        # Set after the value: openpyxl has just guessed "f" for "=..."; we overrule the guess.
        cell.data_type = "s"
        if is_dangerous(text):
            cell.quotePrefix = True
    elif isinstance(value, bool):
        cell.value = "yes" if value else "no"
    elif isinstance(value, (int, float)):
        cell.value = value
        if number_format:
            cell.number_format = number_format
    elif isinstance(value, dt.datetime):
        cell.value = value.replace(tzinfo=None)
        cell.number_format = number_format or DATETIME
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = number_format or DATE
    elif value is None:
        cell.value = None
    else:
        return put(ws, row, col, str(value), number_format)
    return cell


def put_row(ws: Worksheet, row: int, values: Iterable[Any], formats: Iterable[str | None] | None = None) -> None:
    fmts = list(formats or [])
    for i, v in enumerate(values):
        put(ws, row, i + 1, v, fmts[i] if i < len(fmts) else None)


def header_row(ws: Worksheet, row: int, headers: Iterable[str]) -> None:
    for i, h in enumerate(headers):
        c = put(ws, row, i + 1, h)
        c.font = HEADER_FONT
        c.fill = HEADER_FILL


def safe_sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet title: no []:*?/\\, no leading/trailing apostrophe, at most 31 chars,
    unique case-insensitively (Excel's rule). Adds ' (2)' etc. on a clash and records the result."""
    base = _SHEET_BAD.sub("_", _ILLEGAL.sub("", name)).strip().strip("'").strip() or "Sheet"
    if base.lower() == "history":  # reserved by Excel
        base = "History_"
    title, n = base[:31], 2
    lowered = {t.lower() for t in taken}
    while title.lower() in lowered:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)].rstrip() + suffix, n + 1
    taken.add(title)
    return title


def safe_table_name(name: str, taken: set[str]) -> str:
    """Excel table names: letters, digits, underscore; start with a letter; unique in the workbook."""
    base = re.sub(r"\W", "_", name, flags=re.ASCII) or "Table"
    if not base[0].isalpha():
        base = "T_" + base
    title, n = base[:200], 2
    while title.lower() in {t.lower() for t in taken}:
        title, n = f"{base[:195]}_{n}", n + 1
    taken.add(title)
    return title


def add_table(ws: Worksheet, first_row: int, last_row: int, n_cols: int, name: str) -> Table:
    """Make the block a proper Excel table (filters, banded rows) and freeze its header row.
    An Excel table needs at least one data row, so an empty block gets no table, only the header."""
    ref = f"A{first_row}:{get_column_letter(n_cols)}{max(last_row, first_row + 1)}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)
    return table


def autosize(ws: Worksheet, min_width: int = 8, max_width: int = 60) -> None:
    """Rough column widths from the longest text (openpyxl has no autofit)."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None:
                longest = max(len(s) for s in str(c.value).split("\n"))
                widths[c.column] = max(widths.get(c.column, 0), longest)
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(min_width, min(max_width, w + 2))


def save_atomic(wb: Workbook, dest: str | Path) -> Path:
    """Save through <file>.tmp, fsync, os.replace (HOUSE-STYLE 12)."""
    with atomic_path(dest) as tmp:
        wb.save(tmp)
    return Path(dest)
