"""The dashboard: a card per KPI for the desk, a team or a technician and a period; a click on a
card opens its trend plot; speed against quality for the period; the open reviews one click away.

Thread rules: every read of the core runs on the dashboard's loaders (ui.dashboard.loader, one
worker thread, newest request wins). Stored KPI values are kept true by the core's actions, so
nothing here recomputes (Tools > Recompute all KPI values is the rare full one). Cards already read
for a (scope, period) are kept until the data changes, and the other scopes of the period are read
ahead in the background, so switching technician is a model reset (milliseconds), not a query.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk.annotations import annotations_touching
from kpidesk.metrics.recompute import ticket_span
from kpidesk.metrics.reviews import list_reviews, overdue_reviews
from kpidesk.metrics.series import KpiCard, cards_for_scopes, dashboard_cards, kpi_series, speed_quality
from kpidesk.metrics.model import granularity_of
from kpidesk.periods import parse_period, period_containing, periods_between
from kpidesk.records import Changes
from kpidesk.store import Store
from kpidesk.wording import count
from ui.dashboard.cards import CardGrid
from ui.dashboard.cycle_banner import CycleBanner
from ui.dashboard.exporting import DashboardExports
from ui.dashboard.loader import Loader
from ui.dashboard.models import KpiCardModel
from ui.dashboard.scatter import ScatterView
from ui.dashboard.trend_plot import TrendPlot
from ui.errors import show_error
from ui.evidence_dialog import show_tickets, show_tickets_for_kpi
from ui.ops import QtProgress
from ui.screen import Screen, page_header

TREND_PERIODS = {"week": 26, "month": 12, "quarter": 8, "year": 5}
CardsResult = tuple[list[KpiCard], frozenset[int], int]  # cards, overdue KPI ids, min_count


class DashboardScreen(DashboardExports, Screen):
    title, icon_name = "Dashboard", "dashboard"
    cards_shown = Signal()
    trend_shown = Signal()
    scatter_shown = Signal()
    reviews_requested = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(store, parent)
        self.today = today
        self.kpi_id: int | None = None
        self._cache: dict[tuple[str, str | None], CardsResult] = {}
        self.cards_loader, self.trend_loader, self.scatter_loader = Loader(self), Loader(self), Loader(self)
        self.scope_combo = QComboBox(minimumContentsLength=16)
        self.scope_combo.setToolTip("The whole desk, a team, a group of the imported tickets, or one technician")
        self.period_combo = QComboBox(minimumContentsLength=10)
        self.period_combo.setToolTip("Each KPI shows its last full period (by its cadence) up to the end of this one")
        self.reviews_button = QPushButton("Reviews")
        self.reviews_button.setToolTip("The open reviews: KPIs that crossed their trigger")
        self.export_button = QPushButton("Export table…")
        self.export_button.setToolTip("The KPI values shown on the cards, to an Excel workbook")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.scope_combo)
        bar.addWidget(QLabel("up to"))
        bar.addWidget(self.period_combo)
        bar.addStretch(1)
        for b in (self.reviews_button, self.export_button):
            bar.addWidget(b)
        self.model = KpiCardModel(self)
        self.grid = CardGrid()
        self.grid.setModel(self.model)
        self.hint = QLabel(objectName="hint", wordWrap=True)
        cards_page = QWidget()
        cl = QVBoxLayout(cards_page)
        cl.setContentsMargins(8, 8, 8, 4)
        cl.addWidget(self.grid, 1)
        cl.addWidget(self.hint)
        self.trend = TrendPlot()
        trend_page = QWidget()
        tl = QVBoxLayout(trend_page)
        tl.setContentsMargins(10, 8, 10, 8)
        tl.addWidget(self.trend)
        self.scatter = ScatterView()
        scatter_page = QWidget()
        sl = QVBoxLayout(scatter_page)
        sl.setContentsMargins(10, 8, 10, 8)
        sl.addWidget(self.scatter)
        self.tabs = QTabWidget()
        self.tabs.addTab(cards_page, "KPI cards")
        self.tabs.addTab(trend_page, "Trend")
        self.tabs.addTab(scatter_page, "Speed vs quality")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.addWidget(page_header("Dashboard"))
        self.cycle_banner = CycleBanner(store, today)  # hidden unless a review cycle is overdue
        lay.addWidget(self.cycle_banner)
        lay.addLayout(bar)
        lay.addWidget(self.tabs, 1)
        self.grid.card_clicked.connect(self._on_grid_card_clicked)
        self.grid.tickets_requested.connect(self._on_grid_tickets_requested)
        self.grid.review_requested.connect(self._on_grid_review_requested)
        self.trend.point_clicked.connect(self._on_trend_point_clicked)
        self.trend.note_requested.connect(self._on_trend_note_requested)
        self.scatter.point_clicked.connect(self._on_scatter_point_clicked)
        self.trend.median_box.toggled.connect(self._on_trend_option_toggled)
        self.trend.split_box.toggled.connect(self._on_trend_option_toggled)
        self.trend.export_png.clicked.connect(lambda: self._on_trend_export_clicked(".png"))
        self.trend.export_pdf.clicked.connect(lambda: self._on_trend_export_clicked(".pdf"))
        self.reviews_button.clicked.connect(self._on_reviews_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self._fill_scopes()
        self._fill_periods()
        self.scope_combo.currentIndexChanged.connect(self._on_scope_combo_changed)
        self.period_combo.currentIndexChanged.connect(self._on_period_combo_changed)
        self._update_reviews_button()
        self.reload()
        self.cycle_banner.open_requested.connect(self._on_cycle_banner_open_requested)
        self.cycle_banner.load()  # after the cards' read, on its own loader

    # Choices ---------------------------------------------------------------------------------------
    @property
    def scope_key(self) -> str:
        return self.scope_combo.currentData() or "desk"

    @property
    def period(self) -> str | None:
        """The chosen period key, or None for 'the latest full periods'."""
        return self.period_combo.currentData()

    def reference_day(self) -> dt.date:
        """The day 'before which' periods are full: today, or the day after the chosen period."""
        if self.period is None:
            return self.today or dt.date.today()
        return parse_period(self.period).end

    def set_scope(self, scope_key: str) -> None:
        i = self.scope_combo.findData(scope_key)
        if i >= 0:
            self.scope_combo.setCurrentIndex(i)

    def set_period(self, period: str | None) -> None:
        i = self.period_combo.findData(period)
        if i >= 0:
            self.period_combo.setCurrentIndex(i)

    def _fill_scopes(self) -> None:
        current = self.scope_key if self.scope_combo.count() else "desk"
        self.scope_combo.blockSignals(True)
        self.scope_combo.clear()
        self.scope_combo.addItem("The whole desk", "desk")
        for team in self.store.list_teams():
            self.scope_combo.addItem(f"Team: {team.name}", f"team:{team.id}")
        for group in self.store.list_groups():  # the exports' own groups, beside KPI Desk's teams
            self.scope_combo.addItem(f"Group: {group}", f"group:{group}")
        for tech in self.store.list_technicians():
            self.scope_combo.addItem(tech.display_name, f"technician:{tech.id}")
        self.scope_combo.setCurrentIndex(max(self.scope_combo.findData(current), 0))
        self.scope_combo.blockSignals(False)

    def _fill_periods(self) -> None:
        current = self.period
        self.period_combo.blockSignals(True)
        self.period_combo.clear()
        self.period_combo.addItem("Latest", None)
        span = ticket_span(self.store)
        if span is not None:
            today = self.today or dt.date.today()
            last = period_containing(min(span[1], today), "month")
            months = periods_between(max(span[0], last.start - dt.timedelta(days=731)), last.last_day, "month")
            for p in reversed(months):
                self.period_combo.addItem(p.key, p.key)
        self.period_combo.setCurrentIndex(max(self.period_combo.findData(current), 0))
        self.period_combo.blockSignals(False)

    # Loading ---------------------------------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        self.cycle_banner.on_changes(changes)
        if changes.people:
            self._fill_scopes()
        if changes.tickets:
            self._fill_periods()
        if changes.reviews or changes.kpis:
            self._update_reviews_button()
        if changes.measurements or changes.kpis or changes.tickets or changes.people or changes.settings \
                or changes.reviews:
            self._cache = {}
            self.reload()
        elif changes.annotations and self.tabs.currentIndex() == 1:
            self.load_trend()

    def reload(self) -> None:
        """Show the cards for the chosen scope and period (at once if already read), and read ahead
        the other scopes of the period in the background."""
        key = (self.scope_key, self.period)
        cached = self._cache.get(key)
        if cached is not None:
            self._show_cards(cached)
        else:
            store, scope, period, today = self.store, self.scope_key, self.period, self.today
            self.hint.setText("Reading…")
            self.cards_loader.request(lambda _p: _read_cards(store, scope, period, today), self._on_cards_ready)
        self._read_ahead()
        if self.tabs.currentIndex() == 1 and self.kpi_id is not None:
            self.load_trend()
        elif self.tabs.currentIndex() == 2:
            self.load_scatter()

    def _read_ahead(self) -> None:
        store, period, today, cache = self.store, self.period, self.today, self._cache
        scopes = [self.scope_combo.itemData(i) for i in range(self.scope_combo.count())]
        missing = [s for s in scopes if (s, period) not in cache and s != self.scope_key]

        def read(progress: QtProgress) -> None:
            # Every scope at once from the stored values: one SELECT, grouped in memory.
            by_scope = cards_for_scopes(store, missing, period, today=today)
            if progress.cancelled():
                return
            overdue = frozenset(o.kpi_id for o in overdue_reviews(store, today))
            min_count = int(store.get_setting("min_count") or 5)
            for scope, cards in by_scope.items():
                cache.setdefault((scope, period), (cards, overdue, min_count))

        if missing:
            self.cards_loader.background(read)

    def _on_cards_ready(self, result: CardsResult) -> None:
        self._cache[(self.scope_key, self.period)] = result
        self._show_cards(result)

    def _show_cards(self, result: CardsResult) -> None:
        cards, overdue, min_count = result
        self.model.set_cards(cards, overdue)
        who = self.scope_combo.currentText()
        if not cards:
            self.hint.setText(f"No KPI has a value for {who} yet: import tickets or values, or define KPIs.")
        else:
            self.hint.setText(f"{count(len(cards), 'KPI')} for {who}. Greyed-out values rest on fewer than {min_count} "
                              "tickets. Click a card for its trend; right-click it for the tickets behind its value.")
        self.cards_shown.emit()

    def load_trend(self) -> None:
        if self.kpi_id is None:
            return
        store, kpi_id, scope, today = self.store, self.kpi_id, self.scope_key, self.reference_day()
        median = self.trend.median_box.isChecked() and scope.startswith("technician:")
        split = self.trend.split_box.isChecked()

        def read(_p: QtProgress) -> tuple[Any, dict[str, Any], list[Any]]:
            kpi = store.get_kpi(kpi_id)
            n = TREND_PERIODS.get(granularity_of(kpi.cadence), 12)
            main = kpi_series(store, kpi_id, scope, n=n, today=today, compare_team=median)
            tiers = {}
            if split and kpi.value_source == "computed":
                tiers = {seg: kpi_series(store, kpi_id, scope, segment=seg, n=n, today=today)
                         for seg in ("P1", "P2", "P3", "P4")}
            notes = (annotations_touching(store, kpi_id, scope, parse_period(main.periods[0]).start,
                                          parse_period(main.periods[-1]).last_day) if main.periods else [])
            return main, tiers, notes

        self.trend_loader.request(read, self._on_trend_ready)

    def _on_trend_ready(self, result: tuple[Any, dict[str, Any], list[Any]]) -> None:
        s, tiers, notes = result
        self.trend.set_series(s, tiers)
        self.trend.set_notes(notes)
        seg = f" {s.segment}" if s.segment else ""
        bits = [f"{s.scope_label}, by {s.granularity}"]
        if s.baseline is None:
            bits.append("no baseline set yet (KPIs page)")
        if s.projected_period and s.periods and s.projected_period == s.periods[-1]:
            bits.append(f"trend {s.trend}, meets the target now")
        elif s.projected_period:
            bits.append(f"trend {s.trend}, on course to reach the target in {s.projected_period}")
        else:
            bits.append(f"trend {s.trend}")
        self.trend.set_caption(f"{s.name}{seg}", "; ".join(bits) + ". Hover a point for its value and count; click it for its tickets.")
        self.trend.median_box.setEnabled(s.scope_key.startswith("technician:"))
        self.trend_shown.emit()

    def load_scatter(self) -> None:
        store, team = self.store, None
        if self.scope_key.startswith("team:"):
            team = int(self.scope_key.split(":")[1])
        period = self.period or period_containing(self.reference_day(), "month").previous().key
        self.scatter_loader.request(lambda _p: speed_quality(store, period, team), self._on_scatter_ready)

    def _on_scatter_ready(self, data: Any) -> None:
        self.scatter.set_data(data)
        self.scatter_shown.emit()

    def open_trend(self, kpi_id: int) -> None:
        self.kpi_id = kpi_id
        self.tabs.setCurrentIndex(1)  # loads through _on_tabs_current_changed
        if self.tabs.currentIndex() == 1:
            self.load_trend()

    # Actions ---------------------------------------------------------------------------------------
    def _update_reviews_button(self) -> None:
        n = len(list_reviews(self.store))
        late = len(overdue_reviews(self.store, self.today))
        text = f"{n} open review{'s' if n != 1 else ''}" if n else "No open reviews"
        self.reviews_button.setText(text + (f", {late} overdue" if late else ""))
        self.reviews_button.setObjectName("primary" if n else "")
        self.reviews_button.style().unpolish(self.reviews_button)
        self.reviews_button.style().polish(self.reviews_button)

    def shutdown(self) -> None:
        for loader in (self.cards_loader, self.trend_loader, self.scatter_loader, self.cycle_banner.loader):
            loader.shutdown()

    # Slots -----------------------------------------------------------------------------------------
    def _on_scope_combo_changed(self, _index: int) -> None:
        self.reload()

    def _on_period_combo_changed(self, _index: int) -> None:
        self.reload()

    def _on_grid_card_clicked(self, kpi_id: int) -> None:
        self.open_trend(kpi_id)

    def _on_grid_tickets_requested(self, kpi_id: int) -> None:
        row = self.model.row_of(kpi_id)
        if row >= 0:
            show_tickets_for_kpi(self, self.store, kpi_id, self.scope_key, self.model.card(row).period)

    def _on_grid_review_requested(self, kpi_id: int) -> None:
        row = self.model.row_of(kpi_id)
        if row >= 0:
            self.raise_review(kpi_id, self.model.card(row).period)

    def raise_review(self, kpi_id: int, period: str, why: str | None = None) -> Any:
        """Raise a review by hand on the card's value (ui.dashboard.raise_review)."""
        from ui.dashboard.raise_review import ask_and_raise

        return ask_and_raise(self, kpi_id, period, why)

    def _on_trend_point_clicked(self, period: str, segment: str) -> None:
        s = self.trend.series
        if s is not None:
            show_tickets_for_kpi(self, self.store, s.kpi_id, s.scope_key, period, segment=segment or None)

    def _on_trend_note_requested(self, day: dt.date | None) -> None:
        s = self.trend.series
        if s is None:
            return
        on = day or (parse_period(s.periods[-1]).start if s.periods else self.reference_day())
        from ui import annotation_dialog  # the dialog and the actions load on first use

        outcome = annotation_dialog.ask_annotation(self, self.store, on=on, kpi_id=s.kpi_id, scope_key=s.scope_key)
        if outcome is not None:
            self.changes_made.emit(outcome.changes)  # comes back through on_changes: the trend redraws

    def _on_scatter_point_clicked(self, technician_id: int, metric: str) -> None:
        if self.scatter.data is not None:
            show_tickets(self, self.store, f"technician:{technician_id}", self.scatter.data.period, metric=metric)

    def _on_trend_option_toggled(self, _on: bool) -> None:
        self.load_trend()

    def _on_tabs_current_changed(self, index: int) -> None:
        if index == 1:
            self.load_trend()
        elif index == 2:
            self.load_scatter()

    def _on_reviews_button_clicked(self) -> None:
        self.reviews_requested.emit()
        show = getattr(self.window(), "show_screen", None)
        if show is not None:
            from ui.dashboard.reviews_panel import ReviewsScreen

            show(ReviewsScreen)

    def _on_cycle_banner_open_requested(self, period: str) -> None:
        go_to = getattr(self.window(), "go_to", None)
        if go_to is not None:
            from ui.checkin.screen import CheckInsScreen  # loaded on first use, not at start-up

            go_to(CheckInsScreen).show_cycle(period)

def _read_cards(store: Store, scope: str, period: str | None, today: dt.date | None) -> CardsResult:
    """Worker thread: the cards of one scope and period, the KPIs overdue for review, min_count."""
    cards = dashboard_cards(store, scope, period, today=today)
    overdue = frozenset(o.kpi_id for o in overdue_reviews(store, today))
    return cards, overdue, int(store.get_setting("min_count") or 5)


if __name__ == "__main__":
    import sys
    import tempfile

    from kpidesk.demo import create_demo
    from ui.qt_app import make_app

    app = make_app(sys.argv)
    preview_store = Store.open(Path(tempfile.mkdtemp()) / "preview.db")
    create_demo(preview_store, seed=7)
    screen = DashboardScreen(preview_store)
    screen.resize(1280, 800)
    screen.show()
    sys.exit(app.exec())
