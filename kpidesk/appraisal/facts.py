"""The facts of a check-in: the numbers it rests on, gathered from the metrics engine (issue 5, a-e).

    facts = gather(store, technician_id, "2026-Q3")

Rules kept here (the fair-appraisal rules of DESIGN.md):
- the technician is measured against the KPIs of their own role profile; the target is the role's
  own target, else the KPI's target in force at the end of the period, else its current target;
- own baseline: the mean of the person's values in up to 6 periods before this one, skipping periods
  resting on fewer than `min_count` tickets (setting); trend: the last 6 periods, this one included;
- thin data is said, not hidden: fewer than `min_count` tickets or survey responses in the period,
  fewer than 3 periods of history, a start date inside the period;
- MTTR is shown split by priority tier and by ticket type, and beside the MTTR the desk would expect
  for the tickets the person got (kpidesk.metrics.mix: the desk's medians by priority and category, a
  reference for the mix, not a colleague's numbers);
- team outcomes (KPIs of level 'team', backlog, team SLA compliance) are context and never rated; the
  escalation rate of an escalation destination is reported and never rated;
- no ranking against colleagues: nothing here reads another technician's numbers;
- context notes: the annotations overlapping the period for everyone, the technician, their team,
  and the desk's on a role KPI (kpidesk.annotations.checkin_annotations), never a colleague's.
KPIs whose values are entered rather than computed take the mean of the values recorded inside the
period (the person's own, or the team's for a team KPI).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import select, text

from kpidesk.annotations import checkin_annotations
from kpidesk.appraisal import readings as rd
from kpidesk.appraisal.model import ContextFact, Facts, KpiFact, SplitFact
from kpidesk.errors import NotFound
from kpidesk.metrics import mix as mix_rules  # a module import: mix.py imports appraisal.readings
from kpidesk.metrics.engine import compute
from kpidesk.metrics.model import TICKET_METRICS
from kpidesk.metrics.sql import PERIOD_COLUMN
from kpidesk.metrics.status import judge_period
from kpidesk.models import Kpi, Measurement, Technician
from kpidesk.periods import Period, parse_period, period_containing
from kpidesk.units import kpi_to_metric, metric_to_kpi
from kpidesk.wording import count as count_words

if TYPE_CHECKING:
    from kpidesk.store import Store

TREND_PERIODS = 6
BASELINE_PERIODS = 6
MIN_HISTORY = 3
Series = dict[tuple[str, str], dict[str, tuple[Optional[float], int]]]  # (metric, segment) -> period -> (v, n)


def window(period: Period, n: int) -> list[Period]:
    """The n periods ending with `period`, oldest first."""
    out = [period]
    while len(out) < n:
        out.insert(0, out[0].previous())
    return out


def period_label(p: Period) -> str:
    return f"{p.key} ({p.start:%d %b %Y} to {p.last_day:%d %b %Y})"


# Reading the database ---------------------------------------------------------------------------

def _people_and_kpis(store: "Store", technician_id: int) -> dict[str, Any]:
    """Everything about the technician and their role profile, as plain values (one short session)."""
    with store.read() as s:
        t = s.get(Technician, technician_id)
        if t is None:
            raise NotFound(f"There is no technician with id {technician_id}.")
        role = t.role_profile
        role_kpis = []
        for rk in role.kpis if role else []:
            k = rk.kpi
            role_kpis.append(dict(kpi_id=k.id, name=k.name, unit=k.unit, direction=k.direction, metric=k.metric,
                                  segment=k.segment or "", level=k.level, value_source=k.value_source,
                                  weight=rk.weight, role_target=rk.target_value, target=k.target_value,
                                  band=(k.band_low, k.band_high) if k.direction == "band" else None))
        # Catalogue KPIs by metric: where the readings find targets for metrics outside the role.
        by_metric: dict[str, dict[str, Any]] = {}
        for k in s.scalars(select(Kpi).where(Kpi.metric != "").order_by(Kpi.id)):
            by_metric.setdefault(f"{k.metric}/{k.segment or ''}", dict(kpi_id=k.id, unit=k.unit, target=k.target_value))
        return dict(name=t.display_name, team_id=t.team_id, team=t.team.name if t.team else "",
                    role_profile_id=t.role_profile_id, role=role.name if role else "", role_kpis=role_kpis,
                    destination=bool(t.escalation_destination), active_from=t.active_from, by_metric=by_metric)


def _series(rows: list[Any]) -> Series:
    out: Series = {}
    for r in rows:
        out.setdefault((r.kpi, r.segment or ""), {})[r.period] = (r.value, r.count)
    return out


def _entered_values(store: "Store", kpi_id: int, scope_key: str, periods: list[Period]) -> dict[str, tuple[float, int]]:
    """Mean of the values recorded for `scope_key` inside each period (any recording granularity)."""
    first, end = periods[0].start, periods[-1].end
    gran = periods[0].granularity
    sums: dict[str, list[float]] = {}
    with store.read() as s:
        rows = s.execute(select(Measurement.period, Measurement.period_start, Measurement.value).where(
            Measurement.kpi_id == kpi_id, Measurement.scope_key == scope_key, Measurement.segment == "",
            Measurement.value.is_not(None))).all()
    for key, start, value in rows:
        try:
            start = start or parse_period(key).start
        except ValueError:
            continue
        if first <= start < end:
            sums.setdefault(period_containing(start, gran).key, []).append(float(value))
    return {k: (sum(v) / len(v), len(v)) for k, v in sums.items()}


def _csat_by_escalation(store: "Store", technician_id: int, period: Period) -> dict[bool, tuple[Optional[float], int]]:
    """{escalated?: (mean CSAT, responses)} for the technician's tickets resolved in the period."""
    col = PERIOD_COLUMN[period.granularity]  # a fixed column expression, never user text
    sql = text(f"SELECT coalesce(escalated_eff, FALSE), avg(csat_score), count(csat_score) FROM ticket "
               f"WHERE technician_id = :t AND {col} = :p GROUP BY coalesce(escalated_eff, FALSE)")
    with store.read() as s:
        rows = s.execute(sql, {"t": technician_id, "p": period.key}).all()
    out: dict[bool, tuple[Optional[float], int]] = {True: (None, 0), False: (None, 0)}
    for esc, mean, n in rows:
        out[bool(esc)] = (mean, int(n))
    return out


