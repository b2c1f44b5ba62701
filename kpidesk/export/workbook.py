"""The HR workbook for one period (openpyxl): a Summary sheet with one row per technician as a real
Excel table (filters, banded rows, frozen header), then one sheet per technician with the detail.
An export of a review cycle (a quarter, half-year or year) adds a Cycle sheet after the Summary:
every member of the cycle, not only those exported, with how far each one's check-in has got, under
a headline that never calls the cycle complete while one of them is unsigned (issue 17).

Every string goes through xlsx_safe.put (formula-injection guard); percentages are stored as
fractions with 0.0 %, hours with 0.0 "h", so HR can aggregate the numbers instead of parsing text.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from kpidesk.export.content import AppraisalReport, ExportCycle
from kpidesk.export.formats import DATETIME, excel_number, fmt_target, trend_label
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
CYCLE_HEADERS = ["Technician", "Team", "Role", "State", "Started", "Signed", "Signed by", "Acknowledged",
                 "Overall rating", "Self-assessment received", "Self-assessment received on", "Overdue"]
CYCLE_SHEET = "Cycle"


def kpi_columns(reports: Sequence[AppraisalReport]) -> list[tuple[str, str]]:
    """(KPI name, unit) in order of first appearance across the reports' role profiles."""
    seen: dict[str, str] = {}
    for r in reports:
        for k in r.kpis:
            seen.setdefault(k.name, k.unit)
    return list(seen.items())


def build_workbook(reports: Sequence[AppraisalReport], period: str, cycle: ExportCycle | None = None) -> Workbook:
    """`cycle`: the review cycle the period is (None for a month: no Cycle sheet)."""
    reports = sorted(reports, key=lambda r: (r.surname_first[0].lower(), r.surname_first[1].lower()))
    wb = Workbook()
    summary = wb.active
    taken: set[str] = set()
    summary.title = safe_sheet_title("Summary", taken)
    cycle_title = safe_sheet_title(CYCLE_SHEET, taken) if cycle is not None else ""
    detail_titles = [safe_sheet_title(f"{r.surname_first[0]}, {r.surname_first[1]}".strip(", "), taken)
                     for r in reports]
    _summary_sheet(summary, reports, period, detail_titles)
    if cycle is not None:
        _cycle_sheet(wb.create_sheet(cycle_title), cycle)
    for r, title in zip(reports, detail_titles):
        _detail_sheet(wb.create_sheet(title), r)
    return wb


def write_workbook(reports: Sequence[AppraisalReport], period: str, dest: str | Path,
                   cycle: ExportCycle | None = None) -> Path:
    """Build and save the workbook atomically (<file>.tmp, fsync, os.replace)."""
    return save_atomic(build_workbook(reports, period, cycle), dest)


# Cycle ---------------------------------------------------------------------------------------

def _second(when: dt.datetime | None) -> dt.datetime | None:
    return when.replace(microsecond=0) if when is not None else None


def _cycle_sheet(ws: Worksheet, cycle: ExportCycle) -> None:
    """Headline, due date, then one row per member as an Excel table. Dates are Excel dates, yes/no
    as text; every string through put()."""
    s = cycle.status
    put(ws, 1, 1, cycle.headline()).font = HEADER_FONT
    due = f"Due {s.due:%d %b %Y}"
    if s.overdue_members:
        due += f"; {len(s.overdue_members)} overdue by {s.days_overdue} day{'s' if s.days_overdue != 1 else ''}"
    put(ws, 2, 1, f"{due}. As of {s.today:%d %b %Y}; {s.start:%d %b %Y} to {s.last_day:%d %b %Y}.")
    first = 4
    header_row(ws, first, CYCLE_HEADERS)
    for i, m in enumerate(s.members, start=first + 1):
        put_row(ws, i, [m.technician, m.team, m.role, m.state, _second(m.started_at), _second(m.signed_at),
                        m.signed_by, _second(m.acknowledged_at), m.overall_rating, "yes" if m.self_received else "no",
                        _second(m.self_received_at), "yes" if m.overdue else "no"],
                [None, None, None, None, DATETIME, DATETIME, None, DATETIME, RATING_FMT, None, DATETIME, None])
    add_table(ws, first, first + len(s.members), len(CYCLE_HEADERS), safe_table_name(f"Cycle_{s.period}", set()))
    autosize(ws, max_width=28)  # the headline is wider: it overflows into the empty cells beside it
    for cell in ws[first]:
        cell.alignment = WRAP


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
