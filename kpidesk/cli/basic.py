"""Foundation commands: demo, kpi list, check, backup, restore."""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from kpidesk.backend import shown
from kpidesk.cli import EXIT_DATABASE, EXIT_ERROR, EXIT_OK, UsageError, open_store
from kpidesk.wording import count


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="fill an empty database with a demo IT department (12 months of tickets)")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    p.add_argument("--today", help="end date of the demo year, YYYY-MM-DD (default: today)")
    p.set_defaults(func=cmd_demo)

    kpi = sub.add_parser("kpi", help="the KPI catalogue")
    kpi_sub = kpi.add_subparsers(dest="kpi_command", metavar="ACTION", required=True)
    lst = kpi_sub.add_parser("list", help="list KPIs and plain metrics with their health")
    lst.add_argument("--json", action="store_true", help="machine-readable output")
    lst.set_defaults(func=cmd_kpi_list)
    from kpidesk.cli.setup_cmd import register_kpi

    register_kpi(kpi_sub)

    chk = sub.add_parser("check", help="integrity check and migration state; exit non-zero if bad")
    chk.add_argument("--quick", action="store_true", help="PRAGMA quick_check instead of the full check")
    chk.add_argument("--json", action="store_true")
    chk.set_defaults(func=cmd_check)

    bak = sub.add_parser("backup", help="copy the database with SQLite's online backup API (safe while the app is open)")
    bak.add_argument("path", nargs="?", help="destination file (default: a dated file in the backups folder)")
    bak.set_defaults(func=cmd_backup)

    res = sub.add_parser("restore", help="restore the database from a backup (the current state is backed up first)")
    res.add_argument("backup", nargs="?", help="backup file to restore (see --list)")
    res.add_argument("--latest", action="store_true", help="restore the newest sound backup")
    res.add_argument("--list", action="store_true", help="list the backups with what each holds")
    res.add_argument("--json", action="store_true")
    res.set_defaults(func=cmd_restore)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def cmd_demo(args: argparse.Namespace) -> int:
    from kpidesk import actions

    try:
        today = dt.date.fromisoformat(args.today) if args.today is not None else None
    except ValueError:
        raise UsageError(f"--today {args.today!r} is not a date (use YYYY-MM-DD)") from None
    with open_store(args, create=True) as store:
        actions.load_demo(store, seed=args.seed, today=today)
        people = store.list_technicians()
        print(f"Demo data created in {store.location}: {count(len(people), 'technician')}, "
              f"{count(len(store.list_teams()), 'team')}, {len(store.list_kpis())} KPIs and metrics.")
    return EXIT_OK


