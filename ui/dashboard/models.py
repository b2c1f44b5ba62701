"""Qt item models of the dashboard: the KPI cards (a list model a delegate paints), the reviews and
the KPIs overdue for a review (read-only tables). They hold the core's records as they are and only
format them for display: every number comes from kpidesk.metrics, none is computed here.

Status words, shapes and colours come from kpidesk.signals, the one vocabulary the PDF and the
workbook use too, so a card, a table cell and a plot marker tell the same story in colour and in
greyscale (a shape and a word beside every colour).
"""
from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from kpidesk.export.formats import fmt_target, fmt_value
from kpidesk.metrics.model import COUNT_NOUNS
from kpidesk.metrics.reviews import OverdueReview, ReviewRecord
from kpidesk.metrics.series import KpiCard
from kpidesk.signals import SIGNALS
from kpidesk.wording import count
from ui.record_model import RecordTableModel

Index = QModelIndex | QPersistentModelIndex

CARD_ROLE = Qt.ItemDataRole.UserRole + 10  # the KpiCard
KPI_ID_ROLE = Qt.ItemDataRole.UserRole + 11  # its KPI id
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 12  # True when the KPI is overdue for a review

GREY = SIGNALS["few"].colour


def status_look(card: KpiCard) -> tuple[str, str, QColor]:
    """(word, shape drawn beside it, colour) of a card's value: the shape carries it without colour."""
    sig = card.signal
    return sig.word, sig.shape, QColor(sig.colour)


def count_text(card: KpiCard, min_count: int | None = None, *, say_few: bool = True) -> str:
    """What the value rests on: '12 tickets with a resolution time' for an MTTR (tickets resolved
    without one are not in it), '40 resolved tickets' for a rate. A card drawn greyed out already
    says 'too few' by its look (say_few=False)."""
    if card.count is None:
        return "no ticket in this period" if card.metric else "entered value"
    if card.value is None:
        return "no data for this period"
    one, many = COUNT_NOUNS.get(card.metric, ("ticket", "tickets"))
    few = " (too few to judge)" if card.few and say_few else ""
    return f"{card.count} {one if card.count == 1 else many}{few}"


def card_summary(card: KpiCard, overdue: bool = False) -> str:
    """Everything a card shows, as one sentence (tool tip and accessible text)."""
    sig = card.signal
    target = fmt_target(card.target, card.unit, card.direction, card.band)
    parts = [f"{card.name}, {card.period}: {fmt_value(card.value, card.unit)}", f"{sig.word} ({sig.meaning})",
             f"target {target}" if card.target is not None or card.band else "no target set",
             f"trend {card.trend_words}", count_text(card)]
    parts += [w for w in (card.change_words(card.previous), card.change_words(card.year_ago), card.mix) if w]
    if not card.rated:
        parts.append("a team outcome: never used to rate a person")
    if overdue:
        parts.append("overdue for a review")
    return "; ".join(parts)


# ------------------------------------------------------------------ cards

