"""The calibration table's model and its KPI cell painter (issue 17; the dialog is
ui/checkin/calibration_dialog.py). One row per member of the cycle; columns Technician, State,
Proposed, Overall, then one per KPI. A KPI cell reads "value / target  arrow  rating": the value in
the colour of its verdict, the arrow the way it moved since the previous period (green better, red
worse). Flagged cells are tinted red."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from kpidesk.appraisal.calibration import Calibration, CalibrationRow, KpiEvidence
from kpidesk.signals import ARROW_DOWN, ARROW_FLAT, ARROW_UP, SIGNALS
from kpidesk.units import fmt_value

FIXED = ("Technician", "State", "Proposed", "Overall")
TECH, STATE, PROPOSED, OVERALL = range(4)
SORT_ROLE = Qt.ItemDataRole.UserRole + 30
EVIDENCE_ROLE = Qt.ItemDataRole.UserRole + 31  # KpiEvidence of a KPI cell
FLAGGED_ROLE = Qt.ItemDataRole.UserRole + 32  # the flags' texts on a cell
MOVE = {"better": "#2f855a", "worse": "#c53030", "same": "#627d98"}
FLAG_BG = QColor("#fde2e1")
Index = QModelIndex | QPersistentModelIndex


def fmt_rating(v: Optional[float]) -> str:
    return "\u2013" if v is None else f"{v:.1f}".rstrip("0").rstrip(".")


def arrow(k: KpiEvidence) -> str:
    if k.movement is None or k.value is None or k.previous is None:
        return ""
    return ARROW_FLAT if k.movement == "same" else ARROW_UP if k.value > k.previous else ARROW_DOWN


def cell_parts(k: KpiEvidence) -> tuple[str, str, str]:
    """(value / target, arrow, rating) of a KPI cell."""
    target = f" / {fmt_value(k.target, k.unit).split(' ')[0]}" if k.target is not None else ""
    rating = (fmt_rating(k.rating) if k.rating is not None else "\u2013") if k.rated else ""
    return fmt_value(k.value, k.unit) + target, arrow(k), rating


def cell_tip(k: KpiEvidence) -> str:
    verdict = {"on_target": "on target", "off_target": "off target"}.get(k.verdict or "", "no target")
    moved = f"; previous {fmt_value(k.previous, k.unit)}: {k.movement}" if k.movement else "; no previous value"
    rated = f"Rated {fmt_rating(k.rating)}." if k.rated and k.rating is not None else \
        "Not rated yet." if k.rated else "Not rated (team outcome or escalation destination)."
    target = f" against a target of {fmt_value(k.target, k.unit)}" if k.target is not None else ""
    return f"{k.name}: {fmt_value(k.value, k.unit)}{target} ({verdict}){moved}, n={k.count or 0}. {rated}"


class CalibrationModel(QAbstractTableModel):
    """One row per member; columns Technician, State, Proposed, Overall, then one per KPI (the union of
    the roles' KPIs, in the order they first appear)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.cal: Optional[Calibration] = None
        self.rows: list[CalibrationRow] = []
        self.kpis: list[tuple[int, str]] = []
        self._flags: dict[tuple[int, Optional[int]], list[str]] = {}

    def set_calibration(self, cal: Calibration) -> None:
        self.beginResetModel()
        self.cal, self.rows = cal, list(cal.rows)
        seen: dict[int, str] = {}
        for r in self.rows:
            for k in r.kpis:
                seen.setdefault(k.kpi_id, k.name)
        self.kpis = list(seen.items())
        self._flags = {}
        for f in cal.flags:
            for tid in (f.technician_id, f.other_id):
                if tid is not None:
                    self._flags.setdefault((tid, f.kpi_id), []).append(f.text)
        self.endResetModel()

    def kpi_of(self, column: int) -> Optional[int]:
        return self.kpis[column - len(FIXED)][0] if column >= len(FIXED) else None

    def column_of(self, kpi_id: int) -> int:
        return len(FIXED) + next(i for i, (kid, _n) in enumerate(self.kpis) if kid == kpi_id)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(FIXED) + len(self.kpis)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            # The names as row headers stay in view while the KPI columns scroll sideways.
            ok = role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.rows)
            return self.rows[section].technician if ok else None
        if not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return FIXED[section] if section < len(FIXED) else self.kpis[section - len(FIXED)][1]
        if role == Qt.ItemDataRole.ToolTipRole and section >= len(FIXED):
            return "value / target, the arrow its move since the previous period (green better, red worse), the rating"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or not 0 <= index.column() < self.columnCount():
            return None
        r, c = self.rows[index.row()], index.column()
        kpi_id = self.kpi_of(c)
        k = r.kpi(kpi_id) if kpi_id is not None else None
        flags = self._flags.get((r.technician_id, kpi_id), []) if kpi_id is not None else []
        if role == Qt.ItemDataRole.DisplayRole:
            if c == TECH:
                return r.technician
            if c == STATE:
                return r.state
            if c == PROPOSED:
                return fmt_rating(r.proposed) if r.checkin_id else ""
            if c == OVERALL:
                return (fmt_rating(r.overall) + (" (override)" if r.override_reason else "")) if r.checkin_id else ""
            if k is None:
                return ""
            value, arr, rating = cell_parts(k)
            return f"{value} {arr} \u00b7 {rating}".replace("  ", " ")
        if role == Qt.ItemDataRole.ToolTipRole:
            if k is not None:
                return "\n".join([cell_tip(k), *flags])
            if c == OVERALL and r.override_reason:
                return f"Overridden: {r.override_reason}"
            if c == STATE and r.signed:
                return "Signed: read-only here (correct it from the check-in for a new version)"
            return None
        if role == SORT_ROLE:
            if c in (TECH, STATE):
                return (r.technician if c == TECH else r.state).casefold()
            v = r.proposed if c == PROPOSED else r.overall if c == OVERALL else (k.rating if k else None)
            return -1.0 if v is None else float(v)
        if role == EVIDENCE_ROLE:
            return k
        if role == FLAGGED_ROLE:
            return flags
        if role == Qt.ItemDataRole.BackgroundRole and flags:
            return QBrush(FLAG_BG)
        if role == Qt.ItemDataRole.ForegroundRole and c == STATE:
            return QBrush(QColor("#276749" if r.signed else "#8a5a00" if r.checkin_id else "#627d98"))
        if role == Qt.ItemDataRole.TextAlignmentRole and c in (PROPOSED, OVERALL):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def row(self, row: int) -> CalibrationRow:
        return self.rows[row]


