"""Service API for people: teams, technicians (with the aliases exports use) and role profiles."""
from __future__ import annotations


import json

from sqlalchemy import func, select, update

from kpidesk.errors import NotFound, ValidationError
from kpidesk.naming import alias_key  # noqa: F401  (re-exported: importers use kpidesk.people.alias_key)
from kpidesk.models import Kpi, RoleProfile, RoleProfileKpi, Team, Technician, TechnicianAlias, Ticket
from kpidesk.records import (
    Changes,
    RoleKpiRecord,
    RoleProfileRecord,
    TeamRecord,
    TechnicianRecord,
    from_orm,
)
from kpidesk.unit_of_work import UnitsOfWork



def _tech_record(t: Technician) -> TechnicianRecord:
    return from_orm(
        TechnicianRecord, t,
        team_name=t.team.name if t.team else "",
        role_profile_name=t.role_profile.name if t.role_profile else "",
        aliases=sorted(a.alias for a in t.aliases),
    )


def _role_record(r: RoleProfile) -> RoleProfileRecord:
    return RoleProfileRecord(
        id=r.id, name=r.name, description=r.description,
        kpis=[RoleKpiRecord(kpi_id=x.kpi_id, kpi_name=x.kpi.name, primary=x.primary, weight=x.weight,
                            target_value=x.target_value) for x in r.kpis],
    )


