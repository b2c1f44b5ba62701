"""Keeping the derived values true: the stored KPI values and the reviews their triggers open."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Iterable

from kpidesk.actions.outcome import Outcome, Progress
from kpidesk.metrics.recompute import recompute
from kpidesk.metrics.reviews import ReviewRecord, check_triggers
from kpidesk.records import Changes

if TYPE_CHECKING:
    from kpidesk.store import Store


def refresh(store: "Store", *, since: dt.date | None = None, kpi_ids: Iterable[int] | None = None,
            today: dt.date | None = None, progress: Progress | None = None) -> tuple[Changes, list[ReviewRecord]]:
    """Recompute the stored values the change can have moved (the periods from `since`, only the KPIs
    `kpi_ids`; everything when both are None), then check every trigger against the stored values.
    (Changes, reviews opened). A database whose stored values predate this version (the setting
    'recompute_due', set by its migration) is recomputed in full, once."""
    due = bool(store.get_setting("recompute_due"))
    if due:
        since, kpi_ids = None, None
    changes = recompute(store, progress, today, since=since, kpi_ids=kpi_ids)
    if due:
        store.set_setting("recompute_due", False)
    opened, reviewed = check_triggers(store, today, stored=True)
    return changes | reviewed, opened


def recompute_all(store: "Store", progress: Progress | None = None, today: dt.date | None = None) -> Outcome[None]:
    """Every computed KPI value again, from all the tickets, then the triggers: for the rare case the
    inputs of every value changed at once (the SLA hours per priority, say)."""
    changes, opened = refresh(store, today=today, progress=progress)
    return Outcome(None, changes, opened)


def check_reviews(store: "Store", today: dt.date | None = None) -> Outcome[list[ReviewRecord]]:
    """Check every KPI's trigger against its last full period (`reviews --check`)."""
    changes, opened = refresh(store, kpi_ids=(), today=today)
    return Outcome(opened, changes, opened)
