"""Benchmark (not a test): what keeping the stored KPI values true costs after an import (issue 14).

    python benchmarks/bench_refresh.py [--tickets 1000000] [--week 6400] [--db PATH]

Over one SQLite file of N generated tickets (3 years, 40 technicians in 4 teams; bench_metrics'
generator) with the service-desk KPIs (monthly and weekly, a P1 split, the backlog), in one run:
  full         recompute(): every computed KPI value from all the tickets (the yardstick);
  import       a week of new tickets (a real CSV through the import, to its commit);
  incremental  recompute(since=the week's first day): what the import action runs after its commit;
  triggers     check_triggers(): every KPI's trigger against its last full period;
and prints incremental / full (goal: under 5 %). It also checks that the incremental values equal a
full recompute's.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kpidesk.importing import tickets_import  # noqa: E402
from kpidesk.metrics.recompute import recompute  # noqa: E402
from kpidesk.metrics.reviews import check_triggers  # noqa: E402
from bench_metrics import generate  # noqa: E402  (the same generated tickets)
from kpidesk.store import Store  # noqa: E402
from kpidesk.templates import add_kpi_from_template, start_with_templates  # noqa: E402

TODAY = dt.date(2026, 12, 1)
WEEK = dt.date(2026, 11, 23)  # Monday of the last full week of the generated years



def timed(label: str, fn):
    t = time.perf_counter()
    result = fn()
    took = time.perf_counter() - t
    print(f"{label:<62} {took:7.2f} s", flush=True)
    return took, result


def week_export(path: Path, n: int, seed: int = 3) -> Path:
    rng = random.Random(seed)
    lines = ["Number,Opened,Resolved,Priority,Assigned to,State"]
    for i in range(n):
        opened = dt.datetime.combine(WEEK, dt.time(8)) + dt.timedelta(minutes=rng.randrange(0, 6 * 24 * 60))
        done = rng.random() < 0.8
        resolved = opened + dt.timedelta(hours=rng.lognormvariate(1.5, 1.0))
        if resolved.date() >= TODAY:
            done = False
        lines.append(f"WEEK{i:06d},{opened:%Y-%m-%d %H:%M:%S},{resolved:%Y-%m-%d %H:%M:%S}" if done else
                     f"WEEK{i:06d},{opened:%Y-%m-%d %H:%M:%S},")
        lines[-1] += f",{rng.choice(('1 - Critical', '2 - High', '3 - Moderate', '4 - Low'))},Tech {rng.randint(1, 40):02d}," \
                     f"{'Resolved' if done else 'In Progress'}"
    path.write_text("\n".join(lines) + "\n")
    return path


def stored(path: Path) -> dict[tuple, tuple]:
    con = sqlite3.connect(path)
    try:
        return {r[:4]: r[4:] for r in con.execute("SELECT kpi_id, scope_key, period, segment, value, count "
                                                   "FROM measurement WHERE source = 'computed'")}
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--week", type=int, default=6_400, help="tickets in the imported week (1M over 3 years: ~6,400)")
    ap.add_argument("--db", help="keep the generated database here and reuse it (each run works on a copy)")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    kept = Path(args.db) if args.db else Path(tmp.name) / "generated.db"
    if not kept.exists():
        with Store.open(kept) as store:
            timed(f"generate {args.tickets:,} tickets", lambda: generate(store, args.tickets))
            start_with_templates(store, owner="Bench")
            for key in ("backlog", "throughput"):
                add_kpi_from_template(store, key, owner="Bench")
    path = Path(tmp.name) / "bench.db"
    shutil.copy(kept, path)
    store = Store.open(path)
    with store.read() as s:
        s.connection().connection.driver_connection.execute("SELECT count(*), total(resolution_hours) FROM ticket").fetchone()
    full, _ = timed("full: recompute() of every computed KPI value", lambda: recompute(store, today=TODAY))
    export = week_export(Path(tmp.name) / "week.csv", args.week)
    imp, report = timed(f"import: a week of {args.week:,} tickets (to its commit)",
                        lambda: tickets_import.run(store, export))
    since = report.touched_since
    inc, _ = timed(f"incremental: recompute(since={since})", lambda: recompute(store, today=TODAY, since=since))
    trig, _ = timed("triggers: check_triggers(stored=True), as the action runs it",
                    lambda: check_triggers(store, TODAY, stored=True))
    after_incremental = stored(store.path)
    again, _ = timed("(check) full recompute after the import", lambda: recompute(store, today=TODAY))
    after_full = stored(store.path)
    same = after_incremental.keys() == after_full.keys() and all(
        a[1] == b[1] and abs((a[0] or 0) - (b[0] or 0)) <= 1e-9 * max(1.0, abs(b[0] or 0))
        for a, b in ((after_incremental[k], after_full[k]) for k in after_full))
    print(f"\n{len(after_full):,} stored values; incremental equal to full: {same}")
    print(f"incremental / full: {inc / full:.1%} (goal < 5 %); with the trigger check: {(inc + trig) / full:.1%}")
    print(f"import of the week: {imp:.2f} s; the action's whole refresh: {inc + trig:.2f} s")
    store.close()
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
