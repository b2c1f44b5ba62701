"""Annotations on a pyqtgraph plot (issue 16): each note a vertical dashed line on its day, a span a
shaded band from its first day to the end of its last, with a short label and the whole note as the
tool tip.

    items = draw_annotations(trend.plot, annotations_touching(store, kpi_id, scope, first, last))
    ...
    remove_annotations(trend.plot, items)              # before drawing the next KPI or scope

x is epoch seconds of UTC midnight by default, as the trend plots' DateAxisItem uses
(kpidesk.metrics.series.epoch); a plot with other x coordinates passes its own `x_of`. Nothing here
reads the database: the notes come from kpidesk.annotations. The items ignore the plot's bounds,
so a note never widens the range the data is shown in. GUI thread only (they are scene items).
"""
from __future__ import annotations

import datetime as dt
import html
from typing import Callable, Sequence, Union

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from kpidesk.annotations import AnnotationRecord
from kpidesk.metrics.series import epoch
from kpidesk.periods import parse_period

NOTE_COLOUR = "#6b46c1"  # violet: none of the value, baseline, target, trigger or tier colours
SPAN_BRUSH = QColor(107, 70, 193, 28)
LABEL_ROWS = (0.96, 0.86, 0.76)  # label heights (fraction of the view), taken in turn so neighbours do not overlap
Z_SPAN, Z_LINE = -25, -5  # spans under the target and trigger bands; lines under the curves

PlotLike = Union[pg.PlotItem, pg.PlotWidget]
DateToX = Callable[[dt.date], float]


def date_x(day: dt.date) -> float:
    """The trend plots' x for a day: epoch seconds of its UTC midnight."""
    return epoch(day)


def x_date(x: float) -> dt.date:
    """The day at x (epoch seconds), e.g. where the user right-clicked, to prefill the dialog."""
    return (dt.datetime(1970, 1, 1) + dt.timedelta(seconds=float(x))).date()


def period_x(period_keys: Sequence[str]) -> DateToX:
    """x_of for a plot whose x is the index of its periods (0, 1, 2...: the check-in's small trends):
    a day falls inside its period, from i - 0.5 on the first day to i + 0.5 after the last; days
    outside the periods stay at the plot's edges."""
    periods = [parse_period(k) for k in period_keys]

    def x_of(day: dt.date) -> float:
        if not periods or day < periods[0].start:
            return -0.5
        for i, p in enumerate(periods):
            if p.start <= day < p.end:
                return i - 0.5 + (day - p.start).days / (p.end - p.start).days
        return len(periods) - 0.5

    return x_of


def tooltip(note: AnnotationRecord) -> str:
    """The whole note: when, the text, what it applies to, who wrote it."""
    by = f"<br/><i>by {html.escape(note.author)}</i>" if note.author else ""
    text = html.escape(note.text).replace("\n", "<br/>")
    return f"<b>{html.escape(note.when)}</b><br/>{text}<br/><small>{html.escape(note.applies_to)}</small>{by}"


def _item_for(note: AnnotationRecord, x_of: DateToX, row: float) -> pg.GraphicsObject:
    pen = pg.mkPen(NOTE_COLOUR, width=1.3, style=Qt.PenStyle.DashLine)
    label_opts = {"position": row, "color": NOTE_COLOUR, "anchors": [(0, 0), (0, 0)],  # hangs below its row
                  "fill": pg.mkBrush(255, 255, 255, 200)}  # readable over a curve
    text = note.label.replace("{", "{{").replace("}", "}}")  # the label is a format string ({value})
    if note.is_span:
        start, end = x_of(note.on), x_of(note.last_day + dt.timedelta(days=1))  # the whole last day
        item = pg.LinearRegionItem(values=(start, end), orientation="vertical", movable=False, brush=SPAN_BRUSH,
                                   pen=pen)
        item.setZValue(Z_SPAN)
        edge = item.lines[0]
        label = pg.InfLineLabel(edge, text=text, **label_opts)
        label.setColor(NOTE_COLOUR)
        edge.label = label
    else:
        item = pg.InfiniteLine(pos=x_of(note.on), angle=90, movable=False, pen=pen, label=text,
                               labelOpts=label_opts)
        item.setZValue(Z_LINE)
        label = item.label
    tip = tooltip(note)
    for part in (item, label, label.textItem):
        part.setToolTip(tip)
    item.annotation = note  # the record behind the item, for a context menu (edit, delete)
    return item


def draw_annotations(plot: PlotLike, notes: Sequence[AnnotationRecord], x_of: DateToX = date_x
                     ) -> list[pg.GraphicsObject]:
    """Draw `notes` on `plot` (a PlotItem or a PlotWidget): a dashed vertical line for a day, a shaded
    band for a span, each labelled with the note's first words and the whole note as its tool tip.
    Returns the items (each with `.annotation`, its record) for remove_annotations."""
    target = plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot
    items = []
    for i, note in enumerate(sorted(notes, key=lambda n: (n.on, n.id or 0))):
        item = _item_for(note, x_of, LABEL_ROWS[i % len(LABEL_ROWS)])
        target.addItem(item, ignoreBounds=True)
        items.append(item)
    return items


def remove_annotations(plot: PlotLike, items: Sequence[pg.GraphicsObject]) -> None:
    """Take items drawn by draw_annotations off the plot again (items already gone are skipped)."""
    target = plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot
    for item in items:
        if item.scene() is not None:
            target.removeItem(item)


class AnnotationLayer:
    """The notes of one plot, redrawn as a whole: `set_notes(notes)` removes the last set and draws
    the new one (what a refresh calls); `clear()` removes them."""

    def __init__(self, plot: PlotLike, x_of: DateToX = date_x) -> None:
        self.plot, self.x_of = plot, x_of
        self.items: list[pg.GraphicsObject] = []

    def set_notes(self, notes: Sequence[AnnotationRecord]) -> None:
        self.clear()
        self.items = draw_annotations(self.plot, notes, self.x_of)

    def clear(self) -> None:
        remove_annotations(self.plot, self.items)
        self.items = []

    def notes(self) -> list[AnnotationRecord]:
        return [item.annotation for item in self.items]
