"""The dashboard's line about overdue review cycles (issue 17):

    Check-ins overdue: 2026-Q3, 3 of 8 not signed (due 30 Oct) — Open cycle

Which cycles are overdue is the core's (kpidesk.appraisal.cycles.overdue_cycles). It is read on the
banner's own Loader after the window has drawn (the core module is imported on the worker, so
start-up loads none of it), and again when check-ins, people or settings change. Hidden when no
cycle is overdue. "Open cycle" asks the window for the Check-ins screen's Review cycle tab.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from kpidesk.records import Changes
from kpidesk.store import Store
from ui.dashboard.loader import Loader

STYLE = ("QLabel { background:#fdecea; border:1px solid #f5b5ae; border-radius:4px; padding:6px 10px; "
         "color:#7a1c12; }")


def _read(store: Store, today: Optional[dt.date]) -> list[tuple[str, int, int, str]]:
    """Worker thread: (period, unsigned, members, due) per overdue cycle, newest first."""
    from kpidesk.appraisal.cycles import overdue_cycles

    return [(c.period, len(c.unsigned), len(c.members), f"{c.due:%d %b %Y}") for c in overdue_cycles(store, today)]


class CycleBanner(QLabel):
    """A red line naming the overdue cycles, with a link to the first one."""

    open_requested = Signal(str)  # the period of the cycle to open
    loaded = Signal()

    def __init__(self, store: Store, today: Optional[dt.date] = None, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.store, self.today = store, today
        self.cycles: list[tuple[str, int, int, str]] = []
        self.setStyleSheet(STYLE)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                     | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.setToolTip("Review cycles past their due date with check-ins still unsigned")
        self.hide()
        self.loader = Loader(self)
        self.linkActivated.connect(self._on_link_activated)

    def load(self) -> None:
        store, today = self.store, self.today
        self.loader.request(lambda _p: _read(store, today), self._on_read)

    def on_changes(self, changes: Changes) -> None:
        if changes.checkins or changes.people or changes.settings:
            self.load()

    def shutdown(self) -> None:
        self.loader.shutdown()

    def _on_read(self, cycles: Any) -> None:
        self.cycles = list(cycles)
        if not self.cycles:
            self.hide()
        else:
            parts = [f"{period}, {unsigned} of {members} not signed (due {due})"
                     for period, unsigned, members, due in self.cycles]
            self.setText(f"<b>Check-ins overdue:</b> {'; '.join(parts)} \u2014 "
                         f"<a href=\"{self.cycles[0][0]}\" style=\"color:#b42318; font-weight:600;\">Open cycle</a>")
            self.show()
        self.loaded.emit()

    def _on_link_activated(self, period: str) -> None:
        self.open_requested.emit(period)
