"""Metrics, KPI values, status, baselines, reviews and trends (issue 4). Pure Python, no Qt.

The front door for screens and scripts (each module keeps its own rules in its docstring):
    engine      compute / compute_all / compute_many -> list[MetricValue]   (ticket metrics)
    kpi_values  kpi_values(store, kpi, periods, scope_key, segment)         (any KPI, in its unit)
    status      kpi_status / judge_period -> Judgement                      (on/off target, triggered)
    baseline    set_baseline / compute_baseline
    formula     parse_formula / check_formula
    reviews     check_triggers / acknowledge_review / list_reviews / overdue_reviews / mark_reviewed
    trend       analyse -> Trend (slope, label, projection, anomalies, rolling)
    series      kpi_series -> PlotSeries, speed_quality -> ScatterData, dashboard_cards -> list[KpiCard]
    recompute   recompute(store, progress) -> Changes
Imported lazily by the callers (from kpidesk.metrics.series import kpi_series), so importing this
package costs nothing.
"""
from __future__ import annotations
