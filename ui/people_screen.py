"""The People screen: technicians (with the aliases exports use), teams, and role profiles (their
KPIs, weights and role targets; a role can be added from the built-in role templates)."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk import actions
from kpidesk.errors import KpiDeskError
from kpidesk.records import Changes
from kpidesk.store import Store
from kpidesk.templates import ROLE_TEMPLATES
from ui import state
from ui.errors import show_error
from ui.people_dialogs import RoleDialog, TeamDialog, TechnicianDialog
from ui.people_models import RoleKpiTableModel, RoleTableModel, TeamTableModel, TechnicianTableModel
from ui.record_model import RECORD_ROLE, RecordTableModel
from ui.resources import icon
from ui.screen import Screen, page_header
from ui.views import record_table


class RecordTab(QWidget):
    """A toolbar (Add, Edit, Delete) over a sortable table of records."""

    def __init__(self, model: RecordTableModel, noun: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.add_button = QPushButton(icon("add"), f"Add {noun}")
        self.add_button.setToolTip(f"Add a {noun}")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip(f"Change the selected {noun} (or double-click it)")
        self.delete_button = QPushButton(icon("delete"), "Delete")
        self.delete_button.setToolTip(f"Delete the selected {noun} (you are asked first)")
        self.filter_edit = QLineEdit(placeholderText=f"Find a {noun}…", clearButtonEnabled=True)
        self.filter_edit.setToolTip(f"Show only the {noun}s whose row contains this text (Ctrl+F)")
        self.filter_edit.setMaximumWidth(280)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.bar = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button):
            self.bar.addWidget(b)
        self.bar.addStretch(1)
        self.bar.addWidget(self.filter_edit)
        self.table = record_table(self.proxy)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 10, 10)
        lay.addLayout(self.bar)
        lay.addWidget(self.table, 1)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self._update_buttons()

    def current(self) -> object | None:
        index = self.table.currentIndex()
        return index.data(RECORD_ROLE) if index.isValid() else None

    def set_records(self, records: list) -> None:
        current = getattr(self.current(), "id", None)
        self.model.set_records(records)
        row = self.model.row_of(current)
        if row >= 0:
            self.table.setCurrentIndex(self.proxy.mapFromSource(self.model.index(row, 0)))
        self._update_buttons()

    def _on_table_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.current() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)


class PeopleScreen(Screen):
    title, icon_name = "People", "people"

    def find_field(self) -> QLineEdit:
        tab = self.tabs.currentWidget()
        return tab.filter_edit if isinstance(tab, RecordTab) else self.roles.filter_edit

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.technicians = RecordTab(TechnicianTableModel(self), "technician")
        self.teams = RecordTab(TeamTableModel(self), "team")
        self.roles = RecordTab(RoleTableModel(self), "role profile")
        self.template_button = QPushButton(icon("template"), "From role template")
        self.template_button.setToolTip("A ready role profile with the KPIs it needs")
        menu = QMenu(self.template_button)
        for name, (desc, _items) in ROLE_TEMPLATES.items():
            action = menu.addAction(name)
            action.setToolTip(desc)
            action.triggered.connect(lambda _=False, n=name: self.add_role_from_template(n))
        self.template_button.setMenu(menu)
        self.roles.bar.insertWidget(1, self.template_button)
        self.role_kpis = RoleKpiTableModel(self)
        detail = QTableView(alternatingRowColors=True)
        detail.setModel(self.role_kpis)
        detail.verticalHeader().hide()
        detail.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        detail.horizontalHeader().setStretchLastSection(True)
        self.role_split = QSplitter(Qt.Orientation.Horizontal)
        self.role_split.addWidget(self.roles)
        box = QWidget()
        box_lay = QVBoxLayout(box)
        box_lay.setContentsMargins(6, 10, 10, 10)
        self.role_title = QLabel("Select a role profile to see its KPIs", objectName="sectionTitle")
        box_lay.addWidget(self.role_title)
        box_lay.addWidget(detail, 1)
        self.role_split.addWidget(box)
        self.role_split.setSizes([520, 480])
        state.restore_splitter(self.role_split, "people/roles")

        self.tabs = QTabWidget()
        self.tabs.addTab(self.technicians, "Technicians")
        self.tabs.addTab(self.teams, "Teams")
        self.tabs.addTab(self.role_split, "Role profiles")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 12)
        lay.addWidget(page_header("People", "Technicians as they appear in helpdesk exports, their teams, "
                                  "and the role profiles that say which KPIs apply to whom."))
        lay.addWidget(self.tabs, 1)

        self.technicians.add_button.clicked.connect(lambda: self.edit_technician(None))
        self.technicians.edit_button.clicked.connect(lambda: self.edit_technician(self.technicians.current()))
        self.technicians.table.doubleClicked.connect(lambda _i: self.edit_technician(self.technicians.current()))
        self.technicians.delete_button.clicked.connect(self._on_technicians_delete)
        self.teams.add_button.clicked.connect(lambda: self.edit_team(None))
        self.teams.edit_button.clicked.connect(lambda: self.edit_team(self.teams.current()))
        self.teams.table.doubleClicked.connect(lambda _i: self.edit_team(self.teams.current()))
        self.teams.delete_button.clicked.connect(self._on_teams_delete)
        self.roles.add_button.clicked.connect(lambda: self.edit_role(None))
        self.roles.edit_button.clicked.connect(lambda: self.edit_role(self.roles.current()))
        self.roles.table.doubleClicked.connect(lambda _i: self.edit_role(self.roles.current()))
        self.roles.delete_button.clicked.connect(self._on_roles_delete)
        self.roles.table.selectionModel().currentRowChanged.connect(self._on_roles_current_changed)
        self.reload()

    # Screen API ---------------------------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        if changes.people or changes.kpis:
            self.reload()

    def save_state(self) -> None:
        state.save_splitter(self.role_split, "people/roles")

    def reload(self) -> None:
        self.technicians.set_records(self.store.list_technicians())
        self.teams.set_records(self.store.list_teams())
        self.roles.set_records(self.store.list_role_profiles())
        self._on_roles_current_changed(QModelIndex(), QModelIndex())

    # Actions ------------------------------------------------------------------------------------
    def _apply(self, call: Callable[[], object]) -> bool:
        """Run an action (an Outcome), or a call that returns Changes or (record, Changes); reload and
        broadcast."""
        result = call()
        changes = (result.changes if isinstance(result, actions.Outcome) else result[1] if isinstance(result, tuple)
                   else result)
        self.reload()
        self.changes_made.emit(changes)
        return True

    def edit_technician(self, rec: object | None) -> None:
        save = actions.update_technician if rec is not None else actions.create_technician
        dlg = TechnicianDialog(rec, self.store.list_teams(), self.store.list_role_profiles(),  # type: ignore[arg-type]
                               lambda r: self._apply(lambda: save(self.store, r)), self)
        dlg.exec()

    def edit_team(self, rec: object | None) -> None:
        if rec is None:
            save: Callable[[object], object] = lambda r: actions.create_team(self.store, r.name, r.description)  # noqa: E731
        else:
            save = lambda r: actions.update_team(self.store, r)  # type: ignore[arg-type] # noqa: E731
        TeamDialog(rec, lambda r: self._apply(lambda: save(r)), self).exec()  # type: ignore[arg-type]

    def edit_role(self, rec: object | None) -> None:
        kpis = [(k.name, k.id) for k in self.store.list_kpis() if k.id is not None]
        RoleDialog(rec, kpis, lambda r: self._apply(lambda: actions.save_role_profile(self.store, r)), self).exec()  # type: ignore[arg-type]

    def add_role_from_template(self, name: str) -> None:
        try:
            self._apply(lambda: actions.add_role_template(self.store, name))
        except KpiDeskError as exc:
            show_error(self, exc)

    def _delete(self, what: str, name: str, call: Callable[[], object]) -> None:
        answer = QMessageBox.question(self, f"Delete {what}", f"Delete {what} {name!r}? This cannot be undone.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self._apply(call)
        except KpiDeskError as exc:
            show_error(self, exc)

    def _on_technicians_delete(self) -> None:
        t = self.technicians.current()
        if t is not None:
            self._delete("technician", t.display_name, lambda: actions.delete_technician(self.store, t.id))  # type: ignore[attr-defined]

    def _on_teams_delete(self) -> None:
        t = self.teams.current()
        if t is not None:
            self._delete("team", t.name, lambda: actions.delete_team(self.store, t.id))  # type: ignore[attr-defined]

    def _on_roles_delete(self) -> None:
        r = self.roles.current()
        if r is not None:
            self._delete("role profile", r.name, lambda: actions.delete_role_profile(self.store, r.id))  # type: ignore[attr-defined]

    def _on_roles_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        role = self.roles.current()
        self.role_kpis.set_records(list(role.kpis) if role is not None else [])  # type: ignore[attr-defined]
        self.role_title.setText(f"KPIs of {role.name}" if role is not None  # type: ignore[attr-defined]
                                else "Select a role profile to see its KPIs")


if __name__ == "__main__":
    import sys
    import tempfile
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from kpidesk.templates import start_with_templates
    from ui.resources import stylesheet

    app = QApplication(sys.argv)
    app.setStyleSheet(stylesheet())
    preview_store = Store.open(Path(tempfile.mkdtemp()) / "preview.db")
    start_with_templates(preview_store)
    screen = PeopleScreen(preview_store)
    screen.resize(1100, 700)
    screen.show()
    sys.exit(app.exec())
