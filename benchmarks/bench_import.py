"""Import benchmark (issue 3). Not a test: run by hand.

    python benchmarks/bench_import.py --rows 10000 100000 [--repeat 3] [--skip-openpyxl] [--keep DIR]
                                      [--postgres postgresql:///postgres]

For each size it writes a ServiceNow-like export (N rows x 25 columns, .xlsx via openpyxl write_only,
real date cells like ServiceNow's Excel export) and measures, each in a fresh subprocess so that
peak memory (ru_maxrss) is that step's own: bare python-calamine iteration, bare openpyxl read-only
iteration, the full import into an empty database (read, normalise, upsert, commit), and the
re-import of the same file (all rows unchanged), each to the commit (when run() returns) and to the
database closed (the log's checkpoint, done after the commit, included). Goal: import <= 1.5x
calamine; re-import no slower;
500k rows under 1 GB peak (inline-string sheets of 4 MB of XML and more, about 3k rows, are read a
slice at a time beside the import, see kpidesk/importing/xlsx_slices.py: all three sizes here are).

With --postgres (a server's maintenance database, as .ci/postgres.sh prints it), the import and the
re-import also run into a new database on that server (issue 18: COPY into a staging table, then
the same merge), interleaved with the SQLite runs, and their ratios are printed against SQLite's of
the same run.

Figures on this 2-core machine (same run, 2026-12-02): see the closing note of issue 3.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADERS = ["Number", "Opened", "Resolved", "Closed", "Updated", "Priority", "State", "Category",
           "Subcategory", "Assigned to", "Resolved by", "Assignment group", "Contact type", "Made SLA",
           "Reopen count", "Reassignment count", "Impact", "Urgency", "Short description", "Caller",
           "Location", "Configuration item", "Resolution code", "SLA due", "Escalation"]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    import openpyxl

    rng = random.Random(seed)
    people = [f"Tech {i:02d}" for i in range(25)]
    start = dt.datetime(2025, 1, 1)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Page 1")
    ws.append(HEADERS)
    for i in range(rows):
        opened = start + dt.timedelta(minutes=rng.randrange(0, 525_600))
        resolved = opened + dt.timedelta(minutes=rng.randrange(10, 7200)) if rng.random() < 0.9 else None
        closed = resolved + dt.timedelta(days=3) if resolved else None
        p = rng.randrange(1, 5)
        who = rng.choice(people)
        ws.append([
            f"INC{i:07d}", opened, resolved, closed, closed or opened, f"{p} - {['Critical', 'High', 'Moderate', 'Low'][p - 1]}",
            "Closed" if resolved else "In Progress", rng.choice(["Network", "Hardware", "Software", "Access"]),
            rng.choice(["Email", "VPN", "Laptop", "Printer", "Password"]), who, who if resolved else None,
            rng.choice(["Service Desk", "Infrastructure"]), rng.choice(["Phone", "Email", "Self-service"]),
            rng.random() < 0.85, rng.choice([0, 0, 0, 1]), rng.choice([0, 0, 1, 2]), "2 - Medium", "2 - Medium",
            f"User reports problem number {i}", f"Caller {rng.randrange(2000)}", "HQ", f"CI{rng.randrange(500)}",
            "Solution provided", opened + dt.timedelta(hours=24), 0,
        ])
    wb.save(path)


# Each step runs in its own interpreter: prints {"seconds": s, "rss_mb": m, ...} as JSON.
STEP = r'''
import json, resource, sys, time
sys.path.insert(0, {root!r})
path, step, db = {path!r}, {step!r}, {db!r}
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
t0, c0 = time.perf_counter(), cpu()
extra = {{}}
if step == "calamine":
    from python_calamine import CalamineWorkbook
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    n = sum(1 for _ in sheet.iter_rows())
    extra["rows"] = n
elif step == "openpyxl":
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    extra["rows"] = n
elif step == "open":
    from kpidesk.store import Store
    Store.open(db).close()
else:
    from kpidesk.store import Store
    from kpidesk.importing.tickets_import import run
    store = Store.open(db)
    t0, c0 = time.perf_counter(), cpu()  # opening (and migrating) the database is not the import
    r = run(store, path)
    extra = dict(created=r.created, updated=r.updated, unchanged=r.unchanged, rejected=r.rejected)
    # run() returns once the import has committed (the app shows its summary then); closing waits
    # for the write-ahead log's checkpoint, which runs on a background thread after the commit.
    extra["seconds"] = time.perf_counter() - t0
    extra["cpu_s"] = cpu() - c0
    store.close()
    extra["closed_seconds"] = time.perf_counter() - t0
seconds = extra.pop("seconds", None) or time.perf_counter() - t0
extra.setdefault("cpu_s", cpu() - c0)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(dict(seconds=seconds, rss_mb=rss, **extra)))
'''


def step(path: Path, name: str, db: Path | str) -> dict:
    code = STEP.format(root=str(ROOT), path=str(path), step=name, db=str(db))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def _server_database(maintenance_url: str, name: str):  # type: ignore[no-untyped-def]
    """A new, empty database on the server for one run; dropped after it."""
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    base, _, query = maintenance_url.partition("?")
    try:
        yield base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
    finally:
        with psycopg.connect(maintenance_url, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _median(runs: list[dict]) -> dict:
    """The run with the median time (its memory and counts with it)."""
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def _mid(runs: list[dict], key: str) -> float:
    return sorted(r[key] for r in runs)[len(runs) // 2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--skip-openpyxl", action="store_true", help="skip the (slow) openpyxl baseline")
    ap.add_argument("--keep", metavar="DIR", help="write the files here and keep them")
    ap.add_argument("--repeat", type=int, default=1, metavar="N", help="run each timed step N times; report medians")
    ap.add_argument("--postgres", metavar="URL", help="also import into a new database on this server")
    args = ap.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kpidesk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    for n in args.rows:
        path = work / f"servicenow_{n}.xlsx"
        if not path.exists():
            t = time.perf_counter()
            generate(path, n)
            print(f"generated {path.name} ({path.stat().st_size / 2**20:.1f} MB) in {time.perf_counter() - t:.1f} s")
        db = work / f"bench_{n}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        # On a shared machine one run's figures swing by a quarter: with --repeat, each step runs that
        # many times, interleaved (calamine, import, re-import, ...), and the medians are compared.
        runs: dict[str, list[dict]] = {"calamine": [], "import": [], "again": [], "pg_import": [], "pg_again": []}
        for _ in range(args.repeat):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            runs["calamine"].append(step(path, "calamine", db))
            runs["import"].append(step(path, "import", db))
            runs["again"].append(step(path, "import", db))
            if args.postgres:
                with _server_database(args.postgres, f"kpidesk_bench_{n}") as url:
                    step(path, "open", url)  # the schema built before the clock starts, as for the file
                    runs["pg_import"].append(step(path, "import", url))
                    runs["pg_again"].append(step(path, "import", url))
        cal, imp, again = (_median(runs[k]) for k in ("calamine", "import", "again"))
        opx = None if args.skip_openpyxl else step(path, "openpyxl", db)
        times = f" (median of {args.repeat} runs)" if args.repeat > 1 else ""
        print(f"\n{n} rows x {len(HEADERS)} columns, {path.stat().st_size / 2**20:.1f} MB{times}")
        print(f"  bare calamine iteration  {cal['seconds']:7.2f} s   peak {cal['rss_mb']:6.0f} MB")
        if opx:
            print(f"  bare openpyxl read-only  {opx['seconds']:7.2f} s   peak {opx['rss_mb']:6.0f} MB")
        print(f"  import (empty database)  {imp['seconds']:7.2f} s   peak {imp['rss_mb']:6.0f} MB   "
              f"{imp['created']} created, {imp['rejected']} rejected, {n / imp['seconds']:,.0f} rows/s; "
              f"{imp['closed_seconds']:.2f} s to the database closed (log checkpointed)")
        print(f"  re-import (unchanged)    {again['seconds']:7.2f} s   peak {again['rss_mb']:6.0f} MB   "
              f"{again['unchanged']} unchanged; {again['closed_seconds']:.2f} s to closed")
        if args.repeat > 1:
            print("  each run, import/calamine: "
                  + ", ".join(f"{i['seconds'] / c['seconds']:.2f}x" for c, i in zip(runs["calamine"], runs["import"])))
        print(f"  ratios: import/calamine {imp['seconds'] / cal['seconds']:.2f}x"
              f" ({imp['closed_seconds'] / cal['seconds']:.2f}x to closed)"
              + (f", import/openpyxl {imp['seconds'] / opx['seconds']:.2f}x" if opx else "")
              + f", re-import/import {again['seconds'] / imp['seconds']:.2f}x"
              + f"; memory import/calamine {imp['rss_mb'] / cal['rss_mb']:.2f}x")
        # CPU of every thread: on a machine whose cores are busy with other work, the import's three
        # threads (reader, sheet loader, writer) cannot overlap, and its wall time approaches its CPU.
        if args.postgres:
            pg, pg_again = _median(runs["pg_import"]), _median(runs["pg_again"])
            print(f"  PostgreSQL import        {pg['seconds']:7.2f} s   peak {pg['rss_mb']:6.0f} MB   "
                  f"{pg['created']} created; re-import {pg_again['seconds']:.2f} s, {pg_again['unchanged']} unchanged")
            # Closed: the store's background ANALYZE of `ticket` after the commit (Store.checkpoint_soon) done.
            print(f"  {'':27}to closed: import {_mid(runs['pg_import'], 'closed_seconds'):.2f} s, re-import "
                  f"{_mid(runs['pg_again'], 'closed_seconds'):.2f} s")
            print(f"  ratios against SQLite's of this run: import {pg['seconds'] / imp['seconds']:.2f}x, "
                  f"re-import {pg_again['seconds'] / again['seconds']:.2f}x; import/calamine "
                  f"{pg['seconds'] / cal['seconds']:.2f}x")
        print(f"  cpu (all threads, medians): calamine {_mid(runs['calamine'], 'cpu_s'):.2f} s, import "
              f"{_mid(runs['import'], 'cpu_s'):.2f} s ({_mid(runs['import'], 'cpu_s') / _mid(runs['calamine'], 'cpu_s'):.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
