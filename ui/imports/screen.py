"""The Imports screen: every import (ImportBatch) with its counts, 'Import file…' (or drop a file on
the screen), undo an import, and the rejected rows of a past import.

The flow of one import, each step started by the user, never by another op's callback:
    file chosen/dropped -> op: inspect_file -> MappingDialog (open) -> accepted -> op: run_import
    -> new names? NamesDialog (open) -> accepted -> op: run_import with the answers
    -> ResultDialog (open); the history reloads and `changes_made` tells the other screens.
run_import chains the metrics recompute inside the same op (ui.imports.flow).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk.actions import ImportRequest
from kpidesk.errors import Cancelled
from kpidesk.importing.errors import RowsRejected
from kpidesk.importing.tickets_import import FilePreview, forget_scan, inspect_file
from kpidesk.importing.undo import ImportRecord, list_imports, rejected_rows
from kpidesk.records import Changes
from kpidesk.store import Store
from ui import state
from ui.errors import show_error
from ui.imports.flow import ImportOutcome, run_import, run_undo
from ui.imports.mapping_dialog import MappingDialog
from ui.imports.models import HistoryColumn, ImportHistoryModel
from ui.imports.names_dialog import NamesDialog
from ui.imports.result_dialog import ResultDialog
from ui.ops import Op
from ui.record_model import RECORD_ROLE
from ui.resources import icon
from ui.screen import Screen, page_header
from ui.views import record_table

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt", ".tsv")
FILE_FILTER = "Spreadsheets and CSV (*.xlsx *.xlsm *.xls *.ods *.csv *.txt *.tsv);;All files (*)"
SUBTITLE = ("Import the ticket exports of your helpdesk (ServiceNow, Jira, Zendesk, Freshdesk, osTicket, GLPI, "
            "Zammad or any table with an id and a created date) and spreadsheets of KPI values. "
            "Drop a file anywhere on this page, or choose one.")


class ImportsScreen(Screen):
    title, icon_name = "Imports", "imports"

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.op: Op[Any] | None = None  # the running or last op (tests wait on op.finished)
        self.dialog: QWidget | None = None  # the dialog of the current step, if any
        self._request: ImportRequest | None = None
        self.setAcceptDrops(True)

        self.import_button = QPushButton(icon("imports"), "Import file…", objectName="primary")
        self.import_button.setToolTip('Import a helpdesk export or a KPI values sheet (Ctrl+I)')
        self.rejected_button = QPushButton("Rejected rows…")
        self.rejected_button.setToolTip('The rows of the selected import that could not be read, and why')
        self.undo_button = QPushButton("Undo import…")
        self.undo_button.setToolTip('Remove what the selected import created and put back what it changed')
        self.undo_button.setToolTip("Remove the tickets or values this import created and restore the ones it updated")
        bar = QHBoxLayout()
        for b in (self.import_button, self.rejected_button, self.undo_button):
            bar.addWidget(b)
        bar.addStretch(1)
        self.status_label = QLabel(objectName="hint", wordWrap=True)

        self.model = ImportHistoryModel(self)
        self.table = record_table(self.model, sortable=False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep the file's extension in view
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(HistoryColumn.FILE, QHeaderView.ResizeMode.Stretch)
        self.empty_label = QLabel("No imports yet.\nDrop an .xlsx, .xls, .ods or .csv export here, or use "
                                  "'Import file…'.", objectName="placeholderText",
                                  alignment=Qt.AlignmentFlag.AlignCenter)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.addWidget(page_header("Imports", SUBTITLE))
        lay.addLayout(bar)
        lay.addWidget(self.status_label)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.empty_label, 1)

        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.rejected_button.clicked.connect(self._on_rejected_button_clicked)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        state.restore_header(header, "imports")
        self.reload()

    # Screen contract ----------------------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        if changes.imports:
            self.reload()

    def save_state(self) -> None:
        state.save_header(self.table.horizontalHeader(), "imports")

    def shutdown(self) -> None:
        if self.busy():
            assert self.op is not None
            self.op.cancel()
            self.op.wait()
        if isinstance(self.dialog, MappingDialog):
            self.dialog.shutdown()

    # Public API ---------------------------------------------------------------------------------
    def reload(self) -> None:
        current = self.current()
        self.model.set_records(list_imports(self.store))
        row = self.model.row_of(current.id if current else None)
        self.table.setCurrentIndex(self.model.index(max(row, 0), 0) if self.model.rowCount() else QModelIndex())
        has = self.model.rowCount() > 0
        self.table.setVisible(has)
        self.empty_label.setVisible(not has)
        self._update_buttons()

    def current(self) -> ImportRecord | None:
        index = self.table.currentIndex()
        return index.data(RECORD_ROLE) if index.isValid() else None

    def select_batch(self, batch_id: int) -> None:
        row = self.model.row_of(batch_id)
        if row >= 0:
            self.table.setCurrentIndex(self.model.index(row, 0))

    def busy(self) -> bool:
        return self.op is not None and self.op.is_running()

    def open_file(self, path: Path) -> None:
        """Step 1: read the file's layout in an op, then show the mapping dialog."""
        if self.busy():
            return
        path = Path(path)
        self._set_status(f"Opening {path.name}…")
        self._start(Op(self, lambda _p: inspect_file(self.store, path))
                    .with_progress(f"Opening {path.name}…")
                    .success(lambda preview: self._show_mapping(path, preview))
                    .failure(self._on_step_failed))

    def start_import(self, request: ImportRequest) -> None:
        """Run an import (and the recompute after it) in an op; what follows depends on the outcome."""
        if self.busy():
            return
        self._request = request
        self._set_status(f"Importing {request.path.name}…")
        self._start(Op(self, lambda progress: run_import(self.store, request, progress))
                    .with_progress(f"Importing {request.path.name}…")
                    .success(self._on_import_done)
                    .failure(self._on_import_failed))

    def undo(self, record: ImportRecord) -> None:
        self._set_status(f"Undoing import #{record.id}…")
        self._start(Op(self, lambda progress: run_undo(self.store, record.id, progress))
                    .with_progress(f"Undoing the import of {record.file_name}…")
                    .success(lambda result: self._on_undo_done(record, *result))
                    .failure(self._on_step_failed))

    # Steps --------------------------------------------------------------------------------------
    def _start(self, op: Op[Any]) -> None:
        self.op = op
        self._update_buttons()
        op.finished.connect(self._update_buttons)
        op.run()

    def _show_mapping(self, path: Path, preview: FilePreview) -> None:
        self._set_status("")
        dialog = MappingDialog(self.store, path, preview, self)
        dialog.accepted.connect(lambda: self.start_import(dialog.request()))
        self._show_dialog(dialog)

    def _on_import_done(self, outcome: ImportOutcome) -> None:
        report = outcome.report
        if outcome.needs_names:
            self._set_status("")
            techs = [(t.id, t.display_name) for t in self.store.list_technicians() if t.id is not None]
            dialog = NamesDialog(report.file, report.new_technicians, techs, self)
            request = self._request
            assert request is not None
            dialog.accepted.connect(lambda: self.start_import(request.with_names(dialog.alias_overrides())))
            dialog.rejected.connect(forget_scan)  # the rows the names check read for the import are let go
            self._show_dialog(dialog)
            return
        self._set_status(report.summary())
        self.reload()
        if report.batch_id is not None:
            self.select_batch(report.batch_id)
        self.changes_made.emit(outcome.changes)
        self._show_dialog(ResultDialog.from_report(report, outcome.notes, parent=self))

    def _on_import_failed(self, exc: BaseException) -> None:
        if isinstance(exc, RowsRejected):
            self._set_status(str(exc))
            self._show_dialog(ResultDialog.from_report(exc.report, refused=str(exc), parent=self))
        elif isinstance(exc, Cancelled):
            self._set_status("Import cancelled; nothing was changed.")
        else:
            self._set_status("")
            show_error(self, exc)

    def _on_undo_done(self, record: ImportRecord, changes: Changes, notes: list[str]) -> None:
        self._set_status(" ".join([f"Import #{record.id} ({record.file_name}) was undone.", *notes]))
        self.reload()
        self.changes_made.emit(changes)

    def _on_step_failed(self, exc: BaseException) -> None:
        """Opening a file or undoing an import went wrong: the message, and no 'Opening…' left behind."""
        self._set_status("")
        show_error(self, exc)

    def _show_dialog(self, dialog: QWidget) -> None:
        """Open a step's dialog window-modally without a nested event loop (QDialog.open)."""
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda *_: self._forget_dialog(dialog))
        dialog.open()  # type: ignore[attr-defined]

    def _forget_dialog(self, dialog: QWidget) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    def _update_buttons(self) -> None:
        rec, busy = self.current(), self.busy()
        self.import_button.setEnabled(not busy)
        self.undo_button.setEnabled(not busy and rec is not None and not rec.undone)
        self.rejected_button.setEnabled(rec is not None and rec.rejected > 0)

    # Slots --------------------------------------------------------------------------------------
    def choose_file(self) -> None:
        """Ask for a file and import it (the Import button, and File > Import file, Ctrl+I)."""
        self._on_import_button_clicked()

    def _on_import_button_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import a file", str(Path.home()), FILE_FILTER)
        if name:
            self.open_file(Path(name))

    def _on_undo_button_clicked(self) -> None:
        rec = self.current()
        if rec is None or rec.undone:
            return
        what = "tickets" if rec.kind == "tickets" else "values"
        answer = QMessageBox.question(
            self, "Undo import",
            f"Undo import #{rec.id} ({rec.file_name})?\n\nThe {rec.created:,} {what} it created are removed and "
            f"the {rec.updated:,} it updated are put back as they were before it.")
        if answer == QMessageBox.StandardButton.Yes:
            self.undo(rec)

    def _on_rejected_button_clicked(self) -> None:
        rec = self.current()
        if rec is None:
            return
        try:
            rows = rejected_rows(self.store, rec.id)
        except Exception as exc:  # noqa: BLE001 - shown through the one error helper
            show_error(self, exc)
            return
        self._show_dialog(ResultDialog.from_batch(rec, rows, self))

    def _on_table_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_buttons()

    def _on_table_double_clicked(self, _index: QModelIndex) -> None:
        if self.rejected_button.isEnabled():
            self._on_rejected_button_clicked()

    # Drag and drop ------------------------------------------------------------------------------
    @staticmethod
    def dropped_file(event: QDragEnterEvent | QDropEvent) -> Path | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) != 1 or not urls[0].isLocalFile():
            return None
        path = Path(urls[0].toLocalFile())
        return path if path.suffix.lower() in SUFFIXES else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self.busy() and self.dropped_file(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self.dropped_file(event)
        if path is None or self.busy():
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_file(path)


if __name__ == "__main__":
    import sys
    import tempfile

    from PySide6.QtWidgets import QApplication

    from kpidesk.templates import start_with_templates
    from ui.resources import stylesheet

    app = QApplication(sys.argv)
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    preview_store = Store.open(Path(tempfile.mkdtemp()) / "preview.db")
    start_with_templates(preview_store)
    screen = ImportsScreen(preview_store)
    screen.resize(1100, 700)
    screen.show()
    sys.exit(app.exec())
