"""File > Restore from backup…: the backups of a database, what each one holds, and Restore.

Thread rules: the soundness of every backup is checked in one background Op when the dialog opens
(a quick_check per file); the restore itself runs in another Op. Both are cancelled and waited for
when the dialog closes. The dialog only restores the file: the caller reopens the database (the
main window via `open_database`), after `exec()` has returned.
After exec(): `restored` is the BackupInfo restored (or None) and `safety_path` where the state
before the restore was kept (for a damaged database: the damaged file, set aside unchanged).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kpidesk import backups
from kpidesk.backups import BackupInfo, BackupPreview
from kpidesk.database import backups_dir
from ui.backups.model import BackupTableModel, Column
from ui.backups.preview import PreviewPane, holds_text
from ui.errors import show_error
from ui.ops import Op, QtProgress
from ui.resources import icon


def check_all(rows: list[BackupInfo], progress: QtProgress) -> list[BackupPreview]:
    """Worker thread: preview every backup, newest first, stopping early if cancelled."""
    out = []
    for i, info in enumerate(rows):
        if progress.cancelled():
            break
        out.append(backups.preview(info.path))
        progress.set_progress(i + 1, len(rows))
    return out


class RestoreDialog(QDialog):
    checked = Signal()  # every listed backup has been checked (tests wait on it)

    def __init__(self, db_path: Path, parent: QWidget | None = None, current_damaged: bool = False) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.current_damaged = current_damaged  # then the damaged file is set aside, not backed up
        self.restored: BackupInfo | None = None
        self.safety_path: Path | None = None
        self._check_op: Op[list[BackupPreview]] | None = None
        self._restore_op: Op[Path] | None = None
        self.setWindowTitle("Restore from backup")
        self.setWindowIcon(icon("kpidesk"))

        title = QLabel("Restore from backup", objectName="pageTitle")
        where = QLabel(f"Backups of {self.db_path.name}, kept in {backups_dir(self.db_path)}. Restoring puts "
                       "the database back as it was when the backup was taken; what it holds now is backed up "
                       "first, so a restore can be undone from this list.", objectName="hint", wordWrap=True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = BackupTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.REASON, QHeaderView.ResizeMode.Stretch)
        self.empty_label = QLabel("There are no backups of this database yet. KPI Desk takes one every day "
                                  "on start, and File > Back up now… makes one whenever you like.",
                                  objectName="hint", wordWrap=True)
        self.preview_pane = PreviewPane()
        self.preview_pane.setMinimumWidth(260)
        self.restore_button = QPushButton("Restore this backup…", objectName="primary")
        self.restore_button.setEnabled(False)
        self.restore_button.setAutoDefault(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addWidget(self.empty_label)
        body = QHBoxLayout()
        body.setSpacing(16)
        body.addLayout(left, 3)
        body.addWidget(self.preview_pane, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 16)
        lay.setSpacing(10)
        lay.addWidget(title)
        lay.addWidget(where)
        lay.addLayout(body, 1)
        lay.addWidget(buttons)
        self.resize(880, 500)

        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.restore_button.clicked.connect(self._on_restore_clicked)
        self.reload()

    # Loading ------------------------------------------------------------------------------------
    def reload(self) -> None:
        """List the backups now (a directory listing) and check each one in the background."""
        rows = backups.list_backups(self.db_path)
        self.model.set_backups(rows)
        self.empty_label.setVisible(not rows)
        self.table.setVisible(bool(rows))
        if rows:
            self.table.selectRow(0)
        self._check_op = (Op(self, lambda progress: check_all(rows, progress))
                          .success(self._on_check_done).failure(self._on_check_failed).run())

    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def select_backup(self, path: Path) -> None:
        row = self.model.row_of(path)
        if row is not None:
            self.table.selectRow(row)

    def _show_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            self.preview_pane.show_backup(None, None)
            self.restore_button.setEnabled(False)
            return
        preview = self.model.preview(row)
        self.preview_pane.show_backup(self.model.backup(row), preview)
        self.restore_button.setEnabled(preview is not None and preview.ok and not self._restoring())

    def _restoring(self) -> bool:
        return self._restore_op is not None and self._restore_op.is_running()

    # Restoring ----------------------------------------------------------------------------------
    def confirm(self, info: BackupInfo, preview: BackupPreview) -> bool:
        text = (f"Put {self.db_path.name} back as it was on {info.taken_at:%d %B %Y at %H:%M}?\n\n"
                f"It will hold {holds_text(preview)}.\n\n")
        text += ("The damaged file is kept aside first, unchanged, in the backups folder." if self.current_damaged
                 else "What the database file holds now is kept first, in the backups folder (as “Before a "
                 "restore” in this list), so you can come back to it.")
        answer = QMessageBox.question(self, "Restore this backup?", text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def start_restore(self, info: BackupInfo) -> Op[Path]:
        """Restore `info` in the background; on success the dialog is accepted."""
        self.restore_button.setEnabled(False)
        self._restore_op = (Op(self, lambda progress: backups.restore(self.db_path, info.path))
                            .with_progress("Restoring the backup…")
                            .success(lambda safety: self._on_restore_done(info, safety))
                            .failure(self._on_restore_failed)
                            .run())
        return self._restore_op

    # Closing ------------------------------------------------------------------------------------
    def done(self, result: int) -> None:
        if self._restoring():
            return  # a restore cannot be abandoned half-way; it finishes in a moment
        if self._check_op is not None and self._check_op.is_running():
            self._check_op.cancel()
            self._check_op.wait()
        super().done(result)

    # Slots --------------------------------------------------------------------------------------
    def _on_table_selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self._show_selected()

    def _on_check_done(self, previews: list[BackupPreview]) -> None:
        for preview in previews:
            self.model.set_preview(preview)
        self._show_selected()
        self.checked.emit()

    def _on_check_failed(self, exc: BaseException) -> None:
        show_error(self, exc)
        self.checked.emit()

    def _on_restore_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        info, preview = self.model.backup(row), self.model.preview(row)
        if preview is None or not preview.ok or not self.confirm(info, preview):
            return
        self.start_restore(info)

    def _on_restore_done(self, info: BackupInfo, safety: Path) -> None:
        self._restore_op = None  # done: the op is still marked running while its callback runs
        self.restored, self.safety_path = info, safety
        self.accept()

    def _on_restore_failed(self, exc: BaseException) -> None:
        self._restore_op = None
        show_error(self, exc)  # the database is as it was: the core restores in one step
        self._show_selected()


if __name__ == "__main__":
    import sys
    import tempfile

    from kpidesk.store import Store
    from ui.qt_app import make_app

    app = make_app(sys.argv)
    path = Path(tempfile.mkdtemp()) / "preview.db"
    with Store.open(path) as s:
        s.backup(reason="daily")
        s.create_objective("Faster first contact")
        s.backup(reason="manual")
    dlg = RestoreDialog(path)
    dlg.exec()
    print(dlg.restored, dlg.safety_path)
