"""HR's export from the app: a period's check-ins, for a team or everyone, as a PDF per person, the
period's workbook, or both, into a folder; drafts left out unless asked for. The work runs off the
GUI thread (ui.ops.Op: a progress dialog with Cancel after 600 ms); the core writes all or nothing
(kpidesk.export.batch), so a cancel leaves the folder as it was. When done, 'Open folder'.

What is exported and how is the core's action (kpidesk.actions.export_appraisals); this dialog only
gathers the choices and shows the outcome.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk import actions
from kpidesk.errors import Cancelled
from kpidesk.export.batch import BatchResult
from kpidesk.store import Store
from kpidesk.wording import count
from ui import state
from ui.errors import show_error
from ui.ops import Op

FOLDER_KEY = "export/folder"
FORMATS = (("pdf", "A PDF per person"), ("xlsx", "The period's workbook"), ("both", "Both"))


def default_folder() -> str:
    saved = state.settings().value(FOLDER_KEY)
    if saved:
        return str(saved)
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    return str(Path(docs) / "KPI Desk exports")


class ExportDialog(QDialog):
    """`periods`: the period keys to offer, the default first."""

    def __init__(self, store: Store, periods: list[str], period: str | None = None,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Export appraisals for HR")
        self.op: Op[BatchResult] | None = None
        self.result: BatchResult | None = None

        self.period = QComboBox()
        for key in periods:
            self.period.addItem(key, key)
        if period is not None and self.period.findData(period) >= 0:
            self.period.setCurrentIndex(self.period.findData(period))
        self.period.setToolTip("The check-in period to export")
        self.team = QComboBox()
        self.team.addItem("Everyone", None)
        for t in store.list_teams():
            self.team.addItem(t.name, t.name)
        self.team.setToolTip("Export one team's check-ins, or everyone's")
        self.formats = QButtonGroup(self)
        fmt_row = QHBoxLayout()
        for i, (key, label) in enumerate(FORMATS):
            button = QRadioButton(label)
            button.setProperty("fmt", key)
            button.setChecked(key == "both")
            self.formats.addButton(button, i)
            fmt_row.addWidget(button)
        fmt_row.addStretch(1)
        self.drafts = QCheckBox("Include drafts (marked DRAFT on every page)")
        self.drafts.setToolTip("Unsigned check-ins are left out unless this is ticked")
        self.folder = QLineEdit(default_folder())
        self.folder.setToolTip("The folder the files are written to (created if needed)")
        self.browse = QPushButton("Choose…")
        self.browse.setToolTip("Choose the folder to export into")
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)

        form = QFormLayout()
        form.addRow("Period", self.period)
        form.addRow("Who", self.team)
        form.addRow("Files", fmt_row)
        form.addRow("", self.drafts)
        form.addRow("Into the folder", folder_row)

        self.outcome = QLabel(wordWrap=True, objectName="hint")
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder = QPushButton("Open folder")
        self.open_folder.setToolTip("Show the exported files in your file manager")
        self.open_folder.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("primary")
        self.export_button.setToolTip("Write the files; nothing is written if it fails or you cancel")
        self.export_button.setDefault(True)
        done_row = QHBoxLayout()
        done_row.addWidget(self.outcome, 1)
        done_row.addWidget(self.open_folder, 0, Qt.AlignmentFlag.AlignTop)

        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(done_row)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(560)

        self.browse.clicked.connect(self._on_browse_clicked)
        self.buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(self.start_export)
        self.open_folder.clicked.connect(self._on_open_folder_clicked)

    # Choices ------------------------------------------------------------------------------------
    def chosen_format(self) -> str:
        button = self.formats.checkedButton()
        return str(button.property("fmt")) if button is not None else "both"

    def set_format(self, fmt: str) -> None:
        for button in self.formats.buttons():
            button.setChecked(button.property("fmt") == fmt)

    # Export -------------------------------------------------------------------------------------
    def start_export(self) -> Op[BatchResult] | None:
        if self.op is not None and self.op.is_running():
            return self.op
        folder = Path(self.folder.text().strip() or default_folder()).expanduser()
        period, team, fmt = self.period.currentData(), self.team.currentData(), self.chosen_format()
        include = self.drafts.isChecked()
        render = None
        if fmt in ("pdf", "both"):
            from ui.reports.pdf_renderer import render_pdf as render

        store = self.store
        self.outcome.setText("")
        self.open_folder.setVisible(False)
        self.export_button.setEnabled(False)
        self.op = Op(self, lambda progress: actions.export_appraisals(
            store, period, folder, fmt=fmt, team=team, include_drafts=include, render_pdf=render,
            progress=progress).result)
        self.op.with_progress(f"Exporting the appraisals of {period}").success(self._on_done) \
            .failure(self._on_failed).run()
        state.settings().setValue(FOLDER_KEY, str(folder))
        return self.op

    def _on_done(self, result: BatchResult) -> None:
        self.result = result
        self.export_button.setEnabled(True)
        where = result.files[0].parent if result.files else Path(self.folder.text())
        text = f"Exported {count(len(result.files), 'file')} to {where}."
        if result.skipped_drafts:
            text += (f" {count(len(result.skipped_drafts), 'draft')} left out (not signed yet): "
                     f"{', '.join(result.skipped_drafts)}.")
        for note in result.notes:  # e.g. the cycle is not complete
            text += f" {note[:1].upper()}{note[1:]}{'' if note.endswith('.') else '.'}"
        self.outcome.setText(text)
        self.open_folder.setVisible(bool(result.files))

    def _on_failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        if isinstance(exc, Cancelled):
            self.outcome.setText("Cancelled: nothing was written.")
            return
        self.outcome.setText(str(exc))
        show_error(self, exc)

    def _on_browse_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export into the folder", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def _on_open_folder_clicked(self) -> None:
        if self.result is not None and self.result.files:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result.files[0].parent)))
