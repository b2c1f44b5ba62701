"""Issue 17: the review cycle in the HR export. The workbook's Cycle sheet (every member, states,
dates, never 'complete' while someone is unsigned, no formulas even from a hostile name), the note on
an incomplete cycle from the action and the command line, and the PDF's self-assessment, agenda and
calibration sections (frozen for a signed check-in, none at all for one signed before they existed,
behind the anchoring guard for a draft)."""
from __future__ import annotations

import datetime as dt
import json

from openpyxl import load_workbook

from kpidesk import actions
from kpidesk import appraisal as ap
from kpidesk.appraisal.calibration import calibrate
from kpidesk.cli import run
from kpidesk.export.appraisal_source import build_report, cycle_for
from kpidesk.export.report_html import report_html
from kpidesk.models import CheckIn, Review, SelfAssessment, Technician

Q2 = "2026-Q2"  # in the demo nobody has a check-in for Q2: a cycle to walk through
AFTER_DUE = dt.date(2026, 8, 15)  # Q2 is due 30 Jul 2026 (30 June + 30 days)
HOSTILE = "=cmd|'/c calc'!A1"
HEADERS = ["Technician", "Team", "Role", "State", "Started", "Signed", "Signed by", "Acknowledged",
           "Overall rating", "Self-assessment received", "Self-assessment received on", "Overdue"]


def tech(store, name: str) -> int:
    return store.find_technician(name).id


def rated_kpis(store, checkin_id: int) -> list[int]:
    return [k.kpi_id for k in ap.facts_of(store, checkin_id).kpis if k.rated and k.value is not None]


def rate_all(store, checkin_id: int, rating: int = 3, **more) -> None:
    ratings = {str(k): {"rating": rating, "comment": ""} for k in rated_kpis(store, checkin_id)}
    ap.save_step(store, checkin_id, 5, {"ratings": ratings, **more})


def signed_checkin(store, name: str, when: dt.datetime, **more) -> int:
    ci = ap.start_or_resume(store, tech(store, name), Q2)
    rate_all(store, ci.id, **more)
    ap.sign(store, ci.id, "Dana Whitfield", now=when)
    return ci.id


def received_self_assessment(store, name: str, answers: dict, when: dt.datetime = dt.datetime(2026, 7, 3, 9)) -> None:
    with store.write() as s:
        s.add(SelfAssessment(technician_id=tech(store, name), period=Q2, form_id=f"form-{name}",
                             locked_digest="0" * 64, sent_at=dt.datetime(2026, 7, 1, 8), sent_file="form.xlsx",
                             received_at=when, received_file="back.xlsx", answers_json=json.dumps(answers)))


def rename(store, name: str, new: str) -> None:
    with store.write() as s:
        s.get(Technician, tech(store, name)).display_name = new


