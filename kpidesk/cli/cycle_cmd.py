"""`kpidesk cycle`: the review cycle (issue 17), who is due, self-assessment forms, calibration.

Contract (extend, never rename):
    kpidesk cycle status [--period P] [--team NAME] [--json]
    kpidesk cycle send-self [--period P] [--technician NAME] --out FOLDER|FILE.xlsx [--manager NAME] [--json]
    kpidesk cycle import-self FILE [--technician NAME] [--period P] [--json]
    kpidesk cycle calibration [--period P] [--json]
    kpidesk cycle calibrate --technician NAME [--period P] (--kpi NAME | --overall) --rating N --reason TEXT
P is a quarter (2026-Q3), a half-year (2026-H2) or a year (2026); the default is the last full cycle of
the cycle length in the settings. `status --json` prints {period, length, start, end, due, today,
complete, counts {state: n}, overdue [names], members [{technician_id, technician, team, role, state,
overdue, checkin_id, version, started_at, signed_at, signed_by, acknowledged_at, overall_rating,
self_assessment_sent_at, self_assessment_received_at, self_assessment_received}]}; states are
'not started', 'self-assessment sent', 'self-assessment received', 'draft', 'signed', 'acknowledged'.
`import-self` exits 1 with one line naming the file and why when the form is refused (someone else's,
another period's, an older form, altered outside its yellow cells, the check-in already signed), 2 when
the file is not a readable form. `calibration --json`: {period, scale, distribution, rows, flags}.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kpidesk.cli import EXIT_OK, UsageError, open_store
from kpidesk.errors import NotFound, ValidationError


def register(sub: argparse._SubParsersAction) -> None:
    cycle = sub.add_parser("cycle", help="the review cycle: who is due, self-assessments, calibration")
    cs = cycle.add_subparsers(dest="cycle_command", metavar="ACTION", required=True)
    period_help = "2026-Q3, 2026-H2 or 2026 (default: the last full cycle)"

    st = cs.add_parser("status", help="everyone in the cycle and how far each check-in has got")
    st.add_argument("--period", metavar="P", help=period_help)
    st.add_argument("--team", metavar="NAME", help="one team only")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_status)

    send = cs.add_parser("send-self", help="write self-assessment forms (.xlsx) to send to technicians")
    send.add_argument("--period", metavar="P", help=period_help)
    send.add_argument("--technician", metavar="NAME", help="one technician (default: everyone not signed yet)")
    send.add_argument("--out", required=True, metavar="FOLDER|FILE.xlsx", help="where to write the form(s)")
    send.add_argument("--manager", default="", metavar="NAME", help="who the form goes back to")
    send.add_argument("--json", action="store_true")
    send.set_defaults(func=cmd_send)

    imp = cs.add_parser("import-self", help="import a returned self-assessment form")
    imp.add_argument("file", metavar="FILE", help="the .xlsx the technician sent back")
    imp.add_argument("--technician", metavar="NAME", help="refuse it unless it is this technician's")
    imp.add_argument("--period", metavar="P", help="refuse it unless it is for this period")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=cmd_import)

    cal = cs.add_parser("calibration", help="every rating of the cycle beside its evidence, with the flags")
    cal.add_argument("--period", metavar="P", help=period_help)
    cal.add_argument("--json", action="store_true")
    cal.set_defaults(func=cmd_calibration)

    fix = cs.add_parser("calibrate", help="change a draft's rating from calibration, with the reason")
    fix.add_argument("--technician", required=True, metavar="NAME")
    fix.add_argument("--period", metavar="P", help=period_help)
    which = fix.add_mutually_exclusive_group(required=True)
    which.add_argument("--kpi", metavar="NAME", help="the KPI whose rating changes")
    which.add_argument("--overall", action="store_true", help="the overall rating (an override)")
    fix.add_argument("--rating", required=True, type=float, metavar="N")
    fix.add_argument("--reason", required=True, metavar="TEXT", help="why (kept with the check-in)")
    fix.add_argument("--by", default="", metavar="NAME")
    fix.set_defaults(func=cmd_calibrate)


def _period(store, value: str | None):
    from kpidesk.appraisal.cycles import cycle_period

    try:
        return cycle_period(store, value)
    except ValueError as exc:  # a period that does not parse
        raise UsageError(f"--period: {exc}") from None
    except ValidationError as exc:
        raise UsageError(f"--period: {'; '.join(exc.problems.values())}") from None


def _technician(store, name: str):
    tech = store.find_technician(name)
    if tech is None:
        raise NotFound(f"There is no technician named {name!r} (see the People screen for names and aliases).")
    return tech


def _dump(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False)
    print()


def cmd_status(args: argparse.Namespace) -> int:
    from kpidesk.appraisal.cycles import cycle_status

    with open_store(args) as store:
        p = _period(store, args.period)
        status = cycle_status(store, p)
        if args.team:
            teams = {t.name.casefold(): t.name for t in store.list_teams()}
            if args.team.strip().casefold() not in teams:
                raise NotFound(f"There is no team named {args.team!r} (teams: {', '.join(teams.values()) or 'none'}).")
            status.members = [m for m in status.members if m.team == teams[args.team.strip().casefold()]]
    if args.json:
        _dump(status.to_json())
        return EXIT_OK
    print(status.summary())
    if not status.members:
        print("No one is in this cycle (no active technicians in the period).")
        return EXIT_OK
    rows = [("Technician", "Team", "State", "Self-assessment", "Signed", "Rating")]
    for m in status.members:
        own = ("received " + f"{m.self_received_at:%d %b}" if m.self_received_at
               else "sent " + f"{m.self_sent_at:%d %b}" if m.self_sent_at else "-")
        signed = f"{m.signed_at:%d %b %Y}" if m.signed_at else "-"
        rating = f"{m.overall_rating:.1f}" if m.overall_rating is not None else "-"
        rows.append((m.technician, m.team or "-", m.state + (" (OVERDUE)" if m.overdue else ""), own, signed, rating))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return EXIT_OK


def cmd_send(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kpidesk import actions

    with open_store(args) as store:
        p = _period(store, args.period)
        if args.technician:
            tech = _technician(store, args.technician)
            out = actions.send_self_assessment(store, tech.id, p.key, args.out, manager=args.manager)
            made, notes = [out.result], out.notes
        else:
            if Path(args.out).suffix.lower() == ".xlsx":
                raise UsageError("--out: give a folder for everyone's forms (a single .xlsx needs --technician)")
            Path(args.out).expanduser().mkdir(parents=True, exist_ok=True)
            out = actions.send_self_assessments(store, p.key, args.out, manager=args.manager)
            made, notes = out.result, out.notes
    if args.json:
        _dump([r.to_json() for r in made])
    else:
        for line in notes:
            print(line)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from kpidesk import actions
    from kpidesk.appraisal.self_form import FormRefused

    with open_store(args) as store:
        tech_id = _technician(store, args.technician).id if args.technician else None
        period = _period(store, args.period).key if args.period else None
        try:
            out = actions.receive_self_assessment(store, args.file, technician_id=tech_id, period=period)
        except FormRefused as exc:
            raise UsageError(str(exc)) from None  # not a readable form: exit 2, like any unreadable file
    if args.json:
        _dump(out.result.to_json())
    else:
        print(out.notes[0])
    return EXIT_OK


def cmd_calibration(args: argparse.Namespace) -> int:
    from kpidesk.appraisal.calibration import calibration

    with open_store(args) as store:
        cal = calibration(store, _period(store, args.period).key)
    if args.json:
        _dump(cal.to_json())
        return EXIT_OK
    print(f"Calibration {cal.period}: " + ", ".join(f"{k}: {v}" for k, v in cal.distribution.items()))
    for r in cal.rows:
        overall = f"{r.overall:.1f}" if r.overall is not None else "-"
        proposed = f"{r.proposed:.1f}" if r.proposed is not None else "-"
        print(f"  {r.technician} ({r.state}): proposed {proposed}, overall {overall}")
    print(f"{len(cal.flags)} flag{'s' if len(cal.flags) != 1 else ''}" + (":" if cal.flags else "."))
    for f in cal.flags:
        print(f"  [{f.kind}] {f.text}")
    return EXIT_OK


def cmd_calibrate(args: argparse.Namespace) -> int:
    from kpidesk import actions
    from kpidesk.appraisal.cycles import cycle_status

    with open_store(args) as store:
        p = _period(store, args.period)
        tech = _technician(store, args.technician)
        member = next((m for m in cycle_status(store, p).members if m.technician_id == tech.id), None)
        if member is None or member.checkin_id is None:
            raise NotFound(f"{tech.display_name} has no check-in for {p.key} to calibrate; start it first.")
        kpi_id = None
        if args.kpi:
            kpi = store.find_kpi(args.kpi)
            if kpi is None:
                raise NotFound(f"There is no KPI named {args.kpi!r}.")
            kpi_id = kpi.id
        rec = actions.calibrate_rating(store, member.checkin_id, kpi_id, args.rating, args.reason, args.by).result
    overall = f"{rec.overall_rating:.1f}" if rec.overall_rating is not None else "none"
    print(f"{rec.technician}, {rec.period}: rating changed; overall now {overall}.")
    return EXIT_OK
