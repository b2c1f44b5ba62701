"""Starting a database: the demo department, the templates; and the settings."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from kpidesk.actions.derived import refresh
from kpidesk.actions.outcome import Outcome, Progress
from kpidesk.demo import create_demo
from kpidesk.errors import ValidationError
from kpidesk.records import Changes
from kpidesk.templates import start_with_templates
from kpidesk.wording import count

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


def set_setting(store: "Store", key: str, value: Any, today: dt.date | None = None,
                progress: Progress | None = None) -> Outcome[Any]:
    """Check and keep a database setting (kpidesk.settings.SETTINGS); the result is the value kept.
    What depends on it follows: new SLA hours re-judge the tickets whose export had no SLA column
    and recompute every value; a new minimum ticket count re-checks the triggers; a new rating scale
    is refused once a check-in holds ratings (a signed HR record keeps the scale it was rated on)."""
    from kpidesk.settings import default_words, spec_for

    kept = spec_for(key).check(value)
    before = store.get_setting(key)
    out: Outcome[Any] = Outcome(kept, store.set_setting(key, kept) if kept != before else Changes())
    if kept == before:
        return out
    if key == "rating_scale":
        held = store.count_rated_checkins()
        if held:
            store.set_setting(key, before)
            raise ValidationError({key: f"{count(held, 'check-in')} already hold ratings on the {before[0]}-{before[1]} "
                                        "scale; the scale can change only before the first rating"})
        words = store.get_setting("rating_words") or []
        if len(words) != kept[1] - kept[0] + 1:
            out.changes |= store.set_setting("rating_words", default_words(kept))
            out.notes.append("The rating words were reset to fit the new scale; set them with `rating_words`.")
    elif key == "rating_words":
        low, high = store.get_setting("rating_scale") or (1, 5)
        if kept and len(kept) != high - low + 1:
            store.set_setting(key, before)
            raise ValidationError({key: f"one word or phrase for each of the {high - low + 1} points of the "
                                        f"{low}-{high} scale, lowest first ({len(kept)} given)"})
    elif key == "sla_hours":
        n = store.rederive_sla(kept)
        more, out.reviews = refresh(store, today=today, progress=progress)
        out.changes |= more | Changes(tickets=bool(n))
        if n:
            out.notes.append(f"{count(n, 'ticket')} without an SLA flag in their export judged again against the new hours.")
    elif key == "min_count":
        more, out.reviews = refresh(store, kpi_ids=(), today=today)
        out.changes |= more
    return out
