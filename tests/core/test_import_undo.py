"""Undoing imports (issue 3): created tickets removed, updated ones restored exactly; refused when
already undone or when a later import changed the same tickets."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.errors import ImportFailed, NotFound
from kpidesk.importing.tickets_import import run
from kpidesk.importing.undo import list_imports, rejected_rows, undo_import
from tests.import_samples import dump, tickets, write_csv

HEAD = ["Number", "Opened", "Resolved", "Priority", "Assigned to"]


def test_undo_removes_created_and_restores_updated(store, tmp_path):
    first = run(store, write_csv(tmp_path / "a.csv", HEAD, [["I1", "2026-01-05 08:00", "", "P2", "Ann"],
                                                            ["I2", "2026-01-05 09:00", "", "P3", "Ann"]]))
    after_first = dump(store)
    second = run(store, write_csv(tmp_path / "b.csv", HEAD, [["I1", "2026-01-05 08:00", "2026-01-05 12:00", "P1", "Ann"],
                                                             ["I3", "2026-01-06 08:00", "", "P4", "Ann"],
                                                             ["I2", "2026-01-05 09:00", "", "P3", "Ann"],
                                                             ["I4", "bad", "", "P4", "Ann"]]))
    assert (second.created, second.updated, second.unchanged, second.rejected) == (1, 1, 1, 1)
    changes = undo_import(store, second.batch_id)
    assert changes.tickets and changes.imports
    now = dump(store)
    assert now["ticket"] == after_first["ticket"]  # I3 gone, I1 back to P2 unresolved, same batch id
    assert tickets(store, "priority_tier", "resolved_at") == {"I1": (2, None), "I2": (3, None)}
    records = list_imports(store)
    assert [(r.id, r.undone) for r in records] == [(second.batch_id, True), (first.batch_id, False)]
    assert (records[0].created, records[0].updated, records[0].unchanged, records[0].rejected) == (1, 1, 1, 1)
    assert isinstance(records[0].started_at, dt.datetime)
    assert rejected_rows(store, second.batch_id)[0]["value"] == "bad"
    with pytest.raises(ImportFailed, match="already undone"):
        undo_import(store, second.batch_id)


def test_undo_refused_while_a_later_import_touched_the_same_tickets(store, tmp_path):
    first = run(store, write_csv(tmp_path / "a.csv", HEAD, [["I1", "2026-01-05 08:00", "", "P2", "Ann"]]))
    second = run(store, write_csv(tmp_path / "b.csv", HEAD, [["I1", "2026-01-05 08:00", "", "P1", "Ann"]]))
    with pytest.raises(ImportFailed, match=rf"later import\(s\) #{second.batch_id} \(b\.csv\).*Undo those first"):
        undo_import(store, first.batch_id)
    undo_import(store, second.batch_id)
    undo_import(store, first.batch_id)  # now allowed: the later one is undone
    assert tickets(store) == {}
    with pytest.raises(NotFound):
        undo_import(store, 999)
