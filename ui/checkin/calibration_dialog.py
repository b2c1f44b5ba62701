"""Calibration (issue 17): every member of a cycle side by side before the ratings are final, with
the evidence behind each KPI rating, the core's flags, the spread of the overall ratings, and a
rating change (with its reason, required) for a draft.

What is flagged and why, and what a change writes, are the core's (kpidesk.appraisal.calibration);
this only shows them. A KPI cell reads "value / target  arrow  rating": the value in the colour of
its verdict (on / off target), the arrow the way it moved since the previous period, green when
that is better and red when worse. Flagged cells are tinted red. Signed rows are read-only.
Thread rule: calibration() gathers the live numbers of every draft and of everyone not started (~40 ms
each: 1.6 s for 40 people), so it runs on the dialog's Loader, off the GUI thread; `loaded` says when.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from PySide6.QtCore import (
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
import pyqtgraph as pg

from kpidesk import actions
from kpidesk.appraisal.calibration import Calibration, CalibrationRow, calibration
from kpidesk.errors import KpiDeskError
from kpidesk.store import Store
from ui.checkin.calibration_model import (  # noqa: F401  (the roles and the model: tests read them here)
    EVIDENCE_ROLE,
    FIXED,
    FLAGGED_ROLE,
    OVERALL,
    PROPOSED,
    SORT_ROLE,
    STATE,
    TECH,
    CalibrationModel,
    KpiCellDelegate,
    fmt_rating,
)
from ui.dashboard.loader import Loader
from ui.errors import show_error
from ui.views import record_table


class ChangeRatingDialog(QDialog):
    """A new rating and the reason for it (required: the OK button waits for it)."""

    def __init__(self, what: str, current: Optional[float], scale: tuple[int, int], overall: bool,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change rating")
        self.overall = overall
        self.rating_combo = QComboBox()
        self.rating_spin = QDoubleSpinBox(decimals=1, singleStep=0.5, minimum=scale[0], maximum=scale[1])
        if overall:
            self.rating_spin.setValue(float(current) if current is not None else float(scale[0]))
        else:
            self.rating_combo.addItem("Not rated", None)
            for v in range(scale[0], scale[1] + 1):
                self.rating_combo.addItem(str(v), float(v))
            self.rating_combo.setCurrentIndex(max(0, self.rating_combo.findData(current)))
        self.reason = QLineEdit(placeholderText="Why the rating changes (kept with the check-in)")
        self.reason.setMinimumWidth(380)
        form = QFormLayout()
        form.addRow(QLabel(what, wordWrap=True))
        form.addRow("New rating", self.rating_spin if overall else self.rating_combo)
        form.addRow("Reason", self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.reason.textChanged.connect(self._on_reason_changed)
        self._on_reason_changed(self.reason.text())

    def rating(self) -> Optional[float]:
        return self.rating_spin.value() if self.overall else self.rating_combo.currentData()

    def _on_reason_changed(self, text: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(text.strip()))


class CalibrationDialog(QDialog):
    changes_made = Signal(object)  # Changes
    loaded = Signal()  # the calibration has been read and shown

    def __init__(self, store: Store, period: str, today: Optional[dt.date] = None,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.store, self.period, self.today = store, period, today
        self.cal: Optional[Calibration] = None
        self.loader = Loader(self)
        self._reselect: Optional[tuple[int, Optional[int]]] = None
        self.setWindowTitle(f"Calibration: {period}")
        self.heading = QLabel(objectName="dialogHeading")
        self.heading.setStyleSheet("font-size:12pt; font-weight:600; color:#102a43;")
        self.legend = QLabel("Each KPI: value / target (green on target, amber off target, grey not rated), the "
                             "arrow its move since the previous period (green better, red worse), then the rating. "
                             "Red cells are flagged below. Signed check-ins are read-only.", objectName="hint", wordWrap=True)
        self.model = CalibrationModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = record_table(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setItemDelegate(KpiCellDelegate(self.table))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(True)
        self.table.setColumnHidden(TECH, True)  # the row headers carry the names
        self.flags = QListWidget()
        self.flags.setMaximumHeight(110)
        self.flags_title = QLabel(objectName="sectionTitle")
        self.chart = pg.PlotWidget(background="w")
        self.chart.setFixedSize(300, 150)
        self.chart.setMouseEnabled(False, False)
        self.chart.hideButtons()
        self.chart.setMenuEnabled(False)
        self.chart.getPlotItem().setTitle("Overall ratings", size="9pt", color="#334e68")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush="#5b8def")
        self.chart.addItem(self.bars)
        self.change_button = QPushButton("Change rating…", objectName="primary")
        self.change_button.setToolTip("Change the selected KPI rating (or, on any other column, the overall "
                                      "rating) of a draft, with the reason")
        self.selection_label = QLabel(objectName="hint", wordWrap=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lower = QHBoxLayout()
        flags_box = QVBoxLayout()
        flags_box.addWidget(self.flags_title)
        flags_box.addWidget(self.flags)
        lower.addLayout(flags_box, 1)
        lower.addWidget(self.chart)
        act = QHBoxLayout()
        act.addWidget(self.selection_label, 1)
        act.addWidget(self.change_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addWidget(self.legend)
        lay.addWidget(self.table, 1)
        lay.addLayout(act)
        lay.addLayout(lower)
        lay.addWidget(buttons)
        self.resize(1200, 640)
        self.table.selectionModel().currentChanged.connect(self._on_table_current_changed)
        self.change_button.clicked.connect(lambda: self.change_rating())
        self.flags.currentRowChanged.connect(self._on_flags_row_changed)
        self.reload()

    # Data ---------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the calibration on the Loader's thread; _show puts it on screen (errors are shown)."""
        store, period, today = self.store, self.period, self.today
        self.heading.setText(f"Calibration of {period}: reading the check-ins\u2026")
        self.loader.request(lambda _progress: calibration(store, period, today), self._show)

    def done(self, result: int) -> None:
        self.loader.shutdown()  # its read, before the store can close
        super().done(result)

    def _show(self, cal: Calibration) -> None:
        self.cal = cal
        self.model.set_calibration(cal)
        drafts = sum(1 for r in cal.rows if r.checkin_id and not r.signed)
        signed = sum(1 for r in cal.rows if r.signed)
        self.heading.setText(f"Calibration of {cal.period}: {len(cal.rows)} people, {signed} signed, "
                             f"{drafts} draft{'s' if drafts != 1 else ''}")
        self.flags.clear()
        self.flags_title.setText(f"Flags ({len(cal.flags)})" if cal.flags else "Flags: none, the ratings agree "
                                 "with their evidence")
        for f in cal.flags:
            item = QListWidgetItem(f"\u26a0 {f.text}")
            item.setData(Qt.ItemDataRole.UserRole, (f.technician_id, f.kpi_id))
            item.setToolTip(f.kind)
            self.flags.addItem(item)
        dist = cal.distribution
        keys = [k for k in dist if k != "none"]
        self.bars.setOpts(x=list(range(len(keys))), height=[dist[k] for k in keys])
        axis = self.chart.getAxis("bottom")
        labels = [(i, k) for i, k in enumerate(keys)]
        axis.setTicks([labels])
        self.chart.setXRange(-0.6, len(keys) - 0.4, padding=0)
        self.chart.setYRange(0, max([1, *dist.values()]) + 0.5, padding=0)
        self.chart.getPlotItem().setTitle(f"Overall ratings ({dist['none']} not rated yet)" if dist["none"]
                                          else "Overall ratings", size="9pt", color="#334e68")
        self._on_table_current_changed(self.table.currentIndex())
        if self._reselect is not None:
            self.select_cell(*self._reselect)
            self._reselect = None
        self.loaded.emit()

    def select_cell(self, technician_id: int, kpi_id: Optional[int]) -> None:
        row = next((i for i, r in enumerate(self.model.rows) if r.technician_id == technician_id), -1)
        if row < 0:
            return
        column = self.model.column_of(kpi_id) if kpi_id is not None else OVERALL
        self.table.setCurrentIndex(self.proxy.mapFromSource(self.model.index(row, column)))

    def current(self) -> tuple[Optional[CalibrationRow], Optional[int]]:
        """The selected row and KPI (None: the overall rating)."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None, None
        src = self.proxy.mapToSource(index)
        return self.model.row(src.row()), self.model.kpi_of(src.column())

    # Actions ------------------------------------------------------------------------------------
    def change_rating(self, rating: Optional[float] = None, reason: Optional[str] = None) -> bool:
        """Change the selected rating; `rating` and `reason` given skip the dialog (scripts, tests)."""
        row, kpi_id = self.current()
        if row is None or row.checkin_id is None or row.signed or self.cal is None:
            return False
        k = row.kpi(kpi_id) if kpi_id is not None else None
        if k is not None and not k.rated:
            return False
        if reason is None:
            what = (f"{row.technician}: {k.name}, now {fmt_rating(k.rating)}" if k is not None
                    else f"{row.technician}: the overall rating, now {fmt_rating(row.overall)}")
            dialog = ChangeRatingDialog(what, k.rating if k is not None else row.overall, self.cal.scale,
                                        k is None, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            rating, reason = dialog.rating(), dialog.reason.text()
        try:
            outcome = actions.calibrate_rating(self.store, row.checkin_id, k.kpi_id if k else None, rating, reason)
        except KpiDeskError as exc:
            show_error(self, exc)
            return False
        self.changes_made.emit(outcome.changes)
        self._reselect = (row.technician_id, k.kpi_id if k else None)  # once the new numbers are shown
        self.reload()
        return True

    # Slots --------------------------------------------------------------------------------------
    def _on_table_current_changed(self, *_args: object) -> None:
        row, kpi_id = self.current()
        k = row.kpi(kpi_id) if row is not None and kpi_id is not None else None
        if row is None:
            text, ok = "Select a rating to change it.", False
        elif row.signed:
            text, ok = f"{row.technician}'s check-in is signed: read-only.", False
        elif row.checkin_id is None:
            text, ok = f"{row.technician}'s check-in is not started: nothing to calibrate yet.", False
        elif kpi_id is not None and (k is None or not k.rated):
            text, ok = f"{k.name if k else 'This KPI'} is not rated for {row.technician}.", False
        else:
            text, ok = (f"{row.technician}: {k.name}" if k is not None else f"{row.technician}: overall rating"), True
        self.selection_label.setText(text)
        self.change_button.setEnabled(ok)

    def _on_flags_row_changed(self, row: int) -> None:
        item = self.flags.item(row) if row >= 0 else None
        if item is not None:
            tid, kpi_id = item.data(Qt.ItemDataRole.UserRole)
            self.select_cell(tid, kpi_id)


if __name__ == "__main__":
    import sys
    import tempfile
    from pathlib import Path

    from kpidesk.demo import create_demo
    from ui.qt_app import make_app

    app = make_app(sys.argv)
    demo = Store.open(Path(tempfile.mkdtemp()) / "preview.db")
    create_demo(demo, seed=7, today=dt.date(2026, 11, 22))
    CalibrationDialog(demo, "2026-Q4", dt.date(2026, 11, 22)).exec()
