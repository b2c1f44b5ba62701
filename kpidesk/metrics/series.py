"""Plot- and card-ready data: plain lists per period, epoch seconds for a DateAxisItem, statuses and
anomaly flags beside the values, so ui/ draws and never computes (HOUSE-STYLE 22)."""
from __future__ import annotations

import calendar
import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from kpidesk.metrics import sql
from kpidesk.metrics.engine import compute_all, period_range
from kpidesk.metrics.kpi_values import kpi_values
from kpidesk.metrics.model import Scope, as_period, granularity_of, split_of_segment
from kpidesk.metrics.reviews import scope_label
from kpidesk.metrics.status import judge_period
from kpidesk.metrics.trend import analyse
from kpidesk.periods import Period, period_containing
from kpidesk.signals import Signal, change_phrase, signal, trend_of_label
from kpidesk.units import metric_to_kpi

if TYPE_CHECKING:
    from kpidesk.records import KpiRecord, TargetRecord
    from kpidesk.store import Store


@dataclass
class PlotSeries:
    """One KPI for one scope and segment, period by period, in the KPI's unit. Lists are aligned."""

    kpi_id: int
    name: str
    unit: str
    direction: str
    scope_key: str
    scope_label: str
    segment: str
    granularity: str
    periods: list[str] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)  # epoch seconds (UTC midnight of each period's start)
    values: list[float | None] = field(default_factory=list)
    counts: list[int | None] = field(default_factory=list)
    statuses: list[str | None] = field(default_factory=list)  # on_target | off_target | triggered | None
    anomalies: list[bool] = field(default_factory=list)
    rolling: list[float | None] = field(default_factory=list)
    fitted: list[float | None] = field(default_factory=list)
    targets: list[float | None] = field(default_factory=list)  # the target in force in each period
    trigger_low: list[float | None] = field(default_factory=list)  # triggered below this
    trigger_high: list[float | None] = field(default_factory=list)  # triggered above this
    team_median: list[float | None] | None = None  # technicians only, when asked
    baseline: float | None = None
    target: float | None = None  # in force in the last period
    band: tuple[float, float] | None = None
    threshold: tuple[float | None, float | None] = (None, None)  # trigger limits in the last period
    trend: str = "unknown"  # improving | declining | flat | unknown
    slope: float | None = None
    projected_period: str | None = None
    min_count: int = 5
    bands: bool = False  # three bands (on target / watch / act) in place of one trigger line


def epoch(d: dt.date) -> float:
    return float(calendar.timegm(d.timetuple()))


def default_periods(granularity: str, n: int, today: dt.date | None = None) -> list[Period]:
    """The last n full periods before today."""
    last = period_containing(today or dt.date.today(), granularity).previous()
    out = [last]
    while len(out) < n:
        out.insert(0, out[0].previous())
    return out


def kpi_series(store: "Store", kpi_id: int, scope_key: str = "desk", segment: str | None = None,
               first: Period | str | None = None, last: Period | str | None = None, n: int = 12,
               granularity: str | None = None, today: dt.date | None = None, compare_team: bool = False,
               trend_periods: int = 6, label: str | None = None) -> PlotSeries:
    """The series a trend plot draws: the KPI by its cadence (or `granularity`) over first..last, else
    the last n full periods before today."""
    kpi = store.get_kpi(kpi_id)
    gran = granularity or granularity_of(kpi.cadence)
    periods = period_range(first, last, gran) if first is not None else default_periods(gran, n, today)
    seg = kpi.segment if segment is None else segment
    vals = kpi_values(store, kpi, periods, scope_key, seg)
    history = store.target_history(kpi_id)
    out = PlotSeries(kpi_id=kpi_id, name=kpi.name, unit=kpi.unit, direction=kpi.direction, scope_key=scope_key,
                     scope_label=label if label is not None else scope_label(store, scope_key),
                     segment=seg, granularity=gran,
                     baseline=kpi.baseline_value, min_count=int(store.get_setting("min_count") or 5),
                     bands=kpi.bands)
    _fill(out, kpi, history, periods, vals, seg, trend_periods)
    if compare_team and kpi.value_source == "computed" and scope_key.startswith("technician:"):
        out.team_median = _team_median(store, kpi.metric, kpi.unit, seg, periods, Scope.parse(scope_key).id)
    return out


