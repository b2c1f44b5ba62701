"""New technician names found in a ticket export: add each as a new technician, say it is someone
already known (merge: the name becomes their alias and the tickets go to them), or ignore it (its
tickets stay unassigned). `alias_overrides()` is what tickets_import.run takes.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.imports.models import NameChoicesModel, NameColumn

Index = QModelIndex | QPersistentModelIndex


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box over NameChoicesModel.choices for the ACTION column."""

    def __init__(self, model: NameChoicesModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        combo = QComboBox(parent)
        for c in self._model.choices:
            combo.addItem(c.label)
        combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        combo.activated.connect(lambda _i, c=combo: self.commitData.emit(c))
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(int(index.data(Qt.ItemDataRole.EditRole) or 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentIndex(), Qt.ItemDataRole.EditRole)


class NamesDialog(QDialog):
    """Ask what to do with each new name before the import is written."""

    def __init__(self, file_name: str, names: list[str], technicians: list[tuple[int, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New names in the file")
        self.resize(660, min(520, 230 + 34 * len(names)))
        self.setMinimumSize(520, 280)
        self.model = NameChoicesModel(names, technicians, self)
        title = QLabel(f"{len(names)} name{'s' if len(names) != 1 else ''} in {file_name} "
                       f"{'do' if len(names) != 1 else 'does'} not match anyone in People", objectName="sectionTitle")
        hint = QLabel("Add a name as a new technician, say it is someone you already have (for example "
                      "'J. Doe' is Jane Doe: the name is kept as her alias and the tickets are hers), or ignore "
                      "it (its tickets are imported without a technician).", wordWrap=True, objectName="hint")
        self.table = QTableView(alternatingRowColors=True)
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(NameColumn.ACTION, ChoiceDelegate(self.model, self.table))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the combos take the focus, not the cells
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(32)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NameColumn.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(NameColumn.ACTION, QHeaderView.ResizeMode.Stretch)
        for row in range(self.model.rowCount()):
            self.table.openPersistentEditor(self.model.index(row, NameColumn.ACTION))

        self.all_new_button = QPushButton("All new")
        self.all_ignore_button = QPushButton("Ignore all")
        self.all_new_button.clicked.connect(self._on_all_new_button_clicked)
        self.all_ignore_button.clicked.connect(self._on_all_ignore_button_clicked)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("primary")
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.all_new_button)
        bottom.addWidget(self.all_ignore_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.addWidget(title)
        lay.addWidget(hint)
        lay.addWidget(self.table, 1)
        lay.addLayout(bottom)

    def alias_overrides(self) -> dict[str, int | None]:
        return self.model.alias_overrides()

    def merge(self, name: str, technician_id: int) -> None:
        """Answer 'same person as technician_id' for `name` (as picking it in the combo does)."""
        row = self.model.names().index(name)
        choice = next(c for c in self.model.choices if c.action == "merge" and c.technician_id == technician_id)
        self.model.set_choice(row, choice)
        self._refresh_editors()

    def ignore(self, name: str) -> None:
        self.model.set_choice(self.model.names().index(name), self.model.choices[1])
        self._refresh_editors()

    def _refresh_editors(self) -> None:
        for row in range(self.model.rowCount()):
            index = self.model.index(row, NameColumn.ACTION)
            editor: Any = self.table.indexWidget(index)
            if isinstance(editor, QComboBox):
                editor.setCurrentIndex(int(index.data(Qt.ItemDataRole.EditRole)))

    def _on_all_new_button_clicked(self) -> None:
        self.model.set_all("new")
        self._refresh_editors()

    def _on_all_ignore_button_clicked(self) -> None:
        self.model.set_all("ignore")
        self._refresh_editors()


if __name__ == "__main__":
    import sys

    from PySide6.QtWidgets import QApplication

    from ui.resources import stylesheet

    app = QApplication(sys.argv)
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    dialog = NamesDialog("incident.xlsx", ["J. Doe", "Sam Lee", "Robot (auto)"], [(1, "Jane Doe"), (2, "Omar Haddad")])
    dialog.show()
    sys.exit(app.exec())
