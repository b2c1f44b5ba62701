"""Benchmark (not a test): metrics over 1,000,000 generated tickets, 3 years, 40 technicians.

    python benchmarks/bench_metrics.py [--tickets N] [--db PATH] [--postgres postgresql:///postgres]

Times, in one run over the same SQLite file:
  baseline  a single hand-written GROUP BY technician_id, resolved_month over the derived columns,
            computing the same sums and counts the engine needs (issue 4's yardstick);
  engine    compute_all(): every ticket metric for every technician (and team, and the desk) by month,
            backlog included;
  recompute the full kpidesk.metrics.recompute() the importer calls (every computed KPI by its
            cadence and by month, P1 split, written as Measurements);
and prints engine / baseline (goal: within 3x). With --postgres (a server's maintenance database),
the file is then copied to a new database on that server (kpidesk copy) and the engine, the desk's
MTTR and the recompute run there too, printed as ratios against SQLite's of the same run (issue 18). Tickets are written with sqlite3 executemany, the
derived columns computed as kpidesk.tickets.derive() would, from a per-day lookup of period keys.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kpidesk.metrics.engine import compute, compute_all  # noqa: E402
from kpidesk.metrics.recompute import recompute  # noqa: E402
from kpidesk.periods import month_key, quarter_key, week_key  # noqa: E402
from kpidesk.store import Store  # noqa: E402
from kpidesk.templates import start_with_templates  # noqa: E402
from kpidesk.tickets import default_sla_hours  # noqa: E402

SLA_HOURS = default_sla_hours()  # the sla_hours setting's default, as an import judges
START = dt.datetime(2023, 12, 1)
DAYS = 3 * 365
HOURS = {1: 2.0, 2: 5.0, 3: 14.0, 4: 40.0}
COLUMNS = ("source_system", "external_id", "created_at", "resolved_at", "priority_raw", "priority_tier",
           "ticket_type", "category", "status", "assignee", "resolver", "group_name", "channel", "technician_id",
           "reopen_count", "reassignment_count", "escalated", "sla_met", "csat_score", "resolution_hours",
           "resolved_week", "resolved_month", "resolved_quarter", "fcr", "escalated_eff", "reopened")

BASELINE_SQL = """
SELECT technician_id, resolved_month, count(*), total(resolution_hours), count(resolution_hours),
       total(fcr), count(fcr), total(sla_met), count(sla_met), total(csat_score), count(csat_score),
       total(csat_score IS NOT NULL OR csat_positive IS NOT NULL), total(csat_positive), count(csat_positive),
       total(escalated_eff), count(escalated_eff), total(reopened), count(reopened)
