"""Demo data: a believable small IT department, deterministic for a given seed and end date.

Two teams, eight technicians with different roles and different strengths, twelve months of
tickets (a few thousand) and project/infrastructure KPI values, so that every screen has something
real to show. The people are designed so that a fair check-in reads differently for each:
- Alex is fast but his first-contact resolution is low (speed may be costing quality);
- Marcus is slow on P1 infrastructure work but his quality is excellent;
- Tom improves steadily over the year;
- Lena is the L2 escalation destination (her escalation rate is context, not a rating);
- Chloe joined four months ago (thin data, with warnings).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from kpidesk.periods import month_key, period_containing
from kpidesk.records import Changes, MeasurementRecord, TechnicianRecord
from kpidesk.templates import KPI_TEMPLATES, start_with_templates
from kpidesk.tickets import ALL_FIELDS, derive, empty_row, to_iso

if TYPE_CHECKING:
    from kpidesk.store import Store

MANAGER = "Dana Whitfield"
PRIORITY_LABELS = {1: "1 - Critical", 2: "2 - High", 3: "3 - Moderate", 4: "4 - Low"}
# Typical calendar hours to resolve, by tier (before a person's own speed factor).
BASE_HOURS = {1: 2.0, 2: 4.5, 3: 12.0, 4: 36.0}


class Progress(Protocol):
    def set_status(self, text: str) -> None: ...
    def set_progress(self, done: int, total: int) -> None: ...
    def cancelled(self) -> bool: ...


@dataclass
class Persona:
    name: str
    aliases: tuple[str, ...]
    team: str
    role: str
    per_month: int  # tickets resolved per month
    speed: float  # multiplier on resolution time (<1 fast)
    fcr: float  # probability of no reassignment and no reopen
    csat: float  # mean survey score
    p1_share: float = 0.06
    infra: bool = False
    improving: bool = False
    escalation_destination: bool = False
    joined_months_ago: int | None = None
    p1_speed: float | None = None  # own multiplier for P1 work


PERSONAS = (
    Persona("Alex Morgan", ("amorgan", "Morgan, Alex"), "Service Desk", "Service desk L1", 60, 0.55, 0.58, 3.9),
    Persona("Priya Shah", ("pshah", "Shah, Priya"), "Service Desk", "Service desk L1", 48, 0.9, 0.82, 4.6),
    Persona("Tom Becker", ("tbecker", "Becker, Tom"), "Service Desk", "Service desk L1", 42, 1.3, 0.62, 4.0,
            improving=True),
    Persona("Lena Novak", ("lnovak", "Novak, Lena"), "Service Desk", "Service desk L2", 30, 1.1, 0.75, 4.4,
            p1_share=0.12, escalation_destination=True),
    Persona("Chloe Dubois", ("cdubois", "Dubois, Chloe"), "Service Desk", "Service desk L1", 36, 1.0, 0.72,
            4.3, joined_months_ago=4),
    Persona("Marcus Reid", ("mreid", "Reid, Marcus"), "Infrastructure & Security", "Infrastructure", 22, 1.0,
            0.9, 4.8, p1_share=0.2, infra=True, p1_speed=2.2),
    Persona("Sofia Alvarez", ("salvarez", "Alvarez, Sofia"), "Infrastructure & Security", "Site reliability",
            24, 0.85, 0.8, 4.4, p1_share=0.18, infra=True),
    Persona("Ken Watanabe", ("kwatanabe", "Watanabe, Ken"), "Infrastructure & Security", "Security", 16, 1.0,
            0.78, 4.3, p1_share=0.15, infra=True),
)

CATEGORIES_DESK = ("Access", "Email", "Hardware", "Software", "Printing", "Network")
CATEGORIES_INFRA = ("Server", "Network", "Storage", "Backup", "Security")
OBJECTIVES = {
    "Keep staff productive": ("mttr", "mttr_p1", "fcr", "escalation", "reopen", "backlog", "throughput"),
    "Users trust IT": ("csat", "sla"),
    "Protect the business": ("uptime", "change_failure", "patch_compliance"),
    "Deliver projects predictably": ("on_time", "budget_variance", "scope_creep", "velocity_variance",
                                     "defect_escape", "deploy_freq", "utilisation"),
}


def create_demo(store: "Store", seed: int = 7, today: dt.date | None = None,
                progress: Progress | None = None) -> Changes:
    """Fill `store` with the demo department. Refuses a database that already holds people, so demo
    data never mixes with real records. All or nothing: the department is built in a temporary file
    and copied in with SQLite's backup API (a shared database: kpidesk.copying, in one transaction)
    only when complete, so a cancel leaves `store` untouched."""
    import tempfile
    from pathlib import Path

    from kpidesk.backups import copy_into
    from kpidesk.errors import ValidationError
    from kpidesk.store import Store

    if store.list_technicians() or store.list_kpis():
        raise ValidationError({"database": "the database already has KPIs or people in it; demo data goes into "
                               "an empty database (File > Open database with a new file name, or "
                               "kpidesk --db NEW.db demo)"})
    with tempfile.TemporaryDirectory(prefix="kpidesk-demo-") as tmp:
        with Store.open(Path(tmp) / "demo.db") as scratch:
            _build(scratch, seed, today or dt.date.today(), progress)
            _status(progress, "Copying the demo department into your database")
            if store.shared:  # a server: every table copied in one transaction, verified
                from kpidesk.copying import copy_stores

                copy_stores(scratch, store)
            else:
                copy_into(scratch.path, store.path)
    return Changes(kpis=True, people=True, tickets=True, measurements=True, settings=True, checkins=True,
                   reviews=True)


def _build(store: "Store", seed: int, today: dt.date, progress: Progress | None) -> None:
    rng = random.Random(seed)
    end = dt.datetime.combine(today, dt.time(8, 0))
    start = dt.datetime.combine(period_containing(today, "month").start.replace(year=today.year - 1), dt.time())
    _status(progress, "Creating KPIs and role profiles")
    store.set_setting("organisation", "Northwind Facilities Ltd")
    start_with_templates(store, owner=MANAGER)
    _link_objectives(store)
    tech_ids = _create_people(store, today)
    _status(progress, "Generating tickets")
    rows = _tickets(rng, start, end, tech_ids, progress)
    _write_tickets(store, rows, progress)
    _project_values(store, rng, start, today)
    _status(progress, "Computing KPIs, baselines and reviews")
    _baselines_and_reviews(store, today)
    _status(progress, "Adding last quarter's check-ins")
    from kpidesk.appraisal_demo import add_demo_checkins

    add_demo_checkins(store, today)


def _baselines_and_reviews(store: "Store", today: dt.date) -> None:
    """What a manager does in the first week: compute, set baselines from the first half of the year
    (so the second half can drift from them), switch on the templates' relative triggers, check."""
    from kpidesk.errors import ValidationError
    from kpidesk.health import trigger_before_target
    from kpidesk.metrics.baseline import set_baseline
    from kpidesk.metrics.recompute import recompute
    from kpidesk.metrics.reviews import check_triggers

    recompute(store, today=today)
    before = (today.replace(day=1) - dt.timedelta(days=150)).replace(day=1)
    templates = {t.name: t for t in KPI_TEMPLATES.values()}
    infra = next(t.id for t in store.list_teams() if t.name == "Infrastructure & Security")
    for k in store.list_kpis():
        scope = {"Uptime": f"team:{infra}", "Patch compliance": f"team:{infra}", "Change failure rate": f"team:{infra}",
                 "On-time delivery rate": "project:Intranet migration", "Budget variance": "project:Intranet migration",
                 "Scope creep index": "project:Intranet migration"}.get(k.name, "desk")
        try:
            k, _ = set_baseline(store, k.id, before, periods=3, scope_key=scope)
        except ValidationError:
            continue  # nothing measured for it in the demo (deployments, defects...): stays a metric
        t = templates.get(k.name)
        if t is not None and t.trigger_kind == "relative" and k.trigger_kind is None:
            k.trigger_kind, k.trigger_value = t.trigger_kind, t.trigger_value
            if trigger_before_target(k) and k.baseline_value is not None:
                # As a manager would: the template's target was looser than what the desk already
                # does, so the target becomes the baseline (rounded), and the trigger lies beyond it.
                k.target_value = float(f"{k.baseline_value:.2g}")
            store.update_kpi(k)
    _backdate_targets(store, dt.datetime.combine(today.replace(year=today.year - 1, day=1), dt.time()))
    check_triggers(store, today)


