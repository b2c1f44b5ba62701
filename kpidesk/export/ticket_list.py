"""The tickets behind a value as a workbook (the drill-down's Export): one sheet, a title block saying
whose tickets, which period and what they add up to, then one formula-free row per ticket."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from kpidesk.export import xlsx_safe
from kpidesk.metrics.evidence import LINE_COLUMNS, METRIC_TITLES, Evidence, summary_text

_HOURS = "0.0"


def write_ticket_list(ev: Evidence, dest: str | Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Tickets"
    who = "Whole desk" if ev.scope_key == "desk" else ev.who
    what = METRIC_TITLES.get(ev.metric or "", "Resolved tickets")
    segment = f", {ev.segment}" if ev.segment else ""
    xlsx_safe.put(ws, 1, 1, f"{what}: the tickets behind it").font = Font(bold=True, size=13)
    xlsx_safe.put(ws, 2, 1, f"{who}, {ev.period.key}{segment}")
    xlsx_safe.put(ws, 3, 1, summary_text(ev))
    first = 5
    xlsx_safe.header_row(ws, first, [h for _k, h in LINE_COLUMNS])
    for i, line in enumerate(ev.lines, start=first + 1):
        d = line.to_json()
        values = [line.created_at if k == "created" else line.resolved_at if k == "resolved" else d[k]
                  for k, _h in LINE_COLUMNS]
        xlsx_safe.put_row(ws, i, values, [_HOURS if k == "resolution_hours" else None for k, _h in LINE_COLUMNS])
    if ev.lines:
        xlsx_safe.add_table(ws, first, first + len(ev.lines), len(LINE_COLUMNS), "Tickets")
    ws.freeze_panes = ws.cell(row=first + 1, column=2)
    xlsx_safe.autosize(ws, max_width=40)
    return xlsx_safe.save_atomic(wb, dest)