FROM ticket WHERE resolved_month IS NOT NULL GROUP BY technician_id, resolved_month
"""


def generate(store: Store, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with store.raw_write() as con:
        for t in range(4):
            con.execute("INSERT INTO team (id, name, description) VALUES (?, ?, '')", (t + 1, f"Team {t + 1}"))
        con.executemany("INSERT INTO technician (id, display_name, email, team_id, escalation_destination) "
                        "VALUES (?, ?, '', ?, 0)", [(i, f"Tech {i:02d}", (i - 1) % 4 + 1) for i in range(1, 41)])
    day_keys = {}
    for d in range(DAYS + 60):
        day = (START + dt.timedelta(days=d)).date()
        day_keys[d] = (week_key(day), month_key(day), quarter_key(day))
    end = START + dt.timedelta(days=DAYS)
    cols = ", ".join(COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    batch = 50_000
    rows = []
    with store.raw_write() as con:
        for i in range(n):
            created = START + dt.timedelta(seconds=rng.random() * DAYS * 86400)
            tier = rng.choices((1, 2, 3, 4), (6, 22, 52, 20))[0]
            hours = rng.lognormvariate(0, 0.7) * HOURS[tier]
            resolved = created + dt.timedelta(hours=hours)
            tech = rng.randint(1, 40) if rng.random() > 0.01 else None  # 1 %: no technician matched
            reassign = 0 if rng.random() < 0.75 else rng.choice((1, 1, 2))
            reopen = 1 if rng.random() < 0.05 else 0
            if resolved > end:
                rows.append(("bench", f"B{i}", created.strftime("%Y-%m-%d %H:%M:%S.%f"), None, "", tier, "incident",
                             "", "Open", "", "", "", "", tech, reopen, reassign, None, None, None, None, None, None,
                             None, reopen == 0 and reassign == 0, reassign >= 1, reopen > 0))
            else:
                wk, mo, qu = day_keys[(resolved - START).days]
                csat = float(rng.randint(2, 5)) if rng.random() < 0.3 else None
                rows.append(("bench", f"B{i}", created.strftime("%Y-%m-%d %H:%M:%S.%f"),
                             resolved.strftime("%Y-%m-%d %H:%M:%S.%f"), "", tier,
                             "request" if rng.random() < 0.35 else "incident", "", "Closed", "", "", "", "", tech,
                             reopen, reassign, None, hours <= SLA_HOURS[f"P{tier}"], csat, hours, wk, mo, qu,
                             reopen == 0 and reassign == 0, reassign >= 1, reopen > 0))
            if len(rows) == batch:
                con.executemany(f"INSERT INTO ticket ({cols}) VALUES ({marks})", rows)
                rows.clear()
        con.executemany(f"INSERT INTO ticket ({cols}) VALUES ({marks})", rows)


def hand_percentiles(con, first: str, last: str) -> dict[str, tuple[float, float, float]]:
    """The floor for the desk's MTTR with its median and p90 by month: one read, sorted in Python."""
    months: dict[str, list[float]] = {}
    for month, hours in con.execute("SELECT resolved_month, resolution_hours FROM ticket WHERE resolution_hours "
                                    "IS NOT NULL AND resolved_month BETWEEN ? AND ?", (first, last)):
        months.setdefault(month, []).append(hours)
    out = {}
    for month, hours in months.items():
        hours.sort()
        n = len(hours)

        def q(f: float) -> float:
            h = (n - 1) * f
            lo = int(h)
            return hours[lo] + (h - lo) * (hours[min(lo + 1, n - 1)] - hours[lo])

        out[month] = (sum(hours) / n, q(0.5), q(0.9))
    return out