class PeopleApi(UnitsOfWork):
    # ------------------------------------------------------------ teams

    def list_teams(self) -> list[TeamRecord]:
        with self.read() as s:
            counts = dict(s.execute(select(Technician.team_id, func.count()).group_by(Technician.team_id)).all())
            return [from_orm(TeamRecord, t, member_count=counts.get(t.id, 0))
                    for t in s.scalars(select(Team).order_by(Team.name))]

    def create_team(self, name: str, description: str = "") -> tuple[TeamRecord, Changes]:
        if not name.strip():
            raise ValidationError({"name": "a team needs a name"})
        with self.write() as s:
            t = Team(name=name.strip(), description=description)
            s.add(t)
            s.flush()
            rec = from_orm(TeamRecord, t)
        return rec, Changes(people=True)

    def update_team(self, rec: TeamRecord) -> Changes:
        with self.write() as s:
            t = s.get(Team, rec.id)
            if t is None:
                raise NotFound(f"There is no team with id {rec.id}.")
            t.name, t.description = rec.name.strip(), rec.description
        return Changes(people=True)

    def delete_team(self, team_id: int) -> Changes:
        with self.write() as s:
            t = s.get(Team, team_id)
            if t is not None:
                s.delete(t)
        return Changes(people=True)

    def list_groups(self) -> list[str]:
        """The groups the imported tickets name (their group column), each a scope of its own
        ('group:<name>'), so a file with no assignee still gives figures below the desk."""
        with self.read() as s:
            return list(s.scalars(select(Ticket.group_name).where(Ticket.group_name != "").distinct()
                                  .order_by(Ticket.group_name)))

    # ------------------------------------------------------------ technicians

    def list_technicians(self, team_id: int | None = None) -> list[TechnicianRecord]:
        with self.read() as s:
            q = select(Technician).order_by(Technician.display_name)
            if team_id is not None:
                q = q.where(Technician.team_id == team_id)
            return [_tech_record(t) for t in s.scalars(q)]

    def get_technician(self, tech_id: int) -> TechnicianRecord:
        with self.read() as s:
            t = s.get(Technician, tech_id)
            if t is None:
                raise NotFound(f"There is no technician with id {tech_id}.")
            return _tech_record(t)

    def find_technician(self, name: str) -> TechnicianRecord | None:
        """By display name or any alias, case and whitespace insensitive."""
        key = alias_key(name)
        with self.read() as s:
            t = s.scalar(select(Technician).join(TechnicianAlias).where(TechnicianAlias.key == key))
            if t is None:
                t = next((x for x in s.scalars(select(Technician)) if alias_key(x.display_name) == key), None)
            return _tech_record(t) if t else None

    def alias_map(self) -> dict[str, int]:
        """{alias key: technician id} for every alias and display name: what imports match against."""
        with self.read() as s:
            out = {alias_key(n): i for i, n in s.execute(select(Technician.id, Technician.display_name))}
            out.update({k: i for k, i in s.execute(select(TechnicianAlias.key, TechnicianAlias.technician_id))})
            return out

    def create_technician(self, rec: TechnicianRecord) -> tuple[TechnicianRecord, Changes]:
        if not rec.display_name.strip():
            raise ValidationError({"display_name": "a technician needs a name"})
        with self.write() as s:
            t = Technician(display_name=rec.display_name.strip(), email=rec.email, team_id=rec.team_id,
                           role_profile_id=rec.role_profile_id, active_from=rec.active_from,
                           active_to=rec.active_to, escalation_destination=rec.escalation_destination)
            s.add(t)
            s.flush()
            _set_aliases(s, t, rec.aliases)
            new_id = t.id
        return self.get_technician(new_id), Changes(people=True)

    def update_technician(self, rec: TechnicianRecord) -> tuple[TechnicianRecord, Changes]:
        with self.write() as s:
            t = s.get(Technician, rec.id)
            if t is None:
                raise NotFound(f"There is no technician with id {rec.id}.")
            for f in ("email", "team_id", "role_profile_id", "active_from", "active_to", "escalation_destination"):
                setattr(t, f, getattr(rec, f))
            t.display_name = rec.display_name.strip()
            _set_aliases(s, t, rec.aliases)
        return self.get_technician(rec.id), Changes(people=True)

    def add_alias(self, tech_id: int, alias: str) -> Changes:
        with self.write() as s:
            t = s.get(Technician, tech_id)
            if t is None:
                raise NotFound(f"There is no technician with id {tech_id}.")
            _set_aliases(s, t, [a.alias for a in t.aliases] + [alias])
        return Changes(people=True, tickets=True)

    def merge_technician(self, from_id: int, into_id: int) -> Changes:
        """Fold a technician an import created for another spelling of a name ('J. Doe') into the
        person it is ('Jane Doe'): their tickets, their name and aliases move over, the duplicate
        goes. Refused when the duplicate holds HR records (check-ins, notes) or entered values:
        those are not moved without a person deciding where they belong."""
        from kpidesk.models import CheckIn, Measurement, PerformanceNote

        if from_id == into_id:
            raise ValidationError({"alias": "that name is already this technician's"})
        with self.write() as s:
            dup, into = s.get(Technician, from_id), s.get(Technician, into_id)
            if dup is None or into is None:
                raise NotFound(f"There is no technician with id {from_id if dup is None else into_id}.")
            held = [f"{n} {what}" for what, n in (
                ("check-in(s)", s.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.technician_id == from_id))),
                ("performance note(s)", s.scalar(select(func.count()).select_from(PerformanceNote)
                                                 .where(PerformanceNote.technician_id == from_id))),
                ("entered value(s)", s.scalar(select(func.count()).select_from(Measurement)
                                              .where(Measurement.scope_key == f"technician:{from_id}",
                                                     Measurement.source != "computed"))),
            ) if n]
            if held:
                raise ValidationError({"alias": f"{dup.display_name} has {', '.join(held)} of their own; they were "
                                                f"not merged into {into.display_name}. Move or delete those first."})
            names = [dup.display_name] + [a.alias for a in dup.aliases]
            s.execute(update(Ticket).where(Ticket.technician_id == from_id).values(technician_id=into_id))
            for tid, shared in s.execute(select(Ticket.id, Ticket.shared_with).where(
                    Ticket.shared_with.is_not(None), Ticket.shared_with.contains(str(from_id)))).all():
                ids = [into_id if i == from_id else i for i in json.loads(shared)]
                primary = s.scalar(select(Ticket.technician_id).where(Ticket.id == tid))
                ids = sorted({i for i in ids if i != primary})
                s.execute(update(Ticket).where(Ticket.id == tid).values(shared_with=json.dumps(ids) if ids else None))
            s.delete(dup)
            s.flush()
            _set_aliases(s, into, [a.alias for a in into.aliases] + names)
        return Changes(people=True, tickets=True)

    def claim_unassigned(self, tech_id: int, name: str) -> int:
        """Give `tech_id` the tickets left without a technician whose resolver (else assignee) is
        `name`: tickets an import was told to leave unassigned. Returns how many."""
        key = alias_key(name)
        # The technician column is the resolver where there is one, else the assignee (DESIGN.md).
        who = func.coalesce(func.nullif(Ticket.resolver, ""), Ticket.assignee)
        with self.write() as s:
            # The distinct spellings first (a few), matched as imports match them, then one update.
            spellings = [n for n in s.scalars(select(who).where(Ticket.technician_id.is_(None)).distinct())
                         if n and alias_key(n) == key]
            if not spellings:
                return 0
            result = s.execute(update(Ticket).where(Ticket.technician_id.is_(None), who.in_(spellings))
                               .values(technician_id=tech_id).execution_options(synchronize_session=False))
            return int(result.rowcount or 0)

    def delete_technician(self, tech_id: int) -> Changes:
        with self.write() as s:
            t = s.get(Technician, tech_id)
            if t is not None:
                s.delete(t)
        return Changes(people=True, tickets=True, checkins=True)

    # ------------------------------------------------------------ role profiles

    def list_role_profiles(self) -> list[RoleProfileRecord]:
        with self.read() as s:
            return [_role_record(r) for r in s.scalars(select(RoleProfile).order_by(RoleProfile.name))]

    def get_role_profile(self, role_id: int) -> RoleProfileRecord:
        with self.read() as s:
            r = s.get(RoleProfile, role_id)
            if r is None:
                raise NotFound(f"There is no role profile with id {role_id}.")
            return _role_record(r)

    def save_role_profile(self, rec: RoleProfileRecord) -> tuple[RoleProfileRecord, Changes]:
        """Create (id None) or replace a role profile with its KPIs, weights and role targets."""
        if not rec.name.strip():
            raise ValidationError({"name": "a role profile needs a name"})
        if any(k.weight < 0 for k in rec.kpis):
            raise ValidationError({"weight": "weights cannot be negative"})
        with self.write() as s:
            r = RoleProfile() if rec.id is None else s.get(RoleProfile, rec.id)
            if r is None:
                raise NotFound(f"There is no role profile with id {rec.id}.")
            r.name, r.description = rec.name.strip(), rec.description
            if rec.id is None:
                s.add(r)
            r.kpis.clear()
            s.flush()
            for pos, k in enumerate(rec.kpis):
                if s.get(Kpi, k.kpi_id) is None:
                    raise ValidationError({"kpis": f"KPI id {k.kpi_id} does not exist"})
                r.kpis.append(RoleProfileKpi(kpi_id=k.kpi_id, primary=k.primary, weight=k.weight,
                                             target_value=k.target_value, position=pos))
            s.flush()
            rid = r.id
        return self.get_role_profile(rid), Changes(people=True)

    def delete_role_profile(self, role_id: int) -> Changes:
        with self.write() as s:
            r = s.get(RoleProfile, role_id)
            if r is not None:
                s.delete(r)
        return Changes(people=True)


def _set_aliases(s, t: Technician, aliases: list[str]) -> None:
    wanted: dict[str, str] = {}
    for a in aliases:
        if a and a.strip() and alias_key(a) != alias_key(t.display_name):
            wanted.setdefault(alias_key(a), a.strip())
    for existing in list(t.aliases):
        if existing.key not in wanted:
            t.aliases.remove(existing)
    have = {a.key for a in t.aliases}
    s.flush()
    for key, alias in wanted.items():
        if key in have:
            continue
        other = s.scalar(select(TechnicianAlias).where(TechnicianAlias.key == key))
        if other is not None:
            raise ValidationError({"aliases": f"the alias {alias!r} already belongs to another technician"})
        t.aliases.append(TechnicianAlias(alias=alias, key=key))
