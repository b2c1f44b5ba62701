"""Table models of the People screen: technicians, teams, role profiles and a role's KPIs."""
from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from kpidesk.records import RoleKpiRecord, RoleProfileRecord, TeamRecord, TechnicianRecord
from ui.kpi_table_model import fmt_number
from ui.record_model import RecordTableModel

Index = QModelIndex | QPersistentModelIndex


class TechnicianTableModel(RecordTableModel[TechnicianRecord]):
    class Columns(IntEnum):
        NAME = 0
        TEAM = 1
        ROLE = 2
        ALIASES = 3
        ACTIVE_FROM = 4
        ACTIVE_TO = 5
        ESCALATION = 6

    HEADERS = {Columns.NAME: "Name", Columns.TEAM: "Team", Columns.ROLE: "Role profile",
               Columns.ALIASES: "Aliases in exports", Columns.ACTIVE_FROM: "Active from",
               Columns.ACTIVE_TO: "Active to", Columns.ESCALATION: "Escalation destination"}
    FREE_TEXT = frozenset({Columns.NAME, Columns.TEAM, Columns.ROLE, Columns.ALIASES})

    def display(self, t: TechnicianRecord, column: int) -> Any:
        c = self.Columns
        return {c.NAME: t.display_name, c.TEAM: t.team_name, c.ROLE: t.role_profile_name,
                c.ALIASES: ", ".join(t.aliases), c.ACTIVE_FROM: t.active_from or "",
                c.ACTIVE_TO: t.active_to or "", c.ESCALATION: "Yes" if t.escalation_destination else ""}[column]


class TeamTableModel(RecordTableModel[TeamRecord]):
    class Columns(IntEnum):
        NAME = 0
        MEMBERS = 1
        DESCRIPTION = 2

    HEADERS = {Columns.NAME: "Team", Columns.MEMBERS: "Members", Columns.DESCRIPTION: "Description"}
    FREE_TEXT = frozenset({Columns.NAME, Columns.DESCRIPTION})

    def display(self, t: TeamRecord, column: int) -> Any:
        c = self.Columns
        return {c.NAME: t.name, c.MEMBERS: t.member_count, c.DESCRIPTION: t.description}[column]


class RoleTableModel(RecordTableModel[RoleProfileRecord]):
    class Columns(IntEnum):
        NAME = 0
        KPIS = 1
        DESCRIPTION = 2

    HEADERS = {Columns.NAME: "Role profile", Columns.KPIS: "KPIs", Columns.DESCRIPTION: "Description"}
    FREE_TEXT = frozenset({Columns.NAME, Columns.DESCRIPTION})

    def display(self, r: RoleProfileRecord, column: int) -> Any:
        c = self.Columns
        primary = sum(1 for k in r.kpis if k.primary)
        return {c.NAME: r.name, c.KPIS: f"{primary} primary, {len(r.kpis) - primary} secondary",
                c.DESCRIPTION: r.description}[column]


class RoleKpiTableModel(RecordTableModel[RoleKpiRecord]):
    """A role's KPIs with weight and role target. Editable when `editable` (the role dialog):
    primary is a check box, weight and role target are numbers."""

    class Columns(IntEnum):
        KPI = 0
        PRIMARY = 1
        WEIGHT = 2
        TARGET = 3

    HEADERS = {Columns.KPI: "KPI", Columns.PRIMARY: "Primary", Columns.WEIGHT: "Weight",
               Columns.TARGET: "Role target"}
    FREE_TEXT = frozenset({Columns.KPI})

    def __init__(self, parent: Any = None, editable: bool = False) -> None:
        super().__init__(parent)
        self.editable = editable

    def display(self, k: RoleKpiRecord, column: int) -> Any:
        c = self.Columns
        return {c.KPI: k.kpi_name, c.PRIMARY: "" if self.editable else ("primary" if k.primary else "secondary"),
                c.WEIGHT: fmt_number(k.weight), c.TARGET: fmt_number(k.target_value)}[column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (self.editable and role == Qt.ItemDataRole.CheckStateRole and index.isValid()
                and index.column() == self.Columns.PRIMARY and 0 <= index.row() < len(self._rows)):
            return Qt.CheckState.Checked if self._rows[index.row()].primary else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.EditRole and index.isValid() and 0 <= index.row() < len(self._rows):
            k = self._rows[index.row()]
            return {self.Columns.WEIGHT: k.weight, self.Columns.TARGET: k.target_value}.get(
                self.Columns(index.column()))
        return super().data(index, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if not self.editable or not index.isValid():
            return base
        if index.column() == self.Columns.PRIMARY:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if index.column() in (self.Columns.WEIGHT, self.Columns.TARGET):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not self.editable or not index.isValid() or not 0 <= index.row() < len(self._rows):
            return False
        k = self._rows[index.row()]
        col = self.Columns(index.column())
        if col == self.Columns.PRIMARY and role == Qt.ItemDataRole.CheckStateRole:
            k.primary = Qt.CheckState(value) == Qt.CheckState.Checked
        elif col in (self.Columns.WEIGHT, self.Columns.TARGET) and role == Qt.ItemDataRole.EditRole:
            text = str(value).strip().replace(",", ".") if value is not None else ""
            try:
                number = float(text) if text else None
            except ValueError:
                return False
            if col == self.Columns.WEIGHT:
                if number is None:
                    return False
                k.weight = number
            else:
                k.target_value = number
        else:
            return False
        self.dataChanged.emit(index, index, [role, Qt.ItemDataRole.DisplayRole])
        return True

    def append(self, record: RoleKpiRecord) -> None:
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append(record)
        self.endInsertRows()

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
