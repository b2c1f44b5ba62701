"""The review cycle on the Check-ins screen (issue 17): everyone of a cycle's period and how far each
one has got, with the cycle's actions on the selection.

    view = CycleView(store, today)
    view.open_requested.connect(screen.open_checkin)   # a check-in id, started or resumed here

What a member's state is, who is overdue and the summary line are the core's
(kpidesk.appraisal.cycles); this only shows them. Reads are three short queries on the GUI thread
(~10 ms); writing forms runs on an Op (ui.ops) with its progress dialog; a refused returned form is
shown with the core's message as is (ui.errors.show_error).
"""
from __future__ import annotations

import datetime as dt
from enum import IntEnum
from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk import actions
from kpidesk.actions.cycle import form_filename
from kpidesk.appraisal.cycles import STATES, CycleMember, CycleStatus, cycle_length, cycle_status
from kpidesk.errors import KpiDeskError
from kpidesk.periods import last_full_period, period_containing
from kpidesk.records import Changes
from kpidesk.store import Store
from ui.checkin.export_dialog import default_folder
from ui.errors import show_error
from ui.ops import Op
from ui.record_model import RECORD_ROLE, RecordTableModel
from ui.views import record_table

PERIOD_CHOICES = {"quarter": 6, "half": 4, "year": 3}  # full cycles offered before the last one
SORT_ROLE = Qt.ItemDataRole.UserRole + 20
OVERDUE_RED = QColor("#b42318")
# State -> (text colour, chip background): grey not started, blue forms, amber draft, green done.
STATE_LOOK = {"not started": ("#52606d", "#eef2f6"), "self-assessment sent": ("#1f5f99", "#e6f0fb"),
              "self-assessment received": ("#1f5f99", "#d5e6fa"), "draft": ("#8a5a00", "#fff3d6"),
              "signed": ("#276749", "#e3f4e8"), "acknowledged": ("#276749", "#cdebd6")}
Index = QModelIndex | QPersistentModelIndex


def _day(value: Optional[dt.datetime]) -> str:
    return f"{value:%d %b %Y}" if value else ""


def self_text(m: CycleMember) -> str:
    if m.self_received_at:
        return f"received {_day(m.self_received_at)}"
    if m.self_sent_at:
        return f"sent {_day(m.self_sent_at)}"
    return "\u2013"


def state_text(m: CycleMember) -> str:
    return f"{m.state} \u00b7 OVERDUE" if m.overdue else m.state


class CycleMemberModel(RecordTableModel[CycleMember]):
    class Columns(IntEnum):
        TECHNICIAN = 0
        TEAM = 1
        STATE = 2
        SELF = 3
        SIGNED = 4
        RATING = 5

    HEADERS = {Columns.TECHNICIAN: "Technician", Columns.TEAM: "Team", Columns.STATE: "State",
               Columns.SELF: "Self-assessment", Columns.SIGNED: "Signed", Columns.RATING: "Rating"}
    RIGHT_ALIGNED = frozenset({Columns.RATING})
    FREE_TEXT = frozenset({Columns.TECHNICIAN, Columns.TEAM})

    def display(self, m: CycleMember, column: int) -> Any:
        c = self.Columns
        return {c.TECHNICIAN: m.technician, c.TEAM: m.team, c.STATE: state_text(m), c.SELF: self_text(m),
                c.SIGNED: _day(m.signed_at),
                c.RATING: "" if m.overall_rating is None else f"{m.overall_rating:.1f}"}[column]

    def sort_value(self, m: CycleMember, column: int) -> Any:
        c = self.Columns
        if column == c.STATE:  # by how far along, the overdue first within a state
            return STATES.index(m.state) * 2 + (0 if m.overdue else 1)
        if column == c.SELF:
            return (m.self_received_at or m.self_sent_at or dt.datetime.min).isoformat()
        if column == c.SIGNED:
            return m.signed_at.isoformat() if m.signed_at else ""
        if column == c.RATING:
            return -1.0 if m.overall_rating is None else m.overall_rating
        return str(self.display(m, column)).casefold()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        m, column = self.record(index.row()), index.column()
        if role == SORT_ROLE:
            return self.sort_value(m, column)
        if column == self.Columns.STATE:
            fg, bg = STATE_LOOK.get(m.state, ("#334e68", "#ffffff"))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(OVERDUE_RED if m.overdue else QColor(fg))
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor("#fdecea" if m.overdue else bg))
            if role == Qt.ItemDataRole.FontRole and m.overdue:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole and m.overdue:
                return f"{m.state}: overdue, the cycle's due date has passed and the check-in is not signed"
        return super().data(index, role)


