"""Database-scoped settings, each declared once with its default (kept in the `setting` table,
because they belong to the data: SLA hours per priority, the organisation's name, rating scale)."""
from __future__ import annotations

import json
from typing import Any

from kpidesk.models import Setting
from kpidesk.records import Changes
from kpidesk.unit_of_work import UnitsOfWork


DEFAULTS: dict[str, Any] = {
    "organisation": "",
    # DESIGN.md: resolution-time SLA targets when an export has no SLA flag, in hours.
    "sla_hours": {"P1": 4, "P2": 8, "P3": 24, "P4": 72},
    "rating_scale": [1, 5],
    "min_count": 5,  # values resting on fewer tickets are shown greyed out
    "backups_keep": 10,
    "day_first": None,  # ambiguous text dates (03/04): None = ask / assume day-first with a warning
    "status_categories": {},  # {status as exports write it: open | resolved | closed}, the manager's answers
    "priority_tiers": {},  # {priority as exports write it: 1..4}, the manager's answers
    # The stored KPI values predate the version that keeps them true (set by a migration): the next
    # action recomputes them in full (kpidesk.actions.derived.refresh).
    "recompute_due": False,
}


class SettingsApi(UnitsOfWork):
    def get_setting(self, key: str) -> Any:
        with self.read() as s:
            row = s.get(Setting, key)
            return json.loads(row.value_json) if row else DEFAULTS.get(key)

    def set_setting(self, key: str, value: Any) -> Changes:
        with self.write() as s:
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value_json=json.dumps(value)))
            else:
                row.value_json = json.dumps(value)
        return Changes(settings=True)
