"""Issue 2, item 5: the main window assembles the screens; Changes reach every screen; state is
remembered in QSettings (isolated per test)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from kpidesk.records import Changes, KpiRecord, TechnicianRecord
from ui.kpi_screen import KpiScreen
from ui.people_screen import PeopleScreen


def test_window_opens_on_the_dashboard_and_lists_the_kpis(window, store):
    from kpidesk.templates import start_with_templates
    from ui.dashboard.screen import DashboardScreen

    start_with_templates(store)
    window.apply_changes(Changes(kpis=True, people=True))
    assert window.pages.currentWidget() is window.screen(DashboardScreen)
    window.show_screen(KpiScreen)
    kpis = window.screen(KpiScreen)
    assert window.pages.currentWidget() is kpis
    assert kpis.model.rowCount() == len(store.list_kpis()) > 10
    names = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert names[0] == "Dashboard" and names[1].startswith("Reviews")  # "Reviews (3)" with a badge
    assert names[2:] == ["KPIs", "People", "Imports", "Check-ins"]
    assert store.location in window.path_label.text()


def test_each_screen_refreshes_on_its_own_flags(window, store):
    people = window.screen(PeopleScreen)
    kpis = window.screen(KpiScreen)
    store.create_technician(TechnicianRecord(display_name="Jane"))
    store.create_kpi(KpiRecord(name="Backlog"))
    window.apply_changes(Changes(people=True))
    assert people.technicians.model.rowCount() == 1
    window.apply_changes(Changes(tickets=True))  # not a KPI flag: the KPI list is not re-read
    assert kpis.model.rowCount() == 1  # (it was re-read on people=True: owners come from people)


def test_edits_in_one_screen_reach_the_others(qtbot, window, store):
    received: list[Changes] = []
    window.changes_applied.connect(received.append)
    window.screen(PeopleScreen).add_role_from_template("Security")
    assert received and received[-1].people
    assert window.screen(KpiScreen).model.rowCount() == len(store.list_kpis()) > 0


def test_undo_action_follows_the_current_screen(qtbot, window, store):
    window.show_screen(KpiScreen)
    kpis = window.screen(KpiScreen)
    kpis.add_from_template("uptime")
    assert window.undo_action.isEnabled()
    window.show_screen(PeopleScreen)
    assert not window.undo_action.isEnabled()
    window.show_screen(KpiScreen)
    window.undo_action.trigger()
    assert store.find_kpi("Uptime") is None
    window.redo_action.trigger()
    assert store.find_kpi("Uptime") is not None


def test_geometry_and_recent_databases_are_remembered(qtbot, store, tmp_path, shown_errors):
    from kpidesk.store import Store
    from ui import state
    from ui.main_window import MainWindow

    w = MainWindow(store)
    qtbot.addWidget(w)
    w.resize(1024, 700)
    w.show()
    qtbot.waitExposed(w)
    other = tmp_path / "other.db"
    Store.open(other).close()
    assert w.open_database(other)
    assert w.store.path == other.resolve()
    assert state.recent_databases()[0] == str(other.resolve())
    w.close()
    assert QSettings().value("geometry/MainWindow") is not None
    w2 = MainWindow(Store.open(other))
    qtbot.addWidget(w2)
    # Restored, not the 1280x800 default (the offscreen screen is small, so Qt clamps to it).
    assert state.restore_geometry(w2)
    assert w2.height() == 700 and w2.width() < 1280


def test_refused_database_keeps_the_current_one(qtbot, window, tmp_path, shown_errors):
    bad = tmp_path / "notes.db"
    bad.write_text("not a database")
    before = window.store.address
    assert not window.open_database(bad)
    assert window.store.address == before
    assert shown_errors and "not a KPI Desk database" in shown_errors[-1][1]


def test_usable_at_1024x700(qtbot, window):
    window.show_screen(KpiScreen)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024)
    kpis = window.screen(KpiScreen)
    assert kpis.form.save_button.isVisible()
    assert kpis.form.width() >= kpis.form.minimumSizeHint().width()


def test_screen_entries_name_their_screens_and_load_only_when_shown(qtbot, store, db_path):
    """The sidebar's rows are read before their screens exist: their titles and icons must be the
    screens' own, and only the start page is built (and imported) with the window."""

    from ui.main_window import SCREENS, START_PAGE, MainWindow

    for entry in SCREENS:
        cls = entry.load()
        assert (entry.title, entry.icon_name) == (cls.title, cls.icon_name) and entry.is_for(cls)
    w = MainWindow(store)
    qtbot.addWidget(w)
    assert [type(s) for s in w.screens] == [SCREENS[START_PAGE].load()]
    for s in w.screens:
        s.shutdown()
    # In a fresh process: the window on a current database loads neither openpyxl nor alembic, nor the
    # screens it does not show (issue 19: they cost ~0.5 s of a 2 s start).
    code = ("import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'; sys.path.insert(0, '.')\n"
            "from ui.qt_app import make_app; app = make_app([])\n"
            "from kpidesk.store import Store; from ui.main_window import MainWindow\n"
            f"w = MainWindow(Store.open({str(db_path)!r})); w.show(); app.processEvents()\n"
            "print(sorted(m for m in ('openpyxl', 'alembic', 'ui.checkin.screen', 'ui.imports.screen', "
            "'ui.kpi_screen') if m in sys.modules))\n"
            "w.close()")
    store.close()
    out = _fresh_process(code)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_window_is_drawn_before_the_database_opens(qtbot, db_path):
    """run_gui on an existing database draws the window first (sidebar and menus, the menus off) and
    attaches the store when it has opened; in a fresh process nothing of the database code (SQLAlchemy)
    is loaded until then (issue 19: the window shows ~0.3 s sooner)."""
    from kpidesk.store import Store
    from ui.main_window import SCREENS, MainWindow

    w = MainWindow(None)
    qtbot.addWidget(w)
    w.show()
    assert w.sidebar.count() == len(SCREENS) and not w.menuBar().isEnabled() and w.screens == []
    assert "Opening" in w.path_label.text()
    store = Store.open(db_path)
    w.attach_store(store)
    assert w.menuBar().isEnabled() and len(w.screens) == 1 and str(db_path) in w.path_label.text()
    assert w.pages.count() == len(SCREENS) and w.current_screen() is w.screens[0]
    for s in w.screens:
        s.shutdown()
    store.close()
    code = ("import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'; sys.path.insert(0, '.')\n"
            "from ui.qt_app import make_app; app = make_app([])\n"
            "from ui.main_window import MainWindow\n"
            "w = MainWindow(None); w.show(); app.processEvents(); w.grab()\n"
            "print('sqlalchemy' in sys.modules, 'kpidesk.store' in sys.modules)")
    out = _fresh_process(code)
    assert out.stdout.split()[-2:] == ["False", "False"]


