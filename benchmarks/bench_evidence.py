"""Benchmark (not a test): opening the drill-down (issue 16) on a large database.

    python benchmarks/bench_evidence.py [--tickets 1000000] [--db PATH] [--repeat 5]

Over one SQLite file of N generated tickets (bench_metrics' generator: 3 years, 40 technicians), for
one technician and one month, in one run:
  floor        the bare SQL: SELECT * of that technician's tickets resolved in that month (the index
               lookup and the rows, nothing else);
  core         kpidesk.metrics.evidence.tickets_behind(): the same tickets with the shared ones, as
               records, ordered, and the summary worked from them;
  window       the drill-down dialog (offscreen) from its construction to its table filled;
  desk backlog the slowest list there is: every ticket open at a month's end, for the whole desk.
Prints each as milliseconds and as a ratio to the floor (goal: the window under 200 ms).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kpidesk.metrics.evidence import tickets_behind  # noqa: E402
from bench_metrics import generate  # noqa: E402  (the same generated tickets)
from kpidesk.store import Store  # noqa: E402

TECH, MONTH = 7, "2026-06"



def median_ms(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--db", help="keep the generated database here (default: a temporary file)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = Path(args.db) if args.db else Path(tmp.name) / "bench.db"
    fresh = not path.exists()
    store = Store.open(path)
    if fresh:
        t = time.perf_counter()
        generate(store, args.tickets)
        print(f"generated {args.tickets:,} tickets in {time.perf_counter() - t:.1f} s")
    scope = f"technician:{TECH}"
    with store.read() as s:
        con = s.connection().connection.driver_connection
        n = con.execute("SELECT count(*) FROM ticket").fetchone()[0]
        con.execute("SELECT count(*), total(resolution_hours) FROM ticket").fetchone()  # warm the page cache
        floor, rows = median_ms(lambda: con.execute(
            "SELECT * FROM ticket WHERE technician_id = ? AND resolved_month = ?", (TECH, MONTH)).fetchall(), args.repeat)
    core, ev = median_ms(lambda: tickets_behind(store, scope, MONTH, metric="mttr_hours"), args.repeat)
    assert len(ev.lines) == len(rows), (len(ev.lines), len(rows))  # type: ignore[union-attr]
    print(f"{n:,} tickets; technician {TECH}, {MONTH}: {len(rows)} tickets")
    print(f"{'floor: bare SELECT of the rows':<52} {floor:8.1f} ms   1.00x")
    print(f"{'core: tickets_behind (records, order, summary)':<52} {core:8.1f} ms {core / floor:6.2f}x")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.evidence_dialog import TicketsDialog
    from ui.qt_app import make_app

    app = make_app([])

    def window() -> TicketsDialog:
        dlg = TicketsDialog(store, scope, MONTH, metric="mttr_hours", title="MTTR")
        dlg.show()
        while dlg.evidence is None:
            app.processEvents()
        app.processEvents()
        dlg.close()
        return dlg

    win, _ = median_ms(window, args.repeat)
    print(f"{'window: dialog shown to table filled':<52} {win:8.1f} ms {win / floor:6.2f}x  (goal < 200 ms)")
    desk, ev = median_ms(lambda: tickets_behind(store, "desk", MONTH, metric="backlog_open"), max(1, args.repeat // 2))
    print(f"{'desk backlog at the month end (' + str(len(ev.lines)) + ' tickets)':<52} {desk:8.1f} ms "  # type: ignore[union-attr]
          f"{desk / floor:6.2f}x")
    store.close()


if __name__ == "__main__":
    main()