def _backdate_targets(store: "Store", since: dt.datetime) -> None:
    """The demo's targets were set 'today', but its year of data is judged by the target in force in
    each period: say they have been in force since the demo year began."""
    from sqlalchemy import delete, select

    from kpidesk.catalog import TARGET_FIELDS
    from kpidesk.models import Kpi, KpiTarget

    with store.write() as s:
        s.execute(delete(KpiTarget))
        for k in s.scalars(select(Kpi)):
            if any(getattr(k, f) is not None for f in TARGET_FIELDS):
                s.add(KpiTarget(kpi_id=k.id, segment="", valid_from=since,
                                **{f: getattr(k, f) for f in TARGET_FIELDS}))


def _status(progress: Progress | None, text: str) -> None:
    if progress is not None:
        progress.set_status(text)
        if progress.cancelled():
            from kpidesk.errors import Cancelled

            raise Cancelled()


def _link_objectives(store: "Store") -> None:
    names = {KPI_TEMPLATES[k].name: obj for obj, keys in OBJECTIVES.items() for k in keys}
    created = {name: store.create_objective(name)[0].id for name in OBJECTIVES}
    for k in store.list_kpis():
        obj = names.get(k.name)
        if obj:
            k.objective_id = created[obj]
            k.target_period = k.target_period or "end of year"
            store.update_kpi(k)


