"""Plain dataclasses the service API hands out and takes in. ORM objects never leave the core,
so screens and scripts can hold these across threads and sessions safely."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional, TypeVar

T = TypeVar("T")


def from_orm(cls: type[T], obj: Any, **extra: Any) -> T:
    """Build record `cls` from an ORM object, taking each field the object has an attribute for."""
    values = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in extra:
            values[f.name] = extra[f.name]
        elif hasattr(obj, f.name):
            values[f.name] = getattr(obj, f.name)
    return cls(**values)


@dataclass
class KpiRecord:
    name: str
    id: Optional[int] = None
    description: str = ""
    category: str = "service desk"
    unit: str = ""
    direction: str = "higher"
    target_value: Optional[float] = None
    band_low: Optional[float] = None
    band_high: Optional[float] = None
    target_date: Optional[dt.date] = None
    target_period: str = ""
    baseline_value: Optional[float] = None
    baseline_from: Optional[dt.date] = None
    baseline_to: Optional[dt.date] = None
    baseline_periods: Optional[int] = None
    trigger_kind: Optional[str] = None
    trigger_value: Optional[float] = None
    bands: bool = False  # judged in three bands (on target / watch / act) in place of one trigger line
    cadence: Optional[str] = None
    owner: str = ""
    leading: bool = False
    level: str = "individual"
    objective_id: Optional[int] = None
    objective_name: str = ""
    paired_kpi_id: Optional[int] = None
    paired_kpi_name: str = ""
    data_source: str = ""
    measurement_method: str = ""
    value_source: str = "entered"
    metric: str = ""
    segment: str = ""
    formula: str = ""

    @property
    def has_target(self) -> bool:
        if self.direction == "band":
            return self.band_low is not None and self.band_high is not None
        return self.target_value is not None

    @property
    def has_trigger(self) -> bool:
        return self.trigger_kind is not None and self.trigger_value is not None

    @property
    def is_kpi(self) -> bool:
        """A metric becomes a KPI when it has an owner, a target and a trigger (DESIGN.md)."""
        return bool(self.owner.strip()) and self.has_target and self.has_trigger

    @property
    def kind_label(self) -> str:
        return "KPI" if self.is_kpi else "metric"

    def editable_fields(self) -> dict[str, Any]:
        skip = {"id", "objective_name", "paired_kpi_name"}
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in skip}


@dataclass
class TargetRecord:
    kpi_id: int
    segment: str
    target_value: Optional[float]
    band_low: Optional[float]
    band_high: Optional[float]
    trigger_kind: Optional[str]
    trigger_value: Optional[float]
    valid_from: dt.datetime
    valid_to: Optional[dt.datetime]
    id: Optional[int] = None


@dataclass
class ObjectiveRecord:
    name: str
    description: str = ""
    id: Optional[int] = None


@dataclass
class TeamRecord:
    name: str
    description: str = ""
    id: Optional[int] = None
    member_count: int = 0


@dataclass
class RoleKpiRecord:
    kpi_id: int
    kpi_name: str = ""
    primary: bool = True
    weight: float = 1.0
    target_value: Optional[float] = None


@dataclass
class RoleProfileRecord:
    name: str
    description: str = ""
    id: Optional[int] = None
    kpis: list[RoleKpiRecord] = field(default_factory=list)


@dataclass
class TechnicianRecord:
    display_name: str
    id: Optional[int] = None
    email: str = ""
    team_id: Optional[int] = None
    team_name: str = ""
    role_profile_id: Optional[int] = None
    role_profile_name: str = ""
    active_from: Optional[dt.date] = None
    active_to: Optional[dt.date] = None
    escalation_destination: bool = False
    aliases: list[str] = field(default_factory=list)


@dataclass
class MeasurementRecord:
    kpi_id: int
    scope_key: str
    period: str
    value: Optional[float]
    count: Optional[int] = None
    segment: str = ""
    source: str = "manual"
    period_start: Optional[dt.date] = None
    import_batch_id: Optional[int] = None
    id: Optional[int] = None


@dataclass
class Changes:
    """What a mutating Store call changed, so each screen refreshes only when its data did
    (the pattern of Anki's OpChanges)."""

    kpis: bool = False
    people: bool = False
    tickets: bool = False
    measurements: bool = False
    reviews: bool = False
    checkins: bool = False
    imports: bool = False
    settings: bool = False
    annotations: bool = False  # dated notes drawn on the plots and listed in the check-ins

    def __or__(self, other: "Changes") -> "Changes":
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name)
                          for f in dataclasses.fields(self)})

    def any(self) -> bool:
        return any(getattr(self, f.name) for f in dataclasses.fields(self))
