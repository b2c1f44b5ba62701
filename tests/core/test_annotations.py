"""Issue 16, part 2: annotations. Checked and kept by the actions, found by the plot rule and the
check-in rule, frozen with a signed check-in, and driven from `kpidesk note`."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from kpidesk import actions
from kpidesk import appraisal as ap
from kpidesk.annotations import (
    MAX_TEXT,
    AnnotationRecord,
    annotations_touching,
    checkin_annotations,
    get_annotation,
    list_annotations,
    scope_choices,
)
from kpidesk.appraisal.model import Facts
from kpidesk.cli import run
from kpidesk.errors import NotFound, ValidationError
from kpidesk.records import KpiRecord

D = dt.date
MARCH = (D(2026, 3, 1), D(2026, 3, 31))


def note(store, on, text, **kw) -> AnnotationRecord:
    return actions.add_annotation(store, AnnotationRecord(on, text, **kw)).result


def texts(notes) -> list[str]:
    return [n.text for n in notes]


@pytest.fixture
def mttr(store) -> int:
    return store.create_kpi(KpiRecord("MTTR", unit="hours", direction="lower"))[0].id


def test_add_trims_and_flags_and_every_bad_field_is_named(store, mttr):
    out = actions.add_annotation(store, AnnotationRecord(D(2026, 3, 3), "  VPN rollout \n", kpi_id=mttr,
                                                         author=" Dana "))
    assert out.changes.annotations and not out.changes.measurements
    rec = out.result
    assert (rec.text, rec.author, rec.kpi_name, rec.scope_label, rec.until) == ("VPN rollout", "Dana", "MTTR",
                                                                                "everyone", None)
    assert rec.when == "3 Mar 2026" and rec.applies_to == "MTTR, everyone"
    with pytest.raises(ValidationError) as bad:
        actions.add_annotation(store, AnnotationRecord(D(2026, 3, 5), "   ", until=D(2026, 3, 1), kpi_id=999,
                                                       scope_key="team:42"))
    assert set(bad.value.problems) == {"text", "until", "kpi", "scope"}
    assert "before it starts" in bad.value.problems["until"] and "team with id 42" in bad.value.problems["scope"]
    for scope, words in (("nonsense", "is not a scope"), ("group:Nowhere", "no ticket is in a group"),
                         ("technician:7", "no technician with id 7"), ("project:X", "no value is recorded")):
        with pytest.raises(ValidationError, match=words):
            note(store, D(2026, 3, 5), "x", scope_key=scope)
    with pytest.raises(ValidationError, match=f"at most {MAX_TEXT} characters"):
        note(store, D(2026, 3, 5), "x" * (MAX_TEXT + 1))
    assert texts(list_annotations(store)) == ["VPN rollout"]  # nothing refused was kept


def test_update_delete_and_a_deleted_kpi_takes_its_notes(store, mttr):
    rec = note(store, D(2026, 3, 3), "VPN rollout", kpi_id=mttr)
    rec.until, rec.text = D(2026, 3, 9), "VPN rollout, week one"
    changed = actions.update_annotation(store, rec).result
    assert changed.when == "3 to 9 Mar 2026" and get_annotation(store, rec.id).text == "VPN rollout, week one"
    rec.until = D(2026, 3, 1)
    with pytest.raises(ValidationError, match="until"):
        actions.update_annotation(store, rec)
    assert get_annotation(store, rec.id).until == D(2026, 3, 9)
    actions.delete_annotation(store, rec.id)
    with pytest.raises(NotFound):
        actions.delete_annotation(store, rec.id)
    note(store, D(2026, 3, 3), "on MTTR", kpi_id=mttr)
    note(store, D(2026, 3, 3), "on everything")
    actions.delete_kpi(store, mttr)
    assert texts(list_annotations(store)) == ["on everything"]


def test_a_plot_shows_notes_for_everyone_and_its_own_scope_over_its_dates(store, mttr):
    team = actions.create_team(store, "Service Desk").result.id
    fcr = store.create_kpi(KpiRecord("FCR", unit="%"))[0].id
    note(store, D(2026, 2, 20), "leave", until=D(2026, 3, 2), scope_key=f"team:{team}")  # spans into March
    note(store, D(2026, 3, 5), "VPN rollout", kpi_id=mttr)
    note(store, D(2026, 3, 10), "desk move", scope_key="desk")
    note(store, D(2026, 3, 12), "survey change", kpi_id=fcr)
    note(store, D(2026, 4, 1), "April")
    assert texts(annotations_touching(store, mttr, f"team:{team}", *MARCH)) == ["leave", "VPN rollout"]
    assert texts(annotations_touching(store, mttr, "desk", *MARCH)) == ["VPN rollout", "desk move"]
    assert texts(annotations_touching(store, fcr, "technician:1", *MARCH)) == ["survey change"]
    assert texts(annotations_touching(store, None, "desk", *MARCH)) == ["desk move"]
    assert texts(annotations_touching(store, mttr, "desk", D(2026, 3, 6), D(2026, 4, 30))) == ["desk move", "April"]
    assert texts(list_annotations(store, first_day=D(2026, 3, 3), last_day=D(2026, 3, 4))) == []
    assert [label for label, _ in scope_choices(store)][:3] == ["Everyone (every plot)", "The whole desk only",
                                                                "Team: Service Desk"]


def test_a_checkin_lists_its_context_notes_and_keeps_them_when_signed(demo_store):
    alex = demo_store.find_technician("Alex Morgan")
    team = next(t.id for t in demo_store.list_teams() if t.name == "Service Desk")
    other_team = next(t.id for t in demo_store.list_teams() if t.name != "Service Desk")
    priya = demo_store.find_technician("Priya Shah").id
    mttr = demo_store.find_kpi("MTTR").id
    unrelated = demo_store.find_kpi("Patch compliance").id  # not a service desk L1 KPI
    note(demo_store, D(2026, 1, 5), "VPN rollout", kpi_id=mttr)
    note(demo_store, D(2026, 3, 3), "two people on leave", until=D(2026, 3, 14), scope_key=f"team:{team}")
    note(demo_store, D(2026, 2, 2), "Alex on a course", scope_key=f"technician:{alex.id}")
    note(demo_store, D(2026, 2, 9), "new ticket form", scope_key="desk", kpi_id=mttr)
    note(demo_store, D(2026, 2, 9), "Priya on leave", scope_key=f"technician:{priya}")  # a colleague: never
    note(demo_store, D(2026, 2, 9), "datacentre move", scope_key=f"team:{other_team}")
    note(demo_store, D(2026, 2, 9), "patch window", kpi_id=unrelated)
    note(demo_store, D(2026, 2, 9), "desk reorganised", scope_key="desk")  # the desk's plots only
    note(demo_store, D(2026, 4, 1), "next quarter")
    expected = ["VPN rollout", "Alex on a course", "new ticket form", "two people on leave"]
    role = [k.kpi_id for k in demo_store.get_role_profile(alex.role_profile_id).kpis]
    assert texts(checkin_annotations(demo_store, alex.id, team, role, D(2026, 1, 1), D(2026, 3, 31))) == expected
    ci = ap.start_or_resume(demo_store, alex.id, "2026-Q1")
    assert [n["text"] for n in ap.facts_of(demo_store, ci.id).context_notes] == expected
    signed = ap.sign(demo_store, ci.id, "Dana Whitfield")
    assert [n["text"] for n in signed.frozen["context_notes"]] == expected
    # A note added or removed after signing changes the live list, not the signed one.
    actions.delete_annotation(demo_store, list_annotations(demo_store)[0].id)
    note(demo_store, D(2026, 3, 30), "late addition")
    assert [n["text"] for n in ap.facts_of(demo_store, ci.id).context_notes] == expected
    from kpidesk.export.appraisal_source import build_report

    report = build_report(demo_store, ci.id)
    assert [(n.when, n.text) for n in report.context_notes][-1] == ("3 to 14 Mar 2026", "two people on leave")
    assert report.context_notes[0].applies_to == "MTTR, everyone"


def test_check_ins_frozen_before_annotations_still_load():
    """Frozen JSON from before issue 16 has no context_notes: none, and nothing breaks."""
    from kpidesk.export.appraisal_source import _context_notes

    old = {"kpis": [{"kpi_id": 1, "name": "MTTR", "value": 5.0}], "readings": [{"text": "fine"}]}
    assert Facts.from_json(old, 1, "Alex", "2026-Q1").context_notes == []
    assert _context_notes(old) == []
    assert _context_notes({"context_notes": [{"text": "no date"}, {"on": "2026-03-03", "text": "kept"}]})[0].text \
        == "kept"


def test_note_cli_add_list_delete_and_exit_codes(db_path, mttr, capsys):
    db = ["--db", str(db_path)]
    assert run(db + ["note", "add", "--date", "2026-03-03", "--until", "2026-03-14", "--text", "two on leave",
                     "--desk"]) == 0
    assert "3 to 14 Mar 2026" in capsys.readouterr().out
    assert run(db + ["note", "add", "--date", "2026-03-05", "--text", "VPN rollout", "--kpi", "mttr", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["kpi"] == "MTTR" and made["scope"] == "" and made["on"] == "2026-03-05"
    assert run(db + ["note", "list", "--kpi", "MTTR", "--from", "2026-03", "--to", "2026-03-04", "--json"]) == 0
    assert [n["text"] for n in json.loads(capsys.readouterr().out)] == ["two on leave"]  # every KPI; VPN is later
    assert run(db + ["note", "list", "--desk", "--from", "2026-03-04", "--to", "2026-Q1", "--json"]) == 0
    assert [n["text"] for n in json.loads(capsys.readouterr().out)] == ["two on leave", "VPN rollout"]
    assert run(db + ["note", "list"]) == 0
    assert "#2" in capsys.readouterr().out
    # Bad input: exit 2, one line on stderr, nothing kept; a name or id that is not there: exit 1.
    for bad in (["--date", "2026-02-30", "--text", "x"], ["--date", "2026-03-05", "--text", "  "],
                ["--date", "2026-03-05", "--until", "2026-03-01", "--text", "x"],
                ["--date", "2026-03-05", "--text", "x" * (MAX_TEXT + 1)]):
        assert run(db + ["note", "add", *bad]) == 2, bad
        err = capsys.readouterr().err
        assert err.startswith("kpidesk: ") and err.count("\n") == 1 and "Traceback" not in err
    assert run(db + ["note", "list", "--from", "2026-04-01", "--to", "2026-03-01"]) == 2
    assert run(db + ["note", "add", "--date", "2026-03-05", "--text", "x", "--technician", " "]) == 2
    assert run(db + ["note", "add", "--date", "2026-03-05", "--text", "x", "--team", "Nope"]) == 1
    assert "no team named 'Nope'" in capsys.readouterr().err
    assert run(db + ["note", "add", "--date", "2026-03-05", "--text", "x", "--kpi", "Nope"]) == 1
    assert run(db + ["note", "delete", "2"]) == 0
    assert run(db + ["note", "delete", "2"]) == 1
    assert "no note 2" in capsys.readouterr().err
    assert run(db + ["note", "list", "--json"]) == 0
    assert [n["id"] for n in json.loads(capsys.readouterr().out)] == [1]
