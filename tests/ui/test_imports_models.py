"""The Imports screen's models pass qtmodeltester (HOUSE-STYLE 21), filled and empty."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from kpidesk.importing.report import RejectedRow
from kpidesk.importing.undo import ImportRecord
from ui.imports.flow import RateProgress
from ui.imports.models import (
    CHOICE_ROLE,
    ImportHistoryModel,
    NameChoicesModel,
    PreviewModel,
    RejectedRowsModel,
)


def record(i: int, undone: bool = False) -> ImportRecord:
    t = dt.datetime(2026, 3, i, 9, 0)
    return ImportRecord(i, "tickets", f"export-{i}.xlsx", "Page 1", "servicenow", "servicenow", 1000, "ab",
                        10 * i, i, 0, i % 2, t, t, t if undone else None)


def test_history_model(qtmodeltester):
    model = ImportHistoryModel()
    qtmodeltester.check(model)
    model.set_records([record(3), record(2, undone=True), record(1)])
    qtmodeltester.check(model)
    assert model.index(0, 1).data() == "export-3.xlsx"
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == "export-3.xlsx, sheet Page 1 (1,000 bytes)"
    assert model.index(0, 2).data() == "ServiceNow" and model.index(0, 3).data() == "30"
    assert model.index(1, 7).data() == "Undone" and model.index(1, 7).data(Qt.ItemDataRole.ToolTipRole).startswith("Undone 2026")
    assert model.index(1, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is None


def test_preview_model(qtmodeltester):
    model = PreviewModel()
    qtmodeltester.check(model)
    model.set_table(["Number", "Opened", "Note"], [["INC1", dt.datetime(2026, 3, 2, 9, 0), None], ["INC2"]])
    model.set_mapping({"external_id": "Number", "created_at": "opened"})  # headers match case-insensitively
    qtmodeltester.check(model)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Opened\n→ Created"
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Note\n(not imported)"
    assert model.index(0, 1).data() == "2026-03-02 09:00:00" and model.index(1, 2).data() == ""


def test_rejected_rows_model(qtmodeltester):
    model = RejectedRowsModel()
    qtmodeltester.check(model)
    model.set_rows([RejectedRow("a.xlsx", "Page 1", 4, "Opened", "x", "not a date"),
                    RejectedRow("a.xlsx", "Page 1", 9, "Number", "", "the ticket has no id")])
    qtmodeltester.check(model)
    model.set_rows([{"file": "a.xlsx", "sheet": "", "row": 2, "column": "Opened", "value": "x", "reason": "r"}])
    qtmodeltester.check(model)
    assert [model.index(0, c).data() for c in range(5)] == ["2", "", "Opened", "x", "r"]


def test_name_choices_model(qtmodeltester):
    model = NameChoicesModel(["J. Doe", "Robot"], [(7, "Jane Doe")])
    qtmodeltester.check(model)
    assert model.alias_overrides() == {}  # every name is new by default
    assert model.setData(model.index(0, 1), 2, Qt.ItemDataRole.EditRole)
    assert not model.setData(model.index(0, 0), 1, Qt.ItemDataRole.EditRole)
    assert not model.setData(model.index(0, 1), 99, Qt.ItemDataRole.EditRole)
    model.set_choice(1, model.choices[1])
    qtmodeltester.check(model)
    assert model.index(0, 1).data() == "Same person as Jane Doe"
    assert model.index(0, 1).data(CHOICE_ROLE).technician_id == 7
    assert model.alias_overrides() == {"J. Doe": 7, "Robot": None}
    model.set_all("new")
    assert model.alias_overrides() == {}


class _Sink:
    def __init__(self) -> None:
        self.statuses: list[str] = []
        self.progress: list[tuple[int, int]] = []

    def set_status(self, text: str) -> None:
        self.statuses.append(text)

    def set_progress(self, done: int, total: int) -> None:
        self.progress.append((done, total))

    def cancelled(self) -> bool:
        return False


def test_rate_progress_adds_rows_per_second():
    clock = iter([0.0, 10.0, 12.0])
    sink = _Sink()
    rate = RateProgress(sink, "Checking: ", clock=lambda: next(clock))
    rate.set_status("Reading a.csv…")
    rate.set_progress(4000, 10000)
    assert sink.progress == [(4000, 10000)]
    assert sink.statuses == ["Checking: Reading a.csv…", "Checking: Reading a.csv…\n4,000 of 10,000 rows · 2,000 rows/s"]