# Assembly ---------------------------------------------------------------------------------------

def gather(store: "Store", technician_id: int, period: Period | str) -> Facts:
    """The live facts of a check-in for `technician_id` and `period` (a key such as '2026-Q3')."""
    p = period if isinstance(period, Period) else parse_period(period)
    min_count = int(store.get_setting("min_count") or 5)
    who = _people_and_kpis(store, technician_id)
    periods = window(p, BASELINE_PERIODS + 1)  # the baseline's periods, then this one
    scope = f"technician:{technician_id}"
    unsplit = _series(compute(store, scope_key=scope, granularity=p.granularity, first=periods[0], last=p))
    by_tier = _series(compute(store, scope_key=scope, granularity=p.granularity, first=periods[0], last=p,
                              split="priority"))
    by_type = _series(compute(store, scope_key=scope, granularity=p.granularity, first=p, last=p, split="type"))
    series = {**unsplit, **by_tier, **by_type}

    facts = Facts(technician_id=technician_id, technician=who["name"], period=p.key, period_label=period_label(p),
                  granularity=p.granularity, role_profile_id=who["role_profile_id"], role=who["role"],
                  team_id=who["team_id"], team=who["team"], escalation_destination=who["destination"],
                  computed_at=dt.datetime.now().replace(microsecond=0).isoformat(sep=" "))
    resolved = series.get(("resolved_count", ""), {})
    facts.tickets = int(resolved.get(p.key, (0, 0))[1])
    facts.csat_responses = int(series.get(("csat_mean", ""), {}).get(p.key, (None, 0))[1])
    facts.history_periods = sum(1 for q in periods if resolved.get(q.key, (0, 0))[1] > 0)
    facts.kpis = [_kpi_fact(store, rk, who, series, periods, min_count, technician_id) for rk in who["role_kpis"]]
    facts.mttr_by_priority = _splits(unsplit, by_tier, p, ("P1", "P2", "P3", "P4"), store, scope, "priority")
    facts.mttr_by_type = _splits(unsplit, by_type, p, ("incident", "request"), store, scope, "type")
    facts.warnings = _warnings(facts, who, p, min_count)
    _readings(store, facts, who, series, periods, min_count)
    facts.team_context = _team_context(store, who, p)
    facts.context_notes = [a.to_json() for a in checkin_annotations(
        store, technician_id, who["team_id"], [rk["kpi_id"] for rk in who["role_kpis"]], p.start, p.last_day)]
    return facts


