"""Table models of the Check-ins screen: technicians with their latest check-in, one technician's
check-in history (every version), and the performance log's notes."""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Optional

from kpidesk.appraisal import CheckInRecord, NoteRecord
from kpidesk.records import TechnicianRecord
from ui.record_model import RecordTableModel


def fmt_rating(value: Optional[float]) -> str:
    return "" if value is None else f"{value:g}"


def status_text(ci: CheckInRecord) -> str:
    if ci.status == "draft":
        return f"Draft (step {ci.step + 1} of 7)"
    return "Signed, acknowledged" if ci.acknowledged else "Signed"


@dataclass
class TechnicianRow:
    technician: TechnicianRecord
    latest: Optional[CheckInRecord] = None

    @property
    def id(self) -> Optional[int]:
        return self.technician.id


class TechnicianCheckInModel(RecordTableModel[TechnicianRow]):
    class Columns(IntEnum):
        NAME = 0
        ROLE = 1
        TEAM = 2
        PERIOD = 3
        STATUS = 4
        OVERALL = 5

    HEADERS = {Columns.NAME: "Technician", Columns.ROLE: "Role profile", Columns.TEAM: "Team",
               Columns.PERIOD: "Last check-in", Columns.STATUS: "Status", Columns.OVERALL: "Overall"}
    FREE_TEXT = frozenset({Columns.NAME, Columns.ROLE, Columns.TEAM})

    def display(self, row: TechnicianRow, column: int) -> Any:
        c, t, ci = self.Columns, row.technician, row.latest
        return {c.NAME: t.display_name, c.ROLE: t.role_profile_name or "(no role profile)", c.TEAM: t.team_name,
                c.PERIOD: f"{ci.period} v{ci.version}" if ci else "none yet",
                c.STATUS: status_text(ci) if ci else "", c.OVERALL: fmt_rating(ci.overall_rating) if ci else ""}[column]


class HistoryModel(RecordTableModel[CheckInRecord]):
    class Columns(IntEnum):
        PERIOD = 0
        VERSION = 1
        STATUS = 2
        OVERALL = 3
        SIGNED_BY = 4
        SIGNED_ON = 5
        ACK = 6

    HEADERS = {Columns.PERIOD: "Period", Columns.VERSION: "Version", Columns.STATUS: "Status",
               Columns.OVERALL: "Overall", Columns.SIGNED_BY: "Signed by", Columns.SIGNED_ON: "Signed on",
               Columns.ACK: "Acknowledged"}
    FREE_TEXT = frozenset({Columns.SIGNED_BY, Columns.ACK})

    def display(self, ci: CheckInRecord, column: int) -> Any:
        c = self.Columns
        status = status_text(ci) + (" (superseded)" if ci.superseded_by_id else "")
        return {c.PERIOD: ci.period, c.VERSION: ci.version, c.STATUS: status, c.OVERALL: fmt_rating(ci.overall_rating),
                c.SIGNED_BY: ci.manager_name if ci.signed else "",
                c.SIGNED_ON: f"{ci.manager_signed_at:%d %b %Y}" if ci.manager_signed_at else "",
                c.ACK: (f"{ci.technician_ack_name}, {ci.technician_ack_at:%d %b %Y}" if ci.technician_ack_at
                        else "")}[column]


class NotesModel(RecordTableModel[NoteRecord]):
    class Columns(IntEnum):
        DATE = 0
        KIND = 1
        TEXT = 2
        KPI = 3
        TICKET = 4

    HEADERS = {Columns.DATE: "Date", Columns.KIND: "Kind", Columns.TEXT: "Note", Columns.KPI: "KPI",
               Columns.TICKET: "Ticket"}
    FREE_TEXT = frozenset({Columns.TEXT, Columns.KPI, Columns.TICKET})

    def display(self, n: NoteRecord, column: int) -> Any:
        c = self.Columns
        return {c.DATE: n.noted_on.isoformat(), c.KIND: n.kind, c.TEXT: n.text, c.KPI: n.kpi_name,
                c.TICKET: n.ticket_ref}[column]