def _fill(out: PlotSeries, kpi: KpiRecord, history: list[TargetRecord], periods: list[Period],
          vals: dict[str, tuple[float | None, int | None]], seg: str, trend_periods: int = 6) -> PlotSeries:
    """Judge each period's value by the target in force then, and read the trend: what a plot and a
    card both show, from values however they were read (live, or stored for many scopes at once)."""
    for p in periods:
        value, count = vals.get(p.key, (None, None))
        j = judge_period(kpi, history, p, value, seg)
        out.periods.append(p.key)
        out.starts.append(epoch(p.start))
        out.values.append(value)
        out.counts.append(count)
        out.statuses.append(j.status)
        out.targets.append(j.target)
        out.trigger_low.append(j.limits[0])
        out.trigger_high.append(j.limits[1])
        out.target, out.band, out.threshold = j.target, j.band, j.limits
    t = analyse(periods, out.values, kpi.direction, out.target, out.band, last_n=trend_periods)
    out.anomalies, out.rolling, out.fitted = t.anomalies, t.rolling, t.fitted
    out.trend, out.slope, out.projected_period = t.label, t.slope, t.projected_period
    return out


def _team_median(store: "Store", metric: str, unit: str, seg: str, periods: list[Period],
                 tech_id: int | None) -> list[float | None] | None:
    team_id = store.get_technician(tech_id).team_id if tech_id else None  # type: ignore[arg-type]
    if team_id is None:
        return None
    members = {t.id for t in store.list_technicians(team_id)}
    rows = compute_all(store, granularity=periods[0].granularity, first=periods[0], last=periods[-1],
                       split=split_of_segment(seg), metrics=[metric], scopes=("technician",))
    by_period: dict[str, list[float]] = {}
    for v in rows:
        if v.scope_id in members and v.kpi == metric and v.segment == (seg or None) and v.value is not None:
            by_period.setdefault(v.period, []).append(metric_to_kpi(metric, unit, v.value))  # type: ignore[arg-type]
    return [statistics.median(by_period[p.key]) if p.key in by_period else None for p in periods]


# ------------------------------------------------------------------ speed against quality

@dataclass
class ScatterPoint:
    technician_id: int
    name: str
    team_id: int | None
    resolved: int
    mttr_hours: float | None
    fcr_rate: float | None  # fractions, as the engine gives them
    sla_compliance: float | None
    csat_mean: float | None
    escalation_destination: bool = False
    # Mix-adjusted speed (kpidesk.metrics.mix): MTTR / the MTTR expected for the tickets they got;
    # None where it rests on fewer tickets than the minimum count.
    mix_ratio: float | None = None
    mix_expected: float | None = None


@dataclass
class ScatterData:
    period: str
    points: list[ScatterPoint]
    medians: dict[str, float | None]  # per axis, for the quadrant lines


def speed_quality(store: "Store", period: Period | str, team_id: int | None = None) -> ScatterData:
    """Per technician, MTTR against first-contact resolution and SLA against CSAT, for one period."""
    p = as_period(period)
    axes = ("mttr_hours", "fcr_rate", "sla_compliance", "csat_mean", "resolved_count")
    rows = compute_all(store, granularity=p.granularity, first=p, metrics=axes, scopes=("technician",))
    techs = {t.id: t for t in store.list_technicians(team_id)}
    got: dict[int, dict[str, float | None]] = {}
    for v in rows:
        if v.scope_id in techs:
            got.setdefault(v.scope_id, {})[v.kpi] = v.value  # type: ignore[index]
    from kpidesk.metrics.mix import mix_all  # the window read only when a quadrant is drawn

    mix = mix_all(store, p)
    judged = {tid: f for tid, f in mix.items() if f.ratio is not None and f.count >= f.min_count}
    points = [ScatterPoint(technician_id=tid, name=techs[tid].display_name, team_id=techs[tid].team_id,
                           resolved=int(vals.get("resolved_count") or 0), mttr_hours=vals.get("mttr_hours"),
                           fcr_rate=vals.get("fcr_rate"), sla_compliance=vals.get("sla_compliance"),
                           csat_mean=vals.get("csat_mean"),
                           escalation_destination=techs[tid].escalation_destination,
                           mix_ratio=judged[tid].ratio if tid in judged else None,
                           mix_expected=judged[tid].expected if tid in judged else None)
              for tid, vals in sorted(got.items(), key=lambda kv: techs[kv[0]].display_name)]
    medians = {}
    for axis in (*axes[:4], "mix_ratio"):
        present = [getattr(pt, axis) for pt in points if getattr(pt, axis) is not None]
        medians[axis] = statistics.median(present) if present else None
    return ScatterData(period=p.key, points=points, medians=medians)


