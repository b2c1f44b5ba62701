"""Finding text a person cannot read in full: every visible label, button, check box, tab, group box
title, table header and table cell of a widget tree, measured with QFontMetrics against the room
the widget has. Text may be elided only where it is free text with its full value in a tool tip
(a KPI's name on a card, a file name in a table cell).

    problems = clipped_texts(window)   # ["QLabel 'First-contact resol…' needs 212 px, has 160", ...]
"""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtGui import Qt as GuiQt  # mightBeRichText lives in QtGui's Qt namespace
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QListView,
    QStyle,
    QStyleOptionViewItem,
    QTabBar,
    QTableView,
    QWidget,
)

SLACK = 1  # px of rounding between the metrics and the drawing


def _visible(w: QWidget) -> bool:
    # isVisible is false on a hidden tab or stacked page; visibleRegion() would be empty for a
    # scroll area's own widget (its viewport covers it), so it is not used.
    return w.isVisible() and w.width() > 0 and w.height() > 0


def _label(w: QLabel) -> str | None:
    text = w.text()
    if not text or w.pixmap() is not None and not w.pixmap().isNull():
        return None
    if w.textFormat() == Qt.TextFormat.RichText or (w.textFormat() == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text)):
        # Rich text wraps inside its own layout: room is a matter of height.
        need = w.heightForWidth(w.contentsRect().width()) if w.wordWrap() else w.sizeHint().height()
        if need > w.contentsRect().height() + SLACK and need > 0:
            return f"QLabel {text[:40]!r} needs {need} px of height, has {w.contentsRect().height()}"
        return None
    fm = QFontMetrics(w.font())
    room = w.contentsRect().width() - 2 * w.margin() - (w.indent() if w.indent() > 0 else 0)
    if w.wordWrap():
        box = w.contentsRect().adjusted(w.margin(), w.margin(), -w.margin(), -w.margin())
        need_h = fm.boundingRect(QRect(0, 0, max(1, box.width()), 100_000),
                                 int(Qt.TextFlag.TextWordWrap | w.alignment()), text).height()
        if need_h > box.height() + SLACK:
            return f"QLabel {text[:40]!r} (wrapped) needs {need_h} px of height, has {w.contentsRect().height()}"
        longest = max((fm.horizontalAdvance(word) for word in text.split()), default=0)
        if longest > room + SLACK:
            return f"QLabel {text[:40]!r}: a word needs {longest} px, has {room}"
        return None
    need = max(fm.horizontalAdvance(line) for line in text.split("\n"))
    if need > room + SLACK:
        return f"QLabel {text[:40]!r} needs {need} px, has {room}"
    return None


def _button(w: QAbstractButton) -> str | None:
    if not w.text():
        return None
    need = w.sizeHint().width()
    if need > w.width() + SLACK:
        return f"{type(w).__name__} {w.text()!r} needs {need} px, has {w.width()}"
    return None


def _combo(w: QComboBox) -> str | None:
    text = w.currentText()
    if not text:
        return None
    fm = QFontMetrics(w.font())
    room = w.width() - 34  # the frame, padding and the drop-down arrow of the Fusion style
    need = fm.horizontalAdvance(text)
    if need > room + SLACK and text not in w.toolTip():
        return f"QComboBox {text!r} needs {need} px, has {room}"
    return None


def _group(w: QGroupBox) -> str | None:
    if not w.title():
        return None
    need = QFontMetrics(w.font()).horizontalAdvance(w.title()) + 16
    if need > w.width() + SLACK:
        return f"QGroupBox {w.title()!r} needs {need} px, has {w.width()}"
    return None


def _tabs(w: QTabBar) -> list[str]:
    out = []
    fm = QFontMetrics(w.font())
    for i in range(w.count()):
        need = fm.horizontalAdvance(w.tabText(i)) + (w.iconSize().width() if not w.tabIcon(i).isNull() else 0) + 12
        if need > w.tabRect(i).width() + SLACK:
            out.append(f"tab {w.tabText(i)!r} needs {need} px, has {w.tabRect(i).width()}")
    return out


def _room(h: QHeaderView, section: int) -> int:
    """The width of a section that can be seen: a column half scrolled out of view is cut too."""
    left = h.sectionViewportPosition(section)
    right = min(left + h.sectionSize(section), h.viewport().width())
    return max(0, right - max(left, 0))


def _free_text(model: object, column: int) -> bool:
    """Columns a model declares free text (FREE_TEXT: names, file names, comments): they may be
    elided, their whole text in the tool tip."""
    while isinstance(model, QSortFilterProxyModel):
        model = model.sourceModel()
    return column in getattr(model, "FREE_TEXT", ())


def _header(h: QHeaderView) -> list[str]:
    model = h.model()
    if model is None or not _visible(h) or h.orientation() == Qt.Orientation.Vertical:
        return []
    out = []
    bold = h.font()
    bold.setBold(True)  # the style sheet draws header text bold
    fm = QFontMetrics(bold)
    for section in range(h.count()):
        if h.isSectionHidden(section) or h.sectionSize(section) == 0:
            continue
        text = str(model.headerData(section, h.orientation(), Qt.ItemDataRole.DisplayRole) or "")
        room = _room(h, section)
        if not text or room == 0:
            continue
        need = fm.horizontalAdvance(text) + 12  # the section's padding
        if h.isSortIndicatorShown() and h.sortIndicatorSection() == section:
            need += 14
        if need > room + SLACK:
            out.append(f"header {text!r} needs {need} px, has {room}")
    return out


