"""Metrics, KPI values, status, baselines, reviews and trends (issue 4). Pure Python, no Qt.

The screens call the functions re-exported here; see each module for the rules it keeps.
"""
from __future__ import annotations
