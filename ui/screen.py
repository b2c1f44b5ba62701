"""What every page of the main window is: a `Screen`.

How a screen plugs in (Dashboard, Imports and Check-ins will replace their placeholders this way):
    class DashboardScreen(Screen):
        title, icon_name = "Dashboard", "dashboard"
        def on_changes(self, changes: Changes) -> None:
            if changes.measurements or changes.kpis:   # refresh only on your own flags
                self.reload()
then list it in ui.main_window.SCREENS. The window gives each screen the Store, forwards every
`Changes` to `on_changes` (the one `changes_applied` signal), and re-broadcasts what a screen
reports through `changes_made` (emit it after your own Store call or op succeeds).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from kpidesk.records import Changes

if TYPE_CHECKING:
    from kpidesk.store import Store


class Screen(QWidget):
    """A page of the main window. Subclasses set `title` and `icon_name` and override `on_changes`."""

    title: str = ""
    icon_name: str = ""
    changes_made = Signal(object)  # Changes: "I changed the database; tell everyone"

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store

    def on_changes(self, changes: Changes) -> None:
        """Called on the GUI thread after any change (this screen's own ones included)."""

    def undo_stack(self) -> QUndoStack | None:
        """The stack Edit > Undo/Redo acts on while this screen is shown."""
        return None

    def find_field(self) -> QLineEdit | None:
        """The filter box Edit > Find (Ctrl+F) puts the cursor in; None: nothing to find here."""
        return None

    def export(self) -> bool:
        """File > Export (Ctrl+E) on this screen; False: nothing of its own to export (the window
        then opens the HR export of the check-ins)."""
        return False

    def save_state(self) -> None:
        """Save splitters and header layouts (QSettings via ui.state); called when the window closes."""

    def shutdown(self) -> None:
        """Cancel and wait for this screen's running ops; called before the Store closes."""


def page_header(title: str, subtitle: str = "") -> QWidget:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 6)
    lay.setSpacing(2)
    t = QLabel(title, objectName="pageTitle")
    lay.addWidget(t)
    if subtitle:
        lay.addWidget(QLabel(subtitle, objectName="pageSubtitle", wordWrap=True))
    return box


class PlaceholderScreen(Screen):
    """A clean slot for a page another piece of work fills in."""

    def __init__(self, store: Store, title: str, icon_name: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.title, self.icon_name = title, icon_name
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.addWidget(page_header(title))
        lay.addStretch(1)
        head = QLabel(f"{title} is coming", objectName="placeholderTitle", alignment=Qt.AlignmentFlag.AlignCenter)
        body = QLabel(text, objectName="placeholderText", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        body.setMaximumWidth(560)
        lay.addWidget(head)
        lay.addWidget(body, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(2)
