"""Who may do what in a shared PostgreSQL database, enforced by the server (issue 18, item 5).

    kpidesk --db postgresql://admin@host/kpi shared init                 # roles, grants, row security
    kpidesk --db ... shared grant kim --role manager --team "Service Desk"
    kpidesk --db ... shared grant hana --role hr

Three group roles per database, named after it (a server may hold several KPI Desk databases, and a
manager of one is nobody in another): <db>_admin, <db>_manager, <db>_hr.
- admin: everything (and the migrations).
- manager: reads and writes the KPI catalogue, the tickets and imports; sees and changes only the
  people of the teams they manage (kpidesk_access.team_manager), their check-ins, notes,
  self-assessments and aliases, and the per-person KPI values and reviews of those people. The
  tickets stay readable by every manager: the desk's numbers rest on all of them.
- hr: reads signed check-ins, the people and teams those name, and the settings the export prints;
  nothing else, and writes nothing.
The rules are PostgreSQL row-level security policies, so a program connecting with a manager's login
sees what the app would show them, not more. Login roles are the server's own (a password, or the
server's single sign-on); `grant` makes one a member of a group and, for a manager, names their teams.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from kpidesk.errors import KpiDeskError, ValidationError
from kpidesk.models import Base

ROLES = ("admin", "manager", "hr")
# The tables whose rows belong to one person: a manager sees those of the people of their teams.
PERSON_TABLES = ("check_in", "performance_note", "self_assessment", "technician_alias")
# The tables holding a value per scope ('technician:7', 'team:2', 'desk'...).
SCOPED_TABLES = ("measurement", "review")
HR_TABLES = ("check_in", "technician", "team", "setting")
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class AccessRefused(KpiDeskError):
    """`shared init` or `grant` could not be done (not a shared database, not allowed)."""


@dataclass(frozen=True)
class Roles:
    admin: str
    manager: str
    hr: str

    def of(self, role: str) -> str:
        return getattr(self, role)


def roles_for(database: str) -> Roles:
    base = re.sub(r"[^a-z0-9_]", "_", database.lower())[:50]
    return Roles(f"{base}_admin", f"{base}_manager", f"{base}_hr")


def _ident(name: str) -> str:
    if not _NAME.match(name):
        raise ValidationError({"user": f"{name!r} is not a plain role name (lower-case letters, digits and _)"})
    return f'"{name}"'


def init(conn: Connection) -> Roles:
    """Create (or bring up to date) the three group roles, their grants and the row security of
    this database. Idempotent: run again after a new KPI Desk version, it sets everything again."""
    db = conn.execute(text("SELECT current_database()")).scalar()
    roles = roles_for(db)
    a, m, h = (_ident(r) for r in (roles.admin, roles.manager, roles.hr))
    for name in (roles.admin, roles.manager, roles.hr):
        conn.execute(text(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') "
                          f'THEN CREATE ROLE "{name}" NOLOGIN; END IF; END $$'))
    tables = list(Base.metadata.tables) + ["alembic_version"]
    conn.execute(text("CREATE SCHEMA IF NOT EXISTS kpidesk_access"))
    conn.execute(text("CREATE TABLE IF NOT EXISTS kpidesk_access.team_manager ("
                      "role_name text NOT NULL, team_id integer NOT NULL REFERENCES public.team(id) ON DELETE CASCADE, "
                      "PRIMARY KEY (role_name, team_id))"))
    # The caller's rights (current_user is the caller's login only there): a manager reads their own
    # rows of the mapping, and the people through the technician policy, which reads only the mapping.
    conn.execute(text("""
        CREATE OR REPLACE FUNCTION kpidesk_access.my_teams() RETURNS SETOF integer LANGUAGE sql STABLE
        SET search_path = pg_catalog, public AS
        $$ SELECT team_id FROM kpidesk_access.team_manager WHERE role_name = current_user $$"""))
    conn.execute(text("""
        CREATE OR REPLACE FUNCTION kpidesk_access.my_people() RETURNS SETOF integer LANGUAGE sql STABLE
        SET search_path = pg_catalog, public AS
        $$ SELECT id FROM public.technician WHERE team_id IN (SELECT kpidesk_access.my_teams()) $$"""))
    conn.execute(text("""
        CREATE OR REPLACE FUNCTION kpidesk_access.scope_is_mine(scope text) RETURNS boolean LANGUAGE sql STABLE
        SET search_path = pg_catalog, public AS
        $$ SELECT CASE split_part(scope, ':', 1)
                    WHEN 'technician' THEN split_part(scope, ':', 2) ~ '^[0-9]+$'
                         AND split_part(scope, ':', 2)::integer IN (SELECT kpidesk_access.my_people())
                    WHEN 'team' THEN split_part(scope, ':', 2) ~ '^[0-9]+$'
                         AND split_part(scope, ':', 2)::integer IN (SELECT kpidesk_access.my_teams())
                    ELSE true END $$"""))
    conn.execute(text("REVOKE ALL ON SCHEMA kpidesk_access FROM PUBLIC"))
    conn.execute(text("REVOKE ALL ON ALL FUNCTIONS IN SCHEMA kpidesk_access FROM PUBLIC"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA kpidesk_access TO {a}, {m}, {h}"))
    conn.execute(text(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA kpidesk_access TO {a}, {m}, {h}"))
    conn.execute(text(f"GRANT ALL ON kpidesk_access.team_manager TO {a}"))
    conn.execute(text(f"GRANT SELECT ON kpidesk_access.team_manager TO {m}"))
    conn.execute(text("ALTER TABLE kpidesk_access.team_manager ENABLE ROW LEVEL SECURITY"))
    for name, role, condition in (("admin", a, "true"), ("manager", m, "role_name = current_user")):
        conn.execute(text(f"DROP POLICY IF EXISTS kpidesk_{name} ON kpidesk_access.team_manager"))
        conn.execute(text(f"CREATE POLICY kpidesk_{name} ON kpidesk_access.team_manager TO {role} USING ({condition})"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {a}, {m}, {h}"))
    conn.execute(text(f"GRANT CREATE ON SCHEMA public TO {a}"))
    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {m}, {h}"))
    conn.execute(text(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {a}"))
    conn.execute(text(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {a}"))
    conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(_quoted(tables))} TO {m}"))
    conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {m}"))
    conn.execute(text(f"GRANT SELECT ON {', '.join(_quoted(HR_TABLES + ('alembic_version',)))} TO {h}"))
    mine = "technician_id IN (SELECT kpidesk_access.my_people())"
    rules: dict[str, list[tuple[str, str, str, str]]] = {  # table: [(name, command, role, condition)]
        "technician": [("manager", "ALL", m, "team_id IN (SELECT kpidesk_access.my_teams())"),
                       ("hr", "SELECT", h, "id IN (SELECT technician_id FROM public.check_in)")],
        "team": [("manager", "ALL", m, "id IN (SELECT kpidesk_access.my_teams())"),
                 ("hr", "SELECT", h, "id IN (SELECT team_id FROM public.technician)")],
        "check_in": [("manager", "ALL", m, mine), ("hr", "SELECT", h, "manager_signed_at IS NOT NULL")],
        "performance_note": [("manager", "ALL", m, mine)],
        "self_assessment": [("manager", "ALL", m, mine)],
        "technician_alias": [("manager", "ALL", m, mine)],
        "measurement": [("manager", "ALL", m, "kpidesk_access.scope_is_mine(scope_key)")],
        "review": [("manager", "ALL", m, "kpidesk_access.scope_is_mine(scope_key)")],
        "setting": [("hr", "SELECT", h, "true"), ("manager", "ALL", m, "true")],
    }
    for table, policies in rules.items():
        conn.execute(text(f'ALTER TABLE public."{table}" ENABLE ROW LEVEL SECURITY'))
        conn.execute(text(f'DROP POLICY IF EXISTS kpidesk_admin ON public."{table}"'))
        conn.execute(text(f'CREATE POLICY kpidesk_admin ON public."{table}" TO {a} USING (true) WITH CHECK (true)'))
        for name, command, role, condition in policies:
            conn.execute(text(f'DROP POLICY IF EXISTS kpidesk_{name} ON public."{table}"'))
            check = f" WITH CHECK ({condition})" if command == "ALL" else ""
            conn.execute(text(f'CREATE POLICY kpidesk_{name} ON public."{table}" FOR {command} TO {role} '
                              f"USING ({condition}){check}"))
    return roles


def _quoted(tables) -> list[str]:
    return [f'public."{t}"' for t in tables]


def grant(conn: Connection, user: str, role: str, teams: list[str] | None = None) -> str:
    """Make the login `user` (created, without a password, if missing: set one with ALTER ROLE) a
    member of this database's `role` group; a manager's `teams` (by name) are the only ones whose
    people they see. Returns a line saying what was done."""
    if role not in ROLES:
        raise ValidationError({"role": f"{role!r}: choose one of {', '.join(ROLES)}"})
    db = conn.execute(text("SELECT current_database()")).scalar()
    roles = roles_for(db)
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": roles.manager}).scalar()
    if not exists:
        raise AccessRefused("This database has no KPI Desk roles yet: run `kpidesk shared init` first.")
    u = _ident(user)
    created = not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :u"), {"u": user}).scalar()
    if created:
        conn.execute(text(f"CREATE ROLE {u} LOGIN"))
    for other in ROLES:
        conn.execute(text(f"REVOKE {_ident(roles.of(other))} FROM {u}"))
    conn.execute(text(f"GRANT {_ident(roles.of(role))} TO {u}"))
    conn.execute(text("DELETE FROM kpidesk_access.team_manager WHERE role_name = :u"), {"u": user})
    named = []
    if role == "manager":
        known = dict(conn.execute(text("SELECT name, id FROM public.team")).all())
        missing = [t for t in teams or [] if t not in known]
        if missing:
            raise ValidationError({"team": f"no team named {', '.join(repr(t) for t in missing)} "
                                           f"(teams: {', '.join(sorted(known)) or 'none yet'})"})
        for t in teams or []:
            conn.execute(text("INSERT INTO kpidesk_access.team_manager (role_name, team_id) VALUES (:u, :t)"),
                         {"u": user, "t": known[t]})
            named.append(t)
    what = f"{user} is now {role} of {db}" + (f" for {', '.join(named)}" if named else "")
    if role == "manager" and not named:
        what += " (no team yet: they see no people until one is named)"
    return what + (f". The login was created without a password: ALTER ROLE {user} PASSWORD '...'" if created else ".")
