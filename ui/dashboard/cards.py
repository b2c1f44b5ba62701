"""The KPI cards: a QListView in icon mode over KpiCardModel, painted by one delegate.

A card shows the KPI's value, its status three ways (colour stripe, shape, word: readable in
greyscale), the trend arrow and word, a sparkline, the target and the count the value rests on.
A value resting on fewer tickets than the 'min_count' setting is greyed out and says so.
One delegate painting cells keeps a redraw cheap: switching technician is one model reset, not
the rebuilding of dozens of widgets.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QContextMenuEvent, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF, QResizeEvent
from PySide6.QtWidgets import QListView, QMenu, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from kpidesk.export.formats import fmt_target, fmt_value
from kpidesk.metrics.series import KpiCard
from ui.dashboard.models import CARD_ROLE, GREY, KPI_ID_ROLE, OVERDUE_ROLE, count_text, status_look

CARD_SIZE = QSize(250, 222)  # the narrowest a card gets; wider when the window allows
SPACING = 10
Index = QModelIndex | QPersistentModelIndex


def draw_shape(p: QPainter, shape: str, centre: QPointF, r: float, colour: QColor) -> None:
    """The status shape: filled circle, triangle, diamond, or an empty ring (no target)."""
    p.save()
    p.setPen(QPen(colour, 1.6))
    p.setBrush(colour if shape != "ring" else Qt.BrushStyle.NoBrush)
    x, y = centre.x(), centre.y()
    if shape == "circle" or shape == "ring":
        p.drawEllipse(centre, r, r)
    elif shape == "triangle":
        p.drawPolygon(QPolygonF([QPointF(x, y - r), QPointF(x + r, y + r * 0.85), QPointF(x - r, y + r * 0.85)]))
    else:
        p.drawPolygon(QPolygonF([QPointF(x, y - r * 1.15), QPointF(x + r, y), QPointF(x, y + r * 1.15),
                                 QPointF(x - r, y)]))
    p.restore()


@dataclass
class Piece:
    """One line of text on a card: where it goes and how. `elide` only for free text (the KPI's
    name, whose full text is in the card's tool tip); every other line must fit as it is (the
    label-fit test checks them with card_pieces)."""

    text: str
    rect: QRectF
    font: QFont
    colour: QColor
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignVCenter
    elide: bool = False


def card_pieces(card: KpiCard, r: QRectF, base: QFont, overdue: bool = False) -> list[Piece]:
    """The text of a card laid out in `r` (the card's own rectangle, margins taken off)."""
    word, _shape, colour = status_look(card)
    ink, muted = QColor("#102a43"), QColor("#627d98")
    if card.few:
        ink = muted = colour = QColor(GREY)
    x, w = r.left() + 16, r.width() - 26
    small = QFont(base)
    small.setPointSizeF(base.pointSizeF() * 0.85)
    title = QFont(base)
    title.setBold(True)
    big = QFont(base)
    big.setPointSizeF(base.pointSizeF() * 1.9)
    big.setBold(True)
    bold = QFont(base)
    bold.setBold(True)
    value = fmt_value(card.value, card.unit)  # '–' for none: the status beside it says "No data"
    value_font = big
    value_w = QFontMetricsF(value_font).horizontalAdvance(value)
    # The status word starts half-way, or earlier where a long word ("Too few to judge") needs it.
    word_w = QFontMetricsF(bold).horizontalAdvance(word)
    sx = x + max(value_w + 12, min(w * 0.5, w - word_w - 18))
    notes = [card.trend_words, card.period]
    if overdue:
        notes.append("review overdue")
    if not card.rated:
        notes.append("team outcome")
    target = (f"Target {fmt_target(card.target, card.unit, card.direction, card.band)}"
              if card.target is not None or card.band else "No target set")
    return [
        Piece(card.name, QRectF(x, r.top() + 8, w, 18), title, ink, elide=True),
        Piece(value, QRectF(x, r.top() + 28, sx - x, 34), value_font, ink),
        Piece(word, QRectF(sx + 14, r.top() + 35, x + w - sx - 14, 20), bold, colour if not card.few else muted),
        Piece("  ·  ".join(notes), QRectF(x, r.top() + 64, w, 16), small, muted),
        Piece(card.change_words(card.previous), QRectF(x, r.top() + 122, w, 16), small, muted),
        Piece(card.change_words(card.year_ago), QRectF(x, r.top() + 138, w, 16), small, muted),
        Piece(card.mix, QRectF(x, r.top() + 154, w, 16), small, muted),
        Piece(target, QRectF(x, r.bottom() - 38, w, 16), small, muted if not card.few else QColor("#7b8794")),
        Piece(count_text(card, say_few=False), QRectF(x, r.bottom() - 22, w, 16), small,
              muted if not card.few else QColor("#7b8794")),
    ]


class CardDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        view = self.parent()
        return view.card_size() if isinstance(view, CardGrid) else CARD_SIZE

    def paint(self, p: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        card: KpiCard | None = index.data(CARD_ROLE)
        if card is None:
            return
        overdue = bool(index.data(OVERDUE_ROLE))
        r = QRectF(option.rect).adjusted(3, 3, -3, -3)
        _word, shape, colour = status_look(card)
        if card.few:
            colour = QColor(GREY)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        p.setPen(QPen(QColor("#3b7dd8") if selected or hovered else QColor("#d9e2ec"), 1.5 if selected else 1))
        p.setBrush(QColor("#fbfcfe") if card.few else QColor("#ffffff"))
        p.drawRoundedRect(r, 7, 7)
        stripe = QPainterPath()
        stripe.addRoundedRect(QRectF(r.left(), r.top(), 6, r.height()), 3, 3)
        p.fillPath(stripe, colour)
        pieces = card_pieces(card, r, QFont(option.font), overdue)
        status = pieces[2].rect
        draw_shape(p, shape, QPointF(status.left() - 9, status.center().y()), 5.5, colour)
        for piece in pieces:
            p.setFont(piece.font)
            p.setPen(piece.colour)
            text = piece.text
            if piece.elide:
                text = p.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(piece.rect.width()))
            p.drawText(piece.rect, piece.align, text)
        x, w = r.left() + 16, r.width() - 26
        self._sparkline(p, QRectF(x, r.top() + 84, w, 34), card, colour if not card.few else QColor(GREY))
        p.restore()

    @staticmethod
    def _sparkline(p: QPainter, box: QRectF, card: KpiCard, colour: QColor) -> None:
        pts = [(i, v) for i, v in enumerate(card.sparkline) if v is not None]
        if len(pts) < 2:
            return
        lo, hi = min(v for _, v in pts), max(v for _, v in pts)
        if card.target is not None:
            lo, hi = min(lo, card.target), max(hi, card.target)
        span = (hi - lo) or 1.0
        n = max(len(card.sparkline) - 1, 1)

        def at(i: int, v: float) -> QPointF:
            return QPointF(box.left() + box.width() * i / n, box.bottom() - box.height() * (v - lo) / span)

        if card.target is not None:
            p.setPen(QPen(QColor("#9fb3c8"), 1, Qt.PenStyle.DashLine))
            y = at(0, card.target).y()
            p.drawLine(QPointF(box.left(), y), QPointF(box.right(), y))
        path = QPainterPath(at(*pts[0]))
        for i, v in pts[1:]:
            path.lineTo(at(i, v))
        p.setPen(QPen(QColor("#3b7dd8") if colour.name() != GREY else colour, 1.8))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
        p.setBrush(colour)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(at(*pts[-1]), 3.2, 3.2)


class CardGrid(QListView):
    """The cards in a wrapping grid. `card_clicked(kpi_id)` on a click or Enter;
    `tickets_requested(kpi_id)` and `review_requested(kpi_id)` from the card's menu (right click, or
    the menu key)."""

    card_clicked = Signal(int)
    tickets_requested = Signal(int)
    review_requested = Signal(int)  # "Raise a review…" on the card's menu

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="cardGrid")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        self.setSpacing(SPACING // 2)
        self.setGridSize(QSize(CARD_SIZE.width() + SPACING, CARD_SIZE.height() + SPACING))
        self.setMouseTracking(True)
        self.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.setItemDelegate(CardDelegate(self))
        self.clicked.connect(self._on_self_clicked)
        self.activated.connect(self._on_self_clicked)

    def card_size(self) -> QSize:
        return QSize(self.gridSize().width() - SPACING, CARD_SIZE.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        # As many columns as fit at the minimum width, then share the width among them: wider
        # cards on a wide window instead of a ragged gap at the right.
        avail = self.viewport().width() - SPACING
        columns = max(1, avail // (CARD_SIZE.width() + SPACING))
        width = max(CARD_SIZE.width(), avail // columns - SPACING)
        if width + SPACING != self.gridSize().width():
            self.setGridSize(QSize(width + SPACING, CARD_SIZE.height() + SPACING))
        super().resizeEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos()) if event.reason() == QContextMenuEvent.Reason.Mouse else self.currentIndex()
        kpi_id = index.data(KPI_ID_ROLE) if index.isValid() else None
        if kpi_id is None:
            return
        menu = QMenu(self)
        menu.addAction("Show the trend", lambda: self.card_clicked.emit(int(kpi_id)))
        menu.addAction("Tickets behind this value…", lambda: self.tickets_requested.emit(int(kpi_id)))
        menu.addAction("Raise a review…", lambda: self.review_requested.emit(int(kpi_id)))
        menu.exec(event.globalPos())

    def _on_self_clicked(self, index: QModelIndex) -> None:
        kpi_id = index.data(KPI_ID_ROLE)
        if kpi_id is not None:
            self.card_clicked.emit(int(kpi_id))
