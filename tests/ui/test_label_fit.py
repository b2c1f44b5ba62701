"""Issue 15 (5): every screen at 1280x800 and 1920x1080 with nothing cut. tests/ui/fit.py measures
each visible text with QFontMetrics against the room its widget has (labels, buttons, combo boxes,
group boxes, tabs, table headers and cells, list items, the cards' lines); only free text (a name)
may be elided, whole in its tool tip. A screenshot of each is saved beside the test's files
(set KPIDESK_SHOTS=folder to keep them) for a person to look at."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kpidesk import appraisal as ap
from tests.ui.fit import clipped_texts

SIZES = [(1280, 800), (1920, 1080)]


def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("KPIDESK_SHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def main_window(qtbot, store, size):
    from ui.main_window import MainWindow

    w = MainWindow(store)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    return w


def settle(qtbot, ms: int = 150) -> None:
    qtbot.wait(ms)  # layouts and the style sheet's polish are applied on the event loop


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_screen_fits(qtbot, styled_app, demo_store, shown_errors, tmp_path, size):
    from ui.dashboard.screen import DashboardScreen

    w = main_window(qtbot, demo_store, size)
    dashboard = w.screen(DashboardScreen)
    qtbot.waitUntil(lambda: dashboard.model.rowCount() > 0, timeout=10_000)
    out, problems = shots_dir(tmp_path), {}
    for row in range(w.sidebar.count()):
        w.sidebar.setCurrentRow(row)
        settle(qtbot, 300)
        name = type(w.current_screen()).__name__
        w.grab().save(str(out / f"{name}-{size[0]}x{size[1]}.png"))
        found = clipped_texts(w)
        if found:
            problems[name] = found
    for screen in w.screens:
        screen.shutdown()
    assert problems == {}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_checkin_wizard_and_dialogs_fit(qtbot, styled_app, demo_store, shown_errors, tmp_path, size):
    from ui.checkin.screen import CheckInsScreen

    w = main_window(qtbot, demo_store, size)
    w.show_screen(CheckInsScreen)
    screen = w.screen(CheckInsScreen)
    out, problems = shots_dir(tmp_path), {}
    for who, period in (("Tom Becker", "2026-Q4"), ("Alex Morgan", "2026-Q3")):  # a draft, a signed one
        ci = ap.start_or_resume(demo_store, demo_store.find_technician(who).id, period)
        screen.open_checkin(ci.id)
        for step in range(len(ap.STEPS)):
            screen.wizard.go_to(step)
            settle(qtbot)
            key = f"wizard-{who.split()[0]}-{step}"
            w.grab().save(str(out / f"{key}-{size[0]}x{size[1]}.png"))
            if found := clipped_texts(w):
                problems[key] = found
        screen.wizard.back_to_list.click()
    settings = w.open_settings()
    for i in range(settings.tabs.count()):
        settings.tabs.setCurrentIndex(i)
        settle(qtbot)
        settings.grab().save(str(out / f"settings-{i}-{size[0]}x{size[1]}.png"))
        if found := clipped_texts(settings):
            problems[f"settings tab {i}"] = found
    settings.close()
    export = screen.export_for_hr()
    settle(qtbot)
    export.grab().save(str(out / f"export-{size[0]}x{size[1]}.png"))
    if found := clipped_texts(export):
        problems["export dialog"] = found
    export.close()
    for s in w.screens:
        s.shutdown()
    assert problems == {}


def test_the_fit_check_catches_a_cut_label(qtbot):
    """The check itself: a label narrower than its text, a cut header and a cut cell are found."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

    box = QWidget()
    qtbot.addWidget(box)
    label = QLabel("First-contact resolution, the whole name")
    label.setFixedWidth(60)
    model = QStandardItemModel(1, 1)
    model.setHorizontalHeaderLabels(["Acknowledged by the technician"])
    model.setItem(0, 0, QStandardItem("more than 10 % worse than the baseline 16.7 hours"))
    table = QTableView()
    table.setModel(model)
    table.setColumnWidth(0, 80)
    lay = QVBoxLayout(box)
    lay.addWidget(label)
    lay.addWidget(table)
    box.resize(400, 300)
    box.show()
    qtbot.waitExposed(box)
    found = " ".join(clipped_texts(box))
    assert "QLabel 'First-contact" in found and "header 'Acknowledged" in found and "cell 'more than 10" in found
