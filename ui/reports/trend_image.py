"""Small trend plots drawn with QPainter into a QImage, for embedding in the appraisal PDF.

Greyscale-safe by design: the series is a solid black line with round markers, the own baseline a
dotted line labelled 'B', the target a dashed line labelled 'T' (a band: two dashed lines, 'T-'
and 'T+'), the same styles as the app's plots (kpidesk.signals.LINE_STYLES); nothing relies on colour. Drawn at `scale` times the embedded size so it stays sharp
in print. Safe on a worker thread (QImage painting needs no GUI thread).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen

from kpidesk.export.content import KpiLine
from kpidesk.export.formats import fmt_value
from kpidesk.periods import parse_period
from ui.resources import line_style

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_period(key: str) -> str:
    """'2026-Q3' -> "Q3 '26", '2026-03' -> "Mar '26", '2026-W05' -> 'W05', else as is."""
    if m := re.match(r"^(\d{4})-Q([1-4])$", key):
        return f"Q{m[2]} '{m[1][2:]}"
    if m := re.match(r"^(\d{4})-(\d{2})$", key):
        return f"{_MONTHS[int(m[2]) - 1]} '{m[1][2:]}"
    if m := re.match(r"^\d{4}-(W\d{2})$", key):
        return m[1]
    return key


def draw_trend(kpi: KpiLine, width: int, height: int, scale: float = 3.0, caption: bool = True,
               notes: Sequence[tuple[str, dt.date, dt.date | None]] = ()) -> QImage:
    """A trend plot of `kpi.trend` (oldest first) of `width` x `height` logical pixels. The KPI's
    name is drawn inside the image (caption=True), so title and plot can never be split apart by a
    page break in the PDF. `notes` (tag, on, until) are marked where they fall, a dash-dot line (a
    span: two) tagged as in the Context notes table."""
    img = QImage(int(width * scale), int(height * scale), QImage.Format.Format_RGB32)
    img.setDotsPerMeterX(int(96 * scale / 0.0254))
    img.setDotsPerMeterY(int(96 * scale / 0.0254))
    img.fill(QColor("white"))
    p = QPainter(img)
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(scale, scale)
        rect = QRectF(0, 0, width, height)
        if caption:
            title = QFont()
            title.setPixelSize(11)
            title.setBold(True)
            p.setFont(title)
            h = QFontMetricsF(title).height() + 2
            p.setPen(QColor("black"))
            p.drawText(QRectF(0, 0, width, h), Qt.AlignmentFlag.AlignCenter, kpi.name)
            rect = QRectF(0, h, width, height - h)
        _draw(p, kpi, rect, notes)
    finally:
        p.end()
    return img


def _draw(p: QPainter, kpi: KpiLine, rect: QRectF, notes: Sequence[tuple[str, dt.date, dt.date | None]] = ()
          ) -> None:
    font = QFont()
    font.setPixelSize(9)
    p.setFont(font)
    fm = QFontMetricsF(font)
    values = [pt.value for pt in kpi.trend]
    known = [v for v in values if v is not None]
    refs: list[tuple[float, str, Qt.PenStyle]] = []
    base, aim = line_style("baseline"), line_style("target")
    if kpi.baseline is not None:
        refs.append((kpi.baseline, "B", base))
    if kpi.direction == "band" and kpi.band is not None:
        refs += [(kpi.band[0], "T-", aim), (kpi.band[1], "T+", aim)]
    elif kpi.target is not None:
        refs.append((kpi.target, "T", aim))
    lo = min(known + [r[0] for r in refs]) if known or refs else 0.0
    hi = max(known + [r[0] for r in refs]) if known or refs else 1.0
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.12
    lo, hi = lo - pad, hi + pad

    y_labels = [fmt_value(hi - pad, kpi.unit), fmt_value(lo + pad, kpi.unit)]
    left = rect.left() + max(fm.horizontalAdvance(t) for t in y_labels) + 6
    right = rect.right() - fm.horizontalAdvance("T+") - 8
    top, bottom = rect.top() + 6, rect.bottom() - fm.height() - 4
    plot = QRectF(left, top, right - left, bottom - top)

    def ymap(v: float) -> float:
        return plot.bottom() - (v - lo) / (hi - lo) * plot.height()

    def xmap(i: int) -> float:
        n = max(1, len(values) - 1)
        return plot.left() + plot.width() * (i / n if len(values) > 1 else 0.5)

    # Frame and the two value labels (the data's own min and max).
    p.setPen(QPen(QColor("#999999"), 0.6))
    p.drawRect(plot)
    p.setPen(QColor("black"))
    for text, v in zip(y_labels, (hi - pad, lo + pad)):
        p.drawText(QRectF(rect.left(), ymap(v) - fm.height() / 2, left - rect.left() - 4, fm.height()),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
    # Reference lines with letters at the right end.
    for v, label, style in refs:
        pen = QPen(QColor("#555555"), 1.0, style)
        p.setPen(pen)
        p.drawLine(QPointF(plot.left(), ymap(v)), QPointF(plot.right(), ymap(v)))
        p.setPen(QColor("black"))
        p.drawText(QPointF(plot.right() + 3, ymap(v) + fm.ascent() / 2 - 1), label)
    # The series: a solid line broken where a period has no value, with round markers.
    path = QPainterPath()
    pen_down = False
    for i, v in enumerate(values):
        if v is None:
            pen_down = False
            continue
        pt = QPointF(xmap(i), ymap(v))
        if pen_down:
            path.lineTo(pt)
        else:
            path.moveTo(pt)
            pen_down = True
    p.setPen(QPen(QColor("black"), 1.6))
    p.drawPath(path)
    p.setBrush(QColor("black"))
    for i, v in enumerate(values):
        if v is not None:
            p.drawEllipse(QPointF(xmap(i), ymap(v)), 2.2, 2.2)
    _draw_notes(p, kpi, plot, notes, fm)
    # Period labels, thinned out when they would collide.
    labels = [short_period(pt.period) for pt in kpi.trend]
    widest = max((fm.horizontalAdvance(t) for t in labels), default=0) + 4
    step = 1
    while len(labels) > 1 and step < len(labels) and plot.width() / (len(labels) - 1) * step < widest:
        step += 1
    p.setPen(QColor("black"))
    for i, text in enumerate(labels):
        if i % step and i != len(labels) - 1:
            continue
        w = fm.horizontalAdvance(text)
        x = min(max(xmap(i) - w / 2, rect.left()), rect.right() - w)
        p.drawText(QPointF(x, rect.bottom() - 3), text)


def _draw_notes(p: QPainter, kpi: KpiLine, plot: QRectF, notes: Sequence[tuple[str, dt.date, dt.date | None]],
                fm: QFontMetricsF) -> None:
    """Each note where its day falls among the plotted periods (the point of period i sits at i, the
    period spanning i - 0.5 to i + 0.5); a note outside them is not drawn."""
    periods = [parse_period(pt.period) for pt in kpi.trend]
    if not periods or not notes:
        return
    n = max(1, len(periods) - 1)

    def x_of(day: dt.date) -> float | None:
        for i, per in enumerate(periods):
            if per.start <= day < per.end:
                at = i - 0.5 + (day - per.start).days / (per.end - per.start).days
                at = min(max(at, 0.0), float(len(periods) - 1))
                return plot.left() + plot.width() * (at / n if len(periods) > 1 else 0.5)
        return None

    pen = QPen(QColor("#444444"), 0.9, Qt.PenStyle.DashDotLine)
    placed: list[tuple[float, float, float]] = []  # (left, right, baseline) of the tags drawn so far
    for tag, on, until in sorted(notes, key=lambda n: n[1]):
        xs = [x for x in (x_of(on), x_of(until) if until else None) if x is not None]
        if not xs:
            continue
        p.setPen(pen)
        for x in xs:
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        p.setPen(QColor("black"))
        w = fm.horizontalAdvance(tag)
        left = min(xs[0] + 2, plot.right() - w - 1)
        y = plot.top() + fm.ascent() + 1
        # Tags that would overlap go one line lower: notes days apart stay readable.
        while any(a < left + w and left < b and y == base for a, b, base in placed):
            y += fm.height()
        placed.append((left, left + w, y))
        p.drawText(QPointF(left, y), tag)
