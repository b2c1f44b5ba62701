"""Fixtures shared by the dashboard tests (issue 4): the demo department with its KPI values
recomputed, MTTR given a baseline and a relative trigger (so a trend plot has all its lines), and a
shown DashboardScreen whose first cards have arrived."""
from __future__ import annotations

import pytest

from kpidesk.metrics.baseline import set_baseline
from kpidesk.metrics.recompute import recompute
from tests.conftest import DEMO_TODAY


def kpi_named(store, name: str):  # noqa: ANN001, ANN201
    return next(k for k in store.list_kpis() if k.name == name)


@pytest.fixture
def prepared_store(demo_store):
    import datetime as dt

    recompute(demo_store, today=DEMO_TODAY)
    mttr = kpi_named(demo_store, "MTTR")
    mttr, _ = set_baseline(demo_store, mttr.id, dt.date(2026, 6, 1), periods=3)
    mttr.trigger_kind, mttr.trigger_value = "relative", 10.0
    demo_store.update_kpi(mttr)
    return demo_store


@pytest.fixture
def dashboard(qtbot, prepared_store, shown_errors):
    from ui.dashboard.screen import DashboardScreen

    screen = DashboardScreen(prepared_store, today=DEMO_TODAY)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    qtbot.waitExposed(screen)
    qtbot.waitUntil(lambda: screen.model.rowCount() > 0, timeout=10000)
    yield screen
    screen.shutdown()
    assert shown_errors == []