class KpiCellDelegate(QStyledItemDelegate):
    """Paints a KPI cell in three parts: value / target in the verdict's colour, the arrow in the
    movement's colour, the rating in bold."""

    GAP = 8

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        k = index.data(EVIDENCE_ROLE)
        if k is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        opt.widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        value, arr, rating = cell_parts(k)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colours = [SIGNALS[k.verdict].colour if k.verdict in SIGNALS and k.rated else "#9fb3c8",
                   MOVE.get(k.movement or "", "#627d98"), "#102a43"]
        rect = option.rect.adjusted(6, 0, -4, 0)
        painter.save()
        x = rect.left()
        for i, text in enumerate((value, arr, rating)):
            if not text:
                continue
            font = QFont(option.font)
            font.setBold(i > 0)
            painter.setFont(font)
            painter.setPen(option.palette.highlightedText().color() if selected else QColor(colours[i]))
            width = painter.fontMetrics().horizontalAdvance(text)
            painter.drawText(QRect(x, rect.top(), width + 1, rect.height()),
                             int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
            x += width + self.GAP
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        k = index.data(EVIDENCE_ROLE)
        size = super().sizeHint(option, index)
        if k is None:
            return size
        bold = QFont(option.font)
        bold.setBold(True)
        value, arr, rating = cell_parts(k)
        width = (QFontMetrics(option.font).horizontalAdvance(value) + QFontMetrics(bold).horizontalAdvance(arr + rating)
                 + 2 * self.GAP + 14)
        return QSize(max(width, size.width()), size.height())
