"""Importing helpdesk exports and KPI values (issue 3). The GUI and the CLI call:

    tickets_import.run(store, path, ...) -> ImportReport        ticket exports
    values_import.run(store, path, ...) -> ImportReport         KPI values (long or wide shape)
    undo.undo_import(store, batch_id) -> Changes; undo.list_imports(store) -> [ImportRecord]
    readers.open_table(path, sheet) -> Table; mappings.detect_mapping(headers) -> (preset, mapping)
    error_report.save_error_report(rows, dest)

Modules: sniff (file checks before parsing), readers (xlsx/xls/ods/csv -> header + rows), dates and
normalise (cell parsers), presets (header aliases per helpdesk tool), mappings (remembered and
detected mappings, preview), ticket_rows (row -> ticket row), tickets_import, values_import, undo,
report (ImportReport, Progress), error_report.
"""
from __future__ import annotations
