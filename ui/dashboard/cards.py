"""The KPI cards: a QListView in icon mode over KpiCardModel, painted by one delegate.

A card shows the KPI's value, its status three ways (colour stripe, shape, word: readable in
greyscale), the trend arrow and word, a sparkline, the target and the count the value rests on.
A value resting on fewer tickets than the 'min_count' setting is greyed out and says so.
One delegate painting cells keeps a redraw cheap: switching technician is one model reset, not
the rebuilding of dozens of widgets.
"""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from kpidesk.export.formats import fmt_target, fmt_value
from kpidesk.metrics.series import KpiCard
from ui.dashboard.models import CARD_ROLE, GREY, KPI_ID_ROLE, OVERDUE_ROLE, count_text, status_look, trend_text

CARD_SIZE = QSize(240, 170)
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


class CardDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return CARD_SIZE

    def paint(self, p: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        card: KpiCard | None = index.data(CARD_ROLE)
        if card is None:
            return
        overdue = bool(index.data(OVERDUE_ROLE))
        r = QRectF(option.rect).adjusted(3, 3, -3, -3)
        word, shape, colour = status_look(card.status)
        ink = QColor("#102a43")
        muted = QColor("#627d98")
        if card.few:
            ink = muted = colour = QColor(GREY)
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
        x, w = r.left() + 16, r.width() - 26
        base = QFont(option.font)

        # Title line: name (elided) and the period on the right.
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.85)
        p.setFont(small)
        p.setPen(muted)
        period_w = p.fontMetrics().horizontalAdvance(card.period) + 4
        p.drawText(QRectF(x + w - period_w, r.top() + 8, period_w, 18),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, card.period)
        title = QFont(base)
        title.setBold(True)
        p.setFont(title)
        p.setPen(ink)
        name = p.fontMetrics().elidedText(card.name, Qt.TextElideMode.ElideRight, int(w - period_w - 4))
        p.drawText(QRectF(x, r.top() + 8, w - period_w, 18), Qt.AlignmentFlag.AlignVCenter, name)

        # The value, large, and the status (shape + word) beside it.
        big = QFont(base)
        big.setPointSizeF(base.pointSizeF() * 1.9)
        big.setBold(True)
        p.setFont(big)
        value = fmt_value(card.value, card.unit)
        p.drawText(QRectF(x, r.top() + 28, w * 0.6, 34), Qt.AlignmentFlag.AlignVCenter, value)
        value_w = p.fontMetrics().horizontalAdvance(value)
        p.setFont(base)
        sx = x + max(value_w + 12, w * 0.52)
        draw_shape(p, shape, QPointF(sx + 5, r.top() + 45), 5.5, colour)
        p.setPen(colour if not card.few else muted)
        bold = QFont(base)
        bold.setBold(True)
        p.setFont(bold)
        p.drawText(QRectF(sx + 14, r.top() + 35, x + w - sx - 14, 20), Qt.AlignmentFlag.AlignVCenter,
                   p.fontMetrics().elidedText(word, Qt.TextElideMode.ElideRight, int(x + w - sx - 14)))

        # Trend, and the marks that change how to read the value.
        p.setFont(small)
        p.setPen(muted)
        notes = [trend_text(card.trend, card.direction)]
        if overdue:
            notes.append("review overdue")
        if not card.rated:
            notes.append("team outcome")
        p.drawText(QRectF(x, r.top() + 64, w, 16), Qt.AlignmentFlag.AlignVCenter,
                   p.fontMetrics().elidedText("  ·  ".join(notes), Qt.TextElideMode.ElideRight, int(w)))

        self._sparkline(p, QRectF(x, r.top() + 84, w, 34), card, colour if not card.few else QColor(GREY))

        # Footer: the target, then what the value rests on (its own line: 'tickets with a
        # resolution time' says what an MTTR counts, and must not be cut).
        p.setPen(muted if not card.few else QColor("#7b8794"))
        target = f"Target {fmt_target(card.target, card.unit, card.direction, card.band)}"
        for offset, text in ((38, target), (22, count_text(card, say_few=False))):
            p.drawText(QRectF(x, r.bottom() - offset, w, 16), Qt.AlignmentFlag.AlignVCenter,
                       p.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(w)))
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
    """The cards in a wrapping grid. `card_clicked(kpi_id)` on a click or Enter."""

    card_clicked = Signal(int)

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

    def _on_self_clicked(self, index: QModelIndex) -> None:
        kpi_id = index.data(KPI_ID_ROLE)
        if kpi_id is not None:
            self.card_clicked.emit(int(kpi_id))
