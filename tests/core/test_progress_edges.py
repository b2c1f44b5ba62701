"""Edges of the between-check-ins rules (kpidesk/appraisal/progress.py, issue 20): when a live
number counts as changed since signing (within 0.006 plus 0.1 % it is the same), how a goal's KPI
moved, and the number read out of a goal's target text."""
from __future__ import annotations

from kpidesk.appraisal.progress import ABS_SLACK, REL_SLACK, _movement, _number, _same


def test_same_within_rounding_slack():
    assert (ABS_SLACK, REL_SLACK) == (0.006, 0.001)
    assert _same(None, None) and not _same(None, 0.0) and not _same(0.0, None)
    assert _same(1.0, 1.0) and _same(0.0, 0.0)
    # at 1: slack 0.006 + 0.001 x 1.004 = 0.007004; 1.007 is within, 1.0071 is not
    assert _same(1.0, 1.007) and _same(1.007, 1.0)
    assert not _same(1.0, 1.0071) and not _same(1.0071, 1.0)
    # at 100: slack 0.006 + 0.1 = 0.106 (the larger value's 0.1 %, 100.1 x 0.001 = 0.1001): 100.1 is within
    assert _same(100.0, 100.1) and not _same(100.0, 100.11)
    # at -100 the size counts, not the sign
    assert _same(-100.0, -100.1) and not _same(-100.0, -100.11)
    assert not _same(0.0, 0.0061)


def test_number_of_a_goal_target():
    assert _number(85) == 85.0 and isinstance(_number(85), float)
    assert _number(2.5) == 2.5
    assert _number("at least 85 %") == 85.0
    assert _number("-3.25 points") == -3.25
    assert _number("12.") == 12.0  # the dot alone is no decimal part
    assert _number("v2 then 7") == 2.0  # the first number
    assert _number("none") is None and _number("") is None and _number(None) is None


def test_movement_in_words():
    assert _movement(None, 5.0, "%") == "no value now"
    assert _movement(76.0, None, "%") == "now 76.0 %"
    assert _movement(76.0, 65.0, "%") == "now 76.0 %, up from 65.0 %"
    assert _movement(12.0, 13.3, "hours") == "now 12.0 h, down from 13.3 h"
    # equal to 2 decimals: unchanged (76.004 and 76.0 both round to 76.0)
    assert _movement(76.004, 76.0, "%") == "now 76.0 %, unchanged"
    assert _movement(76.01, 76.0, "%") == "now 76.0 %, up from 76.0 %"
    assert _movement(75.99, 76.0, "%") == "now 76.0 %, down from 76.0 %"


# ---------------------------------------------------------------- last time's goals and live numbers

import datetime as dt  # noqa: E402

from kpidesk import appraisal as ap  # noqa: E402
from kpidesk.records import KpiRecord, RoleKpiRecord, RoleProfileRecord, TechnicianRecord  # noqa: E402
from tests.core.metrics_tickets import add_tickets, ticket  # noqa: E402


def one_technician(store):
    """Ann, whose role reads FCR (higher is better) and MTTR (lower). Q1: 4 tickets of 1 h, 2 of them
    reassigned (FCR 50 %); Q2: 4 tickets of 1 h, 1 reassigned (FCR 75 %); MTTR 1.0 h both times."""
    fcr, _ = store.create_kpi(KpiRecord(name="First-contact resolution", unit="%", direction="higher",
                                        cadence="quarterly", value_source="computed", metric="fcr_rate"))
    mttr, _ = store.create_kpi(KpiRecord(name="MTTR", unit="hours", direction="lower", cadence="quarterly",
                                         value_source="computed", metric="mttr_hours"))
    role, _ = store.save_role_profile(RoleProfileRecord(name="Desk", kpis=[RoleKpiRecord(fcr.id, weight=2.0),
                                                                           RoleKpiRecord(mttr.id, weight=1.0)]))
    ann, _ = store.create_technician(TechnicianRecord(display_name="Ann Lee", role_profile_id=role.id))
    add_tickets(store, [ticket(f"2026-02-0{d} 09:00", f"2026-02-0{d} 10:00", tech=ann.id,
                               reassignment_count=int(d <= 2)) for d in range(1, 5)] +
                [ticket(f"2026-05-0{d} 09:00", f"2026-05-0{d} 10:00", tech=ann.id,
                        reassignment_count=int(d <= 1)) for d in range(1, 5)])
    return ann.id, fcr.id, mttr.id


