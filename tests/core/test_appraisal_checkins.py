"""Issue 5: check-ins on the demo data: drafts, signing and read-only, versions, the performance log,
frozen numbers against a later change in the tickets, last time's goals, and the facts' fairness rules."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk import appraisal as ap
from kpidesk.errors import ValidationError
from tests.conftest import DEMO_TODAY
from tests.core.metrics_tickets import add_tickets, ticket

Q3 = "2026-Q3"


def tech(store, name: str) -> int:
    return store.find_technician(name).id


def test_default_period_is_last_full_quarter_and_draft_resumes(demo_store):
    chloe = tech(demo_store, "Chloe Dubois")
    first = ap.start_or_resume(demo_store, chloe, "2026-Q2")
    assert first.status == "draft" and first.version == 1
    ap.save_step(demo_store, first.id, 3, {"strengths": "Calm on the phone"})
    again = ap.start_or_resume(demo_store, chloe, "2026-Q2")
    assert again.id == first.id and again.step == 3 and again.data["strengths"] == "Calm on the phone"
    # Demo: last quarter's check-ins are signed; this quarter's of Tom is a draft to resume.
    tom = ap.start_or_resume(demo_store, tech(demo_store, "Tom Becker"), today=DEMO_TODAY)
    assert tom.period == Q3 and tom.status == "signed"
    tom_now = ap.start_or_resume(demo_store, tech(demo_store, "Tom Becker"), "2026-Q4")
    assert tom_now.status == "draft" and tom_now.step == 1


def test_sign_freezes_and_makes_read_only_then_correct_makes_a_version(demo_store):
    ci = ap.start_or_resume(demo_store, tech(demo_store, "Priya Shah"), "2026-Q2")
    fcr_id = demo_store.find_kpi("First-contact resolution").id
    ap.save_step(demo_store, ci.id, 5, {"ratings": {str(fcr_id): {"rating": 4, "comment": "steady"}},
                                        "goals": [{"text": "FCR up", "kpi_id": fcr_id, "target_value": 85,
                                                   "due": "2026-12-31"}]})
    signed = ap.sign(demo_store, ci.id, "Dana Whitfield", now=dt.datetime(2026, 7, 5, 10))
    assert signed.signed and signed.read_only and signed.frozen["kpis"]
    assert signed.overall_rating == 4.0
    with pytest.raises(ap.CheckInLocked):
        ap.save_step(demo_store, ci.id, 5, {"strengths": "changed"})
    with pytest.raises(ap.CheckInLocked):
        ap.sign(demo_store, ci.id, "Dana Whitfield")
    acked = ap.acknowledge(demo_store, ci.id, "Priya Shah")
    assert acked.acknowledged
    with pytest.raises(ap.CheckInLocked):
        ap.acknowledge(demo_store, ci.id, "Priya Shah")
    v2 = ap.correct(demo_store, ci.id)
    assert (v2.version, v2.supersedes_id, v2.status) == (2, ci.id, "draft")
    assert v2.data["ratings"][str(fcr_id)]["rating"] == 4
    assert ap.correct(demo_store, ci.id).id == v2.id  # an open correction is resumed, not duplicated
    versions = [(h.period, h.version, h.status) for h in ap.history(demo_store, ci.technician_id)]
    assert ("2026-Q2", 2, "draft") in versions and ("2026-Q2", 1, "signed") in versions
    assert ap.get_checkin(demo_store, ci.id).superseded_by_id == v2.id


def test_override_without_reason_is_refused_and_nothing_saved(demo_store):
    ci = ap.start_or_resume(demo_store, tech(demo_store, "Alex Morgan"), "2026-Q2")
    with pytest.raises(ValidationError):
        ap.save_step(demo_store, ci.id, 5, {"overall_override": 5, "strengths": "lost"})
    assert "strengths" not in ap.get_checkin(demo_store, ci.id).data
    ok = ap.save_step(demo_store, ci.id, 5, {"overall_override": 5, "override_reason": "Covered two colleagues"})
    assert ok.overall_rating == 5 and ok.data["override_reason"] == "Covered two colleagues"


def test_rating_off_scale_and_rating_a_team_outcome_are_refused(demo_store):
    marcus = tech(demo_store, "Marcus Reid")
    ci = ap.start_or_resume(demo_store, marcus, "2026-Q2")
    uptime = demo_store.find_kpi("Uptime").id
    with pytest.raises(ValidationError):
        ap.save_step(demo_store, ci.id, 5, {"ratings": {str(uptime): {"rating": 4}}})
    mttr_p1 = demo_store.find_kpi("MTTR P1").id
    with pytest.raises(ValidationError):
        ap.save_step(demo_store, ci.id, 5, {"ratings": {str(mttr_p1): {"rating": 9}}})


def test_frozen_numbers_stay_and_live_differs_after_new_tickets(demo_store):
    priya = tech(demo_store, "Priya Shah")
    ci = ap.start_or_resume(demo_store, priya, "2026-Q2")
    signed = ap.sign(demo_store, ci.id, "Dana Whitfield")
    frozen_before = signed.frozen
    assert not ap.live_differs(demo_store, ci.id)
    # A late re-import adds slow, escalated tickets resolved in Q2.
    add_tickets(demo_store, [ticket("2026-05-01 09:00", "2026-05-20 09:00", tech=priya, reassignment_count=2)
                             for _ in range(12)])
    after = ap.get_checkin(demo_store, ci.id)
    assert after.frozen == frozen_before
    assert ap.live_differs(demo_store, ci.id)
    lines = ap.live_differences(demo_store, ci.id)
    assert any(line.startswith("MTTR:") and "when signed, now" in line for line in lines)
    content = ap.checkin_content(demo_store, ci.id)
    mttr = next(k for k in content.facts.kpis if k.name == "MTTR")
    assert mttr.value == next(k for k in frozen_before["kpis"] if k["name"] == "MTTR")["value"]


def test_previous_goals_show_how_the_kpi_moved(demo_store):
    alex = tech(demo_store, "Alex Morgan")
    nxt = ap.start_or_resume(demo_store, alex, "2026-Q4")
    goals = ap.previous_goals(demo_store, nxt.id)
    assert goals and goals[0].set_in == Q3
    assert goals[0].summary.startswith("goal: First-contact resolution 75.0 % by")
    signed_q3 = next(c for c in ap.history(demo_store, alex) if c.period == Q3 and c.signed)
    then = next(k["value"] for k in signed_q3.frozen["kpis"] if k["name"] == "First-contact resolution")
    assert goals[0].then == then  # movement is measured from the numbers agreed last time
    assert f"from {then:.1f} %" in goals[0].summary and "now " in goals[0].summary


def test_facts_follow_the_fairness_rules(demo_store):
    lena = ap.gather(demo_store, tech(demo_store, "Lena Novak"), Q3)
    assert lena.escalation.verdict == "not rated" and lena.escalation_destination
    marcus = ap.gather(demo_store, tech(demo_store, "Marcus Reid"), Q3)
    uptime = next(k for k in marcus.kpis if k.name == "Uptime")
    assert not uptime.rated and "Team outcome" in uptime.note
    assert [s.segment for s in marcus.mttr_by_priority] == ["P1", "P2", "P3", "P4"]
    assert all("not part of the rating" in c.note for c in marcus.team_context)
    assert marcus.readings[0].verdict.startswith("thorough")  # slow on P1, excellent quality
    alex = ap.gather(demo_store, tech(demo_store, "Alex Morgan"), Q3)
    assert alex.readings[0].verdict == "speed may be costing quality"
    mttr = next(k for k in alex.kpis if k.name == "MTTR")
    assert len(mttr.trend) == 6 and mttr.trend[-1][0] == Q3 and mttr.baseline is not None
    chloe = ap.gather(demo_store, tech(demo_store, "Chloe Dubois"), Q3)
    assert any("new starter" in w for w in chloe.warnings)
    assert any("baseline and the trend are thin" in w for w in chloe.warnings)


def test_performance_log_notes_for_a_period(demo_store):
    tom = tech(demo_store, "Tom Becker")
    fcr = demo_store.find_kpi("First-contact resolution").id
    inside, _ = ap.add_note(demo_store, ap.NoteRecord(tom, dt.date(2026, 8, 3), "Fixed the VPN outage", "praise",
                                                      kpi_id=fcr, ticket_ref="INC0012345"))
    ap.add_note(demo_store, ap.NoteRecord(tom, dt.date(2026, 10, 2), "Missed a handover", "concern"))
    in_q3 = ap.list_notes(demo_store, tom, Q3)
    assert [n.text for n in in_q3] == ["Fixed the VPN outage"] and in_q3[0].kpi_name == "First-contact resolution"
    inside.text = "Fixed the VPN outage on a Sunday"
    ap.update_note(demo_store, inside)
    assert ap.list_notes(demo_store, tom, Q3)[0].text.endswith("Sunday")
    with pytest.raises(ValidationError):
        ap.add_note(demo_store, ap.NoteRecord(tom, dt.date(2026, 8, 3), "  ", "praise"))
    ap.delete_note(demo_store, inside.id)
    assert len(ap.list_notes(demo_store, tom)) == 1
    # Notes are frozen with the check-in's facts when it is signed.
    ap.add_note(demo_store, ap.NoteRecord(tom, dt.date(2026, 11, 4), "Ran the printer training", "training"))
    signed = ap.sign(demo_store, ap.start_or_resume(demo_store, tom, "2026-Q4").id, "Dana Whitfield")
    assert sorted(n["text"] for n in signed.frozen["notes"]) == ["Missed a handover", "Ran the printer training"]


def test_export_adapter_reads_a_signed_check_in(demo_store):
    """The HR export (kpidesk.export.appraisal_source) reads what sign() freezes."""
    from kpidesk.export.appraisal_source import build_report

    ci = ap.start_or_resume(demo_store, tech(demo_store, "Lena Novak"), "2026-Q2")
    ap.sign(demo_store, ci.id, "Dana Whitfield")
    report = build_report(demo_store, ci.id)
    assert report.kpis and report.readings and "escalation destination" in report.escalation_reading
    assert report.context and report.status == "signed"