def cmd_kpi_list(args: argparse.Namespace) -> int:
    from kpidesk.health import kpi_health

    with open_store(args) as store:
        kpis = store.list_kpis()
    if args.json:
        out = []
        for k in kpis:
            d = dataclasses.asdict(k)
            d["is_kpi"] = k.is_kpi
            d["health"] = [i.message for i in kpi_health(k)]
            out.append(d)
        json.dump(out, sys.stdout, indent=2, default=_json_default)
        print()
        return EXIT_OK
    if not kpis:
        print("No KPIs yet. `kpidesk kpi add-templates` adds the standard ones (or add them from the templates "
              "in the app); `kpidesk demo` fills a new database with a demo department.")
        return EXIT_OK
    width = max(len(k.name) for k in kpis)
    print(f"{'NAME':<{width}}  KIND    CATEGORY          UNIT     TARGET     OWNER")
    for k in kpis:
        target = (f"{k.band_low:g}..{k.band_high:g}" if k.direction == "band" and k.has_target
                  else f"{k.target_value:g}" if k.target_value is not None else "-")
        print(f"{k.name:<{width}}  {k.kind_label:<6}  {k.category:<16}  {k.unit or '-':<7}  {target:<9}  {k.owner or '-'}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Integrity, revision and the real schema against what that revision should have, all read
    without changing a byte (a foreign file keeps its journal mode)."""
    from kpidesk import database as db
    from kpidesk.errors import DatabaseMissing
    from kpidesk.db_inspect import inspect_file

    from kpidesk.paths import resolve_db_target

    target = resolve_db_target(args.db)
    if isinstance(target, str):
        return _check_shared(target, args.json)
    path = db.resolve_db_path(args.db)
    if not path.exists():
        raise DatabaseMissing(f"There is no database at {path}.")
    db.check_file_is_sqlite(path)
    try:
        found = inspect_file(path, quick=args.quick)
    except sqlite3.DatabaseError as exc:
        raise db.translate_db_error(exc, path) from exc
    head = db.head_revision()
    current = found.revision
    if found.foreign_tables:
        state = "not a KPI Desk database (another program's tables, no KPI Desk schema)"
    elif current is None:
        state = "no KPI Desk schema"
    elif current not in db.known_revisions():
        state = "written by a newer KPI Desk"
    elif found.schema:
        state = "tables do not match its schema revision"
    elif current == head:
        state = "up to date"
    else:
        state = "older schema: it is migrated (after a backup) when the app opens it"
    ok = not found.integrity and not found.schema and current == head
    if args.json:
        json.dump({"path": str(path), "integrity": list(found.integrity) or ["ok"], "schema": current,
                   "head": head, "state": state, "schema_problems": list(found.schema), "ok": ok},
                  sys.stdout, indent=2)
        print()
    else:
        print(f"Database:  {path}")
        print(f"Integrity: {'ok' if not found.integrity else '; '.join(found.integrity[:5])}")
        print(f"Schema:    {current or '-'} ({state})")
        for problem in found.schema[:20]:
            print(f"  - {problem}")
    return EXIT_OK if ok else EXIT_DATABASE


def _check_shared(url: str, as_json: bool) -> int:
    """`check` of a shared database: its schema revision and tables, read without changing anything
    (the server checks its own pages)."""
    from kpidesk import postgres

    found = postgres.inspect_shared(url)
    ok = not found["schema_problems"] and found["schema"] == found["head"]
    if as_json:
        json.dump({"path": shown(url), "integrity": ["ok"], **found, "ok": ok}, sys.stdout, indent=2)
        print()
    else:
        print(f"Database:  {shown(url)} (shared, PostgreSQL)")
        print(f"Schema:    {found['schema'] or '-'} ({found['state']})")
        for problem in found["schema_problems"][:20]:
            print(f"  - {problem}")
    return EXIT_OK if ok else EXIT_DATABASE


def cmd_backup(args: argparse.Namespace) -> int:
    """A damaged file or another program's database is refused: a backup of it would not restore."""
    from kpidesk import database as db
    from kpidesk.errors import DatabaseDamaged, DatabaseMissing, NotADatabase
    from kpidesk.db_inspect import inspect_file

    from kpidesk.paths import resolve_db_target

    target = resolve_db_target(args.db)
    if isinstance(target, str):  # a shared database: pg_dump's job
        from kpidesk import postgres

        if not args.path:
            raise UsageError("a shared database's backup needs a destination file or folder: kpidesk backup PATH")
        dest = postgres.dump(target, args.path)
        print(f"Backed up {shown(target)} with pg_dump to {dest} (restore with pg_restore)")
        return EXIT_OK
    path = db.resolve_db_path(args.db)
    if not path.exists():
        raise DatabaseMissing(f"There is no database at {path}; nothing to back up.")
    db.check_file_is_sqlite(path)
    try:
        found = inspect_file(path, quick=True)
    except sqlite3.DatabaseError as exc:
        raise db.translate_db_error(exc, path) from exc
    if found.integrity:
        raise DatabaseDamaged(f"The database {path} is damaged ({found.integrity[0]}); a backup of it would not "
                              "restore. Nothing was written. `kpidesk restore --latest` puts back the newest "
                              "sound backup.")
    if found.foreign_tables:
        raise NotADatabase(f"{path} is another program's database, not a KPI Desk database; it was not backed up.")
    dest = db.backup_database(path, Path(args.path).expanduser() if args.path else None)
    print(f"Backed up {path} to {dest}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from kpidesk import backups
    from kpidesk import database as db

    path = db.resolve_db_path(args.db)
    found = backups.list_backups(path)
    if args.backup is not None and not args.backup.strip():
        raise UsageError("the backup path is empty")
    if args.list or not (args.backup or args.latest):
        rows = []
        for b in found:
            pv = backups.preview(b.path)
            rows.append({"path": str(b.path), "taken_at": b.taken_at.isoformat(), "reason": b.reason,
                         "size": b.size, "ok": pv.ok, "counts": pv.counts, "newest_ticket": pv.newest_ticket})
        if args.json:
            json.dump(rows, sys.stdout, indent=2)
            print()
        elif not rows:
            print(f"No backups of {path} yet (they are kept in {db.backups_dir(path)}).")
        else:
            for r in rows:
                held = ", ".join(f"{v} {k}" for k, v in r["counts"].items() if v) or "empty"
                print(f"{r['taken_at'][:16]}  {r['reason']:<24} {'ok' if r['ok'] else 'DAMAGED':<8} {held}\n    {r['path']}")
        return EXIT_OK
    if args.latest:
        chosen = next((b.path for b in found if not backups.backup_problem(b.path)), None)
        if chosen is None:
            print(f"kpidesk: there is no backup of {path} that this version can restore", file=sys.stderr)
            return EXIT_ERROR
    else:
        chosen = Path(args.backup).expanduser()
    kept = backups.restore(path, chosen)
    print(f"Restored {path} from {chosen}. The previous state was kept in {kept}.")
    return EXIT_OK
