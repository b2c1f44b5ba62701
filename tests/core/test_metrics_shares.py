"""Issue 12: a ticket naming several technicians counts for each of them, once for each of their
teams, and once for the desk; in rates, MTTR, its percentiles and the backlog alike."""
from __future__ import annotations

import pytest

from kpidesk.importing import tickets_import
from kpidesk.metrics.engine import compute, compute_all
from kpidesk.metrics.recompute import recompute
from kpidesk.records import KpiRecord, TechnicianRecord
from tests.import_samples import write_csv

HEAD = ["Number", "Opened", "Resolved", "Priority", "Assigned to"]
ROWS = [
    ["S1", "2026-03-02 09:00", "2026-03-02 11:00", "P3", "Ana; Bo; Cy"],  # 2 h, shared by all three
    ["S2", "2026-03-03 09:00", "2026-03-03 13:00", "P3", "Ana"],          # 4 h
    ["S3", "2026-03-04 09:00", "2026-03-04 15:00", "P3", "Cy"],           # 6 h
    ["S4", "2026-03-05 09:00", "", "P3", "Bo; Cy"],                       # open, shared by Bo and Cy
]


@pytest.fixture
def shared(store, tmp_path):
    infra, _ = store.create_team("Infra")
    desk, _ = store.create_team("Desk")
    ids = {}
    for name, team in (("Ana", desk), ("Bo", desk), ("Cy", infra)):
        ids[name] = store.create_technician(TechnicianRecord(display_name=name, team_id=team.id))[0].id
    report = tickets_import.run(store, write_csv(tmp_path / "shared.csv", HEAD, ROWS))
    assert {w.code: w.count for w in report.warnings}["split_names"] == 2
    return store, ids, {"Desk": desk.id, "Infra": infra.id}


def march(store, scope):
    return {v.kpi: v for v in compute(store, scope_key=scope, granularity="month", first="2026-03", last="2026-03")}


def test_each_technician_each_team_and_the_desk_once(shared):
    store, ids, teams = shared
    desk = march(store, "desk")
    assert desk["resolved_count"].value == 3 and desk["backlog_open"].value == 1
    assert desk["mttr_hours"].value == pytest.approx(4.0) and desk["mttr_hours"].extra["median"] == 4.0
    ana, bo, cy = (march(store, f"technician:{ids[n]}") for n in ("Ana", "Bo", "Cy"))
    assert (ana["resolved_count"].value, ana["mttr_hours"].value) == (2, 3.0)  # S1 2 h, S2 4 h
    assert (bo["resolved_count"].value, bo["mttr_hours"].value, bo["backlog_open"].value) == (1, 2.0, 1)
    assert (cy["resolved_count"].value, cy["mttr_hours"].value, cy["backlog_open"].value) == (2, 4.0, 1)
    assert cy["mttr_hours"].extra["median"] == 4.0 and cy["mttr_hours"].extra["p90"] == pytest.approx(5.6)
    # Team Desk (Ana, Bo): S1 once, S2; S4 open once. Team Infra (Cy): S1, S3; S4 open.
    d, i = march(store, f"team:{teams['Desk']}"), march(store, f"team:{teams['Infra']}")
    assert (d["resolved_count"].value, d["mttr_hours"].value, d["backlog_open"].value) == (2, 3.0, 1)
    assert d["mttr_hours"].extra["median"] == 3.0
    assert (i["resolved_count"].value, i["mttr_hours"].value, i["backlog_open"].value) == (2, 4.0, 1)


def test_the_one_pass_for_every_scope_agrees_and_the_stored_values_too(shared):
    store, ids, teams = shared
    every = {(v.scope_key, v.kpi): v.value for v in compute_all(store, granularity="month", first="2026-03")}
    for scope in ["desk", *(f"technician:{i}" for i in ids.values()), *(f"team:{t}" for t in teams.values())]:
        one = march(store, scope)
        for kpi in ("resolved_count", "mttr_hours", "backlog_open"):
            assert every.get((scope, kpi)) == one[kpi].value, (scope, kpi)
    store.create_kpi(KpiRecord(name="MTTR", unit="hours", direction="lower", value_source="computed",
                               metric="mttr_hours", cadence="monthly"))
    recompute(store)
    kpi = store.find_kpi("MTTR")
    stored = {m.scope_key: m.value for m in store.list_measurements(kpi.id) if m.period == "2026-03"}
    assert stored[f"technician:{ids['Bo']}"] == 2.0 and stored[f"team:{teams['Desk']}"] == 3.0
    assert stored["desk"] == 4.0
