"""Event-log import against a hand-written importer, in the same run (issue 19). Not a test: run by hand.

    python benchmarks/bench_import_event_log.py [--incidents 20769] [--repeat 5] [--keep DIR]

The file is benchmarks/event_log.py's stand-in for the UCI ServiceNow audit log (about 120k event rows
of 20,769 incidents, 36 columns, D/M/YYYY HH:MM dates, '?' nulls). Each step runs in a fresh
interpreter, interleaved with the others, `--repeat` times; the medians are compared:

- floor: a hand-written importer (csv module + sqlite3, nothing of KPI Desk): the latest row of
  each incident chosen from the raw rows (its sys_updated_at, else the later row), then those rows'
  columns parsed as the import parses them (dates, priority tier, status category, counts, SLA flag,
  resolved time by the same rules, resolution hours, ISO week, month, quarter, the flags, a
  technician per name), written in one transaction into a ticket table of the same 34 columns with
  the same 6 indexes, in WAL mode with synchronous=NORMAL as the app's database;
- import: kpidesk.importing.tickets_import.run() into a fresh database (opening and migrating the
  database is not timed), names becoming technicians (the CLI default);
- gui: what the Imports screen does: the names check (actions.import_file with ask_names), then the
  import with the dialog's answers ("All new"), both timed;
- scan: the names check alone.

Goal (issue 19): import <= 1.5x the floor.

Figures on this 2-core machine, median of 5, both cores also busy with another job (2026-12-03):
before (all 121k rows normalised, then the older ones dropped; the GUI read the file twice): import
2.35x the floor, GUI path 2.62x; after (superseded rows dropped from the raw rows, the names check
hands its reading to the import): import 1.29x, GUI path 1.39x.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.event_log import INCIDENTS, write  # noqa: E402

# The hand-written importer. Only the standard library: it is the floor, not KPI Desk.
FLOOR = r'''
import csv, datetime as dt, sqlite3

COLS = ("external_id", "created_at", "first_response_at", "resolved_at", "closed_at", "updated_at", "priority_raw",
        "priority_tier", "ticket_type", "category", "status", "assignee", "resolver", "group_name", "channel",
        "technician_id", "reopen_count", "reassignment_count", "escalated", "sla_met", "sla_due_at", "first_contact",
        "csat_score", "csat_positive", "status_category", "resolved_basis", "shared_with", "resolution_hours",
        "resolved_week", "resolved_month", "resolved_quarter", "fcr", "escalated_eff", "reopened")
assert len(COLS) == 34
STATES = {"new": "open", "active": "open", "awaiting user info": "open", "awaiting vendor": "open",
          "awaiting problem": "open", "awaiting evidence": "open", "in progress": "open", "on hold": "open",
          "resolved": "resolved", "closed": "closed", "canceled": "closed"}

def run(path, db):
    memo = {"?": None, "": None}
    def when(text):
        v = memo.get(text, False)
        if v is False:
            d, m, rest = text.split("/", 2)
            y, hm = rest.split(" ")
            h, mi = hm.split(":")
            v = memo[text] = dt.datetime(int(y), int(m), int(d), int(h), int(mi))
        return v
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        head = next(reader)
        at = {h: i for i, h in enumerate(head)}
        num, upd = at["number"], at["sys_updated_at"]
        latest = {}
        for row in reader:
            u = when(row[upd])
            old = latest.get(row[num])
            if old is None or old[0] is None or u is None or u >= old[0]:
                latest[row[num]] = (u, row)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute("CREATE TABLE technician (id INTEGER PRIMARY KEY, display_name TEXT UNIQUE)")
    con.execute(f"CREATE TABLE ticket (id INTEGER PRIMARY KEY, {', '.join(COLS)}, UNIQUE (external_id))")
    for name, cols in (("tech_month", "technician_id, resolved_month"), ("tech_week", "technician_id, resolved_week"),
                       ("tech_quarter", "technician_id, resolved_quarter"), ("created", "created_at"),
                       ("resolved", "resolved_at")):
        con.execute(f"CREATE INDEX ix_{name} ON ticket ({cols})")
    con.execute("CREATE INDEX ix_group ON ticket (group_name) WHERE group_name != ''")
    g = {f: at[h] for f, h in (("opened", "opened_at"), ("resolved", "resolved_at"), ("closed", "closed_at"),
                                ("prio", "priority"), ("cat", "category"), ("state", "incident_state"),
                                ("assignee", "assigned_to"), ("resolver", "resolved_by"), ("group", "assignment_group"),
                                ("channel", "contact_type"), ("reopen", "reopen_count"),
                                ("reassign", "reassignment_count"), ("sla", "made_sla"))}
    text = lambda v: "" if v == "?" else v.strip()
    iso = lambda v: None if v is None else v.isoformat(" ", "microseconds")
    techs, out = {}, []
    cur = con.cursor()
    cur.execute("BEGIN")
    for ext, (u, r) in latest.items():
        created, resolved, closed = when(r[g["opened"]]), when(r[g["resolved"]]), when(r[g["closed"]])
        if created is None:
            continue
        state = text(r[g["state"]])
        cat = STATES.get(state.casefold())
        if resolved is not None and resolved < created:
            resolved = None
        if closed is not None and closed < created:
            closed = None
        basis = None
        if cat == "open":
            at_ = None
        elif resolved is not None:
            at_, basis = resolved, "resolved"
        elif cat is not None or closed is not None:
            at_, basis = (closed, "closed_assumed") if closed is not None else (u, "updated_assumed") if u is not None else (None, "no_time")
        else:
            at_ = None
        hours = (resolved - created).total_seconds() / 3600.0 if basis == "resolved" else None
        p = text(r[g["prio"]])
        tier = int(p[0]) if p[:1] in ("1", "2", "3", "4") else 4 if p[:1] == "5" else None
        name = text(r[g["resolver"]]) or text(r[g["assignee"]])
        tech = None
        if name:
            tech = techs.get(name)
            if tech is None:
                cur.execute("INSERT INTO technician (display_name) VALUES (?)", (name,))
                tech = techs[name] = cur.lastrowid
        ro, ra = int(r[g["reopen"]]), int(r[g["reassign"]])
        sla = {"true": 1, "false": 0}.get(r[g["sla"]])
        if at_ is not None:
            y, w, _ = at_.isocalendar()
            week, month, quarter = f"{y}-W{w:02d}", f"{at_.year}-{at_.month:02d}", f"{at_.year}-Q{(at_.month + 2) // 3}"
        else:
            week = month = quarter = None
        out.append((ext, iso(created), None, iso(at_), iso(closed), iso(u), p, tier, None, text(r[g["cat"]]), state,
                    text(r[g["assignee"]]), text(r[g["resolver"]]), text(r[g["group"]]), text(r[g["channel"]]), tech,
                    ro, ra, None, sla, None, None, None, None, cat, basis, None, hours, week, month, quarter,
                    ro == 0 and ra == 0, ra >= 1, ro > 0))
    cur.executemany(f"INSERT INTO ticket ({', '.join(COLS)}) VALUES ({', '.join('?' * len(COLS))})", out)
    con.commit()
    con.close()
    return len(out)
'''

STEP = r'''
import json, sys, time
sys.path.insert(0, {root!r})
path, step, db = {path!r}, {step!r}, {db!r}
extra = {{}}
if step == "floor":
    exec(compile({floor!r}, "floor", "exec"))
    t0 = time.perf_counter()
    extra["tickets"] = run(path, db)
else:
    from pathlib import Path
    from kpidesk.store import Store
    from kpidesk import actions
    from kpidesk.importing.tickets_import import run, scan_new_names
    store = Store.open(db)
    t0 = time.perf_counter()  # opening (and migrating) the database is not the import
    if step == "import":
        r = run(store, path)
        extra = dict(tickets=r.created, rows=r.rows_read)
    elif step == "scan":
        names, _table = scan_new_names(store, path)
        extra = dict(names=len(names))
    else:  # gui: the names check, then the import with the dialog's "All new" answers
        request = actions.ImportRequest(Path(path), ask_names=True)
        first = actions.import_file(store, request).result
        assert first.needs_names
        extra["names"] = len(first.report.new_technicians)
        extra["scan_seconds"] = time.perf_counter() - t0
        r = actions.import_file(store, request.with_names({{}})).result.report
        extra.update(tickets=r.created, rows=r.rows_read)
    extra["seconds"] = time.perf_counter() - t0
    store.close()
seconds = extra.pop("seconds", None) or time.perf_counter() - t0
print(json.dumps(dict(seconds=seconds, **extra)))
'''


def step(path: Path, name: str, db: Path) -> dict:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    code = STEP.format(root=str(ROOT), path=str(path), step=name, db=str(db), floor=FLOOR)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"step {name} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--incidents", type=int, default=INCIDENTS)
    ap.add_argument("--repeat", type=int, default=5, metavar="N")
    ap.add_argument("--steps", nargs="+", default=["floor", "import", "gui", "scan"],
                    choices=["floor", "import", "gui", "scan"])
    ap.add_argument("--keep", metavar="DIR", help="write the log here and keep it")
    args = ap.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kpidesk-bench-events-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"incident_event_log_{args.incidents}.csv"
    if not path.exists():
        rows, incidents = write(path, args.incidents)
        print(f"wrote {path.name}: {rows:,} rows, {incidents:,} incidents, {path.stat().st_size / 2**20:.1f} MB")
    runs: dict[str, list[dict]] = {s: [] for s in args.steps}
    for _ in range(args.repeat):
        for s in args.steps:
            runs[s].append(step(path, s, work / f"bench_{s}.db"))
    med = {s: median([r["seconds"] for r in runs[s]]) for s in args.steps}
    print(f"\n{path.name} (median of {args.repeat} runs, each step in a fresh process, interleaved)")
    for s in args.steps:
        last = runs[s][-1]
        info = ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v:.2f}" for k, v in last.items() if k != "seconds")
        each = ", ".join(f"{r['seconds']:.2f}" for r in runs[s])
        print(f"  {s:7s} {med[s]:6.2f} s   ({each})   {info}")
    if "floor" in med:
        for s in ("import", "gui", "scan"):
            if s in med:
                per_run = ", ".join(f"{r['seconds'] / f['seconds']:.2f}x" for r, f in zip(runs[s], runs["floor"]))
                print(f"  {s}/floor {med[s] / med['floor']:.2f}x   (each run: {per_run})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