def _cells(v: QTableView, rows: int = 25) -> list[str]:
    """Cells whose text is wider than the part of the column in view (or, in a view that wraps
    words, taller than the row), unless the column is free text."""
    model = v.model()
    if model is None or not _visible(v):
        return []
    out = []
    fm = QFontMetrics(v.font())
    header = v.horizontalHeader()
    for row in range(min(model.rowCount(), rows)):
        if v.isRowHidden(row) or v.rowViewportPosition(row) > v.viewport().height():
            continue
        for col in range(model.columnCount()):
            room = _room(header, col)
            if v.isColumnHidden(col) or room == 0:
                continue
            index: QModelIndex = model.index(row, col)
            text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
            if not text or _free_text(model, col):
                continue
            option = QStyleOptionViewItem()
            v.initViewItemOption(option)
            option.rect = QRect(0, 0, room, v.rowHeight(row))
            # The delegate says what the cell needs (text, icon, margins), as it would paint it.
            need = v.itemDelegateForIndex(index).sizeHint(option, index).width()
            if v.wordWrap():
                option.rect = QRect(0, 0, room, 10_000)
                option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
                need_h = v.itemDelegateForIndex(index).sizeHint(option, index).height()
                longest = max((fm.horizontalAdvance(w) for w in text.split()), default=0) + 10
                if need_h <= v.rowHeight(row) + SLACK and longest <= room + SLACK:
                    continue
                out.append(f"cell {text[:40]!r} (column {model.headerData(col, Qt.Orientation.Horizontal)!r}) "
                           f"needs {need_h} px of height, has {v.rowHeight(row)}")
                continue
            if need > room + SLACK:
                out.append(f"cell {text[:40]!r} (column {model.headerData(col, Qt.Orientation.Horizontal)!r}) "
                           f"needs {need} px, has {room}")
    return out


def _cards(v: QListView) -> list[str]:
    from ui.dashboard.cards import CardDelegate, card_pieces
    from ui.dashboard.models import CARD_ROLE, OVERDUE_ROLE

    if not isinstance(v.itemDelegate(), CardDelegate) or not _visible(v):
        return []
    out = []
    model = v.model()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        rect = v.visualRect(index)
        if rect.isEmpty():
            continue
        from PySide6.QtCore import QRectF

        for piece in card_pieces(index.data(CARD_ROLE), QRectF(rect).adjusted(3, 3, -3, -3), v.font(),
                                 bool(index.data(OVERDUE_ROLE))):
            if piece.elide:
                continue
            need = QFontMetrics(piece.font).horizontalAdvance(piece.text)
            if need > piece.rect.width() + SLACK:
                out.append(f"card text {piece.text!r} needs {need} px, has {piece.rect.width():.0f}")
    return out


def _list_items(v: QListView) -> list[str]:
    """Items of a plain list (not the card grid) wider than the list, or taller than their row."""
    model = v.model()
    if model is None or not _visible(v) or v.viewMode() != QListView.ViewMode.ListMode:
        return []
    out = []
    for row in range(min(model.rowCount(), 50)):
        index = model.index(row, 0)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        rect = v.visualRect(index)
        if not text or rect.isEmpty():
            continue
        # The font it is painted in: its own, else the view's (the style sheet's), which the
        # delegate's size hint does not use for an item of a QListWidget.
        font = index.data(Qt.ItemDataRole.FontRole) or v.font()
        fm = QFontMetrics(font)
        size = v.iconSize()  # (-1, -1) unless set: the style's size then
        icon_w = size.width() if size.isValid() else v.style().pixelMetric(QStyle.PixelMetric.PM_ListViewIconSize)
        icon = icon_w + 8 if index.data(Qt.ItemDataRole.DecorationRole) is not None else 0
        room = v.viewport().width() - 24 - icon
        if v.wordWrap():
            need_h = fm.boundingRect(QRect(0, 0, max(1, room), 10_000), int(Qt.TextFlag.TextWordWrap), text).height()
            if need_h > rect.height() - 4 + SLACK:
                out.append(f"list item {text[:40]!r} needs {need_h} px of height, has {rect.height()}")
        elif fm.horizontalAdvance(text) > room + SLACK:
            out.append(f"list item {text[:40]!r} needs {fm.horizontalAdvance(text)} px, has {room}")
    return out


def clipped_texts(root: QWidget) -> list[str]:
    """Every text under `root` (visible now) that does not fit where it is drawn."""
    out: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        if not _visible(w):
            continue
        found: str | None = None
        if isinstance(w, QLabel):
            found = _label(w)
        elif isinstance(w, QAbstractButton) and not isinstance(w.parent(), (QTabBar, QHeaderView)):
            found = _button(w)
        elif isinstance(w, QComboBox) and not w.isEditable():
            found = _combo(w)
        elif isinstance(w, QGroupBox):
            found = _group(w)
        elif isinstance(w, QTabBar):
            out += _tabs(w)
        elif isinstance(w, QTableView):
            out += _header(w.horizontalHeader()) + _cells(w)
        elif isinstance(w, QListView):
            out += _cards(w) + _list_items(w)
        if found:
            where = w.objectName() or type(w.parentWidget()).__name__ if w.parentWidget() else ""
            out.append(f"{found} [{where}]")
    return out
