"""`kpidesk export appraisals`: HR's scripted export (issue 6).

    kpidesk [--db PATH] export appraisals --period P [--team NAME | --technician NAME]
            --format pdf|xlsx|both --out DIR_OR_FILE [--include-drafts] [--page-size A4|Letter]

--out is a folder (created if needed), or a file: a .pdf for one person's summary with --format pdf,
a .xlsx for the workbook with --format xlsx. Exit 0 on success; 1 when nothing matches, the team or
technician is unknown, or the target is not writable (message on stderr); 2 for bad usage.
PDFs are drawn by Qt: the renderer is imported only here, and runs offscreen without a display.

Review cycles (issue 17): a --period that is a quarter, half-year or year (2026-Q3, 2026-H2, 2026)
is a review cycle. Its workbook has a "Cycle" sheet after the Summary: a headline, then one row per
member of the cycle (everyone in `kpidesk cycle status`, exported or not; only the --team's members,
or the --technician, when given) with state, dates, overall rating, self-assessment received and
overdue. The export never calls a cycle complete while a member's check-in is unsigned: the headline
says "complete, 8 of 8 signed" only when all are signed, else "NOT COMPLETE: 3 of 8 not signed
(names)", or "not complete (drafts included): ..." with --include-drafts. When the cycle is not
complete, one line on stderr says so:

    cycle 2026-Q4 is not complete: 3 of 8 not signed (Alex Morgan, Lena Novak, Tom Becker)

(with "; the drafts exported are marked DRAFT" after it with --include-drafts). It is a note, not an
error: the exit code stays 0 when the files were written. A month has no Cycle sheet and no note.
Each PDF gains a "Self-assessment" section for check-ins signed since self-assessments exist (or a
draft's, once every KPI is rated), an "Agenda: KPI reviews" section when reviews were talked over,
and "Calibration changes" when ratings were changed in calibration.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kpidesk.cli import EXIT_ERROR, EXIT_OK, EXIT_UNREADABLE, UsageError, open_store
from kpidesk.wording import count


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export appraisal summaries for HR (PDF and Excel)")
    what = p.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    a = what.add_parser("appraisals", help="check-ins of a period as one PDF each and/or the period workbook")
    a.add_argument("--period", required=True, help="e.g. 2026-Q3 (quarter), 2026-09 (month)")
    who = a.add_mutually_exclusive_group()
    who.add_argument("--team", metavar="NAME", help="only this team's check-ins")
    who.add_argument("--technician", metavar="NAME", help="only this technician's check-in")
    a.add_argument("--format", required=True, choices=("pdf", "xlsx", "both"), dest="fmt")
    a.add_argument("--out", required=True, metavar="DIR_OR_FILE",
                   help="a folder, or a .pdf (one person, --format pdf) or .xlsx (--format xlsx) file")
    a.add_argument("--include-drafts", action="store_true",
                   help="export unsigned check-ins too (marked DRAFT on every page); default: left out")
    a.add_argument("--page-size", choices=("A4", "Letter"), default=None,
                   help="PDF page size (default: the page_size setting, A4 unless changed)")
    a.set_defaults(func=cmd_export_appraisals)


def _pdf_renderer():
    from kpidesk.export.renderers import pdf_renderer

    return pdf_renderer()


def cmd_export_appraisals(args: argparse.Namespace) -> int:
    from kpidesk import actions
    from kpidesk.errors import ExportFailed
    from kpidesk.periods import parse_period

    try:
        period = parse_period(args.period).key
    except ValueError as exc:
        raise UsageError(f"--period: {exc}") from None
    out = Path(args.out).expanduser()
    suffix = out.suffix.lower()
    if suffix in (".pdf", ".xlsx") and (args.fmt == "both" or f".{args.fmt}" != suffix):
        print(f"kpidesk: --out {out.name} is a {suffix} file but --format is {args.fmt}; give a folder for "
              "--format both, a .pdf for pdf or a .xlsx for xlsx", file=sys.stderr)
        return EXIT_UNREADABLE
    render = _pdf_renderer() if args.fmt in ("pdf", "both") else None
    try:
        with open_store(args) as store:
            result = actions.export_appraisals(
                store, period, out, fmt=args.fmt, team=args.team, technician=args.technician,
                include_drafts=args.include_drafts, page_size=args.page_size, render_pdf=render).result
    except ExportFailed as exc:
        print(f"kpidesk: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for path in result.files:
        print(path)
    if result.skipped_drafts:
        print(f"{count(len(result.skipped_drafts), 'draft')} left out: {', '.join(result.skipped_drafts)} "
              "(--include-drafts to export them)", file=sys.stderr)
    for note in result.notes:  # e.g. the cycle is not complete: said, never an error
        print(note, file=sys.stderr)
    return EXIT_OK
