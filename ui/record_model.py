"""A small read-only table model over a list of records (dataclasses or dicts): the one column-spec
model behind every short list (people, teams, roles, imports, rejected rows, check-ins, notes,
reviews). Subclasses declare `Columns` (an IntEnum), `HEADERS`, `display(record, column)` and, for
numbers, `RIGHT_ALIGNED` columns."""
from __future__ import annotations

from enum import IntEnum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex

ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the record's id
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2  # the record itself


class RecordTableModel(QAbstractTableModel, Generic[R]):
    Columns: type[IntEnum]
    HEADERS: dict[Any, str]
    RIGHT_ALIGNED: frozenset[int] = frozenset()
    # Columns of free text (names, file names, notes): the only ones a view may elide, the whole
    # text being in the cell's tool tip (tests/ui/fit.py holds every other column to fit).
    FREE_TEXT: frozenset[int] = frozenset()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []

    def set_records(self, records: list[R]) -> None:
        self.beginResetModel()
        self._rows = list(records)
        self.endResetModel()

    def records(self) -> list[R]:
        return list(self._rows)

    def record(self, row: int) -> R:
        return self._rows[row]

    def row_of(self, record_id: int | None) -> int:
        return next((i for i, r in enumerate(self._rows) if getattr(r, "id", None) == record_id), -1)

    def display(self, record: R, column: int) -> Any:
        raise NotImplementedError

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.Columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.Columns)):
            return self.HEADERS[self.Columns(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        rec = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self.display(rec, index.column())
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return getattr(rec, "id", None)
        if role == RECORD_ROLE:
            return rec
        return None
