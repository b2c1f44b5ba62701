"""Issue 16: the drill-down's tickets are the ones the value rests on. Its own summary, worked from
the listed tickets, equals the engine's value for every ticket metric, scope, period length and
segment; the tickets that moved the value most come first."""
from __future__ import annotations

import pytest

from kpidesk.metrics.engine import compute
from kpidesk.metrics.evidence import tickets_behind
from kpidesk.metrics.model import TICKET_METRICS
from tests.core.test_metrics_shares import shared  # noqa: F401  (fixture: shared tickets, two teams)


def _close(a, b):
    return (a is None and b is None) or (a is not None and b is not None and a == pytest.approx(b))


def _check_scope(store, scope, period, granularity, split=None):
    values = compute(store, scope_key=scope, granularity=granularity, first=period, last=period, split=split)
    assert values, (scope, period)
    checked = 0
    for v in values:
        ev = tickets_behind(store, scope, v.period, metric=v.kpi, segment=v.segment)
        value, count, extra = ev.summary()
        assert _close(value, v.value), (scope, v.period, v.segment, v.kpi, value, v.value)
        if v.value is not None:
            assert count == v.count, (scope, v.period, v.segment, v.kpi, count, v.count)
        for key in ("median", "p90"):
            if key in v.extra:
                assert _close(extra[key], v.extra[key]), (scope, v.kpi, key)
        checked += 1
    return checked


def test_every_metric_and_scope_of_the_demo_adds_up(demo_store):
    store = demo_store
    scopes = ["desk", *(f"team:{t.id}" for t in store.list_teams()),
              *(f"technician:{t.id}" for t in store.list_technicians())]
    checked = 0
    for scope in scopes:
        checked += _check_scope(store, scope, "2026-10", "month")
    checked += _check_scope(store, "desk", "2026-Q3", "quarter", split="priority")
    tech = store.list_technicians()[0]
    checked += _check_scope(store, f"technician:{tech.id}", "2026-W40", "week", split="type")
    assert checked > len(scopes) * len(TICKET_METRICS) // 2


def test_shared_tickets_count_for_each_technician_and_once_for_a_team(shared):
    store, ids, teams = shared
    for scope in ["desk", *(f"technician:{i}" for i in ids.values()), *(f"team:{t}" for t in teams.values())]:
        _check_scope(store, scope, "2026-03", "month")
    ana = tickets_behind(store, f"technician:{ids['Ana']}", "2026-03", metric="mttr_hours")
    assert [x.external_id for x in ana.lines] == ["S2", "S1"]  # the longest first: 4 h, then 2 h
    assert ana.lines[1].technicians == "Ana, Bo, Cy"
    team = tickets_behind(store, f"team:{teams['Desk']}", "2026-03", metric="backlog_open")
    assert [x.external_id for x in team.lines] == ["S4"]  # shared by Bo and Cy, once for the team


def test_backlog_change_rests_on_both_ends(shared):
    store, ids, _teams = shared
    ev = tickets_behind(store, "desk", "2026-04", metric="backlog_change")
    assert [x.external_id for x in ev.lines] == ["S4"] and ev.open_before == 1
    assert ev.summary()[0] == 0
    ev = tickets_behind(store, "desk", "2026-03", metric="backlog_change")
    assert ev.open_before == 0 and ev.summary()[0] == 1


def test_breached_tickets_come_first_for_sla(demo_store):
    store = demo_store
    ev = tickets_behind(store, "desk", "2026-10", metric="sla_compliance")
    flags = [x.sla_met for x in ev.lines]
    first_true = flags.index(True)
    assert False in flags and all(f is False for f in flags[:first_true])
    hours = [x.resolution_hours for x in ev.lines[:first_true]]
    assert hours == sorted(hours, reverse=True)


def test_a_bad_metric_or_scope_is_refused(demo_store):
    from kpidesk.errors import ValidationError

    with pytest.raises(ValidationError):
        tickets_behind(demo_store, "desk", "2026-10", metric="nonsense")
    with pytest.raises(ValidationError):
        tickets_behind(demo_store, "kpi:3", "2026-10")


def test_every_ticket_kpi_of_the_demo_equals_its_stored_value(demo_store):
    """What a card shows is a stored KPI value (in the KPI's unit); its drill-down says the same."""
    from kpidesk.metrics.kpi_values import kpi_values
    from kpidesk.metrics.model import granularity_of
    from kpidesk.metrics.recompute import recompute
    from kpidesk.periods import period_containing
    from kpidesk.units import metric_to_kpi
    from tests.conftest import DEMO_TODAY

    store = demo_store
    recompute(store, today=DEMO_TODAY)
    scopes = ["desk", *(f"team:{t.id}" for t in store.list_teams()),
              *(f"technician:{t.id}" for t in store.list_technicians())]
    checked = 0
    for kpi in store.list_kpis():
        if kpi.value_source != "computed":
            continue
        last = period_containing(DEMO_TODAY, granularity_of(kpi.cadence)).previous()
        for scope in scopes:
            stored = kpi_values(store, kpi, [last], scope, stored=True).get(last.key)
            ev = tickets_behind(store, scope, last.key, metric=kpi.metric, segment=kpi.segment or None)
            value, count, _extra = ev.summary()
            if stored is None:
                assert value is None or count == 0, (kpi.name, scope)
                continue
            assert metric_to_kpi(kpi.metric, kpi.unit, value) == pytest.approx(stored[0]), (kpi.name, scope)
            assert count == stored[1], (kpi.name, scope)
            checked += 1
    assert checked >= 20
