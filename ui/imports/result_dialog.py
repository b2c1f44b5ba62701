"""What an import changed: counts, warnings, and the rejected rows with 'Save error report…'.

Shown after an import (`from_report`), after a strict import refused the file (`from_report` with
`refused`: nothing was written, the rows say why), and for a past import from the Imports screen
(`from_batch`, the rejected rows stored with the batch).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kpidesk.importing.report import ImportReport
from kpidesk.importing.undo import ImportRecord
from kpidesk.wording import count
from ui.errors import show_error
from ui.imports.models import RejectedColumn, RejectedRowsModel, local_time, preset_label
from ui.resources import icon


class CountTile(QFrame):
    """A big number over a small caption."""

    def __init__(self, caption: str, value: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("CountTile { background: #ffffff; border: 1px solid #d9e2ec; border-radius: 6px; }")
        self.value_label = QLabel(f"{value:,}", alignment=Qt.AlignmentFlag.AlignCenter)
        # a style sheet, not setFont: the app's 'QWidget { font-size }' rule would win over a font
        self.value_label.setStyleSheet("font-size: 17pt; font-weight: 600; color: #102a43;")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.setSpacing(0)
        lay.addWidget(self.value_label)
        lay.addWidget(QLabel(caption, objectName="hint", alignment=Qt.AlignmentFlag.AlignCenter))


class ResultDialog(QDialog):
    def __init__(self, title: str, summary: str, counts: dict[str, int], details: list[str],
                 rejected: list[Any], default_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import result")
        self.resize(900, 600)
        self.setMinimumSize(640, 420)
        self.default_name = default_name
        self.counts = dict(counts)
        self.title_label = QLabel(title, objectName="pageTitle")
        self.summary_label = QLabel(summary, objectName="pageSubtitle", wordWrap=True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        tiles = QHBoxLayout()
        for caption, value in counts.items():
            tiles.addWidget(CountTile(caption, value))
        self.details_label = QLabel("\n".join(f"• {d}" for d in details), wordWrap=True)
        self.details_label.setVisible(bool(details))
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model = RejectedRowsModel(self)
        self.model.set_rows(rejected)
        self.rejected_title = QLabel(f"Rejected rows ({len(rejected):,})" if rejected else
                                     "No rows were rejected.", objectName="sectionTitle")
        self.table = QTableView(alternatingRowColors=True, wordWrap=False)
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in ((RejectedColumn.ROW, 60), (RejectedColumn.SHEET, 110), (RejectedColumn.COLUMN, 150),
                           (RejectedColumn.VALUE, 200)):
            header.resizeSection(col, width)
        header.setStretchLastSection(True)
        self.table.setVisible(bool(rejected))

        self.save_button = QPushButton("Save error report…")
        self.save_button.setEnabled(bool(rejected))
        self.save_button.setToolTip("Save the rejected rows as an .xlsx file, to fix and import again")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.saved_label = QLabel(objectName="hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.saved_label, 1)
        bottom.addWidget(buttons)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.addWidget(self.title_label)
        lay.addWidget(self.summary_label)
        lay.addLayout(tiles)
        lay.addWidget(self.details_label)
        lay.addWidget(self.rejected_title)
        lay.addWidget(self.table, 1)
        if not rejected:
            lay.addStretch(1)
        lay.addLayout(bottom)

    # Building from what the core hands back -----------------------------------------------------
    @classmethod
    def from_report(cls, report: ImportReport, notes: list[str] | None = None, refused: str = "",
                    parent: QWidget | None = None) -> "ResultDialog":
        where = report.file + (f" [{report.sheet}]" if report.sheet else "")
        rate = f" ({report.rows_per_s:,.0f} rows/s)" if report.rows_per_s else ""
        summary = f"{where} · {preset_label(report.preset) if report.preset else report.kind} · {count(report.rows_read, 'row')} read in {report.elapsed_s:.1f} s{rate}"
        if report.date_order:
            summary += f" · dates {report.date_order}"
        details = [str(w) for w in report.warnings] + list(notes or [])
        if report.new_technicians and not refused:
            details.insert(0, f"New technicians: {', '.join(report.new_technicians)}.")
        if report.unassigned_names and not refused:
            details.insert(0, f"Left unassigned (no technician matches): {', '.join(report.unassigned_names)}.")
        if refused:
            title = "Nothing was imported"
            details.insert(0, refused)
            counts = {"Rows read": report.rows_read, "Rejected": report.rejected}
        else:
            what = "tickets" if report.kind == "tickets" else "values"
            title = f"Import finished: {report.created + report.updated:,} {what} changed"
            counts = {"Created": report.created, "Updated": report.updated, "Unchanged": report.unchanged,
                      "Rejected": report.rejected}
        return cls(title, summary, counts, details, report.rejected_rows, _report_name(report.file), parent)

    @classmethod
    def from_batch(cls, record: ImportRecord, rows: list[dict[str, Any]],
                   parent: QWidget | None = None) -> "ResultDialog":
        summary = f"{record.file_name} · {preset_label(record.preset)} · imported {local_time(record.started_at)}"
        details = [f"This import was undone {local_time(record.undone_at)}."] if record.undone else []
        if record.rejected > len(rows):
            details.append(f"The first {len(rows):,} of {record.rejected:,} rejected rows were kept with the import.")
        counts = {"Created": record.created, "Updated": record.updated, "Unchanged": record.unchanged,
                  "Rejected": record.rejected}
        return cls(f"Import #{record.id}", summary, counts, details, rows, _report_name(record.file_name), parent)

    # Saving -------------------------------------------------------------------------------------
    def save_report(self, dest: Path) -> Path | None:
        """Write the rejected rows to `dest` (.xlsx); shows the error and returns None on failure."""
        try:
            from kpidesk.importing.error_report import save_error_report  # openpyxl: on first use

            written = save_error_report(self.model.rows(), dest)
        except Exception as exc:  # noqa: BLE001 - shown through the one error helper
            show_error(self, exc)
            return None
        self.saved_label.setText(f"Saved {written.name}")
        return written

    def _on_save_button_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save error report", self.default_name, "Excel workbook (*.xlsx)")
        if name:
            self.save_report(Path(name if name.lower().endswith(".xlsx") else name + ".xlsx"))


def _report_name(file_name: str) -> str:
    return str(Path.home() / f"{Path(file_name).stem} - rejected rows.xlsx")


if __name__ == "__main__":
    import sys

    from PySide6.QtWidgets import QApplication

    from kpidesk.importing.report import RejectedRow
    from ui.resources import stylesheet

    app = QApplication(sys.argv)
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    sample = ImportReport(batch_id=1, file="incident.xlsx", kind="tickets", sheet="Page 1", preset="servicenow",
                          created=118, updated=4, unchanged=0, rows_read=124, elapsed_s=0.4,
                          rejected_rows=[RejectedRow("incident.xlsx", "Page 1", 7 + i, "Opened", "31/02/2026",
                                                     "not a date") for i in range(2)],
                          warnings=["3 row(s) repeated a ticket already in the file; the latest was kept."])
    dialog = ResultDialog.from_report(sample)
    dialog.setWindowIcon(icon("imports"))
    dialog.show()
    sys.exit(app.exec())
