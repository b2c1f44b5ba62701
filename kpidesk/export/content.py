"""An appraisal summary as plain data: everything the PDF and the workbook show, already decided.

Built from a check-in by kpidesk/export/appraisal_source.py; rendered to HTML by report_html.py and
to a PDF by ui/reports/pdf_renderer.py. Values keep the KPI's own unit as the app stores it ('%'
values are percentage points, e.g. 75.0, like the targets); formats.py turns them into text for the
PDF and into Excel numbers (fractions for 0.0%) for the workbook.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

# A team outcome shown beside the individual's numbers, never rated: the check-in's own type.
from kpidesk.appraisal.model import ContextFact as ContextLine
from kpidesk.signals import judge_line, status_word

if TYPE_CHECKING:
    from kpidesk.appraisal.cycles import CycleStatus

NAMES_SHOWN = 10  # a cycle's unsigned members named in a headline or note; more are counted


@dataclass
class TrendPoint:
    period: str
    value: Optional[float]


@dataclass
class KpiLine:
    """One role KPI in the check-in. `trend` is oldest first and ends with this period."""

    name: str
    unit: str = ""
    direction: str = "higher"  # higher | lower | band
    value: Optional[float] = None
    baseline: Optional[float] = None
    target: Optional[float] = None
    band: Optional[tuple[float, float]] = None
    trend: list[TrendPoint] = field(default_factory=list)
    rating: Optional[float] = None
    rating_comment: str = ""
    rated: bool = True  # False: reported, not rated (e.g. escalation rate of an escalation destination)
    note: str = ""  # why it is not rated, thin data, ...
    weight: Optional[float] = None
    kpi_id: Optional[int] = None
    thin: bool = False  # rests on fewer tickets than the minimum count
    bands: bool = False  # the KPI is judged in three bands: On target / Watch / Act
    act: Optional[tuple[Optional[float], Optional[float]]] = None  # its act line(s) in the period

    @property
    def status(self) -> str:
        """The status word (kpidesk.signals) of the value against the role's target; a three-band KPI
        past its act line says Act."""
        judged = judge_line(self.value, self.target, self.direction, self.band)
        if self.bands and self.act and self.value is not None:
            lo, hi = self.act
            if (lo is not None and self.value < lo) or (hi is not None and self.value > hi):
                judged = "triggered"
        return status_word(judged, self.value, few=self.thin, bands=self.bands)

    @property
    def rateable(self) -> bool:
        return self.rated and self.value is not None


@dataclass
class Goal:
    text: str
    kpi: str = ""
    target: str = ""  # as agreed, already text ("FCR 80 %")
    due: Optional[dt.date] = None
    smart_problems: list[str] = field(default_factory=list)


@dataclass
class ContextNote:
    """An annotation that overlaps the check-in's period (kpidesk.annotations): what else happened."""

    when: str  # "3 Mar 2026", "3 to 14 Mar 2026"
    text: str
    applies_to: str = ""  # "MTTR, team Service Desk", "every KPI, everyone"
    on: Optional[dt.date] = None  # where the trend images mark it
    until: Optional[dt.date] = None
    kpi_id: Optional[int] = None  # None: every KPI

    def marks(self, kpi_id: Optional[int]) -> bool:
        """Whether the note is drawn on that KPI's trend image."""
        return self.on is not None and self.kpi_id in (None, kpi_id)


@dataclass
class OwnRating:
    """One KPI of the technician's self-assessment beside the manager's rating of it."""

    kpi: str
    rating: Optional[float] = None
    why: str = ""
    manager_rating: Optional[float] = None


@dataclass
class SelfAssessmentPart:
    """What the technician said in their self-assessment form (issue 17), as the report shows it."""

    received_at: Optional[dt.datetime] = None
    ratings: list[OwnRating] = field(default_factory=list)
    went_well: str = ""
    got_in_way: str = ""
    support: str = ""
    goals: list[str] = field(default_factory=list)


@dataclass
class AgendaLine:
    """A KPI review talked over in the check-in (kpidesk.appraisal.agenda.AgendaItem, as text)."""

    summary: str
    state: str = "open"  # open | acknowledged
    acknowledged_by: str = ""
    acknowledged_at: Optional[dt.datetime] = None
    note: str = ""  # the acknowledgement's note: what will be done
    said: str = ""  # what this check-in said about it


@dataclass
class CalibrationChange:
    """A rating changed in calibration: `what` is the KPI's name or 'Overall rating'."""

    what: str
    before: Optional[float] = None
    after: Optional[float] = None
    reason: str = ""
    by: str = ""
    at: str = ""


