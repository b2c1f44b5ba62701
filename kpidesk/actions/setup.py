"""Starting a database: the demo department, the templates; and the settings."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Mapping

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
    """One setting (set_settings with one key); the result is the value kept."""
    out = set_settings(store, {key: value}, today=today, progress=progress)
    return Outcome(out.result[key], out.changes, out.reviews, out.notes)


def set_settings(store: "Store", values: Mapping[str, Any], today: dt.date | None = None,
                 progress: Progress | None = None) -> Outcome[dict[str, Any]]:
    """Check every value (kpidesk.settings.SETTINGS) and how they fit together before keeping any
    (all or nothing, one transaction); the result is the values as kept. What depends on them
    follows: new SLA hours re-judge the tickets whose export had no SLA column and recompute every
    value; a new minimum ticket count re-checks the triggers. The rating scale is refused once a
    check-in holds ratings (a signed HR record keeps the scale it was rated on); its words must
    number its points (a new scale without new words gets the standard ones, and says so)."""
    from kpidesk.settings import default_words, spec_for

    kept = {k: spec_for(k).check(v) for k, v in values.items()}
    new = {k: v for k, v in kept.items() if v != store.get_setting(k)}
    out: Outcome[dict[str, Any]] = Outcome(kept)
    if not new:
        return out
    problems: dict[str, str] = {}
    low, high = new.get("rating_scale") or store.get_setting("rating_scale") or (1, 5)
    if "rating_scale" in new:
        held = store.count_rated_checkins()
        old = store.get_setting("rating_scale")
        if held:
            problems["rating_scale"] = (f"{count(held, 'check-in')} already hold ratings on the {old[0]}-{old[1]} "
                                        "scale; the scale can change only before the first rating")
        elif "rating_words" not in new and len(store.get_setting("rating_words") or []) != high - low + 1:
            new["rating_words"] = kept["rating_words"] = default_words((low, high))
            out.notes.append("The rating words were reset to fit the new scale; set them with `rating_words`.")
    words = new.get("rating_words")
    if words and len(words) != high - low + 1:
        problems["rating_words"] = (f"one word or phrase for each of the {high - low + 1} points of the "
                                    f"{low}-{high} scale, lowest first ({len(words)} given)")
    if problems:
        raise ValidationError(problems)
    out.changes |= store.set_settings(new)
    if "sla_hours" in new:
        n = store.rederive_sla(new["sla_hours"])
        more, out.reviews = refresh(store, today=today, progress=progress)
        out.changes |= more | Changes(tickets=bool(n))
        if n:
            out.notes.append(f"{count(n, 'ticket')} without an SLA flag in their export judged again against the new hours.")
    elif "min_count" in new:
        more, out.reviews = refresh(store, kpi_ids=(), today=today)
        out.changes |= more
    return out
