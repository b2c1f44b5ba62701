"""The HR workbook for one period (openpyxl): a Summary sheet with one row per technician as a real
Excel table (filters, banded rows, frozen header), then one sheet per technician with the detail.

Every string goes through xlsx_safe.put (formula-injection guard); percentages are stored as
fractions with 0.0 %, hours with 0.0 "h", so HR can aggregate the numbers instead of parsing text.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from kpidesk.export.content import AppraisalReport
from kpidesk.export.formats import excel_number, fmt_target, trend_label
from kpidesk.export.xlsx_safe import (
    HEADER_FONT,
    WRAP,
    add_table,
    autosize,
    header_row,
    put,
    put_row,
    safe_sheet_title,
    safe_table_name,
    save_atomic,
)

RATING_FMT = "0.0"
SUMMARY_LEAD = ["Name", "Team", "Role", "Period", "Status", "Version", "Overall rating"]
SUMMARY_TAIL = ["Goals", "Manager", "Manager signed", "Technician acknowledged", "Detail sheet"]


def kpi_columns(reports: Sequence[AppraisalReport]) -> list[tuple[str, str]]:
    """(KPI name, unit) in order of first appearance across the reports' role profiles."""
    seen: dict[str, str] = {}
    for r in reports:
        for k in r.kpis:
            seen.setdefault(k.name, k.unit)
    return list(seen.items())


def build_workbook(reports: Sequence[AppraisalReport], period: str) -> Workbook:
    reports = sorted(reports, key=lambda r: (r.surname_first[0].lower(), r.surname_first[1].lower()))
    wb = Workbook()
    summary = wb.active
    taken: set[str] = set()
    summary.title = safe_sheet_title("Summary", taken)
    detail_titles = [safe_sheet_title(f"{r.surname_first[0]}, {r.surname_first[1]}".strip(", "), taken)
                     for r in reports]
    _summary_sheet(summary, reports, period, detail_titles)
    for r, title in zip(reports, detail_titles):
        _detail_sheet(wb.create_sheet(title), r)
    return wb


def write_workbook(reports: Sequence[AppraisalReport], period: str, dest: str | Path) -> Path:
    """Build and save the workbook atomically (<file>.tmp, fsync, os.replace)."""
    return save_atomic(build_workbook(reports, period), dest)


# Summary -------------------------------------------------------------------------------------

def _summary_sheet(ws: Worksheet, reports: Sequence[AppraisalReport], period: str, titles: list[str]) -> None:
    kpis = kpi_columns(reports)
    headers = list(SUMMARY_LEAD)
    for name, _unit in kpis:
        headers += [f"{name} value", f"{name} rating"]
    headers += SUMMARY_TAIL
    header_row(ws, 1, headers)
    for i, (r, title) in enumerate(zip(reports, titles), start=2):
        by_name = {k.name: k for k in r.kpis}
        row: list[Any] = [r.technician, r.team, r.role, r.period, r.status, r.version, r.overall_rating]
        fmts: list[str | None] = [None] * 6 + [RATING_FMT]
        for name, unit in kpis:
            k = by_name.get(name)
            value, fmt = excel_number(k.value if k else None, unit)
            row += [value, k.rating if k and k.rated else None]
            fmts += [fmt, RATING_FMT]
        row += [len(r.goals), r.manager, r.manager_signed_at, r.technician_ack_at, title]
        fmts += ["0", None, None, None, None]
        put_row(ws, i, row, fmts)
    last = len(reports) + 1
    add_table(ws, 1, last, len(headers), safe_table_name(f"Summary_{period}", set()))
    autosize(ws, max_width=28)
    for cell in ws[1]:
        cell.alignment = WRAP


# Detail --------------------------------------------------------------------------------------

