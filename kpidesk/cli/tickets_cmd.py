"""`kpidesk tickets`: the tickets behind a metric for one scope and period (the drill-down).

Contract (extend, never rename): --json prints one object with keys scope, scope_key, who, period,
kpi, segment, value (rates as fractions, as `metrics --json`), count, then median and p90 for MTTR,
open_before for backlog_change, and tickets: a list of objects (id, source, technicians, created,
resolved, priority, type, category, status, group, resolution_hours, sla_met, reopened, escalated,
first_contact, csat, csat_positive, resolved_basis, resolved_basis_words), the ones that moved the
value most first. Its value and count equal `metrics --json` for the same scope and period.
"""
from __future__ import annotations

import argparse
import json
import sys

from kpidesk.cli import EXIT_OK, UsageError, open_store
from kpidesk.cli.metrics_cmd import add_scope_arguments, scope_of
from kpidesk.metrics.model import TICKET_METRICS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tickets", help="the tickets behind a metric for a technician, team, group or the desk")
    add_scope_arguments(p)
    p.add_argument("--period", metavar="P", help="2026-03, 2026-Q1, 2026-W05 or 2026 (default: last full month)")
    p.add_argument("--kpi", metavar="METRIC", help=f"which value: a metric ({', '.join(TICKET_METRICS)}) or the "
                   "name of a KPI computed from tickets (default: the resolved tickets)")
    p.add_argument("--segment", metavar="S", help="P1..P4, incident or request (default: the KPI's own, else all)")
    p.add_argument("--out", metavar="FILE.xlsx", help="also write the list as a workbook")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_tickets)


def _metric(store, name: str | None, segment: str | None) -> tuple[str | None, str | None]:
    from kpidesk.errors import ValidationError
    from kpidesk.metrics.model import split_of_segment

    try:
        split_of_segment(segment)
    except ValidationError:
        raise UsageError(f"--segment {segment!r}: use P1..P4, incident or request") from None
    if name is None or name in TICKET_METRICS:
        return name, segment
    kpi = store.find_kpi(name)
    if kpi is None or kpi.value_source != "computed" or kpi.metric not in TICKET_METRICS:
        what = "is not computed from tickets" if kpi is not None else "is neither a metric nor a KPI"
        raise UsageError(f"--kpi {name!r} {what}: use one of {', '.join(TICKET_METRICS)} or a ticket KPI's name")
    return kpi.metric, segment if segment is not None else (kpi.segment or None)


def cmd_tickets(args: argparse.Namespace) -> int:
    from kpidesk import actions
    from kpidesk.cli.metrics_cmd import _range
    from kpidesk.metrics.evidence import LINE_COLUMNS, summary_text, tickets_behind

    args.first = args.last = None
    args.by = None
    period, _last, _gran = _range(args)
    with open_store(args) as store:
        scope_key = scope_of(store, args)
        metric, segment = _metric(store, args.kpi, args.segment)
        ev = tickets_behind(store, scope_key, period, metric=metric, segment=segment)
        if args.out:
            actions.export_tickets(store, scope_key, period.key, args.out, metric=metric, segment=segment)
    value, n, extra = ev.summary()
    if args.json:
        out = {"scope": scope_key.partition(":")[0], "scope_key": scope_key, "who": ev.who, "period": ev.period.key,
               "kpi": ev.metric or "resolved_count", "segment": ev.segment, "value": value, "count": n, **extra}
        if ev.metric == "backlog_change":
            out["open_before"] = ev.open_before
        out["tickets"] = [line.to_json() for line in ev.lines]
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return EXIT_OK
    who = "Whole desk" if scope_key == "desk" else ev.who
    print(f"{who}, {ev.period.key}{', ' + ev.segment if ev.segment else ''}: {summary_text(ev)}")
    if not ev.lines:
        print("No tickets.")
        return EXIT_OK
    shown = ("id", "created", "resolved", "priority", "category", "resolution_hours", "sla_met", "first_contact",
             "resolved_basis_words")
    heads = dict(LINE_COLUMNS)
    rows = [[_cell(line.to_json()[k]) for k in shown] for line in ev.lines]
    widths = [min(28, max(len(heads[k]), *(len(r[i]) for r in rows))) for i, k in enumerate(shown)]
    print("  ".join(heads[k].ljust(w) for k, w in zip(shown, widths)).rstrip())
    for r in rows:
        print("  ".join(c[:w].ljust(w) for c, w in zip(r, widths)).rstrip())
    if args.out:
        print(f"Written to {args.out}")
    return EXIT_OK


def _cell(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.1f}"
    return str(v)[:16] if isinstance(v, str) and v[:4].isdigit() and len(v) > 16 else str(v)
