"""KPI Desk core: data model, database, import, metrics, appraisal and export. No Qt here."""
from __future__ import annotations

__version__ = "0.1.0"