class CycleView(QWidget):
    """Period chooser, summary, members table and the actions on the selection."""

    open_requested = Signal(int)  # a check-in id to open in the wizard
    changes_made = Signal(object)  # Changes
    loaded = Signal()

    def __init__(self, store: Store, today: dt.date, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.store, self.today = store, today
        self.status: Optional[CycleStatus] = None
        self.op: Optional[Op[Any]] = None
        self.dialog: Optional[QWidget] = None
        self.period = QComboBox(minimumContentsLength=14)
        self.period.setToolTip("The review cycle: its period, by the cycle length in the settings")
        self.summary = QLabel(objectName="sectionTitle", wordWrap=True)
        self.counts = QLabel(objectName="hint", wordWrap=True)
        self.note = QLabel(objectName="hint", wordWrap=True)
        self.model = CycleMemberModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = record_table(self.proxy)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setStretchLastSection(False)  # the rating stays beside the other columns
        self.open_button = QPushButton("Open check-in", objectName="primary")
        self.open_button.setToolTip("Start or resume the selected technician's check-in for this cycle")
        self.send_button = QPushButton("Send self-assessment form(s)…")
        self.send_button.setToolTip("Write a self-assessment form (.xlsx) for each selected technician; "
                                    "several go into a folder, one file each")
        self.import_button = QPushButton("Import returned form…")
        self.import_button.setToolTip("Read a filled-in self-assessment form back (checked: whose, which "
                                      "period, nothing changed outside the yellow cells)")
        self.calibration_button = QPushButton("Calibration…")
        self.calibration_button.setToolTip("Everyone's ratings side by side with the evidence, before they are final")

        top = QHBoxLayout()
        top.addWidget(QLabel("Cycle"))
        top.addWidget(self.period)
        top.addWidget(self.summary, 1)
        actions_row = QHBoxLayout()
        actions_row.addWidget(self.counts, 1)
        for b in (self.send_button, self.import_button, self.calibration_button, self.open_button):
            actions_row.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addLayout(actions_row)
        lay.addWidget(self.note)
        self._fill_periods()
        self.period.currentIndexChanged.connect(self._on_period_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.open_button.clicked.connect(self.open_selected)
        self.send_button.clicked.connect(lambda: self.send_forms())
        self.import_button.clicked.connect(lambda: self.import_form())
        self.calibration_button.clicked.connect(lambda: self.open_calibration())

    # Data ---------------------------------------------------------------------------------------
    def _fill_periods(self) -> None:
        length = cycle_length(self.store)
        self.period.blockSignals(True)
        self.period.clear()
        now = period_containing(self.today, length)
        self.period.addItem(f"{now.key} (in progress)", now.key)
        p = last_full_period(self.today, length)
        for _ in range(PERIOD_CHOICES.get(length, 4)):
            self.period.addItem(p.key, p.key)
            p = p.previous()
        self.period.setCurrentIndex(1)  # the last full cycle
        self.period.blockSignals(False)

    def set_period(self, period: str) -> None:
        i = self.period.findData(period)
        if i < 0:
            self.period.addItem(period, period)
            i = self.period.count() - 1
        if i == self.period.currentIndex():
            self.reload()
        else:
            self.period.setCurrentIndex(i)  # reloads through _on_period_changed

    @property
    def period_key(self) -> str:
        return str(self.period.currentData())

    def reload(self) -> None:
        selected = set(self.selected_ids())
        try:
            status = cycle_status(self.store, self.period_key, self.today)
        except KpiDeskError as exc:
            show_error(self, exc)
            return
        self.status = status
        self.model.set_records(status.members)
        if self.proxy.sortColumn() < 0:
            self.table.sortByColumn(CycleMemberModel.Columns.TEAM, Qt.SortOrder.AscendingOrder)
        self.summary.setText(status.summary())
        parts = [f"{n} {state}" for state, n in status.counts.items() if n]
        if status.overdue_members:
            parts.append(f"{len(status.overdue_members)} overdue")
        self.counts.setText(" \u00b7 ".join(parts) if parts else "Nobody is in this cycle.")
        self.select_ids(selected)
        self._on_table_selection_changed()
        self.loaded.emit()

    def selected_members(self) -> list[CycleMember]:
        rows = self.table.selectionModel().selectedRows()
        return [r.data(RECORD_ROLE) for r in sorted(rows, key=lambda i: i.row())]

    def selected_ids(self) -> list[int]:
        return [m.technician_id for m in self.selected_members()]

    def select_ids(self, technician_ids: set[int] | list[int]) -> None:
        sel = self.table.selectionModel()
        sel.clearSelection()
        wanted = set(technician_ids)
        for row in range(self.model.rowCount()):
            if self.model.record(row).technician_id in wanted:
                index = self.proxy.mapFromSource(self.model.index(row, 0))
                sel.select(index, sel.SelectionFlag.Select | sel.SelectionFlag.Rows)

    def on_changes(self, changes: Changes) -> None:
        if changes.settings:
            keep = self.period_key
            self._fill_periods()
            if self.period.findData(keep) >= 0:
                self.period.setCurrentIndex(self.period.findData(keep))
        if changes.checkins or changes.people or changes.settings:
            self.reload()

    # Actions ------------------------------------------------------------------------------------
    def open_selected(self) -> Optional[int]:
        members = self.selected_members()
        if not members:
            return None
        m = members[0]
        try:
            rec = actions.start_checkin(self.store, m.technician_id, self.period_key).result
        except KpiDeskError as exc:
            show_error(self, exc)
            return None
        self.changes_made.emit(Changes(checkins=True))
        self.open_requested.emit(rec.id)
        return rec.id

    def send_forms(self, path: Optional[str] = None) -> Optional[Op[Any]]:
        """A form for the one selected technician (asks for the file), or for several (asks for a
        folder); `path` skips the dialog. Runs on an Op; `self.op` is it."""
        members = self.selected_members() or (self.status.members if self.status else [])
        todo = [m for m in members if not m.signed]
        if not todo:
            self.note.setText("Nothing to send: the selected check-ins are signed already.")
            return None
        period, store = self.period_key, self.store
        if path is None:
            if len(todo) == 1:
                suggested = str(Path(default_folder()) / form_filename(todo[0].technician, period))
                path, _ = QFileDialog.getSaveFileName(self, f"Self-assessment form for {todo[0].technician}",
                                                      suggested, "Excel workbook (*.xlsx)")
            else:
                path = QFileDialog.getExistingDirectory(
                    self, f"A folder for {len(todo)} self-assessment forms", default_folder())
            if not path:
                return None
        if len(todo) == 1:
            tid = todo[0].technician_id
            fn = lambda _p: actions.send_self_assessment(store, tid, period, path)  # noqa: E731
        else:
            ids = [m.technician_id for m in todo]
            fn = lambda p: actions.send_self_assessments(store, period, path, technician_ids=ids,  # noqa: E731
                                                         progress=p)
        op: Op[Any] = Op(self, fn).with_progress("Writing self-assessment forms").success(self._on_forms_sent)
        self.op = op
        return op.run()

    def import_form(self, path: Optional[str] = None) -> bool:
        """Read a returned form back; with one technician selected it must be theirs. A refusal is
        shown with the core's message. True when imported."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Import a returned self-assessment form", default_folder(),
                                                  "Excel workbook (*.xlsx)")
            if not path:
                return False
        members = self.selected_members()
        tid = members[0].technician_id if len(members) == 1 else None
        try:
            outcome = actions.receive_self_assessment(self.store, path, technician_id=tid, period=self.period_key)
        except KpiDeskError as exc:
            show_error(self, exc)
            return False
        self.note.setText(" ".join(outcome.notes))
        self.changes_made.emit(outcome.changes)
        return True

    def open_calibration(self) -> QWidget:
        from ui.checkin.calibration_dialog import CalibrationDialog

        dialog = CalibrationDialog(self.store, self.period_key, self.today, self)
        dialog.changes_made.connect(self.changes_made)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.dialog = dialog
        return dialog

    # Slots --------------------------------------------------------------------------------------
    def _on_forms_sent(self, outcome: Any) -> None:
        self.note.setText(" ".join(outcome.notes))
        self.changes_made.emit(outcome.changes)

    def _on_period_changed(self, _index: int) -> None:
        self.reload()

    def _on_table_selection_changed(self, *_args: object) -> None:
        n = len(self.selected_members())
        self.open_button.setEnabled(n == 1)
        self.send_button.setText("Send self-assessment forms…" if n != 1 else "Send self-assessment form…")
        self.send_button.setToolTip("A form for each unsigned member of the cycle, into a folder" if n == 0 else
                                    "A form for each selected technician whose check-in is not signed")
