"""Exports for HR and the dashboard: pure content and files, no Qt.

- content.py / report_html.py: an appraisal summary as plain data and as HTML (Qt's QTextDocument
  subset), which ui/reports/pdf_renderer.py turns into a PDF. The core never imports Qt: the PDF
  renderer is handed in as a callable (see batch.PdfRenderer).
- workbook.py: the HR workbook per period (openpyxl), through xlsx_safe.py's formula-injection guard.
- batch.py: a whole period or team to a folder, with progress, cancel and atomic files.
- kpi_table.py: the dashboard's KPI table to Excel.
"""
from __future__ import annotations
