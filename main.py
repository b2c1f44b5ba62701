"""KPI Desk entry point: the desktop app by default, the `kpidesk` command line with a command.

    python main.py                 start the app (offers demo data on first start)
    python main.py --db FILE       start the app on another database file
    python main.py COMMAND ...     run a command (see --help)
"""
from __future__ import annotations

import sys


def register_qt_services() -> None:
    """Hand the core what only Qt can do (the PDF renderer), without the core importing Qt."""
    from kpidesk.export.renderers import register_pdf_renderer

    def qt_pdf_renderer():
        from ui.reports.pdf_renderer import ensure_gui_app, render_pdf

        ensure_gui_app()  # offscreen when there is no display: the CLI works on a headless machine
        return render_pdf

    register_pdf_renderer(qt_pdf_renderer)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    register_qt_services()
    from kpidesk.cli import run

    try:
        code = run(argv)
    except KeyboardInterrupt:
        # Every write is one transaction and every export file is renamed into place only when
        # whole, so stopping here leaves the database and the folders as they were.
        print("\nkpidesk: interrupted; nothing was changed by the unfinished command.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `kpidesk kpi list | head`: the reader left; not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if code is not None:
        return code
    from ui.app import run_gui  # Qt is imported only when the window is wanted

    db = None
    if "--db" in argv:
        db = argv[argv.index("--db") + 1]
    else:
        db = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), None)
    return run_gui(db)


if __name__ == "__main__":
    sys.exit(main())
