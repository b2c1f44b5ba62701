"""Issue 16 item 3: a KPI may be judged in three bands (on target, watch, act) in place of one trigger
line. The band logic by direction, at and either side of each edge; what the editor refuses; the
one vocabulary on cards and in the appraisal PDF's lines."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kpidesk.errors import ValidationError
from kpidesk.export.content import KpiLine
from kpidesk.metrics.series import dashboard_cards
from kpidesk.metrics.status import judge
from kpidesk.records import KpiRecord, TargetRecord
from kpidesk.signals import signal
from tests.conftest import DEMO_TODAY


def words(kpi: KpiRecord, value: float) -> str:
    t = TargetRecord(kpi_id=0, segment="", target_value=kpi.target_value, band_low=kpi.band_low,
                     band_high=kpi.band_high, trigger_kind=kpi.trigger_kind, trigger_value=kpi.trigger_value,
                     valid_from=dt.datetime.min, valid_to=None)
    return signal(judge(kpi, value, t).status, value, bands=kpi.bands).word


LOWER = KpiRecord(name="MTTR", unit="h", direction="lower", target_value=8.0, trigger_kind="ceiling",
                  trigger_value=12.0, bands=True)
HIGHER = KpiRecord(name="FCR", unit="%", direction="higher", target_value=70.0, baseline_value=60.0,
                   trigger_kind="relative", trigger_value=10.0, bands=True)  # act below 54 (10 % under 60)
BAND = KpiRecord(name="Utilisation", unit="%", direction="band", band_low=70.0, band_high=85.0,
                 trigger_kind="relative", trigger_value=10.0, baseline_value=80.0, bands=True)  # act < 62, > 93


@pytest.mark.parametrize("kpi, value, word", [
    (LOWER, 7.99, "On target"), (LOWER, 8.0, "On target"), (LOWER, 8.01, "Watch"),
    (LOWER, 12.0, "Watch"), (LOWER, 12.01, "Act"),
    (HIGHER, 70.01, "On target"), (HIGHER, 70.0, "On target"), (HIGHER, 69.99, "Watch"),
    (HIGHER, 54.0, "Watch"), (HIGHER, 53.99, "Act"),
    (BAND, 70.0, "On target"), (BAND, 85.0, "On target"), (BAND, 69.9, "Watch"), (BAND, 85.1, "Watch"),
    (BAND, 62.0, "Watch"), (BAND, 61.9, "Act"), (BAND, 93.0, "Watch"), (BAND, 93.1, "Act"),
])
def test_band_logic_by_direction(kpi, value, word):
    assert words(kpi, value) == word
    # The same judgement with one trigger line keeps its own words.
    line = words(dataclasses.replace(kpi, bands=False), value)
    assert line == {"On target": "On target", "Watch": "Off target", "Act": "Past trigger"}[word]


def test_the_editor_refuses_bands_without_both_edges_or_upside_down(store):
    with pytest.raises(ValidationError) as e:
        store.create_kpi(KpiRecord(name="No trigger", unit="h", direction="lower", target_value=8.0, bands=True))
    assert "three bands need a target" in e.value.problems["bands"]
    with pytest.raises(ValidationError) as e:
        store.create_kpi(dataclasses.replace(LOWER, name="Upside down", trigger_value=6.0))
    assert "act line (6) is below the target (8)" in e.value.problems["bands"]
    with pytest.raises(ValidationError) as e:
        store.create_kpi(dataclasses.replace(HIGHER, name="Upside down FCR", target_value=50.0))
    assert "must be below the target" in e.value.problems["bands"]
    made, _ = store.create_kpi(dataclasses.replace(LOWER, name="Banded"))
    assert store.get_kpi(made.id).bands is True


def test_cards_and_appraisal_lines_say_watch_and_act(demo_store):
    from kpidesk import actions

    mttr = demo_store.find_kpi("MTTR")
    before = {c.name: c for c in dashboard_cards(demo_store, "desk", today=DEMO_TODAY)}["MTTR"]
    assert before.signal.word in ("On target", "Off target", "Past trigger")
    actions.update_kpi(demo_store, dataclasses.replace(mttr, bands=True, trigger_kind="ceiling",
                                                      trigger_value=max(mttr.target_value or 0, 1.0) * 1.2))
    card = {c.name: c for c in dashboard_cards(demo_store, "desk", today=DEMO_TODAY)}["MTTR"]
    assert card.status is not None
    want = {"on_target": "On target", "off_target": "Watch", "triggered": "Act"}[card.status]
    assert card.signal.word == want and card.bands
    line = KpiLine(name="MTTR", unit="h", direction="lower", value=15.0, target=8.0, bands=True, act=(None, 12.0))
    assert line.status == "Act"
    assert dataclasses.replace(line, value=10.0).status == "Watch"
    assert dataclasses.replace(line, value=8.0).status == "On target"
    assert dataclasses.replace(line, bands=False).status == "Off target"  # one line: the role target only
