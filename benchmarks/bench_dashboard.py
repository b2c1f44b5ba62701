"""Benchmark (not a test): the dashboard's real widgets, offscreen, on the demo department.

    python benchmarks/bench_dashboard.py [--series 200] [--points 5000] [--shots DIR] [--no-compare]

Times (issue 4, "Speed"; goal: a switch redraws in under 0.1 s, and a 200 x 5,000 trend plot stays
interactive):
  switch, warm  choosing another technician (or period) whose cards the screen has read ahead:
                the model reset plus a synchronous repaint of the card grid;
  switch, cold  the same with nothing read yet: the core's dashboard_cards() on the loader thread
                plus the redraw (the GUI stays responsive meanwhile; this is the wait for the cards);
  trend plot    TrendPlot.show_many() with N series of M points (clipToView + peak downsampling):
                setData, first render, a zoom to 5 % of the range, a pan; each render a full grab()
                of the PlotWidget; with --compare also the same curves without clip/downsampling.
With --shots DIR it also writes the screenshots looked at for the issue (1280x800 and 1024x700).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 22)  # the demo's end date, as in the tests


def wait_for(app, cond: Callable[[], bool], timeout: float = 30.0) -> None:  # noqa: ANN001
    """Run the event loop until cond() holds. Not a processEvents() spin: with PySide6 6.12 on
    Python 3.11, calling processEvents() in a loop while a worker thread runs Python code corrupts
    None's reference count and aborts (none_dealloc); QEventLoop.exec() does not."""
    from PySide6.QtCore import QEventLoop, QTimer

    if cond():
        return
    loop = QEventLoop()
    end = time.perf_counter() + timeout
    timer = QTimer(interval=1)
    timer.timeout.connect(lambda: loop.quit() if cond() or time.perf_counter() > end else None)
    timer.start()
    loop.exec()
    timer.stop()
    if not cond():
        raise TimeoutError("the dashboard did not finish loading")


def prepare(store) -> None:  # noqa: ANN001
    """Values stored, MTTR with a baseline and a 10 % trigger (if the demo has none), triggers checked."""
    from kpidesk.metrics.baseline import set_baseline
    from kpidesk.metrics.recompute import recompute
    from kpidesk.metrics.reviews import check_triggers

    recompute(store, today=TODAY)
    mttr = next(k for k in store.list_kpis() if k.name == "MTTR")
    if mttr.baseline_value is None:
        mttr, _ = set_baseline(store, mttr.id, dt.date(2026, 6, 1), periods=3)
    if mttr.trigger_kind is None:
        mttr.trigger_kind, mttr.trigger_value = "relative", 10.0
        store.update_kpi(mttr)
    check_triggers(store, TODAY)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def bench_switch(app, screen) -> None:  # noqa: ANN001
    scopes = [screen.scope_combo.itemData(i) for i in range(screen.scope_combo.count())]
    shown: list[bool] = []
    screen.cards_shown.connect(lambda: shown.append(True))

    def switch(scope: str | None = None, period: str | None | bool = False) -> float:
        shown.clear()
        t0 = time.perf_counter()
        if scope is not None:
            screen.set_scope(scope)
        if period is not False:
            screen.set_period(period)
        wait_for(app, lambda: bool(shown))
        screen.grid.viewport().repaint()
        return time.perf_counter() - t0

    # Cold: nothing read ahead (cache emptied, read-ahead cancelled before each switch).
    cold = []
    for scope in scopes[1:] + scopes[:1]:
        screen.cards_loader.shutdown()
        screen._cache.clear()
        cold.append(switch(scope))
    # Warm: let the read-ahead finish, then switch through every scope.
    screen.cards_loader.shutdown()
    screen._cache.clear()
    screen.reload()
    wait_for(app, lambda: not screen.cards_loader.busy())
    warm = [switch(scope) for scope in scopes[1:] + scopes[:1]]
    print(f"scopes: {len(scopes)} (desk, teams, technicians), {screen.model.rowCount()} cards on the desk")
    print(f"switch technician, warm (read ahead): median {ms(statistics.median(warm))}, max {ms(max(warm))}")
    print(f"switch technician, cold (core read):  median {ms(statistics.median(cold))}, max {ms(max(cold))}")
    # Period: cold for the chosen scope, then the others of that period are read ahead.
    p_cold = switch(period="2026-06")
    wait_for(app, lambda: not screen.cards_loader.busy())
    p_warm = switch(scope=scopes[-1])
    print(f"switch period, cold {ms(p_cold)}; then another technician in that period, warm {ms(p_warm)}")