def _detail_sheet(ws: Worksheet, r: AppraisalReport) -> None:
    row = 1
    put(ws, row, 1, r.title).font = HEADER_FONT
    row += 2
    facts = [("Technician", r.technician), ("Team", r.team), ("Role", r.role), ("Period", r.period_label or r.period),
             ("Manager", r.manager), ("Status", r.status), ("Version", r.version),
             ("Manager signed", r.manager_signed_at), ("Technician acknowledged", r.technician_ack_at),
             ("Overall rating", r.overall_rating), ("Proposed rating", r.proposed_rating),
             ("Override reason", r.override_reason),
             ("Left out of the proposal (no data)", ", ".join(r.left_out))]
    for label, value in facts:
        put(ws, row, 1, label).font = HEADER_FONT
        put(ws, row, 2, value, RATING_FMT if isinstance(value, float) else None)
        row += 1
    row += 1
    row = _kpi_block(ws, r, row)
    row = _trend_block(ws, r, row)
    row = _context_block(ws, r, row)
    row = _text_block(ws, row, "Speed and quality", "\n".join(r.readings))
    if r.escalation_reading:
        row = _text_block(ws, row, "Escalations", r.escalation_reading)
    row = _text_block(ws, row, "Strengths", r.strengths)
    row = _text_block(ws, row, "Support and training needed", r.support)
    row = _goals_block(ws, r, row)
    row = _text_block(ws, row, "Manager's comments", r.manager_comment)
    row = _text_block(ws, row, "Technician's comments", r.technician_comment)
    _text_block(ws, row, "Summary", r.summary)
    autosize(ws, max_width=48)
    ws.column_dimensions["B"].width = max(ws.column_dimensions["B"].width or 0, 24)


def _kpi_block(ws: Worksheet, r: AppraisalReport, row: int) -> int:
    put(ws, row, 1, "Role KPIs").font = HEADER_FONT
    row += 1
    header_row(ws, row, ["KPI", "Unit", "Value", "Own baseline", "Target", "Status", "Trend", "Rating", "Rated",
                         "Weight", "Comment"])
    for ws_col in range(1, 12):
        ws.cell(row=row, column=ws_col).alignment = WRAP
    for k in r.kpis:
        row += 1
        value, fmt = excel_number(k.value, k.unit)
        base, _ = excel_number(k.baseline, k.unit)
        trend = trend_label([p.value for p in k.trend] or [k.value], k.direction, k.band)
        rated = "yes" if k.rateable else "no data: not rated" if k.rated else "no (reported only)"
        put_row(ws, row, [k.name, k.unit, value, base, fmt_target(k.target, k.unit, k.direction, k.band), k.status,
                          trend, k.rating if k.rateable else None, rated, k.weight, k.rating_comment or k.note],
                [None, None, fmt, fmt, None, None, None, RATING_FMT, None, "0.0", None])
    return row + 2


def _trend_block(ws: Worksheet, r: AppraisalReport, row: int) -> int:
    periods: list[str] = []
    for k in r.kpis:
        for p in k.trend:
            if p.period not in periods:
                periods.append(p.period)
    if not periods:
        return row
    periods.sort()
    put(ws, row, 1, "Trend by period").font = HEADER_FONT
    row += 1
    header_row(ws, row, ["KPI"] + periods)
    for k in r.kpis:
        row += 1
        put(ws, row, 1, k.name)
        by_period = {p.period: p.value for p in k.trend}
        for j, period in enumerate(periods, start=2):
            value, fmt = excel_number(by_period.get(period), k.unit)
            put(ws, row, j, value, fmt)
    return row + 2


def _context_block(ws: Worksheet, r: AppraisalReport, row: int) -> int:
    put(ws, row, 1, "Team context (not rated)").font = HEADER_FONT
    row += 1
    header_row(ws, row, ["Team measure", "This period", "Previous period", "Note"])
    for c in r.context:
        row += 1
        value, fmt = excel_number(c.value, c.unit)
        prev, _ = excel_number(c.previous, c.unit)
        put_row(ws, row, [c.name, value, prev, c.note or "context, not rated"], [None, fmt, fmt, None])
    return row + 2


def _goals_block(ws: Worksheet, r: AppraisalReport, row: int) -> int:
    put(ws, row, 1, "Goals for the next period").font = HEADER_FONT
    row += 1
    header_row(ws, row, ["Goal", "KPI", "Target", "Due", "Not yet SMART"])
    for g in r.goals:
        row += 1
        put_row(ws, row, [g.text, g.kpi, g.target, g.due, "; ".join(g.smart_problems)])
    return row + 2


def _text_block(ws: Worksheet, row: int, title: str, text: str) -> int:
    put(ws, row, 1, title).font = HEADER_FONT
    put(ws, row, 2, text or "").alignment = WRAP
    return row + 2
