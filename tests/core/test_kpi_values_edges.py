"""Edges of a KPI's values per period (kpidesk/metrics/kpi_values.py, issue 20): the default scope,
a KPI given by id, a KPI's own segment and another one, group scopes, scopes with no tickets
(projects), week and quarter KPIs, the stored values a computed KPI reads where they are stored,
and the exact errors of a formula. Four hand-made tickets, values worked out by hand."""
from __future__ import annotations

import pytest

from kpidesk.errors import NotFound, ValidationError
from kpidesk.metrics.engine import period_range
from kpidesk.metrics.kpi_values import kpi_record, kpi_values
from kpidesk.records import KpiRecord, MeasurementRecord
from tests.core.metrics_tickets import add_tickets, people, ticket

# A  Ann, P1, group Network  2026-01-05 00:00 -> 02:00   2 h  (January, 2026-W02)
# B  Ann, P3                 2026-01-12 00:00 -> 10:00  10 h  (January, 2026-W03)
# C  Bob, P3, group Network  2026-02-10 00:00 -> 20:00  20 h  (February, 2026-W07)
# D  nobody, P1, no group    2026-03-02 00:00 -> 04:00   4 h  (March, 2026-W10)
# The desk's MTTR: January (2 + 10) / 2 = 6 of 2, February 20 of 1, March 4 of 1; Q1 36 / 4 = 9 of 4.
# P1 alone: January 2, March 4. P3 alone: January 10, February 20. Group Network: January 2, February 20.
# Team Desk (Ann, Bob): January 6 of 2, February 20 of 1. Ann: January 6 of 2.
# No ticket action runs here, so nothing is stored unless a test stores it.

MONTHS = period_range("2026-01", "2026-03", "month")


def mttr(store, name, **more):
    return store.create_kpi(KpiRecord(name=name, unit="hours", direction="lower", value_source="computed",
                                      metric="mttr_hours", **more))[0]


@pytest.fixture
def ids(store):
    ids = people(store)
    add_tickets(store, [
        ticket("2026-01-05 00:00", "2026-01-05 02:00", tech=ids["Ann"], tier=1, group_name="Network"),
        ticket("2026-01-12 00:00", "2026-01-12 10:00", tech=ids["Ann"], tier=3),
        ticket("2026-02-10 00:00", "2026-02-10 20:00", tech=ids["Bob"], tier=3, group_name="Network"),
        ticket("2026-03-02 00:00", "2026-03-02 04:00", tech=None, tier=1),
    ])
    return ids


def test_a_kpi_given_by_id_is_read_and_the_desk_is_the_default_scope(store, ids):
    k = mttr(store, "MTTR", cadence="monthly")
    assert kpi_record(store, k.id) == k
    assert kpi_record(store, k) is k
    expected = {"2026-01": (6.0, 2), "2026-02": (20.0, 1), "2026-03": (4.0, 1)}
    assert kpi_values(store, k.id, MONTHS) == expected
    assert kpi_values(store, k, MONTHS) == expected
    assert kpi_values(store, k.id, MONTHS, "desk") == expected
    assert kpi_values(store, k.id, []) == {}


def test_an_entered_kpi_is_read_for_the_desk_by_default(store, ids):
    k = store.create_kpi(KpiRecord(name="Uptime", unit="%"))[0]
    store.add_measurements([MeasurementRecord(k.id, "desk", "2026-02", 99.5, count=3),
                            MeasurementRecord(k.id, f"team:{ids['Desk']}", "2026-02", 97.0)])
    assert kpi_values(store, k.id, MONTHS) == {"2026-02": (99.5, 3)}
    assert kpi_values(store, k.id, MONTHS, f"team:{ids['Desk']}") == {"2026-02": (97.0, None)}


def test_a_segment_kpi_reads_its_own_segment_and_a_period_with_none_of_it_has_no_value(store, ids):
    p1 = mttr(store, "MTTR P1", segment="P1", cadence="monthly")
    assert kpi_values(store, p1, MONTHS) == {"2026-01": (2.0, 1), "2026-03": (4.0, 1)}  # February: P3 only
    assert kpi_values(store, p1, MONTHS, segment="P3") == {"2026-01": (10.0, 1), "2026-02": (20.0, 1)}
    assert kpi_values(store, p1, MONTHS, segment="") == {"2026-01": (6.0, 2), "2026-02": (20.0, 1),
                                                        "2026-03": (4.0, 1)}
    k = mttr(store, "MTTR")
    assert kpi_values(store, k, MONTHS, segment="P1") == {"2026-01": (2.0, 1), "2026-03": (4.0, 1)}


def test_group_team_and_technician_scopes_are_computed_from_their_tickets(store, ids):
    k = mttr(store, "MTTR")
    p1 = mttr(store, "MTTR P1", segment="P1")
    assert kpi_values(store, k, MONTHS, "group:Network") == {"2026-01": (2.0, 1), "2026-02": (20.0, 1)}
    assert kpi_values(store, p1, MONTHS, "group:Network") == {"2026-01": (2.0, 1)}
    assert kpi_values(store, k, MONTHS, f"team:{ids['Desk']}") == {"2026-01": (6.0, 2), "2026-02": (20.0, 1)}
    assert kpi_values(store, k, MONTHS, f"technician:{ids['Ann']}") == {"2026-01": (6.0, 2)}
    assert kpi_values(store, k, MONTHS, f"team:{ids['Infra']}") == {}


