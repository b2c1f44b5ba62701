"""Speed against quality: a scatter of technicians for one period, MTTR against first-contact
resolution, or SLA compliance against CSAT, split into four labelled quadrants at the medians.

Data comes from kpidesk.metrics.series.speed_quality (rates as fractions; shown as percentages
here). An escalation destination is drawn as an open square and says so: its speed is not rated.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kpidesk.metrics.series import ScatterData, ScatterPoint
from kpidesk.wording import count


@dataclass(frozen=True)
class AxisPair:
    label: str
    x: str
    y: str
    x_title: str
    y_title: str
    x_percent: bool
    y_percent: bool
    x_lower_better: bool
    quadrants: tuple[str, str, str, str]  # top-left, top-right, bottom-left, bottom-right
    x_split: float | None = None  # a fixed vertical split (the desk's pace) instead of the median


PAIRS = (
    AxisPair("MTTR against first-contact resolution", "mttr_hours", "fcr_rate", "MTTR (hours, lower is faster)",
             "First-contact resolution (%)", False, True, True,
             ("Fast and right first time", "Slow but right first time", "Fast, more rework", "Slow, more rework")),
    AxisPair("SLA compliance against CSAT", "sla_compliance", "csat_mean", "SLA compliance (%)",
             "CSAT (mean score)", True, False, False,
             ("Liked, but late", "On time and liked", "Late and less liked", "On time, less liked")),
    AxisPair("Mix-adjusted speed against first-contact resolution", "mix_ratio", "fcr_rate",
             "MTTR / expected for their mix (1 = the desk's pace, lower is faster)", "First-contact resolution (%)",
             False, True, True,
             ("Faster for their mix, right first time", "Slower for their mix, right first time",
              "Faster for their mix, more rework", "Slower for their mix, more rework"), x_split=1.0),
)


def axis_value(point: ScatterPoint, metric: str, percent: bool) -> float | None:
    v = getattr(point, metric)
    return None if v is None else (v * 100.0 if percent else float(v))


def point_tip(point: ScatterPoint, pair: AxisPair) -> str:
    x, y = axis_value(point, pair.x, pair.x_percent), axis_value(point, pair.y, pair.y_percent)
    fx = f"{x:.1f} %" if pair.x_percent else f"{x:.2f}\u00d7" if pair.x == "mix_ratio" else f"{x:.1f} h"
    fy = f"{y:.1f} %" if pair.y_percent else f"{y:.2f}"
    lines = [point.name, f"{pair.x_title.split(' (')[0]}: {fx}", f"{pair.y_title.split(' (')[0]}: {fy}",
             f"{count(point.resolved, 'ticket')} resolved"]
    if pair.x == "mix_ratio" and point.mix_expected is not None and point.mttr_hours is not None:
        lines.append(f"MTTR {point.mttr_hours:.1f} h against {point.mix_expected:.1f} h expected for their tickets")
    if point.escalation_destination:
        lines.append("escalation destination: speed is not rated")
    return "\n".join(lines)


class ScatterView(QWidget):
    """`point_clicked(technician id, metric)`: a dot was clicked; the metric is the x axis's speed."""

    point_clicked = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: ScatterData | None = None
        self.pair_combo = QComboBox()
        for pair in PAIRS:
            self.pair_combo.addItem(pair.label)
        self.caption = QLabel(objectName="hint", wordWrap=True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Speed against quality:", objectName="sectionTitle"))
        top.addWidget(self.pair_combo)
        top.addWidget(self.caption, 1)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=True, y=True, alpha=0.12)
        self.points = pg.ScatterPlotItem(size=12, hoverable=True, hoverSize=16, tip=self._tip)
        self.plot.addItem(self.points)
        self.points.sigClicked.connect(self._on_points_clicked)
        dash = pg.mkPen("#9fb3c8", width=1.2, style=Qt.PenStyle.DashLine)
        self.x_median = pg.InfiniteLine(angle=90, movable=False, pen=dash)
        self.y_median = pg.InfiniteLine(angle=0, movable=False, pen=dash)
        for line in (self.x_median, self.y_median):
            self.plot.addItem(line, ignoreBounds=True)
        bold = QFont()
        bold.setBold(True)
        anchors = ((0, 0), (1, 0), (0, 1), (1, 1))
        self.quadrant_labels = [pg.TextItem(color=QColor("#486581"), anchor=a) for a in anchors]
        for item in self.quadrant_labels:
            item.setFont(bold)
            self.plot.addItem(item, ignoreBounds=True)
        self.name_labels: list[pg.TextItem] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.plot, 1)
        self.pair_combo.currentIndexChanged.connect(self._on_pair_combo_changed)

    @property
    def pair(self) -> AxisPair:
        return PAIRS[max(self.pair_combo.currentIndex(), 0)]

    def _tip(self, x: float, y: float, data: object) -> str:
        return point_tip(data, self.pair) if isinstance(data, ScatterPoint) else ""

    def _on_points_clicked(self, _item: object, spots: list, _ev: object = None) -> None:
        if spots and isinstance(spots[0].data(), ScatterPoint):
            # The mix-adjusted speed rests on the MTTR tickets: those are the ones to list.
            metric = "mttr_hours" if self.pair.x == "mix_ratio" else self.pair.x
            self.point_clicked.emit(spots[0].data().technician_id, metric)

    def set_data(self, data: ScatterData | None) -> None:
        self.data = data
        pair = self.pair
        for item in self.name_labels:
            self.plot.removeItem(item)
        self.name_labels = []
        pts = [] if data is None else [p for p in data.points
                                      if axis_value(p, pair.x, pair.x_percent) is not None
                                      and axis_value(p, pair.y, pair.y_percent) is not None]
        spots = []
        for p in pts:
            x, y = axis_value(p, pair.x, pair.x_percent), axis_value(p, pair.y, pair.y_percent)
            esc = p.escalation_destination
            spots.append({"pos": (x, y), "data": p, "symbol": "s" if esc else "o",
                          "brush": pg.mkBrush(255, 255, 255) if esc else pg.mkBrush("#3b7dd8"),
                          "pen": pg.mkPen("#1f4e8c", width=1.5)})
            label = pg.TextItem(p.name + (" (escalations)" if esc else ""), color=QColor("#102a43"), anchor=(0, 1.1))
            label.setPos(x, y)
            self.plot.addItem(label, ignoreBounds=True)
            self.name_labels.append(label)
        self.points.setData(spots)
        self.plot.setLabel("bottom", pair.x_title)
        self.plot.setLabel("left", pair.y_title)
        n = len(pts)
        lines = ("dashed lines: the desk's pace (1) and the median" if pair.x_split is not None
                 else "dashed lines are the medians")
        self.caption.setText("" if data is None else f"{data.period}: {n} technician{'s' if n != 1 else ''}; {lines}")
        self._place_quadrants(data, pts)

    def _place_quadrants(self, data: ScatterData | None, pts: list[ScatterPoint]) -> None:
        pair = self.pair
        mx = None if data is None else pair.x_split if pair.x_split is not None else data.medians.get(pair.x)
        my = None if data is None else data.medians.get(pair.y)
        visible = bool(pts) and mx is not None and my is not None
        for item in (*self.quadrant_labels, self.x_median, self.y_median):
            item.setVisible(visible)
        if not visible:
            return
        mx = mx * 100.0 if pair.x_percent else mx  # type: ignore[operator]
        my = my * 100.0 if pair.y_percent else my  # type: ignore[operator]
        xs = [axis_value(p, pair.x, pair.x_percent) for p in pts] + [mx]
        ys = [axis_value(p, pair.y, pair.y_percent) for p in pts] + [my]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)  # type: ignore[type-var]
        px, py = (x1 - x0) * 0.18 or 1.0, (y1 - y0) * 0.22 or 1.0
        x0, x1, y0, y1 = x0 - px, x1 + px * 1.6, y0 - py, y1 + py  # room for names on the right
        self.plot.setXRange(x0, x1, padding=0)
        self.plot.setYRange(y0, y1, padding=0)
        self.x_median.setValue(mx)
        self.y_median.setValue(my)
        corners = ((x0, y1), (x1, y1), (x0, y0), (x1, y0))
        for item, text, pos in zip(self.quadrant_labels, pair.quadrants, corners):
            item.setText(text)
            item.setPos(*pos)

    def quadrant_texts(self) -> list[str]:
        return [item.textItem.toPlainText() for item in self.quadrant_labels if item.isVisible()]

    def _on_pair_combo_changed(self, _index: int) -> None:
        self.set_data(self.data)
