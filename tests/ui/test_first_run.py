"""Issue 7, item 2 / issue 2, item 7: the first-run welcome and what each choice does."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ui import app as ui_app
from ui.welcome import DEMO, OPEN, TEMPLATES, WelcomeDialog


def test_welcome_buttons_set_the_choice(qtbot, tmp_path, monkeypatch):
    for button, expected in (("demo_button", DEMO), ("templates_button", TEMPLATES)):
        dlg = WelcomeDialog(tmp_path / "kpidesk.db")
        qtbot.addWidget(dlg)
        dlg.show()
        qtbot.mouseClick(getattr(dlg, button), Qt.MouseButton.LeftButton)
        assert dlg.choice == expected and dlg.result() == WelcomeDialog.DialogCode.Accepted
    dlg = WelcomeDialog(tmp_path / "kpidesk.db")
    qtbot.addWidget(dlg)
    monkeypatch.setattr(dlg, "choose_file", lambda: tmp_path / "theirs.db")
    qtbot.mouseClick(dlg.open_button, Qt.MouseButton.LeftButton)
    assert (dlg.choice, dlg.open_path) == (OPEN, tmp_path / "theirs.db")
    dlg2 = WelcomeDialog(tmp_path / "kpidesk.db")
    qtbot.addWidget(dlg2)
    monkeypatch.setattr(dlg2, "choose_file", lambda: None)  # file dialog cancelled: stay
    qtbot.mouseClick(dlg2.open_button, Qt.MouseButton.LeftButton)
    assert dlg2.choice is None


def test_no_welcome_when_the_database_exists(db_path):
    def never(path):
        raise AssertionError("welcome shown for an existing database")

    store, choice = ui_app.open_first_store(db_path, never)
    assert store is not None and choice is None
    store.close()


def test_start_empty_with_templates(tmp_path):
    path = tmp_path / "new.db"
    store, choice = ui_app.open_first_store(path, lambda p: (TEMPLATES, None))
    assert choice == TEMPLATES
    assert len(store.list_kpis()) > 10 and store.list_role_profiles()
    assert store.list_technicians() == []
    store.close()


def test_open_existing_file_instead(tmp_path, db_path):
    store, choice = ui_app.open_first_store(tmp_path / "missing.db", lambda p: (OPEN, db_path))
    assert store.path == db_path.resolve()
    assert not (tmp_path / "missing.db").exists()
    store.close()


def test_closing_the_welcome_quits_without_creating_a_file(tmp_path):
    store, _ = ui_app.open_first_store(tmp_path / "new.db", lambda p: (None, None))
    assert store is None and not (tmp_path / "new.db").exists()


def test_default_path_comes_from_the_data_dir(_isolated_home):
    seen = []
    store, _ = ui_app.open_first_store(None, lambda p: (seen.append(p), (TEMPLATES, None))[1])
    assert seen == [_isolated_home / "kpidesk.db"]
    store.close()


def test_start_with_demo_data_runs_in_the_background(qtbot, tmp_path, shown_errors, monkeypatch):
    import kpidesk.actions.setup
    from kpidesk.records import Changes
    from ui.main_window import MainWindow
    from ui.people_screen import PeopleScreen

    calls = []

    def fake_demo(store, seed=7, today=None, progress=None):  # the real one takes seconds
        progress.set_status("Creating KPIs and role profiles")
        progress.set_progress(1, 2)
        from kpidesk.records import TechnicianRecord

        store.create_technician(TechnicianRecord(display_name="Alex Morgan"))
        calls.append(seed)
        return Changes(people=True, kpis=True)

    monkeypatch.setattr(kpidesk.actions.setup, "create_demo", fake_demo)  # what the load_demo action calls
    store, choice = ui_app.open_first_store(tmp_path / "new.db", lambda p: (DEMO, None))
    assert choice == DEMO
    window = MainWindow(store)
    qtbot.addWidget(window)
    op = ui_app.start_demo(window)
    qtbot.waitUntil(lambda: not op.is_running(), timeout=10000)
    assert calls == [7] and not shown_errors
    assert window.screen(PeopleScreen).technicians.model.rowCount() == 1


def test_real_demo_through_the_op(qtbot, tmp_path, shown_errors):
    from ui.main_window import MainWindow

    store, _ = ui_app.open_first_store(tmp_path / "new.db", lambda p: (DEMO, None))
    window = MainWindow(store)
    qtbot.addWidget(window)
    op = ui_app.start_demo(window)
    with qtbot.waitSignal(op.finished, timeout=120000):
        pass
    assert not shown_errors and len(store.list_technicians()) == 8


def test_a_shared_database_the_window_cannot_reach_is_said_plainly(qapp, shown_errors, monkeypatch, tmp_path):
    """A URL opens the shared database without the first-run welcome; a server that cannot be reached
    is one plain message, without the password, and no file named like the URL is written (issue 18)."""
    from ui.app import run_gui

    monkeypatch.chdir(tmp_path)
    url = "postgresql://kim:hunter2@db.invalid/kpi"
    assert run_gui(url, welcome=lambda path: pytest.fail("no welcome")) == 1
    assert len(shown_errors) == 1
    assert "cannot be reached" in shown_errors[0][1] and "hunter2" not in shown_errors[0][1]
    assert list(tmp_path.iterdir()) == []