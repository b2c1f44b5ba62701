"""Add a KPI from the built-in library in two clicks: "From template…", then the template.

One click on a template adds it and closes the dialog (the owner box is optional and remembered).
The dialog only picks; the screen does the adding (through the undo stack).
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.templates import KPI_TEMPLATES
from ui.resources import icon
from ui.state import settings

KEY_ROLE = Qt.ItemDataRole.UserRole + 1


class TemplateDialog(QDialog):
    """`chosen_key` and `owner()` are set when the dialog is accepted."""

    def __init__(self, existing_names: set[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a KPI from a template")
        self.resize(560, 560)
        self.chosen_key: str | None = None
        intro = QLabel("Click a template to add it. The health check then says what is still missing "
                       "(usually the baseline and the target date).", objectName="hint", wordWrap=True)
        self.owner_edit = QLineEdit(settings().value("templates/owner", "", str),
                                    placeholderText="optional: who answers for it")
        form = QFormLayout()
        form.addRow("Owner", self.owner_edit)
        self.list = QListWidget(wordWrap=True)
        self.list.setIconSize(QSize(20, 20))
        self.list.setSpacing(2)
        for key, t in sorted(KPI_TEMPLATES.items(), key=lambda kv: (kv[1].category, kv[1].name)):
            taken = " (already in the catalogue: a numbered copy is added)" if t.name in existing_names else ""
            item = QListWidgetItem(icon("template"), f"{t.name}  ·  {t.category}, {t.unit}{taken}\n{t.description}")
            item.setData(KEY_ROLE, key)
            item.setToolTip(t.description)
            self.list.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.list, 1)
        lay.addWidget(buttons)
        self.list.itemClicked.connect(self._on_list_item_clicked)
        buttons.rejected.connect(self.reject)

    def owner(self) -> str:
        return self.owner_edit.text().strip()

    def item_for(self, key: str) -> QListWidgetItem | None:
        return next((self.list.item(i) for i in range(self.list.count())
                     if self.list.item(i).data(KEY_ROLE) == key), None)

    def _on_list_item_clicked(self, item: QListWidgetItem) -> None:
        self.chosen_key = str(item.data(KEY_ROLE))
        settings().setValue("templates/owner", self.owner())
        self.accept()