# ------------------------------------------------------------------ dashboard cards

@dataclass
class KpiCard:
    kpi_id: int
    name: str
    unit: str
    direction: str
    period: str  # the KPI's own period (by its cadence) shown on the card
    value: float | None
    count: int | None
    status: str | None
    target: float | None
    band: tuple[float, float] | None
    trend: str
    sparkline: list[float | None]
    few: bool  # the value rests on fewer tickets than the min_count setting: grey it out
    rated: bool  # False for team outcomes (never used to rate a person)
    metric: str = ""  # the ticket metric of a computed KPI (what its count counts: COUNT_NOUNS)
    slope: float | None = None  # the trend line's slope per period (its sign: which way the value moves)
    # Period over period: the previous period's value and the same period a year earlier.
    previous: tuple[str, float | None] | None = None
    year_ago: tuple[str, float | None] | None = None
    bands: bool = False  # judged in three bands: its words are On target / Watch / Act
    mix: str = ""  # an MTTR card of a technician: the mix-adjusted speed (kpidesk.metrics.mix.short_words)

    @property
    def signal(self) -> "Signal":
        """The status as every surface words it (kpidesk.signals)."""
        return signal(self.status, self.value, few=self.few, bands=self.bands)

    @property
    def trend_words(self) -> str:
        return trend_of_label(self.trend, self.slope)

    def change_words(self, against: tuple[str, float | None] | None) -> str:
        if against is None:
            return ""
        return change_phrase(self.value, against[1], against[0], self.direction, self.unit, self.band)


def dashboard_cards(store: "Store", scope_key: str = "desk", period: Period | str | None = None,
                    today: dt.date | None = None, n_spark: int = 8, only: int | None = None) -> list[KpiCard]:
    """A card per KPI that has a value source for the scope, for the last full period of its cadence
    that ends by the end of `period` (default: before today), its values worked out live. `only`: that
    KPI's card alone."""
    end = as_period(period).end if period is not None else (today or dt.date.today())
    cards = []
    cached = store if isinstance(store, _ReadOnce) else _ReadOnce(store)
    label = scope_label(store, scope_key)
    store = cached  # type: ignore[assignment]
    for k in cached.kpis:
        if only is not None and k.id != only:
            continue
        if k.value_source == "computed" and not (scope_key == "desk"
                                                 or scope_key.startswith(("team:", "technician:", "group:"))):
            continue
        gran = granularity_of(k.cadence)
        last = period_containing(end, gran).previous()
        s = kpi_series(store, k.id, scope_key, first=_back(last, n_spark), last=last, label=label)  # type: ignore[arg-type]
        if k.value_source != "computed" and all(v is None for v in s.values):
            continue  # typed in, or worked out from others, and nothing for this scope: no empty card
        mix = ""
        if scope_key.startswith("technician:") and k.value_source == "computed" and k.metric == "mttr_hours" \
                and not k.segment:
            from kpidesk.metrics.mix import mix_for, short_words

            mix = short_words(mix_for(store, Scope.parse(scope_key).id, last))  # type: ignore[arg-type]
        year = year_before(last)
        year_value = kpi_values(store, k, [year], scope_key).get(year.key, (None, None))[0]  # type: ignore[arg-type]
        cards.append(_card(k, s, (year.key, year_value), mix))
    return cards


def _card(k: KpiRecord, s: PlotSeries, year_ago: tuple[str, float | None], mix: str) -> KpiCard:
    return KpiCard(kpi_id=k.id, name=k.name, unit=k.unit, direction=k.direction, period=s.periods[-1],  # type: ignore[arg-type]
                   value=s.values[-1], count=s.counts[-1], status=s.statuses[-1], target=s.target,
                   band=s.band, trend=s.trend, sparkline=s.values,
                   few=s.counts[-1] is not None and s.counts[-1] < s.min_count,
                   rated=k.level != "team", metric=k.metric if k.value_source == "computed" else "",
                   slope=s.slope, previous=(s.periods[-2], s.values[-2]) if len(s.periods) > 1 else None,
                   year_ago=year_ago, bands=k.bands, mix=mix)


