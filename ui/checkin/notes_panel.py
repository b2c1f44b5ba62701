"""The performance log panel: one technician's dated notes (praise, concern, training, note), each
optionally tied to a KPI and a ticket number, with add, edit and delete."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk import actions
from kpidesk import appraisal as ap
from kpidesk.errors import KpiDeskError
from kpidesk.store import Store
from ui.checkin.models import NotesModel
from ui.errors import show_error
from ui.fields import ChoiceCombo
from ui.record_model import RECORD_ROLE
from ui.resources import icon
from ui.views import record_table


class NoteDialog(QDialog):
    def __init__(self, store: Store, note: ap.NoteRecord, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Performance note")
        self.note = note
        self.date = QDateEdit(QDate(note.noted_on.year, note.noted_on.month, note.noted_on.day), calendarPopup=True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.kind = ChoiceCombo()
        self.kind.set_choices([(k, k) for k in ap.NOTE_KINDS])
        self.kind.set_value(note.kind)
        self.text = QPlainTextEdit(note.text)
        self.text.setPlaceholderText("What happened, with the evidence")
        self.kpi = ChoiceCombo()
        self.kpi.set_choices([("(none)", None)] + [(k.name, k.id) for k in store.list_kpis()])
        self.kpi.set_value(note.kpi_id)
        self.ticket = QLineEdit(note.ticket_ref, placeholderText="e.g. INC0012345")
        form = QFormLayout()
        for label, w in (("Date", self.date), ("Kind", self.kind), ("Note", self.text), ("KPI", self.kpi),
                         ("Ticket", self.ticket)):
            form.addRow(label, w)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.resize(440, 320)

    def record(self) -> ap.NoteRecord:
        d = self.date.date()
        return ap.NoteRecord(technician_id=self.note.technician_id, noted_on=dt.date(d.year(), d.month(), d.day()),
                             text=self.text.toPlainText(), kind=str(self.kind.value()), kpi_id=self.kpi.value(),  # type: ignore[arg-type]
                             ticket_ref=self.ticket.text(), id=self.note.id)


class NotesPanel(QWidget):
    changes_made = Signal(object)

    def __init__(self, store: Store, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.store = store
        self.technician_id: Optional[int] = None
        self.model = NotesModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = record_table(self.proxy)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NotesModel.Columns.TEXT, QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton(icon("add"), "Add note")
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton(icon("delete"), "Delete")
        bar = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button):
            bar.addWidget(b)
        bar.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addWidget(self.table)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.table.doubleClicked.connect(lambda _i: self._on_edit_clicked())
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.set_technician(None)

    def set_technician(self, technician_id: Optional[int]) -> None:
        self.technician_id = technician_id
        self.reload()

    def reload(self) -> None:
        notes = ap.list_notes(self.store, self.technician_id) if self.technician_id else []
        self.model.set_records(notes)
        self.proxy.sort(NotesModel.Columns.DATE, Qt.SortOrder.DescendingOrder)
        for b in (self.add_button, self.edit_button, self.delete_button):
            b.setEnabled(self.technician_id is not None)

    def selected(self) -> Optional[ap.NoteRecord]:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(RECORD_ROLE) if rows else None

    def _edit(self, note: ap.NoteRecord) -> None:
        dlg = NoteDialog(self.store, note, self)
        while dlg.exec() == QDialog.DialogCode.Accepted:
            try:
                rec = dlg.record()
                changes = actions.save_note(self.store, rec).changes
            except KpiDeskError as exc:
                show_error(dlg, exc)
                continue
            self.reload()
            self.changes_made.emit(changes)
            return

    def _on_add_clicked(self) -> None:
        if self.technician_id is not None:
            self._edit(ap.NoteRecord(self.technician_id, dt.date.today(), ""))

    def _on_edit_clicked(self) -> None:
        note = self.selected()
        if note is not None:
            self._edit(note)

    def _on_delete_clicked(self) -> None:
        note = self.selected()
        if note is not None and note.id is not None:
            self.changes_made.emit(actions.delete_note(self.store, note.id).changes)
            self.reload()