def test_last_times_goals_and_how_their_kpis_moved(store):
    ann, fcr, mttr = one_technician(store)
    q1 = ap.start_or_resume(store, ann, "2026-Q1")
    ap.save_step(store, q1.id, 5, {"goals": [
        {"text": "FCR up", "kpi_id": fcr, "target_value": 80, "due": "2026-06-30"},
        {"text": "FCR at least 70", "kpi": "First-contact resolution", "target_value": 70},  # by name
        {"text": "Fast fixes", "kpi_id": mttr, "target_value": 2, "due": "2026-06-30"},
        {"text": "Slower is fine", "kpi_id": mttr, "target_value": 0.5},
        {"text": "Learn Python", "due": "not a date"},
        "not a goal",
    ]})
    ap.sign(store, q1.id, "Dana", now=dt.datetime(2026, 4, 5, 10))
    assert ap.previous_goals(store, q1.id) == []  # nothing signed before Q1
    q2 = ap.start_or_resume(store, ann, "2026-Q2")
    goals = ap.previous_goals(store, q2.id)
    assert [(g.kpi, g.unit, g.target_value, g.due, g.set_in, g.then, g.now, g.met) for g in goals] == [
        ("First-contact resolution", "%", 80.0, dt.date(2026, 6, 30), "2026-Q1", 50.0, 75.0, False),
        ("First-contact resolution", "%", 70.0, None, "2026-Q1", 50.0, 75.0, True),
        ("MTTR", "hours", 2.0, dt.date(2026, 6, 30), "2026-Q1", 1.0, 1.0, True),  # 1 h <= 2 h
        ("MTTR", "hours", 0.5, None, "2026-Q1", 1.0, 1.0, False),  # 1 h > 0.5 h
        ("", "", None, None, "2026-Q1", None, None, None),
    ]
    assert [g.summary for g in goals] == [
        "goal: First-contact resolution 80.0 % by 30 Jun 2026; now 75.0 %, up from 50.0 % (not met yet)",
        "goal: First-contact resolution 70.0 %; now 75.0 %, up from 50.0 % (target met)",
        "goal: MTTR 2.0 h by 30 Jun 2026; now 1.0 h, unchanged (target met)",
        "goal: MTTR 0.5 h; now 1.0 h, unchanged (not met yet)",
        "goal: Learn Python; no value now",
    ]
    assert [g.text for g in goals][:2] == ["FCR up", "FCR at least 70"]
    # Q3's draft reads the latest signed one before it: Q1 still (Q2 is a draft)
    q3 = ap.start_or_resume(store, ann, "2026-Q3")
    assert [g.set_in for g in ap.previous_goals(store, q3.id)] == ["2026-Q1"] * 5


def test_live_numbers_against_those_frozen_at_signing(store):
    ann, fcr, _ = one_technician(store)
    q1 = ap.start_or_resume(store, ann, "2026-Q1")
    ap.save_step(store, q1.id, 5, {"ratings": {str(fcr): {"rating": 4, "comment": ""}}})
    assert ap.live_differences(store, q1.id) == [] and not ap.live_differs(store, q1.id)  # a draft is live
    ap.sign(store, q1.id, "Dana", now=dt.datetime(2026, 4, 5, 10))
    assert ap.live_differences(store, q1.id) == []
    # two more reassigned Q1 tickets arrive late: 6 tickets, FCR 2 of 6 = 33.3 %; MTTR still 1.0 h
    add_tickets(store, [ticket("2026-03-02 09:00", "2026-03-02 10:00", tech=ann, reassignment_count=1)
                        for _ in range(2)])
    assert ap.live_differences(store, q1.id) == [
        "Tickets resolved in 2026-Q1: 4 when signed, now 6.",
        "First-contact resolution: 50.0 % when signed, now 33.3 %."]
    assert ap.live_differs(store, q1.id)
    content = ap.checkin_content(store, q1.id)
    assert content.live_differences == ap.live_differences(store, q1.id)
    assert next(k.value for k in content.facts.kpis if k.kpi_id == fcr) == 50.0  # frozen numbers shown
    assert (content.rating_scale, content.proposed_rating) == ((1.0, 5.0), 4.0)
    assert content.rating_text(4) == "4 (Above expectations)" and content.left_out == []
    assert content.rating_words[0] == "Well below expectations" and content.notes == []


