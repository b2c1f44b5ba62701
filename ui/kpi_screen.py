"""The KPI catalogue screen: a sortable, filterable table, the editor form and the health check.

Every edit goes through a QUndoCommand on this screen's QUndoStack (Edit > Undo / Redo, Ctrl+Z /
Ctrl+Shift+Z), and each command calls the Store. After each change the screen reloads itself and
reports the Changes (`changes_made`) for the other screens.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from kpidesk import actions
from kpidesk.errors import KpiDeskError, ValidationError
from kpidesk.records import Changes, KpiRecord
from kpidesk.store import Store
from kpidesk.ui_queries import CATEGORIES
from ui import state
from ui.errors import show_error
from ui.health_panel import HealthPanel
from ui.kpi_form import KpiForm
from ui.kpi_table_model import HEADERS, ID_ROLE, Columns, KpiFilterProxy, KpiTableModel
from ui.kpi_undo import AddTemplateCommand, CreateKpiCommand, DeleteKpiCommand, EditKpiCommand, KpiEditContext
from ui.resources import icon
from ui.screen import Screen, page_header
from ui.template_dialog import TemplateDialog
from ui.views import record_table


COLUMN_WIDTHS = {Columns.NAME: 200, Columns.KIND: 64, Columns.CATEGORY: 126, Columns.UNIT: 60,
                 Columns.DIRECTION: 120, Columns.TARGET: 82, Columns.BASELINE: 76, Columns.TRIGGER: 60,
                 Columns.CADENCE: 80, Columns.OWNER: 116, Columns.HEALTH: 58}
# Category too: the filter beside the search box picks by it, and six columns fit beside the editor
# at 1280 px without cutting any (tests/ui/test_label_fit.py); the header's menu shows any of them.
HIDDEN_BY_DEFAULT = (Columns.UNIT, Columns.DIRECTION, Columns.BASELINE, Columns.CADENCE, Columns.CATEGORY)


class KpiScreen(Screen):
    title, icon_name = "KPIs", "kpis"

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.undo = QUndoStack(self)
        self.ctx = KpiEditContext(store, self)
        self.model = KpiTableModel(self)
        self.proxy = KpiFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._own_changes: Changes | None = None
        self._build()
        self.ctx.changed.connect(self._on_ctx_changed)
        self.ctx.failed.connect(self._on_ctx_failed)
        self.reload()
        if self.proxy.rowCount():
            self.select_kpi(self.proxy.index(0, 0).data(ID_ROLE))

    # Building -----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.new_button = QPushButton(icon("add"), "New KPI")
        self.new_button.setToolTip('A new, empty KPI in the editor (Ctrl+N)')
        self.template_button = QPushButton(icon("template"), "From template…")
        self.template_button.setToolTip('Add KPIs from the built-in library, ready to adjust')
        self.delete_button = QPushButton(icon("delete"), "Delete")
        self.delete_button.setToolTip('Delete the selected KPI (you are asked first; Edit > Undo brings it back)')
        self.filter_edit = QLineEdit(placeholderText="Filter by name, owner, unit…", clearButtonEnabled=True)
        self.filter_edit.setMinimumWidth(160)
        self.category_combo = QComboBox()
        self.category_combo.addItem("All categories", "")
        for c in CATEGORIES:
            self.category_combo.addItem(c.capitalize(), c)
        bar = QHBoxLayout()
        for w in (self.new_button, self.template_button, self.delete_button):
            w.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            bar.addWidget(w)
        bar.addStretch(1)
        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.category_combo)

        self.table = record_table(self.proxy)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        for col, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(col, width)
        for col in HIDDEN_BY_DEFAULT:
            self.table.setColumnHidden(col, True)
        self.table.sortByColumn(Columns.NAME, Qt.SortOrder.AscendingOrder)
        state.restore_header(header, "kpi/table/v2")
        self.table.viewport().installEventFilter(self)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_context_menu)

        self.health = HealthPanel()
        self.form = KpiForm()
        self.left_split = QSplitter(Qt.Orientation.Vertical)
        table_box = QWidget()
        table_lay = QVBoxLayout(table_box)
        table_lay.setContentsMargins(0, 0, 0, 0)
        table_lay.addLayout(bar)
        table_lay.addLayout(filters)
        table_lay.addWidget(self.table, 1)
        self.left_split.addWidget(table_box)
        self.left_split.addWidget(self.health)
        self.left_split.setStretchFactor(0, 3)
        self.left_split.setStretchFactor(1, 2)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.left_split)
        self.split.addWidget(self.form)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setChildrenCollapsible(False)
        self.split.setSizes([760, 380])
        state.restore_splitter(self.split, "kpi/main")
        state.restore_splitter(self.left_split, "kpi/left")

        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 12)
        lay.addWidget(page_header("KPI catalogue", "Define what you measure. A metric becomes a KPI once it "
                                  "has an owner, a target and a review trigger."))
        lay.addWidget(self.split, 1)

        self.new_button.clicked.connect(self._on_new_clicked)
        self.template_button.clicked.connect(self._on_template_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.category_combo.currentIndexChanged.connect(self._on_category_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.form.save_requested.connect(self._on_form_save_requested)
        self.form.draft_changed.connect(self._on_form_draft_changed)
        self.form.new_objective_requested.connect(self._on_form_new_objective)
        self.health.field_activated.connect(self._on_health_field_activated)

    # Screen API ---------------------------------------------------------------------------------
    def undo_stack(self) -> QUndoStack:
        return self.undo

    def on_changes(self, changes: Changes) -> None:
        if changes is self._own_changes:
            return  # already reloaded when we made it
        if changes.kpis or changes.people:
            self.reload()

    def save_state(self) -> None:
        state.save_splitter(self.split, "kpi/main")
        state.save_splitter(self.left_split, "kpi/left")
        state.save_header(self.table.horizontalHeader(), "kpi/table/v2")

    def reload(self) -> None:
        """Re-read the catalogue, keeping the selected KPI (the form keeps unsaved edits)."""
        current = self.selected_id()
        records = self.store.list_kpis()
        self.model.set_records(records)
        self._fit_columns()
        owners = [k.owner for k in records if k.owner] + [t.display_name for t in self.store.list_technicians()]
        self.form.set_choices([(o.name, o.id) for o in self.store.list_objectives() if o.id is not None],
                              [(k.name, k.id) for k in records if k.id is not None], owners)
        if current is not None and self.model.row_of(current) >= 0:
            self.select_kpi(current, load=False)
        self.delete_button.setEnabled(self.selected_id() is not None)
        self.health.show_report(self.form.record(), records)

    def _fit_columns(self) -> None:
        """Every other column as wide as its widest cell or header (never cut), the name column
        the room they leave (at least 150 px; a longer name is elided, whole in its tool tip)."""
        header = self.table.horizontalHeader()
        for c in Columns:
            if c not in (Columns.NAME, Columns.OWNER) and not header.isSectionHidden(c):
                need = max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c)) + 6
                if header.sectionSize(c) < need:
                    header.resizeSection(c, need)
        others = sum(header.sectionSize(c) for c in Columns if c != Columns.NAME and not header.isSectionHidden(c))
        header.resizeSection(Columns.NAME, max(150, self.table.viewport().width() - others))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def selected_id(self) -> int | None:
        index = self.table.selectionModel().currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def select_kpi(self, kpi_id: int | None, load: bool = True) -> None:
        row = self.model.row_of(kpi_id) if kpi_id is not None else -1
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():  # filtered out: show it anyway
            self.filter_edit.clear()
            self.category_combo.setCurrentIndex(0)
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        sel = self.table.selectionModel()
        sel.blockSignals(not load)
        sel.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                            | QItemSelectionModel.SelectionFlag.Rows)
        sel.blockSignals(False)
        self.table.scrollTo(index)
        if load:
            self.form.set_record(self.model.record(row))
        self.delete_button.setEnabled(True)

    # Edits (all through the undo stack) ---------------------------------------------------------
    def _run(self, command: CreateKpiCommand | EditKpiCommand | DeleteKpiCommand) -> bool:
        try:
            command.apply()
        except ValidationError as exc:
            self.form.show_problems(exc.problems)
            return False
        except KpiDeskError as exc:
            show_error(self, exc)
            return False
        self.undo.push(command)
        return True

    def add_from_template(self, key: str, owner: str = "") -> bool:
        return self._run(AddTemplateCommand(self.ctx, key, owner))

    def _on_form_save_requested(self, rec: KpiRecord) -> None:
        if rec.id is None:
            self._run(CreateKpiCommand(self.ctx, rec))
        else:
            self._run(EditKpiCommand(self.ctx, self.store.get_kpi(rec.id), rec))

    def _on_delete_clicked(self) -> None:
        kpi_id = self.selected_id()
        if kpi_id is None:
            return
        rec = self.store.get_kpi(kpi_id)
        answer = QMessageBox.question(
            self, "Delete KPI", f"Delete {rec.name!r}?\n\nEdit > Undo brings its definition back, but the values "
            "recorded for it and its target history are deleted with it.")
        if answer == QMessageBox.StandardButton.Yes:
            self._run(DeleteKpiCommand(self.ctx, rec))

    def _on_ctx_changed(self, changes: Changes, kpi_id: int | None) -> None:
        self._own_changes = changes
        self.reload()
        if kpi_id is not None:
            self.select_kpi(kpi_id)
        elif self.selected_id() is None:
            self.form.set_record(None)
        else:
            self.form.set_record(self.model.record(self.model.row_of(self.selected_id())))  # type: ignore[arg-type]
        self.changes_made.emit(changes)

    def _on_ctx_failed(self, exc: BaseException) -> None:
        show_error(self, exc)
        self.reload()

    # Slots --------------------------------------------------------------------------------------
    def find_field(self) -> QLineEdit:
        return self.filter_edit

    def new_kpi(self) -> None:
        """A new, empty KPI in the editor (the New KPI button, and File > New KPI, Ctrl+N)."""
        self._on_new_clicked()

    def _on_new_clicked(self) -> None:
        self.table.selectionModel().clearSelection()
        self.table.selectionModel().setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        self.form.set_record(None)
        self.form.name.setFocus()
        self.delete_button.setEnabled(False)

    def _on_template_clicked(self) -> None:
        dlg = TemplateDialog({k.name for k in self.model.records()}, self)
        if dlg.exec() and dlg.chosen_key:
            self.add_from_template(dlg.chosen_key, dlg.owner())

    def _on_category_changed(self, _index: int) -> None:
        self.proxy.set_category(str(self.category_combo.currentData() or ""))

    def _on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        kpi_id = current.data(ID_ROLE)
        if kpi_id == self.form.current_id():
            return
        if self.form.is_dirty() and self.form.current_id() is not None:
            keep = QMessageBox.question(self, "Unsaved changes", "Discard your unsaved changes to this KPI?")
            if keep != QMessageBox.StandardButton.Yes:
                return
        self.form.set_record(self.model.record(self.model.row_of(kpi_id)))
        self.delete_button.setEnabled(True)

    def _on_header_context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for col in Columns:
            action = menu.addAction(HEADERS[col])
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(col))
            action.setEnabled(col != Columns.NAME)
            action.toggled.connect(lambda on, c=col: (self.table.setColumnHidden(c, not on), self._fit_columns()))
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))

    def _on_form_draft_changed(self, draft: KpiRecord) -> None:
        self.health.show_report(draft, self.model.records())

    def _on_form_new_objective(self) -> None:
        name, ok = QInputDialog.getText(self, "New objective", "Business objective this KPI serves:")
        if not ok or not name.strip():
            return
        try:
            done = actions.create_objective(self.store, name)
            rec, changes = done.result, done.changes
        except KpiDeskError as exc:
            show_error(self, exc)
            return
        self._own_changes = changes
        self.reload()
        self.form.objective.set_value(rec.id)
        self.changes_made.emit(changes)

    def _on_health_field_activated(self, field: str) -> None:
        row = self.form.rows.get(field)
        if row is not None:
            row.editor.setFocus()
            parent = row.parentWidget()
            while parent is not None and not hasattr(parent, "ensureWidgetVisible"):
                parent = parent.parentWidget()
            if parent is not None:
                parent.ensureWidgetVisible(row)  # type: ignore[attr-defined]


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
    start_with_templates(preview_store, owner="Dana Whitfield")
    screen = KpiScreen(preview_store)
    screen.resize(1200, 760)
    screen.show()
    sys.exit(app.exec())