def test_the_window_keeps_no_source_text_of_the_code_it_loaded(db_path):
    """PySide6's import hook reads the source of every module imported after it into linecache; the
    window lets it go once the database code and each screen have loaded (issue 19: 16 MB of a
    183 MB start for SQLAlchemy's alone). In a fresh process, as run_gui opens an existing database."""
    from kpidesk.store import Store

    Store.open(db_path).close()
    code = ("import os, sys, linecache; os.environ['QT_QPA_PLATFORM'] = 'offscreen'; sys.path.insert(0, '.')\n"
            "from ui.qt_app import make_app; app = make_app([])\n"
            "from ui.main_window import MainWindow; from ui.app import open_first_store\n"
            "w = MainWindow(None); w.show(); app.processEvents()\n"
            f"store, _ = open_first_store({str(db_path)!r}, lambda path: (None, None))\n"
            "import sqlalchemy\n"
            "read = [f for f in linecache.cache if 'sqlalchemy' in f or 'kpidesk' in f]\n"
            "w.attach_store(store); app.processEvents()\n"
            "w.sidebar.setCurrentRow(3); app.processEvents()  # a second screen, built when first shown\n"
            "after = [f for f in linecache.cache if 'sqlalchemy' in f or 'kpidesk' in f or '/ui/' in f]\n"
            "print(len(read), len(after), len(w.screens))\n"
            "for s in w.screens: s.shutdown()\n"
            "w.close(); store.close()")
    out = _fresh_process(code)
    read, after, screens = map(int, out.stdout.split()[-3:])
    assert read == 0 and after == 0 and screens == 2


def _fresh_process(code: str):
    """`code` run by a new interpreter in the project folder; its completed process (it must succeed)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert out.returncode == 0, out.stderr
    return out