def _kpi_fact(store: "Store", rk: dict[str, Any], who: dict[str, Any], series: Series, periods: list[Period],
              min_count: int, technician_id: int) -> KpiFact:
    p = periods[-1]
    fact = KpiFact(kpi_id=rk["kpi_id"], name=rk["name"], unit=rk["unit"], direction=rk["direction"],
                   metric=rk["metric"], segment=rk["segment"], level=rk["level"], weight=float(rk["weight"]),
                   band=tuple(rk["band"]) if rk["band"] and None not in rk["band"] else None)
    if rk["role_target"] is not None:
        fact.target = rk["role_target"]
    else:
        in_force = store.target_at(rk["kpi_id"], p.end_datetime, rk["segment"])
        fact.target = in_force.target_value if in_force and in_force.target_value is not None else rk["target"]
    if rk["value_source"] == "computed" and rk["metric"] in TICKET_METRICS:
        raw = series.get((rk["metric"], rk["segment"]), {})
        values = {k: (metric_to_kpi(rk["metric"], rk["unit"], v), n) for k, (v, n) in raw.items()}
    else:
        scope = f"team:{who['team_id']}" if rk["level"] == "team" else f"technician:{technician_id}"
        values = _entered_values(store, rk["kpi_id"], scope, periods)
        values = {k: (v, min_count) for k, (v, _n) in values.items()}  # a recorded value is not thin
    value, count = values.get(p.key, (None, 0))
    fact.value, fact.count = value, count
    kpi = store.get_kpi(rk["kpi_id"])
    if kpi.bands:  # its act line as the KPI judges the period (the person is judged by the role's target)
        fact.bands = True
        fact.act = judge_period(kpi, store.target_history(kpi.id), p, value, rk["segment"]).limits  # type: ignore[arg-type]
    before = [v for q in periods[:-1] if (v := values.get(q.key, (None, 0)))[0] is not None and v[1] >= min_count]
    if before:
        fact.baseline = sum(v for v, _ in before) / len(before)
        fact.baseline_periods = len(before)
    fact.trend = [(q.key, values.get(q.key, (None, 0))[0]) for q in periods[-TREND_PERIODS:]]
    notes = []
    if rk["level"] == "team":
        fact.rated = False
        notes.append("Team outcome: context, never part of the individual's rating.")
    if rk["metric"] == "escalation_rate" and who["destination"]:
        fact.rated = False
        notes.append("Escalation destination: reported, not rated.")
    if value is None:
        notes.append("No data for this period: nothing to rate." if fact.rated else "No data for this period.")
    elif count < min_count:
        fact.thin = True
        notes.append(f"Rests on only {count_words(count, 'ticket')}.")
    if value is not None and fact.baseline_periods < MIN_HISTORY:
        notes.append(f"Baseline from {count_words(fact.baseline_periods, 'earlier period')} only." if fact.baseline_periods
                     else "No earlier periods: no own baseline yet.")
    fact.note = " ".join(notes)
    return fact


def _splits(unsplit: Series, split: Series, p: Period, segments: tuple[str, ...], store: "Store", scope: str,
            kind: str) -> list[SplitFact]:
    out = []
    for seg in segments:
        v, n = split.get(("mttr_hours", seg), {}).get(p.key, (None, 0))
        out.append(SplitFact(seg, v, count=int(n)))
    # The median and p90 per segment come from one percentile pass for this period only.
    rows = compute(store, scope_key=scope, granularity=p.granularity, first=p, last=p, split=kind,
                   metrics=["mttr_hours"], percentiles=True)
    extra = {r.segment: r.extra for r in rows}
    for s in out:
        s.median = extra.get(s.segment, {}).get("median")
        s.p90 = extra.get(s.segment, {}).get("p90")
    return out


def _warnings(facts: Facts, who: dict[str, Any], p: Period, min_count: int) -> list[str]:
    out = []
    if facts.tickets < min_count:
        out.append(f"Only {count_words(facts.tickets, 'ticket')} resolved in {p.key}: the numbers are indicative.")
    if facts.csat_responses < min_count:
        out.append(f"Only {count_words(facts.csat_responses, 'survey response')} in {p.key}: CSAT is indicative.")
    if facts.history_periods < MIN_HISTORY:
        out.append(f"Only {count_words(facts.history_periods, 'period')} with tickets in the last {BASELINE_PERIODS + 1}: "
                   "the own baseline and the trend are thin.")
    start = who["active_from"]
    if start is not None and start > p.start - dt.timedelta(days=183):
        out.append(f"Started on {start:%d %b %Y}: a new starter, so judge the trend more than the level.")
    if not who["role_kpis"]:
        out.append("No role profile (or an empty one): there are no role KPIs to review.")
    return out


