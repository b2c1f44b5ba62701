"""Hand-made tickets for the metrics tests: rows built exactly as an import builds them
(kpidesk.tickets.empty_row + derive) and written with store.raw_write."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import Boolean

from kpidesk.metrics.dialect import POSTGRES
from kpidesk.models import Ticket
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


_FLAGS = {c.name for c in Ticket.__table__.columns if isinstance(c.type, Boolean)}


def add_tickets(store, rows: list[dict[str, Any]]) -> None:
    """Written as the import writes them: on a file, timestamps as SQLAlchemy's text and flags as 0/1;
    on a shared database (--backend postgres), typed values (a flag given as 1 is a boolean there)."""
    cols = ", ".join(ALL_FIELDS)
    with store.raw_write(shared_ok=True) as con:
        if getattr(con, "dialect", None) is POSTGRES:
            values = [tuple(_flag(r[f]) if f in _FLAGS else r[f] for f in ALL_FIELDS) for r in rows]
        else:
            values = [tuple(to_iso(r[f]) for f in ALL_FIELDS) for r in rows]
        con.executemany(f"INSERT INTO ticket ({cols}) VALUES ({', '.join('?' for _ in ALL_FIELDS)})", values)


def _flag(value: Any) -> Any:
    return None if value is None else bool(value)


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
