"""Table models of the Imports screen and its dialogs (issue 3).

- `ImportHistoryModel`: the ImportBatch list (records from kpidesk.importing.undo.list_imports).
- `PreviewModel`: the first rows of a file, each column headed by the ticket field it feeds.
- `RejectedRowsModel`: rejected rows (RejectedRow or the dicts stored with a batch).
- `NameChoicesModel`: the new technician names and what to do with each (editable column).

Models hold plain records only (no Store, no Session) and are filled on the GUI thread.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from kpidesk.importing.presets import FIELD_LABELS, PRESETS, norm_header
from kpidesk.importing.report import RejectedRow, display_value
from kpidesk.importing.undo import ImportRecord
from ui.record_model import RecordTableModel

Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
MUTED = QColor("#9fb3c8")
MAPPED_BG = QColor("#eef4fc")

CHOICE_ROLE = Qt.ItemDataRole.UserRole + 10  # NameChoicesModel: the Choice of a row


def local_time(value: dt.datetime | None) -> str:
    """A naive UTC time from the database as local 'YYYY-MM-DD HH:MM'."""
    if value is None:
        return ""
    return value.replace(tzinfo=dt.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")


# History ----------------------------------------------------------------------------------------
def preset_label(name: str) -> str:
    """A preset's name as people know the tool ('servicenow' -> 'ServiceNow')."""
    if name == "generic":
        return "Generic (guess from column names)"
    return PRESETS[name].label if name in PRESETS else name


class HistoryColumn(IntEnum):
    WHEN = 0
    FILE = 1
    SOURCE = 2
    CREATED = 3
    UPDATED = 4
    UNCHANGED = 5
    REJECTED = 6
    STATUS = 7


class ImportHistoryModel(RecordTableModel[ImportRecord]):
    """Every import, newest first; undone imports are greyed and say when they were undone."""

    Columns = HistoryColumn
    HEADERS = {
        HistoryColumn.WHEN: "Imported", HistoryColumn.FILE: "File", HistoryColumn.SOURCE: "Source", HistoryColumn.CREATED: "Created", HistoryColumn.UPDATED: "Updated",
        HistoryColumn.UNCHANGED: "Unchanged", HistoryColumn.REJECTED: "Rejected", HistoryColumn.STATUS: "Status",
    }
    FREE_TEXT = frozenset({HistoryColumn.FILE})
    NUMBERS = (HistoryColumn.CREATED, HistoryColumn.UPDATED, HistoryColumn.UNCHANGED, HistoryColumn.REJECTED)

    def display(self, record: ImportRecord, column: int) -> Any:
        col = HistoryColumn(column)
        if col == HistoryColumn.WHEN:
            return local_time(record.started_at)
        if col == HistoryColumn.FILE:
            return record.file_name
        if col == HistoryColumn.SOURCE:
            if record.kind != "tickets":
                return "KPI values"
            return "Generic" if record.preset == "generic" else preset_label(record.preset)
        if col in self.NUMBERS:
            return f"{getattr(record, col.name.lower()):,}"
        return "Undone" if record.undone else "Imported"

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.NUMBERS:
            return RIGHT
        rec = self.record(index.row())
        if role == Qt.ItemDataRole.ForegroundRole and rec.undone:
            return QBrush(MUTED)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == HistoryColumn.STATUS and rec.undone:
            return f"Undone {local_time(rec.undone_at)}"
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == HistoryColumn.FILE:
            return rec.file_name + (f", sheet {rec.sheet}" if rec.sheet else "") + f" ({rec.file_size:,} bytes)"
        return super().data(index, role)


