"""The main window: assembles the screens, the menus and the status bar; nothing else.

One `changes_applied(Changes)` signal: every screen's `changes_made` goes to `apply_changes`, which
re-emits it, and every screen's `on_changes` receives it (each refreshes only on its own flags).
To add a page, add an entry to SCREENS (see ui.screen for the Screen contract).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from kpidesk.records import Changes
from ui import help as help_pages
from ui import module_sources, state
from ui.errors import show_error
from ui.ops import Op
from ui.resources import icon
from ui.screen import Screen
from ui.welcome import DB_FILTER

if TYPE_CHECKING:
    from kpidesk.store import Store
    from ui.settings_dialog import SettingsDialog

S = TypeVar("S", bound=Screen)


def reviews_badge(store: Store) -> str:
    """The Reviews row's text, read without building the screen: 'Reviews (3)'."""
    from kpidesk.metrics.reviews import list_reviews

    n = len(list_reviews(store))
    return f"Reviews ({n})" if n else "Reviews"


@dataclass(frozen=True)
class ScreenEntry:
    """A sidebar row: the screen's class is imported when the screen is first shown, so the start
    (the dashboard) does not load the code of the other five (the check-ins and imports screens pull
    in the appraisal, export and import code). `badge` gives the row's text before the screen exists."""

    module: str
    name: str
    title: str
    icon_name: str
    badge: Callable[[Store], str] | None = None

    def load(self) -> type[Screen]:
        return getattr(importlib.import_module(self.module), self.name)

    def is_for(self, cls: type) -> bool:
        return (cls.__module__, cls.__name__) == (self.module, self.name) or issubclass(self.load(), cls)

