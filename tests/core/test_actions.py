"""Issue 14: after every action, the stored values equal a fresh computation over the whole database.

`assert_fresh` copies the database (kpidesk.copying, from a file or a server), recomputes every computed KPI value
from all the tickets and checks every trigger in the copy, and compares: the stored values (each
KPI, scope, period, segment: value and count) and the reviews (no trigger crossed without its
review) must be the same. Each test runs one action on a copy of the demo database, then asserts.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from kpidesk import actions, copying
from kpidesk.metrics.engine import compute
from kpidesk.metrics.recompute import recompute
from kpidesk.metrics.reviews import check_triggers, list_reviews
from kpidesk.appraisal import NoteRecord
from kpidesk.records import KpiRecord, TechnicianRecord
from kpidesk.store import Store
from tests.conftest import DEMO_TODAY as TODAY
from tests.import_samples import write_csv

HEAD = ["Number", "Opened", "Resolved", "Priority", "Assigned to", "Assignment group", "State"]
ZD_HEAD = ["Id", "Assignee", "Group", "Status", "Priority", "Created at", "Solved at", "Satisfaction Score"]


def _stored(store: Store) -> tuple[dict[tuple, tuple], set[tuple]]:
    with store.read() as session:
        values = {(k, sc, p, sg): (v, c) for k, sc, p, sg, v, c in session.execute(text(
            "SELECT kpi_id, scope_key, period, segment, value, count FROM measurement WHERE source = 'computed'"))}
        reviews = {tuple(r) for r in session.execute(text("SELECT kpi_id, scope_key, period, segment FROM review"))}
    return values, reviews


def assert_fresh(store: Store, tmp_path: Path, today: dt.date = TODAY) -> None:
    """The stored values and reviews of `store` are what a full recompute and check would give."""
    scratch = tmp_path / f"fresh-{dt.datetime.now():%H%M%S%f}.db"
    with Store.open(scratch) as copy:  # a verified copy of every table, from a file or a server
        copying.copy_stores(store, copy)
        recompute(copy, today=today)
        check_triggers(copy, today)
        want, want_reviews = _stored(copy)
    have, have_reviews = _stored(store)
    assert set(have) == set(want), (sorted(set(have) ^ set(want))[:10])
    wrong = [(k, have[k], want[k]) for k in want
             if have[k][1] != want[k][1] or abs((have[k][0] or 0) - (want[k][0] or 0)) > 1e-9 * max(1, abs(want[k][0] or 0))]
    assert wrong == []
    assert have_reviews == want_reviews, sorted(have_reviews ^ want_reviews)


@pytest.fixture
def demo(demo_store, tmp_path):
    assert_fresh(demo_store, tmp_path)  # the demo is built fresh
    return demo_store


def tech_id(store: Store, name: str) -> int:
    return store.find_technician(name).id  # type: ignore[union-attr]


def slow_tickets(path: Path, who: str, month: str, n: int = 60, *, start: int = 0) -> Path:
    """n tickets of `who`, all opened and resolved in `month`, each taking 100 hours."""
    y, m = map(int, month.split("-"))
    rows = []
    for i in range(n):
        opened = dt.datetime(y, m, 1 + i % 20, 8)
        rows.append([f"EXTRA{start + i:04d}", opened.strftime("%Y-%m-%d %H:%M:%S"),
                     (opened + dt.timedelta(hours=100)).strftime("%Y-%m-%d %H:%M:%S"), "3 - Moderate", who,
                     "Service Desk", "Resolved"])
    return write_csv(path, HEAD, rows)


def unhappy_tickets(path: Path, who: str, month: str, n: int = 60) -> Path:
    """A Zendesk export: n tickets of `who` solved in `month` in 100 hours, each rated 1 of 5."""
    y, m = map(int, month.split("-"))
    rows = []
    for i in range(n):
        opened = dt.datetime(y, m, 1 + i % 20, 8)
        rows.append([9000 + i, who, "Support", "Solved", "Normal", opened.strftime("%Y-%m-%d %H:%M:%S"),
                     (opened + dt.timedelta(hours=100)).strftime("%Y-%m-%d %H:%M:%S"), "1"])
    return write_csv(path, ZD_HEAD, rows)


# ---------------------------------------------------------------- imports


def test_import_recomputes_the_periods_it_touched_and_opens_reviews(demo, tmp_path):
    before = {r.id for r in list_reviews(demo, open_only=False)}
    assert not any(r.kpi_name == "CSAT" for r in list_reviews(demo, open_only=False))
    path = unhappy_tickets(tmp_path / "extra.csv", "Priya Shah", "2026-10")
    done = actions.import_file(demo, actions.ImportRequest(path), today=TODAY)
    assert done.result.report.created == 60 and done.result.report.touched_since == dt.date(2026, 10, 1)
    assert_fresh(demo, tmp_path)
    opened = {r.id for r in done.reviews}
    assert opened == {r.id for r in list_reviews(demo, open_only=False)} - before
    # Sixty answers of 1 of 5 pull the desk's October CSAT under its floor: the review is opened now.
    assert any(r.kpi_name == "CSAT" and r.scope_key == "desk" and r.period == "2026-10" for r in done.reviews)
    assert done.changes.measurements and done.changes.reviews and done.changes.tickets


def test_an_import_of_old_tickets_and_new_people_and_its_undo(demo, tmp_path):
    rows = [["OLD1", "2026-02-03 09:00:00", "", "1 - Critical", "Newcomer Nia", "Infrastructure & Security", "New"],
            ["OLD2", "2026-02-04 09:00:00", "2026-02-09 09:00:00", "2 - High", "Newcomer Nia", "Service Desk",
             "Resolved"]]
    done = actions.import_file(demo, actions.ImportRequest(write_csv(tmp_path / "old.csv", HEAD, rows)), today=TODAY)
    assert done.result.report.touched_since == dt.date(2026, 2, 3)
    assert_fresh(demo, tmp_path)
    undone = actions.undo_import(demo, done.result.report.batch_id, today=TODAY)  # type: ignore[arg-type]
    assert undone.changes.tickets
    assert_fresh(demo, tmp_path)


def test_a_reimport_that_changes_tickets_moves_their_old_periods_too(demo, tmp_path):
    path = slow_tickets(tmp_path / "a.csv", "Priya Shah", "2026-09", n=10)
    actions.import_file(demo, actions.ImportRequest(path), today=TODAY)
    moved = slow_tickets(tmp_path / "b.csv", "Tom Becker", "2026-10", n=10)  # the same ids: new person, new month
    done = actions.import_file(demo, actions.ImportRequest(moved), today=TODAY)
    assert done.result.report.updated == 10 and done.result.report.touched_since == dt.date(2026, 9, 1)
    assert_fresh(demo, tmp_path)


def test_a_values_import_checks_the_triggers(demo, tmp_path):
    uptime = demo.find_kpi("Uptime")
    infra = next(t.id for t in demo.list_teams() if t.name == "Infrastructure & Security")
    path = write_csv(tmp_path / "uptime.csv", ["KPI", "Team", "Period", "Value"],
                     [["Uptime", "Infrastructure & Security", "2026-10", 90.0]])
    done = actions.import_file(demo, actions.ImportRequest(path, kind="values"), today=TODAY)
    assert done.result.report.created + done.result.report.updated == 1
    assert uptime is not None and any(r.kpi_id == uptime.id and r.scope_key == f"team:{infra}" for r in done.reviews)
    assert_fresh(demo, tmp_path)


# ---------------------------------------------------------------- the catalogue


def test_kpi_actions(demo, tmp_path):
    made = actions.create_kpi(demo, KpiRecord(name="MTTR P2", unit="hours", direction="lower", value_source="computed",
                                             metric="mttr_hours", segment="P2", cadence="monthly", target_value=8,
                                             owner="Dana", trigger_kind="ceiling", trigger_value=6), today=TODAY)
    assert made.changes.measurements and made.reviews  # its values are stored, and P2 at 8 h+ trips 6 h
    assert_fresh(demo, tmp_path)
    rec = made.result
    rec.segment, rec.cadence = "P3", "weekly"  # what its values are changes: computed again
    actions.update_kpi(demo, rec, today=TODAY)
    assert_fresh(demo, tmp_path)
    rec = demo.get_kpi(rec.id)  # type: ignore[arg-type]
    rec.trigger_value = 1.0  # a stricter trigger: judged again (the periods it is in force for)
    actions.update_kpi(demo, rec, today=TODAY)
    assert_fresh(demo, tmp_path)
    rec = demo.get_kpi(rec.id)  # type: ignore[arg-type]
    rec.value_source, rec.metric = "entered", ""  # no longer from tickets: its computed values go
    actions.update_kpi(demo, rec, today=TODAY)
    assert_fresh(demo, tmp_path)
    actions.delete_kpi(demo, rec.id)  # type: ignore[arg-type]
    assert_fresh(demo, tmp_path)


def test_targets_baselines_and_templates(demo, tmp_path):
    mttr = demo.find_kpi("MTTR")
    assert mttr is not None
    actions.set_segment_target(demo, mttr.id, "P1", target_value=2.0, trigger_kind="ceiling", trigger_value=2.5,  # type: ignore[arg-type]
                               today=TODAY)
    assert_fresh(demo, tmp_path)
    actions.set_baseline(demo, mttr.id, dt.date(2026, 9, 1), periods=3, today=TODAY)  # type: ignore[arg-type]
    assert_fresh(demo, tmp_path)
    added = actions.add_templates(demo, ["mttr", "backlog"], owner="Dana", today=TODAY)
    assert [k.name for k in added.result] == ["MTTR (2)", "Backlog"]  # a name already taken gets a number
    assert demo.list_measurements(added.result[1].id)  # the backlog's values are there at once
    assert_fresh(demo, tmp_path)


# ---------------------------------------------------------------- people


def test_people_actions(demo, tmp_path):
    priya = demo.get_technician(tech_id(demo, "Priya Shah"))
    infra = next(t for t in demo.list_teams() if t.name == "Infrastructure & Security")
    priya.team_id = infra.id  # moves her tickets into the other team's values
    actions.update_technician(demo, priya, today=TODAY)
    assert_fresh(demo, tmp_path)
    actions.add_alias(demo, priya.id, "P. Shah")  # type: ignore[arg-type]
    made = actions.create_technician(demo, TechnicianRecord(display_name="Quinn Park", team_id=infra.id))
    new_team = actions.create_team(demo, "Night shift").result
    assert_fresh(demo, tmp_path)
    actions.delete_technician(demo, tech_id(demo, "Tom Becker"), today=TODAY)
    assert_fresh(demo, tmp_path)
    actions.delete_team(demo, infra.id, today=TODAY)  # type: ignore[arg-type]
    actions.delete_team(demo, new_team.id, today=TODAY)  # type: ignore[arg-type]
    assert made.result.id is not None
    assert_fresh(demo, tmp_path)


def test_setup_actions(tmp_path, db_path):
    with Store.open(db_path) as store:
        actions.start_from_templates(store, today=TODAY)
        assert_fresh(store, tmp_path)
    other = tmp_path / "demo.db"
    with Store.open(other) as store:
        actions.load_demo(store, today=TODAY)
        assert_fresh(store, tmp_path)
        out = actions.recompute_all(store, today=TODAY)
        assert out.changes.measurements
        assert_fresh(store, tmp_path)


# ---------------------------------------------------------------- check-ins, reviews, export


def test_appraisal_actions_move_no_value(demo, tmp_path):
    chloe = tech_id(demo, "Chloe Dubois")
    ci = actions.start_checkin(demo, chloe, "2026-Q4").result
    actions.save_checkin_step(demo, ci.id, 1, {"went_well": "Took the lead on the VPN rollout."})
    signed = actions.sign_checkin(demo, ci.id, "Dana Whitfield").result
    actions.acknowledge_checkin(demo, signed.id, "Chloe Dubois")
    actions.correct_checkin(demo, signed.id)
    note = NoteRecord(technician_id=chloe, noted_on=dt.date(2026, 11, 2), text="Covered the weekend.", kind="praise")
    saved = actions.save_note(demo, note).result
    actions.delete_note(demo, saved.id)
    review = next(r for r in list_reviews(demo))
    actions.acknowledge_review(demo, review.id, "Looked at it with the team.", "Dana Whitfield")
    mttr = demo.find_kpi("MTTR")
    actions.mark_reviewed(demo, mttr.id, "Monthly look.", "Dana", TODAY)  # type: ignore[union-attr]
    result = actions.export_appraisals(demo, "2026-Q3", tmp_path / "hr", fmt="xlsx").result
    assert result.workbook is not None
    assert_fresh(demo, tmp_path)


# ---------------------------------------------------------------- the command line, as the issue tried it


def test_the_command_line_import_scenario(tmp_path, capsys):
    """Issue 14: `demo`, then `import extra.csv` with 60 slow tickets for one technician in the last
    full month: `metrics`, the stored values and the dashboard give the same MTTR, and the review
    opened (printed, and listed by `reviews` at once)."""
    import json

    from kpidesk.cli import run
    from kpidesk.metrics.series import dashboard_cards
    from kpidesk.periods import last_full_period

    today = dt.date.today()
    month = last_full_period(today, "month").key
    db = tmp_path / "team.db"
    assert run(["--db", str(db), "demo"]) == 0
    assert run(["--db", str(db), "reviews", "--all", "--json"]) == 0
    capsys.readouterr()
    with Store.open(db) as store:
        before = {r.id for r in list_reviews(store, open_only=False)}
    extra = slow_tickets(tmp_path / "extra.csv", "Priya Shah", month)
    assert run(["--db", str(db), "import", str(extra), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["created"] == 60
    opened = {r["id"] for r in report["reviews_opened"]}
    assert run(["--db", str(db), "reviews", "--all", "--json"]) == 0
    listed = {r["id"] for r in json.loads(capsys.readouterr().out)}
    assert opened == listed - before  # what the import opened, `reviews` lists at once
    assert run(["--db", str(db), "metrics", "--technician", "Priya Shah", "--period", month, "--json"]) == 0
    metrics = {r["kpi"]: r for r in json.loads(capsys.readouterr().out)}
    with Store.open(db) as store:
        kpi = store.find_kpi("MTTR")
        scope = f"technician:{tech_id(store, 'Priya Shah')}"
        stored = next(m for m in store.list_measurements(kpi.id, scope) if m.period == month)  # type: ignore[union-attr]
        card = next(c for c in dashboard_cards(store, scope, month, today=today) if c.name == "MTTR")
        live = next(v for v in compute(store, scope_key=scope, first=month) if v.kpi == "mttr_hours")
        assert_fresh(store, tmp_path, today)
    assert metrics["mttr_hours"]["value"] == pytest.approx(stored.value) == pytest.approx(card.value)
    assert metrics["mttr_hours"]["count"] == stored.count == card.count == live.count
    assert stored.count >= 60 and stored.value > 50  # the 100-hour tickets are in it


def test_a_database_from_before_is_recomputed_once_by_its_first_action(demo, tmp_path):
    """Stored values written before the actions kept them true are not trusted: the migration marks
    the database, and the first action recomputes everything, once."""
    with demo.raw_write(shared_ok=True) as con:
        con.execute("UPDATE measurement SET value = value + 1 WHERE source = 'computed'")  # stale, as an old app left them
    demo.set_setting("recompute_due", True)
    actions.check_reviews(demo, TODAY)
    assert demo.get_setting("recompute_due") is False
    assert_fresh(demo, tmp_path)


def test_an_import_into_a_period_with_tickets_of_no_tier_stays_exact(db_path, tmp_path):
    """The incremental recompute sums the unsplit values from the tiers' (one read of the recent
    tickets): a technician whose earlier tickets had no priority must still have a backlog."""
    with Store.open(db_path) as store:
        actions.add_templates(store, ["backlog", "mttr", "mttr_p1", "throughput"], owner="Dana", today=TODAY)
        early = [["N1", "2026-08-03 09:00:00", "2026-08-04 09:00:00", "", "Ida Berg", "Desk", "Resolved"],
                 ["N2", "2026-08-05 09:00:00", "", "", "Ida Berg", "Desk", "New"]]
        actions.import_file(store, actions.ImportRequest(write_csv(tmp_path / "early.csv", HEAD, early)), today=TODAY)
        later = [["N3", "2026-10-06 09:00:00", "2026-10-07 09:00:00", "1 - Critical", "Ida Berg", "Desk", "Resolved"]]
        done = actions.import_file(store, actions.ImportRequest(write_csv(tmp_path / "later.csv", HEAD, later)),
                                   today=TODAY)
        assert done.result.report.touched_since == dt.date(2026, 10, 6)
        assert_fresh(store, tmp_path)


def test_a_role_from_the_templates_brings_its_kpis_computed(db_path, tmp_path):
    with Store.open(db_path) as store:
        rows = [["R1", "2026-10-05 09:00:00", "2026-10-05 12:00:00", "2 - High", "Ann Lee", "Desk", "Resolved"]]
        actions.import_file(store, actions.ImportRequest(write_csv(tmp_path / "r.csv", HEAD, rows)), today=TODAY)
        from kpidesk.templates import ROLE_TEMPLATES

        done = actions.add_role_template(store, next(iter(ROLE_TEMPLATES)), owner="Dana", today=TODAY)
        assert done.result.kpis and done.changes.measurements
        actions.create_objective(store, "Keep users working")
        assert_fresh(store, tmp_path)
