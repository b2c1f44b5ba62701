"""First run: no database yet. Start with demo data, start empty with the KPI templates, or open an
existing database file. The dialog only asks; ui.app acts on the answer."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QCommandLinkButton, QDialog, QFileDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.resources import icon

DEMO, TEMPLATES, OPEN = "demo", "templates", "open"
DB_FILTER = "KPI Desk database (*.db *.sqlite *.kpidesk);;All files (*)"


class WelcomeDialog(QDialog):
    """After exec(): `choice` is DEMO, TEMPLATES or OPEN (with `open_path`), or None if closed."""

    def __init__(self, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to KPI Desk")
        self.setWindowIcon(icon("kpidesk"))
        self.choice: str | None = None
        self.open_path: Path | None = None
        logo = QLabel()
        logo.setPixmap(icon("kpidesk").pixmap(QSize(56, 56)))
        title = QLabel("Welcome to KPI Desk", objectName="welcomeTitle")
        intro = QLabel("KPIs, trends and fair appraisal check-ins for your IT team, on this laptop only: "
                       "no server, no account, no network.", objectName="hint", wordWrap=True)
        head = QHBoxLayout()
        head.addWidget(logo)
        text = QVBoxLayout()
        text.addWidget(title)
        text.addWidget(intro)
        head.addLayout(text, 1)
        where = QLabel(f"Your database will be created at:\n{db_path}", objectName="hint", wordWrap=True)
        self.demo_button = QCommandLinkButton(
            "Start with demo data",
            "A believable IT department: 2 teams, 8 technicians, a year of tickets. Best for a first look.")
        self.templates_button = QCommandLinkButton(
            "Start empty with the KPI templates",
            "Your own team from scratch, with the built-in KPIs and role profiles ready to adapt.")
        self.open_button = QCommandLinkButton(
            "Open an existing database file…", "A KPI Desk database from a colleague or a backup.")
        lay = QVBoxLayout(self)
        lay.setSpacing(10)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.addLayout(head)
        lay.addSpacing(4)
        for b in (self.demo_button, self.templates_button, self.open_button):
            b.setAutoDefault(False)
            b.setDefault(False)
            lay.addWidget(b)
        lay.addWidget(where)
        self.demo_button.clicked.connect(self._on_demo_clicked)
        self.templates_button.clicked.connect(self._on_templates_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.setMinimumWidth(620)

    def choose_file(self) -> Path | None:
        """Ask for an existing database file (tests replace this)."""
        name, _ = QFileDialog.getOpenFileName(self, "Open a KPI Desk database", str(Path.home()), DB_FILTER)
        return Path(name) if name else None

    def _on_demo_clicked(self) -> None:
        self.choice = DEMO
        self.accept()

    def _on_templates_clicked(self) -> None:
        self.choice = TEMPLATES
        self.accept()

    def _on_open_clicked(self) -> None:
        path = self.choose_file()
        if path is not None:
            self.choice, self.open_path = OPEN, path
            self.accept()


if __name__ == "__main__":
    import sys
    import tempfile

    from PySide6.QtWidgets import QApplication

    from ui.resources import stylesheet

    app = QApplication(sys.argv)
    app.setStyleSheet(stylesheet())
    dlg = WelcomeDialog(Path(tempfile.mkdtemp()) / "kpidesk.db")
    dlg.exec()
    print(dlg.choice, dlg.open_path)