# What Help > Keyboard shortcuts lists; the actions below are given these keys.
SHORTCUTS = (
    ("Ctrl+1 to Ctrl+6", "Dashboard, Reviews, KPIs, People, Imports, Check-ins"),
    ("Ctrl+I", "Import a file"),
    ("Ctrl+N", "New KPI"),
    ("Ctrl+E", "Export: the dashboard's table, on the Check-ins screen the appraisals for HR, in a "
               "check-in its PDF"),
    ("Ctrl+F", "Find: the filter box of the screen"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo a KPI edit"),
    ("Ctrl+O", "Open another database"),
    ("Ctrl+,", "Settings"),
    ("F1", "The manual"),
    ("Ctrl+Q", "Quit"),
)


SCREENS: list[ScreenEntry] = [
    ScreenEntry("ui.dashboard.screen", "DashboardScreen", "Dashboard", "dashboard"),
    ScreenEntry("ui.dashboard.reviews_panel", "ReviewsScreen", "Reviews", "warning", badge=reviews_badge),
    ScreenEntry("ui.kpi_screen", "KpiScreen", "KPIs", "kpis"),
    ScreenEntry("ui.people_screen", "PeopleScreen", "People", "people"),
    ScreenEntry("ui.imports.screen", "ImportsScreen", "Imports", "imports"),
    ScreenEntry("ui.checkin.screen", "CheckInsScreen", "Check-ins", "checkins"),
]
START_PAGE = 0  # the dashboard: what a manager opens the app for


class MainWindow(QMainWindow):
    changes_applied = Signal(object)  # Changes
    database_changed = Signal(object)  # Path of the newly opened database (its shown URL, when shared)

    def __init__(self, store: Store | None, parent: QWidget | None = None) -> None:
        """With store None, the window is drawn at once with its sidebar and menus, and its screens
        are built by attach_store() when the database has opened (the app's start: the window shows
        before SQLAlchemy and the models are loaded)."""
        super().__init__(parent)
        self.store = store  # type: ignore[assignment]
        self._built: dict[int, Screen] = {}  # sidebar row -> screen, built on first show
        self.undo_group = QUndoGroup(self)
        self.setWindowIcon(icon("kpidesk"))
        self.sidebar = QListWidget(objectName="sidebar")
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFixedWidth(168)
        self.pages = QStackedWidget()
        central = QWidget()
        lay = QHBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.sidebar)
        lay.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.path_label = QLabel()
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addPermanentWidget(self.path_label)
        self._build_menus()
        self.sidebar.currentRowChanged.connect(self._on_sidebar_row_changed)
        if store is not None:
            self._build_screens()
        else:
            self._build_sidebar()
            self.menuBar().setEnabled(False)
            self.path_label.setText("Opening the database…")
        self.resize(1280, 800)
        self.setMinimumSize(960, 640)
        state.restore_geometry(self)

    # Building -----------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = file_menu.addAction("&Open database…", QKeySequence.StandardKey.Open, self._on_open_triggered)
        self.open_shared_action = file_menu.addAction("Open s&hared database…", self._on_open_shared_triggered)
        self.open_shared_action.setToolTip("A department's KPI Desk database on a PostgreSQL server")
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._on_recent_about_to_show)
        file_menu.addSeparator()
        self.import_action = file_menu.addAction("&Import file…", QKeySequence("Ctrl+I"), self.import_file)
        self.new_kpi_action = file_menu.addAction("&New KPI", QKeySequence("Ctrl+N"), self.new_kpi)
        self.export_action = file_menu.addAction("&Export…", QKeySequence("Ctrl+E"), self.export)
        file_menu.addSeparator()
        self.settings_action = file_menu.addAction("&Settings…", QKeySequence("Ctrl+,"), self.open_settings)
        file_menu.addSeparator()
        self.backup_action = file_menu.addAction("&Back up now…", self._on_backup_triggered)
        self.restore_action = file_menu.addAction("Res&tore from backup…", self._on_restore_triggered)
        self.check_action = file_menu.addAction("&Check database integrity", self._on_check_triggered)
        file_menu.addSeparator()
        self.quit_action = file_menu.addAction("&Quit", QKeySequence.StandardKey.Quit, self.close)
        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action: QAction = self.undo_group.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.redo_action: QAction = self.undo_group.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence(QKeySequence.StandardKey.Redo)])
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        self.find_action = edit_menu.addAction("&Find", QKeySequence("Ctrl+F"), self.find)
        go_menu = self.menuBar().addMenu("&Go")
        self.go_actions: list[QAction] = []
        for row, entry in enumerate(SCREENS):
            action = go_menu.addAction(entry.title, QKeySequence(f"Ctrl+{row + 1}"),
                                       lambda row=row: self.sidebar.setCurrentRow(row))
            self.go_actions.append(action)
        tools_menu = self.menuBar().addMenu("&Tools")
        # Every action keeps the stored KPI values true; this is for the rare change that moves all
        # of them at once (settings that every value depends on).
        self.recompute_action = tools_menu.addAction("&Recompute all KPI values", self.recompute_all)
        self.recompute_action.setToolTip("Compute every KPI value from all the tickets again, and check the "
                                         "review triggers")
        help_menu = self.menuBar().addMenu("&Help")
        self.manual_action = help_menu.addAction("KPI Desk &manual", QKeySequence(QKeySequence.StandardKey.HelpContents),
                                                 lambda: self._show(help_pages.manual_dialog(self)))
        self.shortcuts_action = help_menu.addAction("&Keyboard shortcuts", lambda: self._show(
            help_pages.shortcuts_dialog(SHORTCUTS, self)))
        help_menu.addSeparator()
        self.about_action = help_menu.addAction("&About KPI Desk", lambda: self._show(
            help_pages.about_dialog(self.store.location, self)))

    def _build_screens(self) -> None:
        """Sidebar rows for every screen; the screens themselves are built when first shown (each
        costs 0.1-0.6 s of widget building and style polish: building all six up front made the
        window take over 2 s to appear). Only the start page is built at once; the Reviews badge is read
        without its screen."""
        self._build_sidebar()
        for row, entry in enumerate(SCREENS):
            if entry.badge is not None:
                self.sidebar.item(row).setText(entry.badge(self.store))
        self._ensure(START_PAGE)
        self.path_label.setText(f"Database: {self.store.location}")
        shared = self.store.path is None
        name = self.store.location.rsplit("/", 1)[-1].split("?")[0] + " (shared)" if shared else self.store.path.name
        self.setWindowTitle(f"KPI Desk \u2014 {name}")
        # A shared database's backups and checks are its server's (pg_dump, `kpidesk backup`).
        for action in (self.backup_action, self.restore_action, self.check_action):
            action.setEnabled(not shared)
            action.setToolTip("A shared database is backed up on its server: `kpidesk backup` runs pg_dump"
                              if shared else "")
        self.sidebar.setCurrentRow(START_PAGE)

    def _build_sidebar(self) -> None:
        self.sidebar.blockSignals(True)
        self.sidebar.clear()
        self.sidebar.blockSignals(False)
        while self.pages.count():
            stand_in = self.pages.widget(0)
            self.pages.removeWidget(stand_in)
            stand_in.deleteLater()
        for entry in SCREENS:
            self.pages.addWidget(QWidget())  # stands in until the screen is built
            self.sidebar.addItem(QListWidgetItem(icon(entry.icon_name), entry.title))

    def attach_store(self, store: Store) -> None:
        """The database a window drawn without one (MainWindow(None)) shows from now on."""
        self.store = store
        self.menuBar().setEnabled(True)
        self._build_screens()
        module_sources.forget()

    def _ensure(self, row: int) -> Screen:
        """The screen of sidebar row `row`, built (and wired to changes and undo) on first use."""
        if row in self._built:
            return self._built[row]
        screen = SCREENS[row].load()(self.store)
        stand_in = self.pages.widget(row)
        self.pages.insertWidget(row, screen)
        self.pages.removeWidget(stand_in)
        stand_in.deleteLater()
        item = self.sidebar.item(row)
        if hasattr(screen, "title_changed"):  # a badge, e.g. "Reviews (3)"
            screen.title_changed.connect(item.setText)
            item.setText(getattr(screen, "badge_text", screen.title))
        screen.changes_made.connect(self.apply_changes)
        self.changes_applied.connect(screen.on_changes)
        stack = screen.undo_stack()
        if stack is not None:
            self.undo_group.addStack(stack)
        self._built[row] = screen
        module_sources.forget()  # a screen's first build loads its code
        return screen

    @property
    def screens(self) -> list[Screen]:
        """The screens built so far, in sidebar order."""
        return [self._built[row] for row in sorted(self._built)]

    def _teardown_screens(self) -> None:
        for screen in self.screens:
            screen.save_state()
            screen.shutdown()
            self.changes_applied.disconnect(screen.on_changes)
            stack = screen.undo_stack()
            if stack is not None:
                self.undo_group.removeStack(stack)
        while self.pages.count():
            page = self.pages.widget(0)
            self.pages.removeWidget(page)
            page.deleteLater()
        self._built.clear()

    # Public API ---------------------------------------------------------------------------------
    def apply_changes(self, changes: Changes) -> None:
        """Tell every screen what changed (call after any Store write or successful op)."""
        self.changes_applied.emit(changes)
        if changes.reviews or changes.kpis:  # a badge whose screen is not built yet reads its count itself
            for row, entry in enumerate(SCREENS):
                if entry.badge is not None and row not in self._built:
                    self.sidebar.item(row).setText(entry.badge(self.store))

    def _row_of(self, cls: type[Screen]) -> int | None:
        return next((row for row, entry in enumerate(SCREENS) if entry.is_for(cls)), None)

    def screen(self, cls: type[Screen]) -> Screen | None:
        row = self._row_of(cls)
        return None if row is None else self._ensure(row)

    def show_screen(self, cls: type[Screen]) -> None:
        row = self._row_of(cls)
        if row is not None:
            self.sidebar.setCurrentRow(row)

    def open_database(self, target: Path | str) -> bool:
        """Switch to the database file at `target`, or the shared one its postgresql:// URL names; the
        current one stays open if that one is refused."""
        from ui.backups import actions as backup_actions

        new = backup_actions.open_or_recover(self, target)  # a damaged file: offer a backup
        if new is None:
            return False
        self._teardown_screens()
        self.store.close()
        self.store = new
        self._build_screens()
        if new.path is not None:  # a URL may carry a password: not kept among the recent files
            state.add_recent_database(new.path)
        self.database_changed.emit(new.path or new.location)
        return True

    def current_screen(self) -> Screen | None:
        return self._built.get(self.sidebar.currentRow())

    def go_to(self, cls: type[S]) -> S:
        """Show the screen of class `cls` (built if need be) and return it."""
        self.show_screen(cls)
        screen = self.screen(cls)
        assert isinstance(screen, cls)
        return screen

    def import_file(self) -> None:
        from ui.imports.screen import ImportsScreen

        self.go_to(ImportsScreen).choose_file()

    def new_kpi(self) -> None:
        from ui.kpi_screen import KpiScreen

        self.go_to(KpiScreen).new_kpi()

    def export(self) -> None:
        """The screen's own export, else the appraisals for HR from the Check-ins screen."""
        screen = self.current_screen()
        if screen is None or not screen.export():
            from ui.checkin.screen import CheckInsScreen

            self.go_to(CheckInsScreen).export_for_hr()

    def find(self) -> None:
        screen = self.current_screen()
        field = screen.find_field() if screen is not None else None
        if field is None:
            self.statusBar().showMessage("Nothing to find on this screen.", 3000)
            return
        field.setFocus()
        field.selectAll()

    def open_settings(self) -> "SettingsDialog":
        from ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.store, self)
        dialog.changes_made.connect(self.apply_changes)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _show(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def recompute_all(self) -> Op[Any]:
        """actions.recompute_all in an op, with progress and cancel (a cancel keeps the values as they were)."""
        store = self.store
        from kpidesk import actions

        self._recompute_op = (Op(self, lambda progress: actions.recompute_all(store, progress).changes)
                              .with_progress("Recomputing every KPI value…")
                              .success(self.apply_changes)
                              .failure(lambda exc: show_error(self, exc)))
        self._recompute_op.run()
        return self._recompute_op

    # Slots --------------------------------------------------------------------------------------
    def _on_sidebar_row_changed(self, row: int) -> None:
        if self.store is None:  # drawn before the database opened: the screens come with it
            return
        if 0 <= row < len(SCREENS):
            screen = self._ensure(row)
            self.pages.setCurrentIndex(row)
            self.undo_group.setActiveStack(screen.undo_stack())  # type: ignore[arg-type]

    def _on_open_triggered(self) -> None:
        start = self.store.path.parent if self.store.path is not None else Path.home()
        name, _ = QFileDialog.getOpenFileName(self, "Open a KPI Desk database", str(start), DB_FILTER)
        if name:
            self.open_database(Path(name))

    def _on_open_shared_triggered(self) -> None:
        from ui.shared_dialog import OpenSharedDialog

        dlg = OpenSharedDialog(self)
        if dlg.exec() == OpenSharedDialog.DialogCode.Accepted and self.open_database(dlg.url()):
            dlg.keep()

    def _on_recent_about_to_show(self) -> None:
        self.recent_menu.clear()
        paths = [p for p in state.recent_databases() if Path(p) != self.store.path]
        for p in paths:
            self.recent_menu.addAction(p, lambda p=p: self.open_database(Path(p)))
        if not paths:
            self.recent_menu.addAction("No other recent databases").setEnabled(False)

    def _on_backup_triggered(self) -> None:
        from ui.backups import actions as backup_actions

        backup_actions.back_up_now(self)

    def _on_restore_triggered(self) -> None:
        from ui.backups import actions as backup_actions

        backup_actions.restore_from_backup(self)

    def _on_check_triggered(self) -> None:
        from ui.backups import actions as backup_actions

        backup_actions.check_integrity(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        state.save_geometry(self)
        for screen in self.screens:
            screen.save_state()
            screen.shutdown()
        if self.store is not None:
            self.store.close()
        super().closeEvent(event)
