"""Issue 15 (8, and the settings): what an empty database needs from the command line, and the
settings every surface reads, each checked and kept by one action."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kpidesk import actions
from kpidesk.cli import run
from kpidesk.errors import ValidationError
from kpidesk.store import Store
from tests.core.test_actions import assert_fresh
from tests.import_samples import rows_of, write_csv

HEAD = ["Number", "Opened", "Resolved", "Priority", "State", "Assigned to"]
ROWS = [["INC1", "2026-11-02 09:00", "2026-11-02 12:00", "2 - High", "Resolved", "Jane Doe"],
        ["INC2", "2026-11-03 09:00", "2026-11-03 10:00", "3 - Moderate", "Resolved", "J. Doe"],
        ["INC3", "2026-11-04 09:00", "2026-11-04 19:00", "3 - Moderate", "Resolved", "Robot"]]


def cli(db: Path, *argv: str) -> int:
    return run(["--db", str(db), *argv])


def owners(db) -> dict[str, str | None]:
    """{ticket: its technician's name} of a database file's path or a Store."""
    return dict(rows_of(db, "SELECT t.external_id, p.display_name FROM ticket t "
                            "LEFT JOIN technician p ON p.id = t.technician_id"))


def test_settings_get_and_set_round_trip_and_refuse_bad_values(db_path, capsys):
    assert cli(db_path, "settings", "set", "organisation", "Acme IT") == 0
    assert cli(db_path, "settings", "set", "page_size", "Letter") == 0
    capsys.readouterr()
    assert cli(db_path, "settings", "get", "organisation") == 0
    assert json.loads(capsys.readouterr().out) == "Acme IT"
    assert cli(db_path, "settings", "get", "--json") == 0
    every = json.loads(capsys.readouterr().out)
    assert every["page_size"] == "Letter" and every["rating_scale"] == [1, 5] and "recompute_due" not in every
    # Refused with the reason, and nothing kept.
    assert cli(db_path, "settings", "set", "min_count", "0") == 1
    assert "min_count" in capsys.readouterr().err
    assert cli(db_path, "settings", "set", "page_size", "A3") == 1
    assert cli(db_path, "settings", "set", "sla_hours", '{"P1": 4}') == 1
    assert cli(db_path, "settings", "set", "rating_words", "Poor, Fair, Good") == 1  # 5 points, 3 words
    assert cli(db_path, "settings", "set", "no_such", "1") == 1
    assert cli(db_path, "settings", "set", "organisation", "x" * 201) == 1  # refused, not cut silently
    assert "at most 200 characters (201 given)" in capsys.readouterr().err
    with Store.open(db_path) as s, pytest.raises(ValidationError, match="an image given as a file"):
        actions.set_setting(s, "logo", "not a data url")
    with Store.open(db_path) as s:
        assert s.get_setting("min_count") == 5 and s.get_setting("page_size") == "Letter"
        assert len(s.get_setting("rating_words")) == 5


def test_logo_is_kept_from_an_image_file_and_anything_else_is_refused(db_path, tmp_path, capsys):
    png = tmp_path / "logo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    assert cli(db_path, "settings", "set", "logo", str(png)) == 0
    from kpidesk.settings import logo_bytes

    with Store.open(db_path) as s:
        assert logo_bytes(s.get_setting("logo")) == png.read_bytes()
    text = tmp_path / "logo.txt"
    text.write_text("not an image")
    assert cli(db_path, "settings", "set", "logo", str(text)) == 1
    assert "not a PNG or JPEG" in capsys.readouterr().err


def test_rating_scale_cannot_change_once_a_checkin_holds_ratings(demo_store):
    assert demo_store.count_rated_checkins() > 0
    with pytest.raises(ValidationError, match="already hold ratings"):
        actions.set_setting(demo_store, "rating_scale", [1, 4])
    assert demo_store.get_setting("rating_scale") == [1, 5]
    # Several at once are all or nothing: the refused scale keeps the name from being saved too.
    with pytest.raises(ValidationError, match="already hold ratings"):
        actions.set_settings(demo_store, {"organisation": "Contoso IT", "rating_scale": [1, 4]})
    assert demo_store.get_setting("organisation") == "Northwind Facilities Ltd"


def test_new_sla_hours_judge_the_tickets_again_and_every_value_follows(demo_store, tmp_path):
    def p1_met() -> tuple[int, int]:
        return rows_of(demo_store, "SELECT sum(CASE WHEN sla_met THEN 1 ELSE 0 END), "
                                   "sum(CASE WHEN resolution_hours <= 1.0 THEN 1 ELSE 0 END) FROM ticket "
                                   "WHERE priority_tier = 1 AND resolution_hours IS NOT NULL")[0]

    met, within_one_hour = p1_met()
    assert met > within_one_hour > 0  # 4 h default: more P1 tickets met it than would in 1 h
    done = actions.set_setting(demo_store, "sla_hours", {"P1": 1, "P2": 8, "P3": 24, "P4": 72},
                               today=__import__("tests.conftest", fromlist=["DEMO_TODAY"]).DEMO_TODAY)
    assert done.changes.tickets
    met, within_one_hour = p1_met()
    assert met == within_one_hour  # every P1 ticket judged against 1 hour now
    assert_fresh(demo_store, tmp_path)  # and every stored SLA value with it


def test_kpi_add_templates_fills_an_empty_database(tmp_path, capsys):
    db = tmp_path / "new.db"
    assert cli(db, "kpi", "add-templates", "mttr", "csat") == 0
    assert "Added 2 KPIs: MTTR, CSAT." in capsys.readouterr().out
    assert cli(db, "kpi", "add-templates", "nope") == 1
    assert "unknown template(s) nope" in capsys.readouterr().err
    assert cli(db, "kpi", "add-templates") == 0
    assert "not added again: MTTR, CSAT" in capsys.readouterr().out
    with Store.open(db) as s:
        names = [k.name for k in s.list_kpis()]
    assert len(names) > 10 and len(names) == len(set(names))  # run twice, nothing twice


def test_import_names_ask_lists_new_names_and_writes_nothing(db_path, tmp_path, capsys):
    f = write_csv(tmp_path / "sn.csv", HEAD, ROWS)
    assert cli(db_path, "import", str(f), "--names", "ask", "--json") == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["new_technicians"] == ["J. Doe", "Jane Doe", "Robot"]
    assert "J. Doe" in captured.err and "people alias" in captured.err
    assert owners(db_path) == {}  # nothing written


def test_import_names_ignore_leaves_tickets_unassigned_and_alias_gives_them_later(db_path, tmp_path, capsys):
    f = write_csv(tmp_path / "sn.csv", HEAD, ROWS)
    with Store.open(db_path) as s:
        actions.create_technician(s, __import__("kpidesk.records", fromlist=["TechnicianRecord"])
                                  .TechnicianRecord(display_name="Jane Doe"))
    assert cli(db_path, "import", str(f), "--names", "ignore", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["new_technicians"] == [] and out["unassigned_names"] == ["J. Doe", "Robot"]
    assert owners(db_path) == {"INC1": "Jane Doe", "INC2": None, "INC3": None}
    assert cli(db_path, "people", "alias", "J. Doe", "--to", "jane doe") == 0
    assert "1 unassigned ticket under 'J. Doe'" in capsys.readouterr().out
    assert owners(db_path) == {"INC1": "Jane Doe", "INC2": "Jane Doe", "INC3": None}
    assert cli(db_path, "people", "alias", "x", "--to", "Nobody") == 1
    assert "no technician called 'Nobody'" in capsys.readouterr().err


def test_alias_merges_a_technician_an_import_created_and_values_follow(demo_store, tmp_path):
    f = write_csv(tmp_path / "sn.csv", HEAD, [[f"DUP{i}", "2026-11-02 09:00", "2026-11-02 12:00", "2 - High",
                                                "Resolved", "P. Shah"] for i in range(6)])
    actions.import_file(demo_store, actions.ImportRequest(f), today=None)
    dup = demo_store.find_technician("P. Shah")
    assert dup is not None
    done = actions.alias_name(demo_store, "P. Shah", "Priya Shah")
    assert done.result.display_name == "Priya Shah" and "P. Shah" in done.result.aliases
    assert demo_store.find_technician("P. Shah").display_name == "Priya Shah"  # type: ignore[union-attr]
    assert {v for k, v in owners(demo_store).items() if k.startswith("DUP")} == {"Priya Shah"}
    assert_fresh(demo_store, tmp_path)


def test_alias_refuses_to_merge_a_person_with_hr_records(demo_store):
    with pytest.raises(ValidationError, match="check-in"):
        actions.alias_name(demo_store, "Alex Morgan", "Priya Shah")
    assert demo_store.find_technician("Alex Morgan").display_name == "Alex Morgan"  # type: ignore[union-attr]
