"""The schema: SQLAlchemy 2 typed declarative models.

Invariants kept by the database itself (not only by the service layer):
- KPI names, team names, role profile names and technician display names are unique;
- a ticket is unique per (source_system, external_id), which is what makes imports idempotent;
- measurements are unique per (kpi, scope_key, period, segment), so a recompute upserts;
- foreign keys are enforced (PRAGMA foreign_keys=ON on every connection, see database.py).

ORM objects stay inside kpidesk/: the service API hands out dataclasses (see records.py).
Any change here needs an Alembic revision in kpidesk/migrations/versions.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints so Alembic batch migrations on SQLite can find them again.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Vocabularies (stored as plain strings; checked by CHECK constraints where they are closed sets).
CATEGORIES = (
    "infrastructure",
    "service desk",
    "security",
    "development",
    "user experience",
    "project",
    "financial",
)
DIRECTIONS = ("higher", "lower", "band")
CADENCES = ("daily", "weekly", "monthly", "quarterly")
LEVELS = ("individual", "team")
TRIGGER_KINDS = ("relative", "floor", "ceiling")
VALUE_SOURCES = ("computed", "entered", "formula")
MEASUREMENT_SOURCES = ("computed", "imported", "manual")


class Objective(Base):
    __tablename__ = "objective"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class Team(Base):
    __tablename__ = "team"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    technicians: Mapped[list[Technician]] = relationship(back_populates="team")


class RoleProfile(Base):
    __tablename__ = "role_profile"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    kpis: Mapped[list[RoleProfileKpi]] = relationship(
        back_populates="role_profile", cascade="all, delete-orphan", order_by="RoleProfileKpi.position"
    )


class RoleProfileKpi(Base):
    """A KPI in a role profile, with the role's own target and the weight it has in the overall rating."""

    __tablename__ = "role_profile_kpi"
    __table_args__ = (UniqueConstraint("role_profile_id", "kpi_id", name="uq_role_profile_kpi_pair"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    role_profile_id: Mapped[int] = mapped_column(ForeignKey("role_profile.id", ondelete="CASCADE"))
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    primary: Mapped[bool] = mapped_column(Boolean, default=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    target_value: Mapped[Optional[float]] = mapped_column(Float)
    position: Mapped[int] = mapped_column(Integer, default=0)
    role_profile: Mapped[RoleProfile] = relationship(back_populates="kpis")
    kpi: Mapped[Kpi] = relationship()


class Technician(Base):
    __tablename__ = "technician"
    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    team_id: Mapped[Optional[int]] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    role_profile_id: Mapped[Optional[int]] = mapped_column(ForeignKey("role_profile.id", ondelete="SET NULL"))
    active_from: Mapped[Optional[dt.date]] = mapped_column(Date)
    active_to: Mapped[Optional[dt.date]] = mapped_column(Date)
    # An escalation destination (L2/L3) receives escalations: its escalation rate is reported, not rated.
    escalation_destination: Mapped[bool] = mapped_column(Boolean, default=False)
    team: Mapped[Optional[Team]] = relationship(back_populates="technicians")
    role_profile: Mapped[Optional[RoleProfile]] = relationship()
    aliases: Mapped[list[TechnicianAlias]] = relationship(
        back_populates="technician", cascade="all, delete-orphan"
    )


class TechnicianAlias(Base):
    """A name as it appears in a helpdesk export. `key` is the normalised form used for matching."""

    __tablename__ = "technician_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("technician.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    technician: Mapped[Technician] = relationship(back_populates="aliases")


class Kpi(Base):
    """A metric; it is a KPI once it has an owner, a target and a trigger (see records.KpiRecord.is_kpi)."""

    __tablename__ = "kpi"
    __table_args__ = (
        CheckConstraint("direction IN ('higher','lower','band')", name="direction"),
        CheckConstraint("level IN ('individual','team')", name="level"),
        CheckConstraint(
            "cadence IS NULL OR cadence IN ('daily','weekly','monthly','quarterly')", name="cadence"
        ),
        CheckConstraint(
            "trigger_kind IS NULL OR trigger_kind IN ('relative','floor','ceiling')", name="trigger_kind"
        ),
        CheckConstraint("value_source IN ('computed','entered','formula')", name="value_source"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(50), default="service desk")
    unit: Mapped[str] = mapped_column(String(50), default="")
    direction: Mapped[str] = mapped_column(String(10), default="higher")
    # Current target (its history lives in kpi_target); band KPIs use band_low..band_high.
    target_value: Mapped[Optional[float]] = mapped_column(Float)
    band_low: Mapped[Optional[float]] = mapped_column(Float)
    band_high: Mapped[Optional[float]] = mapped_column(Float)
    target_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    target_period: Mapped[str] = mapped_column(String(20), default="")
    baseline_value: Mapped[Optional[float]] = mapped_column(Float)
    baseline_from: Mapped[Optional[dt.date]] = mapped_column(Date)
    baseline_to: Mapped[Optional[dt.date]] = mapped_column(Date)
    baseline_periods: Mapped[Optional[int]] = mapped_column(Integer)
    trigger_kind: Mapped[Optional[str]] = mapped_column(String(10))
    trigger_value: Mapped[Optional[float]] = mapped_column(Float)
    # Three bands (on target / watch / act) in place of one trigger line: the target is the edge of
    # "on target", the trigger the edge of "act" (kpidesk.signals words them).
    bands: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("0"))
    cadence: Mapped[Optional[str]] = mapped_column(String(10))
    owner: Mapped[str] = mapped_column(String(200), default="")
    leading: Mapped[bool] = mapped_column(Boolean, default=False)
    level: Mapped[str] = mapped_column(String(12), default="individual")
    objective_id: Mapped[Optional[int]] = mapped_column(ForeignKey("objective.id", ondelete="SET NULL"))
    paired_kpi_id: Mapped[Optional[int]] = mapped_column(ForeignKey("kpi.id", ondelete="SET NULL"))
    data_source: Mapped[str] = mapped_column(String(200), default="")
    measurement_method: Mapped[str] = mapped_column(Text, default="")
    # computed: from tickets by `metric` (e.g. "mttr_hours"); entered: imported/typed values;
    # formula: an expression over other KPIs' names (e.g. "[Monthly cost] / [Resolved tickets]").
    value_source: Mapped[str] = mapped_column(String(10), default="entered")
    metric: Mapped[str] = mapped_column(String(40), default="")
    segment: Mapped[str] = mapped_column(String(20), default="")
    formula: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    objective: Mapped[Optional[Objective]] = relationship()
    targets: Mapped[list[KpiTarget]] = relationship(
        back_populates="kpi", cascade="all, delete-orphan", order_by="KpiTarget.valid_from"
    )


class KpiTarget(Base):
    """Target and trigger in force for a KPI (optionally for one segment, e.g. priority tier P1)
    from valid_from until valid_to (NULL: still in force)."""

    __tablename__ = "kpi_target"
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"), index=True)
    segment: Mapped[str] = mapped_column(String(20), default="")
    target_value: Mapped[Optional[float]] = mapped_column(Float)
    band_low: Mapped[Optional[float]] = mapped_column(Float)
    band_high: Mapped[Optional[float]] = mapped_column(Float)
    trigger_kind: Mapped[Optional[str]] = mapped_column(String(10))
    trigger_value: Mapped[Optional[float]] = mapped_column(Float)
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    valid_to: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    kpi: Mapped[Kpi] = relationship(back_populates="targets")


class ImportBatch(Base):
    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="tickets")  # tickets | values
    file_name: Mapped[str] = mapped_column(String(500))
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    sheet: Mapped[str] = mapped_column(String(200), default="")
    preset: Mapped[str] = mapped_column(String(50), default="")
    source_system: Mapped[str] = mapped_column(String(50), default="")
    mapping_json: Mapped[str] = mapped_column(Text, default="{}")
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_json: Mapped[str] = mapped_column(Text, default="[]")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    undone_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)


class Ticket(Base):
    """One helpdesk ticket in its latest known state.

    The derived columns (resolution_hours, resolved_* period keys, priority_tier, fcr, escalated_eff)
    are computed once at import (kpidesk.tickets.derive) so the metrics GROUP BYs read plain indexed
    columns instead of parsing dates inside SQL.
    """

    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("source_system", "external_id", name="uq_ticket_source_external"),
        Index("ix_ticket_tech_month", "technician_id", "resolved_month"),
        Index("ix_ticket_tech_week", "technician_id", "resolved_week"),
        Index("ix_ticket_tech_quarter", "technician_id", "resolved_quarter"),
        Index("ix_ticket_created", "created_at"),
        Index("ix_ticket_resolved", "resolved_at"),
        # The few tickets shared by several technicians, found without a scan of all the others.
        Index("ix_ticket_shared", "id", sqlite_where=text("shared_with IS NOT NULL"),
              postgresql_where=text("shared_with IS NOT NULL")),
        # Groups, where the exports have them (an export without a group column adds nothing to it).
        Index("ix_ticket_group", "group_name", sqlite_where=text("group_name != ''"),
              postgresql_where=text("group_name != ''")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    source_system: Mapped[str] = mapped_column(String(50))
    external_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    first_response_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    resolved_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    updated_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    priority_raw: Mapped[str] = mapped_column(String(50), default="")
    priority_tier: Mapped[Optional[int]] = mapped_column(Integer)  # 1..4 (P1..P4)
    ticket_type: Mapped[Optional[str]] = mapped_column(String(10))  # incident | request
    category: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(50), default="")
    assignee: Mapped[str] = mapped_column(String(200), default="")
    resolver: Mapped[str] = mapped_column(String(200), default="")
    group_name: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(50), default="")
    # Resolver where the export has one, else the assignee (DESIGN.md), matched through aliases.
    technician_id: Mapped[Optional[int]] = mapped_column(ForeignKey("technician.id", ondelete="SET NULL"))
    reopen_count: Mapped[Optional[int]] = mapped_column(Integer)
    reassignment_count: Mapped[Optional[int]] = mapped_column(Integer)
    escalated: Mapped[Optional[bool]] = mapped_column(Boolean)
    sla_met: Mapped[Optional[bool]] = mapped_column(Boolean)
    sla_due_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    first_contact: Mapped[Optional[bool]] = mapped_column(Boolean)
    csat_score: Mapped[Optional[float]] = mapped_column(Float)  # 1..5 scale
    csat_positive: Mapped[Optional[bool]] = mapped_column(Boolean)  # thumbs / yes-no surveys
    # The status's category (open | resolved | closed; NULL: no status, or one nobody has mapped).
    status_category: Mapped[Optional[str]] = mapped_column(String(10))
    # What resolved_at rests on (kpidesk.tickets.settle): resolved, closed, status_changed (time
    # known), closed_assumed, updated_assumed (done, time unknown: no resolution time), no_time.
    resolved_basis: Mapped[Optional[str]] = mapped_column(String(16))
    # Further technicians a shared ticket counts for (JSON list of ids); technician_id is the first.
    shared_with: Mapped[Optional[str]] = mapped_column(Text)
    # Derived at import time.
    resolution_hours: Mapped[Optional[float]] = mapped_column(Float)
    resolved_week: Mapped[Optional[str]] = mapped_column(String(8))  # 2026-W05
    resolved_month: Mapped[Optional[str]] = mapped_column(String(7))  # 2026-03
    resolved_quarter: Mapped[Optional[str]] = mapped_column(String(7))  # 2026-Q1
    fcr: Mapped[Optional[bool]] = mapped_column(Boolean)  # explicit flag, else no reopen and no reassignment
    escalated_eff: Mapped[Optional[bool]] = mapped_column(Boolean)  # flag, else reassignment >= 1
    reopened: Mapped[Optional[bool]] = mapped_column(Boolean)
    import_batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))