def test_the_content_of_a_draft(store):
    ann, fcr, mttr = one_technician(store)
    q2 = ap.start_or_resume(store, ann, "2026-Q2")
    # FCR 4 weighs 2, MTTR 1 weighs 1: (8 + 1) / 3 = 3.0
    ap.save_step(store, q2.id, 5, {"ratings": {str(fcr): {"rating": 4}, str(mttr): {"rating": 1}}})
    content = ap.checkin_content(store, q2.id)
    assert content.proposed_rating == 3.0 and content.live_differences == [] and content.previous_goals == []
    assert content.record.id == q2.id and content.answers["ratings"][str(fcr)]["rating"] == 4
    store.set_setting("rating_scale", [0, 10])
    assert ap.checkin_content(store, q2.id).rating_scale == (0.0, 10.0)


def set_data(store, checkin_id, data) -> None:
    """Write a check-in's answers as an older version of the app stored them (no proposed rating, goals
    with their target as text only), past save_step's normalising."""
    import json

    from kpidesk.models import CheckIn

    with store.write() as s:
        s.get(CheckIn, checkin_id).data_json = json.dumps(data)


def test_older_answers_are_read_as_they_were_stored(store):
    ann, fcr, mttr = one_technician(store)
    q1 = ap.start_or_resume(store, ann, "2026-Q1")
    ap.sign(store, q1.id, "Dana", now=dt.datetime(2026, 4, 5, 10))
    set_data(store, q1.id, {"goals": [
        "not a goal",  # skipped, and the goals after it still read
        {"text": "FCR", "kpi_id": fcr, "target": "at least 70 %"},  # the target as text; the name from the KPI
        {"text": "FCR exactly", "kpi_id": fcr, "target_value": 75, "target": "90 %"},  # the value wins
        {"text": "MTTR exactly", "kpi": "MTTR", "target_value": 1, "unit": "h"},  # the goal's own unit
        {"text": "Close 80", "target_value": 80},  # a number but no KPI: said by its text
        {"due": "2026-06-30"},
    ]})
    q2 = ap.start_or_resume(store, ann, "2026-Q2")
    goals = ap.previous_goals(store, q2.id)
    assert [(g.kpi, g.unit, g.target_value, g.now, g.met) for g in goals] == [
        ("First-contact resolution", "%", 70.0, 75.0, True),
        ("First-contact resolution", "%", 75.0, 75.0, True),  # 75 >= 75: met at exactly the target
        ("MTTR", "h", 1.0, 1.0, True),  # 1.0 <= 1.0: met at exactly the target (lower is better)
        ("", "", 80.0, None, None),
        ("", "", None, None, None),
    ]
    assert [g.summary for g in goals][3:] == ["goal: Close 80; no value now", "goal:  by 30 Jun 2026; no value now"]
    # no proposed rating stored: proposed from the ratings (plain numbers or {"rating": ..}), by weight:
    # FCR 4 x 2, MTTR 1 x 1: 9 / 3 = 3.0
    set_data(store, q2.id, {"ratings": {str(fcr): 4, str(mttr): {"rating": 1}}})
    assert ap.checkin_content(store, q2.id).proposed_rating == 3.0
    set_data(store, q2.id, {"ratings": {str(fcr): 4, str(mttr): 1}, "proposed_rating": 2.5})
    assert ap.checkin_content(store, q2.id).proposed_rating == 2.5  # a stored proposal stands
    set_data(store, q2.id, {})
    assert ap.checkin_content(store, q2.id).proposed_rating is None


