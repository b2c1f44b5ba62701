"""Issue 19: the dashboard reads ahead every scope of a period from the stored values in one SELECT
(series.cards_for_scopes); what it shows must be what dashboard_cards() works out live for each
scope: every field of every card, for every scope and two periods."""
from __future__ import annotations

import dataclasses

import pytest

from kpidesk.metrics.recompute import recompute
from kpidesk.metrics.series import cards_for_scopes, dashboard_cards
from tests.conftest import DEMO_TODAY


def _same(a, b) -> None:
    da, db = dataclasses.asdict(a), dataclasses.asdict(b)
    for key in da:
        x, y = da[key], db[key]
        if isinstance(x, float) or isinstance(y, float):
            assert x == pytest.approx(y), (a.name, key)
        elif isinstance(x, list):
            assert len(x) == len(y) and all((u is None and v is None) or (u is not None and v is not None
                                            and u == pytest.approx(v)) for u, v in zip(x, y)), (a.name, key)
        elif isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str):
            assert x[0] == y[0] and (x[1] == pytest.approx(y[1]) if x[1] is not None else y[1] is None), (a.name, key)
        else:
            assert x == y, (a.name, key, x, y)


@pytest.mark.parametrize("period", [None, "2026-08"])
def test_every_scope_read_at_once_equals_each_read_alone(demo_store, period):
    from kpidesk.records import KpiRecord

    store = demo_store
    store.create_kpi(KpiRecord(name="Hours per ticket, doubled", unit="hours", direction="lower",
                               value_source="formula", formula="[MTTR] * 2", cadence="monthly"))
    recompute(store, today=DEMO_TODAY)
    scopes = ["desk", *(f"team:{t.id}" for t in store.list_teams()), *(f"group:{g}" for g in store.list_groups()),
              *(f"technician:{t.id}" for t in store.list_technicians())]
    assert any(s.startswith("group:") for s in scopes)
    batch = cards_for_scopes(store, scopes, period, today=DEMO_TODAY)
    assert set(batch) == set(scopes)
    assert "Hours per ticket, doubled" in [c.name for c in batch["desk"]]
    compared = 0
    for scope in scopes:
        live = dashboard_cards(store, scope, period, today=DEMO_TODAY)
        assert [c.name for c in batch[scope]] == [c.name for c in live], scope
        for a, b in zip(batch[scope], live):
            _same(a, b)
            compared += 1
    assert compared > 40