class KpiCardModel(QAbstractListModel):
    """One row per KpiCard, in the order the core gave them. Reloads are one model reset."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._cards: list[KpiCard] = []
        self._overdue: frozenset[int] = frozenset()

    def set_cards(self, cards: list[KpiCard], overdue: frozenset[int] = frozenset()) -> None:
        self.beginResetModel()
        self._cards = list(cards)
        self._overdue = overdue
        self.endResetModel()

    def cards(self) -> list[KpiCard]:
        return list(self._cards)

    def card(self, row: int) -> KpiCard:
        return self._cards[row]

    def row_of(self, kpi_id: int) -> int:
        return next((i for i, c in enumerate(self._cards) if c.kpi_id == kpi_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._cards)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cards):
            return None
        c = self._cards[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return c.name
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return card_summary(c, c.kpi_id in self._overdue)
        if role == CARD_ROLE:
            return c
        if role == KPI_ID_ROLE:
            return c.kpi_id
        if role == OVERDUE_ROLE:
            return c.kpi_id in self._overdue
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def table_rows(cards: list[KpiCard], scope_label: str) -> list[dict[str, Any]]:
    """The cards as the rows of the 'export KPI table' workbook (values in each KPI's unit)."""
    return [{"kpi": c.name, "who": scope_label, "period": c.period, "value": c.value, "unit": c.unit,
             "count": c.count, "status": c.signal.word,
             "target": c.target if c.band is None else f"{fmt_value(c.band[0], c.unit)} to "
                                                        f"{fmt_value(c.band[1], c.unit)}",
             "trend": c.trend_words, "too_few": "yes" if c.few else "",
             "rated": "yes" if c.rated else "team outcome"} for c in cards]


# ------------------------------------------------------------------ reviews

class ReviewColumns(IntEnum):
    KPI = 0
    WHO = 1
    PERIOD = 2
    VALUE = 3
    RULE = 4
    OWNER = 5
    OPENED = 6
    STATE = 7


class ReviewTableModel(RecordTableModel[ReviewRecord]):
    Columns = ReviewColumns
    HEADERS = {ReviewColumns.KPI: "KPI", ReviewColumns.WHO: "For", ReviewColumns.PERIOD: "Period",
               ReviewColumns.VALUE: "Value", ReviewColumns.RULE: "Rule crossed", ReviewColumns.OWNER: "Owner",
               ReviewColumns.OPENED: "Opened", ReviewColumns.STATE: "Acknowledged"}
    FREE_TEXT = frozenset({ReviewColumns.KPI, ReviewColumns.WHO, ReviewColumns.OWNER, ReviewColumns.STATE})

    def display(self, r: ReviewRecord, column: int) -> Any:
        col = ReviewColumns(column)
        if col == ReviewColumns.KPI:
            return r.kpi_name if not r.segment or r.kpi_name.endswith(r.segment) else f"{r.kpi_name} {r.segment}"
        if col == ReviewColumns.WHO:
            return r.scope_label
        if col == ReviewColumns.PERIOD:
            return r.period
        if col == ReviewColumns.VALUE:
            return fmt_value(r.value, r.unit)
        if col == ReviewColumns.RULE:
            return r.rule
        if col == ReviewColumns.OWNER:
            return r.owner or "no owner"
        if col == ReviewColumns.OPENED:
            return f"{r.opened_at:%Y-%m-%d}"
        if r.is_open:
            return "open"
        return f"{r.acknowledged_at:%Y-%m-%d} by {r.acknowledged_by or '?'}: {r.note}"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.ForegroundRole and index.isValid() and 0 <= index.row() < self.rowCount()
                and not self.record(index.row()).is_open):
            return QColor("#627d98")
        return super().data(index, role)


class OverdueColumns(IntEnum):
    KPI = 0
    OWNER = 1
    CADENCE = 2
    LAST = 3
    DUE = 4
    LATE = 5


class OverdueTableModel(RecordTableModel[OverdueReview]):
    Columns = OverdueColumns
    HEADERS = {OverdueColumns.KPI: "KPI", OverdueColumns.OWNER: "Owner", OverdueColumns.CADENCE: "Cadence",
               OverdueColumns.LAST: "Last reviewed", OverdueColumns.DUE: "Review was due",
               OverdueColumns.LATE: "Overdue by"}
    FREE_TEXT = frozenset({OverdueColumns.KPI, OverdueColumns.OWNER})

    def display(self, o: OverdueReview, column: int) -> Any:
        col = OverdueColumns(column)
        return {OverdueColumns.KPI: o.kpi_name, OverdueColumns.OWNER: o.owner or "no owner",
                OverdueColumns.CADENCE: o.cadence, OverdueColumns.LAST: o.last_reviewed.isoformat(),
                OverdueColumns.DUE: o.due.isoformat(),
                OverdueColumns.LATE: count(o.days_overdue, "day")}[col]

    def row_of(self, record_id: int | None) -> int:
        return next((i for i, o in enumerate(self.records()) if o.kpi_id == record_id), -1)