def test_the_previous_check_in_is_the_technicians_latest_signed_version(store):
    from kpidesk.records import TechnicianRecord as T

    ann, fcr, _ = one_technician(store)
    bob, _ = store.create_technician(T(display_name="Bob"))
    other = ap.start_or_resume(store, bob.id, "2026-Q1")
    set_data(store, other.id, {"goals": [{"text": "Bob's goal"}]})
    ap.sign(store, other.id, "Dana")
    q1 = ap.start_or_resume(store, ann, "2026-Q1")
    set_data(store, q1.id, {"goals": [{"text": "first version"}]})
    ap.sign(store, q1.id, "Dana")
    v2 = ap.correct(store, q1.id)
    set_data(store, v2.id, {"goals": [{"text": "second version"}]})
    ap.sign(store, v2.id, "Dana")
    q2 = ap.start_or_resume(store, ann, "2026-Q2")
    assert [g.text for g in ap.previous_goals(store, q2.id)] == ["second version"]


def test_the_notes_of_the_technician_in_the_period(store):
    from kpidesk.appraisal.notes import NoteRecord, add_note
    from kpidesk.records import TechnicianRecord as T

    ann, _, _ = one_technician(store)
    bob, _ = store.create_technician(T(display_name="Bob"))
    add_note(store, NoteRecord(ann, dt.date(2026, 2, 3), "Calm with a hard caller"))
    add_note(store, NoteRecord(ann, dt.date(2026, 4, 3), "Next quarter"))
    add_note(store, NoteRecord(bob.id, dt.date(2026, 2, 4), "Bob's"))
    q1 = ap.start_or_resume(store, ann, "2026-Q1")
    assert [n.text for n in ap.checkin_content(store, q1.id).notes] == ["Calm with a hard caller"]


def test_movement_rounds_both_numbers_to_2_decimals():
    assert _movement(76.3, 76.3, "%") == "now 76.3 %, unchanged"
    assert _movement(76.0, 76.004, "%") == "now 76.0 %, unchanged"


def ann_signed_after_a_garbled_check_in(store, period_text: str) -> int:
    """Ann with a signed 2025-Q4 check-in made first (lowest id) whose period then reads `period_text`,
    and a signed 2026-Q1 check-in setting "Ann's goal"."""
    from kpidesk.models import CheckIn

    ann, _fcr, _ = one_technician(store)
    odd = ap.start_or_resume(store, ann, "2025-Q4")
    ap.sign(store, odd.id, "Dana")
    with store.write() as s:
        s.get(CheckIn, odd.id).period = period_text
    q1 = ap.start_or_resume(store, ann, "2026-Q1")
    set_data(store, q1.id, {"goals": [{"text": "Ann's goal"}]})
    ap.sign(store, q1.id, "Dana")
    return ann


def test_another_technicians_later_check_in_and_an_unreadable_period_are_not_last_time(store):
    from kpidesk.records import TechnicianRecord as T

    ann = ann_signed_after_a_garbled_check_in(store, "garbled")
    bob, _ = store.create_technician(T(display_name="Bob"))
    march = ap.start_or_resume(store, bob.id, "2026-03")  # later than Ann's Q1, still before her Q2
    set_data(store, march.id, {"goals": [{"text": "Bob's goal"}]})
    ap.sign(store, march.id, "Dana")
    q2 = ap.start_or_resume(store, ann, "2026-Q2")
    assert [g.text for g in ap.previous_goals(store, q2.id)] == ["Ann's goal"]


def test_a_goal_on_a_kpi_the_role_gained_or_lost_keeps_its_unit(store):
    from kpidesk.records import RoleKpiRecord

    ann, fcr, mttr = one_technician(store)
    q1 = ap.start_or_resume(store, ann, "2026-Q1")
    ap.save_step(store, q1.id, 5, {"goals": [{"text": "Fast", "kpi_id": mttr, "target_value": 2},
                                             {"text": "FCR", "kpi_id": fcr, "target_value": 80}]})
    ap.sign(store, q1.id, "Dana")
    role = store.get_role_profile(store.get_technician(ann).role_profile_id)
    role.kpis = [RoleKpiRecord(fcr, weight=1.0)]  # MTTR left the role after Q1 was signed
    store.save_role_profile(role)
    q2 = ap.start_or_resume(store, ann, "2026-Q2")
    fast = ap.previous_goals(store, q2.id)[0]
    assert (fast.kpi, fast.unit, fast.then, fast.now) == ("MTTR", "hours", 1.0, None)  # its unit from then


