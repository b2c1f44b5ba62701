"""Small form widgets: a number box that accepts any text (so a bad value can be shown and refused,
not silently clamped), an optional date, and a field row with its message underneath."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QLabel, QLineEdit, QVBoxLayout, QWidget

NO_DATE = QDate(2000, 1, 1)


class NumberEdit(QLineEdit):
    """Text in, `float | None` out. `parse_error()` says why the text is not a number."""

    def value(self) -> float | None:
        text = self.text().strip().replace(",", ".").replace(" ", "")
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            return None

    def set_value(self, value: float | None) -> None:
        self.setText("" if value is None else f"{value:g}")

    def parse_error(self) -> str:
        return "must be a number" if self.text().strip() and self.value() is None else ""


class OptionalDateEdit(QDateEdit):
    """A date that may be empty: the lowest date shows as "not set"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(NO_DATE)
        self.setSpecialValueText("not set")
        self.setDate(NO_DATE)

    def value(self) -> dt.date | None:
        d = self.date()
        return None if d == NO_DATE else dt.date(d.year(), d.month(), d.day())

    def set_value(self, value: dt.date | None) -> None:
        self.setDate(NO_DATE if value is None else QDate(value.year, value.month, value.day))


class ChoiceCombo(QComboBox):
    """A combo of (label, value) pairs; `value()` returns the data of the current item. Its width
    does not follow its longest item, so forms stay usable in a narrow pane."""

    def __init__(self, parent: QWidget | None = None, editable: bool = False) -> None:
        super().__init__(parent)
        self.setEditable(editable)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(8)
        # A name longer than the box is elided: the whole of it is in the tool tip.
        self.currentTextChanged.connect(self.setToolTip)

    def set_choices(self, choices: list[tuple[str, object]]) -> None:
        current = self.value()
        self.blockSignals(True)
        self.clear()
        for label, value in choices:
            self.addItem(label, value)
        self.set_value(current)
        self.blockSignals(False)

    def value(self) -> object:
        return self.currentData() if self.currentIndex() >= 0 else None

    def set_value(self, value: object) -> None:
        i = self.findData(value)
        self.setCurrentIndex(i if i >= 0 else 0)


class FieldRow(QWidget):
    """An editor with a message line beneath it; the message shows only when set."""

    message_changed = Signal(str)

    def __init__(self, editor: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(editor)
        self.error = QLabel(objectName="fieldError", wordWrap=True)
        self.error.hide()
        lay.addWidget(self.error)

    def set_message(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        if bool(self.editor.property("invalid")) != bool(text):  # re-polish only on a change
            self.editor.setProperty("invalid", bool(text))
            self.editor.style().unpolish(self.editor)
            self.editor.style().polish(self.editor)
        self.message_changed.emit(text)

    def message(self) -> str:
        return self.error.text() if self.error.isVisible() or self.error.text() else ""
