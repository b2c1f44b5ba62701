"""Issue 13, item 2: two imports at once that bring the same new technician names both succeed.

Real processes (spawned, not threads: each has its own engine, pool and GIL, as the app and a script
would), released together by a barrier twenty times, each time into a fresh database.
"""
from __future__ import annotations

import multiprocessing as mp
import shutil
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["Ana Lima", "Bo Chen", "Chidi Okafor", "Dana Levi", "Eero Mäkinen", "Fatima Zahra", "Gus Berg"]
ROUNDS = 20


def _export(path: Path, prefix: str) -> None:
    rows = ["Number,Opened,Resolved,Priority,Assigned to"]
    for i in range(14):
        rows.append(f"{prefix}{i:04d},2026-03-0{1 + i % 9} 09:00:00,2026-03-1{i % 9} 17:00:00,2 - High,"
                    f"{NAMES[i % len(NAMES)]}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _worker(barrier, dbs: list[str], export: str, results) -> None:  # runs in a spawned process
    sys.path.insert(0, str(ROOT))
    from kpidesk.importing import tickets_import
    from kpidesk.store import Store

    for db in dbs:
        barrier.wait(timeout=60)
        try:
            with Store.open(db) as store:
                report = tickets_import.run(store, export, preset="servicenow")
            results.put(("ok", report.created, tuple(report.new_technicians)))
        except BaseException as exc:  # noqa: BLE001 - reported to the test, which fails on it
            results.put(("error", type(exc).__name__, str(exc)))


def test_two_processes_importing_the_same_new_names_both_succeed(tmp_path, _template_db):
    dbs = []
    for i in range(ROUNDS):
        dest = tmp_path / f"round{i}.db"
        shutil.copy(_template_db, dest)
        dbs.append(str(dest))
    exports = [tmp_path / "a.csv", tmp_path / "b.csv"]
    _export(exports[0], "INC1")
    _export(exports[1], "INC2")
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(barrier, dbs, str(e), results)) for e in exports]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=240) for _ in range(2 * ROUNDS)]
    for p in procs:
        p.join(timeout=60)
    assert [o for o in outcomes if o[0] != "ok"] == []
    assert all(o[1] == 14 for o in outcomes)
    for db in dbs:
        con = sqlite3.connect(db)
        try:
            names = sorted(r[0] for r in con.execute("SELECT display_name FROM technician"))
            tickets = con.execute("SELECT count(*), count(DISTINCT technician_id) FROM ticket").fetchone()
        finally:
            con.close()
        assert names == sorted(NAMES)  # one person each, whoever created them
        assert tickets == (28, len(NAMES))
    # Each name was reported as new by exactly one of the two imports of a round.
    reported = sorted(n for o in outcomes for n in o[2])
    assert reported == sorted(NAMES * ROUNDS)
