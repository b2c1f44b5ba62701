"""The drill-down: the tickets behind a value, opened from a card, a trend point, a quadrant dot, a
check-in figure or a review. Sortable and filterable, the ones that moved the value most first, its
own summary (worked from the listed tickets, so it equals the value it was opened from), and an
Export to Excel. The list is read off the UI thread; the dialog shows as soon as it is asked for."""
from __future__ import annotations

from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk.metrics.evidence import LINE_COLUMNS, METRIC_TITLES, Evidence, TicketLine, summary_text, tickets_behind
from kpidesk.store import Store
from ui.dashboard.loader import Loader
from ui.ops import Op, QtProgress
from ui.record_model import RecordTableModel
from ui.views import record_table

Columns = IntEnum("Columns", [k for k, _h in LINE_COLUMNS], start=0)  # type: ignore[misc]
SORT_ROLE = Qt.ItemDataRole.UserRole + 10
_AGAINST = QColor("#b42318")  # a flag against the value (breached, reopened, escalated)
Index = QModelIndex | QPersistentModelIndex


def _yes_no(flag: bool | None) -> str:
    return "" if flag is None else "yes" if flag else "no"


class TicketLinesModel(RecordTableModel[TicketLine]):
    Columns = Columns
    HEADERS = {c: h for c, (_k, h) in zip(Columns, LINE_COLUMNS)}
    RIGHT_ALIGNED = frozenset({Columns.resolution_hours, Columns.csat})
    FREE_TEXT = frozenset({Columns.category, Columns.technicians, Columns.status, Columns.resolved_basis_words})

    def display(self, r: TicketLine, column: int) -> Any:
        c = Columns(column)
        if c is Columns.id:
            return r.external_id
        if c is Columns.created:
            return f"{r.created_at:%Y-%m-%d %H:%M}"
        if c is Columns.resolved:
            return f"{r.resolved_at:%Y-%m-%d %H:%M}" if r.resolved_at else ""
        if c is Columns.resolution_hours:
            # Unknown is not zero: a done ticket with an assumed time has no resolution time.
            return "—" if r.resolution_hours is None else f"{r.resolution_hours:.1f}"
        if c is Columns.csat:
            if r.csat is not None:
                return f"{r.csat:g}"
            return "" if r.csat_positive is None else ("👍" if r.csat_positive else "👎")
        if c in (Columns.sla_met, Columns.reopened, Columns.escalated, Columns.first_contact):
            return _yes_no(getattr(r, c.name))
        return r.to_json()[c.name]

    def sort_value(self, r: TicketLine, column: int) -> Any:
        c = Columns(column)
        if c is Columns.created:
            return r.created_at.isoformat()
        if c is Columns.resolved:
            return r.resolved_at.isoformat() if r.resolved_at else ""
        if c is Columns.resolution_hours:
            return -1.0 if r.resolution_hours is None else r.resolution_hours
        if c is Columns.csat:
            return -1.0 if r.csat is None else r.csat
        return self.display(r, column)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == SORT_ROLE and index.isValid():
            return self.sort_value(self.record(index.row()), index.column())
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            r, c = self.record(index.row()), Columns(index.column())
            against = {Columns.sla_met: r.sla_met is False, Columns.reopened: r.reopened is True,
                       Columns.escalated: r.escalated is True, Columns.first_contact: r.first_contact is False}
            return _AGAINST if against.get(c) else None
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and Columns(index.column()) is Columns.resolution_hours:
            r = self.record(index.row())
            if r.resolution_hours is None and r.basis_words:
                return f"No resolution time: {r.basis_words}"
        return super().data(index, role)


