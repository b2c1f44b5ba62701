"""`kpidesk shared`: the roles and row security of a shared PostgreSQL database (issue 18).

    kpidesk --db postgresql://admin@host/kpi shared init
    kpidesk --db postgresql://admin@host/kpi shared grant kim --role manager --team "Service Desk"

Run by the database's owner (or a superuser). Exit codes: 0 done; 1 refused (not a shared database,
no such team, a role name that is not plain); 4 the server cannot be reached or refused the login.
"""
from __future__ import annotations

import argparse

from kpidesk.cli import EXIT_OK, UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("shared", help="roles and row security of a shared PostgreSQL database (--db postgresql://...)")
    ps = p.add_subparsers(dest="shared_command", metavar="ACTION", required=True)
    i = ps.add_parser("init", help="create the admin, manager and hr roles, their grants and row security")
    i.set_defaults(func=cmd_init)
    g = ps.add_parser("grant", help="make a login a member of one of the roles (a manager: of their teams)")
    g.add_argument("user", help="the login's role name on the server")
    g.add_argument("--role", required=True, choices=("admin", "manager", "hr"))
    g.add_argument("--team", action="append", default=[], metavar="NAME", help="a team the manager manages (repeat)")
    g.set_defaults(func=cmd_grant)


def _shared_store(args: argparse.Namespace):
    from kpidesk.paths import resolve_db_target
    from kpidesk.store import Store

    target = resolve_db_target(args.db)
    if not isinstance(target, str):
        raise UsageError("`kpidesk shared` works on a shared PostgreSQL database: give --db postgresql://user@host/dbname")
    return Store.open(target)


def cmd_init(args: argparse.Namespace) -> int:
    from kpidesk import shared_access

    with _shared_store(args) as store, store.write_engine.begin() as conn:
        roles = shared_access.init(conn)
    print(f"Roles ready in {store.location}: {roles.admin}, {roles.manager}, {roles.hr}; row security is on. "
          "Add people with `kpidesk shared grant LOGIN --role manager --team NAME`.")
    return EXIT_OK


def cmd_grant(args: argparse.Namespace) -> int:
    from kpidesk import shared_access

    if args.team and args.role != "manager":
        raise UsageError("--team is for a manager")
    with _shared_store(args) as store, store.write_engine.begin() as conn:
        print(shared_access.grant(conn, args.user, args.role, args.team))
    return EXIT_OK
