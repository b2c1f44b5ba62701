"""Benchmark (not a test): mix-adjusted speed (kpidesk.metrics.mix) over 1,000,000 generated tickets.

    python benchmarks/bench_mix.py [--tickets N] [--db PATH]

The tickets are bench_metrics.py's (3 years, 40 technicians), given one of six categories each so the
cells are priority x category. Times mix_all() for one month and one quarter (every technician, the
window read once), mix_for() for one technician, and the engine's MTTR for the same month beside it.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_metrics import generate, timed  # noqa: E402

from kpidesk.metrics.engine import compute_all  # noqa: E402
from kpidesk.metrics.mix import mix_all, mix_for  # noqa: E402
from kpidesk.store import Store  # noqa: E402

CATEGORIES = ("hardware", "software", "network", "access", "printer", "email")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--db", help="keep the generated database here (default: a temporary file)")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = Path(args.db) if args.db else Path(tmp.name) / "bench.db"
    fresh = not path.exists()
    store = Store.open(path)
    if fresh:
        timed(f"generate {args.tickets:,} tickets (executemany)", lambda: generate(store, args.tickets))
        cases = " ".join(f"WHEN {i} THEN '{c}'" for i, c in enumerate(CATEGORIES))
        with store.raw_write() as con:
            timed("give each ticket a category", lambda: con.execute(
                f"UPDATE ticket SET category = CASE id % {len(CATEGORIES)} {cases} END"))
    with store.read() as s:
        con = s.connection().connection.driver_connection
        timed("warm the page cache (count)",
              lambda: con.execute("SELECT count(*), total(resolution_hours) FROM ticket").fetchone())
    _, figs = timed("mix_all, one month (2026-06, every technician)", lambda: mix_all(store, "2026-06"), repeat=3)
    timed("mix_all, one quarter (2026-Q2, window of 6 quarters)", lambda: mix_all(store, "2026-Q2"), repeat=3)
    timed("mix_all, one week (2026-W23)", lambda: mix_all(store, "2026-W23"), repeat=3)
    timed("mix_for, one technician, one month", lambda: mix_for(store, 7, "2026-06"), repeat=3)
    timed("engine MTTR, technicians, the same month (for scale)",
          lambda: compute_all(store, granularity="month", first="2026-06", scopes=("technician",),
                              metrics=["mttr_hours"]), repeat=3)
    levels = {k: sum(f.fallbacks[k] for f in figs.values()) for k in ("cell", "tier", "desk")}
    print(f"\n{len(figs)} technicians in 2026-06, {sum(f.count for f in figs.values()):,} tickets; references by "
          f"level {levels}; verdicts {sorted({f.verdict for f in figs.values()})}")
    store.close()


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - started:.1f} s")
