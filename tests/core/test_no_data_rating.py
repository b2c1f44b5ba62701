"""Issue 15 (2): a KPI with no value in the period cannot be rated; the proposal leaves it out and
says so; the PDF and the workbook print "no data", never a rating or a 0."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk import actions
from kpidesk import appraisal as ap
from kpidesk.errors import ValidationError
from kpidesk.export.appraisal_source import build_report
from kpidesk.export.report_html import report_html
from kpidesk.export.workbook import build_workbook
from kpidesk.records import TechnicianRecord
from tests.core.metrics_tickets import add_tickets, ticket

Q = "2026-Q3"


@pytest.fixture
def newcomer(demo_store):
    """A desk technician (role 'Service desk L1') with 20 tickets in Q3, none of them surveyed:
    MTTR, FCR... have values; CSAT has none."""
    roles = {r.name: r.id for r in demo_store.list_role_profiles()}
    tid = demo_store.create_technician(TechnicianRecord(display_name="Noa Quill",
                                                        role_profile_id=roles["Service desk L1"],
                                                        active_from=dt.date(2024, 1, 1)))[0].id
    add_tickets(demo_store, [ticket(f"2026-08-{1 + i:02d} 09:00", f"2026-08-{1 + i:02d} 13:00", tech=tid)
                             for i in range(20)])
    ci = ap.start_or_resume(demo_store, tid, Q)
    kpis = {k.name: k for k in ap.facts_of(demo_store, ci.id).kpis}
    return demo_store, ci, kpis


def test_no_data_kpi_cannot_be_rated_and_is_left_out_of_the_proposal(newcomer):
    store, ci, kpis = newcomer
    csat, mttr, fcr = kpis["CSAT"], kpis["MTTR"], kpis["First-contact resolution"]
    assert csat.value is None and mttr.value == pytest.approx(4.0) and fcr.value is not None
    with pytest.raises(ValidationError, match="CSAT: has no value for 2026-Q3"):
        actions.save_checkin_step(store, ci.id, 5, {"ratings": {str(csat.kpi_id): {"rating": 3}}})
    assert ap.get_checkin(store, ci.id).data.get("ratings") in (None, {})  # nothing saved
    rec = actions.save_checkin_step(store, ci.id, 5, {"ratings": {
        str(mttr.kpi_id): {"rating": 4}, str(fcr.kpi_id): {"rating": 2}, str(csat.kpi_id): {"rating": None}}}).result
    # Hand-worked: the L1 role weighs MTTR and FCR; CSAT (no data) is not in the mean.
    weights = {k.kpi_id: k.weight for k in kpis.values()}
    want = round((4 * weights[mttr.kpi_id] + 2 * weights[fcr.kpi_id]) / (weights[mttr.kpi_id] + weights[fcr.kpi_id]), 1)
    assert rec.data["proposed_rating"] == want and rec.overall_rating == want
    assert rec.data["left_out"] == ["CSAT"]
    assert ap.checkin_content(store, ci.id).left_out == ["CSAT"]


def test_a_rating_kept_from_before_the_data_went_is_dropped_at_signing(newcomer):
    store, ci, kpis = newcomer
    csat = kpis["CSAT"]
    # The rating was given when CSAT had a value (written as the wizard would have then).
    from sqlalchemy import update

    from kpidesk.models import CheckIn

    with store.write() as s:
        s.execute(update(CheckIn).where(CheckIn.id == ci.id).values(
            data_json='{"ratings": {"%d": {"rating": 3, "comment": "fine"}}}' % csat.kpi_id))
    signed = actions.sign_checkin(store, ci.id, "Dana Whitfield").result
    assert signed.data["ratings"][str(csat.kpi_id)] == {"rating": None, "comment": "fine"}
    assert signed.overall_rating is None and signed.data["left_out"] == ["CSAT"]


def test_pdf_and_workbook_print_no_data_not_a_rating(newcomer):
    store, ci, kpis = newcomer
    csat, mttr = kpis["CSAT"], kpis["MTTR"]
    actions.save_checkin_step(store, ci.id, 5, {"ratings": {str(mttr.kpi_id): {"rating": 4}}})
    report = build_report(store, ci.id)
    line = next(k for k in report.kpis if k.name == "CSAT")
    assert line.rating is None and not line.rateable and report.left_out == ["CSAT"]
    html = report_html(report)
    row = html[html.index("<b>CSAT</b>"):].split("</tr>")[0]
    assert "no data: not rated" in row and "/ 5" not in row and "No data" in row
    assert "Left out of the proposal, no data in the period: CSAT" in html
    assert "4 / 5 (Above expectations)" in html  # MTTR, with the scale's word
    ws = build_workbook([report], Q).worksheets[1]
    cells: dict = {}
    for r in range(1, ws.max_row + 1):  # the KPI block comes first (the trend block repeats the names)
        cells.setdefault(ws.cell(row=r, column=1).value, [ws.cell(row=r, column=c).value for c in range(1, 12)])
    assert cells["CSAT"][2] is None and cells["CSAT"][5] == "No data" and cells["CSAT"][7] is None
    assert cells["CSAT"][8] == "no data: not rated"


def test_resolved_count_before_the_first_ticket_is_none_not_zero(demo_store):
    """The demo's tickets start in November 2025: the quarters before it have no count, not 0."""
    ci = ap.start_or_resume(demo_store, demo_store.find_technician("Priya Shah").id, Q)
    resolved = next(k for k in ap.facts_of(demo_store, ci.id).kpis if k.name == "Resolved tickets")
    trend = dict(resolved.trend)
    assert trend["2025-Q2"] is None and trend["2025-Q3"] is None and trend["2026-Q3"] > 0
    line = next(k for k in build_report(demo_store, ci.id).kpis if k.name == "Resolved tickets")
    assert [p.value for p in line.trend][:2] == [None, None]
