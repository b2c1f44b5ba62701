"""The KPI catalogue as a Qt table: KpiTableModel (records from Store.list_kpis) and a filter proxy.

The catalogue is small (tens of rows), so the model holds the records and a QSortFilterProxyModel
sorts and filters in memory. Views always map proxy rows back with `mapToSource()`.
"""
from __future__ import annotations

from enum import IntEnum
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from kpidesk.records import KpiRecord
from kpidesk.ui_queries import DIRECTION_LABELS, health_counts
from ui.resources import icon

Index = QModelIndex | QPersistentModelIndex

ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the KPI id (int)
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2  # the KpiRecord
SORT_ROLE = Qt.ItemDataRole.UserRole + 3  # a sortable value (numbers as numbers, None last)


class Columns(IntEnum):
    NAME = 0
    KIND = 1
    CATEGORY = 2
    UNIT = 3
    DIRECTION = 4
    TARGET = 5
    BASELINE = 6
    TRIGGER = 7
    CADENCE = 8
    OWNER = 9
    HEALTH = 10


HEADERS = {
    Columns.NAME: "Name", Columns.KIND: "Kind", Columns.CATEGORY: "Category", Columns.UNIT: "Unit",
    Columns.DIRECTION: "Direction", Columns.TARGET: "Target", Columns.BASELINE: "Baseline",
    Columns.TRIGGER: "Trigger", Columns.CADENCE: "Cadence", Columns.OWNER: "Owner", Columns.HEALTH: "Health",
}
NUMERIC = {Columns.TARGET, Columns.BASELINE, Columns.HEALTH}


def fmt_number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"


UNIT_SUFFIX = {"%": " %", "±%": " %", "percent": " %", "hours": " h", "h": " h", "days": " d"}


def target_text(k: KpiRecord) -> str:
    """The target with a short unit ("95 %", "4 h", "-5 to 5 %"); other units are in the Unit column."""
    suffix = UNIT_SUFFIX.get(k.unit.strip().lower(), "")
    if k.direction == "band":
        return f"{fmt_number(k.band_low)} to {fmt_number(k.band_high)}{suffix}" if k.has_target else ""
    return f"{fmt_number(k.target_value)}{suffix}" if k.target_value is not None else ""


def trigger_text(k: KpiRecord) -> str:
    if not k.has_trigger:
        return ""
    v = fmt_number(k.trigger_value)
    return {"relative": f"{v} % worse", "floor": f"< {v}", "ceiling": f"> {v}"}.get(k.trigger_kind or "", v)


class KpiTableModel(QAbstractTableModel):
    """Rows are KpiRecords. Read-only: edits go through the form and the undo stack."""

    FREE_TEXT = frozenset({Columns.NAME, Columns.OWNER})  # may elide; whole text in the tool tip

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[KpiRecord] = []
        self._health: dict[int, int] = {}

    # Loading ------------------------------------------------------------------------------------
    def set_records(self, records: list[KpiRecord]) -> None:
        self.beginResetModel()
        self._rows = list(records)
        self._health = health_counts(self._rows)
        self.endResetModel()

    def records(self) -> list[KpiRecord]:
        return list(self._rows)

    def record(self, row: int) -> KpiRecord:
        return self._rows[row]

    def row_of(self, kpi_id: int) -> int:
        return next((i for i, k in enumerate(self._rows) if k.id == kpi_id), -1)

    # Qt overrides -------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[Columns(section)]
            if role == Qt.ItemDataRole.ToolTipRole and section == Columns.HEALTH:
                return "Number of health-check warnings (SMART gaps, owner, baseline, trigger)"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        k = self._rows[index.row()]
        col = Columns(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(k, col)
        if role == SORT_ROLE:
            if col == Columns.TARGET:
                return k.target_value if k.direction != "band" else k.band_low
            if col == Columns.BASELINE:
                return k.baseline_value
            if col == Columns.HEALTH:
                return self._health.get(k.id or -1, 0)
            return self._display(k, col).casefold()
        if role == ID_ROLE:
            return k.id
        if role == RECORD_ROLE:
            return k
        if role == Qt.ItemDataRole.TextAlignmentRole and col in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and col == Columns.HEALTH:
            return icon("warning" if self._health.get(k.id or -1, 0) else "ok")
        if role == Qt.ItemDataRole.ForegroundRole and col == Columns.KIND and not k.is_kpi:
            return QBrush(QColor("#829ab1"))
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == Columns.KIND and not k.is_kpi:
                return "A plain metric: give it an owner, a target and a trigger to make it a KPI."
            if col == Columns.NAME:
                return f"{k.name}: {k.description}" if k.description else k.name
            if col == Columns.OWNER:
                return k.owner
        return None

    def _display(self, k: KpiRecord, col: Columns) -> str:
        if col == Columns.NAME:
            return k.name
        if col == Columns.KIND:
            return k.kind_label
        if col == Columns.CATEGORY:
            return k.category
        if col == Columns.UNIT:
            return k.unit
        if col == Columns.DIRECTION:
            return DIRECTION_LABELS.get(k.direction, k.direction)
        if col == Columns.TARGET:
            return target_text(k)
        if col == Columns.BASELINE:
            return fmt_number(k.baseline_value)
        if col == Columns.TRIGGER:
            return trigger_text(k)
        if col == Columns.CADENCE:
            return k.cadence or ""
        if col == Columns.OWNER:
            return k.owner
        if col == Columns.HEALTH:
            n = self._health.get(k.id or -1, 0)
            return str(n) if n else "OK"
        return ""


class KpiFilterProxy(QSortFilterProxyModel):
    """Text filter over name, owner, description and unit, plus an exact category filter."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._category = ""
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_text(self, text: str) -> None:
        self._change_filter(lambda: setattr(self, "_text", text.strip().casefold()))

    def set_category(self, category: str) -> None:
        self._change_filter(lambda: setattr(self, "_category", category))

    def _change_filter(self, change: Callable[[], None]) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, KpiTableModel) or source_row >= model.rowCount():
            return True
        k = model.record(source_row)
        if self._category and k.category != self._category:
            return False
        if self._text:
            hay = " ".join((k.name, k.owner, k.description, k.unit, k.metric)).casefold()
            return self._text in hay
        return True

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:  # empty values sort last in ascending order
            return a is not None and b is None
        return a < b
