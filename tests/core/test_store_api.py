"""The service API: KPIs, target history, objectives, people, role profiles, measurements."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.errors import NotFound, ValidationError
from kpidesk.records import KpiRecord, MeasurementRecord, RoleKpiRecord, RoleProfileRecord, TechnicianRecord


def mttr(**kw) -> KpiRecord:
    base = dict(name="MTTR", unit="hours", direction="lower", target_value=8.0, owner="Dana",
                trigger_kind="ceiling", trigger_value=12.0, cadence="monthly")
    base.update(kw)
    return KpiRecord(**base)


def test_create_and_read_back_every_field(store):
    obj, _ = store.create_objective("Keep staff productive")
    rec, changes = store.create_kpi(mttr(objective_id=obj.id, target_date=dt.date(2026, 12, 31),
                                         description="mean time to resolve", leading=False, level="individual"))
    assert changes.kpis and not changes.tickets
    got = store.get_kpi(rec.id)
    assert (got.name, got.unit, got.direction, got.target_value, got.trigger_value) == ("MTTR", "hours", "lower", 8.0, 12.0)
    assert got.objective_name == "Keep staff productive"
    assert got.target_date == dt.date(2026, 12, 31)
    assert got.is_kpi


def test_metric_without_owner_is_a_plain_metric_until_promoted(store):
    rec, _ = store.create_kpi(KpiRecord(name="Tickets per day", unit="count"))
    assert not rec.is_kpi and rec.kind_label == "metric"
    rec.owner, rec.target_value, rec.trigger_kind, rec.trigger_value = "Dana", 40.0, "floor", 30.0
    promoted, _ = store.update_kpi(rec)
    assert promoted.is_kpi


def test_kpi_names_are_unique(store):
    store.create_kpi(mttr())
    with pytest.raises(ValidationError) as err:
        store.create_kpi(mttr())
    assert "already exists" in str(err.value)
    assert len(store.list_kpis()) == 1


def test_validation_refuses_and_saves_nothing(store):
    with pytest.raises(ValidationError) as err:
        store.create_kpi(KpiRecord(name="FCR", unit="%", target_value=120.0))
    assert "between 0 and 100" in err.value.problems["target_value"]
    with pytest.raises(ValidationError) as err:
        store.create_kpi(KpiRecord(name="CSAT drop", unit="score", trigger_kind="relative", trigger_value=10.0))
    assert "baseline" in err.value.problems["trigger_kind"]
    assert store.list_kpis() == []


def test_target_history_judges_past_periods_by_their_own_target(store):
    rec, _ = store.create_kpi(mttr(target_value=10.0))
    first = store.target_history(rec.id)[0]
    rec.target_value = 6.0
    store.update_kpi(rec)
    history = store.target_history(rec.id)
    assert [t.target_value for t in history] == [10.0, 6.0]
    assert history[0].valid_to == history[1].valid_from
    assert store.target_at(rec.id, first.valid_from).target_value == 10.0
    assert store.target_at(rec.id, history[1].valid_from + dt.timedelta(seconds=1)).target_value == 6.0
    # Editing something else keeps the history as it is.
    rec = store.get_kpi(rec.id)
    rec.description = "now with a description"
    store.update_kpi(rec)
    assert len(store.target_history(rec.id)) == 2


def test_segment_target_falls_back_to_the_kpi_wide_target(store):
    rec, _ = store.create_kpi(mttr(target_value=24.0))
    when = dt.datetime(2020, 1, 1)
    store.set_segment_target(rec.id, "P1", target_value=4.0, trigger_kind="ceiling", trigger_value=6.0, valid_from=when)
    later = dt.datetime.now() + dt.timedelta(days=1)
    assert store.target_at(rec.id, later, "P1").target_value == 4.0
    assert store.target_at(rec.id, later, "P4").target_value == 24.0


def test_delete_missing_kpi_says_so(store):
    with pytest.raises(NotFound):
        store.delete_kpi(999)


def test_technicians_teams_aliases(store):
    team, _ = store.create_team("Service Desk")
    tech, _ = store.create_technician(TechnicianRecord(display_name="Alex Morgan", team_id=team.id,
                                                       aliases=["amorgan", "Morgan, Alex", "AMORGAN "]))
    assert tech.aliases == ["Morgan, Alex", "amorgan"]  # duplicates by key folded
    assert store.find_technician("  morgan,   ALEX ").id == tech.id
    assert store.find_technician("alex morgan").id == tech.id
    assert store.list_teams()[0].member_count == 1
    other, _ = store.create_technician(TechnicianRecord(display_name="Priya Shah"))
    with pytest.raises(ValidationError):
        store.add_alias(other.id, "AMorgan")
    with pytest.raises(ValidationError):
        store.create_technician(TechnicianRecord(display_name="Alex Morgan"))


def test_role_profile_with_weights_and_targets(store):
    k1, _ = store.create_kpi(mttr())
    k2, _ = store.create_kpi(KpiRecord(name="FCR", unit="%", target_value=75.0))
    role, _ = store.save_role_profile(RoleProfileRecord(name="Service desk L1", kpis=[
        RoleKpiRecord(kpi_id=k1.id, weight=2.0, target_value=6.0), RoleKpiRecord(kpi_id=k2.id, primary=False)]))
    got = store.get_role_profile(role.id)
    assert [(k.kpi_name, k.weight, k.target_value, k.primary) for k in got.kpis] == [
        ("MTTR", 2.0, 6.0, True), ("FCR", 1.0, None, False)]
    with pytest.raises(ValidationError):
        store.save_role_profile(RoleProfileRecord(name="Bad", kpis=[RoleKpiRecord(kpi_id=999)]))
    assert [r.name for r in store.list_role_profiles()] == ["Service desk L1"]


def test_deleting_a_kpi_removes_its_measurements(store):
    rec, _ = store.create_kpi(mttr())
    store.add_measurements([MeasurementRecord(kpi_id=rec.id, scope_key="desk", period="2026-01", value=7.5, count=40)])
    store.add_measurements([MeasurementRecord(kpi_id=rec.id, scope_key="desk", period="2026-01", value=6.5, count=41)])
    ms = store.list_measurements(rec.id)
    assert [(m.value, m.count) for m in ms] == [(6.5, 41)]  # upsert, not a duplicate
    store.delete_kpi(rec.id)
    assert store.list_measurements(rec.id) == []


def test_settings_have_defaults(store):
    assert store.get_setting("sla_hours") == {"P1": 4, "P2": 8, "P3": 24, "P4": 72}
    store.set_setting("sla_hours", {"P1": 2, "P2": 8, "P3": 24, "P4": 72})
    assert store.get_setting("sla_hours")["P1"] == 2


def test_all_target_histories_in_one_read_match_each_kpi(store):
    a, _ = store.create_kpi(mttr(target_value=10.0))
    a.target_value = 8.0
    store.update_kpi(a)
    b, _ = store.create_kpi(KpiRecord(name="Plain"))
    everything = store.target_histories()
    assert everything[a.id] == store.target_history(a.id) and len(everything[a.id]) == 2
    assert b.id not in everything  # no target ever set: no history
