"""Goals for the next period and the SMART check (issue 5, step f).

A goal is stored in a check-in's answers as a dict:
    {"text": "...", "kpi_id": 3, "kpi": "First-contact resolution", "unit": "%",
     "target_value": 80.0, "target": "80 %", "due": "2027-03-31", "smart_problems": [...]}
`target_value` is in the KPI's own unit (80.0 means 80 % for a '%' KPI), like the KPI's target.

SMART, as checked here (the parts a program can check; "achievable" and "relevant" stay with the
people in the room): specific (says what), measurable (tied to a KPI that exists), with a target
value, and time-bound (a due date after the end of the check-in's period).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Optional

from kpidesk.units import is_percent


def parse_due(value: Any) -> Optional[dt.date]:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def target_text(value: Optional[float], unit: str) -> str:
    if value is None:
        return ""
    if is_percent(unit):
        return f"{value:g} %"
    return f"{value:g} {unit}".strip()


def smart_problems(goal: Mapping[str, Any], period_last_day: dt.date, kpi_names: Mapping[int, str]) -> list[str]:
    """What keeps `goal` from being SMART, in plain words; empty when it passes.

    period_last_day: the last day of the check-in's period (the goal must be due after it).
    kpi_names: the KPIs a goal can be measured against, by id.
    """
    problems: list[str] = []
    if not str(goal.get("text") or "").strip():
        problems.append("Say what the goal is.")
    kpi_id = goal.get("kpi_id")
    if kpi_id in (None, ""):
        problems.append("Not measurable: tie it to a KPI.")
    elif int(kpi_id) not in kpi_names:
        problems.append("The KPI it is tied to no longer exists.")
    if goal.get("target_value") in (None, ""):
        problems.append("No target value: say what number counts as done.")
    due_raw = goal.get("due")
    due = parse_due(due_raw)
    if due is None:
        problems.append("No date: say by when." if not due_raw else f"{due_raw!r} is not a date.")
    elif due <= period_last_day:
        problems.append(f"The date must fall after the period ends ({period_last_day:%d %b %Y}).")
    return problems


def normalise(goal: Mapping[str, Any], period_last_day: dt.date, kpis: Mapping[int, tuple[str, str]]) -> dict[str, Any]:
    """The goal as stored: names and units filled from `kpis` ({id: (name, unit)}), the target as
    text, the due date as ISO text and its SMART problems beside it (so exports show them)."""
    out = dict(goal)
    out["text"] = str(goal.get("text") or "").strip()
    kpi_id = goal.get("kpi_id")
    if kpi_id not in (None, "") and int(kpi_id) in kpis:
        out["kpi_id"] = int(kpi_id)
        out["kpi"], out["unit"] = kpis[int(kpi_id)]
    tv = goal.get("target_value")
    out["target_value"] = None if tv in (None, "") else float(tv)
    out["target"] = target_text(out["target_value"], str(out.get("unit") or ""))
    due = parse_due(goal.get("due"))
    out["due"] = due.isoformat() if due else (goal.get("due") or None)
    out["smart_problems"] = smart_problems(out, period_last_day, {k: v[0] for k, v in kpis.items()})
    return out
