"""Benchmark (not a test): the dashboard's read-ahead of every scope (issue 19).

    python benchmarks/bench_readahead.py [--tickets 20769] [--technicians 200] [--repeat 3]

A database the size of a real ServiceNow log (about 20k tickets, 200 technicians in 4 teams: ~205
scopes, the service-desk KPI templates, their values stored by recompute), and in one run:
  floor     one SELECT of every stored value (what the cards rest on);
  per scope dashboard_cards() for each scope in turn (the read-ahead before: live values, ~48
            statements a scope);
  batch     series.cards_for_scopes() for all of them (stored values, one SELECT, grouped in memory).
Prints each against the floor (goal: the batch <= 20x).
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kpidesk.metrics.recompute import recompute  # noqa: E402
from kpidesk.metrics.series import cards_for_scopes, dashboard_cards  # noqa: E402
from bench_metrics import generate  # noqa: E402  (the same generated tickets)
from kpidesk.store import Store  # noqa: E402
from kpidesk.templates import start_with_templates  # noqa: E402

TODAY = dt.date(2026, 12, 1)



def median(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=20_769)
    ap.add_argument("--technicians", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    store = Store.open(Path(tmp.name) / "bench.db")
    generate(store, args.tickets)
    with store.raw_write() as con:  # spread the tickets over more people, as a department has
        con.executemany("INSERT INTO technician (id, display_name, email, team_id, escalation_destination) "
                        "VALUES (?, ?, '', ?, 0)",
                        [(i, f"Tech {i:03d}", (i - 1) % 4 + 1) for i in range(41, args.technicians + 1)])
        con.execute(f"UPDATE ticket SET technician_id = (id % {args.technicians}) + 1 WHERE technician_id IS NOT NULL")
    start_with_templates(store, owner="Bench")
    recompute(store, today=TODAY)
    scopes = ["desk", *(f"team:{t.id}" for t in store.list_teams()),
              *(f"technician:{t.id}" for t in store.list_technicians())]
    with store.read() as s:
        con = s.connection().connection.driver_connection
        n_values = con.execute("SELECT count(*) FROM measurement").fetchone()[0]
        floor, _ = median(lambda: con.execute("SELECT * FROM measurement").fetchall(), args.repeat)
    old, _ = median(lambda: [dashboard_cards(store, sc, today=TODAY) for sc in scopes], 1)
    new, cards = median(lambda: cards_for_scopes(store, scopes, today=TODAY), args.repeat)
    print(f"{args.tickets:,} tickets, {len(scopes)} scopes, {n_values:,} stored values, "
          f"{sum(len(c) for c in cards.values()):,} cards")  # type: ignore[union-attr]
    print(f"{'floor: one SELECT of every stored value':<50} {floor * 1000:8.1f} ms   1.0x")
    print(f"{'per scope: dashboard_cards() for each (before)':<50} {old * 1000:8.1f} ms {old / floor:6.1f}x")
    print(f"{'batch: cards_for_scopes() for all':<50} {new * 1000:8.1f} ms {new / floor:6.1f}x  (goal <= 20x)")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
