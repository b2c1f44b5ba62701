"""Issue 17: the review cycle on the demo data. States through a whole quarter, overdue and complete,
the self-assessment round trip through a real .xlsx (and its refusals), the anchoring guard, reviews
on the right person's agenda with their follow-up, and the cycle's command line."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kpidesk import actions
from kpidesk import appraisal as ap
from kpidesk.appraisal.agenda import agenda_for, frozen_agenda
from kpidesk.appraisal.cycles import STATES, cycle_status, overdue_cycles
from kpidesk.appraisal.self_assessment import SelfAssessmentRefused, view_for
from kpidesk.appraisal.self_form import FORM_SHEET, ID_SHEET, FormRefused
from kpidesk.cli import run
from kpidesk.errors import ValidationError
from kpidesk.metrics.engine import compute
from kpidesk.models import Review

Q2 = "2026-Q2"  # in the demo nobody has a check-in for Q2: a cycle to walk through
DUE = dt.date(2026, 7, 30)  # 30 June + the default 30 days


def tech(store, name: str) -> int:
    return store.find_technician(name).id


def member(store, name: str, today: dt.date = DUE):
    return next(m for m in cycle_status(store, Q2, today).members if m.technician == name)


def fill(sent: Path, returned: Path, *, ratings: dict[int, tuple[int, str]], went_well: str = "",
         edit: tuple[str, object] | None = None) -> None:
    """What a technician does: fill the yellow cells of the form and save it under another name.
    `edit` (coordinate, value) also changes a locked cell, as someone tampering would."""
    wb = load_workbook(sent)
    cells = json.loads(next(r[1] for r in wb[ID_SHEET].iter_rows(values_only=True) if r[0] == "editable"))
    ws = wb[FORM_SHEET]
    for kpi_id, (rating, why) in ratings.items():
        ws[cells[f"kpi:{kpi_id}:rating"]] = rating
        ws[cells[f"kpi:{kpi_id}:why"]] = why
    if went_well:
        ws[cells["went_well"]] = went_well
    if edit:
        ws[edit[0]] = edit[1]
    wb.save(returned)


def rated_kpis(store, checkin_id: int) -> list[int]:
    facts = ap.facts_of(store, checkin_id)
    return [k.kpi_id for k in facts.kpis if k.rated and k.value is not None]


def test_states_through_a_whole_quarter(demo_store, tmp_path):
    alex = tech(demo_store, "Alex Morgan")
    assert member(demo_store, "Alex Morgan", dt.date(2026, 7, 15)).state == "not started"
    sent = tmp_path / "alex.xlsx"
    actions.send_self_assessment(demo_store, alex, Q2, sent, manager="Dana Whitfield", today=dt.date(2026, 7, 1))
    m = member(demo_store, "Alex Morgan")
    assert m.state == "self-assessment sent" and m.self_sent_at is not None and not m.self_received
    returned = tmp_path / "alex-back.xlsx"
    fill(sent, returned, ratings={}, went_well="Closed the printer backlog")
    actions.receive_self_assessment(demo_store, returned, technician_id=alex, period=Q2)
    assert member(demo_store, "Alex Morgan").state == "self-assessment received"
    ci = actions.start_checkin(demo_store, alex, Q2).result
    assert member(demo_store, "Alex Morgan").state == "draft"
    ratings = {str(k): {"rating": 3, "comment": ""} for k in rated_kpis(demo_store, ci.id)}
    actions.save_checkin_step(demo_store, ci.id, 5, {"ratings": ratings})
    actions.sign_checkin(demo_store, ci.id, "Dana Whitfield", now=dt.datetime(2026, 7, 20, 9))
    m = member(demo_store, "Alex Morgan")
    assert (m.state, m.signed_by, m.overall_rating, m.overdue) == ("signed", "Dana Whitfield", 3.0, False)
    actions.acknowledge_checkin(demo_store, ci.id, "Alex Morgan")
    assert member(demo_store, "Alex Morgan").state == "acknowledged"
    actions.correct_checkin(demo_store, ci.id)  # a correction in progress is a draft again
    assert member(demo_store, "Alex Morgan").state == "draft"


def test_overdue_after_the_due_date_and_complete_only_when_everyone_signed(demo_store):
    status = cycle_status(demo_store, Q2, DUE)
    assert status.due == DUE and not status.overdue_members and not status.complete
    late = cycle_status(demo_store, Q2, DUE + dt.timedelta(days=1))
    assert len(late.overdue_members) == len(late.members) == 7
    assert late.summary() == "Cycle 2026-Q2: 0 of 7 signed; due 30 Jul 2026, 1 day overdue"
    assert sum(late.counts.values()) == 7 and list(late.counts) == list(STATES)
    # Signed members are never overdue; the cycle is complete when the last one signs.
    q3 = cycle_status(demo_store, "2026-Q3", dt.date(2026, 11, 22))
    assert q3.complete and not q3.overdue_members and q3.summary().endswith("complete")
    demo_store.set_setting("cycle_due_days", 10)
    assert cycle_status(demo_store, Q2, dt.date(2026, 7, 11)).overdue_members
    assert not cycle_status(demo_store, Q2, dt.date(2026, 7, 10)).overdue_members


def test_who_is_in_the_cycle_follows_active_dates(demo_store):
    rec = demo_store.get_technician(tech(demo_store, "Tom Becker"))
    rec.active_to = dt.date(2026, 3, 31)  # left before Q2 began
    actions.update_technician(demo_store, rec)
    assert "Tom Becker" not in [m.technician for m in cycle_status(demo_store, Q2, DUE).members]
    ci = actions.start_checkin(demo_store, rec.id, Q2).result  # ...unless he has a check-in for it
    assert ci.period == Q2 and "Tom Becker" in [m.technician for m in cycle_status(demo_store, Q2, DUE).members]


def test_overdue_cycles_for_the_dashboard(demo_store):
    # The last full quarter always counts; an earlier one only if someone started it.
    today = dt.date(2027, 2, 1)  # Q4 2026 due 30 Jan 2027
    assert [c.period for c in overdue_cycles(demo_store, today)] == ["2026-Q4"]
    # 22 Nov: Q3 (the last) is complete; Q2 before it nobody started: not flagged...
    assert [c.period for c in overdue_cycles(demo_store, dt.date(2026, 11, 22))] == []
    assert [c.period for c in overdue_cycles(demo_store, dt.date(2026, 8, 15))] == [Q2]  # ...but when it was the last
    assert [c.period for c in overdue_cycles(demo_store, dt.date(2026, 7, 30))] == []  # not due yet
    actions.start_checkin(demo_store, tech(demo_store, "Lena Novak"), Q2)  # started: an unfinished earlier cycle
    assert [c.period for c in overdue_cycles(demo_store, dt.date(2026, 11, 22))] == [Q2]


def test_half_year_and_year_cycles(demo_store):
    demo_store.set_setting("cycle_length", "half")
    status = cycle_status(demo_store, None, dt.date(2026, 11, 22))
    assert (status.period, status.due) == ("2026-H1", dt.date(2026, 7, 30))
    assert cycle_status(demo_store, "2025", dt.date(2026, 11, 22)).period == "2025"
    with pytest.raises(ValidationError, match="is a month"):
        cycle_status(demo_store, "2026-03")


def _by(rows, metric):
    return {r.period: (r.value, r.count) for r in rows if r.kpi == metric and not r.segment}


def test_engine_half_year_adds_up_its_quarters(demo_store):
    halves = compute(demo_store, scope_key="desk", granularity="half", first="2026-H1", last="2026-H1")
    quarters = compute(demo_store, scope_key="desk", granularity="quarter", first="2026-Q1", last="2026-Q2")
    h, q = _by(halves, "resolved_count"), _by(quarters, "resolved_count")
    assert h["2026-H1"][0] == q["2026-Q1"][0] + q["2026-Q2"][0] > 0
    # A pooled rate: the half's SLA rate is the tickets-weighted mean of its quarters'.
    hs, qs = _by(halves, "sla_compliance"), _by(quarters, "sla_compliance")
    pooled = (qs["2026-Q1"][0] * qs["2026-Q1"][1] + qs["2026-Q2"][0] * qs["2026-Q2"][1]) / (
        qs["2026-Q1"][1] + qs["2026-Q2"][1])
    assert hs["2026-H1"][1] == qs["2026-Q1"][1] + qs["2026-Q2"][1]
    assert hs["2026-H1"][0] == pytest.approx(pooled)
    assert _by(halves, "backlog_open")["2026-H1"][0] == _by(quarters, "backlog_open")["2026-Q2"][0]


# The self-assessment round trip -----------------------------------------------------------------

@pytest.fixture
def q2_forms(demo_store, tmp_path):
    alex, priya = tech(demo_store, "Alex Morgan"), tech(demo_store, "Priya Shah")
    out = actions.send_self_assessments(demo_store, Q2, tmp_path, manager="Dana", technician_ids=[alex, priya],
                                        today=dt.date(2026, 7, 1))
    files = {r.technician: tmp_path / r.sent_file for r in out.result}
    assert sorted(p.name for p in files.values()) == ["2026-Q2_self-assessment_Alex-Morgan.xlsx",
                                                      "2026-Q2_self-assessment_Priya-Shah.xlsx"]
    return demo_store, alex, priya, files


def test_round_trip_keeps_the_answers(q2_forms, tmp_path):
    store, alex, _priya, files = q2_forms
    ci = ap.start_or_resume(store, alex, Q2)
    kpis = rated_kpis(store, ci.id)
    back = tmp_path / "back.xlsx"
    fill(files["Alex Morgan"], back, ratings={kpis[0]: (4, "Fewer reopened tickets"), kpis[1]: (2, "Slow in May")},
         went_well="Mentored the new starter")
    rec = actions.receive_self_assessment(store, back, technician_id=alex, period=Q2).result
    assert rec.received and rec.received_file == "back.xlsx"
    assert rec.answers["ratings"][str(kpis[0])] == {"rating": 4, "why": "Fewer reopened tickets"}
    assert rec.answers["ratings"][str(kpis[1])] == {"rating": 2, "why": "Slow in May"}
    assert rec.answers["went_well"] == "Mentored the new starter"


def test_a_form_for_someone_else_or_another_period_is_refused(q2_forms, tmp_path):
    store, alex, priya, files = q2_forms
    back = tmp_path / "priya-back.xlsx"
    fill(files["Priya Shah"], back, ratings={})
    with pytest.raises(SelfAssessmentRefused, match="is Priya Shah's self-assessment for 2026-Q2, not Alex Morgan's"):
        actions.receive_self_assessment(store, back, technician_id=alex)
    with pytest.raises(SelfAssessmentRefused, match="not for 2026-Q3"):
        actions.receive_self_assessment(store, back, period="2026-Q3")
    assert member(store, "Priya Shah").state == "self-assessment sent"  # nothing was stored
    assert member(store, "Alex Morgan").state == "self-assessment sent"


def test_an_edit_in_a_locked_cell_is_refused(q2_forms, tmp_path):
    store, _alex, _priya, files = q2_forms
    ws = load_workbook(files["Alex Morgan"])[FORM_SHEET]
    title = next(c.coordinate for row in ws.iter_rows() for c in row if isinstance(c.value, str)
                 and c.value.startswith("Self-assessment"))
    back = tmp_path / "tampered.xlsx"
    fill(files["Alex Morgan"], back, ratings={}, edit=(title, "Self-assessment — Priya Shah"))
    with pytest.raises(SelfAssessmentRefused, match="outside the yellow cells was changed"):
        actions.receive_self_assessment(store, back)
    assert member(store, "Alex Morgan").state == "self-assessment sent"


def test_an_older_form_a_foreign_file_and_a_signed_check_in_are_refused(q2_forms, tmp_path):
    store, alex, _priya, files = q2_forms
    old = tmp_path / "old.xlsx"
    fill(files["Alex Morgan"], old, ratings={})
    actions.send_self_assessment(store, alex, Q2, tmp_path / "again.xlsx")  # sent again: the first form is stale
    with pytest.raises(SelfAssessmentRefused, match="older self-assessment form"):
        actions.receive_self_assessment(store, old)
    plain = tmp_path / "plain.xlsx"
    load_workbook(files["Alex Morgan"]).save(plain)
    wb = load_workbook(plain)
    del wb[ID_SHEET]
    wb.save(plain)
    with pytest.raises(FormRefused, match="not a KPI Desk self-assessment"):
        actions.receive_self_assessment(store, plain)
    ci = ap.start_or_resume(store, alex, Q2)
    ap.save_step(store, ci.id, 5, {"ratings": {str(k): {"rating": 3} for k in rated_kpis(store, ci.id)}})
    ap.sign(store, ci.id, "Dana")
    late = tmp_path / "late.xlsx"
    fill(tmp_path / "again.xlsx", late, ratings={})
    with pytest.raises(SelfAssessmentRefused, match="signed"):
        actions.receive_self_assessment(store, late)


def test_the_self_assessment_is_hidden_until_the_manager_has_rated_every_kpi(q2_forms, tmp_path):
    store, alex, _priya, files = q2_forms
    ci = ap.start_or_resume(store, alex, Q2)
    kpis = rated_kpis(store, ci.id)
    assert len(kpis) >= 2
    assert view_for(store, ci.id).state == "sent"
    back = tmp_path / "back.xlsx"
    fill(files["Alex Morgan"], back, ratings={kpis[0]: (5, "Best quarter yet")})
    actions.receive_self_assessment(store, back)
    hidden = view_for(store, ci.id)
    assert hidden.state == "hidden" and hidden.record is None and "Best quarter" not in hidden.message
    assert len(hidden.missing) == len(kpis)
    ap.save_step(store, ci.id, 2, {"ratings": {str(kpis[0]): {"rating": 3}}})
    assert view_for(store, ci.id).state == "hidden"  # one rating is not all of them
    ap.save_step(store, ci.id, 2, {"ratings": {str(k): {"rating": 3} for k in kpis}})
    shown = view_for(store, ci.id)
    assert shown.state == "shown" and shown.record.answers["ratings"][str(kpis[0])]["why"] == "Best quarter yet"
    signed = ap.sign(store, ci.id, "Dana")
    assert signed.frozen["self_assessment"]["answers"]["ratings"][str(kpis[0])]["rating"] == 5
    assert view_for(store, ci.id).state == "shown"


# Reviews on the agenda ----------------------------------------------------------------------------

def _review(store, scope_key: str, period: str = "2026-05", *, acknowledged: dt.datetime | None = None) -> int:
    kpi = store.find_kpi("First-contact resolution")
    with store.write() as s:
        r = Review(kpi_id=kpi.id, scope_key=scope_key, period=period, value=61.0, rule="10 % worse than baseline",
                   opened_at=dt.datetime(2026, 6, 2), acknowledged_at=acknowledged,
                   acknowledged_by="Dana" if acknowledged else "", note="coach on triage" if acknowledged else "")
        s.add(r)
        s.flush()
        return r.id


def test_a_review_shows_on_the_right_agenda_and_gets_its_follow_up(demo_store):
    alex, priya = tech(demo_store, "Alex Morgan"), tech(demo_store, "Priya Shah")
    team = demo_store.get_technician(alex).team_id
    own = _review(demo_store, f"technician:{alex}")
    recent = _review(demo_store, f"technician:{alex}", acknowledged=dt.datetime(2026, 5, 3))
    _review(demo_store, f"technician:{alex}", "2025-11", acknowledged=dt.datetime(2025, 12, 1))  # long closed
    _review(demo_store, f"team:{team}")  # a team outcome: not on a person's agenda
    _review(demo_store, "desk")
    other = _review(demo_store, f"technician:{priya}")
    # Acknowledged after Q3 began, while Q2's check-in was still open: on both agendas until talked over.
    july = _review(demo_store, f"technician:{alex}", acknowledged=dt.datetime(2026, 7, 5))
    july_unsaid = _review(demo_store, f"technician:{alex}", acknowledged=dt.datetime(2026, 7, 6))
    ci = ap.start_or_resume(demo_store, alex, Q2)
    items = agenda_for(demo_store, alex, Q2, ci.data, ci.id)
    assert [(i.review_id, i.state) for i in items] == [(own, "open"), (recent, "acknowledged"),
                                                       (july, "acknowledged"), (july_unsaid, "acknowledged")]
    assert items[1].note == "coach on triage" and "First-contact resolution for Alex Morgan" in items[0].summary
    assert [i.review_id for i in agenda_for(demo_store, priya, Q2)] == [other]

    actions.save_checkin_step(demo_store, ci.id, 5, {"agenda": {str(own): "Agreed a triage checklist",
                                                                str(recent): "  ", str(july): "Done"},
                                                     "ratings": {str(k): {"rating": 3}
                                                                 for k in rated_kpis(demo_store, ci.id)}})
    out = actions.sign_checkin(demo_store, ci.id, "Dana", now=dt.datetime(2026, 7, 10, 15))
    assert out.changes.reviews and out.changes.checkins
    from kpidesk.metrics.reviews import list_reviews, review_json
    reviews = {r.id: r for r in list_reviews(demo_store, open_only=False)}
    assert reviews[own].follow_up == "2026-Q2 check-in: Agreed a triage checklist"
    assert reviews[own].follow_up_at == dt.datetime(2026, 7, 10, 15)
    assert reviews[recent].follow_up == ""  # nothing said: nothing written
    assert review_json(reviews[own])["follow_up"] == "2026-Q2 check-in: Agreed a triage checklist"
    frozen = frozen_agenda(ap.get_checkin(demo_store, ci.id).frozen)
    assert [(i.review_id, i.said) for i in frozen] == [(own, "Agreed a triage checklist"), (recent, "  "),
                                                       (july, "Done"), (july_unsaid, "")]
    # Next quarter: the open review comes up again, and the one closed in July that nobody talked over;
    # the one closed in July and followed up in Q2's check-in does not.
    assert [i.review_id for i in agenda_for(demo_store, alex, "2026-Q3")] == [own, july_unsaid]


# The command line ---------------------------------------------------------------------------------

def test_cycle_cli_status_send_and_import(demo_store, tmp_path, capsys):
    db = demo_store.address
    assert run(["--db", db, "cycle", "send-self", "--period", Q2, "--technician", "Alex Morgan",
                "--out", str(tmp_path)]) == 0
    sent = tmp_path / "2026-Q2_self-assessment_Alex-Morgan.xlsx"
    assert sent.exists()
    capsys.readouterr()
    assert run(["--db", db, "cycle", "status", "--period", Q2, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    alex = next(m for m in data["members"] if m["technician"] == "Alex Morgan")
    assert alex["state"] == "self-assessment sent" and alex["self_assessment_received"] is False
    assert data["counts"]["not started"] == 6 and data["complete"] is False and data["due"] == "2026-07-30"
    back = tmp_path / "back.xlsx"
    fill(sent, back, ratings={})
    assert run(["--db", db, "cycle", "import-self", str(back), "--technician", "Priya Shah"]) == 1
    assert "not Priya Shah's" in capsys.readouterr().err
    assert run(["--db", db, "cycle", "import-self", str(tmp_path / "missing.xlsx")]) == 2
    capsys.readouterr()
    assert run(["--db", db, "cycle", "import-self", str(back), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["technician"] == "Alex Morgan"
    assert run(["--db", db, "cycle", "status", "--period", "2026-03"]) == 2
    assert "a review cycle is a quarter" in capsys.readouterr().err


def test_a_review_raised_by_hand_on_a_person_comes_up_on_their_agenda(demo_store, capsys):
    lena = tech(demo_store, "Lena Novak")
    mttr = demo_store.find_kpi("MTTR")
    out = actions.raise_review(demo_store, mttr.id, f"technician:{lena}", "2026-10", "35 h in October",
                               by="Dana", when=dt.datetime(2026, 11, 3, 9))
    rec = out.result
    assert out.changes.reviews and rec.is_open and rec.rule == "raised by Dana: 35 h in October"
    # The value is the one the dashboard shows for him (stored), not recomputed differently.
    stored = compute(demo_store, scope_key=f"technician:{lena}", granularity="month", first="2026-10")
    assert rec.value == pytest.approx(next(r.value for r in stored if r.kpi == "mttr_hours" and not r.segment))
    with pytest.raises(ValidationError, match="already has a review"):
        actions.raise_review(demo_store, mttr.id, f"technician:{lena}", "2026-10", "again")
    with pytest.raises(ValidationError, match="say why"):
        actions.raise_review(demo_store, mttr.id, f"technician:{lena}", "2026-09", " ")
    assert [i.review_id for i in agenda_for(demo_store, lena, "2026-Q4")] == [rec.id]
    db = demo_store.address
    assert run(["--db", db, "reviews", "--raise", "CSAT", "--technician", "Lena Novak", "--period", "2026-10",
                "--why", "three complaints", "--json"]) == 0
    raised = json.loads(capsys.readouterr().out)
    assert (raised["scope"], raised["period"], raised["kpi"]) == (f"technician:{lena}", "2026-10", "CSAT")
    assert [i.review_id for i in agenda_for(demo_store, lena, "2026-Q4")] == [rec.id, raised["id"]]
    assert run(["--db", db, "reviews", "--raise", "CSAT", "--technician", "Lena Novak"]) == 2  # no --why
    assert run(["--db", db, "reviews", "--why", "x"]) == 2  # --why without --raise
    assert run(["--db", db, "reviews", "--raise", "Nope", "--why", "x"]) == 1
