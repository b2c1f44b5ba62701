"""Small read-side helpers the desktop face needs and the service API does not offer (yet).

Pure Python, no Qt: the vocabularies a form offers in its combos, and per-KPI health counts for a
table column. Owned by the UI work; nothing here writes to the database.
"""
from __future__ import annotations

from pathlib import Path

from kpidesk.health import HealthIssue, kpi_health, set_health
from kpidesk.models import CADENCES, CATEGORIES, DIRECTIONS, LEVELS, TRIGGER_KINDS, VALUE_SOURCES
from kpidesk.records import KpiRecord

__all__ = [
    "CADENCES", "CATEGORIES", "DIRECTIONS", "LEVELS", "TRIGGER_KINDS", "VALUE_SOURCES",
    "DIRECTION_LABELS", "TRIGGER_LABELS", "VALUE_SOURCE_LABELS", "health_counts", "health_report",
    "needs_first_run",
]

DIRECTION_LABELS = {"higher": "Higher is better", "lower": "Lower is better", "band": "Within a band"}
TRIGGER_LABELS = {"relative": "% worse than baseline", "floor": "Absolute floor", "ceiling": "Absolute ceiling"}
VALUE_SOURCE_LABELS = {"computed": "Computed from tickets", "entered": "Entered or imported values",
                       "formula": "Formula"}


def health_counts(kpis: list[KpiRecord]) -> dict[int, int]:
    """{kpi id: number of health warnings} (info-level notes are not counted)."""
    return {k.id: sum(1 for i in kpi_health(k) if i.severity == "warning") for k in kpis if k.id is not None}


def health_report(kpi: KpiRecord | None, kpis: list[KpiRecord]) -> tuple[list[HealthIssue], list[HealthIssue]]:
    """(issues of `kpi`, issues of the set as a whole) for the editor's health panel."""
    return (kpi_health(kpi) if kpi is not None else []), set_health(kpis)


def needs_first_run(path: Path) -> bool:
    """True when there is no database yet at `path` (missing or empty file): offer the welcome."""
    return not path.exists() or path.stat().st_size == 0
