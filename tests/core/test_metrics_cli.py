"""`kpidesk metrics` JSON contract (issue 4), on the hand-made March 2026 set of test_metrics_engine."""
from __future__ import annotations

import json

import pytest

from kpidesk.cli import run
from tests.core.test_metrics_engine import ids  # noqa: F401  (fixture)

KEYS = ["kpi", "scope", "who", "period", "segment", "value", "count"]
CONTRACT = ["mttr_hours", "fcr_rate", "sla_compliance", "csat_mean", "csat_response_rate", "escalation_rate",
            "reopen_rate", "backlog_open", "backlog_change", "resolved_count"]


def metrics(db_path, capsys, *args):
    code = run(["--db", str(db_path), "metrics", *args, "--json"])
    assert code == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_desk_json(db_path, ids, capsys):  # noqa: F811
    rows = metrics(db_path, capsys, "--period", "2026-03")
    for r in rows:
        assert list(r)[:7] == KEYS
    assert [r["kpi"] for r in rows if r["kpi"] in CONTRACT] == CONTRACT
    by = {r["kpi"]: r for r in rows}
    assert (by["resolved_count"]["value"], by["resolved_count"]["count"]) == (7, 7)
    assert by["sla_compliance"]["value"] == pytest.approx(3 / 7)  # a fraction, not a percentage
    assert by["mttr_hours"]["median"] == pytest.approx(6.0)
    assert {r["scope"] for r in rows} == {"desk"} and {r["segment"] for r in rows} == {None}


def test_technician_weeks_and_split(db_path, ids, capsys):  # noqa: F811
    rows = metrics(db_path, capsys, "--technician", "bob", "--from", "2026-W10", "--to", "2026-W11")
    counts = {r["period"]: r["value"] for r in rows if r["kpi"] == "resolved_count"}
    assert counts == {"2026-W10": 1, "2026-W11": 1}
    assert {(r["scope"], r["who"]) for r in rows} == {("technician", "Bob")}
    rows = metrics(db_path, capsys, "--team", "Desk", "--period", "2026-Q1", "--by", "month", "--split", "priority")
    assert {r["segment"] for r in rows} == {"P1", "P2", "P3", "P4"}
    assert {r["period"] for r in rows} == {"2026-01", "2026-02", "2026-03"}
    p1 = next(r for r in rows if r["kpi"] == "resolved_count" and r["period"] == "2026-03" and r["segment"] == "P1")
    assert (p1["scope"], p1["who"], p1["value"]) == ("team", "Desk", 1)  # A2 (Cy's P1 is in Infra)


def test_unknown_names_and_bad_periods(db_path, ids, capsys):  # noqa: F811
    assert run(["--db", str(db_path), "metrics", "--technician", "Nobody"]) == 1
    assert "no technician named 'Nobody'" in capsys.readouterr().err
    assert run(["--db", str(db_path), "metrics", "--team", "Nope"]) == 1
    assert "no team named 'Nope'" in capsys.readouterr().err
    # Issue 13: a bad period is bad usage (exit 2), as in `export`.
    assert run(["--db", str(db_path), "metrics", "--period", "March"]) == 2
    assert "is not a period" in capsys.readouterr().err


def test_plain_table(db_path, ids, capsys):  # noqa: F811
    assert run(["--db", str(db_path), "metrics", "--period", "2026-03"]) == 0
    out = capsys.readouterr().out
    assert "sla_compliance" in out and "42.9 %" in out and "6.00 / 29.40" in out
