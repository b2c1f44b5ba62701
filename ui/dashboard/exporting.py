"""The dashboard's exports: the KPI table shown on the cards to a workbook, the trend plot to PNG or
PDF. A mixin of DashboardScreen (which holds the widgets it reads), kept apart to keep that screen
readable; every failure becomes a dialog."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

from kpidesk.export.kpi_table import Column, write_kpi_table
from ui.dashboard.models import table_rows
from ui.errors import show_error
from ui.reports.plot_export import save_plot

TABLE_COLUMNS = [Column("KPI", "kpi"), Column("For", "who"), Column("Period", "period"),
                 Column("Value", "value", unit_key="unit"), Column("Unit", "unit"), Column("Count", "count"),
                 Column("Status", "status"), Column("Target", "target", unit_key="unit"), Column("Trend", "trend"),
                 Column("Too few tickets", "too_few"), Column("Rated", "rated")]


class DashboardExports:
    """Needs from the screen: model, scope_combo, period_combo and trend."""

    def export_table(self, path: str | Path) -> Path:
        rows = table_rows(self.model.cards(), self.scope_combo.currentText())
        title = f"KPI Desk: {self.scope_combo.currentText()}, {self.period_combo.currentText()}"
        return write_kpi_table(rows, path, TABLE_COLUMNS, title=title)

    def export_plot(self, path: str | Path) -> Path:
        return save_plot(self.trend.plot, path, title=self.trend.title.text())

    def export(self) -> bool:
        self._on_export_button_clicked()
        return True

    def _on_export_button_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export the KPI table", "kpi-table.xlsx", "Excel workbook (*.xlsx)")
        if name:
            self._export(lambda: self.export_table(name if name.endswith(".xlsx") else name + ".xlsx"))

    def _on_trend_export_clicked(self, ext: str) -> None:
        if self.trend.series is None:
            return
        label = "PNG image (*.png)" if ext == ".png" else "PDF document (*.pdf)"
        name, _ = QFileDialog.getSaveFileName(self, "Export the trend plot", f"{self.trend.title.text()}{ext}", label)
        if name:
            self._export(lambda: self.export_plot(name if name.lower().endswith(ext) else name + ext))

    def _export(self, fn: Any) -> None:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - every failure becomes a dialog
            show_error(self, exc)