def test_live_differences_read_on_after_a_kpi_that_left_the_role(store):
    from kpidesk.records import RoleKpiRecord

    ann, fcr, mttr = one_technician(store)
    role = store.get_role_profile(store.get_technician(ann).role_profile_id)
    role.kpis = [RoleKpiRecord(mttr, weight=1.0), RoleKpiRecord(fcr, weight=2.0)]  # MTTR first
    store.save_role_profile(role)
    q1 = ap.start_or_resume(store, ann, "2026-Q1")
    ap.sign(store, q1.id, "Dana")
    role.kpis = [RoleKpiRecord(fcr, weight=2.0)]  # MTTR gone from the live facts
    store.save_role_profile(role)
    add_tickets(store, [ticket("2026-03-02 09:00", "2026-03-02 10:00", tech=ann, reassignment_count=1)
                        for _ in range(2)])
    assert "First-contact resolution: 50.0 % when signed, now 33.3 %." in ap.live_differences(store, q1.id)


def test_the_proposal_leaves_out_a_rating_on_a_kpi_with_no_value(store):
    from kpidesk.records import KpiRecord, RoleKpiRecord

    ann, fcr, mttr = one_technician(store)
    csat, _ = store.create_kpi(KpiRecord(name="CSAT", unit="score", direction="higher", cadence="quarterly",
                                         value_source="computed", metric="csat_mean"))  # no survey: no value
    role = store.get_role_profile(store.get_technician(ann).role_profile_id)
    role.kpis = [RoleKpiRecord(fcr, weight=2.0), RoleKpiRecord(mttr, weight=1.0), RoleKpiRecord(csat.id, weight=3.0)]
    store.save_role_profile(role)
    q2 = ap.start_or_resume(store, ann, "2026-Q2")
    set_data(store, q2.id, {"ratings": {str(fcr): 4, str(mttr): 1, str(csat.id): 1}})  # as an old version kept it
    assert ap.checkin_content(store, q2.id).proposed_rating == 3.0  # (4 x 2 + 1 x 1) / 3, CSAT left out


def test_an_unreadable_period_read_first_does_not_hide_last_time(store):
    """'2025-XX' sorts before every real period, so it is the first signed check-in read: it is passed
    over, not the end of the search."""
    ann = ann_signed_after_a_garbled_check_in(store, "2025-XX")
    q2 = ap.start_or_resume(store, ann, "2026-Q2")
    assert [(g.text, g.set_in) for g in ap.previous_goals(store, q2.id)] == [("Ann's goal", "2026-Q1")]


def test_the_self_assessment_takes_a_goals_unit_from_whichever_side_has_its_kpi(store):
    """goals_before, for a technician with no check-in yet: a goal on MTTR, which left the role after
    Q1 was signed, has its unit from then; a goal on Reopen rate, which joined the role after, from now."""
    from kpidesk.appraisal.facts import gather
    from kpidesk.appraisal.progress import goals_before
    from kpidesk.records import RoleKpiRecord

    ann, fcr, mttr = one_technician(store)
    reopen, _ = store.create_kpi(KpiRecord(name="Reopen rate", unit="%", direction="lower", cadence="quarterly",
                                           value_source="computed", metric="reopen_rate"))
    q1 = ap.start_or_resume(store, ann, "2026-Q1")
    ap.sign(store, q1.id, "Dana")
    # Goals as an older version stored them, with no unit of their own: it comes from the KPI.
    set_data(store, q1.id, {"goals": [{"text": "Fast", "kpi_id": mttr, "target_value": 2},
                                      {"text": "Few reopened", "kpi_id": reopen.id, "target_value": 5}]})
    role = store.get_role_profile(store.get_technician(ann).role_profile_id)
    role.kpis = [RoleKpiRecord(fcr, weight=1.0), RoleKpiRecord(reopen.id, weight=1.0)]
    store.save_role_profile(role)
    goals = goals_before(store, ann, "2026-Q2", gather(store, ann, "2026-Q2"))
    assert [(g.kpi, g.unit, g.then, g.now) for g in goals] == [("MTTR", "hours", 1.0, None),
                                                               ("Reopen rate", "%", None, 0.0)]
    assert [g.summary for g in goals] == ["goal: MTTR 2.0 h; no value now",
                                          "goal: Reopen rate 5.0 %; now 0.0 % (target met)"]