def _create_people(store: "Store", today: dt.date) -> dict[str, int]:
    teams = {}
    for name, desc in (("Service Desk", "First and second line support"),
                       ("Infrastructure & Security", "Servers, network, security operations")):
        teams[name] = store.create_team(name, desc)[0].id
    roles = {r.name: r.id for r in store.list_role_profiles()}
    ids = {}
    for p in PERSONAS:
        joined = (today - dt.timedelta(days=30 * p.joined_months_ago) if p.joined_months_ago
                  else dt.date(today.year - 3, 9, 1))
        rec = TechnicianRecord(display_name=p.name, email=f"{p.aliases[0]}@northwind.example",
                               team_id=teams[p.team], role_profile_id=roles.get(p.role), active_from=joined,
                               escalation_destination=p.escalation_destination, aliases=list(p.aliases))
        ids[p.name] = store.create_technician(rec)[0].id
    return ids


def _tickets(rng: random.Random, start: dt.datetime, end: dt.datetime, tech_ids: dict[str, int],
             progress: Progress | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    span_days = (end - start).days
    number = 10000
    for p in PERSONAS:
        first_day = 0
        if p.joined_months_ago:
            first_day = max(0, span_days - 30 * p.joined_months_ago)
        n = int(p.per_month * (span_days - first_day) / 30.4)
        for _ in range(n):
            number += 1
            created = start + dt.timedelta(days=first_day + rng.random() * (span_days - first_day),
                                           hours=0)
            created = created.replace(hour=rng.choice((8, 9, 9, 10, 11, 13, 14, 15, 16)),
                                      minute=rng.randrange(60), second=rng.randrange(60))
            if created >= end:
                continue
            progress_frac = (created - start).days / max(1, span_days)  # 0 at start, 1 at end
            rows.append(_one_ticket(rng, p, number, created, end, progress_frac, tech_ids))
    rows.sort(key=lambda r: r["created_at"])
    return rows


def _one_ticket(rng: random.Random, p: Persona, number: int, created: dt.datetime, end: dt.datetime,
                frac: float, tech_ids: dict[str, int]) -> dict[str, Any]:
    r = rng.random()
    tier = 1 if r < p.p1_share else 2 if r < p.p1_share + 0.22 else 3 if r < 0.8 else 4
    speed, fcr, csat = p.speed, p.fcr, p.csat
    if p.improving:  # a year of coaching: slower and sloppier at the start, solid by the end
        speed *= 1.5 - 0.8 * frac
        fcr = min(0.9, fcr - 0.12 + 0.3 * frac)
        csat = min(4.8, csat - 0.3 + 0.8 * frac)
    if tier == 1 and p.p1_speed:
        speed *= p.p1_speed
    if (end - created).days < 55:  # an ERP roll-out since October: slower, more hand-offs: a drift to review
        speed *= 1.35
        fcr -= 0.1
    hours = max(0.15, rng.lognormvariate(0, 0.6) * BASE_HOURS[tier] * speed)
    if tier > 2 and rng.random() < 0.02:  # waiting on a vendor or the user: the backlog's long tail
        hours *= rng.uniform(3, 6)
    # Winter spike in one month for everyone: an anomaly the trend analysis should flag, not a drift.
    if created.month == 12 and created.day < 20:
        hours *= 1.6
    resolved = created + dt.timedelta(hours=hours)
    first_contact = rng.random() < fcr
    reassign = 0 if first_contact else rng.choice((0, 1, 1, 2))
    reopen = 0 if first_contact or reassign else 1
    if not first_contact and reassign == 0 and reopen == 0:
        reopen = 1
    is_open = resolved > end
    status = "In Progress" if is_open else rng.choice(("Resolved", "Closed", "Closed"))
    score = None
    if not is_open and rng.random() < 0.35:
        score = float(min(5, max(1, round(rng.gauss(csat - (0.6 if reopen else 0), 0.7)))))
    ticket_type = "request" if rng.random() < (0.15 if p.infra else 0.4) else "incident"
    row = empty_row(
        source_system="demo", external_id=f"INC{number:07d}", created_at=created,
        first_response_at=created + dt.timedelta(minutes=rng.randrange(3, 90)),
        resolved_at=None if is_open else resolved,
        closed_at=None if is_open or status != "Closed" else resolved + dt.timedelta(days=3),
        updated_at=min(end, resolved), priority_raw=PRIORITY_LABELS[tier], priority_tier=tier,
        ticket_type=ticket_type,
        category=rng.choice(CATEGORIES_INFRA if p.infra else CATEGORIES_DESK), status=status,
        status_category="open" if is_open else status.lower(),
        assignee=p.name, resolver="" if is_open else p.aliases[1], group_name=p.team,
        channel=rng.choice(("Phone", "Email", "Self-service", "Walk-in")), technician_id=tech_ids[p.name],
        reopen_count=reopen, reassignment_count=reassign, csat_score=score,
    )
    return derive(row)


DEMO_FILE = "Demo department (generated tickets)"


def _write_tickets(store: "Store", rows: list[dict[str, Any]], progress: Progress | None) -> None:
    """The tickets as one import on the Imports screen (which can undo it like any other), so a
    database holding a year of tickets never says 'No imports yet'."""
    cols = ", ".join(ALL_FIELDS) + ", import_batch_id"
    marks = ", ".join("?" for _ in ALL_FIELDS) + ", ?"
    with store.raw_write() as con:
        started = to_iso(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0))
        batch_id = con.execute(
            "INSERT INTO import_batch (kind, file_name, file_size, sha256, sheet, preset, source_system, mapping_json, "
            "created_count, updated_count, unchanged_count, rejected_count, rejected_json, started_at, finished_at) "
            "VALUES ('tickets', ?, 0, '', '', 'demo', 'demo', '{}', ?, 0, 0, 0, '[]', ?, ?)",
            (DEMO_FILE, len(rows), started, started)).lastrowid
        batch = 1000
        for i in range(0, len(rows), batch):
            _status(progress, f"Writing tickets {i + 1}-{min(len(rows), i + batch)} of {len(rows)}")
            if progress is not None:
                progress.set_progress(i, len(rows))
            con.executemany(f"INSERT INTO ticket ({cols}) VALUES ({marks})",
                            [tuple(to_iso(r[f]) for f in ALL_FIELDS) + (batch_id,) for r in rows[i:i + batch]])
        con.execute("INSERT INTO import_change (batch_id, ticket_id, action) "
                    "SELECT ?, id, 'created' FROM ticket WHERE import_batch_id = ?", (batch_id, batch_id))


