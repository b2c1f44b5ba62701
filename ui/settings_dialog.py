"""File > Settings: the database's settings (kpidesk.settings.SETTINGS), each with its label and help
from the core, checked and kept together by the core's action (kpidesk.actions.set_settings, which
`kpidesk settings set` calls too). A change every value depends on (the SLA hours) recomputes them in an
op with progress; a refused value names the setting and what it takes, and nothing is kept.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk import actions
from kpidesk.errors import KpiDeskError, ValidationError
from kpidesk.records import Changes
from kpidesk.settings import SETTINGS, default_words, logo_bytes, logo_from_file
from kpidesk.store import Store
from ui.errors import show_error
from ui.ops import Op

DAY_FIRST = ((None, "Decide from the file (ask when it cannot)"), (True, "Day first: 03/04 is 3 April"),
             (False, "Month first: 03/04 is 4 March"))
ORDER = ("organisation", "logo", "page_size", "rating_scale", "rating_words", "cycle_length", "cycle_due_days",
         "min_count", "sla_hours", "day_first", "backups_keep")
CYCLE_LENGTHS = (("quarter", "Every quarter"), ("half", "Every half-year"), ("year", "Every year"))


def _hint(key: str) -> QLabel:
    label = QLabel(SETTINGS[key].help, objectName="hint", wordWrap=True)
    return label


class SettingsDialog(QDialog):
    """Shows the values of `store`; Save applies the changed ones through the core's action."""

    changes_made = Signal(object)  # Changes

    def __init__(self, store: Store, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Settings")
        self.before = {k: store.get_setting(k) for k in ORDER}
        self._logo = str(self.before["logo"] or "")
        self.op: Op[Any] | None = None

        self.organisation = QLineEdit(str(self.before["organisation"] or ""))
        self.organisation.setPlaceholderText("e.g. Northwind Facilities Ltd")
        self.logo_preview = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.logo_preview.setFixedSize(160, 56)
        self.logo_preview.setObjectName("logoPreview")
        self.logo_button = QPushButton("Choose image…")
        self.logo_button.setToolTip("A PNG or JPEG file, up to 512 KB, printed at the top of every appraisal PDF")
        self.logo_clear = QPushButton("Remove")
        self.logo_clear.setToolTip("Print the PDFs without a logo")
        self.page_size = QComboBox()
        for choice in SETTINGS["page_size"].choices:
            self.page_size.addItem(str(choice), choice)
        self.page_size.setCurrentIndex(max(0, self.page_size.findData(self.before["page_size"])))

        low, high = self.before["rating_scale"]
        self.scale_low, self.scale_high = QSpinBox(minimum=0, maximum=9), QSpinBox(minimum=1, maximum=10)
        self.scale_low.setValue(int(low))
        self.scale_high.setValue(int(high))
        self.words_box = QWidget()
        self.words_grid = QGridLayout(self.words_box)
        self.words_grid.setContentsMargins(0, 0, 0, 0)
        self.word_edits: list[QLineEdit] = []
        self._fill_words(list(self.before["rating_words"] or []))

        self.cycle_length = QComboBox()
        for value, text in CYCLE_LENGTHS:
            self.cycle_length.addItem(text, value)
        self.cycle_length.setCurrentIndex(max(0, self.cycle_length.findData(self.before["cycle_length"])))
        self.cycle_due_days = QSpinBox(minimum=SETTINGS["cycle_due_days"].low, maximum=SETTINGS["cycle_due_days"].high)
        self.cycle_due_days.setValue(int(self.before["cycle_due_days"]))
        self.cycle_due_days.setSuffix(" days after the cycle ends")
        self.min_count = QSpinBox(minimum=SETTINGS["min_count"].low, maximum=SETTINGS["min_count"].high)
        self.min_count.setValue(int(self.before["min_count"]))
        self.min_count.setSuffix(" tickets")
        self.sla: dict[str, QDoubleSpinBox] = {}
        sla_row = QHBoxLayout()
        for tier in ("P1", "P2", "P3", "P4"):
            spin = QDoubleSpinBox(decimals=1, minimum=0.1, maximum=10_000, suffix=" h")
            spin.setValue(float(self.before["sla_hours"][tier]))
            spin.setToolTip(f"The resolution time a {tier} ticket should meet")
            self.sla[tier] = spin
            sla_row.addWidget(QLabel(tier))
            sla_row.addWidget(spin)
        sla_row.addStretch(1)
        self.day_first = QComboBox()
        for value, text in DAY_FIRST:
            self.day_first.addItem(text, value)
        self.day_first.setCurrentIndex(next(i for i, (v, _t) in enumerate(DAY_FIRST) if v == self.before["day_first"]))
        self.backups_keep = QSpinBox(minimum=SETTINGS["backups_keep"].low, maximum=SETTINGS["backups_keep"].high)
        self.backups_keep.setValue(int(self.before["backups_keep"]))

        pdf = QGroupBox("The appraisal PDF and workbook")
        form = QFormLayout(pdf)
        form.addRow(SETTINGS["organisation"].label, self.organisation)
        form.addRow("", _hint("organisation"))
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_preview)
        logo_row.addWidget(self.logo_button)
        logo_row.addWidget(self.logo_clear)
        logo_row.addStretch(1)
        form.addRow(SETTINGS["logo"].label, logo_row)
        form.addRow(SETTINGS["page_size"].label, self.page_size)
        rating = QGroupBox("Ratings")
        rform = QFormLayout(rating)
        scale_row = QHBoxLayout()
        scale_row.addWidget(self.scale_low)
        scale_row.addWidget(QLabel("to"))
        scale_row.addWidget(self.scale_high)
        scale_row.addStretch(1)
        rform.addRow(SETTINGS["rating_scale"].label, scale_row)
        rform.addRow(SETTINGS["rating_words"].label, self.words_box)
        rform.addRow("", _hint("rating_words"))
        rform.addRow(SETTINGS["cycle_length"].label, self.cycle_length)
        rform.addRow(SETTINGS["cycle_due_days"].label, self.cycle_due_days)
        rform.addRow("", _hint("cycle_due_days"))
        data = QGroupBox("Values and imports")
        dform = QFormLayout(data)
        dform.addRow(SETTINGS["min_count"].label, self.min_count)
        dform.addRow("", _hint("min_count"))
        dform.addRow(SETTINGS["sla_hours"].label, sla_row)
        dform.addRow("", _hint("sla_hours"))
        dform.addRow(SETTINGS["day_first"].label, self.day_first)
        dform.addRow(SETTINGS["backups_keep"].label, self.backups_keep)
        dform.addRow("", QLabel("The status and priority answers you give while importing are kept with the "
                                "import's mapping (Imports screen).", objectName="hint", wordWrap=True))

        self.message = QLabel(objectName="errorText", wordWrap=True)
        self.message.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setToolTip("Check and keep the changed settings")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip("Close without changing anything")
        # One tab per group: together they were too tall for a 800 px screen.
        self.tabs = QTabWidget()
        for box, title in ((pdf, "Appraisal PDF"), (rating, "Ratings"), (data, "Values and imports")):
            page = QWidget()
            page_lay = QVBoxLayout(page)
            box.setTitle("")
            box.setFlat(True)
            page_lay.addWidget(box)
            page_lay.addStretch(1)
            self.tabs.addTab(page, title)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        self.resize(720, 560)
        self._show_logo()

        self.logo_button.clicked.connect(self._on_logo_button_clicked)
        self.logo_clear.clicked.connect(self._on_logo_clear_clicked)
        self.scale_low.valueChanged.connect(self._on_scale_changed)
        self.scale_high.valueChanged.connect(self._on_scale_changed)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    # Values -------------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """What the dialog holds now, as the settings take them."""
        return {
            "organisation": self.organisation.text().strip(), "logo": self._logo,
            "page_size": self.page_size.currentData(),
            "rating_scale": [self.scale_low.value(), self.scale_high.value()],
            "rating_words": [e.text().strip() for e in self.word_edits],
            "cycle_length": self.cycle_length.currentData(), "cycle_due_days": self.cycle_due_days.value(),
            "min_count": self.min_count.value(),
            "sla_hours": {t: (int(s.value()) if s.value().is_integer() else s.value()) for t, s in self.sla.items()},
            "day_first": self.day_first.currentData(), "backups_keep": self.backups_keep.value(),
        }

    def changed(self) -> dict[str, Any]:
        now = self.values()
        return {k: now[k] for k in ORDER if now[k] != self.before[k]}

    def save(self) -> Op[Any] | None:
        """Apply the changed settings in order, off the GUI thread (new SLA hours recompute every value)."""
        todo = self.changed()
        if not todo:
            self.accept()
            return None
        store = self.store

        def apply(progress: Any) -> Changes:  # all or nothing: a refused value keeps none of them
            return actions.set_settings(store, todo, progress=progress).changes

        self.buttons.setEnabled(False)
        self.op = Op(self, apply).with_progress("Saving the settings").success(self._on_saved).failure(self._on_failed)
        self.op.run()
        return self.op

    def _on_saved(self, changes: Changes) -> None:
        self.buttons.setEnabled(True)
        self.changes_made.emit(changes | Changes(settings=True))
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.message.setText("Not saved: " + "; ".join(f"{SETTINGS[k].label if k in SETTINGS else k}: {v}"
                                                           for k, v in exc.problems.items()))
            self.message.setVisible(True)
            return
        show_error(self, exc)

    # Slots --------------------------------------------------------------------------------------
    def _fill_words(self, words: list[str]) -> None:
        while self.words_grid.count():
            item = self.words_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        low, high = self.scale_low.value(), self.scale_high.value()
        self.word_edits = []
        for i, point in enumerate(range(low, high + 1)):
            edit = QLineEdit(words[i] if i < len(words) else "")
            edit.setToolTip(f"What a rating of {point} means")
            self.words_grid.addWidget(QLabel(str(point)), i, 0)
            self.words_grid.addWidget(edit, i, 1)
            self.word_edits.append(edit)

    def _on_scale_changed(self, _value: int) -> None:
        if self.scale_high.value() <= self.scale_low.value():
            self.scale_high.setValue(self.scale_low.value() + 1)
            return
        self._fill_words(default_words((self.scale_low.value(), self.scale_high.value())))

    def _show_logo(self) -> None:
        data = logo_bytes(self._logo)
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            self.logo_preview.setPixmap(pixmap.scaled(self.logo_preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                      Qt.TransformationMode.SmoothTransformation))
        else:
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText("No logo")
        self.logo_clear.setEnabled(bool(data))

    def set_logo_file(self, path: str) -> None:
        try:
            self._logo = logo_from_file(Path(path))
        except KpiDeskError as exc:
            show_error(self, exc)
            return
        self._show_logo()

    def _on_logo_button_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Choose the logo", "", "Images (*.png *.jpg *.jpeg)")
        if name:
            self.set_logo_file(name)

    def _on_logo_clear_clicked(self) -> None:
        self._logo = ""
        self._show_logo()
