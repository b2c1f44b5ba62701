"""`kpidesk tickets` (issue 16): the drill-down on the command line. Its value and count are those of
`kpidesk metrics` for the same scope and period; --out writes the list as a workbook whose text from
the exports stays text."""
from __future__ import annotations

import json

import openpyxl
import pytest

from kpidesk.cli import run
from tests.core.test_metrics_engine import ids  # noqa: F401  (fixture: the hand-made March 2026 set)


def cli(db_path, capsys, *args, code=0):
    got = run(["--db", str(db_path), *args])
    out = capsys.readouterr()
    assert got == code, out.err
    return out


def test_the_list_adds_up_to_the_metrics_value(db_path, ids, capsys):  # noqa: F811
    metrics = json.loads(cli(db_path, capsys, "metrics", "--technician", "bob", "--period", "2026-03", "--json").out)
    for row in metrics:
        if row["kpi"] == "csat_positive_rate":
            continue
        got = json.loads(cli(db_path, capsys, "tickets", "--technician", "bob", "--period", "2026-03",
                             "--kpi", row["kpi"], "--json").out)
        assert got["kpi"] == row["kpi"] and got["who"] == "Bob" and got["scope"] == "technician"
        assert got["value"] == pytest.approx(row["value"]) if row["value"] is not None else got["value"] is None
        if row["value"] is not None:
            assert got["count"] == row["count"], row["kpi"]
        if row["kpi"] == "mttr_hours":
            assert got["median"] == pytest.approx(row["median"]) and got["p90"] == pytest.approx(row["p90"])
            hours = [t["resolution_hours"] for t in got["tickets"] if t["resolution_hours"] is not None]
            assert hours == sorted(hours, reverse=True) and len(hours) == row["count"]


def test_text_output_and_workbook(db_path, ids, capsys, tmp_path):  # noqa: F811
    out = tmp_path / "bob-march"
    text = cli(db_path, capsys, "tickets", "--technician", "bob", "--period", "2026-03", "--kpi", "sla_compliance",
               "--out", str(out)).out
    assert text.startswith("Bob, 2026-03: SLA compliance") and "Ticket" in text
    wb = openpyxl.load_workbook(tmp_path / "bob-march.xlsx")
    ws = wb["Tickets"]
    assert ws["A1"].value.startswith("SLA compliance") and ws["A2"].value == "Bob, 2026-03"
    header = [c.value for c in ws[5]]
    assert header[:3] == ["Ticket", "Created", "Resolved"]
    listed = [r[0] for r in ws.iter_rows(min_row=6, values_only=True)]
    got = json.loads(cli(db_path, capsys, "tickets", "--technician", "bob", "--period", "2026-03",
                         "--kpi", "sla_compliance", "--json").out)
    assert listed == [t["id"] for t in got["tickets"]]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_bad_input_is_one_clear_line(db_path, ids, capsys):  # noqa: F811
    err = cli(db_path, capsys, "tickets", "--technician", "bob", "--period", "2026-03", "--kpi", "speed",
              code=2).err
    assert "--kpi 'speed'" in err and "mttr_hours" in err
    err = cli(db_path, capsys, "tickets", "--technician", "nobody", "--period", "2026-03", code=1).err
    assert "no technician named 'nobody'" in err
    err = cli(db_path, capsys, "tickets", "--period", "2026-13", code=2).err
    assert "no month 13" in err
    err = cli(db_path, capsys, "tickets", "--period", "2026-03", "--segment", "P9", code=2).err
    assert "--segment 'P9'" in err
