"""KPI Desk's Qt face. No SQL and no business rules here: screens ask the core (kpidesk.Store)."""