def test_weeks_and_quarters_are_computed_by_their_own_length(store, ids):
    weekly = mttr(store, "MTTR weekly", cadence="weekly")
    weeks = period_range("2026-W02", "2026-W10", "week")
    assert kpi_values(store, weekly, weeks) == {"2026-W02": (2.0, 1), "2026-W03": (10.0, 1), "2026-W07": (20.0, 1),
                                                "2026-W10": (4.0, 1)}
    quarterly = mttr(store, "MTTR quarterly", cadence="quarterly")
    assert kpi_values(store, quarterly, period_range("2026-Q1", "2026-Q1", "quarter")) == {"2026-Q1": (9.0, 4)}


def test_a_computed_kpi_in_a_scope_without_tickets_reads_what_is_stored_in_its_segment(store, ids):
    p1 = mttr(store, "MTTR P1", segment="P1")
    scope = "project:Intranet migration"
    store.add_measurements([MeasurementRecord(p1.id, scope, "2026-01", 7.0, count=2, segment="P1"),
                            MeasurementRecord(p1.id, scope, "2026-01", 70.0, count=20, segment=""),
                            MeasurementRecord(p1.id, "desk", "2026-01", 700.0, count=200, segment="P1")])
    assert kpi_values(store, p1, MONTHS, scope) == {"2026-01": (7.0, 2)}
    assert kpi_values(store, p1, MONTHS, scope, segment="") == {"2026-01": (70.0, 20)}


def test_stored_values_are_read_by_the_kpis_cadence_and_by_month(store, ids):
    weekly = mttr(store, "MTTR weekly", cadence="weekly")
    quarterly = mttr(store, "MTTR quarterly", cadence="quarterly")
    store.add_measurements([MeasurementRecord(weekly.id, "desk", "2026-W02", 99.0, count=7, source="computed"),
                            MeasurementRecord(weekly.id, "desk", "2026-01", 55.0, count=5, source="computed"),
                            MeasurementRecord(quarterly.id, "desk", "2026-01", 50.0, count=3, source="computed"),
                            MeasurementRecord(quarterly.id, "desk", "2026-Q1", 45.0, count=4, source="computed")])
    weeks = period_range("2026-W02", "2026-W03", "week")
    assert kpi_values(store, weekly, weeks, stored=True) == {"2026-W02": (99.0, 7)}  # W03 is not stored
    assert kpi_values(store, weekly, MONTHS, stored=True) == {"2026-01": (55.0, 5)}
    q1 = period_range("2026-Q1", "2026-Q1", "quarter")
    assert kpi_values(store, quarterly, q1, stored=True) == {"2026-Q1": (45.0, 4)}
    assert kpi_values(store, quarterly, MONTHS, stored=True) == {"2026-01": (50.0, 3)}
    # not by the cadence nor by month: computed
    assert kpi_values(store, quarterly, weeks, stored=True) == {"2026-W02": (2.0, 1), "2026-W03": (10.0, 1)}
    assert kpi_values(store, weekly, q1, stored=True) == {"2026-Q1": (9.0, 4)}


def test_stored_values_of_a_segment_kpi_are_its_segments_in_the_periods_asked(store, ids):
    p1 = mttr(store, "MTTR P1", segment="P1", cadence="monthly")
    store.add_measurements([MeasurementRecord(p1.id, "desk", "2026-01", 11.0, count=1, segment="P1"),
                            MeasurementRecord(p1.id, "desk", "2026-01", 99.0, count=9, segment=""),
                            MeasurementRecord(p1.id, "desk", "2026-02", 22.0, count=2, segment="P2"),
                            MeasurementRecord(p1.id, "desk", "2026-04", 44.0, count=4, segment="P1"),
                            MeasurementRecord(p1.id, "team:999", "2026-03", 33.0, count=3, segment="P1")])
    assert kpi_values(store, p1, MONTHS, stored=True) == {"2026-01": (11.0, 1)}
    # another segment than the KPI's is not stored: computed from the tickets (P3: January 10, February 20)
    assert kpi_values(store, p1, MONTHS, segment="P3", stored=True) == {"2026-01": (10.0, 1), "2026-02": (20.0, 1)}


def test_a_formula_that_refers_back_to_itself_names_the_formula_field(store):
    loop = store.create_kpi(KpiRecord(name="Loop", value_source="formula", formula="[Loop] + 1"))[0]
    with pytest.raises(ValidationError) as err:
        kpi_values(store, loop, MONTHS)
    assert err.value.problems == {"formula": "the formula of 'Loop' refers back to itself"}


def test_a_formula_over_a_kpi_that_is_gone_says_which(store):
    g = store.create_kpi(KpiRecord(name="Per ticket", value_source="formula", formula="[Ghost] * 2"))[0]
    with pytest.raises(NotFound) as err:
        kpi_values(store, g.id, MONTHS)
    assert str(err.value) == "The formula of 'Per ticket' refers to 'Ghost', and there is no KPI of that name."