# Preview ----------------------------------------------------------------------------------------
class PreviewModel(QAbstractTableModel):
    """The file's first rows, read-only. The header of a mapped column names its ticket field."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._rows: list[list[Any]] = []
        self._fields: dict[str, str] = {}  # normalised header -> field label

    def set_table(self, headers: list[str], rows: list[list[Any]]) -> None:
        self.beginResetModel()
        self._headers, self._rows = list(headers), [list(r) for r in rows]
        self.endResetModel()

    def set_mapping(self, mapping: dict[str, str]) -> None:
        self._fields = {norm_header(h): FIELD_LABELS.get(f, f) for f, h in mapping.items() if h}
        if self._headers:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._headers) - 1)
        if self._headers and self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self._headers) - 1))

    def field_of(self, column: int) -> str:
        return self._fields.get(norm_header(self._headers[column]), "") if 0 <= column < len(self._headers) else ""

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == DISPLAY and 0 <= section < len(self._rows) else None
        if not 0 <= section < len(self._headers):
            return None
        field = self.field_of(section)
        if role == DISPLAY:
            return f"{self._headers[section]}\n→ {field}" if field else f"{self._headers[section]}\n(not imported)"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Column '{self._headers[section]}' " + (f"is imported as {field}." if field else "is not imported.")
        if role == Qt.ItemDataRole.FontRole and field:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (DISPLAY, Qt.ItemDataRole.ToolTipRole):
            return display_value(row[index.column()]) if index.column() < len(row) else ""
        mapped = bool(self.field_of(index.column()))
        if role == Qt.ItemDataRole.BackgroundRole and mapped:
            return QBrush(MAPPED_BG)
        if role == Qt.ItemDataRole.ForegroundRole and not mapped:
            return QBrush(MUTED)
        return None


# Rejected rows ----------------------------------------------------------------------------------
class RejectedColumn(IntEnum):
    ROW = 0
    SHEET = 1
    COLUMN = 2
    VALUE = 3
    REASON = 4


REJECTED_HEADERS = {RejectedColumn.ROW: "Row", RejectedColumn.SHEET: "Sheet", RejectedColumn.COLUMN: "Column",
                    RejectedColumn.VALUE: "Value", RejectedColumn.REASON: "Reason"}


class RejectedRowsModel(RecordTableModel[dict[str, Any]]):
    """Rows an import could not read: where (sheet, row, column), the value, and why."""

    Columns = RejectedColumn
    HEADERS = REJECTED_HEADERS
    RIGHT_ALIGNED = frozenset({RejectedColumn.ROW})
    FREE_TEXT = frozenset({RejectedColumn.SHEET, RejectedColumn.COLUMN, RejectedColumn.VALUE})

    def set_rows(self, rows: list[RejectedRow] | list[dict[str, Any]]) -> None:
        self.set_records([dict(r) if isinstance(r, dict) else dict(vars(r)) for r in rows])

    def rows(self) -> list[dict[str, Any]]:
        return self.records()

    def display(self, record: dict[str, Any], column: int) -> Any:
        return record.get(RejectedColumn(column).name.lower())


# New technician names ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    """What to do with a new name: action 'new' | 'ignore' | 'merge' (into technician_id)."""
    action: str
    technician_id: int | None = None
    label: str = ""


class NameColumn(IntEnum):
    NAME = 0
    ACTION = 1


NAME_HEADERS = {NameColumn.NAME: "Name in the file", NameColumn.ACTION: "What to do"}


class NameChoicesModel(QAbstractTableModel):
    """One row per new name; the ACTION column is editable (EditRole: index into `choices`)."""

    def __init__(self, names: list[str], technicians: list[tuple[int, str]], parent: Any = None) -> None:
        super().__init__(parent)
        self.choices: list[Choice] = [Choice("new", None, "Add as a new technician"),
                                      Choice("ignore", None, "Ignore (tickets stay unassigned)")]
        self.choices += [Choice("merge", tid, f"Same person as {name}") for tid, name in technicians]
        self._names = list(names)
        self._picked = [0] * len(self._names)

    def names(self) -> list[str]:
        return list(self._names)

    def choice(self, row: int) -> Choice:
        return self.choices[self._picked[row]]

    def set_choice(self, row: int, choice: Choice) -> None:
        self.setData(self.index(row, NameColumn.ACTION), self.choices.index(choice), Qt.ItemDataRole.EditRole)

    def set_all(self, action: str) -> None:
        choice = next(c for c in self.choices if c.action == action)
        for row in range(len(self._names)):
            self.set_choice(row, choice)

    def alias_overrides(self) -> dict[str, int | None]:
        """The answers as tickets_import.run takes them: merged names -> id, ignored -> None
        (names left out are created as new technicians)."""
        out: dict[str, int | None] = {}
        for name, picked in zip(self._names, self._picked):
            c = self.choices[picked]
            if c.action != "new":
                out[name] = c.technician_id
        return out

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._names)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(NameColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY and 0 <= section < len(NameColumn):
            return NAME_HEADERS[NameColumn(section)]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == NameColumn.ACTION:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._names):
            return None
        picked = self._picked[index.row()]
        if index.column() == NameColumn.NAME:
            return self._names[index.row()] if role in (DISPLAY, Qt.ItemDataRole.ToolTipRole) else None
        if role in (DISPLAY, Qt.ItemDataRole.ToolTipRole):
            return self.choices[picked].label
        if role == Qt.ItemDataRole.EditRole:
            return picked
        if role == CHOICE_ROLE:
            return self.choices[picked]
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (not index.isValid() or index.column() != NameColumn.ACTION or role != Qt.ItemDataRole.EditRole
                or not isinstance(value, int) or not 0 <= value < len(self.choices)):
            return False
        self._picked[index.row()] = value
        self.dataChanged.emit(index, index, [DISPLAY, Qt.ItemDataRole.EditRole])
        return True