@dataclass
class ExportCycle:
    """The review cycle an export of a quarter, half-year or year belongs to (issue 17): its members
    limited to the export's team or technician (`scope`, e.g. 'team Service Desk'). The wording never
    calls the cycle complete while a member's check-in is unsigned."""

    status: "CycleStatus"
    scope: str = ""
    drafts_included: bool = False

    def _unsigned(self) -> str:
        names = [m.technician for m in self.status.unsigned]
        more = len(names) - NAMES_SHOWN
        shown = ", ".join(names[:NAMES_SHOWN]) + (f" and {more} more" if more > 0 else "")
        return f"{len(names)} of {len(self.status.members)} not signed ({shown})"

    @property
    def label(self) -> str:
        return f"{self.status.period}{f' ({self.scope})' if self.scope else ''}"

    def headline(self) -> str:
        """'Cycle 2026-Q3: complete, 8 of 8 signed' or 'Cycle 2026-Q4: NOT COMPLETE: 3 of 8 not signed (...)'."""
        s = self.status
        if not s.members:
            return f"Cycle {self.label}: NOT COMPLETE: nobody is in the cycle"
        if s.complete:
            return f"Cycle {self.label}: complete, {len(s.members)} of {len(s.members)} signed"
        if self.drafts_included:
            return f"Cycle {self.label}: not complete (drafts included): {self._unsigned()}"
        return f"Cycle {self.label}: NOT COMPLETE: {self._unsigned()}"

    def note(self) -> str:
        """What the export says of an incomplete cycle ('' when complete)."""
        if self.status.complete:
            return ""
        if not self.status.members:
            return f"cycle {self.label} is not complete: nobody is in it"
        tail = "; the drafts exported are marked DRAFT" if self.drafts_included else ""
        return f"cycle {self.label} is not complete: {self._unsigned()}{tail}"


def note_label(i: int) -> str:
    """The tag a context note has in the PDF's table and on the trend images it marks: N1, N2..."""
    return f"N{i + 1}"


@dataclass
class AppraisalReport:
    organisation: str
    technician: str
    period: str
    team: str = ""
    role: str = ""
    manager: str = ""
    status: str = "draft"  # draft | signed
    version: int = 1
    period_label: str = ""  # "2026-Q3 (1 Jul - 30 Sep 2026)"
    manager_signed_at: Optional[dt.datetime] = None
    technician_ack_name: str = ""
    technician_ack_at: Optional[dt.datetime] = None
    escalation_destination: bool = False
    kpis: list[KpiLine] = field(default_factory=list)
    readings: list[str] = field(default_factory=list)  # speed vs quality, in plain words
    escalation_reading: str = ""
    context: list[ContextLine] = field(default_factory=list)
    data_notes: list[str] = field(default_factory=list)  # thin data warnings, live numbers differ...
    context_notes: list[ContextNote] = field(default_factory=list)  # dated notes over the period
    strengths: str = ""
    support: str = ""
    goals: list[Goal] = field(default_factory=list)
    manager_comment: str = ""
    technician_comment: str = ""
    summary: str = ""
    overall_rating: Optional[float] = None
    proposed_rating: Optional[float] = None
    override_reason: str = ""
    rating_scale: tuple[int, int] = (1, 5)
    rating_words: list[str] = field(default_factory=list)
    logo: Optional[bytes] = None  # the organisation's logo (setting 'logo'), PNG or JPEG
    generated_at: Optional[dt.datetime] = None
    check_in_id: Optional[int] = None
    # Issue 17. self_assessment_shown False: no section at all (a check-in signed before self-assessments
    # existed); True: a section with `self_assessment`, or `self_assessment_note` when there is none to show.
    self_assessment_shown: bool = False
    self_assessment: Optional[SelfAssessmentPart] = None
    self_assessment_note: str = ""
    agenda: list[AgendaLine] = field(default_factory=list)
    calibration: list[CalibrationChange] = field(default_factory=list)

    @property
    def left_out(self) -> list[str]:
        """Rated KPIs with no value in the period: not rated, and left out of the proposal."""
        return [k.name for k in self.kpis if k.rated and k.value is None]

    @property
    def title(self) -> str:
        return f"{self.organisation}: appraisal summary" if self.organisation.strip() else "Appraisal summary"

    @property
    def is_draft(self) -> bool:
        return self.status != "signed"

    @property
    def surname_first(self) -> tuple[str, str]:
        """('Surname', 'Firstname') from a display name; 'Surname, First' is understood too."""
        name = " ".join(self.technician.split())
        if "," in name:
            last, first = (p.strip() for p in name.split(",", 1))
            return last, first
        parts = name.split(" ")
        if len(parts) == 1:
            return parts[0], ""
        return parts[-1], " ".join(parts[:-1])
