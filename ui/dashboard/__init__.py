"""The dashboard (issue 4, items 3, 5, 6): KPI cards, trend plots, speed against quality, reviews."""
