"""Benchmark (not a test): start-up, the `kpidesk metrics` command and memory (issue 19), each as a
whole process beside its floor measured in the same run.

    python benchmarks/bench_startup.py [--db DEMO.db] [--repeat 5]

  window   the app to its main window painted (drawn before the database opens, as run_gui does),
           and to its first cards, on the demo database, against the floor: a QApplication with one
           pyqtgraph PlotWidget painted (goal <= 1.5x), each from the process's launch;
  memory   the peak resident size of those two processes (goal <= 1.5x);
  metrics  `kpidesk --db DB metrics --technician NAME --period P --json` against the floor: python -c
           with sqlite3 and a hand-written GROUP BY giving the same counts (goal <= 3x).
Medians of --repeat runs; the processes run one after the other, offscreen.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOOR_WINDOW = r"""
import os, resource, sys, time
from PySide6.QtWidgets import QApplication
import pyqtgraph as pg
app = QApplication(sys.argv)
w = pg.PlotWidget()
w.plot([1, 2, 3], [3, 1, 2])
w.resize(1280, 800)
w.show()
w.grab()
app.processEvents()
painted = time.time() - float(os.environ["BENCH_T0"])
print(painted, painted, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

# What ui.app.run_gui does on an existing database: the window drawn first, then the database opened
# and attached; stopped once the dashboard has painted its first cards.
APP_WINDOW = r"""
import os, resource, sys, time
sys.path.insert(0, {root!r})
from main import register_qt_services
register_qt_services()
from ui.app import make_app, open_first_store
app = make_app([])
from ui.main_window import MainWindow
window = MainWindow(None)
window.resize(1280, 800)
window.show()
window.grab()
app.processEvents()
shell = time.time() - float(os.environ["BENCH_T0"])
store, _choice = open_first_store({db!r}, lambda path: (None, None))
window.attach_store(store)
screen = window.current_screen()
while screen.model.rowCount() == 0:
    app.processEvents()
window.grab()
app.processEvents()
cards = time.time() - float(os.environ["BENCH_T0"])
print(shell, cards, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
window.close()  # as a user would: the screens stop their work, the store closes
"""

FLOOR_METRICS = r"""
import json, sqlite3, sys
con = sqlite3.connect({db!r})
tech = con.execute("SELECT id FROM technician WHERE display_name = ?", ({name!r},)).fetchone()[0]
row = con.execute("SELECT count(*), avg(resolution_hours), avg(fcr), avg(sla_met) FROM ticket "
                  "WHERE technician_id = ? AND resolved_month = ?", (tech, {period!r})).fetchone()
json.dump(dict(zip(("resolved", "mttr", "fcr", "sla"), row)), sys.stdout)
"""


def run(code: str | list[str], env: dict[str, str]) -> tuple[float, str]:
    argv = [sys.executable, "-c", code] if isinstance(code, str) else code
    env = dict(env, BENCH_T0=repr(time.time()))
    t = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
    took = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"failed ({out.returncode}): {out.stderr[-2000:]}")
    return took, out.stdout


def median_run(code: str | list[str], env: dict[str, str], repeat: int) -> tuple[float, list[str]]:
    times, outs = [], []
    for _ in range(repeat):
        took, out = run(code, env)
        times.append(took)
        outs.append(out)
    return statistics.median(times), outs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="a demo database (default: made with `kpidesk demo` in a temporary folder)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KPIDESK_HOME=tmp.name)
    # A user's start reads compiled bytecode (pip compiles what it installs; the first start writes
    # the rest). A shell with PYTHONDONTWRITEBYTECODE set would compile every module of ours on every
    # run instead (35 ms of the metrics command's 95 here), so each command is run once before timing.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    db = args.db
    if db is None:
        db = str(Path(tmp.name) / "demo.db")
        run([sys.executable, str(ROOT / "main.py"), "--db", db, "demo"], env)
    run(FLOOR_WINDOW, env)  # warm the page cache (libraries, fonts)
    _t, outs = median_run(FLOOR_WINDOW, env, args.repeat)
    floor = statistics.median(float(o.split()[0]) for o in outs)
    floor_rss = statistics.median(int(o.split()[-1]) for o in outs)
    run(APP_WINDOW.format(root=str(ROOT), db=db), env)
    _t, outs = median_run(APP_WINDOW.format(root=str(ROOT), db=db), env, args.repeat)
    shell = statistics.median(float(o.split()[0]) for o in outs)
    app = statistics.median(float(o.split()[1]) for o in outs)
    app_rss = statistics.median(int(o.split()[-1]) for o in outs)
    print(f"{'window floor: QApplication + one PlotWidget painted':<58} {floor * 1000:7.0f} ms")
    print(f"{'app: main window painted (before the database opens)':<58} {shell * 1000:7.0f} ms {shell / floor:6.2f}x"
          "  (goal <= 1.5x)")
    print(f"{'app: its first cards painted':<58} {app * 1000:7.0f} ms {app / floor:6.2f}x")
    print(f"{'memory floor (peak RSS)':<58} {floor_rss / 1024:7.0f} MB")
    print(f"{'memory app (peak RSS)':<58} {app_rss / 1024:7.0f} MB {app_rss / floor_rss:6.2f}x  (goal <= 1.5x)")
    import sqlite3

    con = sqlite3.connect(db)
    name = con.execute("SELECT display_name FROM technician ORDER BY id LIMIT 1").fetchone()[0]
    period = con.execute("SELECT max(resolved_month) FROM ticket").fetchone()[0]
    con.close()
    hand, _ = median_run(FLOOR_METRICS.format(db=db, name=name, period=period), env, args.repeat)
    cli = [sys.executable, str(ROOT / "main.py"), "--db", db, "metrics", "--technician", name, "--period", period,
           "--json"]
    run(cli, env)
    ours, _ = median_run(cli, env, args.repeat)
    print(f"{'metrics floor: python -c, sqlite3, one GROUP BY':<58} {hand * 1000:7.0f} ms")
    print(f"{'kpidesk metrics --technician --period --json':<58} {ours * 1000:7.0f} ms {ours / hand:6.2f}x"
          "  (goal <= 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