def _project_values(store: "Store", rng: random.Random, start: dt.datetime, today: dt.date) -> None:
    """Monthly values for the KPIs that arrive as values, not tickets."""
    kpis = {k.name: k.id for k in store.list_kpis()}
    infra = next(t.id for t in store.list_teams() if t.name == "Infrastructure & Security")
    team = f"team:{infra}"
    series = {
        "On-time delivery rate": ("project:Intranet migration", lambda i: 70 + 2.2 * i + rng.gauss(0, 4)),
        "Budget variance": ("project:Intranet migration", lambda i: 8 - 1.0 * i + rng.gauss(0, 2)),
        "Scope creep index": ("project:Intranet migration", lambda i: 6 + 0.9 * i + rng.gauss(0, 1.5)),
        "Uptime": (team, lambda i: min(100.0, 99.85 + rng.gauss(0, 0.08))),
        "Patch compliance": (team, lambda i: min(100.0, 88 + 0.7 * i + rng.gauss(0, 2))),
        "Change failure rate": (team, lambda i: max(0.0, 14 - 0.6 * i + rng.gauss(0, 2))),
    }
    month = period_containing(start.date(), "month")
    records = []
    i = 0
    while month.end <= today:
        for name, (scope, fn) in series.items():
            if name in kpis:
                records.append(MeasurementRecord(kpi_id=kpis[name], scope_key=scope, period=month_key(month.start),
                                                 period_start=month.start, value=round(fn(i), 2), source="imported"))
        month, i = month.next(), i + 1
    store.add_measurements(records)