class _Sorter(QSortFilterProxyModel):
    """Numbers sort as numbers (SORT_ROLE: one type per column, compared in C++); the filter looks in
    every column."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)



class TicketsDialog(QDialog):
    """The tickets behind one value. `title` names what it was opened from (a KPI's name)."""

    def __init__(self, store: Store, scope_key: str, period: str, *, metric: str | None = None,
                 segment: str | None = None, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.asked = (scope_key, period, metric, segment)  # not .metric: QWidget.metric() is Qt's own
        self.evidence: Evidence | None = None
        name = title or METRIC_TITLES.get(metric or "", "Resolved tickets")
        self.setWindowTitle(f"Tickets behind {name}")
        self._name = name
        self.heading = QLabel(f"<b>{name}</b>", objectName="dialogHeading")
        self.summary = QLabel("Reading the tickets…", wordWrap=True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.filter = QLineEdit(placeholderText="Filter: ticket, category, priority, technician…", clearButtonEnabled=True)
        self.shown = QLabel()
        self.shown.setMinimumWidth(self.shown.fontMetrics().horizontalAdvance("88888 of 88888 shown") + 6)
        self.model = TicketLinesModel(self)
        self.proxy = _Sorter(self)
        self.proxy.setSourceModel(self.model)
        self.table = record_table(self.proxy)
        # The core's order first (the ones that moved the value most): no sort column until one is clicked.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        head = self.table.horizontalHeader()
        # Sized once from the first rows when the list arrives: ResizeToContents measures every row
        # at every change (3.4 s for 659 tickets).
        head.setResizeContentsPrecision(60)
        head.setStretchLastSection(True)
        self.export_button = QPushButton("Export to Excel…", enabled=False)
        self.export_button.setToolTip("These tickets, with the summary, as an .xlsx workbook")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.filter, 1)
        row.addWidget(self.shown)
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addWidget(self.summary)
        lay.addLayout(row)
        lay.addWidget(self.table, 1)
        lay.addWidget(buttons)
        self.resize(1100, 560)
        self.filter.textChanged.connect(self._on_filter_text_changed)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.loader = Loader(self)
        self.loader.request(lambda _p: tickets_behind(store, scope_key, period, metric=metric, segment=segment),
                            self._on_evidence_ready)

    def done(self, result: int) -> None:
        self.loader.shutdown()  # its worker must not outlive the dialog it reports to
        super().done(result)

    def _on_evidence_ready(self, ev: Evidence) -> None:
        self.evidence = ev
        who = "Whole desk" if ev.scope_key == "desk" else ev.who
        seg = f", {ev.segment}" if ev.segment else ""
        self.heading.setText(f"<b>{self._name}</b> · {who} · {ev.period.key}{seg}")
        self.summary.setText(summary_text(ev) + ("" if ev.lines else ". No ticket rests on it."))
        self.model.set_records(ev.lines)
        self.table.resizeColumnsToContents()
        self.export_button.setEnabled(bool(ev.lines))
        self._update_shown()

    def _update_shown(self) -> None:
        n, shown = self.model.rowCount(), self.proxy.rowCount()
        self.shown.setText(f"{shown} of {n} shown" if shown != n else f"{n} tickets")

    def _on_filter_text_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._update_shown()

    def suggested_name(self) -> str:
        ev = self.evidence
        who = "desk" if ev is None or ev.scope_key == "desk" else ev.who
        return f"tickets {self.asked[2] or 'resolved'} {who} {self.asked[1]}.xlsx".replace("/", "-")

    def export_to(self, path: str | Path) -> Op[Path]:
        from kpidesk import actions

        store, (scope, period, metric, segment) = self.store, self.asked
        op: Op[Path] = Op(self, lambda _p: actions.export_tickets(store, scope, period, path, metric=metric,
                                                                  segment=segment).result)
        return op.with_progress("Writing the tickets…").success(self._on_exported).run()

    def _on_exported(self, path: Path) -> None:
        self.summary.setText(f"{summary_text(self.evidence)}. Saved to {path}.")  # type: ignore[arg-type]

    def _on_export_button_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export the tickets", self.suggested_name(),
                                              "Excel workbook (*.xlsx)")
        if name:
            self.export_to(name)


def show_tickets_for_kpi(parent: QWidget, store: Store, kpi_id: int, scope_key: str, period: str,
                         segment: str | None = None) -> TicketsDialog | None:
    """The drill-down for a KPI's value; a KPI not computed from tickets says where its values come
    from instead."""
    kpi = store.get_kpi(kpi_id)
    if kpi.value_source != "computed" or not kpi.metric:
        how = "a formula over other KPIs" if kpi.value_source == "formula" else "entered or imported values"
        QMessageBox.information(parent, "No tickets behind it",
                                f"{kpi.name} comes from {how}, not from tickets, so there is no ticket list behind it.")
        return None
    if not scope_key.startswith(("desk", "team:", "technician:", "group:")):
        QMessageBox.information(parent, "No tickets behind it", f"{kpi.name} for this scope is not computed from tickets.")
        return None
    seg = segment if segment is not None else (kpi.segment or None)
    return show_tickets(parent, store, scope_key, period, metric=kpi.metric, segment=seg,
                        title=f"{kpi.name}{' ' + seg if seg and seg != kpi.segment else ''}")


def show_tickets(parent: QWidget, store: Store, scope_key: str, period: str, *, metric: str | None = None,
                 segment: str | None = None, title: str = "") -> TicketsDialog:
    dlg = TicketsDialog(store, scope_key, period, metric=metric, segment=segment, title=title, parent=parent)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.show()
    return dlg
