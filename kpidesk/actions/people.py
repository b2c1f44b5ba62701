"""People: teams, technicians, aliases, role profiles. A team's values are its members' tickets,
so moving a technician between teams, or removing a technician or a team, computes the stored
values again (every period: a team's whole history moves with its members)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from kpidesk.actions.derived import refresh
from kpidesk.actions.outcome import Outcome, Progress
from kpidesk.records import RoleProfileRecord, TeamRecord, TechnicianRecord
from kpidesk.wording import count

if TYPE_CHECKING:
    from kpidesk.store import Store


def create_team(store: "Store", name: str, description: str = "") -> Outcome[TeamRecord]:
    rec, changes = store.create_team(name, description)
    return Outcome(rec, changes)  # no member yet: no value moves


def update_team(store: "Store", rec: TeamRecord) -> Outcome[None]:
    return Outcome(None, store.update_team(rec))


def delete_team(store: "Store", team_id: int, progress: Progress | None = None,
                today: dt.date | None = None) -> Outcome[None]:
    changes = store.delete_team(team_id)
    more, opened = refresh(store, today=today, progress=progress)
    return Outcome(None, changes | more, opened)


def create_technician(store: "Store", rec: TechnicianRecord) -> Outcome[TechnicianRecord]:
    made, changes = store.create_technician(rec)
    return Outcome(made, changes)  # tickets are matched to people as they are imported


def update_technician(store: "Store", rec: TechnicianRecord, progress: Progress | None = None,
                      today: dt.date | None = None) -> Outcome[TechnicianRecord]:
    before = store.get_technician(rec.id) if rec.id is not None else None  # type: ignore[arg-type]
    saved, changes = store.update_technician(rec)
    out = Outcome(saved, changes)
    if before is not None and before.team_id != saved.team_id:
        more, out.reviews = refresh(store, today=today, progress=progress)
        out.changes |= more
    return out


def delete_technician(store: "Store", tech_id: int, progress: Progress | None = None,
                      today: dt.date | None = None) -> Outcome[None]:
    changes = store.delete_technician(tech_id)
    more, opened = refresh(store, today=today, progress=progress)
    return Outcome(None, changes | more, opened)


def add_alias(store: "Store", tech_id: int, alias: str) -> Outcome[None]:
    """Another spelling of a person's name in exports, matched from the next import on."""
    return Outcome(None, store.add_alias(tech_id, alias))


def alias_name(store: "Store", name: str, to: str, progress: Progress | None = None,
               today: dt.date | None = None) -> Outcome[TechnicianRecord]:
    """'J. Doe' is Jane Doe: the name becomes one of her aliases, so the next import matches it. A
    technician an earlier import created under that name is merged into her (their tickets move),
    and tickets left unassigned under the name become hers; then the values are recomputed."""
    from kpidesk.errors import NotFound, ValidationError

    if not name.strip() or not to.strip():
        raise ValidationError({"alias": "give the name as exports write it and the technician it is"})
    target = store.find_technician(to)
    if target is None:
        known = ", ".join(t.display_name for t in store.list_technicians()[:20]) or "none yet"
        raise NotFound(f"There is no technician called '{to}'. The technicians are: {known}.")
    other = store.find_technician(name)
    out = Outcome(target)
    if other is not None and other.id == target.id:
        out.notes.append(f"'{name}' is already {target.display_name}; nothing changed.")
        return out
    if other is not None:
        out.changes |= store.merge_technician(other.id, target.id)
        out.notes.append(f"{other.display_name} was merged into {target.display_name}: their tickets are "
                         f"{target.display_name}'s now.")
    else:
        out.changes |= store.add_alias(target.id, name)
    claimed = store.claim_unassigned(target.id, name)
    if claimed:
        out.notes.append(f"{count(claimed, 'unassigned ticket')} under '{name}': {target.display_name}'s now.")
    if other is not None or claimed:
        more, out.reviews = refresh(store, today=today, progress=progress)
        out.changes |= more
    out.result = store.get_technician(target.id)
    return out


def save_role_profile(store: "Store", rec: RoleProfileRecord) -> Outcome[RoleProfileRecord]:
    saved, changes = store.save_role_profile(rec)
    return Outcome(saved, changes)


def delete_role_profile(store: "Store", role_id: int) -> Outcome[None]:
    return Outcome(None, store.delete_role_profile(role_id))


def add_role_template(store: "Store", name: str, owner: str = "", today: dt.date | None = None
                      ) -> Outcome[RoleProfileRecord]:
    """A role profile from the templates, with the KPIs it needs (created and computed if missing)."""
    from kpidesk.templates import add_role_template as add

    before = {k.id for k in store.list_kpis()}
    role, changes = add(store, name, owner=owner)
    made = [k.id for k in store.list_kpis() if k.id not in before]
    more, opened = refresh(store, kpi_ids=made, today=today)
    return Outcome(role, changes | more, opened)
