"""Issue 15 (1): HR's export and the settings, done in the window as a manager would, no terminal."""
from __future__ import annotations

import openpyxl
import pytest
from pypdf import PdfReader

from kpidesk.errors import Cancelled
from tests.conftest import DEMO_TODAY


@pytest.fixture
def demo_window(qtbot, demo_store, shown_errors):
    from ui.main_window import MainWindow

    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    return w


def checkins_screen(window):
    from ui.checkin.screen import CheckInsScreen

    window.show_screen(CheckInsScreen)
    screen = window.screen(CheckInsScreen)
    screen.today = DEMO_TODAY
    return screen


def pdf_text(path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)


def test_export_for_hr_from_the_checkins_screen(qtbot, demo_window, tmp_path):
    screen = checkins_screen(demo_window)
    # The list opens where the work is: the quarter with drafts waiting (the demo's Q4).
    assert screen.period.currentData() == "2026-Q4"
    dialog = screen.export_for_hr()
    qtbot.addWidget(dialog)
    dialog.period.setCurrentIndex(dialog.period.findData("2026-Q3"))
    dialog.team.setCurrentIndex(dialog.team.findData("Service Desk"))
    dialog.set_format("both")
    dialog.folder.setText(str(tmp_path / "hr"))
    op = dialog.start_export()
    with qtbot.waitSignal(op.finished, timeout=60_000):
        pass
    names = sorted(p.name for p in (tmp_path / "hr").iterdir())
    assert names == ["2026-Q3_Becker_Tom.pdf", "2026-Q3_Dubois_Chloe.pdf", "2026-Q3_Morgan_Alex.pdf",
                     "2026-Q3_Novak_Lena.pdf", "2026-Q3_Shah_Priya.pdf", "2026-Q3_appraisals.xlsx"]
    assert "Exported 6 files" in dialog.outcome.text() and dialog.open_folder.isVisibleTo(dialog)
    assert "Northwind Facilities Ltd" in pdf_text(tmp_path / "hr" / "2026-Q3_Morgan_Alex.pdf")
    assert openpyxl.load_workbook(tmp_path / "hr" / "2026-Q3_appraisals.xlsx")["Summary"].max_row == 6
    # This quarter holds only drafts: left out unless asked for, and said so.
    dialog.period.setCurrentIndex(dialog.period.findData("2026-Q4"))
    dialog.folder.setText(str(tmp_path / "now"))
    op = dialog.start_export()
    with qtbot.waitSignal(op.finished, timeout=60_000):
        pass
    assert "only drafts" in dialog.outcome.text() and not (tmp_path / "now").exists()
    dialog.drafts.setChecked(True)
    dialog.set_format("pdf")
    op = dialog.start_export()
    with qtbot.waitSignal(op.finished, timeout=60_000):
        pass
    assert op.error is None, (dialog.outcome.text(), list((tmp_path / "now").iterdir()))
    # Issue 17: the export says the cycle is not complete (the Service Desk has 5, 2 are drafts)
    assert "Cycle 2026-Q4 (team Service Desk) is not complete: 5 of 5 not signed" in dialog.outcome.text()
    tom = tmp_path / "now" / "2026-Q4_Becker_Tom_DRAFT.pdf"
    assert "DRAFT" in pdf_text(tom) and sorted(p.name for p in (tmp_path / "now").iterdir()) == [
        "2026-Q4_Becker_Tom_DRAFT.pdf", "2026-Q4_Dubois_Chloe_DRAFT.pdf"]


def test_a_cancelled_export_writes_nothing(qtbot, demo_window, tmp_path, monkeypatch):
    from ui.ops import QtProgress

    monkeypatch.setattr(QtProgress, "cancelled", lambda self: True)  # Cancel pressed at once
    dialog = checkins_screen(demo_window).export_for_hr()
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path / "hr"))
    op = dialog.start_export()
    with qtbot.waitSignal(op.finished, timeout=60_000):
        pass
    assert isinstance(op.error, Cancelled)
    assert dialog.outcome.text() == "Cancelled: nothing was written."
    assert not (tmp_path / "hr").exists() or not list((tmp_path / "hr").iterdir())


def test_export_a_checkin_pdf_from_the_wizard(qtbot, demo_window, demo_store, tmp_path):
    from kpidesk import appraisal as ap

    screen = checkins_screen(demo_window)
    alex = demo_store.find_technician("Alex Morgan")
    screen.open_checkin(ap.start_or_resume(demo_store, alex.id, "2026-Q3").id)
    dest = tmp_path / "alex.pdf"
    op = screen.wizard.export_pdf(str(dest))
    with qtbot.waitSignal(op.finished, timeout=60_000):
        pass
    text = pdf_text(dest)
    assert "Alex Morgan" in text and "Signed" in text and "DRAFT" not in text
    assert "Exported alex.pdf" in screen.wizard.saved_label.text()


