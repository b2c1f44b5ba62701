"""The offline self-assessment form: one .xlsx per technician and period, filled in in any
spreadsheet app and read back. Pure file functions: no database, no Qt (only the caller loads this).

- Every cell goes through xlsx_safe.put: no cell is ever a formula. Only the yellow cells are unlocked.
- A very hidden sheet "kpidesk" holds the form id, technician, period, scale, format version and a
  JSON map of the editable cells ({"kpi:12:rating": "G9", ...}); reading trusts that map only.
- The digest: SHA-256 over (sheet, coordinate, canonical value) of every non-empty cell of every
  sheet except the editable cells, the hidden sheet and so the map included. Strings stripped with
  line ends unified, numbers repr(round(float, 6)), dates ISO; styles, widths, merges, protection
  and sheet state left out, so it survives another app's save (LibreOffice's is tested). The caller
  compares it with write_form's and checks id, technician and period; this module only computes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from kpidesk.errors import KpiDeskError
from kpidesk.export.atomic import atomic_path
from kpidesk.export.formats import excel_number
from kpidesk.export.xlsx_safe import put

FORM_SHEET = "Self-assessment"
ID_SHEET = "kpidesk"
FORMAT = "kpidesk-self-assessment"
VERSION = 1
MAX_TEXT = 2000  # characters per answer cell
MAX_BYTES = 20 * 1024 * 1024  # a form is some 10 KB; anything near this is not one
GOAL_ROWS = 5
TEXT_BLOCKS = {"went_well": "What went well this period?", "got_in_way": "What got in the way?",
               "support": "What support would you like?"}
HEADERS = ("KPI", "Unit", "This period", "Target", "Previous", "Better when", "Your rating ({lo}\u2013{hi})",
           "Why (one or two sentences)")
WIDTHS = (34, 7, 12, 11, 11, 12, 13, 54)
LAST_COL = "H"
YELLOW, GREY, HEAD = "FFF2CC", "E7E6E6", "D9E1F2"
_SIDE = Side(style="thin", color="A6A6A6")
BORDER = Border(left=_SIDE, right=_SIDE, top=_SIDE, bottom=_SIDE)


class FormRefused(KpiDeskError):
    """A returned form that cannot be taken; the message names the file and, where it can, the cell."""


@dataclass
class FormKpi:
    kpi_id: int
    name: str
    unit: str  # '%', 'h', '' ...
    direction: str  # 'higher' | 'lower': which way is better
    value: float | None  # this period; None = no value ("none", never 0)
    target: float | None
    previous: float | None  # None if unknown
    rated: bool = True  # False: a team outcome, shown but not rated


@dataclass
class FormGoal:
    text: str
    summary: str  # "goal: FCR 80 % by 31 Mar 2027; now 76 %, up from 65 %"


@dataclass
class FormContent:
    form_id: str  # opaque (uuid4 hex), hidden in the file
    technician_id: int
    technician: str
    period: str  # '2026-Q3'
    period_label: str  # 'Jul–Sep 2026'
    role: str
    manager: str  # may be ''
    organisation: str  # may be ''
    scale: tuple[int, int]
    scale_words: list[str]  # one word per point
    kpis: list[FormKpi]
    goals: list[FormGoal]
    due: dt.date | None = None


@dataclass
class FormAnswers:
    form_id: str
    technician_id: int
    period: str
    ratings: dict[int, dict] = field(default_factory=dict)  # every rated KPI: {"rating": int|None, "why": str}
    went_well: str = ""
    got_in_way: str = ""
    support: str = ""
    goals: list[str] = field(default_factory=list)  # non-blank proposed goals, in row order
    locked_digest: str = ""


# Writing

def write_form(content: FormContent, path: str | Path) -> str:
    """Write the form atomically and return the digest of its locked cells, computed from the file
    written by the same code read_form uses."""
    lo, hi = content.scale
    if lo >= hi:
        raise ValueError(f"rating scale {content.scale} is not low < high")
    wb = Workbook()
    ws = wb.active
    ws.title = FORM_SHEET
    editable = _layout(ws, content)
    hidden = wb.create_sheet(ID_SHEET)
    rows = (("KPI Desk self-assessment form: do not edit this sheet.", ""), ("format", FORMAT),
            ("version", str(VERSION)), ("form_id", content.form_id), ("technician_id", str(content.technician_id)),
            ("period", content.period), ("technician", content.technician), ("scale", f"{lo} to {hi}"),
            ("editable", json.dumps(editable, sort_keys=True)))
    for r, (key, value) in enumerate(rows, start=1):
        put(hidden, r, 1, key)
        put(hidden, r, 2, value)
    hidden.protection.sheet = True
    hidden.sheet_state = "veryHidden"
    wb.properties.title = f"Self-assessment {content.technician}, {content.period_label}"[:200]
    wb.properties.creator = "KPI Desk"
    wb.custom_doc_props.append(StringProperty(name="kpidesk_form_id", value=content.form_id))
    with atomic_path(path) as tmp:
        wb.save(tmp)
        return locked_digest(tmp)


def _layout(ws: Worksheet, c: FormContent) -> dict[str, str]:
    """Lay the form out on `ws`; return the map of editable cells."""
    lo, hi = c.scale
    for i, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.sheet_view.showGridLines = False
    editable: dict[str, str] = {}
    back_to = c.manager or "your manager"
    _line(ws, 1, f"Self-assessment \u2014 {c.technician}, {c.period_label}", _font(bold=True, size=15), 26)
    about = [f"Role: {c.role}" if c.role else "", f"Organisation: {c.organisation}" if c.organisation else "",
             f"Manager: {c.manager}" if c.manager else "", f"Please return by {c.due:%d %b %Y}" if c.due else ""]
    _line(ws, 2, "   \u00b7   ".join(a for a in about if a) or c.period, _font(), 18)
    _line(ws, 3, "Fill in the yellow cells only; the rest is locked. Save as .xlsx and send it back to "
          f"{back_to}.", _font(italic=True), 18)
    words = [f"{p} = {c.scale_words[i]}" if i < len(c.scale_words) and c.scale_words[i] else str(p)
             for i, p in enumerate(range(lo, hi + 1))]
    _line(ws, 4, f"Rating scale ({hi} is best):   " + "   \u00b7   ".join(words), _font(size=10), 30)
    row = 6
    for col, title in enumerate(HEADERS, start=1):
        _box(put(ws, row, col, title.format(lo=lo, hi=hi)), fill=HEAD, bold=True)
    ws.row_dimensions[row].height = 30
    ws.freeze_panes = f"A{row + 1}"  # the title lines and the table's header stay in view
    dv = DataValidation(type="whole", operator="between", formula1=str(lo), formula2=str(hi), allow_blank=True,
                        showErrorMessage=True, errorTitle="Rating", error=f"Please type a whole number from "
                        f"{lo} to {hi}, or leave the cell blank.", showInputMessage=True, promptTitle="Your rating",
                        prompt=f"A whole number from {lo} to {hi} ({hi} is best). Leave blank to not rate.")
    ws.add_data_validation(dv)
    for k in c.kpis:
        row += 1
        _box(put(ws, row, 1, k.name))
        _box(put(ws, row, 2, k.unit), align="center")
        for col, v in ((3, k.value), (4, k.target), (5, k.previous)):
            num, fmt = excel_number(v, k.unit)
            if num is None:  # "none", never 0
                _box(put(ws, row, col, "none"), align="right", grey_text=True)
            else:
                _box(put(ws, row, col, num, fmt), align="right")
        _box(put(ws, row, 6, {"higher": "higher \u2191", "lower": "lower \u2193"}.get(k.direction, k.direction)),
             align="center")
        if k.rated:
            rating = _box(ws.cell(row, 7), fill=YELLOW, unlocked=True, align="center")
            _box(ws.cell(row, 8), fill=YELLOW, unlocked=True)
            dv.add(rating.coordinate)
            editable[f"kpi:{k.kpi_id}:rating"], editable[f"kpi:{k.kpi_id}:why"] = f"G{row}", f"H{row}"
        else:
            _box(put(ws, row, 7, "team outcome (not rated)"), fill=GREY, align="center", grey_text=True)
            _box(ws.cell(row, 8), fill=GREY)
        ws.row_dimensions[row].height = max(32, 15 * _lines(k.name, WIDTHS[0]))
    if not c.kpis:
        row += 1
        _line(ws, row, "No KPIs for this period.", _font(italic=True), 18)
    row += 2
    _line(ws, row, "Last period's goals", _font(bold=True, size=12), 20)
    row += 1
    if not c.goals:
        _line(ws, row, "No goals were set last time.", _font(italic=True), 18)
    else:
        _box(put(ws, row, 1, "Goal"), fill=HEAD, bold=True, merge_to="C")
        _box(put(ws, row, 4, "Where it stands"), fill=HEAD, bold=True, merge_to=LAST_COL)
        for g in c.goals:
            row += 1
            _box(put(ws, row, 1, g.text), merge_to="C")
            _box(put(ws, row, 4, g.summary), merge_to=LAST_COL)
            ws.row_dimensions[row].height = 15 * max(2, _lines(g.text, 55), _lines(g.summary, 100))
    ws.row_breaks.append(Break(id=row + 1))  # the questions start a page of their own
    for key, question in TEXT_BLOCKS.items():
        row += 2
        _line(ws, row, question, _font(bold=True, size=12), 20)
        row += 1
        _box(ws.cell(row, 1), fill=YELLOW, unlocked=True, merge_to=LAST_COL)
        ws.row_dimensions[row].height = 80
        editable[key] = f"A{row}"
    row += 2
    _line(ws, row, "Goals you propose for next period (one per row)", _font(bold=True, size=12), 20)
    for n in range(1, GOAL_ROWS + 1):
        row += 1
        _box(put(ws, row, 1, f"Goal {n}"), bold=True)
        _box(ws.cell(row, 2), fill=YELLOW, unlocked=True, merge_to=LAST_COL)
        ws.row_dimensions[row].height = 32
        editable[f"goal:{n}"] = f"B{row}"
    _line(ws, row + 2, f"Thank you. Save the file as .xlsx, keep its name, and send it back to {back_to}.",
          _font(italic=True), 18)
    # A guard against accidents, no password (the digest is the check); resizing stays allowed.
    ws.protection.sheet = True
    ws.protection.formatColumns = ws.protection.formatRows = False
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "Page &P of &N"
    return editable


def _line(ws: Worksheet, row: int, text: str, font: Font, height: float) -> None:
    """One full-width line of text (merged A:H)."""
    cell = put(ws, row, 1, text)
    cell.font = font
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells(f"A{row}:{LAST_COL}{row}")
    ws.row_dimensions[row].height = max(height, 15 * _lines(text, sum(WIDTHS)))


def _box(cell: Cell, fill: str | None = None, bold: bool = False, unlocked: bool = False, align: str = "left",
         grey_text: bool = False, merge_to: str | None = None) -> Cell:
    """Style one form cell (thin border, wrapped); optionally merge it rightwards to column `merge_to`."""
    cell.border = BORDER
    cell.alignment = Alignment(wrap_text=True, vertical="top" if unlocked and align == "left" else "center",
                               horizontal=align)
    if fill:
        cell.fill = PatternFill("solid", fgColor=fill)
    if bold or grey_text:
        cell.font = _font(bold=bold, italic=grey_text, color="7F7F7F" if grey_text else None)
    if unlocked:
        cell.protection = Protection(locked=False)
    if merge_to:
        ws = cell.parent
        ws.merge_cells(f"{cell.coordinate}:{merge_to}{cell.row}")
        for col in range(cell.column + 1, column_index_from_string(merge_to) + 1):
            ws.cell(cell.row, col).border = BORDER
    return cell


def _font(**kw: Any) -> Font:
    return Font(name="Calibri", **{"size": 11, **kw})


def _lines(text: str, width: int) -> int:
    return sum(max(1, math.ceil(len(part) / max(1, width - 2))) for part in (text or "").split("\n"))


# Reading

def read_form(path: str | Path) -> FormAnswers:
    """Read a returned form; raise FormRefused (naming the file and the cell) when it cannot be taken."""
    path = Path(path)
    wb = _load(path)
    meta, editable = _meta(wb, path)
    values = _values(wb)
    form = values[FORM_SHEET]
    answers = FormAnswers(form_id=meta["form_id"], technician_id=meta["technician_id"], period=meta["period"],
                          locked_digest=_digest(values, editable))
    lo, hi = meta["scale"]
    for key in sorted(editable, key=_key_order):
        coord = editable[key]
        where = f"{path.name}: Sheet '{FORM_SHEET}', cell {coord}"
        kind, _, rest = key.partition(":")
        if kind == "kpi":
            kpi_id, what = int(rest.split(":")[0]), rest.split(":")[1]
            entry = answers.ratings.setdefault(kpi_id, {"rating": None, "why": ""})
            if what == "rating":
                name = _text(form.get(f"A{coordinate_to_tuple(coord)[0]}")) or f"KPI {kpi_id}"
                entry["rating"] = _rating(form.get(coord), lo, hi, f"{where} ({name})")
                continue
        text = _text(form.get(coord))
        if len(text) > MAX_TEXT:
            raise FormRefused(f"{where}: the text is {len(text):,} characters long; please keep it to {MAX_TEXT:,}.")
        if kind == "kpi":
            entry["why"] = text
        elif kind == "goal":
            if text:
                answers.goals.append(text)
        else:
            setattr(answers, key, text)
    return answers


def locked_digest(path: str | Path) -> str:
    """The digest read_form reports, for a form file (FormRefused if it is not one)."""
    path = Path(path)
    wb = _load(path)
    return _digest(_values(wb), _meta(wb, path)[1])


def _load(path: Path) -> Workbook:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FormRefused(f"Cannot open {path.name}: {exc.strerror or exc}.") from None
    if size > MAX_BYTES:
        raise FormRefused(f"{path.name} is not a KPI Desk self-assessment: it is far too large ({size:,} bytes).")
    try:
        with path.open("rb") as fh:  # a file object: the name's extension does not matter
            return openpyxl.load_workbook(fh, data_only=True)
    except Exception:  # noqa: BLE001 (a damaged or foreign file raises anything from zipfile to lxml)
        raise FormRefused(f"{path.name} is not an .xlsx workbook or cannot be read. "
                          "Please save the form as Excel (.xlsx) and send it again.") from None


def _meta(wb: Workbook, path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The hidden sheet's values and the editable-cell map; FormRefused if absent or damaged."""
    not_ours = f"{path.name} is not a KPI Desk self-assessment"
    if ID_SHEET not in wb.sheetnames:
        raise FormRefused(f"{not_ours} (it has no hidden form id). Please send back the form you were given.")
    pairs = {_text(r[0]): r[1] for r in wb[ID_SHEET].iter_rows(min_col=1, max_col=2, values_only=True) if r[0]}
    if _text(pairs.get("format")) != FORMAT or not _text(pairs.get("form_id")):
        raise FormRefused(f"{not_ours} (its hidden form id is missing or altered).")
    try:
        version = int(_text(pairs.get("version")))
        lo, hi = (int(p) for p in _text(pairs.get("scale")).split(" to "))
        meta = {"form_id": _text(pairs["form_id"]), "technician_id": int(_text(pairs.get("technician_id"))),
                "period": _text(pairs.get("period")), "scale": (lo, hi)}
        editable = json.loads(_text(pairs.get("editable")))
        for key, coord in editable.items():  # every key one this module writes, every value a cell
            coordinate_to_tuple(coord)
            kind, _, rest = key.partition(":")
            if kind == "kpi":
                kpi_id, what = rest.split(":")
                int(kpi_id)
            if not (kind == "kpi" and what in ("rating", "why") or kind == "goal" and int(rest) or key in TEXT_BLOCKS):
                raise ValueError(key)
    except (ValueError, TypeError, KeyError, AttributeError):
        raise FormRefused(f"{not_ours} (its hidden part, sheet '{ID_SHEET}', is damaged).") from None
    if version > VERSION:
        raise FormRefused(f"{path.name} was made by a newer KPI Desk (form version {version}); please update.")
    if FORM_SHEET not in wb.sheetnames:
        raise FormRefused(f"{path.name}: the sheet '{FORM_SHEET}' is missing (renamed or deleted).")
    return meta, editable


