"""Shared view set-up: every list screen shows read-only records one row at a time, the same way."""
from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

ROW_HEIGHT = 26


def record_table(model: QAbstractItemModel, *, sortable: bool = True, parent: QWidget | None = None) -> QTableView:
    """A read-only table of records: whole-row single selection, alternating rows, no row numbers,
    no wrapping (long text is elided and shown in full in the tooltip). Callers set column sizes."""
    view = QTableView(parent, sortingEnabled=sortable, alternatingRowColors=True, wordWrap=False)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
    return view
