"""What a backup holds, in words: the pane beside the backup table and inside the damaged-database
dialog. Shows a `BackupPreview` (kpidesk.backups.preview); never reads files itself."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from kpidesk.backups import BackupInfo, BackupPreview
from ui.backups.model import reason_text, size_text

# The counts kpidesk.backups.preview returns, in the order a manager reads them.
COUNT_LABELS = ("KPIs", "technicians", "teams", "tickets", "imports", "check-ins", "reviews", "notes")


def holds_text(preview: BackupPreview) -> str:
    """One line: '17 KPIs, 8 technicians, 3,211 tickets, …'."""
    return ", ".join(f"{preview.counts[k]:,} {k}" for k in COUNT_LABELS if k in preview.counts)


class PreviewPane(QWidget):
    """Taken at, why, size, then the counts of what the backup holds, its newest ticket and schema."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Select a backup", objectName="sectionTitle", wordWrap=True)
        self.message = QLabel(objectName="hint", wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.values: dict[str, QLabel] = {}
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(14)
        self.form.setVerticalSpacing(4)
        for key in ("taken at", "why", "size", *COUNT_LABELS, "newest ticket", "schema"):
            label = QLabel()
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = label
            self.form.addRow(key[0].upper() + key[1:], label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.message)
        lay.addLayout(self.form)
        lay.addStretch(1)
        self.show_backup(None, None)

    def show_backup(self, info: BackupInfo | None, preview: BackupPreview | None) -> None:
        """Fill the pane; `preview` None means the backup is still being checked."""
        for label in self.values.values():
            label.clear()
        sound = preview is not None and preview.ok
        for key in (*COUNT_LABELS, "newest ticket", "schema"):  # what it holds: only when known
            self.form.setRowVisible(self.values[key], sound)
        if info is None:
            self.title.setText("Select a backup")
            self.message.setText("Choose a backup on the left to see what it holds.")
            return
        self.title.setText(f"Backup of {info.taken_at:%a %d %b %Y, %H:%M}")
        self.values["taken at"].setText(f"{info.taken_at:%Y-%m-%d %H:%M}")
        self.values["why"].setText(reason_text(info.reason))
        self.values["size"].setText(size_text(info.size))
        if preview is None:
            self.message.setText("Checking this backup…")
        elif not preview.ok:
            self.message.setText(f"This backup is damaged and cannot be restored ({preview.problem}).")
        else:
            self.message.setText("This backup is sound. It holds:")
            for key in COUNT_LABELS:
                if key in preview.counts:
                    self.values[key].setText(f"{preview.counts[key]:,}")
            self.values["newest ticket"].setText(preview.newest_ticket or "no tickets")
            self.values["schema"].setText(preview.schema or "unknown")
        self.message.setStyleSheet("color: #c0392b;" if preview is not None and not preview.ok else "")
