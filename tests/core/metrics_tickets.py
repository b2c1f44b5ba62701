"""Hand-made tickets for the metrics tests: rows built exactly as an import builds them
(kpidesk.tickets.empty_row + derive) and written with store.raw_write."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from kpidesk.records import TechnicianRecord
from kpidesk.tickets import ALL_FIELDS, derive, empty_row, to_iso

_numbers = itertools.count(1)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def ticket(created: str, resolved: str | None = None, *, tech: int | None = None, tier: int | None = 3,
           kind: str | None = "incident", **values: Any) -> dict[str, Any]:
    row = empty_row(source_system="test", external_id=f"T{next(_numbers)}", created_at=at(created),
                    resolved_at=at(resolved) if resolved else None, priority_tier=tier, ticket_type=kind,
                    technician_id=tech, reopen_count=0, reassignment_count=0)
    row.update(values)
    return derive(row)


def add_tickets(store, rows: list[dict[str, Any]]) -> None:
    cols = ", ".join(ALL_FIELDS)
    with store.raw_write() as con:
        con.executemany(f"INSERT INTO ticket ({cols}) VALUES ({', '.join('?' for _ in ALL_FIELDS)})",
                        [tuple(to_iso(r[f]) for f in ALL_FIELDS) for r in rows])


def people(store) -> dict[str, int]:
    """Two teams: Desk (Ann, Bob) and Infra (Cy). Returns {name: id} for technicians and teams."""
    desk = store.create_team("Desk")[0].id
    infra = store.create_team("Infra")[0].id
    ids = {"Desk": desk, "Infra": infra}
    for name, team in (("Ann", desk), ("Bob", desk), ("Cy", infra)):
        ids[name] = store.create_technician(TechnicianRecord(display_name=name, team_id=team))[0].id
    return ids


def done(resolved: str, hours: float, *, tech: int | None = None, tier: int | None = 3, category: str = "",
         **values):
    """A ticket resolved at `resolved` after `hours`; with no technician it counts for the desk only."""
    end = dt.datetime.fromisoformat(resolved)
    start = (end - dt.timedelta(hours=hours)).isoformat(sep=" ")
    if tech is None:
        values.setdefault("assignee", "")
        values.setdefault("resolver", "")
    return ticket(start, resolved, tech=tech, tier=tier, category=category, **values)
