"""A KPI's trend plot (pyqtgraph): the series by period against its baseline, target and trigger.

Built once, updated with setData (HOUSE-STYLE 22): the value curve with hoverable points (tool tip:
period, value, count, status), a horizontal baseline line, a target line (or the target band of a
band KPI), the trigger zone as a shaded band beyond the trigger threshold, red diamonds on
triggered periods, an optional rolling average, an optional faint team median, and P1-P4 curves
when split by priority. Every array comes from kpidesk.metrics.series (PlotSeries); nothing is
computed here. Curves clip to the view and downsample, so thousands of points stay interactive.
"""
from __future__ import annotations

import html
import math
from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk.export.formats import fmt_value
from kpidesk.metrics.series import PlotSeries
from kpidesk.signals import SIGNALS, signal, status_word
from kpidesk.wording import count as count_words
from ui.plot_annotations import NOTE_COLOUR, AnnotationLayer, x_date
from ui.resources import line_style

TIER_COLOURS = {"P1": "#c53030", "P2": "#dd6b20", "P3": "#2b6cb0", "P4": "#38a169"}
VALUE_COLOUR = "#1f4e8c"
BAND_RED = QColor(197, 48, 48, 38)
BAND_GREEN = QColor(47, 133, 90, 34)
BAND_AMBER = QColor(214, 158, 46, 46)  # "watch", between the target and the act line


