"""`kpidesk note`: dated notes on the data ("VPN rollout", "two people on leave"), drawn on the trend
plots they touch and listed in the check-ins (kpidesk/annotations.py has the rules).

Contract (extend, never rename):
    kpidesk note add --date D [--until D] --text TEXT [--kpi NAME]
                     [--technician NAME | --team NAME | --group NAME | --desk] [--author NAME] [--json]
    kpidesk note list [--kpi NAME] [--technician NAME | --team NAME | --group NAME | --desk]
                      [--from D --to D] [--json]
    kpidesk note delete ID
No scope flag on `add`: the note is for everyone (every plot); no --kpi: every KPI. `list` filters by
the plot rule: --kpi NAME lists the notes on that KPI and on every KPI, --team NAME those for
everyone and for that team, --from/--to those overlapping the range (a date, or a period such as
2026-03 or 2026-Q1). --json: each note as {id, on, until, text, kpi_id, kpi, scope, scope_label,
applies_to, author}. Exit 2 for a bad date or text (one line on stderr), 1 for a name or an id
that is not there, as the other commands.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Optional

from kpidesk.cli import EXIT_OK, UsageError, open_store
from kpidesk.errors import NotFound
from kpidesk.wording import count

if TYPE_CHECKING:
    from kpidesk.annotations import AnnotationRecord
    from kpidesk.store import Store


def register(sub: argparse._SubParsersAction) -> None:
    note = sub.add_parser("note", help="dated notes on the data (drawn on the plots, listed in check-ins)")
    note_sub = note.add_subparsers(dest="note_command", metavar="ACTION", required=True)

    add = note_sub.add_parser("add", help="add a note on a day or a span, for a KPI and a scope (default: "
                              "every KPI, everyone)")
    add.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the day the note is about (its first day)")
    add.add_argument("--until", metavar="YYYY-MM-DD", help="the last day of a span, e.g. a leave")
    add.add_argument("--text", required=True, help="what happened, e.g. 'VPN rollout' (at most 500 characters)")
    add.add_argument("--kpi", metavar="NAME", help="one KPI (default: every KPI)")
    _scope_flags(add)
    add.add_argument("--author", default="", metavar="NAME", help="who wrote it")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=cmd_note_add)

    lst = note_sub.add_parser("list", help="the notes, oldest first")
    lst.add_argument("--kpi", metavar="NAME", help="the notes a plot of this KPI shows (on it, or on every KPI)")
    _scope_flags(lst)
    lst.add_argument("--from", dest="first", metavar="D", help="from this date or period (2026-03-01, 2026-03)")
    lst.add_argument("--to", dest="last", metavar="D", help="to this date or period, included")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_note_list)

    rm = note_sub.add_parser("delete", help="remove a note (signed check-ins keep their copy)")
    rm.add_argument("id", type=int, metavar="ID", help="the note's number (see `kpidesk note list`)")
    rm.set_defaults(func=cmd_note_delete)


def _scope_flags(p: argparse.ArgumentParser) -> None:
    who = p.add_mutually_exclusive_group()
    who.add_argument("--technician", metavar="NAME", help="one technician's plots (display name or alias)")
    who.add_argument("--team", metavar="NAME", help="one team's plots")
    who.add_argument("--group", metavar="NAME", help="one group of the exports")
    who.add_argument("--desk", action="store_true", help="the whole desk's plots only")


# Reading the flags ------------------------------------------------------------------------------

def _day(flag: str, value: Optional[str], *, end: bool = False) -> Optional[dt.date]:
    """A date (YYYY-MM-DD); for --from/--to also a period, taken from its first or last day."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        pass
    if flag in ("--from", "--to"):
        from kpidesk.periods import parse_period

        try:
            p = parse_period(value)
        except ValueError:
            pass
        else:
            return p.last_day if end else p.start
    raise UsageError(f"{flag} {value!r} is not a date (use YYYY-MM-DD)")


def _kpi_id(store: "Store", name: Optional[str]) -> Optional[int]:
    if name is None:
        return None
    kpis = store.list_kpis()
    hit = next((k for k in kpis if k.name.casefold() == name.strip().casefold()), None)
    if hit is None:
        known = ", ".join(k.name for k in kpis[:12]) or "none yet"
        raise NotFound(f"There is no KPI named {name!r} (KPIs: {known}).")
    return hit.id


def _scope_key(store: "Store", args: argparse.Namespace) -> Optional[str]:
    """The scope the flags name (the lookup `metrics` uses); None when none is given."""
    from kpidesk.cli.metrics_cmd import scope_of

    given = {f"--{k}": v for k in ("technician", "team", "group") if (v := getattr(args, k)) is not None}
    for flag, value in given.items():
        if not value.strip():
            raise UsageError(f"{flag} needs a name (it was empty)")
    if given:
        return scope_of(store, args)
    return "desk" if args.desk else None


def _line(a: "AnnotationRecord") -> str:
    by = f"  ({a.author})" if a.author else ""
    return f"#{a.id:<4} {a.when:<26} {a.text}  [{a.applies_to}]{by}"


def _dump(value: object) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    print()


# Commands ---------------------------------------------------------------------------------------

def cmd_note_add(args: argparse.Namespace) -> int:
    from kpidesk import actions
    from kpidesk.annotations import AnnotationRecord, field_problems
    from kpidesk.errors import ValidationError

    rec = AnnotationRecord(on=_day("--date", args.date), until=_day("--until", args.until),  # type: ignore[arg-type]
                           text=args.text, author=args.author)
    problems = field_problems(rec)  # before opening: bad input changes nothing
    if problems:
        flags = {"on": "--date", "until": "--until", "text": "--text", "author": "--author"}
        raise UsageError("; ".join(f"{flags.get(k, k)}: {v}" for k, v in problems.items()))
    with open_store(args) as store:
        rec.kpi_id = _kpi_id(store, args.kpi)
        rec.scope_key = _scope_key(store, args) or ""
        try:
            done = actions.add_annotation(store, rec)
        except ValidationError as exc:
            raise UsageError(str(exc)) from None
    if args.json:
        _dump(done.result.to_json())
    else:
        print(f"Added note #{done.result.id}: {done.result.when}, {done.result.text} [{done.result.applies_to}]")
    return EXIT_OK


def cmd_note_list(args: argparse.Namespace) -> int:
    from kpidesk.annotations import list_annotations

    first, last = _day("--from", args.first), _day("--to", args.last, end=True)
    if first and last and last < first:
        raise UsageError(f"--from {args.first} comes after --to {args.last}")
    with open_store(args) as store:
        notes = list_annotations(store, kpi_id=_kpi_id(store, args.kpi), scope_key=_scope_key(store, args),
                                 first_day=first, last_day=last)
    if args.json:
        _dump([a.to_json() for a in notes])
        return EXIT_OK
    if not notes:
        print("No notes" + (" match." if any((args.kpi, first, last, args.technician, args.team, args.group,
                                                 args.desk)) else " yet: `kpidesk note add` adds one."))
    for a in notes:
        print(_line(a))
    if len(notes) > 1:
        print(count(len(notes), "note") + ".")
    return EXIT_OK


def cmd_note_delete(args: argparse.Namespace) -> int:
    from kpidesk import actions
    from kpidesk.annotations import get_annotation

    with open_store(args) as store:
        gone = get_annotation(store, args.id)
        actions.delete_annotation(store, args.id)
    print(f"Deleted note #{gone.id}: {gone.when}, {gone.text}")
    return EXIT_OK