class ImportChange(Base):
    """What an import did to one ticket, so the import can be undone: `previous_json` holds the
    ticket's row before an update (NULL for a ticket the import created)."""

    __tablename__ = "import_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id", ondelete="CASCADE"), index=True)
    ticket_id: Mapped[Optional[int]] = mapped_column(Integer)
    measurement_id: Mapped[Optional[int]] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))  # created | updated
    previous_json: Mapped[Optional[str]] = mapped_column(Text)


class Measurement(Base):
    """A KPI value for a period and a scope. scope_key is 'desk', 'team:<id>', 'technician:<id>' or
    'project:<name>'; segment is '' or a split such as 'P1' or 'incident'. `value` is in the KPI's
    own unit (percentage points for a '%' KPI; see kpidesk/units.py), like its target."""

    __tablename__ = "measurement"
    __table_args__ = (
        UniqueConstraint("kpi_id", "scope_key", "period", "segment", name="uq_measurement_key"),
        CheckConstraint("source IN ('computed','imported','manual')", name="source"),
        Index("ix_measurement_scope_period", "scope_key", "period"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    scope_key: Mapped[str] = mapped_column(String(250))
    period: Mapped[str] = mapped_column(String(10))  # 2026-03, 2026-Q1, 2026-W05
    period_start: Mapped[Optional[dt.date]] = mapped_column(Date)
    segment: Mapped[str] = mapped_column(String(20), default="")
    value: Mapped[Optional[float]] = mapped_column(Float)
    count: Mapped[Optional[int]] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10), default="manual")
    import_batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Review(Base):
    """A review opened when a KPI's latest value crossed its trigger."""

    __tablename__ = "review"
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"), index=True)
    scope_key: Mapped[str] = mapped_column(String(250), default="desk")
    segment: Mapped[str] = mapped_column(String(20), default="")
    period: Mapped[str] = mapped_column(String(10))
    value: Mapped[Optional[float]] = mapped_column(Float)
    rule: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    acknowledged_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    acknowledged_by: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # What was said about it in a check-in (issue 17: reviews on a technician's agenda), written back
    # when that check-in is signed.
    follow_up: Mapped[str] = mapped_column(Text, default="", server_default="")
    follow_up_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    follow_up_checkin_id: Mapped[Optional[int]] = mapped_column(ForeignKey("check_in.id", ondelete="SET NULL"))


