"""`kpidesk metrics` (ticket metrics for the desk, a team or a technician) and `kpidesk reviews`.

Contract (HR scripts rely on it; extend, never rename): metrics --json prints a list of objects with
keys kpi, scope, who, period, segment, value (rates as fractions), count (MTTR rows add median and p90).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from kpidesk.cli import EXIT_OK, UsageError, open_store
from kpidesk.errors import NotFound
from kpidesk.periods import GRANULARITIES, Period, last_full_period, parse_period, period_containing
from kpidesk.wording import count

RATE_KEYS = {"fcr_rate", "sla_compliance", "csat_response_rate", "csat_positive_rate", "escalation_rate",
             "reopen_rate"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("metrics", help="ticket metrics (MTTR, FCR, SLA, CSAT, backlog...) by period")
    add_scope_arguments(p)
    p.add_argument("--period", metavar="P", help="2026-03, 2026-Q1, 2026-W05 or 2026 (default: last full month)")
    p.add_argument("--from", dest="first", metavar="P", help="first period of a range")
    p.add_argument("--to", dest="last", metavar="P", help="last period of a range")
    p.add_argument("--by", choices=GRANULARITIES[:3], help="period length (default: that of --period/--from)")
    p.add_argument("--split", choices=("priority", "type"), help="split by priority tier (P1-P4) or ticket type")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_metrics)

    r = sub.add_parser("reviews", help="open KPI reviews (triggered KPIs waiting for the owner)")
    r.add_argument("--check", action="store_true", help="check every KPI's trigger first (opens new reviews)")
    r.add_argument("--all", action="store_true", help="include acknowledged reviews")
    r.add_argument("--today", help="check as of this date, YYYY-MM-DD (default: today)")
    r.add_argument("--json", action="store_true")
    r.add_argument("--raise", dest="raise_kpi", metavar="KPI", help="open a review by hand on this KPI's value "
                   "(with --why; a technician's comes up on their next check-in's agenda)")
    add_scope_arguments(r)
    r.add_argument("--period", metavar="P", help="with --raise: the period (default: the KPI's last full one)")
    r.add_argument("--why", metavar="TEXT", help="with --raise: why it needs a review")
    r.add_argument("--by", default="", metavar="NAME", help="with --raise: who raises it")
    r.set_defaults(func=cmd_reviews)


def add_scope_arguments(p: argparse.ArgumentParser) -> None:
    """--technician, --team or --group (none: the whole desk), read back by scope_of()."""
    who = p.add_mutually_exclusive_group()
    who.add_argument("--technician", metavar="NAME", help="one technician (display name or alias)")
    who.add_argument("--team", metavar="NAME", help="one team (default: the whole desk)")
    who.add_argument("--group", metavar="NAME", help="one group of the exports (their group column)")


def _range(args: argparse.Namespace, today: dt.date | None = None) -> tuple[Period, Period, str]:
    """The first and last period asked for. --from alone runs to the current period; --to needs a
    --from; a range that runs backwards, or a period that does not parse (an empty one too), is bad
    usage (UsageError, exit 2), never silently turned round or replaced by a default."""
    today = today or dt.date.today()
    given = {flag: v for flag, v in (("--period", args.period), ("--from", args.first), ("--to", args.last))
             if v is not None}
    parsed: dict[str, Period] = {}
    for flag, value in given.items():
        try:
            parsed[flag] = parse_period(value)
        except ValueError as exc:
            raise UsageError(f"{flag}: {exc}") from None
    if "--period" in parsed and len(parsed) > 1:
        raise UsageError("use either --period or --from/--to, not both")
    if "--period" in parsed:
        first = last = parsed["--period"]
    elif "--from" in parsed:
        first = parsed["--from"]
        last = parsed.get("--to") or period_containing(today, first.granularity)
        if last.granularity != first.granularity:
            raise UsageError(f"--from {first.key} and --to {last.key} are periods of different lengths")
        if last.start < first.start:
            raise UsageError(f"--from {first.key} comes after --to {last.key}")
    elif "--to" in parsed:
        raise UsageError("--to needs a --from (or use --period for one period)")
    else:
        first = last = last_full_period(today, args.by or "month")
    return first, last, args.by or first.granularity


def cmd_metrics(args: argparse.Namespace) -> int:
    from kpidesk.metrics.engine import compute

    first, last, gran = _range(args)
    with open_reader(args) as store:
        scope_key = scope_of(store, args)
        values = compute(store, scope_key=scope_key, granularity=gran, first=first, last=last, split=args.split)
    if args.json:
        json.dump([v.to_json() for v in values], sys.stdout, indent=2)
        print()
        return EXIT_OK
    _print_table(values)
    return EXIT_OK


def open_reader(args: argparse.Namespace):
    """A read-only view of --db for a command that only reads: the light path (kpidesk.readonly,
    no SQLAlchemy: about 0.1 s a call instead of 0.6 s) where the database is healthy and current,
    else the full Store, which migrates, refuses or explains."""
    from kpidesk.paths import resolve_db_path
    from kpidesk.readonly import ReadOnlyDb

    db = ReadOnlyDb.open(resolve_db_path(args.db))
    return db if db is not None else open_store(args)


def scope_of(store, args: argparse.Namespace) -> str:
    """The scope key --technician, --team or --group names ('desk' without them); NotFound names the
    ones there are."""
    if args.technician:
        tech = store.find_technician(args.technician)
        if tech is None:
            raise NotFound(f"There is no technician named {args.technician!r} (see the People screen for names "
                           "and aliases).")
        return f"technician:{tech.id}"
    if args.team:
        team = next((t for t in store.list_teams() if t.name.casefold() == args.team.strip().casefold()), None)
        if team is None:
            names = ", ".join(t.name for t in store.list_teams()) or "none yet"
            hint = ""
            if any(g.casefold() == args.team.strip().casefold() for g in store.list_groups()):
                hint = f" The tickets have a group of that name: use --group {args.team!r}."
            raise NotFound(f"There is no team named {args.team!r} (teams: {names}).{hint}")
        return f"team:{team.id}"
    if args.group is not None:
        return f"group:{find_group(store, args.group)}"
    return "desk"


def find_group(store, name: str) -> str:
    """A group of the exports by name, case and spacing insensitive (NotFound lists the groups)."""
    from kpidesk.naming import alias_key

    groups = store.list_groups()
    hit = next((g for g in groups if alias_key(g) == alias_key(name)), None)
    if hit is None:
        listed = ", ".join(groups[:20]) or "none: the imported files have no group column"
        raise NotFound(f"There is no group named {name!r} in the tickets (groups: {listed}).")
    return hit


def _cell(kpi: str, value: float | None) -> str:
    if value is None:
        return "-"
    if kpi in RATE_KEYS:
        return f"{value * 100:.1f} %"
    if kpi in ("resolved_count", "backlog_open"):
        return f"{value:.0f}"
    if kpi == "backlog_change":
        return f"{value:+.0f}"
    return f"{value:.2f}"


def _print_table(values: list) -> None:
    if not values:
        print("No tickets in that range.")
        return
    head = values[0]
    print(f"{head.who if head.scope != 'desk' else 'Whole desk'} ({head.scope})")
    print(f"{'PERIOD':<9} {'SEGMENT':<9} {'METRIC':<20} {'VALUE':>10} {'COUNT':>7}  MEDIAN / P90")
    for v in values:
        extra = ""
        if v.extra.get("median") is not None:
            extra = f"{v.extra['median']:.2f} / {v.extra['p90']:.2f}"
        print(f"{v.period:<9} {v.segment or '-':<9} {v.kpi:<20} {_cell(v.kpi, v.value):>10} {v.count:>7}  {extra}")


def _raise_review(store, args: argparse.Namespace, today: dt.date | None) -> int:
    from kpidesk import actions
    from kpidesk.metrics.model import granularity_of
    from kpidesk.metrics.reviews import review_json

    kpi = store.find_kpi(args.raise_kpi)
    if kpi is None:
        raise NotFound(f"There is no KPI named {args.raise_kpi!r} (see `kpidesk kpi list`).")
    scope_key = scope_of(store, args)
    try:
        period = (parse_period(args.period) if args.period
                  else period_containing(today or dt.date.today(), granularity_of(kpi.cadence)).previous())
    except ValueError as exc:
        raise UsageError(f"--period: {exc}") from None
    rec = actions.raise_review(store, kpi.id, scope_key, period.key, args.why, args.by).result
    if args.json:
        json.dump(review_json(rec), sys.stdout, indent=2)
        print()
    else:
        print(f"#{rec.id} opened: {rec.summary}")
    return EXIT_OK


def cmd_reviews(args: argparse.Namespace) -> int:
    from kpidesk import actions
    from kpidesk.metrics.reviews import list_reviews, review_json

    try:
        today = dt.date.fromisoformat(args.today) if args.today is not None else None
    except ValueError:
        raise UsageError(f"--today {args.today!r} is not a date (use YYYY-MM-DD)") from None
    if args.raise_kpi is None and (args.why or args.period or args.technician or args.team or args.group):
        raise UsageError("--why, --period and the scope flags go with --raise KPI")
    if args.raise_kpi is not None and not (args.why or "").strip():
        raise UsageError("--raise needs --why TEXT: say why the value needs a review")
    with open_store(args) as store:
        if args.raise_kpi is not None:
            return _raise_review(store, args, today)
        opened = actions.check_reviews(store, today).result if args.check else []
        reviews = list_reviews(store, open_only=not args.all)
    if args.json:
        json.dump([review_json(r) for r in reviews], sys.stdout, indent=2)
        print()
        return EXIT_OK
    if args.check:
        print(f"Checked every KPI's trigger: {count(len(opened), 'new review')}.")
    if not reviews:
        print("No open reviews." if not args.all else "No reviews yet.")
    for r in reviews:
        state = "open" if r.is_open else f"acknowledged {r.acknowledged_at:%Y-%m-%d} by {r.acknowledged_by}: {r.note}"
        print(f"#{r.id} {r.opened_at:%Y-%m-%d}  {r.summary}  [owner: {r.owner or '-'}; {state}]")
    return EXIT_OK
