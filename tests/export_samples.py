"""Sample appraisal content for the export tests (issue 6): rich enough to span pages and to carry
hostile text, built without a database so the renderer and workbook tests stay fast."""
from __future__ import annotations

import datetime as dt

from kpidesk.export.content import AppraisalReport, ContextLine, Goal, KpiLine, TrendPoint

HOSTILE = '=HYPERLINK("http://evil","click")'
PERIODS = ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]


def _trend(values: list[float | None]) -> list[TrendPoint]:
    return [TrendPoint(p, v) for p, v in zip(PERIODS, values)]


def sample_report(name: str = "Alex Morgan", status: str = "signed", long_text: bool = True,
                  comment: str = "Happy with the quarter; I want more P1 exposure.") -> AppraisalReport:
    filler = ("Alex closed the printer-fleet migration ahead of plan and documented every step for the "
              "next person. ") * (6 if long_text else 1)
    signed = dt.datetime(2026, 10, 6, 14, 30) if status == "signed" else None
    return AppraisalReport(
        organisation="Northwind Facilities Ltd", technician=name, period="2026-Q3",
        period_label="2026-Q3 (1 Jul to 30 Sep 2026)", team="Service Desk", role="Service desk L1",
        manager="Dana Whitfield", status=status, version=1, manager_signed_at=signed,
        technician_ack_name=name if signed else "", technician_ack_at=signed + dt.timedelta(days=1) if signed else None,
        kpis=[
            KpiLine("MTTR", "hours", "lower", 7.4, 9.1, 24.0, trend=_trend([10.2, 9.8, 9.0, 8.7, 8.1, 7.4]),
                    rating=4, rating_comment="Fast across P3 and P4; P1 in line with the team.", weight=2),
            KpiLine("First-contact resolution", "%", "higher", 61.3, 70.2, 75.0,
                    trend=_trend([72.0, 70.5, 69.9, 66.0, 64.2, 61.3]), rating=2,
                    rating_comment="Falling four quarters in a row.", weight=2),
            KpiLine("CSAT", "score", "higher", 4.12, 4.05, 4.5, trend=_trend([4.0, 4.1, 4.0, 4.1, 4.05, 4.12]),
                    rating=3, weight=2),
            KpiLine("Escalation rate", "%", "lower", 18.5, 17.0, 15.0, trend=_trend([16.0, 17.5, None, 17.2, 18.0, 18.5]),
                    rating=3, weight=1),
            KpiLine("Reopen rate", "%", "lower", 9.8, 8.0, 5.0, trend=_trend([7.0, 7.5, 8.2, 8.8, 9.1, 9.8]),
                    rating=None, weight=1),
            KpiLine("Resolved tickets", "tickets", "higher", 182, 171, None, trend=_trend([160, 168, 175, 170, 178, 182]),
                    rated=False, note="Volume: reported for context of the other numbers."),
        ],
        readings=["Fast, but first-contact resolution fell from 70.2 % to 61.3 %: speed may be costing quality.",
                  "CSAT 4.12 is steady while MTTR improved: users notice no drop yet."],
        escalation_reading="Escalation rate 18.5 % (CSAT of escalated tickets 3.6).",
        context=[ContextLine("Team backlog", "tickets", 41, 35, "up 6 on the previous quarter"),
                 ContextLine("Team SLA compliance", "%", 93.1, 94.4)],
        data_notes=["188 tickets in the period, 64 CSAT responses, 6 periods of history."],
        strengths=filler + "\n\nCalm on the phone with upset users; colleagues ask for help with scripting.",
        support="Coaching on diagnosis before closing: use the knowledge base and ask L2 earlier. " * (3 if long_text else 1),
        goals=[Goal("Raise first-contact resolution back to the role target", "First-contact resolution", "75.0 %",
                    dt.date(2026, 12, 31)),
               Goal("Shadow L2 on two P1 incidents", "", "2 incidents", dt.date(2026, 11, 30),
                    smart_problems=["not measurable against a KPI"]),
               Goal(HOSTILE, "Reopen rate", "\u2264 5.0 %", dt.date(2026, 12, 31))],
        manager_comment="A strong quarter for speed. The next one is about getting it right first time. " * (4 if long_text else 1),
        technician_comment=comment, summary="Fast and reliable; quality on first contact needs work.",
        overall_rating=3.0, proposed_rating=3.1, override_reason="Rounded to the scale's steps.",
        generated_at=dt.datetime(2026, 10, 7, 9, 0), check_in_id=1,
    )
