"""The table of backups in the restore dialog: one row per backup file, newest first.

Rows are `BackupInfo`s from kpidesk.backups.list_backups; each row's soundness arrives later
(`set_preview`), when the background check of that file has finished. GUI thread only.
"""
from __future__ import annotations

from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from kpidesk.backups import BackupInfo, BackupPreview


class Column(IntEnum):
    TAKEN_AT = 0
    REASON = 1
    SIZE = 2
    STATUS = 3


HEADERS: dict[Column, str] = {
    Column.TAKEN_AT: "Taken at",
    Column.REASON: "Why",
    Column.SIZE: "Size",
    Column.STATUS: "State",
}
BACKUP_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's BackupInfo
PREVIEW_ROLE = Qt.ItemDataRole.UserRole + 2  # its BackupPreview, or None while being checked

DAMAGED_COLOUR = QColor("#c0392b")
CHECKING, SOUND, DAMAGED = "checking…", "sound", "DAMAGED"

Index = QModelIndex | QPersistentModelIndex


def reason_text(reason: str) -> str:
    """A backup's reason (from its file name) in words."""
    if reason.startswith("before-migration"):
        return "Before an upgrade"
    return {"daily": "Daily, automatic", "manual": "Made by hand", "before-restore": "Before a restore",
            }.get(reason, reason.replace("-", " ").capitalize())


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def status_text(preview: BackupPreview | None) -> str:
    if preview is None:
        return CHECKING
    return SOUND if preview.ok else DAMAGED


class BackupTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[BackupInfo] = []
        self._previews: dict[Path, BackupPreview] = {}

    # Loading ------------------------------------------------------------------------------------
    def set_backups(self, rows: list[BackupInfo]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._previews = {p: v for p, v in self._previews.items() if any(r.path == p for r in rows)}
        self.endResetModel()

    def set_preview(self, preview: BackupPreview) -> None:
        """Record what the check of one backup found (ignored if that backup is no longer listed)."""
        row = self.row_of(preview.path)
        if row is None:
            return
        self._previews[preview.path] = preview
        idx = self.index(row, Column.STATUS)
        self.dataChanged.emit(idx, idx)

    def row_of(self, path: Path) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.path == path), None)

    def backup(self, row: int) -> BackupInfo:
        return self._rows[row]

    def preview(self, row: int) -> BackupPreview | None:
        return self._previews.get(self._rows[row].path)

    # Qt model API -------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(Column):
                return HEADERS[Column(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        info = self._rows[index.row()]
        preview = self._previews.get(info.path)
        col = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if col == Column.TAKEN_AT:
                return info.taken_at.strftime("%Y-%m-%d %H:%M")
            if col == Column.REASON:
                return reason_text(info.reason)
            if col == Column.SIZE:
                return size_text(info.size)
            return status_text(preview)
        if role == Qt.ItemDataRole.ForegroundRole and col == Column.STATUS and preview is not None:
            return DAMAGED_COLOUR if not preview.ok else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == Column.STATUS and preview is not None and not preview.ok:
                return f"This backup cannot be restored: {preview.problem}"
            return str(info.path)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == Column.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == BACKUP_ROLE:
            return info
        if role == PREVIEW_ROLE:
            return preview
        return None
