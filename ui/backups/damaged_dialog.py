"""The damaged-database dialog: shown when a database fails SQLite's quick check on opening, at start
or from File > Open database. Says what is wrong and offers, in this order: restore the newest sound
backup (with what it holds), choose another backup, open another file, or quit / keep the current
database. The damaged file is never rewritten: a restore sets it aside, byte for byte, first.

After exec(): `choice` is RESTORED (with `safety_path`, where the damaged file was kept),
OPEN_OTHER (with `open_path`), or None. The caller opens the database. GUI thread; the restore runs
in an Op, the search for a sound backup inline (a quick_check per backup, ~10 ms for the demo).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from kpidesk import backups
from kpidesk.backups import BackupInfo, BackupPreview
from kpidesk.database import backups_dir
from ui.backups.model import reason_text
from ui.backups.preview import holds_text
from ui.backups.restore_dialog import RestoreDialog
from ui.errors import show_error
from ui.ops import Op
from ui.resources import icon
from ui.welcome import DB_FILTER

RESTORED, OPEN_OTHER = "restored", "open-other"


def newest_good_backup(db_path: Path) -> tuple[BackupInfo, BackupPreview] | None:
    """The newest backup of `db_path` that passes the quick check, with what it holds."""
    for info in backups.list_backups(db_path):
        preview = backups.preview(info.path)
        if preview.ok:
            return info, preview
    return None


class DamagedDialog(QDialog):
    def __init__(self, db_path: Path, message: str, parent: QWidget | None = None,
                 cancel_text: str = "Quit") -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.choice: str | None = None
        self.open_path: Path | None = None
        self.safety_path: Path | None = None
        self.good = newest_good_backup(self.db_path)
        self._op: Op[Path] | None = None
        self.setWindowTitle("The database is damaged")
        self.setWindowIcon(icon("kpidesk"))

        sign = QLabel()
        sign.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(QSize(40, 40)))
        sign.setAlignment(Qt.AlignmentFlag.AlignTop)
        title = QLabel("This database file is damaged", objectName="pageTitle")
        what = QLabel(f"KPI Desk checked {self.db_path} before opening it and found it damaged. This happens "
                      "after a crash or power cut during a write, a full disk, or a copy on a synced folder "
                      "taken mid-write. The file has not been changed.", wordWrap=True)
        what.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        detail = QLabel(f"SQLite reports: {message}", objectName="hint", wordWrap=True)
        detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head_text = QVBoxLayout()
        head_text.addWidget(title)
        head_text.addWidget(what)
        head_text.addWidget(detail)
        head = QHBoxLayout()
        head.setSpacing(14)
        head.addWidget(sign, 0, Qt.AlignmentFlag.AlignTop)
        head.addLayout(head_text, 1)

        box = QGroupBox("Newest sound backup")
        box_lay = QVBoxLayout(box)
        self.backup_label = QLabel(wordWrap=True)
        self.backup_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box_lay.addWidget(self.backup_label)
        self.restore_button = QPushButton("Restore this backup", objectName="primary")
        self.other_backups_button = QPushButton("Other backups…")
        self.open_button = QPushButton("Open another file…")
        self.cancel_button = QPushButton(cancel_text)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.other_backups_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.cancel_button)
        for b in (self.restore_button, self.other_backups_button, self.open_button, self.cancel_button):
            b.setAutoDefault(False)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 16)
        lay.setSpacing(12)
        lay.addLayout(head)
        lay.addWidget(box)
        lay.addLayout(buttons)
        self.setMinimumWidth(640)
        self._fill_backup()

        self.restore_button.clicked.connect(self._on_restore_clicked)
        self.other_backups_button.clicked.connect(self._on_other_backups_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.cancel_button.clicked.connect(self.reject)

    def _fill_backup(self) -> None:
        any_backup = bool(backups.list_backups(self.db_path))
        self.other_backups_button.setVisible(any_backup)
        if self.good is None:
            self.restore_button.hide()
            self.backup_label.setText(
                f"No sound backup of this database was found in {backups_dir(self.db_path)}. Open another "
                "file (a copy you made with File > Back up now…, or from a colleague), or quit and keep the "
                "damaged file for an expert: KPI Desk will not change it.")
            return
        info, preview = self.good
        self.restore_button.setDefault(True)
        self.backup_label.setText(
            f"<b>Taken {info.taken_at:%A %d %B %Y at %H:%M}</b> ({reason_text(info.reason).lower()}).<br>"
            f"It holds {holds_text(preview)}.<br>"
            f"Newest ticket: {preview.newest_ticket or 'none'}.<br><br>"
            "Restoring it keeps the damaged file aside, unchanged, in the backups folder, and opens the "
            "database as it was when this backup was taken. Anything entered since then is not in it.")

    def choose_file(self) -> Path | None:
        """Ask for another database file (tests replace this)."""
        name, _ = QFileDialog.getOpenFileName(self, "Open a KPI Desk database", str(self.db_path.parent), DB_FILTER)
        return Path(name) if name else None

    def start_restore(self) -> Op[Path] | None:
        if self.good is None:
            return None
        backup = self.good[0].path
        for b in (self.restore_button, self.other_backups_button, self.open_button, self.cancel_button):
            b.setEnabled(False)
        self._op = (Op(self, lambda progress: backups.restore(self.db_path, backup))
                    .with_progress("Restoring the backup…")
                    .success(self._on_restore_done)
                    .failure(self._on_restore_failed)
                    .run())
        return self._op

    def done(self, result: int) -> None:
        if self._op is not None and self._op.is_running():
            return  # the restore finishes in a moment; it cannot be abandoned half-way
        super().done(result)

    # Slots --------------------------------------------------------------------------------------
    def _on_restore_clicked(self) -> None:
        self.start_restore()

    def _on_restore_done(self, safety: Path) -> None:
        self._op = None  # done: the op is still marked running while its callback runs
        self.choice, self.safety_path = RESTORED, safety
        self.accept()

    def _on_restore_failed(self, exc: BaseException) -> None:
        self._op = None
        show_error(self, exc)
        for b in (self.restore_button, self.other_backups_button, self.open_button, self.cancel_button):
            b.setEnabled(True)

    def _on_other_backups_clicked(self) -> None:
        dlg = RestoreDialog(self.db_path, self, current_damaged=True)
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.restored is not None:
            self.choice, self.safety_path = RESTORED, dlg.safety_path
            self.accept()

    def _on_open_clicked(self) -> None:
        path = self.choose_file()
        if path is not None:
            self.choice, self.open_path = OPEN_OTHER, path
            self.accept()


if __name__ == "__main__":
    import sys
    import tempfile

    from kpidesk.store import Store
    from ui.qt_app import make_app

    app = make_app(sys.argv)
    path = Path(tempfile.mkdtemp()) / "preview.db"
    with Store.open(path) as s:
        s.create_objective("Faster first contact")
        s.backup(reason="daily")
    data = bytearray(path.read_bytes())
    data[4096:4096 * 4] = b"\xa5" * (4096 * 3)
    path.write_bytes(bytes(data))
    dlg = DamagedDialog(path, "database disk image is malformed")
    dlg.exec()
    print(dlg.choice, dlg.safety_path, dlg.open_path)