def _target(who: dict[str, Any], metric: str, segment: str = "") -> tuple[Optional[float], str]:
    """(target as a metric value, unit) for `metric`: the role's KPI first, else the catalogue's."""
    for rk in who["role_kpis"]:
        if rk["metric"] == metric and rk["segment"] == segment:
            t = rk["role_target"] if rk["role_target"] is not None else rk["target"]
            return kpi_to_metric(metric, rk["unit"], t), rk["unit"]
    k = who["by_metric"].get(f"{metric}/{segment}")
    return (kpi_to_metric(metric, k["unit"], k["target"]), k["unit"]) if k else (None, "")


def _figure(series: Series, metric: str, segment: str, periods: list[Period], target: Optional[float],
            min_count: int) -> rd.Figure:
    values = series.get((metric, segment), {})
    v, n = values.get(periods[-1].key, (None, 0))
    prev = values.get(periods[-2].key, (None, 0)) if len(periods) > 1 else (None, 0)
    before = [x for q in periods[:-1] if (x := values.get(q.key, (None, 0)))[0] is not None and x[1] >= min_count]
    base = sum(x for x, _ in before) / len(before) if before else None
    return rd.Figure(v, target, base, prev[0] if prev[1] >= min_count else None, int(n),
                     previous_count=int(prev[1] or 0))


def _readings(store: "Store", facts: Facts, who: dict[str, Any], series: Series, periods: list[Period],
              min_count: int) -> None:
    # The speed figure is the role's MTTR KPI (e.g. MTTR P1 for infrastructure), else overall MTTR.
    speed_seg = next((rk["segment"] for rk in who["role_kpis"] if rk["metric"] == "mttr_hours"), "")
    label = f"MTTR {speed_seg}".strip()
    mttr = _figure(series, "mttr_hours", speed_seg, periods, _target(who, "mttr_hours", speed_seg)[0], min_count)
    fcr = _figure(series, "fcr_rate", "", periods, _target(who, "fcr_rate")[0], min_count)
    sla = _figure(series, "sla_compliance", "", periods, _target(who, "sla_compliance")[0], min_count)
    csat = _figure(series, "csat_mean", "", periods, _target(who, "csat_mean")[0], min_count)
    resp = series.get(("csat_response_rate", ""), {}).get(periods[-1].key, (None, 0))[0]
    esc = _figure(series, "escalation_rate", "", periods, _target(who, "escalation_rate")[0], min_count)
    by_esc = _csat_by_escalation(store, facts.technician_id, periods[-1])
    esc_csat = rd.Figure(by_esc[True][0], count=by_esc[True][1])
    other_csat = rd.Figure(by_esc[False][0], count=by_esc[False][1])
    mix = mix_rules.mix_for(store, facts.technician_id, periods[-1], min_count=min_count)
    facts.readings = [rd.speed_vs_quality(mttr, fcr, label=label, min_count=min_count, mix=mix),
                      rd.sla_vs_csat(sla, csat, response_rate=resp, min_count=min_count)]
    facts.escalation = rd.escalation_reading(esc, esc_csat, other_csat, destination=who["destination"],
                                             name=who["name"], min_count=min_count)
    facts.figures = {"speed_label": label, "mttr": vars(mttr), "fcr": vars(fcr), "sla": vars(sla),
                     "csat": vars(csat), "csat_response_rate": resp, "escalation": vars(esc),
                     "csat_escalated": vars(esc_csat), "csat_other": vars(other_csat),
                     "mix": mix.to_json()}  # absent from check-ins frozen before issue 16


def _team_context(store: "Store", who: dict[str, Any], p: Period) -> list[ContextFact]:
    if who["team_id"] is None:
        return []
    rows = compute(store, scope_key=f"team:{who['team_id']}", granularity=p.granularity, first=p.previous(), last=p,
                   metrics=["backlog_open", "sla_compliance"], percentiles=False)
    v = {(r.kpi, r.period): r.value for r in rows}
    prev = p.previous().key
    team = who["team"]
    sla_now, sla_before = v.get(("sla_compliance", p.key)), v.get(("sla_compliance", prev))
    return [
        ContextFact(f"Backlog of {team} (open at the period's end)", "tickets", v.get(("backlog_open", p.key)),
                    v.get(("backlog_open", prev)), "Team outcome, shown as context; not part of the rating."),
        ContextFact(f"SLA compliance of {team}", "%", None if sla_now is None else sla_now * 100,
                    None if sla_before is None else sla_before * 100,
                    "Team outcome, shown as context; not part of the rating."),
    ]
