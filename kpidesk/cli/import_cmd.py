"""Import commands: `import FILE`, `imports` (list) and `undo-import BATCH_ID`.

Contract (HR scripts rely on it; extend, never rename):
    kpidesk [--db PATH] import FILE [--sheet NAME] [--preset auto|NAME] [--kind tickets|values]
            [--day-first|--month-first] [--mapping MAP.json | --show-mapping] [--names create|ask|ignore]
            [--strict] [--dry-run] [--json]
exit 0 success, 2 a file it cannot read (or a bad mapping file, or --names ask with new names: they
are listed in new_technicians and nothing is written), 3 strict import with rejected rows.
JSON keys: batch_id, file, preset, kind, created, updated, unchanged, rejected, rejected_rows [{file,
sheet, row, column, value, reason}], new_technicians, dry_run, elapsed_s (plus sheet, warnings
[{code, message, count, rows}], date_order, mapping, reviews_opened [the `reviews --json` objects], notes).
--show-mapping prints a mapping file
(kpidesk/importing/mapping_file.py); `imports --json` gives each import's in its "mapping" key.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kpidesk.cli import EXIT_ERROR, EXIT_OK, EXIT_STRICT, EXIT_UNREADABLE, open_store
from kpidesk.errors import ImportFailed
from kpidesk.wording import count

PRESET_CHOICES = ("auto", "generic", "servicenow", "jira", "zendesk", "freshdesk", "osticket", "glpi", "zammad")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import a helpdesk ticket export or a KPI values spreadsheet")
    p.add_argument("file", metavar="FILE", help=".xlsx, .xlsm, .xls, .ods or .csv file")
    p.add_argument("--sheet", metavar="NAME", help="sheet to read (default: the one that looks like data)")
    p.add_argument("--preset", default="auto", choices=PRESET_CHOICES,
                   help="which tool made the export (default: recognised from the headers)")
    p.add_argument("--kind", default="tickets", choices=("tickets", "values"),
                   help="tickets (default) or KPI values (long or wide shape)")
    order = p.add_mutually_exclusive_group()
    order.add_argument("--day-first", dest="day_first", action="store_true", default=None,
                       help="read dates like 03/04/2026 as 3 April")
    order.add_argument("--month-first", dest="day_first", action="store_false",
                       help="read dates like 03/04/2026 as 4 March")
    p.add_argument("--mapping", metavar="MAP.json",
                   help="columns, status categories, priority tiers and day-first from a mapping file "
                        "(see --show-mapping)")
    p.add_argument("--show-mapping", action="store_true",
                   help="print the mapping auto detection would use, as a mapping file to edit; import nothing")
    p.add_argument("--names", choices=("create", "ask", "ignore"), default="create",
                   help="names no technician or alias matches: create a technician for each (default); ask: "
                        "list them and import nothing (exit 2), so you can `kpidesk people alias` them first; "
                        "ignore: leave their tickets unassigned")
    p.add_argument("--strict", action="store_true", help="import nothing if any row is rejected (exit 3)")
    p.add_argument("--dry-run", action="store_true", help="check and count, but change nothing")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_import)

    lst = sub.add_parser("imports", help="list past imports")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_imports)

    undo = sub.add_parser("undo-import", help="undo an import: remove what it created, restore what it updated")
    undo.add_argument("batch_id", type=int, metavar="BATCH_ID")
    undo.set_defaults(func=cmd_undo)


def _emit(report: Any, as_json: bool, stream: Any = None, reviews: list[Any] = (), notes: list[str] = ()) -> None:
    if as_json:
        from kpidesk.metrics.reviews import review_json

        data = report.to_json()
        data["reviews_opened"] = [review_json(r) for r in reviews]
        data["notes"] = list(notes)
        json.dump(data, sys.stdout, indent=2)
        print()
        return
    out = stream or sys.stdout
    print(report.summary(), file=out)
    for w in report.warnings:
        print(f"  note: {w}", file=out)
    for n in notes:
        print(f"  note: {n}", file=out)
    if reviews:
        print(f"{count(len(reviews), 'review')} opened: a KPI crossed its trigger (kpidesk reviews lists them).", file=out)
        for r in reviews:
            print(f"  review #{r.id}: {r.summary}", file=out)
    for r in report.rejected_rows[:20]:
        print(f"  rejected: row {r.row}, column {r.column!r}, value {r.value!r}: {r.reason}", file=out)
    if report.rejected > 20:
        print(f"  ... and {report.rejected - 20} more rejected rows (use --json for all)", file=out)


def cmd_import(args: argparse.Namespace) -> int:
    from kpidesk import actions
    from kpidesk.importing import mapping_file
    from kpidesk.importing.errors import RowsRejected

    try:
        if args.show_mapping:
            return _show_mapping(args)
        given = mapping_file.load(args.mapping) if args.mapping else None
        preset = args.preset if args.preset != "auto" or given is None else given["preset"]
        day_first = args.day_first if args.day_first is not None or given is None else given["day_first"]
        request = actions.ImportRequest(
            Path(args.file), kind=args.kind, sheet=args.sheet, preset=preset, day_first=day_first,
            strict=args.strict, dry_run=args.dry_run, mapping=given["columns"] if given else None,
            status_overrides=given["status_categories"] if given else None,
            priority_overrides=given["priority_tiers"] if given else None,
            ask_names=args.names == "ask", create_names=args.names != "ignore")
        with open_store(args, create=True) as store:
            done = actions.import_file(store, request)
        report = done.result.report
        if done.result.needs_names:
            _ask_names(report, args.json)
            return EXIT_UNREADABLE
    except RowsRejected as exc:
        print(f"kpidesk: {exc}", file=sys.stderr)
        _emit(exc.report, args.json, sys.stderr)
        return EXIT_STRICT
    except ImportFailed as exc:
        print(f"kpidesk: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    _emit(report, args.json, reviews=done.reviews, notes=done.notes)
    return EXIT_OK


def _ask_names(report: Any, as_json: bool) -> None:
    """--names ask found names no technician or alias matches: list them; nothing was written."""
    if as_json:
        data = report.to_json()
        data["reviews_opened"], data["notes"] = [], ["nothing was imported: new names to decide"]
        json.dump(data, sys.stdout, indent=2)
        print()
    names = report.new_technicians
    print(f"kpidesk: {report.file} names {len(names)} {'person' if len(names) == 1 else 'people'} no technician "
          "or alias matches; nothing was imported:", file=sys.stderr)
    for n in names:
        print(f"  {n}", file=sys.stderr)
    print("Map a name onto a technician with `kpidesk people alias NAME --to TECHNICIAN`, then import again "
          "(--names create makes the rest technicians; --names ignore leaves their tickets unassigned).",
          file=sys.stderr)


def _show_mapping(args: argparse.Namespace) -> int:
    """Print the mapping as a file to edit; reads the database's own status and priority choices
    when there is one, and never creates or changes a database."""
    from kpidesk.database import resolve_db_path
    from kpidesk.importing import mapping_file

    if resolve_db_path(args.db).exists():
        with open_store(args) as store:
            doc = mapping_file.describe(store, args.file, sheet=args.sheet, preset=args.preset)
    else:
        doc = mapping_file.describe(None, args.file, sheet=args.sheet, preset=args.preset)
    json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
    print()
    return EXIT_OK


def cmd_imports(args: argparse.Namespace) -> int:
    from kpidesk.importing.undo import list_imports

    with open_store(args) as store:
        records = list_imports(store)
    if args.json:
        out = [dict(vars(r), started_at=_iso(r.started_at), finished_at=_iso(r.finished_at),
                    undone_at=_iso(r.undone_at)) for r in records]
        json.dump(out, sys.stdout, indent=2)
        print()
        return EXIT_OK
    if not records:
        print("No imports yet.")
    for r in records:
        state = f"undone {r.undone_at:%Y-%m-%d %H:%M}" if r.undone_at else ""
        print(f"#{r.id:<4} {r.started_at:%Y-%m-%d %H:%M}  {r.kind:<7} {r.file_name}  {r.preset}  "
              f"+{r.created} ~{r.updated} ={r.unchanged} !{r.rejected}  {state}".rstrip())
    return EXIT_OK


def cmd_undo(args: argparse.Namespace) -> int:
    from kpidesk import actions

    try:
        with open_store(args) as store:
            done = actions.undo_import(store, args.batch_id)
    except ImportFailed as exc:
        print(f"kpidesk: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"Import {args.batch_id} undone.")
    for r in done.reviews:
        print(f"  review #{r.id} opened: {r.summary}")
    return EXIT_OK


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None