def timed(label: str, fn, repeat: int = 1):
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    print(f"{label:<58} {best:7.2f} s", flush=True)
    return best, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--db", help="keep the generated database here (default: a temporary file)")
    ap.add_argument("--postgres", metavar="URL", help="also run on a copy in a new database on this server")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = Path(args.db) if args.db else Path(tmp.name) / "bench.db"
    fresh = not path.exists()
    store = Store.open(path)
    if fresh:
        timed(f"generate {args.tickets:,} tickets (executemany)", lambda: generate(store, args.tickets))
        start_with_templates(store, owner="Bench")
    first, last = "2023-12", "2026-11"
    with store.read() as s:
        con = s.connection().connection.driver_connection
        timed("warm the page cache (count)", lambda: con.execute("SELECT count(*), total(resolution_hours) FROM ticket").fetchone())
        base, rows = timed("baseline: one hand-written GROUP BY (tech x month)",
                           lambda: con.execute(BASELINE_SQL).fetchall(), repeat=3)
        # The planner walks the (technician, month) index for the GROUP BY order and fetches every row
        # through it; the same query forced to a plain table scan is the stricter yardstick.
        scan, _ = timed("baseline, forced table scan (NOT INDEXED)",
                        lambda: con.execute(BASELINE_SQL.replace("FROM ticket", "FROM ticket NOT INDEXED")).fetchall(),
                        repeat=3)
    eng, values = timed("engine: every metric, every technician by month (+team, desk)",
                        lambda: compute_all(store, granularity="month", first=first, last=last), repeat=3)
    tech_only, _ = timed("engine: technicians only, no backlog",
                         lambda: compute_all(store, granularity="month", first=first, last=last, scopes=("technician",),
                                             metrics=[m for m in ("mttr_hours", "fcr_rate", "sla_compliance",
                                                                  "csat_mean", "csat_response_rate", "escalation_rate",
                                                                  "reopen_rate", "resolved_count")]), repeat=3)
    timed("engine: one technician, 36 months, median/p90 (CLI)",
          lambda: compute(store, scope_key="technician:7", first=first, last=last))
    timed("engine: desk, 36 months, every metric, median/p90",
          lambda: compute(store, scope_key="desk", first=first, last=last))
    desk, _ = timed("engine: desk, 36 months, MTTR with median/p90",
                    lambda: compute(store, scope_key="desk", first=first, last=last, metrics=["mttr_hours"]), repeat=3)
    with store.read() as s:
        con = s.connection().connection.driver_connection
        hand, _ = timed("floor: desk MTTR, median, p90 by month by hand (SQL + Python)",
                        lambda: hand_percentiles(con, first, last), repeat=3)
    rec, _ = timed("recompute(): all computed KPIs, cadence + month, stored", lambda: recompute(store))
    print(f"\n{len(rows):,} baseline groups, {len(values):,} metric values")
    print(f"ratio engine / baseline (all scopes, with backlog): {eng / base:.2f}x  (goal <= 3x)")
    print(f"ratio engine / table-scan baseline: {eng / scan:.2f}x")
    print(f"ratio engine / baseline (technicians, same metrics as the GROUP BY): {tech_only / base:.2f}x")
    print(f"full refresh after an import (recompute): {rec:.2f} s")
    print(f"ratio engine desk MTTR with median/p90 / the same by hand: {desk / hand:.2f}x "
          "(goal <= 1.5x)")
    store.close()
    if args.postgres:
        on_server(path, args.postgres, first, last, {"engine": eng, "technicians": tech_only, "desk MTTR": desk,
                                                     "recompute": rec})


def on_server(path: Path, maintenance_url: str, first: str, last: str, sqlite: dict[str, float]) -> None:
    """The same reads on a copy of the file on a PostgreSQL server, against SQLite's times above."""
    import psycopg

    from kpidesk import copying

    name = "kpidesk_bench_metrics"
    with psycopg.connect(maintenance_url, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    base, _, query = maintenance_url.partition("?")
    url = base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
    try:
        print()
        timed("copy the file to the server (kpidesk copy, verified)", lambda: copying.copy_database(path, url))
        with psycopg.connect(url, autocommit=True) as con:
            con.execute("VACUUM ANALYZE")  # what autovacuum does soon after a bulk load
        server = Store.open(url)
        times = {
            "engine": timed("PostgreSQL engine: every metric, every technician by month (+team, desk)",
                            lambda: compute_all(server, granularity="month", first=first, last=last), repeat=3)[0],
            "technicians": timed("PostgreSQL engine: technicians only, no backlog",
                                 lambda: compute_all(server, granularity="month", first=first, last=last,
                                                     scopes=("technician",),
                                                     metrics=["mttr_hours", "fcr_rate", "sla_compliance", "csat_mean",
                                                              "csat_response_rate", "escalation_rate", "reopen_rate",
                                                              "resolved_count"]), repeat=3)[0],
            "desk MTTR": timed("PostgreSQL engine: desk, 36 months, MTTR with median/p90",
                               lambda: compute(server, scope_key="desk", first=first, last=last,
                                               metrics=["mttr_hours"]), repeat=3)[0],
            "recompute": timed("PostgreSQL recompute(): all computed KPIs, stored", lambda: recompute(server))[0],
        }
        server.close()
        print("PostgreSQL / SQLite, same run: " + ", ".join(f"{k} {times[k] / sqlite[k]:.2f}x" for k in times))
    finally:
        with psycopg.connect(maintenance_url, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
