"""The offline self-assessment form (kpidesk.appraisal.self_form): written, filled in by another
program, read back; refused when it is not ours, a rating is off the scale or a locked cell moved."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess

import openpyxl
import pytest

from kpidesk.appraisal.self_form import (
    FORM_SHEET,
    ID_SHEET,
    FormAnswers,
    FormContent,
    FormGoal,
    FormKpi,
    FormRefused,
    locked_digest,
    read_form,
    write_form,
)
from kpidesk.errors import KpiDeskError

WORDS = ["Well below expectations", "Below expectations", "Meets expectations", "Above expectations",
         "Well above expectations"]
HOSTILE_KPI = '=HYPERLINK("http://evil.example","click")'
FORM_ID = "0123456789abcdef0123456789abcdef"


def _content(**kw) -> FormContent:
    base = {
        "form_id": FORM_ID, "technician_id": 12, "technician": "Priya Shah", "period": "2026-Q3",
        "period_label": "Jul\u2013Sep 2026", "role": "Service desk analyst", "manager": "Dana Whitfield",
        "organisation": "Northwind IT", "scale": (1, 5), "scale_words": WORDS,
        "kpis": [FormKpi(3, "First contact resolution", "%", "higher", 76.0, 80.0, 65.0, True),
              FormKpi(4, "Mean time to resolve", "h", "lower", None, 8.0, 9.5, True),
              FormKpi(5, HOSTILE_KPI, "", "higher", 4.2, None, None, True),
              FormKpi(6, "Team CSAT", "%", "higher", 91.5, 90.0, 89.0, False)],
        "goals": [FormGoal("Raise FCR to 80 %", "goal: FCR 80 % by 31 Mar 2027; now 76 %, up from 65 %")],
        "due": dt.date(2026, 10, 15)}
    base.update(kw)
    return FormContent(**base)


@pytest.fixture
def form(tmp_path):
    path = tmp_path / "Priya Shah 2026-Q3.xlsx"
    digest = write_form(_content(), path)
    return path, digest


def _editable(wb) -> dict[str, str]:
    rows = {r[0]: r[1] for r in wb[ID_SHEET].iter_rows(values_only=True)}
    return json.loads(rows["editable"])


def _edit(src, dest, changes: dict[str, object], by_key: bool = True):
    """A copy of `src` with cells changed, as another program would save it. Keys are editable-map
    keys ('kpi:3:rating') when by_key, else 'Sheet!A1' or plain coordinates on the form sheet."""
    wb = openpyxl.load_workbook(src)
    cells = _editable(wb)
    for key, value in changes.items():
        if by_key:
            wb[FORM_SHEET][cells[key]] = value
        else:
            sheet, _, coord = key.rpartition("!")
            wb[sheet or FORM_SHEET][coord] = value
    wb.save(dest)
    return dest


FILLED = {"kpi:3:rating": 4, "kpi:3:why": "  Better triage at the first call.\n",
          "kpi:4:rating": "3", "kpi:4:why": "", "kpi:5:rating": 5.0,
          "went_well": "The new runbook\r\nhelped a lot.", "got_in_way": "   ", "support": "- a course on scripting",
          "goal:1": "FCR 82 % by June", "goal:2": None, "goal:3": "  ", "goal:4": "Runbook for printers",
          "goal:5": ""}
EXPECTED_RATINGS = {3: {"rating": 4, "why": "Better triage at the first call."},
                    4: {"rating": 3, "why": ""}, 5: {"rating": None, "why": ""}}


def test_round_trip_through_another_program_gives_exact_answers_and_the_same_digest(form, tmp_path):
    path, digest = form
    changes = dict(FILLED, **{"kpi:5:why": "Hard to say"})
    answers = read_form(_edit(path, tmp_path / "back.xlsx", changes))
    assert answers == FormAnswers(
        form_id=FORM_ID, technician_id=12, period="2026-Q3",
        ratings={3: {"rating": 4, "why": "Better triage at the first call."}, 4: {"rating": 3, "why": ""},
                 5: {"rating": 5, "why": "Hard to say"}},
        went_well="The new runbook\nhelped a lot.", got_in_way="", support="- a course on scripting",
        goals=["FCR 82 % by June", "Runbook for printers"], locked_digest=digest)


def test_unchanged_form_reads_blank_answers_and_the_written_digest(form):
    path, digest = form
    answers = read_form(path)
    assert len(digest) == 64 and answers.locked_digest == digest == locked_digest(path)
    assert answers.ratings == EXPECTED_RATINGS | {3: {"rating": None, "why": ""}, 4: {"rating": None, "why": ""}}
    assert (answers.went_well, answers.got_in_way, answers.support, answers.goals) == ("", "", "", [])
    assert (answers.form_id, answers.technician_id, answers.period) == (FORM_ID, 12, "2026-Q3")


def test_layout_cells_protection_and_hidden_id(form):
    path, _ = form
    wb = openpyxl.load_workbook(path)
    ws = wb[FORM_SHEET]
    assert wb.sheetnames == [FORM_SHEET, ID_SHEET] and wb.active.title == FORM_SHEET
    assert wb[ID_SHEET].sheet_state == "veryHidden" and ws.sheet_state == "visible"
    assert ws["A1"].value == "Self-assessment \u2014 Priya Shah, Jul\u2013Sep 2026"
    assert "Please return by 15 Oct 2026" in ws["A2"].value and "Manager: Dana Whitfield" in ws["A2"].value
    assert "yellow cells only" in ws["A3"].value and "send it back to Dana Whitfield" in ws["A3"].value
    assert "5 = Well above expectations" in ws["A4"].value
    assert [c.value for c in ws[6]][:8] == ["KPI", "Unit", "This period", "Target", "Previous", "Better when",
                                            "Your rating (1\u20135)", "Why (one or two sentences)"]
    # numbers are numbers with formats; no value is the text "none", never 0
    assert (ws["C7"].value, ws["C7"].number_format) == (0.76, "0.0%")
    assert (ws["D8"].value, ws["D8"].number_format) == (8, '0.0 "h"')
    assert ws["C8"].value == "none" and ws["C8"].data_type == "s"
    assert ws["D9"].value == "none" and ws["E9"].value == "none"
    cells = _editable(wb)
    assert cells["kpi:3:rating"] == "G7" and cells["kpi:3:why"] == "H7"
    assert ws.protection.sheet and not ws.protection.formatColumns and not ws.protection.formatRows
    for coord in cells.values():
        assert ws[coord].protection.locked is False and ws[coord].fill.fgColor.rgb.endswith("FFF2CC"), coord
    assert ws["A1"].protection.locked and ws["C7"].protection.locked
    (dv,) = ws.data_validations.dataValidation
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", "between", "1", "5")
    assert dv.showErrorMessage and dv.error and dv.showInputMessage and dv.prompt
    assert {str(r) for r in dv.sqref.ranges} == {"G7", "G8", "G9"}
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Raise FCR to 80 %" in texts and "No goals were set last time." not in texts
    assert "What went well this period?" in texts and "Goal 5" in texts
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows
    assert ws.freeze_panes == "A7"
    assert {p.name: p.value for p in wb.custom_doc_props.props}["kpidesk_form_id"] == FORM_ID
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # written atomically, no .tmp left


def test_team_outcome_has_no_editable_rating_cell(form):
    path, _ = form
    wb = openpyxl.load_workbook(path)
    ws, cells = wb[FORM_SHEET], _editable(wb)
    assert ws["A10"].value == "Team CSAT"
    assert ws["G10"].value == "team outcome (not rated)" and ws["G10"].protection.locked
    assert ws["H10"].protection.locked and ws["H10"].value is None
    assert not any(k.startswith("kpi:6:") for k in cells) and "G10" not in cells.values()
    assert 6 not in read_form(path).ratings


def test_formula_looking_names_are_written_and_read_as_text(tmp_path):
    path = tmp_path / "f.xlsx"
    write_form(_content(technician="=1+1", kpis=[FormKpi(5, HOSTILE_KPI, "", "higher", 4.2, None, None, True)]), path)
    wb = openpyxl.load_workbook(path)
    ws = wb[FORM_SHEET]
    assert ws["A7"].value == HOSTILE_KPI and ws["A7"].data_type == "s"
    assert wb[ID_SHEET]["B7"].value == "=1+1" and wb[ID_SHEET]["B7"].data_type == "s"
    assert not [c.coordinate for s in wb.worksheets for row in s.iter_rows() for c in row if c.data_type == "f"]
    bad = _edit(path, tmp_path / "bad.xlsx", {"kpi:5:rating": "x"})
    with pytest.raises(FormRefused) as err:
        read_form(bad)
    assert f"({HOSTILE_KPI})" in str(err.value)


@pytest.mark.parametrize("value", ["4.5", "x", 7, 0, 4.5, "4,0", True])
def test_bad_rating_is_refused_naming_file_sheet_cell_and_kpi(form, tmp_path, value):
    path, _ = form
    bad = _edit(path, tmp_path / "bad.xlsx", {"kpi:4:rating": value})
    with pytest.raises(FormRefused) as err:
        read_form(bad)
    msg = str(err.value)
    assert "bad.xlsx" in msg and "Sheet 'Self-assessment', cell G8" in msg and "Mean time to resolve" in msg
    assert "from 1 to 5" in msg
    assert isinstance(err.value, KpiDeskError)


@pytest.mark.parametrize("value, expected", [("4", 4), (4.0, 4), (" 5 ", 5), (1, 1), ("", None), ("  ", None)])
def test_rating_as_text_or_float_is_accepted(form, tmp_path, value, expected):
    path, _ = form
    assert read_form(_edit(path, tmp_path / "ok.xlsx", {"kpi:3:rating": value})).ratings[3]["rating"] == expected


def test_text_longer_than_2000_characters_is_refused_naming_the_cell(form, tmp_path):
    path, _ = form
    ok = _edit(path, tmp_path / "ok.xlsx", {"support": "a" * 2000})
    assert read_form(ok).support == "a" * 2000
    with pytest.raises(FormRefused) as err:
        read_form(_edit(path, tmp_path / "long.xlsx", {"kpi:3:why": "b" * 2001}))
    assert "Sheet 'Self-assessment', cell H7" in str(err.value) and "2,001" in str(err.value)


@pytest.mark.parametrize("change", [
    {"C7": 0.81},                                  # the KPI's value
    {"A1": "Self-assessment \u2014 Alex Morgan, Jul\u2013Sep 2026"},  # the technician's name
    {"kpidesk!B7": "Alex Morgan"},                 # the hidden technician
    {"kpidesk!B5": "1"},                           # the hidden technician id
    {"H10": "I would rate the team 5"},            # a previously empty locked cell
    {"Z40": "note"},                               # an empty cell far outside the form
    {"G10": "5"},                                  # the team outcome's rating text
])
def test_a_locked_cell_edit_changes_the_digest(form, tmp_path, change):
    path, digest = form
    back = _edit(path, tmp_path / "edited.xlsx", change, by_key=False)
    assert read_form(back).locked_digest != digest


def test_moving_an_editable_cell_in_the_map_changes_the_digest(form, tmp_path):
    path, digest = form
    wb = openpyxl.load_workbook(path)
    cells = _editable(wb) | {"kpi:3:rating": "C7"}  # would let the KPI's value be "answered"
    wb[ID_SHEET]["B9"] = json.dumps(cells, sort_keys=True)
    wb.save(tmp_path / "moved.xlsx")
    assert locked_digest(tmp_path / "moved.xlsx") != digest


def test_editable_edits_and_empty_strings_keep_the_digest(form, tmp_path):
    path, digest = form
    back = _edit(path, tmp_path / "a.xlsx", FILLED)
    back = _edit(back, tmp_path / "b.xlsx", {"Z40": "", "H10": "   ", "C7": 0.7600000001}, by_key=False)
    answers = read_form(back)
    assert answers.locked_digest == digest
    assert answers.ratings == EXPECTED_RATINGS | {5: {"rating": 5, "why": ""}}


@pytest.mark.parametrize("damage", ["no_sheet", "format", "no_id", "bad_map", "renamed_form"])
def test_not_a_kpi_desk_form_is_refused(form, tmp_path, damage):
    path, _ = form
    wb = openpyxl.load_workbook(path)
    if damage == "no_sheet":
        del wb[ID_SHEET]
    elif damage == "format":
        wb[ID_SHEET]["B2"] = "something-else"
    elif damage == "no_id":
        wb[ID_SHEET]["B4"] = None
    elif damage == "bad_map":
        wb[ID_SHEET]["B9"] = '{"kpi:3:rating": "not a cell"}'
    else:
        wb[FORM_SHEET].title = "Sheet1"
    wb.save(tmp_path / "other.xlsx")
    with pytest.raises(FormRefused) as err:
        read_form(tmp_path / "other.xlsx")
    assert "other.xlsx" in str(err.value)
    if damage in ("no_sheet", "format", "no_id", "bad_map"):
        assert "is not a KPI Desk self-assessment" in str(err.value)
    with pytest.raises(FormRefused):
        locked_digest(tmp_path / "other.xlsx")


def test_a_plain_workbook_and_a_non_workbook_are_refused(tmp_path):
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    with pytest.raises(FormRefused, match=r"plain\.xlsx is not a KPI Desk self-assessment.*no hidden form id"):
        read_form(plain)
    text = tmp_path / "notes.xlsx"
    text.write_text("just text")
    with pytest.raises(FormRefused, match=r"notes\.xlsx is not an \.xlsx workbook"):
        read_form(text)
    with pytest.raises(FormRefused, match="missing.xlsx"):
        read_form(tmp_path / "missing.xlsx")


def test_no_goals_no_due_no_manager(tmp_path):
    path = tmp_path / "f.xlsx"
    write_form(_content(goals=[], due=None, manager="", organisation=""), path)
    ws = openpyxl.load_workbook(path)[FORM_SHEET]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "No goals were set last time." in texts
    assert ws["A2"].value == "Role: Service desk analyst"
    assert "send it back to your manager" in ws["A3"].value


def test_scale_other_than_one_to_five(form, tmp_path):
    path = tmp_path / "f.xlsx"
    write_form(_content(scale=(0, 3), scale_words=["No", "Some", "Good", "Great"]), path)
    assert read_form(_edit(path, tmp_path / "ok.xlsx", {"kpi:3:rating": 0})).ratings[3]["rating"] == 0
    with pytest.raises(FormRefused, match="from 0 to 3"):
        read_form(_edit(path, tmp_path / "bad.xlsx", {"kpi:3:rating": 4}))


# Optional: only where LibreOffice is installed.

@pytest.mark.skipif(shutil.which("soffice") is None, reason="optional: LibreOffice (soffice) is not installed")
def test_optional_libreoffice_save_keeps_digest_and_answers(form, tmp_path):
    """Proof that the digest survives another app's save: LibreOffice re-writes the whole file."""
    path, digest = form
    filled = _edit(path, tmp_path / "filled.xlsx", FILLED)
    out = tmp_path / "lo"
    profile = (tmp_path / "lo-profile").as_uri()
    command = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
               "--outdir", str(out), str(filled)]
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=180,
                            env=dict(os.environ, HOME=str(tmp_path)))
    saved = out / "filled.xlsx"
    assert saved.exists(), result.stdout + result.stderr
    assert saved.read_bytes() != filled.read_bytes()
    before, after = read_form(filled), read_form(saved)
    assert after == before and after.locked_digest == digest
    assert after.ratings == EXPECTED_RATINGS | {5: {"rating": 5, "why": ""}}
    assert openpyxl.load_workbook(saved)[ID_SHEET].sheet_state != "visible"