def bench_plot(app, n_series: int, n_points: int, compare: bool) -> None:  # noqa: ANN001
    import numpy as np

    from ui.dashboard.trend_plot import TrendPlot

    rng = np.random.default_rng(7)
    x = 1.6e9 + np.arange(n_points, dtype=float) * 3600.0
    ys = [np.cumsum(rng.normal(0, 1, n_points)) + i for i in range(n_series)]

    def run(label: str, fast: bool) -> None:
        plot = TrendPlot()
        plot.resize(1100, 600)
        plot.show()
        wait_for(app, lambda: True)
        t0 = time.perf_counter()
        plot.show_many(x, ys)
        if not fast:
            for c in plot.extra_curves:
                c.setClipToView(False)
                c.setDownsampling(auto=False, ds=1)
        t_set = time.perf_counter() - t0
        frames = []
        for step in ("first render", "repaint", "zoom to 5 %", "pan", "zoom out"):
            vb = plot.plot.getPlotItem().getViewBox()
            if step == "zoom to 5 %":
                vb.setXRange(x[0], x[0] + (x[-1] - x[0]) * 0.05, padding=0)
            elif step == "pan":
                vb.setXRange(x[n_points // 2], x[n_points // 2] + (x[-1] - x[0]) * 0.05, padding=0)
            elif step == "zoom out":
                vb.autoRange()
            t0 = time.perf_counter()
            plot.plot.grab()
            frames.append((step, time.perf_counter() - t0))
        print(f"trend plot {n_series} x {n_points} ({label}): setData {ms(t_set)}; "
              + "; ".join(f"{s} {ms(t)}" for s, t in frames))
        plot.close()
        plot.deleteLater()

    run("clipToView + downsampling", True)
    if compare:
        run("no clip, no downsampling", False)


def shots(app, store, out: Path) -> None:  # noqa: ANN001
    from PySide6.QtCore import Qt

    from ui.dashboard.reviews_panel import ReviewsScreen
    from ui.dashboard.screen import DashboardScreen
    from ui.main_window import MainWindow

    out.mkdir(parents=True, exist_ok=True)
    window = MainWindow(store)
    dash = window.screen(DashboardScreen) or DashboardScreen(store)
    dash.today = TODAY
    reviews = window.screen(ReviewsScreen)
    if reviews is not None:
        reviews.today = TODAY
        reviews.reload()

    def shot(name: str, size: tuple[int, int] = (1280, 800)) -> None:
        window.resize(*size)
        app.processEvents()  # nothing runs in the background here (the loaders are idle)
        path = out / f"{name}.png"
        window.grab().save(str(path))
        print(path)

    window.show()
    if window.screen(DashboardScreen) is not None:
        window.show_screen(DashboardScreen)
    dash._cache.clear()
    dash.reload()
    wait_for(app, lambda: not dash.cards_loader.busy())
    shot("dashboard-desk")
    tech = store.find_technician("Chloe Dubois")
    dash.set_scope(f"technician:{tech.id}")
    wait_for(app, lambda: not dash.cards_loader.busy())
    shot("dashboard-technician")
    team = store.list_teams()[0]
    dash.set_scope(f"team:{team.id}")
    wait_for(app, lambda: not dash.cards_loader.busy())
    shot("dashboard-1024x700", (1024, 700))
    dash.set_scope("desk")
    wait_for(app, lambda: not dash.cards_loader.busy())
    mttr = next(k for k in store.list_kpis() if k.name == "MTTR")
    index = dash.model.index(dash.model.row_of(mttr.id), 0)
    from PySide6.QtTest import QTest

    QTest.mouseClick(dash.grid.viewport(), Qt.MouseButton.LeftButton, pos=dash.grid.visualRect(index).center())
    wait_for(app, lambda: dash.trend.series is not None and not dash.trend_loader.busy())
    shot("trend-mttr-desk")
    dash.set_scope(f"technician:{tech.id}")
    dash.trend.median_box.setChecked(True)
    dash.trend.split_box.setChecked(True)
    wait_for(app, lambda: not dash.trend_loader.busy() and bool(dash.trend.tiers))
    shot("trend-mttr-split-median")
    dash.trend.split_box.setChecked(False)
    wait_for(app, lambda: not dash.trend_loader.busy())
    shot("trend-1024x700", (1024, 700))
    dash.set_scope("desk")
    dash.tabs.setCurrentIndex(2)
    wait_for(app, lambda: dash.scatter.data is not None and not dash.scatter_loader.busy())
    shot("scatter")
    dash.scatter.pair_combo.setCurrentIndex(1)
    shot("scatter-sla-csat")
    if reviews is not None:
        window.show_screen(ReviewsScreen)
        shot("reviews")
        shot("reviews-1024x700", (1024, 700))
    for s in window.screens:
        s.shutdown()
    window.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--points", type=int, default=5000)
    parser.add_argument("--shots", help="also write screenshots into this folder")
    parser.add_argument("--no-compare", action="store_true", help="skip the plot without clip/downsampling")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kpidesk-bench-dash-"))
    os.environ["KPIDESK_HOME"] = str(tmp / "home")

    from PySide6.QtCore import QSettings

    from kpidesk.demo import create_demo
    from kpidesk.store import Store
    from ui.app import make_app
    from ui.dashboard.screen import DashboardScreen

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))
    app = make_app(["bench"])
    store = Store.open(tmp / "demo.db")
    create_demo(store, seed=7, today=TODAY)
    prepare(store)
    screen = DashboardScreen(store, today=TODAY)
    screen.resize(1280, 800)
    screen.show()
    t0 = time.perf_counter()
    wait_for(app, lambda: screen.model.rowCount() > 0)
    print(f"first cards on the desk (cold): {ms(time.perf_counter() - t0)}")
    bench_switch(app, screen)
    screen.shutdown()
    screen.close()
    bench_plot(app, args.series, args.points, not args.no_compare)
    if args.shots:
        shots(app, store, Path(args.shots))
    store.close()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown of Qt/pyqtgraph objects (pyqtgraph exitCleanup=False)
