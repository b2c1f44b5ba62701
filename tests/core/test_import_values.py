"""KPI value imports (issue 3): long and wide shapes, unknown KPIs rejected, undo."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.errors import ImportFailed
from kpidesk.importing.errors import RowsRejected
from kpidesk.importing.undo import undo_import
from kpidesk.importing.values_import import parse_period_label, run
from kpidesk.records import KpiRecord, TechnicianRecord
from tests.import_samples import dump, rows_of, write_csv, write_xlsx


@pytest.fixture
def kpis(store):
    uptime, _ = store.create_kpi(KpiRecord(name="Uptime", unit="%"))
    budget, _ = store.create_kpi(KpiRecord(name="Budget variance", unit="%", category="project"))
    mttr, _ = store.create_kpi(KpiRecord(name="MTTR", value_source="computed", metric="mttr_hours"))
    team, _ = store.create_team("Infra")
    tech, _ = store.create_technician(TechnicianRecord(display_name="Ann Archer", aliases=["aarcher"]))
    return {"uptime": uptime.id, "budget": budget.id, "team": team.id, "tech": tech.id}


def _measurements(db):
    return sorted(rows_of(db, "SELECT kpi_id, scope_key, period, period_start, value, source FROM measurement"))


@pytest.mark.parametrize("label, key", [
    ("Jan 2026", "2026-01"), ("January 2026", "2026-01"), ("Feb-26", "2026-02"), ("2026-03", "2026-03"),
    ("03/2026", "2026-03"), ("2026-Q1", "2026-Q1"), ("Q2 2026", "2026-Q2"), ("2026-W05", "2026-W05"),
    ("W5 2026", "2026-W05"), (dt.datetime(2026, 4, 1), "2026-04"), ("Uptime", None), ("2026-13", None),
])
def test_period_labels(label, key):
    p = parse_period_label(label)
    assert (p.key if p else None) == key


def test_long_shape(store, kpis, tmp_path):
    rows = [["2026-01", "uptime", "Infra", "", 99.91], ["2026-02", "UPTIME ", "Infra", "", "99,5"],
            ["Mar 2026", "Budget variance", "", "Intranet", "4.5%"], ["2026-01", "Happiness", "", "", 3],
            ["2026-01", "MTTR", "", "", 3], ["someday", "Uptime", "", "", 1], ["2026-02", "Uptime", "", "", "lots"]]
    p = write_csv(tmp_path / "values.csv", ["Period", "KPI", "Team", "Project", "Value"], rows)
    r = run(store, p)
    assert (r.created, r.rejected) == (3, 4)
    assert [(x.row, x.column, x.value, x.reason.split(" (")[0]) for x in r.rejected_rows] == [
        (5, "KPI", "Happiness", "unknown KPI"), (6, "KPI", "MTTR", "this KPI is computed from tickets; its values are not imported"),
        (7, "Period", "someday", "not a period"), (8, "Value", "lots", "not a number")]
    team = f"team:{kpis['team']}"
    assert _measurements(store) == [
        (kpis["uptime"], team, "2026-01", "2026-01-01", 99.91, "imported"),
        (kpis["uptime"], team, "2026-02", "2026-02-01", 99.5, "imported"),
        (kpis["budget"], "project:Intranet", "2026-03", "2026-03-01", 4.5, "imported")]


def test_wide_shape_update_and_undo(store, kpis, tmp_path):
    head = ["KPI", "Technician", "Jan 2026", "Feb 2026", "2026-03"]
    p = write_xlsx(tmp_path / "wide.xlsx", head, [["Uptime", "", 99.9, 99.8, None], ["Budget variance", "aarcher", 3, "", 2]],
                   title_rows=[["KPI values 2026"]], sheet="Values")
    first = run(store, p)
    assert (first.created, first.rejected) == (4, 0)
    before = dump(store)
    p2 = write_xlsx(tmp_path / "wide2.xlsx", head, [["Uptime", "", 99.9, 97.0, 98.0]])
    second = run(store, p2)
    assert (second.created, second.updated, second.unchanged) == (1, 1, 1)
    assert (kpis["budget"], f"technician:{kpis['tech']}", "2026-03", "2026-03-01", 2.0, "imported") in _measurements(store)
    undo_import(store, second.batch_id)
    assert dump(store)["measurement"] == before["measurement"]


def test_values_strict_and_unrecognised_shape(store, kpis, tmp_path):
    p = write_csv(tmp_path / "v.csv", ["Period", "KPI", "Value"], [["2026-01", "Nope", 1]])
    with pytest.raises(RowsRejected):
        run(store, p, strict=True)
    q = write_csv(tmp_path / "w.csv", ["KPI", "Owner", "Notes"], [["Uptime", "Ann", "x"]])
    with pytest.raises(ImportFailed, match="neither a Period"):
        run(store, q)
