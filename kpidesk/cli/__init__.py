"""The `kpidesk` command line. Each command group lives in its own module with a `register(sub)`
function; add new groups to COMMAND_MODULES. Contracts (subcommands, flags, JSON keys, exit codes)
are relied on by HR scripts: extend, never rename.

Exit codes: 0 success; 1 a clear error (message on stderr); 2 a file it cannot read or bad usage;
3 strict import rejected rows; 4 database problem (damaged, too new, locked, read-only).
"""
from __future__ import annotations

import argparse
import importlib
import sqlite3
import sys
from typing import Sequence

from kpidesk import __version__
from kpidesk.errors import DatabaseError, KpiDeskError

COMMAND_MODULES = (
    "kpidesk.cli.basic",
    "kpidesk.cli.export_cmd",
    "kpidesk.cli.metrics_cmd",
    "kpidesk.cli.tickets_cmd",
    "kpidesk.cli.import_cmd",
    "kpidesk.cli.setup_cmd",
    "kpidesk.cli.note_cmd",
    "kpidesk.cli.cycle_cmd",
    "kpidesk.cli.copy_cmd",
    "kpidesk.cli.shared_cmd",
)

EXIT_OK, EXIT_ERROR, EXIT_UNREADABLE, EXIT_STRICT, EXIT_DATABASE = 0, 1, 2, 3, 4


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kpidesk",
        description="KPI Desk: KPIs, trends and fair appraisal check-ins for small IT teams, offline. "
        "With no command, the desktop app starts.",
    )
    parser.add_argument("--db", metavar="PATH", help="database file, or a shared database as postgresql://user@host/"
                        "dbname (default: KPIDESK_DB, else the kpidesk.db in your data folder)")
    parser.add_argument("--version", action="version", version=f"KPI Desk {__version__}")
    parser.add_argument("--selftest", action="store_true", help="run a quick end-to-end self test and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def run(argv: Sequence[str]) -> int | None:
    """Run a CLI command; returns its exit code, or None when no command was given (start the GUI).
    Every failure ends in one plain line on stderr and the documented exit code, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    if args.db is not None and not args.db.strip():
        parser.error("--db needs a file path (it was empty)")  # exits 2, like any bad usage
    from kpidesk.backend import foreign_scheme

    for given in (args.db, getattr(args, "source", None), getattr(args, "destination", None)):
        if foreign_scheme(given):
            parser.error(f"{given.split('://')[0]}://: KPI Desk opens SQLite files and PostgreSQL databases "
                         "(postgresql://user@host/dbname)")
    if args.selftest:
        from kpidesk.selftest import run_selftest

        return run_selftest()
    if not args.command:
        return None
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"kpidesk: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except DatabaseError as exc:
        print(f"kpidesk: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    except KpiDeskError as exc:
        print(f"kpidesk: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (sqlite3.Error, *_sqlalchemy_errors()) as exc:
        from kpidesk.database import resolve_db_path, translate_db_error

        from kpidesk.paths import resolve_db_target

        target = resolve_db_target(args.db)
        if isinstance(target, str):
            from kpidesk.postgres import translate_error

            err = translate_error(exc, target)
        else:
            err = translate_db_error(exc, resolve_db_path(args.db))
        print(f"kpidesk: {err if isinstance(err, KpiDeskError) else f'database error: {err}'}", file=sys.stderr)
        return EXIT_DATABASE
    except BrokenPipeError:  # `kpidesk metrics | head`: the reader left; main() ends quietly
        raise
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"kpidesk: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_ERROR


def _sqlalchemy_errors() -> tuple[type[BaseException], ...]:
    """SQLAlchemy's error class where SQLAlchemy is loaded: the light read path (kpidesk.readonly)
    never loads it, and importing it only to name an error would cost 0.2 s per command."""
    module = sys.modules.get("sqlalchemy.exc")
    return (module.SQLAlchemyError,) if module is not None else ()


class UsageError(KpiDeskError):
    """Bad arguments found after parsing (a period that does not parse, --from after --to): exit 2."""


def open_store(args: argparse.Namespace, *, create: bool = False):
    """The Store for --db (or KPIDESK_DB, or the default file). Only commands that fill a database
    (`demo`, `import`) may create one: a read command on a mistyped path must say so, not answer
    from a new empty database."""
    from kpidesk.backups import auto_backup
    from kpidesk.database import resolve_db_path
    from kpidesk.errors import DatabaseMissing
    from kpidesk.store import Store

    from kpidesk.paths import resolve_db_target

    target = resolve_db_target(args.db)
    if isinstance(target, str):  # a shared PostgreSQL database: the server keeps its own backups
        return Store.open(target)
    path = resolve_db_path(args.db)
    if not create and not path.exists():
        raise DatabaseMissing(f"There is no database at {path}. Check the --db path (or KPIDESK_DB); "
                              "`kpidesk demo` or `kpidesk import` create one.")
    store = Store.open(path)
    try:
        auto_backup(store.path, keep=int(store.get_setting("backups_keep") or 10))
    except (KpiDeskError, OSError) as exc:  # the daily copy failing must not stop the command
        print(f"kpidesk: note: the daily backup was not taken ({exc})", file=sys.stderr)
    return store