class CheckIn(Base):
    """An appraisal check-in. Signed versions are read-only; a correction is a new version that
    points at the one it supersedes. `data_json` holds the steps' answers, `frozen_json` the
    numbers as they were at signing."""

    __tablename__ = "check_in"
    __table_args__ = (
        UniqueConstraint("technician_id", "period", "version", name="uq_check_in_version"),
        CheckConstraint("status IN ('draft','signed')", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("technician.id", ondelete="CASCADE"))
    role_profile_id: Mapped[Optional[int]] = mapped_column(ForeignKey("role_profile.id", ondelete="SET NULL"))
    period: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[Optional[int]] = mapped_column(ForeignKey("check_in.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    step: Mapped[int] = mapped_column(Integer, default=0)
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    frozen_json: Mapped[Optional[str]] = mapped_column(Text)
    overall_rating: Mapped[Optional[float]] = mapped_column(Float)
    manager_name: Mapped[str] = mapped_column(String(200), default="")
    manager_signed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    technician_ack_name: Mapped[str] = mapped_column(String(200), default="")
    technician_ack_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class SelfAssessment(Base):
    """A self-assessment form sent to a technician for a cycle's period, and what came back
    (kpidesk/appraisal/self_assessment.py). `form_id` is hidden in the .xlsx; `locked_digest` is the
    digest of its locked cells at sending, so a form altered outside its editable cells is refused.
    A form sent again replaces the earlier one (a new form_id): only the newest is accepted."""

    __tablename__ = "self_assessment"
    __table_args__ = (UniqueConstraint("technician_id", "period", name="uq_self_assessment_period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("technician.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))
    form_id: Mapped[str] = mapped_column(String(64), unique=True)
    locked_digest: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_file: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    received_file: Mapped[str] = mapped_column(String(500), default="")
    answers_json: Mapped[Optional[str]] = mapped_column(Text)


class PerformanceNote(Base):
    """A dated note in a technician's performance log between check-ins."""

    __tablename__ = "performance_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("technician.id", ondelete="CASCADE"), index=True)
    noted_on: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="note")  # praise | concern | training | note
    kpi_id: Mapped[Optional[int]] = mapped_column(ForeignKey("kpi.id", ondelete="SET NULL"))
    ticket_ref: Mapped[str] = mapped_column(String(100), default="")


class Annotation(Base):
    """A dated note on the data ("VPN rollout", "two people on leave"), drawn on the trend plots it
    touches and listed in the check-ins whose period it overlaps (kpidesk/annotations.py).

    `on` is the day it is about; `until` the last day of a span (NULL: that one day). kpi_id NULL:
    every KPI. scope_key '': everyone (every scope, the desk included); else 'desk', 'team:<id>',
    'technician:<id>', 'group:<name>' or 'project:<name>' (a plot of that scope only). The columns
    are on_date / until_date: ON is an SQL keyword."""

    __tablename__ = "annotation"
    __table_args__ = (
        CheckConstraint("until_date IS NULL OR until_date >= on_date", name="span"),
        Index("ix_annotation_on_date", "on_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    on: Mapped[dt.date] = mapped_column("on_date", Date)
    until: Mapped[Optional[dt.date]] = mapped_column("until_date", Date)
    text: Mapped[str] = mapped_column(Text)
    kpi_id: Mapped[Optional[int]] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"), index=True)
    scope_key: Mapped[str] = mapped_column(String(250), default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Setting(Base):
    """Database-scoped settings (e.g. SLA hours per priority tier, organisation name), JSON values."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value_json: Mapped[str] = mapped_column(Text)


class ColumnMapping(Base):
    """A column mapping the manager confirmed, remembered for files with the same headers."""

    __tablename__ = "column_mapping"
    id: Mapped[int] = mapped_column(primary_key=True)
    header_signature: Mapped[str] = mapped_column(String(64), unique=True)
    preset: Mapped[str] = mapped_column(String(50), default="")
    mapping_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
