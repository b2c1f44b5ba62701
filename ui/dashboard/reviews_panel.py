"""Reviews: the KPIs that crossed their trigger (open reviews first), acknowledged with a note of
what will be done, and the KPIs overdue for their scheduled review. A page of its own in the main
window, so the open reviews are always one click away; its sidebar entry carries the open count.

Reads are small and synchronous; checking the triggers writes, so it runs through ui.ops.Op.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kpidesk.errors import KpiDeskError
from kpidesk import actions
from kpidesk.metrics.reviews import ReviewRecord, list_reviews, overdue_reviews
from kpidesk.periods import parse_period
from kpidesk.records import Changes
from kpidesk.store import Store
from ui.dashboard.models import OverdueTableModel, ReviewColumns, ReviewTableModel
from ui.errors import show_error
from ui.evidence_dialog import show_tickets_for_kpi
from ui.ops import Op
from ui.record_model import RECORD_ROLE
from ui.screen import Screen, page_header
from ui.views import record_table


def make_table(model: ReviewTableModel | OverdueTableModel) -> tuple[QTableView, QSortFilterProxyModel]:
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    table = record_table(proxy)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table, proxy


class NoteDialog(QDialog):
    """Asks what will be done (required) and who says so. `accepted_note` is (note, by)."""

    def __init__(self, title: str, summary: str, by: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.summary = QLabel(summary, wordWrap=True)
        self.note = QPlainTextEdit(placeholderText="What will be done about it, by when")
        self.note.setMinimumHeight(90)
        self.by = QLineEdit(by, placeholderText="Your name")
        self.error = QLabel(objectName="fieldError")
        form = QFormLayout()
        form.addRow("Note", self.note)
        form.addRow("By", self.by)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Acknowledge")
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

    def values(self) -> tuple[str, str]:
        return self.note.toPlainText().strip(), self.by.text().strip()

    def _on_buttons_accepted(self) -> None:
        if not self.values()[0]:
            self.error.setText("Say what will be done (a short note).")
            return
        self.accept()


class ReviewsScreen(Screen):
    title, icon_name = "Reviews", "warning"
    title_changed = Signal(str)  # "Reviews (3)": the sidebar badge

    def __init__(self, store: Store, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(store, parent)
        self.today = today
        self.open_count = 0
        self.badge_text = self.title
        self._op: Op[object] | None = None
        self.model = ReviewTableModel(self)
        self.table, self.proxy = make_table(self.model)
        self.overdue_model = OverdueTableModel(self)
        self.overdue_table, self.overdue_proxy = make_table(self.overdue_model)
        self.overdue_table.setMaximumHeight(190)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(ReviewColumns.RULE, QHeaderView.ResizeMode.Stretch)
        # Names (free text, whole in the tool tip) give the rule the room: it wraps to two lines.
        for col, width in ((ReviewColumns.KPI, 150), (ReviewColumns.WHO, 170), (ReviewColumns.OWNER, 120),
                           (ReviewColumns.STATE, 124)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        # The rule is the reason for the review, numbers included: it wraps, never cut.
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.overdue_title = QLabel("Overdue for a scheduled review", objectName="sectionTitle")
        self.ack_button = QPushButton("Acknowledge…", objectName="primary")
        self.ack_button.setToolTip('Record what will be done about the selected review')
        self.note_button = QPushButton("Add note…")
        self.note_button.setToolTip("A dated note on the selected review's KPI (what happened, e.g. 'VPN rollout'): "
                                    "drawn on its trend plots and listed in check-ins")
        self.tickets_button = QPushButton("Tickets…")
        self.tickets_button.setToolTip("The tickets behind the selected review's value")
        self.show_all = QCheckBox("Show acknowledged")
        self.check_button = QPushButton("Check triggers now")
        self.check_button.setToolTip("Open a review for every KPI whose last full period crossed its trigger")
        self.mark_button = QPushButton("Mark reviewed…")
        self.mark_button.setToolTip('Record that the selected KPI had its scheduled review')
        self.empty = QLabel(objectName="hint", wordWrap=True)
        bar = QHBoxLayout()
        for w in (self.ack_button, self.tickets_button, self.note_button, self.show_all):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.check_button)
        overdue_bar = QHBoxLayout()
        overdue_bar.addWidget(self.overdue_title)
        overdue_bar.addStretch(1)
        overdue_bar.addWidget(self.mark_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.addWidget(page_header("Reviews", "A review opens when a KPI's latest full period crosses its trigger. "
                                  "Acknowledge it with what will be done."))
        lay.addLayout(bar)
        lay.addWidget(self.empty)
        lay.addWidget(self.table, 3)
        lay.addLayout(overdue_bar)
        lay.addWidget(self.overdue_table, 1)
        self.ack_button.clicked.connect(self._on_ack_button_clicked)
        self.table.doubleClicked.connect(self._on_ack_button_clicked)
        self.tickets_button.clicked.connect(self._on_tickets_button_clicked)
        self.note_button.clicked.connect(self._on_note_button_clicked)
        self.show_all.toggled.connect(self._on_show_all_toggled)
        self.check_button.clicked.connect(self._on_check_button_clicked)
        self.mark_button.clicked.connect(self._on_mark_button_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.overdue_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.reload()

    # Loading ---------------------------------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        if changes.reviews or changes.kpis:
            self.reload()

    def reload(self) -> None:
        reviews = list_reviews(self.store, open_only=not self.show_all.isChecked())
        self.open_count = sum(1 for r in reviews if r.is_open)
        self.model.set_records(reviews)
        self.table.sortByColumn(ReviewColumns.OPENED, Qt.SortOrder.DescendingOrder)
        self.overdue_model.set_records(overdue_reviews(self.store, self.today))
        n_late = self.overdue_model.rowCount()
        self.overdue_title.setText(f"Overdue for a scheduled review ({n_late})" if n_late
                                   else "Overdue for a scheduled review: none")
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.proxy.index(0, 0))
        self.empty.setText("" if reviews else "No open reviews: no KPI crossed its trigger in its last full period.")
        self.empty.setVisible(not reviews)
        self.badge_text = f"Reviews ({self.open_count})" if self.open_count else "Reviews"
        self.title_changed.emit(self.badge_text)
        self._update_buttons()

    def current_review(self) -> ReviewRecord | None:
        index = self.table.currentIndex()
        rec = index.data(RECORD_ROLE) if index.isValid() else None
        return rec if isinstance(rec, ReviewRecord) else None

    def select_review(self, review_id: int) -> None:
        row = self.model.row_of(review_id)
        if row >= 0:
            self.table.setCurrentIndex(self.proxy.mapFromSource(self.model.index(row, 0)))

    # Actions ---------------------------------------------------------------------------------------
    def acknowledge(self, review_id: int, note: str, by: str) -> bool:
        try:
            changes = actions.acknowledge_review(self.store, review_id, note, by).changes
        except KpiDeskError as exc:
            show_error(self, exc)
            return False
        self.changes_made.emit(changes)
        self.reload()
        return True

    def check_now(self) -> Op[object]:
        """Check every KPI's trigger in the background; the new reviews show when it is done."""
        store, today = self.store, self.today
        self._op = (Op(self, lambda _p: actions.check_reviews(store, today).changes)
                    .with_progress("Checking review triggers…").success(self._on_check_done).run())
        return self._op

    def _on_check_done(self, changes: Changes) -> None:
        self.reload()
        if changes.any():
            self.changes_made.emit(changes)

    def _update_buttons(self, *_args: object) -> None:
        rec = self.current_review()
        self.ack_button.setEnabled(rec is not None and rec.is_open)
        self.tickets_button.setEnabled(rec is not None)
        self.note_button.setEnabled(rec is not None)
        self.mark_button.setEnabled(self.overdue_table.currentIndex().isValid())

    def shutdown(self) -> None:
        if self._op is not None and self._op.is_running():
            self._op.cancel()
            self._op.wait()

    # Slots -----------------------------------------------------------------------------------------
    def _on_tickets_button_clicked(self) -> None:
        rec = self.current_review()
        if rec is not None:
            show_tickets_for_kpi(self, self.store, rec.kpi_id, rec.scope_key, rec.period, segment=rec.segment or None)

    def _on_note_button_clicked(self) -> None:
        rec = self.current_review()
        if rec is None:
            return
        from ui import annotation_dialog  # the dialog and the actions load on first use

        outcome = annotation_dialog.ask_annotation(self, self.store, on=parse_period(rec.period).start, kpi_id=rec.kpi_id,
                                 scope_key=rec.scope_key)
        if outcome is not None:
            self.changes_made.emit(outcome.changes)

    def _on_ack_button_clicked(self, *_args: object) -> None:
        rec = self.current_review()
        if rec is None or not rec.is_open:
            return
        dlg = NoteDialog("Acknowledge review", rec.summary, rec.owner, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.acknowledge(rec.id, *dlg.values())

    def _on_mark_button_clicked(self) -> None:
        index = self.overdue_table.currentIndex()
        o = self.overdue_model.record(self.overdue_proxy.mapToSource(index).row()) if index.isValid() else None
        if o is None:
            return
        dlg = NoteDialog("Mark reviewed", f"{o.kpi_name}: scheduled {o.cadence} review, due {o.due}.", o.owner, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            note, by = dlg.values()
            try:
                changes = actions.mark_reviewed(self.store, o.kpi_id, note, by, self.today).changes
            except KpiDeskError as exc:
                show_error(self, exc)
                return
            self.changes_made.emit(changes)
            self.reload()

    def _on_show_all_toggled(self, _on: bool) -> None:
        self.reload()

    def _on_check_button_clicked(self) -> None:
        if self._op is None or not self._op.is_running():
            self.check_now()


if __name__ == "__main__":
    import sys
    import tempfile
    from pathlib import Path

    from ui.qt_app import make_app

    app = make_app(sys.argv)
    preview_store = Store.open(Path(tempfile.mkdtemp()) / "preview.db")
    actions.load_demo(preview_store, seed=7)
    screen = ReviewsScreen(preview_store)
    screen.resize(1100, 700)
    screen.show()
    sys.exit(app.exec())
