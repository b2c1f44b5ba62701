"""Demo data: believable, deterministic, and shaped so each persona reads differently."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from kpidesk.demo import create_demo
from kpidesk.errors import ValidationError
from kpidesk.store import Store
from tests.import_samples import rows_of

TODAY = dt.date(2026, 11, 22)


def tickets(path):
    con = sqlite3.connect(path)
    rows = con.execute("select external_id, created_at, resolved_at, priority_tier, technician_id, csat_score "
                       "from ticket order by external_id").fetchall()
    con.close()
    return rows


def per_person(db):
    out = {r[0]: r[1:] for r in rows_of(db,
        "select t.display_name, count(*), avg(k.resolution_hours), "
        "avg(case when k.fcr then 1.0 when not k.fcr then 0.0 end), avg(k.csat_score) "
        "from ticket k join technician t on t.id = k.technician_id where k.resolved_at is not null group by 1")}
    p1 = dict(rows_of(db, "select t.display_name, avg(k.resolution_hours) from ticket k join technician t "
                          "on t.id = k.technician_id where k.priority_tier = 1 group by 1"))
    return out, p1


def test_demo_is_deterministic_and_sized(tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    for p in (a, b):
        with Store.open(p) as s:
            create_demo(s, seed=3, today=TODAY)
    ta = tickets(a)
    assert ta == tickets(b)
    assert 2000 <= len(ta) <= 6000
    with Store.open(a) as s:
        assert len(s.list_teams()) == 2 and len(s.list_technicians()) == 8
        assert len({t.role_profile_name for t in s.list_technicians()}) >= 4
        assert any(k.name == "On-time delivery rate" and s.list_measurements(k.id) for k in s.list_kpis())


def test_personas_have_their_strengths(demo_store):
    people, p1 = per_person(demo_store)
    alex, priya, marcus = people["Alex Morgan"], people["Priya Shah"], people["Marcus Reid"]
    assert alex[1] < priya[1] and alex[2] < priya[2] - 0.1  # fast, but low first-contact resolution
    assert marcus[2] > 0.85 and marcus[3] > 4.5  # excellent quality...
    assert p1["Marcus Reid"] > p1["Sofia Alvarez"] * 1.5  # ...but slow on P1 infrastructure work
    assert people["Chloe Dubois"][0] < people["Priya Shah"][0] / 2  # new starter: thin data


def test_demo_refuses_a_database_with_people(demo_store):
    with pytest.raises(ValidationError):
        create_demo(demo_store)


def test_tom_improves_over_the_year_and_october_drifts(demo_store):
    from kpidesk.metrics.engine import compute

    tom = demo_store.find_technician("Tom Becker")
    values = compute(demo_store, scope_key=f"technician:{tom.id}", granularity="quarter", first="2025-Q4",
                     last="2026-Q3", metrics=("mttr_hours", "fcr_rate"), percentiles=False)
    by = {(v.kpi, v.period): v.value for v in values}
    assert by[("mttr_hours", "2026-Q3")] < by[("mttr_hours", "2026-Q1")] * 0.75
    assert by[("fcr_rate", "2026-Q3")] > by[("fcr_rate", "2025-Q4")] + 0.05
    # The ERP roll-out since October is a drift the trigger rules catch: reviews are open.
    from kpidesk.metrics.reviews import list_reviews

    periods = {r.period for r in list_reviews(demo_store)}
    assert "2026-10" in periods
    assert all(p >= "2026-10" if "W" not in p else p >= "2026-W40" for p in periods)  # none before the drift


def test_the_demo_tickets_are_an_import_on_the_imports_screen_and_can_be_undone(demo_store):
    """Issue 15 (6): a database with a year of tickets never says 'No imports yet'."""
    from kpidesk import actions
    from kpidesk.importing.undo import list_imports
    from kpidesk.metrics.engine import compute

    [batch] = list_imports(demo_store)
    n = sum(v.value for v in compute(demo_store, granularity="year", first="2025", last="2026",
                                     metrics=["resolved_count"], percentiles=False) if v.value)
    assert batch.preset == "demo" and batch.created > 2000 and batch.created >= n
    actions.undo_import(demo_store, batch.id)
    with demo_store.read() as s:
        assert s.connection().exec_driver_sql("SELECT count(*) FROM ticket").scalar() == 0