def _arr(values: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def tooltip_text(s: PlotSeries, i: int) -> str:
    """What hovering the point of period i shows: period, value, count, status (and anomaly)."""
    value = s.values[i] if i < len(s.values) else None
    count = s.counts[i] if i < len(s.counts) else None
    seg = f" {s.segment}" if s.segment else ""
    lines = [f"{s.periods[i]}", f"{s.name}{seg}: {fmt_value(value, s.unit)}"]
    if count is None:
        lines.append("count: entered value")
    else:
        lines.append(f"count: {count_words(count, 'ticket')}")
    status = s.statuses[i] if i < len(s.statuses) else None
    few = count is not None and count < s.min_count
    lines.append(status_word(status, value, few=few, bands=s.bands))
    if i < len(s.anomalies) and s.anomalies[i]:
        lines.append("outside its usual range (one-off?)")
    return "\n".join(lines)


def fast_curve(curve: pg.PlotDataItem) -> pg.PlotDataItem:
    """Draw only what is in view, downsampled to the pixels available (pyqtgraph's own advice)."""
    curve.setClipToView(True)
    curve.setDownsampling(auto=True, method="peak")
    curve.setSkipFiniteCheck(False)
    return curve


class TrendPlot(QWidget):
    """The plot with its options row. `set_series(main, tiers)` redraws it; `options_changed` asks
    the screen to fetch again (team median, split by priority). `point_clicked(period, segment)`: a
    point was clicked (its tickets are wanted; segment '' for the KPI's own line)."""

    point_clicked = Signal(str, str)
    note_requested = Signal(object)  # a dt.date (where the plot was right-clicked) or None: add a note

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: PlotSeries | None = None
        self.tiers: dict[str, PlotSeries] = {}
        self.title = QLabel("Click a KPI card to see its trend", objectName="sectionTitle")
        self.subtitle = QLabel(objectName="hint", wordWrap=True)
        self.rolling_box = QCheckBox("Rolling average", checked=True)
        self.median_box = QCheckBox("Team median")
        self.median_box.setToolTip("The median of the technician's team, period by period (technicians only)")
        self.split_box = QCheckBox("Split by priority")
        self.split_box.setToolTip("One curve per priority tier P1 to P4 (KPIs computed from tickets)")
        self.add_note = QPushButton("Add note…")
        self.add_note.setToolTip("A dated note on this KPI ('VPN rollout', 'two people on leave'), drawn on its "
                                 "plots and listed in check-ins; or right-click the plot on a day")
        self.export_png = QPushButton("Export PNG…")
        self.export_pdf = QPushButton("Export PDF…")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        for w in (self.rolling_box, self.median_box, self.split_box, self.add_note, self.export_png, self.export_pdf):
            top.addWidget(w)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.plot.setMinimumHeight(240)
        self.plot.showGrid(x=False, y=True, alpha=0.15)
        self.plot.setMenuEnabled(False)
        # Over the plot when no period has a value: an empty frame would read as "all zero".
        self.empty_note = QLabel(objectName="emptyNote", wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        self.plot_stack = QStackedWidget()
        self.plot_stack.addWidget(self.plot)
        self.plot_stack.addWidget(self.empty_note)
        self._build_items()
        self.notes = AnnotationLayer(self.plot)
        self.plot.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self.add_note.clicked.connect(lambda: self.note_requested.emit(None))
        self.key = QLabel(objectName="plotKey", wordWrap=True)  # the legend, above the plot: never over data
        self.key.setTextFormat(Qt.TextFormat.RichText)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.subtitle)
        lay.addWidget(self.key)
        lay.addWidget(self.plot_stack, 1)
        self.rolling_box.toggled.connect(self._on_rolling_box_toggled)

    # Items (made once) ---------------------------------------------------------------------------
    def _build_items(self) -> None:
        p = self.plot
        self.trigger_band = pg.LinearRegionItem(orientation="horizontal", movable=False, brush=BAND_RED,
                                                pen=pg.mkPen(QColor(197, 48, 48, 150), width=1))
        self.target_band = pg.LinearRegionItem(orientation="horizontal", movable=False, brush=BAND_GREEN,
                                               pen=pg.mkPen(QColor(47, 133, 90, 120), width=1))
        # Three bands (a KPI with KpiRecord.bands): on target (green) past the target, watch (amber)
        # between the target and the act line, act (the red trigger zone) beyond it.
        self.good_band = pg.LinearRegionItem(orientation="horizontal", movable=False, brush=BAND_GREEN,
                                             pen=pg.mkPen(None))
        self.watch_bands = [pg.LinearRegionItem(orientation="horizontal", movable=False, brush=BAND_AMBER,
                                                pen=pg.mkPen(None)) for _ in range(2)]
        for region in (self.trigger_band, self.target_band, self.good_band, *self.watch_bands):
            region.setZValue(-20)
            p.addItem(region, ignoreBounds=True)
        self.baseline_line = pg.InfiniteLine(angle=0, movable=False, pen=pg.mkPen("#52606d", width=1.5,
                                                                                 style=line_style("baseline")),
                                             label="Baseline", labelOpts={"position": 0.22, "color": "#52606d",
                                                                          "anchors": [(0, 1), (0, 1)]})
        self.target_line = pg.InfiniteLine(angle=0, movable=False, pen=pg.mkPen("#2f855a", width=1.8,
                                                                               style=line_style("target")),
                                           label="Target", labelOpts={"position": 0.03, "color": "#2f855a",
                                                                      "anchors": [(0, 1), (0, 1)]})
        for line in (self.baseline_line, self.target_line):
            p.addItem(line, ignoreBounds=True)
        self.median_curve = fast_curve(p.plot(pen=pg.mkPen("#9fb3c8", width=1.5)))
        self.rolling_curve = fast_curve(p.plot(pen=pg.mkPen(
            "#7b8794", width=1.5, style=Qt.PenStyle.DashLine)))
        self.tier_curves = {seg: fast_curve(p.plot(pen=pg.mkPen(c, width=1.4), symbol="o",
                                                   symbolSize=4, symbolBrush=c, symbolPen=None))
                            for seg, c in TIER_COLOURS.items()}
        self.value_curve = fast_curve(p.plot(pen=pg.mkPen(VALUE_COLOUR, width=2.4), connect="finite"))
        self.points = pg.ScatterPlotItem(size=8, brush=pg.mkBrush(VALUE_COLOUR), pen=pg.mkPen("w", width=1),
                                         hoverable=True, hoverSize=12, tip=self._tip)
        p.addItem(self.points)
        self.points.sigClicked.connect(self._on_points_clicked)
        self.triggered_marks = pg.ScatterPlotItem(symbol="d", size=15, brush=pg.mkBrush("#c53030"),
                                                  pen=pg.mkPen("w", width=1.2))
        p.addItem(self.triggered_marks)
        self.extra_curves: list[pg.PlotDataItem] = []
        self.set_series(None)

    def _tip(self, x: float, y: float, data: object) -> str:
        if isinstance(data, tuple) and len(data) == 2:
            seg, i = data
            s = self.tiers.get(seg) if seg else self.series  # type: ignore[call-overload]
            if s is not None:
                return tooltip_text(s, int(i))  # type: ignore[arg-type]
        return ""

    def set_notes(self, notes: list) -> None:
        """The dated notes (kpidesk.annotations) over the plotted periods: a dashed line or a span."""
        self.notes.set_notes(notes)
        if self.series is not None:
            self._update_legend(self.series, bool(self.triggered_marks.data.size))

    def _on_scene_clicked(self, ev: object) -> None:
        if ev.button() != Qt.MouseButton.RightButton or self.series is None:  # type: ignore[attr-defined]
            return
        box = self.plot.getPlotItem().getViewBox()
        if not box.sceneBoundingRect().contains(ev.scenePos()):  # type: ignore[attr-defined]
            return
        day = x_date(box.mapSceneToView(ev.scenePos()).x())  # type: ignore[attr-defined]
        menu = QMenu(self)
        menu.addAction(f"Add a note on {day:%d %b %Y}…", lambda: self.note_requested.emit(day))
        menu.exec(ev.screenPos().toPoint())  # type: ignore[attr-defined]

    def _on_points_clicked(self, _item: object, spots: list, _ev: object = None) -> None:
        if self.series is None or not spots:
            return
        seg, i = spots[0].data()
        self.point_clicked.emit(self.series.periods[int(i)], seg)

    # Updating ------------------------------------------------------------------------------------
    def set_series(self, s: PlotSeries | None, tiers: dict[str, PlotSeries] | None = None) -> None:
        self.series, self.tiers = s, dict(tiers or {})
        nothing = s is not None and all(v is None for v in s.values)
        if nothing:
            assert s is not None
            self.empty_note.setText(f"No data for {s.name} ({s.scope_label}) from {s.periods[0] if s.periods else '?'} "
                                    f"to {s.periods[-1] if s.periods else '?'}: no value was computed or entered "
                                    "in these periods, so there is nothing to draw (not zero).")
        self.plot_stack.setCurrentWidget(self.empty_note if nothing else self.plot)
        empty = np.array([], dtype=float)
        if s is None or not s.starts:
            for c in (self.value_curve, self.rolling_curve, self.median_curve, *self.tier_curves.values()):
                c.setData(empty, empty)
            self.points.setData([])
            self.triggered_marks.setData([])
            for item in (self.baseline_line, self.target_line, self.trigger_band, self.target_band, self.good_band,
                         *self.watch_bands):
                item.setVisible(False)
            return
        x = np.array(s.starts, dtype=float)
        y = _arr(s.values)
        self.value_curve.setData(x, y)
        have = ~np.isnan(y)
        self.points.setData(x=x[have], y=y[have], data=[("", i) for i in np.flatnonzero(have)],
                            brush=[pg.mkBrush(VALUE_COLOUR if (c or 0) >= s.min_count or c is None else "#bcccdc")
                                   for c, h in zip(s.counts, have) if h])
        trig = np.array([st == "triggered" for st in s.statuses]) & have
        self.triggered_marks.setData(x=x[trig], y=y[trig], data=[("", i) for i in np.flatnonzero(trig)])
        self.rolling_curve.setData(x, _arr(s.rolling))
        self.rolling_curve.setVisible(self.rolling_box.isChecked())
        med = _arr(s.team_median) if s.team_median else np.full(len(x), np.nan)
        self.median_curve.setData(x, med)
        self.median_curve.setVisible(bool(s.team_median))
        for seg, curve in self.tier_curves.items():
            t = self.tiers.get(seg)
            curve.setData(x, _arr(t.values)) if t is not None else curve.setData(empty, empty)
            curve.setVisible(t is not None)
        self._set_lines(s)
        self._fit_y(s)
        self._update_legend(s, bool(trig.any()))
        self.plot.getPlotItem().enableAutoRange(axis="x")
        self.plot.setLabel("left", s.unit or "value")

    def _update_legend(self, s: PlotSeries, triggered: bool) -> None:
        """The key in words and glyphs (readable in greyscale): each line and shaded zone named."""
        def entry(glyph: str, colour: str, text: str) -> str:
            return f'<span style="color:{colour}; font-weight:bold">{glyph}</span>&nbsp;{html.escape(text)}'

        seg = f" {s.segment}" if s.segment else ""
        parts = [entry("━━●", VALUE_COLOUR, f"{s.name}{seg}, {s.scope_label}")]
        if self.rolling_curve.isVisible():
            parts.append(entry("╌╌", "#7b8794", "rolling average of 3"))
        if self.median_curve.isVisible():
            parts.append(entry("━━", "#9fb3c8", "team median"))
        parts += [entry("━●", TIER_COLOURS[n], n) for n, c in self.tier_curves.items() if c.isVisible()]
        if s.baseline is not None:
            parts.append(entry("┈┈", "#52606d", f"baseline {fmt_value(s.baseline, s.unit)}"))
        if self.target_line.isVisible():
            parts.append(entry("╍╍", "#2f855a", f"target {fmt_value(s.target, s.unit)}"))
        if self.target_band.isVisible() and s.band:
            parts.append(entry("▆", "#9ae6b4", f"{'on target' if s.bands else 'target band'} "
                                              f"{fmt_value(s.band[0], s.unit)} to {fmt_value(s.band[1], s.unit)}"))
        elif self.good_band.isVisible():
            parts.append(entry("▆", "#9ae6b4", "on target"))
        if any(b.isVisible() for b in self.watch_bands):
            parts.append(entry("▆", "#f6d28b", "watch"))
        lo, hi = s.threshold
        if lo is not None or hi is not None:
            where = " or ".join(([f"below {fmt_value(lo, s.unit)}"] if lo is not None else [])
                                + ([f"above {fmt_value(hi, s.unit)}"] if hi is not None else []))
            parts.append(entry("▆", "#f3b9b9", f"{'act' if s.bands else 'trigger zone'} ({where})"))
        if self.notes.items:
            parts.append(entry("┆", NOTE_COLOUR, f"{len(self.notes.items)} note{'s' if len(self.notes.items) != 1 else ''}"
                                               " (hover for the text)"))
        if triggered:
            word = signal("triggered", 0.0, bands=s.bands).word.lower()
            parts.append(entry("◆", SIGNALS["triggered"].colour, word))
        self.key.setText("&nbsp;&nbsp;&nbsp; ".join(parts))

    def _set_lines(self, s: PlotSeries) -> None:
        self.baseline_line.setVisible(s.baseline is not None)
        if s.baseline is not None:
            self.baseline_line.setValue(s.baseline)
            self.baseline_line.label.setFormat(f"Baseline {fmt_value(s.baseline, s.unit)}")
        self.target_line.setVisible(s.target is not None and s.band is None)
        if s.target is not None:
            self.target_line.setValue(s.target)
            self.target_line.label.setFormat(f"Target {fmt_value(s.target, s.unit)}")
        self.target_band.setVisible(s.band is not None)
        if s.band is not None:
            self.target_band.setRegion(s.band)
        lo, hi = s.threshold
        reach = self._reach(s)
        if hi is not None and lo is not None:  # a band KPI: triggered outside [lo, hi]; shade below lo
            self.trigger_band.setRegion((lo - reach, lo))
        elif hi is not None:
            self.trigger_band.setRegion((hi, hi + reach))
        elif lo is not None:
            self.trigger_band.setRegion((lo - reach, lo))
        self.trigger_band.setVisible(lo is not None or hi is not None)
        self._set_bands(s, reach)

    def _set_bands(self, s: PlotSeries, reach: float) -> None:
        """Green and amber zones of a three-band KPI: on target past the target, watch up to the act line."""
        good: tuple[float, float] | None = None
        watch: list[tuple[float, float]] = []
        lo, hi = s.threshold
        if s.bands and s.direction == "band" and s.band is not None:
            watch = [(lo, s.band[0])] if lo is not None else []
            watch += [(s.band[1], hi)] if hi is not None else []
        elif s.bands and s.target is not None:
            if s.direction == "lower":
                good = (s.target - reach, s.target)
                watch = [(s.target, hi)] if hi is not None else []
            else:
                good = (s.target, s.target + reach)
                watch = [(lo, s.target)] if lo is not None else []
        self.good_band.setVisible(good is not None)
        if good is not None:
            self.good_band.setRegion(good)
        for item, region in zip(self.watch_bands, watch + [None, None]):
            item.setVisible(region is not None)
            if region is not None:
                item.setRegion(region)

    @staticmethod
    def _numbers(s: PlotSeries) -> list[float]:
        nums = [v for v in (*s.values, *s.rolling, *(s.team_median or [])) if v is not None]
        nums += [v for v in (s.baseline, s.target, *s.threshold, *(s.band or ())) if v is not None]
        return [v for v in nums if math.isfinite(v)]

    def _reach(self, s: PlotSeries) -> float:
        nums = self._numbers(s)
        return (max(map(abs, nums)) if nums else 1.0) * 10 + 1.0

    def _fit_y(self, s: PlotSeries) -> None:
        """Y range over the values AND the reference lines, so baseline, target and the trigger
        threshold are always in view."""
        nums = self._numbers(s) + [v for t in self.tiers.values() for v in t.values if v is not None]
        if not nums:
            return
        lo, hi = min(nums), max(nums)
        pad = (hi - lo) * 0.12 or abs(hi) * 0.1 or 1.0
        self.plot.setYRange(lo - pad, hi + pad, padding=0)

    def set_caption(self, title: str, subtitle: str) -> None:
        self.title.setText(title)
        self.subtitle.setText(subtitle)

    def show_many(self, x: np.ndarray, ys: Sequence[np.ndarray]) -> None:
        """Many comparison curves at once (e.g. every technician's daily values over years); reuses
        its curves between calls. What the 200 x 5,000 benchmark draws."""
        while len(self.extra_curves) < len(ys):
            # No antialiasing on the crowd: it halves the cost of a frame with a million points.
            self.extra_curves.append(fast_curve(pg.PlotDataItem(pen=pg.mkPen("#9fb3c8", width=1), antialias=False)))
            self.plot.addItem(self.extra_curves[-1])
        for curve, y in zip(self.extra_curves, ys):
            curve.setData(x, y)
            curve.setVisible(True)
        for curve in self.extra_curves[len(ys):]:
            curve.setVisible(False)
        self.plot.getPlotItem().enableAutoRange()

    def curves(self) -> list[pg.PlotDataItem]:
        """The visible data curves (value, rolling, median, tiers, extras)."""
        items = [self.value_curve, self.rolling_curve, self.median_curve, *self.tier_curves.values(),
                 *self.extra_curves]
        return [c for c in items if c.isVisible() and c.xData is not None and len(c.xData)]

    def _on_rolling_box_toggled(self, on: bool) -> None:
        if self.series is not None:
            self.set_series(self.series, self.tiers)
