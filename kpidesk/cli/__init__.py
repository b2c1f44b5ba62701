"""The `kpidesk` command line. Each command group lives in its own module with a `register(sub)`
function; add new groups to COMMAND_MODULES. Contracts (subcommands, flags, JSON keys, exit codes)
are relied on by HR scripts: extend, never rename.

Exit codes: 0 success; 1 a clear error (message on stderr); 2 a file it cannot read or bad usage;
3 strict import rejected rows; 4 database problem (damaged, too new, locked, read-only).
"""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from kpidesk import __version__
from kpidesk.errors import DatabaseError, KpiDeskError

COMMAND_MODULES = (
    "kpidesk.cli.basic",
    "kpidesk.cli.export_cmd",
    "kpidesk.cli.metrics_cmd",
    "kpidesk.cli.import_cmd",
)

EXIT_OK, EXIT_ERROR, EXIT_UNREADABLE, EXIT_STRICT, EXIT_DATABASE = 0, 1, 2, 3, 4


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kpidesk",
        description="KPI Desk: KPIs, trends and fair appraisal check-ins for small IT teams, offline. "
        "With no command, the desktop app starts.",
    )
    parser.add_argument("--db", metavar="PATH", help="database file (default: KPIDESK_DB, else the "
                        "kpidesk.db in your data folder)")
    parser.add_argument("--version", action="version", version=f"KPI Desk {__version__}")
    parser.add_argument("--selftest", action="store_true", help="run a quick end-to-end self test and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def run(argv: Sequence[str]) -> int | None:
    """Run a CLI command; returns its exit code, or None when no command was given (start the GUI)."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    if args.selftest:
        from kpidesk.selftest import run_selftest

        return run_selftest()
    if not args.command:
        return None
    try:
        return int(args.func(args) or 0)
    except DatabaseError as exc:
        print(f"kpidesk: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    except KpiDeskError as exc:
        print(f"kpidesk: {exc}", file=sys.stderr)
        return EXIT_ERROR


def open_store(args: argparse.Namespace):
    from kpidesk.database import resolve_db_path
    from kpidesk.store import Store

    from kpidesk.backups import auto_backup

    store = Store.open(resolve_db_path(args.db))
    auto_backup(store.path, keep=int(store.get_setting("backups_keep") or 10))
    return store
