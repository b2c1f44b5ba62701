"""The metrics engine on a shared PostgreSQL database (issue 18) gives what it gives on the file.

The demo department, with shared tickets added (a cell naming several technicians, across teams),
is copied to the server as it is (the `both` fixture, tests/conftest.py), and every read of the metrics runs on both:
compute_all for each period length, split and scope kind, with percentiles and fill; compute_many;
the incremental reads; the tickets behind a value; the case-mix figures; `kpidesk metrics`.
Counts must be equal; means and rates equal to the last bits (the server adds floats in its own
order). The dialect's pieces are tested on their own below.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text

from kpidesk.cli import run as cli_run
from kpidesk.metrics import dialect, sql, sql_since
from kpidesk.metrics.engine import compute_all, compute_many
from kpidesk.metrics.evidence import tickets_behind
from kpidesk.metrics.incremental import compute_since
from kpidesk.metrics.mix import mix_all

def values(rows):
    return {(v.scope, v.scope_id, v.kpi, v.period, v.segment): (v.value, v.count, v.extra) for v in rows}


def assert_close(x, y, key):
    assert (x is None) == (y is None), key
    if x is not None:
        assert y == pytest.approx(x, rel=1e-12, abs=1e-12), key


def assert_same(on_file, on_server):
    a, b = values(on_file), values(on_server)
    assert a.keys() == b.keys() and a
    for key, (value, count, extra) in a.items():
        value2, count2, extra2 = b[key]
        assert count2 == count, key
        assert_close(value, value2, key)
        assert extra2.keys() == extra.keys(), key
        for name, x in extra.items():
            assert_close(x, extra2[name], (key, name))


def test_the_server_speaks_postgresql_and_has_the_shared_tickets(both):
    on_file, on_server = both
    with sql.connection(on_file) as a, sql.connection(on_server) as b:
        assert dialect.of(a) is dialect.SQLITE and dialect.of(b) is dialect.POSTGRES
        assert sql.has_shares(a) and sql.has_shares(b) and sql.has_groups(b)
        assert sql.span_of(b) == sql.span_of(a)
        assert all(isinstance(d, dt.date) for d in sql.span_of(b))


@pytest.mark.parametrize("granularity, first, last", [
    ("week", "2026-W36", "2026-W44"), ("month", "2026-01", "2026-11"), ("quarter", "2026-Q1", "2026-Q4"),
    ("half", "2026-H1", "2026-H2"), ("year", "2025", "2026")])
@pytest.mark.parametrize("split", [None, "priority", "type"])
def test_every_scope_by_every_period_length_and_split_is_the_same(both, granularity, first, last, split):
    on_file, on_server = both
    kw = dict(granularity=granularity, first=first, last=last, split=split, percentiles=True)
    file_values = compute_all(on_file, **kw)
    assert {v.scope for v in file_values} == {"desk", "team", "technician", "group"}
    assert_same(file_values, compute_all(on_server, **kw))


def test_the_backlog_alone_is_the_same(both):
    # Asked for alone, the backlog is read by sql.backlog_flows (with any other metric, by the
    # combined aggregate_and_flows): that statement in PostgreSQL's spelling too.
    on_file, on_server = both
    kw = dict(granularity="month", first="2026-01", last="2026-11", metrics=["backlog_open", "backlog_change"])
    file_values = compute_all(on_file, **kw)
    assert {v.kpi for v in file_values} == {"backlog_open", "backlog_change"}
    assert_same(file_values, compute_all(on_server, **kw))


def test_the_shared_tickets_count_on_the_server_as_on_the_file(both):
    on_file, on_server = both
    kw = dict(granularity="month", first="2026-09", last="2026-10", percentiles=True, fill=True,
              scopes=("technician", "team"))
    file_values = compute_all(on_file, **kw)
    marcus = {(v.kpi, v.period): v.value for v in file_values if v.who == "Marcus Reid"}
    assert marcus[("resolved_count", "2026-09")] >= 2  # SH1 and SH2 count for him too
    assert_same(file_values, compute_all(on_server, **kw))


def test_one_pass_for_several_period_lengths_is_the_same(both):
    on_file, on_server = both
    for split in (None, "priority"):
        a = compute_many(on_file, ("week", "month", "quarter", "year"), dt.date(2026, 1, 1), dt.date(2026, 11, 30), split)
        b = compute_many(on_server, ("week", "month", "quarter", "year"), dt.date(2026, 1, 1), dt.date(2026, 11, 30), split)
        assert a.keys() == b.keys()
        for g in a:
            assert_same(a[g], b[g])


def test_the_incremental_reads_are_the_same(both):
    on_file, on_server = both
    since = dt.date(2026, 9, 1)
    with sql.connection(on_file) as a, sql.connection(on_server) as b:
        for by in ("technician", "group"):
            rows_a = sorted(map(_plain, sql_since.recent_rows(a, since, "priority", by)), key=repr)
            rows_b = sorted(map(_plain, sql_since.recent_rows(b, since, "priority", by)), key=repr)
            _same_rows(rows_a, rows_b)
            segs = (None, 1, 2, 3, 4)
            assert sql_since.had_tickets(b, since, "priority", segs, by) == sql_since.had_tickets(a, since, "priority", segs, by)
    a = compute_since(on_file, ("week", "month"), since, dt.date(2026, 11, 30))
    b = compute_since(on_server, ("week", "month"), since, dt.date(2026, 11, 30))
    for g in a:
        assert_same(a[g], b[g])


def _plain(row):
    """A row with the server's true/false as SQLite's 1/0."""
    return tuple(int(x) if isinstance(x, bool) else x for x in row)


def _same_rows(rows_a, rows_b):
    assert len(rows_a) == len(rows_b) and rows_a
    for ra, rb in zip(rows_a, rows_b):
        assert ra[:sql_since.SUMS] == rb[:sql_since.SUMS]
        assert list(rb[sql_since.SUMS:]) == pytest.approx(list(ra[sql_since.SUMS:]), rel=1e-12)


@pytest.mark.parametrize("metric", ["mttr_hours", "backlog_open", "backlog_change", "sla_compliance", "reopen_rate", None])
def test_the_tickets_behind_a_value_are_the_same(both, metric):
    on_file, on_server = both
    for scope in ("desk", "technician:6", "team:1", "group:Service Desk"):
        a = tickets_behind(on_file, scope, "2026-10", metric=metric)
        b = tickets_behind(on_server, scope, "2026-10", metric=metric)
        assert [x.to_json() for x in b.lines] == [x.to_json() for x in a.lines]
        assert b.open_before == a.open_before
    shared = tickets_behind(on_server, "technician:7", "2026-10", metric="backlog_open")
    assert "SH3" in {x.external_id for x in shared.lines}  # Sofia's through the shared cell


def test_the_case_mix_is_the_same(both):
    on_file, on_server = both
    a, b = mix_all(on_file, "2026-10"), mix_all(on_server, "2026-10")
    assert a.keys() == b.keys() and a
    for tech in a:  # hours are added in the order each database gives the rows: equal to the last bits
        fa, fb = a[tech].to_json(), b[tech].to_json()
        assert fb.keys() == fa.keys()
        for name, x in fa.items():
            if isinstance(x, float):
                assert_close(x, fb[name], (tech, name))
            else:
                assert fb[name] == x, (tech, name)


def test_the_metrics_command_reads_the_server(both, pg_url, capsys):
    on_file, _ = both

    def run(db):
        code = cli_run(["--db", str(db), "metrics", "--period", "2026-10", "--json"])
        out = capsys.readouterr().out
        assert code == 0
        return json.loads(out)

    assert run(pg_url) == run(on_file.path)


# The dialect's pieces ----------------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("SELECT 1 WHERE a = ? AND b BETWEEN ? AND ?", "SELECT 1 WHERE a = %s AND b BETWEEN %s AND %s"),
    ("WHERE created_at < :end OR resolved_at < :end", "WHERE created_at < %(end)s OR resolved_at < %(end)s"),
    ("SELECT CAST(x AS int), y::text FROM t WHERE z = :p0", "SELECT CAST(x AS int), y::text FROM t WHERE z = %(p0)s"),
    ("SELECT 'what?', 'a:b', 'it''s 50%' WHERE x LIKE 'P%' AND y = ?",
     "SELECT 'what?', 'a:b', 'it''s 50%%' WHERE x LIKE 'P%%' AND y = %s"),
    ("SELECT a % 2 FROM t", "SELECT a %% 2 FROM t"),
])
def test_marks_are_put_in_psycopgs_spelling_outside_quotes_only(query, expected):
    assert dialect.pyformat(query) == expected


def test_each_dialect_spells_the_sums_and_the_day_its_way():
    s, p = dialect.SQLITE, dialect.POSTGRES
    assert s.sums.count("total(") == 8 and s.sums.count("count(") == 8 and "sum(" not in s.sums
    assert p.sums.count("coalesce(sum(") == 8 and "total(" not in p.sums and p.sums.count("AS integer") == 6
    assert s.came_day == "min(created_at, coalesce(resolved_at, created_at))"
    assert p.came_day == "least(created_at, coalesce(resolved_at, created_at))"
    assert s.day("x", 7) == "substr(x, 1, 7)" and p.day("x", 10) == "to_char(x, 'YYYY-MM-DD')"
    assert s.hint(dialect.NOT_INDEXED) == "NOT INDEXED" and s.hint("ix") == "INDEXED BY ix"
    assert p.hint(dialect.NOT_INDEXED) == "" and p.hint("ix") == ""
    assert dialect.of(object()) is dialect.SQLITE and dialect.of(dialect.PgConnection(None)) is dialect.POSTGRES


# Writing the computed values ------------------------------------------------------------------------

def stored(store):
    """Every computed value as (kpi, scope, period, segment) -> (value, count)."""
    with sql.connection(store) as con:
        rows = con.execute("SELECT kpi_id, scope_key, period, segment, value, count FROM measurement "
                           "WHERE source = 'computed'").fetchall()
    return {tuple(r[:4]): (r[4], r[5]) for r in rows}


@pytest.mark.parametrize("since", [None, dt.date(2026, 9, 1)])
def test_recomputing_on_the_server_stores_what_the_file_stores(both, since):
    from kpidesk.actions.derived import refresh
    from tests.conftest import DEMO_TODAY

    on_file, on_server = both
    for store in (on_file, on_server):  # the shared tickets moved the values: both recompute them
        refresh(store, since=since, today=DEMO_TODAY)
    a, b = stored(on_file), stored(on_server)
    assert a.keys() == b.keys() and len(a) > 1000
    for key, (value, count) in a.items():
        assert b[key][1] == count, key
        assert_close(value, b[key][0], key)
    marcus_september = [k for k in b if k[1] == "technician:6" and k[2] == "2026-09"]
    assert marcus_september  # the shared tickets are in his stored values too
    with on_server.read() as s:  # one bulk writer at a time: the lock is free again once it is done
        assert s.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                              "(SELECT oid FROM pg_database WHERE datname = current_database())")).scalar() == 0


def test_a_bulk_writer_waits_for_the_other_then_says_the_database_is_busy(both):
    from kpidesk.errors import DatabaseLocked

    _, on_server = both
    entered = "SELECT count(*) FROM measurement WHERE source != 'computed'"
    with sql.connection(on_server) as con:
        entered_before = con.execute(entered).fetchone()[0]
    assert entered_before > 0 and stored(on_server)
    with on_server.raw_write(shared_ok=True) as con:
        con.execute("DELETE FROM measurement WHERE source = 'computed'")
        with pytest.raises(DatabaseLocked, match="busy"):
            with on_server.raw_write(shared_ok=True, lock_wait_s=0.2) as other:
                other.execute("DELETE FROM measurement")  # never runs: it waited for the lock
    assert not stored(on_server)  # the first writer's change went through
    with sql.connection(on_server) as con:
        assert con.execute(entered).fetchone()[0] == entered_before


class _TryingAnotherWriter:
    """A recompute's progress that, when the recompute says it is computing (its tickets being read),
    has another writer try to start a bulk write on the same database."""

    def __init__(self, store):
        self.store, self.outcome = store, None

    def set_status(self, text):
        if self.outcome is None and text.startswith("Computing"):
            from kpidesk.errors import DatabaseLocked

            try:
                with self.store.raw_write(shared_ok=True, lock_wait_s=0.2):
                    self.outcome = "got in"
            except DatabaseLocked:
                self.outcome = "waited"

    def set_progress(self, done, total):
        pass

    def cancelled(self):
        return False


def test_a_recompute_on_the_server_holds_the_bulk_lock_while_it_reads_the_tickets(both):
    from kpidesk.metrics.recompute import recompute
    from tests.conftest import DEMO_TODAY

    _, on_server = both
    progress = _TryingAnotherWriter(on_server)
    recompute(on_server, progress, today=DEMO_TODAY)
    # No one else's import may commit between the read and the write of the values.
    assert progress.outcome == "waited"


def test_forgetting_a_kpis_computed_values_on_the_server_keeps_the_entered_ones(both):
    from kpidesk.metrics.recompute import forget_computed
    from kpidesk.records import Changes

    _, on_server = both
    before = stored(on_server)
    kpi_id = next(iter(before))[0]
    assert any(k[0] == kpi_id for k in before)
    entered = "SELECT count(*) FROM measurement WHERE source != 'computed'"
    with sql.connection(on_server) as con:
        entered_before = con.execute(entered).fetchone()[0]
    assert forget_computed(on_server, kpi_id) == Changes(measurements=True)
    after = stored(on_server)
    assert not any(k[0] == kpi_id for k in after)
    assert after == {k: v for k, v in before.items() if k[0] != kpi_id}
    with sql.connection(on_server) as con:
        assert con.execute(entered).fetchone()[0] == entered_before


# Check-ins and HR's export -------------------------------------------------------------------------

def _rounded(x):
    if isinstance(x, float):
        return round(x, 9)
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_rounded(v) for v in x]
    return x


def test_a_check_ins_facts_are_the_same_on_the_server(both):
    from dataclasses import asdict

    from kpidesk.appraisal.facts import gather

    on_file, on_server = both
    for tech in (1, 6, 8):
        for period in ("2026-Q3", "2026-10"):
            a, b = (asdict(gather(store, tech, period)) for store in (on_file, on_server))
            a.pop("computed_at"), b.pop("computed_at")  # when each was gathered
            assert json.dumps(_rounded(b), default=str, sort_keys=True) == json.dumps(_rounded(a), default=str,
                                                                                      sort_keys=True)


def test_hr_exports_the_signed_appraisals_from_the_server(both, pg_url, tmp_path, capsys):
    from openpyxl import load_workbook

    on_file, _ = both
    sheets = {}
    for name, db in (("file", on_file.path), ("server", pg_url)):
        out = tmp_path / f"{name}.xlsx"
        code = cli_run(["--db", str(db), "export", "appraisals", "--period", "2026-Q3", "--format", "xlsx",
                        "--out", str(out)])
        assert code == 0, capsys.readouterr().err
        wb = load_workbook(out, read_only=True)
        sheets[name] = {ws.title: [row for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    assert "Summary" in sheets["server"] and len(sheets["server"]["Summary"]) > 8  # eight signed check-ins
    assert sheets["server"] == sheets["file"]
