"""Starting a database: the demo department, the templates; and the settings."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from kpidesk.actions.derived import refresh
from kpidesk.actions.outcome import Outcome, Progress
from kpidesk.demo import create_demo
from kpidesk.templates import start_with_templates

if TYPE_CHECKING:
    from kpidesk.store import Store


def load_demo(store: "Store", seed: int = 7, today: dt.date | None = None,
              progress: Progress | None = None) -> Outcome[None]:
    """The demo department (an empty database only), its KPI values computed and triggers checked as
    of `today` inside the build."""
    return Outcome(None, create_demo(store, seed=seed, today=today, progress=progress))


def start_from_templates(store: "Store", owner: str = "", today: dt.date | None = None) -> Outcome[None]:
    """The service-desk core set of KPIs and the role profiles ('Start empty with the templates')."""
    changes = start_with_templates(store, owner=owner)
    more, opened = refresh(store, today=today)
    return Outcome(None, changes | more, opened)


def set_setting(store: "Store", key: str, value: Any, today: dt.date | None = None) -> Outcome[None]:
    """A database setting. The minimum ticket count and the scale change only how values are shown;
    nothing stored depends on them."""
    return Outcome(None, store.set_setting(key, value))
