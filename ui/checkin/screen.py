"""The Check-ins screen: technicians with their latest check-in, the selected technician's history
(every version) and performance log, and the wizard for one check-in.

Start or resume a check-in for the chosen period (default: the latest period with a draft to finish,
else the last full quarter); open any check-in from the history (a signed one opens read-only);
export a period's check-ins for HR (ui/checkin/export_dialog.py)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kpidesk import actions
from kpidesk import appraisal as ap
from kpidesk.errors import KpiDeskError
from kpidesk.periods import last_full_period, period_containing
from kpidesk.records import Changes
from kpidesk.store import Store
from ui import state
from ui.checkin.cycle_view import CycleView
from ui.checkin.export_dialog import ExportDialog
from ui.checkin.models import HistoryModel, TechnicianCheckInModel, TechnicianRow
from ui.checkin.notes_panel import NotesPanel
from ui.checkin.wizard import CheckInWizard
from ui.errors import show_error
from ui.record_model import RECORD_ROLE
from ui.screen import Screen, page_header
from ui.views import record_table

PERIOD_CHOICES = 6


def _table(model, parent: QWidget) -> tuple[QTableView, QSortFilterProxyModel]:  # noqa: ANN001
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    view = record_table(proxy)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view, proxy


class CheckInsScreen(Screen):
    title = "Check-ins"
    icon_name = "checkins"

    def __init__(self, store: Store, parent: Optional[QWidget] = None, today: Optional[dt.date] = None) -> None:
        super().__init__(store, parent)
        self.today = today or dt.date.today()
        self._period_chosen = False  # once the manager picks a period, reloads keep it
        self._cycle_stale = True  # the Review cycle tab reads its cycle when first shown
        self.stack = QStackedWidget()
        self.wizard = CheckInWizard(store)
        self.stack.addWidget(self._build_list())
        self.stack.addWidget(self.wizard)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)
        self.wizard.closed.connect(self._on_wizard_closed)
        self.wizard.changes_made.connect(self.changes_made)
        self.notes.changes_made.connect(self.changes_made)
        self.reload()

    def _build_list(self) -> QWidget:
        page = QWidget()
        self.technicians = TechnicianCheckInModel(self)
        self.tech_view, self.tech_proxy = _table(self.technicians, self)
        self.tech_proxy.setFilterKeyColumn(-1)
        self.tech_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter_edit = QLineEdit(placeholderText="Find a technician…", clearButtonEnabled=True)
        self.filter_edit.setToolTip("Show only the technicians whose row contains this text (Ctrl+F)")
        self.filter_edit.textChanged.connect(self.tech_proxy.setFilterFixedString)
        self.history_model = HistoryModel(self)
        self.history_view, self.history_proxy = _table(self.history_model, self)
        self.notes = NotesPanel(self.store)
        self.period = QComboBox()
        now = period_containing(self.today, "quarter")
        self.period.addItem(f"{now.key} (in progress)", now.key)
        p = now.previous()
        for _ in range(PERIOD_CHOICES):
            self.period.addItem(p.key, p.key)
            p = p.previous()
        self.period.setToolTip("The quarter the check-in is about")
        self.start_button = QPushButton("Start or resume check-in", objectName="primary")
        self.start_button.setToolTip("Open the selected technician's check-in for the period (a new draft "
                                     "if there is none)")
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Open the check-in selected in the history")
        self.export_button = QPushButton("Export for HR…")
        self.export_button.setToolTip("A period's check-ins as PDFs and a workbook, into a folder (Ctrl+E)")
        self.selected_label = QLabel(objectName="sectionTitle")

        # The technicians across the page, then the selected one's check-ins and log as tabs: side
        # by side, two tables of seven columns each were cut at 1280 px wide.
        bar = QHBoxLayout()
        bar.addWidget(self.selected_label, 1)
        bar.addWidget(QLabel("Period"))
        bar.addWidget(self.period)
        bar.addWidget(self.start_button)
        history = QWidget()
        hl = QVBoxLayout(history)
        hl.setContentsMargins(6, 6, 6, 6)
        hist_bar = QHBoxLayout()
        hist_bar.addWidget(QLabel("Every version of every check-in; a signed one opens read-only.", objectName="hint"), 1)
        hist_bar.addWidget(self.open_button)
        hl.addLayout(hist_bar)
        hl.addWidget(self.history_view, 1)
        log = QWidget()
        ll = QVBoxLayout(log)
        ll.setContentsMargins(6, 6, 6, 6)
        ll.addWidget(QLabel("Dated notes between check-ins; a check-in shows the notes of its period.",
                            objectName="hint"))
        ll.addWidget(self.notes, 1)
        self.detail_tabs = QTabWidget()
        self.detail_tabs.addTab(history, "Check-in history")
        self.detail_tabs.addTab(log, "Performance log")
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 6, 0, 0)
        bl.addLayout(bar)
        bl.addWidget(self.detail_tabs, 1)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.filter_edit)
        tl.addWidget(self.tech_view, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setSizes([330, 370])
        state.restore_splitter(self.splitter, "checkins/v2")
        lay = QVBoxLayout(page)
        lay.setContentsMargins(24, 20, 24, 16)
        head = QHBoxLayout()
        head.addWidget(page_header("Check-ins", "A structured, fair review per technician: own role KPIs, trends, "
                                   "speed with quality, team outcomes as context only."), 1)
        head.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignBottom)
        lay.addLayout(head)
        # Per person (the technicians and their history) or per cycle (everyone of one period, issue 17).
        self.cycle_view = CycleView(self.store, self.today)
        self.views = QTabWidget()
        self.views.addTab(self.splitter, "By technician")
        self.views.addTab(self.cycle_view, "Review cycle")
        lay.addWidget(self.views, 1)
        self.cycle_view.open_requested.connect(self.open_checkin)
        self.cycle_view.changes_made.connect(self.changes_made)
        self.views.currentChanged.connect(self._on_views_current_changed)
        self.tech_view.selectionModel().selectionChanged.connect(self._on_tech_selection_changed)
        self.tech_view.doubleClicked.connect(lambda _i: self._on_start_clicked())
        self.history_view.doubleClicked.connect(lambda _i: self._on_open_clicked())
        self.start_button.clicked.connect(self._on_start_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.export_button.clicked.connect(self.export_for_hr)
        self.period.activated.connect(self._on_period_activated)
        return page

    # Data ---------------------------------------------------------------------------------------
    def reload(self) -> None:
        current = self.current_technician_id()
        latest = ap.latest_versions(self.store)
        if not self._period_chosen:
            # Where the work is: the latest period with a draft to finish, else the last full quarter.
            drafts = sorted((ci.period for ci in latest.values() if ci is not None and not ci.signed), reverse=True)
            want = drafts[0] if drafts else last_full_period(self.today, "quarter").key
            if self.period.findData(want) >= 0:
                self.period.setCurrentIndex(self.period.findData(want))
        self.technicians.set_records([TechnicianRow(t, latest.get(t.id or -1)) for t in self.store.list_technicians()])
        self.tech_proxy.sort(TechnicianCheckInModel.Columns.NAME)
        self.select_technician(current)

    def current_technician_id(self) -> Optional[int]:
        rows = self.tech_view.selectionModel().selectedRows() if self.tech_view.selectionModel() else []
        return rows[0].data(RECORD_ROLE).id if rows else None

    def select_technician(self, technician_id: Optional[int]) -> None:
        row = self.technicians.row_of(technician_id) if technician_id is not None else 0
        if self.technicians.rowCount() and row >= 0:
            self.tech_view.selectRow(self.tech_proxy.mapFromSource(self.technicians.index(row, 0)).row())
        self._refresh_detail()

    def _refresh_detail(self) -> None:
        tid = self.current_technician_id()
        rows = ap.history(self.store, tid) if tid else []
        self.history_model.set_records(rows)
        self.notes.set_technician(tid)
        name = next((r.technician.display_name for r in self.technicians.records() if r.id == tid), "")
        self.selected_label.setText(name or "Select a technician")
        self.start_button.setEnabled(tid is not None)
        self.open_button.setEnabled(bool(rows))

    def show_cycle(self, period: Optional[str] = None) -> CycleView:
        """The Review cycle tab, at `period` (default: the last full cycle); from the dashboard's banner."""
        self.stack.setCurrentIndex(0)
        self.views.setCurrentWidget(self.cycle_view)  # loads through _on_views_current_changed
        if period is not None:
            self._cycle_stale = False
            self.cycle_view.set_period(period)
        self._load_cycle()
        return self.cycle_view

    def _load_cycle(self) -> None:
        if self._cycle_stale and self.views.currentWidget() is self.cycle_view:
            self._cycle_stale = False
            self.cycle_view.reload()

    def open_checkin(self, checkin_id: int) -> None:
        self.wizard.open_checkin(checkin_id)
        self.stack.setCurrentWidget(self.wizard)

    def export(self) -> bool:
        self.export_for_hr()
        return True

    def find_field(self) -> QLineEdit:
        return self.filter_edit

    def export_for_hr(self) -> Optional[ExportDialog]:
        """Ctrl+E here: the open check-in's PDF from the wizard, else the export dialog for the
        period chosen on the list."""
        if self.stack.currentWidget() is self.wizard:
            self.wizard.export_pdf()
            return None
        periods = [self.period.itemData(i) for i in range(self.period.count())]
        # HR exports signed check-ins: the last full quarter, unless a period was picked here.
        chosen = self.period.currentData() if self._period_chosen else last_full_period(self.today, "quarter").key
        dialog = ExportDialog(self.store, periods, chosen, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    # Screen contract ----------------------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        if changes.checkins or changes.people or changes.settings:
            self._cycle_stale = True  # read again when the tab is next shown (or now, if it is)
        if (changes.checkins or changes.people) and self.stack.currentWidget() is not self.wizard:
            self.reload()
            self._load_cycle()
        elif changes.settings and self.stack.currentWidget() is not self.wizard:
            self.cycle_view.on_changes(changes)

    def save_state(self) -> None:
        state.save_splitter(self.splitter, "checkins/v2")
        self.wizard.close_checkin()  # a check-in open when the app closes is resumed next time

    # Slots --------------------------------------------------------------------------------------
    def _on_tech_selection_changed(self, *_args: object) -> None:
        self._refresh_detail()

    def _on_start_clicked(self) -> None:
        tid = self.current_technician_id()
        if tid is None:
            return
        try:
            rec = actions.start_checkin(self.store, tid, self.period.currentData()).result
        except KpiDeskError as exc:
            show_error(self, exc)
            return
        self.changes_made.emit(ap.CHANGES)
        self.open_checkin(rec.id)

    def _on_period_activated(self, _index: int) -> None:
        self._period_chosen = True

    def _on_open_clicked(self) -> None:
        rows = self.history_view.selectionModel().selectedRows()
        rec = rows[0].data(RECORD_ROLE) if rows else (self.history_model.records() or [None])[0]
        if rec is not None:
            self.open_checkin(rec.id)

    def _on_wizard_closed(self) -> None:
        self.stack.setCurrentIndex(0)
        self.reload()
        self._cycle_stale = True
        self._load_cycle()

    def _on_views_current_changed(self, _index: int) -> None:
        self._load_cycle()


if __name__ == "__main__":
    import sys
    import tempfile
    from pathlib import Path

    from ui.qt_app import make_app

    app = make_app(sys.argv)
    demo = Store.open(Path(tempfile.mkdtemp()) / "preview.db")
    actions.load_demo(demo)
    screen = CheckInsScreen(demo)
    screen.resize(1280, 800)
    screen.show()
    sys.exit(app.exec())