def _values(wb: Workbook) -> dict[str, dict[str, Any]]:
    """{sheet name: {coordinate: value}} for every non-empty cell of every sheet."""
    return {ws.title: {cell.coordinate: cell.value for row in ws.iter_rows() for cell in row
                       if _canon(cell.value) is not None} for ws in wb.worksheets}


def _digest(values: dict[str, dict[str, Any]], editable: dict[str, str]) -> str:
    skip = set(editable.values())
    items = sorted((sheet, coordinate_to_tuple(coord), coord, _canon(value))
                   for sheet, cells in values.items() for coord, value in cells.items()
                   if not (sheet == FORM_SHEET and coord in skip))
    text = json.dumps([[s, coord, v] for s, _rc, coord, v in items], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canon(value: Any) -> str | None:
    """A cell's value as another spreadsheet app's save keeps it; None for an empty cell ('' too)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(round(float(value), 6) + 0.0)  # + 0.0: -0.0 reads as 0.0
    if isinstance(value, dt.timedelta):
        return repr(value.total_seconds())
    return _text(value) or None  # dates ISO, midnight as the date alone


def _text(value: Any) -> str:
    """A cell as answer text: stripped, line ends unified; a number typed in a text cell as written."""
    if value is None:
        return ""
    value = int(value) if isinstance(value, float) and value.is_integer() else value
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        value = value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _rating(value: Any, lo: int, hi: int, where: str) -> int | None:
    """A whole number on the scale ('4', 4 and 4.0 alike); blank is None; anything else refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not number.is_integer() or not lo <= number <= hi:
        shown = _text(value)
        shown = shown if len(shown) <= 40 else shown[:40] + "\u2026"
        raise FormRefused(f"{where}: the rating must be a whole number from {lo} to {hi} (or blank), not '{shown}'.")
    return int(number)


def _key_order(key: str) -> tuple[int, str]:
    kind, _, rest = key.partition(":")
    return (int(rest) if kind == "goal" else 0, key)
