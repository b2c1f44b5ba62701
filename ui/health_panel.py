"""The health check beside the KPI editor: what keeps the selected KPI from being a SMART KPI, and
what is off in the set as a whole. Messages are the core's (kpidesk.health), shown as they are."""
from __future__ import annotations

import dataclasses

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QStyle, QVBoxLayout, QWidget

from kpidesk.health import HealthIssue
from kpidesk.records import KpiRecord
from kpidesk.ui_queries import health_report
from ui.resources import icon

FIELD_ROLE = Qt.ItemDataRole.UserRole + 1  # the form field an issue points at ('' for the set)


class HealthPanel(QWidget):
    """Shows `health_report(draft, set)`. Clicking an issue asks the form to focus its field."""

    field_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("Health check", objectName="sectionTitle")
        self.list = QListWidget(objectName="healthList", wordWrap=True)
        self.list.setUniformItemSizes(False)
        self.list.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.heading)
        lay.addWidget(self.list, 1)
        self.list.itemClicked.connect(self._on_list_item_clicked)
        self.list.viewport().installEventFilter(self)
        self.list.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Again when the width changes, and when the style sheet's font arrives (at polish, after
        # the first report was laid out in the default font).
        if (watched is self.list.viewport() and event.type() == QEvent.Type.Resize) or (
                watched is self.list and event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange,
                                                          QEvent.Type.Show)):
            self._fit_items()
        return super().eventFilter(watched, event)

    def _fit_items(self) -> None:
        """Each item as tall as its wrapped text at the list's width: QListView computes wrapped
        heights only once, so a long message was cut with '…' after a resize."""
        width = self.list.viewport().width() - 2 * self.list.spacing()
        size = self.list.iconSize()  # (-1, -1) unless set: the style's list view icon size then
        icon_w = size.width() if size.isValid() else self.list.style().pixelMetric(QStyle.PixelMetric.PM_ListViewIconSize)
        for i in range(self.list.count()):
            item = self.list.item(i)
            # An item without its own font paints in the list's (the style sheet's), not item.font().
            font = item.data(Qt.ItemDataRole.FontRole) or self.list.font()
            room = width - 24 - (icon_w + 8 if not item.icon().isNull() else 0)
            height = QFontMetrics(font).boundingRect(QRect(0, 0, max(40, room), 10_000),
                                                     int(Qt.TextFlag.TextWordWrap), item.text()).height()
            item.setSizeHint(QSize(max(40, width), max(height, icon_w) + 12))

    def show_report(self, draft: KpiRecord | None, all_kpis: list[KpiRecord]) -> None:
        """`draft` is the KPI as typed (its unsaved values count); `all_kpis` the saved catalogue."""
        kpis = [k for k in all_kpis if draft is None or k.id != draft.id or k.id is None]
        if draft is not None:
            kpis.append(dataclasses.replace(draft))
        own, whole = health_report(draft, kpis)
        self.list.clear()
        name = (draft.name.strip() or "this KPI") if draft is not None else ""
        if draft is not None:
            self._section(f"{name}")
            if own:
                for issue in own:
                    self._issue(issue)
            else:
                self._plain("ok", "SMART, owned, with a baseline and a trigger: nothing missing.")
        self._section("The KPI set")
        for issue in whole:
            self._issue(issue)
        if not whole:
            self._plain("ok", "The set is balanced: not too many, something leading, core areas covered.")
        self._fit_items()

    def texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    # Items --------------------------------------------------------------------------------------
    def _section(self, text: str) -> None:
        item = QListWidgetItem(text)
        font = QFont(item.font())
        font.setBold(True)
        item.setFont(font)
        item.setFlags(Qt.ItemFlag.NoItemFlags | Qt.ItemFlag.ItemIsEnabled)
        self.list.addItem(item)

    def _issue(self, issue: HealthIssue) -> None:
        item = QListWidgetItem(icon("warning" if issue.severity == "warning" else "info"), issue.message)
        item.setData(FIELD_ROLE, issue.field)
        if issue.field:
            item.setToolTip("Click to go to the field")
        self.list.addItem(item)

    def _plain(self, icon_name: str, text: str) -> None:
        self.list.addItem(QListWidgetItem(icon(icon_name), text))

    def _on_list_item_clicked(self, item: QListWidgetItem) -> None:
        field = item.data(FIELD_ROLE)
        if field:
            self.field_activated.emit(str(field))