def cards_for_scopes(store: "Store", scopes: Sequence[str], period: Period | str | None = None,
                     today: dt.date | None = None, n_spark: int = 8) -> dict[str, list[KpiCard]]:
    """dashboard_cards() for many scopes at once, from the stored values (kept true by every action,
    kpidesk/metrics/recompute.py) read in one SELECT and grouped in memory: the dashboard reads ahead
    every scope of a period this way (issue 19: 48 statements per scope before). A formula KPI is
    worked out per scope as dashboard_cards() does; a test holds the two equal for every scope."""
    from kpidesk.metrics.mix import mix_all, short_words

    end = as_period(period).end if period is not None else (today or dt.date.today())
    cached = _ReadOnce(store)
    min_count = int(cached.get_setting("min_count") or 5)
    plans = []  # (kpi, its periods, the year-ago period)
    for k in cached.kpis:
        last = period_containing(end, granularity_of(k.cadence)).previous()
        plans.append((k, period_range(_back(last, n_spark), last, last.granularity), year_before(last)))
    keys = sorted({p.key for _k, ps, y in plans for p in (*ps, y)})
    stored: dict[tuple[int, str, str], dict[str, tuple[float | None, int | None]]] = {}
    with sql.connection(store) as con:
        marks = ",".join("?" * len(keys))
        for kpi_id, scope, key, segment, value, count in con.execute(
                f"SELECT kpi_id, scope_key, period, segment, value, count FROM measurement WHERE period IN ({marks})",
                keys):
            stored.setdefault((kpi_id, scope, segment or ""), {})[key] = (value, count)
    mixes: dict[str, dict[int, object]] = {}
    out: dict[str, list[KpiCard]] = {}
    for scope in scopes:
        tickets_scope = scope == "desk" or scope.startswith(("team:", "technician:", "group:"))
        cards = out[scope] = []
        for k, periods, year in plans:
            if k.value_source == "computed" and not tickets_scope:
                continue
            if k.value_source == "formula":
                one = dashboard_cards(cached, scope, period, today=today, n_spark=n_spark, only=k.id)  # type: ignore[arg-type]
                cards.extend(one)
                continue
            vals = stored.get((k.id, scope, k.segment if k.value_source == "computed" else ""), {})
            if k.value_source == "entered":
                vals = stored.get((k.id, scope, ""), {})
                if not any(vals.get(p.key, (None,))[0] is not None for p in periods):
                    continue
            s = _fill(PlotSeries(kpi_id=k.id, name=k.name, unit=k.unit, direction=k.direction, scope_key=scope,  # type: ignore[arg-type]
                                 scope_label=scope, segment=k.segment, granularity=periods[0].granularity,
                                 baseline=k.baseline_value, min_count=min_count, bands=k.bands),
                      k, cached.target_history(k.id), periods, {p: v for p, v in vals.items() if v[0] is not None},
                      k.segment)
            mix = ""
            if scope.startswith("technician:") and k.value_source == "computed" and k.metric == "mttr_hours" \
                    and not k.segment:
                last = periods[-1]
                if last.key not in mixes:
                    mixes[last.key] = mix_all(store, last)  # type: ignore[assignment]
                fig = mixes[last.key].get(Scope.parse(scope).id)
                mix = short_words(fig) if fig is not None else ""  # type: ignore[arg-type]
            cards.append(_card(k, s, (year.key, vals.get(year.key, (None, None))[0]), mix))
    return out


def year_before(p: Period) -> Period:
    """The same period a year earlier: the same month or quarter, the week 52 weeks back."""
    if p.granularity == "week":
        return period_containing(p.start - dt.timedelta(weeks=52), "week")
    return period_containing(p.start.replace(year=p.start.year - 1), p.granularity)


def _back(p: Period, n: int) -> Period:
    for _ in range(n - 1):
        p = p.previous()
    return p


class _ReadOnce:
    """The store as dashboard_cards sees it: every KPI, target history and setting read once for
    the whole set of cards instead of once per card (those small ORM reads were ~70 % of a switch).
    Everything else goes to the real store."""

    def __init__(self, store: "Store") -> None:
        self._store = store
        self.kpis = store.list_kpis()
        self._by_id = {k.id: k for k in self.kpis}
        self._history = store.target_histories()
        self._settings: dict[str, object] = {}

    def get_kpi(self, kpi_id: int) -> KpiRecord:
        found = self._by_id.get(kpi_id)
        return found if found is not None else self._store.get_kpi(kpi_id)

    def target_history(self, kpi_id: int) -> list[TargetRecord]:
        return self._history.get(kpi_id, [])

    def get_setting(self, key: str) -> object:
        if key not in self._settings:
            self._settings[key] = self._store.get_setting(key)
        return self._settings[key]

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)
