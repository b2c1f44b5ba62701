"""A small trend plot for one KPI: the last periods' values, with the target (dashed) and the
person's own baseline (dotted). Built once, updated with set_trend (pyqtgraph's setData)."""
from __future__ import annotations

from typing import Optional, Sequence

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from ui.resources import line_style

VALUE_PEN = pg.mkPen("#3b7dd8", width=2)
TARGET_PEN = pg.mkPen("#2e7d32", width=1, style=line_style("target"))
BASELINE_PEN = pg.mkPen("#8a6d3b", width=1, style=line_style("baseline"))


class TrendPlot(pg.PlotWidget):
    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(180, 96)
        self.setMaximumHeight(120)
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.getPlotItem().showGrid(x=False, y=True, alpha=0.15)
        for side in ("left", "bottom"):
            axis = self.getAxis(side)
            axis.setStyle(tickLength=-3)
            axis.setTextPen("#627d98")
        self.getAxis("left").setWidth(34)
        self.curve = self.plot([], [], pen=VALUE_PEN, symbol="o", symbolSize=5, symbolBrush="#3b7dd8",
                               connect="finite")
        self.target_line = pg.InfiniteLine(angle=0, pen=TARGET_PEN)
        self.baseline_line = pg.InfiniteLine(angle=0, pen=BASELINE_PEN)
        self.addItem(self.target_line)
        self.addItem(self.baseline_line)
        # Said in words when no period has a value: an empty frame would read as zero.
        self.empty_note = pg.TextItem("No data in these periods", color="#627d98", anchor=(0.5, 0.5))
        self.addItem(self.empty_note, ignoreBounds=True)
        self.empty_note.setVisible(False)

    def set_trend(self, trend: Sequence[tuple[str, Optional[float]]], target: Optional[float] = None,
                  baseline: Optional[float] = None) -> None:
        xs = list(range(len(trend)))
        ys = [float("nan") if v is None else float(v) for _, v in trend]
        self.curve.setData(xs, ys) if any(y == y for y in ys) else self.curve.setData([], [])
        # Short labels ('Q3', '05', 'W12') keep six ticks readable at this size.
        labels = [(i, key.split("-")[-1]) for i, (key, _) in enumerate(trend)]
        self.getAxis("bottom").setTicks([labels])
        for line, value in ((self.target_line, target), (self.baseline_line, baseline)):
            line.setVisible(value is not None)
            if value is not None:
                line.setValue(value)
        finite = [y for y in ys if y == y] + [v for v in (target, baseline) if v is not None]
        if finite:
            low, high = min(finite), max(finite)
            pad = (high - low) * 0.15 or abs(high) * 0.1 or 1.0
            self.setYRange(low - pad, high + pad, padding=0)
        self.setXRange(-0.5, max(0, len(xs) - 1) + 0.5, padding=0)
        nothing = not any(y == y for y in ys)
        self.empty_note.setVisible(nothing)
        if nothing:
            y_low, y_high = self.getViewBox().viewRange()[1]
            self.empty_note.setPos(max(0, len(xs) - 1) / 2, (y_low + y_high) / 2)
