"""Screenshots of the Imports screen and its dialogs, to look at: shots/imports-*.png (git-ignored),
at the target 1280x800 window and the 1024x700 minimum. Runs the real flow offscreen."""
from __future__ import annotations

from pathlib import Path

import pytest

from kpidesk.records import TechnicianRecord
from tests.import_samples import write_xlsx
from tests.ui.test_imports_flow import HEAD, open_mapping, press_import, sn_rows
from ui.imports.names_dialog import NamesDialog
from ui.imports.result_dialog import ResultDialog
from ui.imports.screen import ImportsScreen

SHOTS = Path(__file__).resolve().parents[2] / "shots"
SIDEBAR, CHROME = 168, 50  # what the main window adds around a screen


def shot(qtbot, widget, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    qtbot.waitExposed(widget)
    path = SHOTS / f"imports-{name}.png"
    assert widget.grab().save(str(path))
    return path



@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)], ids=["1280x800", "1024x700"])
def test_screenshots(qtbot, styled_app, store, tmp_path, shown_errors, size):
    width, height = size
    suffix = "" if size == (1280, 800) else "-1024x700"
    for name in ("Jane Doe", "Omar Haddad", "Priya Nair"):
        store.create_technician(TechnicianRecord(display_name=name))
    screen = ImportsScreen(store)
    qtbot.addWidget(screen)
    screen.resize(width - SIDEBAR, height - CHROME)
    screen.show()
    shot(qtbot, screen, f"screen-empty{suffix}")

    first = write_xlsx(tmp_path / "incident-march.xlsx", HEAD, sn_rows(40), title_rows=[["Incident list"], []])
    dialog = open_mapping(qtbot, screen, first)
    dialog.resize(min(1120, width - 40), min(700, height - 60))
    dialog.set_column("priority", "Urgency")
    shot(qtbot, dialog, f"mapping-dialog{suffix}")
    press_import(qtbot, screen, dialog.import_button)
    screen.dialog.close()

    rows = sn_rows(25, first=100) + sn_rows(4, who="J. Doe", first=200) + sn_rows(3, who="Sam Lee", first=300)
    rows[3][1] = "31/02/2026"
    rows[7][0] = None
    rows[11][9] = "perhaps"
    second = write_xlsx(tmp_path / "incident-april.xlsx", HEAD, rows)
    press_import(qtbot, screen, open_mapping(qtbot, screen, second).import_button)
    names = screen.dialog
    assert isinstance(names, NamesDialog)
    names.merge("J. Doe", store.find_technician("Jane Doe").id)
    shot(qtbot, names, f"names-dialog{suffix}")
    press_import(qtbot, screen, names.ok_button)
    result = screen.dialog
    # Two rows rejected (no id, a created date that does not exist); 'perhaps' in a yes/no column
    # leaves that flag empty and keeps the ticket, which the details say (issue 12).
    assert isinstance(result, ResultDialog) and result.model.rowCount() == 2
    assert "perhaps" in result.details_label.text()
    result.resize(min(900, width - 40), min(600, height - 60))
    shot(qtbot, result, f"result-dialog{suffix}")
    result.close()

    screen.undo(screen.model.record(1))
    with qtbot.waitSignal(screen.op.finished, timeout=20000):
        pass
    screen.select_batch(screen.model.record(0).id)
    shot(qtbot, screen, f"screen{suffix}")