def cycle_rows(path) -> tuple[str, dict[str, dict[str, object]]]:
    ws = load_workbook(path)["Cycle"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows.index(tuple(HEADERS))
    return rows[0][0], {r[0]: dict(zip(HEADERS, r)) for r in rows[header + 1:] if r[0]}


def no_formulas(path) -> None:
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


# The Cycle sheet --------------------------------------------------------------------------------

def test_cycle_sheet_lists_every_member_with_its_state_and_never_says_complete(demo_store, tmp_path):
    rename(demo_store, "Tom Becker", HOSTILE)
    alex = signed_checkin(demo_store, "Alex Morgan", dt.datetime(2026, 7, 10, 15))
    ap.acknowledge(demo_store, alex, "Alex Morgan", now=dt.datetime(2026, 7, 11, 9))
    signed_checkin(demo_store, HOSTILE, dt.datetime(2026, 7, 12, 16), rating=4)
    ap.start_or_resume(demo_store, tech(demo_store, "Chloe Dubois"), Q2)  # a draft
    received_self_assessment(demo_store, "Priya Shah", {"went_well": "Backlog", "ratings": {}, "goals": []})

    result = actions.export_appraisals(demo_store, Q2, tmp_path / "hr", fmt="xlsx", today=AFTER_DUE).result
    assert result.skipped_drafts == ["Chloe Dubois"]
    unsigned = ["Ken Watanabe", "Marcus Reid", "Sofia Alvarez", "Chloe Dubois", "Lena Novak", "Priya Shah"]
    note = f"cycle 2026-Q2 is not complete: 6 of 8 not signed ({', '.join(unsigned)})"
    assert result.notes == [note]

    title, rows = cycle_rows(result.workbook)
    assert title == f"Cycle 2026-Q2: NOT COMPLETE: 6 of 8 not signed ({', '.join(unsigned)})"
    assert "complete," not in title
    assert load_workbook(result.workbook).sheetnames[:2] == ["Summary", "Cycle"]
    assert len(rows) == 8  # everyone in the cycle, not only the two check-ins exported
    a = rows["Alex Morgan"]
    assert (a["Team"], a["Role"], a["State"], a["Signed by"], a["Overall rating"], a["Overdue"]) == \
        ("Service Desk", "Service desk L1", "acknowledged", "Dana Whitfield", 3.0, "no")
    assert a["Signed"] == dt.datetime(2026, 7, 10, 15) and a["Acknowledged"] == dt.datetime(2026, 7, 11, 9)
    assert isinstance(a["Started"], dt.datetime)
    t = rows[HOSTILE]  # the literal text, never a formula
    assert (t["State"], t["Overall rating"], t["Acknowledged"]) == ("signed", 4.0, None)
    c = rows["Chloe Dubois"]
    assert (c["State"], c["Signed"], c["Overdue"], c["Self-assessment received"]) == ("draft", None, "yes", "no")
    p = rows["Priya Shah"]
    assert (p["State"], p["Self-assessment received"], p["Self-assessment received on"]) == \
        ("self-assessment received", "yes", dt.datetime(2026, 7, 3, 9))
    assert rows["Ken Watanabe"]["State"] == "not started" and rows["Ken Watanabe"]["Overdue"] == "yes"
    no_formulas(result.workbook)


def test_drafts_included_say_so_and_a_team_limits_the_sheet(demo_store, tmp_path):
    signed_checkin(demo_store, "Alex Morgan", dt.datetime(2026, 7, 10, 15))
    ap.start_or_resume(demo_store, tech(demo_store, "Chloe Dubois"), Q2)
    out = tmp_path / "q2.xlsx"
    result = actions.export_appraisals(demo_store, Q2, out, fmt="xlsx", team="service desk", include_drafts=True,
                                       today=AFTER_DUE).result
    names = "Chloe Dubois, Lena Novak, Priya Shah, Tom Becker"
    assert result.notes == [f"cycle 2026-Q2 (team Service Desk) is not complete: 4 of 5 not signed ({names}); "
                            "the drafts exported are marked DRAFT"]
    title, rows = cycle_rows(out)
    assert title == f"Cycle 2026-Q2 (team Service Desk): not complete (drafts included): 4 of 5 not signed ({names})"
    assert sorted(rows) == ["Alex Morgan", "Chloe Dubois", "Lena Novak", "Priya Shah", "Tom Becker"]
    assert load_workbook(out)["Summary"]["E2"].value in ("draft", "signed")


def test_complete_only_when_every_member_is_signed(demo_store, tmp_path):
    """The demo's last quarter is signed by everyone: complete, and no note; a correction reopens it."""
    result = actions.export_appraisals(demo_store, "2026-Q3", tmp_path / "a.xlsx", fmt="xlsx").result
    title, rows = cycle_rows(result.workbook)
    assert title == "Cycle 2026-Q3: complete, 8 of 8 signed" and result.notes == []
    assert {r["State"] for r in rows.values()} == {"acknowledged"}
    lena = ap.start_or_resume(demo_store, tech(demo_store, "Lena Novak"), "2026-Q3")
    ap.correct(demo_store, lena.id)  # version 2, a draft: the cycle is open again
    result = actions.export_appraisals(demo_store, "2026-Q3", tmp_path / "b.xlsx", fmt="xlsx").result
    title, rows = cycle_rows(result.workbook)
    assert title == "Cycle 2026-Q3: NOT COMPLETE: 1 of 8 not signed (Lena Novak)"
    assert rows["Lena Novak"]["State"] == "draft"
    assert result.notes == ["cycle 2026-Q3 is not complete: 1 of 8 not signed (Lena Novak)"]


def test_a_month_is_no_cycle(demo_store):
    assert cycle_for(demo_store, "2026-09") is None
    assert cycle_for(demo_store, "2026-Q3", technician="alex morgan").scope == "Alex Morgan"


def test_the_command_line_says_the_cycle_is_not_complete_and_exits_0(demo_store, tmp_path, capsys):
    signed_checkin(demo_store, "Alex Morgan", dt.datetime(2026, 7, 10, 15))
    code = run(["--db", demo_store.address, "export", "appraisals", "--period", Q2, "--technician", "Alex Morgan",
                "--format", "xlsx", "--out", str(tmp_path / "alex.xlsx")])
    err = capsys.readouterr().err
    assert code == 0 and (tmp_path / "alex.xlsx").exists()
    assert "cycle 2026-Q2 (Alex Morgan)" not in err  # one person, signed: that cycle is complete
    code = run(["--db", demo_store.address, "export", "appraisals", "--period", Q2, "--format", "xlsx",
                "--out", str(tmp_path / "all.xlsx")])
    err = capsys.readouterr().err
    assert code == 0
    # Chloe joined after Q2 (the demo's active_from): not in that cycle.
    assert "cycle 2026-Q2 is not complete: 6 of 7 not signed (Ken Watanabe, " in err and "Chloe" not in err


# The PDF's content ------------------------------------------------------------------------------

OWN = {"went_well": "Closed the printer backlog", "got_in_way": "Two weeks of VPN outages",
       "support": "A course on ITIL problem management", "goals": ["Write three KB articles", ""]}


def _review(store, technician_id: int) -> int:
    kpi = store.find_kpi("First-contact resolution")
    with store.write() as s:
        r = Review(kpi_id=kpi.id, scope_key=f"technician:{technician_id}", period="2026-05", value=61.0,
                   rule="10 % worse than baseline", opened_at=dt.datetime(2026, 6, 2),
                   acknowledged_at=dt.datetime(2026, 6, 9), acknowledged_by="Dana", note="coach on triage")
        s.add(r)
        s.flush()
        return r.id


def test_a_signed_checkin_shows_its_frozen_self_assessment_agenda_and_calibration(demo_store):
    alex = tech(demo_store, "Alex Morgan")
    fcr = demo_store.find_kpi("First-contact resolution").id
    received_self_assessment(demo_store, "Alex Morgan",
                             {**OWN, "ratings": {str(fcr): {"rating": 4, "why": "Fewer <reopens> since May"}}})
    review = _review(demo_store, alex)
    ci = ap.start_or_resume(demo_store, alex, Q2)
    rate_all(demo_store, ci.id, agenda={str(review): "Agreed a triage checklist"})
    calibrate(demo_store, ci.id, fcr, 2, "Below target two quarters running", by="Dana",
              now=dt.datetime(2026, 7, 9, 11))
    ap.sign(demo_store, ci.id, "Dana Whitfield", now=dt.datetime(2026, 7, 10, 15))
    # Changed after signing: the export keeps what was frozen.
    with demo_store.write() as s:
        s.get(SelfAssessment, 1).answers_json = json.dumps({"went_well": "rewritten later"})

    report = build_report(demo_store, ci.id)
    own = report.self_assessment
    assert report.self_assessment_shown and own is not None and own.received_at == dt.datetime(2026, 7, 3, 9)
    line = next(o for o in own.ratings if o.kpi == "First-contact resolution")
    assert (line.rating, line.why, line.manager_rating) == (4.0, "Fewer <reopens> since May", 2.0)
    assert own.goals == ["Write three KB articles"]
    html = report_html(report)
    for text in ("<h2>Self-assessment</h2>", "Fewer &lt;reopens&gt; since May", OWN["went_well"], OWN["got_in_way"],
                 OWN["support"], "Write three KB articles", "<h2>Agenda: KPI reviews</h2>",
                 "First-contact resolution for Alex Morgan", "Agreed a triage checklist", "coach on triage",
                 "Calibration changes", "Below target two quarters running"):
        assert text in html, text
    assert "rewritten later" not in html
    assert "First-contact resolution</b>: 3 / 5" in html and "\u2192 2 / 5" in html


def test_an_old_checkin_has_no_self_assessment_or_agenda_section(demo_store):
    """A check-in frozen before issue 17 (no self_assessment or agenda key) exports as before."""
    ci = ap.start_or_resume(demo_store, tech(demo_store, "Alex Morgan"), "2026-Q3")
    assert ci.signed
    with demo_store.write() as s:
        row = s.get(CheckIn, ci.id)
        frozen = json.loads(row.frozen_json)
        frozen.pop("self_assessment", None), frozen.pop("agenda", None)
        row.frozen_json = json.dumps(frozen)
    report = build_report(demo_store, ci.id)
    assert not report.self_assessment_shown and report.agenda == [] and report.calibration == []
    html = report_html(report)
    assert "Self-assessment" not in html and "Agenda" not in html and "Calibration" not in html


def test_signed_without_a_self_assessment_says_none_was_received(demo_store):
    ci = signed_checkin(demo_store, "Lena Novak", dt.datetime(2026, 7, 10, 15))
    html = report_html(build_report(demo_store, ci))
    assert "<h2>Self-assessment</h2>" in html and "No self-assessment was received." in html
    assert "Agenda: KPI reviews" not in html  # no reviews on her agenda: no section


def test_a_drafts_self_assessment_waits_for_every_rating(demo_store):
    """The anchoring guard holds in the draft's PDF too."""
    chloe = tech(demo_store, "Chloe Dubois")
    fcr = demo_store.find_kpi("First-contact resolution").id
    received_self_assessment(demo_store, "Chloe Dubois", {**OWN, "ratings": {str(fcr): {"rating": 5, "why": "Top"}}})
    ci = ap.start_or_resume(demo_store, chloe, Q2)
    html = report_html(build_report(demo_store, ci.id))
    assert "has come back" in html and OWN["went_well"] not in html
    rate_all(demo_store, ci.id)
    html = report_html(build_report(demo_store, ci.id))
    assert OWN["went_well"] in html and "has come back" not in html