def test_settings_dialog_saves_through_the_core_and_refuses_with_the_reason(qtbot, demo_window, demo_store, tmp_path):
    dialog = demo_window.open_settings()  # deletes itself when closed
    dialog.organisation.setText("Contoso IT")
    dialog.page_size.setCurrentIndex(dialog.page_size.findData("Letter"))
    dialog.min_count.setValue(3)
    dialog.sla["P1"].setValue(2)
    assert dialog.cycle_length.currentData() == "quarter" and dialog.cycle_due_days.value() == 30
    dialog.cycle_length.setCurrentIndex(dialog.cycle_length.findData("half"))
    dialog.cycle_due_days.setValue(45)
    logo = tmp_path / "logo.png"
    from PySide6.QtGui import QColor, QImage

    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("#1f4e8c"))
    image.save(str(logo))
    dialog.set_logo_file(str(logo))
    assert dialog.logo_clear.isEnabled()
    with qtbot.waitSignal(dialog.changes_made, timeout=60_000):
        dialog.save()
    assert demo_store.get_setting("organisation") == "Contoso IT"
    assert demo_store.get_setting("page_size") == "Letter" and demo_store.get_setting("min_count") == 3
    assert demo_store.get_setting("sla_hours")["P1"] == 2
    assert (demo_store.get_setting("cycle_length"), demo_store.get_setting("cycle_due_days")) == ("half", 45)
    assert demo_store.get_setting("logo").startswith("data:image/png;base64,")
    # The demo's check-ins hold ratings: the scale cannot change; the dialog says why and stays.
    again = demo_window.open_settings()
    again.scale_high.setValue(4)
    op = again.save()
    with qtbot.waitSignal(op.finished, timeout=60_000):
        pass
    assert again.isVisible() and again.message.isVisibleTo(again)
    assert "already hold ratings" in again.message.text()
    assert demo_store.get_setting("rating_scale") == [1, 5]
    again.close()


def test_the_pdf_uses_the_settings(qtbot, demo_store, tmp_path):
    from kpidesk import actions
    from kpidesk import appraisal as ap
    from ui.reports.pdf_renderer import render_pdf

    actions.set_setting(demo_store, "organisation", "Contoso IT")
    actions.set_setting(demo_store, "page_size", "Letter")
    ci = ap.start_or_resume(demo_store, demo_store.find_technician("Priya Shah").id, "2026-Q3")
    dest = actions.export_checkin(demo_store, ci.id, tmp_path / "priya.pdf", render_pdf=render_pdf).result
    reader = PdfReader(dest)
    assert round(float(reader.pages[0].mediabox.height)) == 792  # Letter, from the setting
    assert "Contoso IT" in pdf_text(dest)


def test_help_menu_and_shortcuts(qtbot, demo_window):
    from ui.kpi_screen import KpiScreen
    from ui.main_window import SCREENS

    store = demo_window.store
    name = store.path.name if store.path is not None else store.location.rsplit("/", 1)[-1] + " (shared)"
    assert demo_window.windowTitle() == f"KPI Desk \u2014 {name}"
    for row, action in enumerate(demo_window.go_actions):
        assert action.shortcut().toString() == f"Ctrl+{row + 1}"
        action.trigger()
        assert demo_window.sidebar.currentRow() == row and isinstance(demo_window.current_screen(), SCREENS[row].load())
    keys = {a.shortcut().toString() for a in (demo_window.import_action, demo_window.new_kpi_action,
                                               demo_window.export_action, demo_window.find_action)}
    assert keys == {"Ctrl+I", "Ctrl+N", "Ctrl+E", "Ctrl+F"}
    demo_window.new_kpi_action.trigger()
    kpis = demo_window.current_screen()
    assert isinstance(kpis, KpiScreen) and kpis.form.name.text() == ""
    demo_window.find_action.trigger()
    assert kpis.filter_edit.hasFocus()
    from ui import help as help_pages

    about = help_pages.about_html(store.location)
    assert store.location in about and "LGPL" in about and "MIT" in about
    assert "Past trigger" in help_pages.manual_dialog().text.toPlainText()


def test_every_button_that_acts_has_a_tooltip(qtbot, demo_window):
    """Every visible push button on every screen says what it does when hovered."""
    from PySide6.QtWidgets import QPushButton

    missing = []
    for row in range(demo_window.sidebar.count()):
        demo_window.sidebar.setCurrentRow(row)
        screen = demo_window.current_screen()
        for b in screen.findChildren(QPushButton):
            if b.isVisibleTo(screen) and b.text() and not b.toolTip():
                missing.append(f"{type(screen).__name__}: {b.text()}")
    assert missing == [], "; ".join(missing)
