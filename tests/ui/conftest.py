"""UI test fixtures: QSettings isolated in a temp folder (never the user's), errors captured
instead of modal boxes, and a main window on a fresh database."""
from __future__ import annotations

import pytest

from ui.qt_app import make_app
from PySide6.QtCore import QCoreApplication, QSettings


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path, qapp):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    QCoreApplication.setOrganizationName("KPI Desk Tests")
    QCoreApplication.setApplicationName("kpidesk-tests")
    QSettings().clear()
    yield


@pytest.fixture
def shown_errors(monkeypatch):
    """Every message ui.errors would show, as (title, text), instead of a modal box."""
    from ui import errors

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(errors, "presenter", lambda parent, title, text, details: shown.append((title, text)))
    return shown


@pytest.fixture
def answer_yes(monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))


@pytest.fixture
def window(qtbot, store, shown_errors):
    from ui.main_window import MainWindow

    w = MainWindow(store)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w


@pytest.fixture
def styled_app(qapp):
    """The app's style sheet, as users see it, for this test only."""
    style, sheet = qapp.style().name(), qapp.styleSheet()
    make_app([])
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
