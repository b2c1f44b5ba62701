"""`kpidesk copy`: a whole database from a file to a shared PostgreSQL database, or back (issue 18).

    kpidesk copy --from team.db --to postgresql://kim@db.example/kpi [--json]
    kpidesk copy --from postgresql://kim@db.example/kpi --to laptop.db

Exit codes: 0 copied and verified; 1 refused (destination not empty, a row it will not take, a
checksum that differs: nothing written); 4 a database that cannot be opened or reached.
"""
from __future__ import annotations

import argparse
import json
import sys

from kpidesk.cli import EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("copy", help="copy every table of a database into a new, empty one (a file or "
                       "postgresql://...), verified by row counts and a checksum per table")
    p.add_argument("--from", dest="source", required=True, metavar="DB", help="the database to copy (file or URL)")
    p.add_argument("--to", dest="destination", required=True, metavar="DB",
                   help="a new file, or an empty database on a PostgreSQL server")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.set_defaults(func=cmd_copy)


def cmd_copy(args: argparse.Namespace) -> int:
    from kpidesk.copying import copy_database

    def progress(table: str, done: int, total: int) -> None:
        if not args.json:
            print(f"  {done}/{total} {table}", file=sys.stderr)

    report = copy_database(args.source, args.destination, progress=progress)
    if args.json:
        json.dump(report.to_json(), sys.stdout, indent=2)
        print()
    else:
        print(f"Copied {report.rows:,} rows in {len(report.tables)} tables from {report.source} to "
              f"{report.destination} in {report.seconds:.1f} s; every table's row count and checksum match.")
    return EXIT_OK
