"""Issue 12: the exports managers really have give the right numbers.

Each fixture is written by the test in its tool's real layout and language (headers, separators,
encodings, date formats, statuses, placeholders: ../shared/helpdesk-exports.md), with made-up names.
Every expected figure is worked by hand in the comments beside the rows, per DESIGN.md's rules
"When a ticket counts as resolved". None of these files imported right before issue 12.
"""
from __future__ import annotations

import json

import pytest

from kpidesk.cli import run as cli
from kpidesk.importing import tickets_import
from kpidesk.metrics.engine import compute
from tests.import_samples import tickets, write_csv


def figures(store, scope: str, period: str) -> dict[str, tuple]:
    """{metric: (value, count)} for one scope and month."""
    return {v.kpi: (v.value, v.count) for v in compute(store, scope_key=scope, granularity="month",
                                                         first=period, last=period, percentiles=False)}


def warned(report) -> dict[str, int]:
    out: dict[str, int] = {}
    for w in report.warnings:
        out[w.code] = out.get(w.code, 0) + w.count
    return out


def tech(store, name: str) -> str:
    return f"technician:{store.find_technician(name).id}"


# ---------------------------------------------------------------- GLPI, Spanish (es_CO headers)

GLPI_HEAD = ["ID", "Título", "Estado", "Fecha de Apertura", "Fecha de cierre", "Última actualización", "Prioridad",
             "Asignado a: - Técnico", "Asignado a: - Grupo de técnicos", "Categoría"]
GLPI_ROWS = [
    # ID with GLPI's thousands space; dates DD-MM-YYYY HH:MM; no resolution-date column, so the
    # closing date is the resolved time (its resolution time is known).
    ["5 731", "Impresora", "Cerrado", "02-03-2026 09:00", "02-03-2026 13:00", "02-03-2026 13:00", "Mediana",
     "Ana Lima", "Mesa de ayuda", "Hardware"],                      # 4 h, P3, March
    ["5 732", "Correo", "Cerrado", "03-03-2026 08:00", "04-03-2026 08:00", "04-03-2026 08:00", "Muy alta",
     "Ana Lima<br>Bo Chen", "Mesa de ayuda", "Correo"],             # 24 h, P1, shared by Ana and Bo
    ["5 733", "VPN", "Resuelto", "10-03-2026 10:00", "", "11-03-2026 10:00", "Alta",
     "Bo Chen", "Mesa de ayuda", "Red"],                            # done, no closing time: at its update, time unknown
    ["5 734", "Portátil", "En curso (asignada)", "15-03-2026 09:00", "16-03-2026 09:00", "16-03-2026 09:00", "Alta",
     "Ana Lima", "Mesa de ayuda", "Hardware"],                      # open status wins over the closing date
    ["5 735", "Teclado", "Nuevo", "20-03-2026 11:00", "", "20-03-2026 11:00", "Baja",
     "", "Mesa de ayuda", "Hardware"],                              # open, nobody yet
    ["5 736", "Monitor", "Cerrado", "25-02-2026 09:00", "02-03-2026 09:00", "02-03-2026 09:00", "Mediana",
     "Bo Chen", "Mesa de ayuda", "Hardware"],                       # 120 h, P3, created in February
    ["5 737", "Ratón", "Cerrado", "26-03-2026 10:00", "", "", "Mediana",
     "Bo Chen", "Mesa de ayuda", "Hardware"],                       # done with no time at all: no period, no backlog
    ["5 738", "Archivo", "Archivado", "27-03-2026 10:00", "28-03-2026 10:00", "28-03-2026 10:00", "Mediana",
     "Ana Lima", "Mesa de ayuda", "Hardware"],                      # a status nobody mapped: its dates decide (24 h)
]


@pytest.fixture
def glpi_file(tmp_path):
    return write_csv(tmp_path / "glpi.csv", GLPI_HEAD, GLPI_ROWS, delimiter=";", encoding="utf-8-sig")


def test_a_spanish_glpi_list(store, glpi_file):
    report = tickets_import.run(store, glpi_file)
    assert report.preset == "glpi" and report.rejected == 0 and report.created == 8
    assert tickets(store, "external_id")["5731"] == ("5731",)
    march = figures(store, "desk", "2026-03")
    # Resolved in March: 5731, 5732, 5733 (at its update), 5736, 5738; 5737 has no time, 5734 is open.
    assert march["resolved_count"] == (5, 5)
    # MTTR over the four with a known time: (4 + 24 + 120 + 24) / 4 = 43 h; 5733's time is unknown.
    assert march["mttr_hours"] == (pytest.approx(43.0), 4)
    # Backlog at the end of March: 5734 and 5735 (5737 is done, with no time). End of February: 5736.
    assert march["backlog_open"] == (2, 2) and march["backlog_change"][0] == 1
    assert figures(store, "desk", "2026-02")["backlog_open"] == (1, 1)
    # SLA by the clock, for the known times: 5731 P3 4 h <= 24 met; 5732 P1 24 h > 4; 5736 P3 120 h
    # > 24; 5738 P3 24 h <= 24 met (at the target exactly): 2 of 4.
    assert march["sla_compliance"] == (pytest.approx(0.5), 4)
    # The shared ticket counts for both technicians, and once for the desk (above).
    ana, bo = figures(store, tech(store, "Ana Lima"), "2026-03"), figures(store, tech(store, "Bo Chen"), "2026-03")
    assert ana["resolved_count"] == (3, 3) and ana["mttr_hours"] == (pytest.approx((4 + 24 + 24) / 3), 3)
    assert bo["resolved_count"] == (3, 3) and bo["mttr_hours"] == (pytest.approx((24 + 120) / 2), 2)
    assert sorted(t.display_name for t in store.list_technicians()) == ["Ana Lima", "Bo Chen"]
    # The group column is a scope of its own.
    assert store.list_groups() == ["Mesa de ayuda"]
    assert figures(store, "group:Mesa de ayuda", "2026-03")["resolved_count"] == (5, 5)
    assert warned(report) == {"resolved_closed": 4, "resolved_updated_assumed": 1, "resolved_no_time": 1,
                              "open_status_with_dates": 1, "unknown_status": 1, "split_names": 1, "no_technician": 1}
    unknown = next(w for w in report.warnings if w.code == "unknown_status")
    assert "'Archivado'" in unknown.message and unknown.rows == [9]


def test_the_mapping_round_trips_through_the_command_line(db_path, glpi_file, tmp_path, capsys):
    """--show-mapping prints what detection uses, ready to edit; --mapping imports with the edit;
    `imports --json` gives the same mapping back."""
    assert cli(["--db", str(db_path), "import", str(glpi_file), "--show-mapping"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["preset"] == "glpi"
    assert doc["columns"]["assignee"] == "Asignado a: - Técnico" and doc["columns"]["closed_at"] == "Fecha de cierre"
    assert doc["status_categories"] == {"Cerrado": "closed", "Resuelto": "resolved", "En curso (asignada)": "open",
                                        "Nuevo": "open", "Archivado": None}
    assert doc["priority_tiers"] == {"Mediana": 3, "Muy alta": 1, "Alta": 2, "Baja": 4}
    assert not db_path.with_name("glpi-show.db").exists()
    doc["status_categories"]["Archivado"] = "open"  # the manager's answer: archived here means parked
    doc["priority_tiers"]["Mediana"] = 2
    edited = tmp_path / "map.json"
    edited.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert cli(["--db", str(db_path), "import", str(glpi_file), "--mapping", str(edited), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert "unknown_status" not in {w["code"] for w in result["warnings"]}
    got = tickets(db_path, "status_category", "resolved_at", "priority_tier")
    assert got["5738"] == ("open", None, 2)  # open now, so in the backlog instead of resolved
    assert cli(["--db", str(db_path), "imports", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)[0]["mapping"]
    assert listed["columns"] == doc["columns"] and listed["status_categories"]["Archivado"] == "open"
    assert listed["priority_tiers"]["Mediana"] == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"columns": {"external_id": "ID",}}')
    assert cli(["--db", str(db_path), "import", str(glpi_file), "--mapping", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.json is not valid JSON at line 1" in err


# ---------------------------------------------------------------- ServiceNow list, no resolved column

SN_HEAD = ["Number", "Opened", "State", "Assigned to", "Updated"]
SN_ROWS = [
    ["INC0010001", "2026-04-01 09:00:00", "Closed", "Ann Ito", "2026-04-03 10:00:00"],     # done: at its update
    ["INC0010002", "2026-04-02 09:00:00", "Resolved", "Ben Ode", "2026-04-02 17:00:00"],  # done: at its update
    ["INC0010003", "2026-04-05 09:00:00", "In Progress", "Ann Ito", "2026-04-06 09:00:00"],
    ["INC0010004", "2026-04-07 09:00:00", "On Hold", "Ben Ode", "2026-04-08 09:00:00"],
    ["INC0010005", "2026-03-30 09:00:00", "Canceled", "Ann Ito", "2026-04-01 09:00:00"],  # closed category
    ["INC0010006", "2026-04-10 09:00:00", "New", "", "2026-04-10 09:00:00"],
]


def test_a_servicenow_list_with_state_and_no_resolved_column(store, tmp_path):
    report = tickets_import.run(store, write_csv(tmp_path / "incident.csv", SN_HEAD, SN_ROWS))
    assert report.preset == "servicenow" and report.created == 6
    april = figures(store, "desk", "2026-04")
    assert april["resolved_count"] == (3, 3)  # 0001, 0002 and 0005, each at its last update
    assert april["mttr_hours"] == (None, 0)  # no resolution time is known: none, never 0
    assert april["backlog_open"] == (3, 3)  # 0003, 0004, 0006
    assert figures(store, "desk", "2026-03")["backlog_open"] == (1, 1)  # 0005 was open at the end of March
    assert april["backlog_change"][0] == 2
    assert warned(report) == {"resolved_updated_assumed": 3, "no_technician": 1}


# ---------------------------------------------------------------- Zendesk: placeholders, text CSAT, groups only

ZD_HEAD = ["Id", "Requester", "Group", "Subject", "Status", "Priority", "Created at", "Updated at", "Solved at",
           "Satisfaction Score"]
ZD_ROWS = [
    [1001, "req", "Support", "s", "Solved", "Normal", "2026-05-04 09:00:00", "2026-05-04 15:00:00",
     "2026-05-04 15:00:00", "Good, I'm satisfied"],                            # 6 h, positive
    [1002, "req", "Support", "s", "Closed", "High", "2026-05-05 10:00:00", "2026-05-06 10:00:00",
     "2026-05-06 10:00:00", "Bad, I'm unsatisfied"],                           # 24 h, negative
    [1003, "req", "Support", "s", "Open", "Urgent", "2026-05-07 08:00:00", "2026-05-07 08:00:00",
     "1900-01-01 00:00:00", "Unoffered"],                                      # open: the placeholder is no date
    [1004, "req", "Billing", "s", "Pending", "Low", "2026-05-08 08:00:00", "2026-05-08 08:00:00",
     "1900-01-01 00:00:00", "Unoffered"],                                      # open
    [1005, "req", "Billing", "s", "Solved", "Normal", "2026-05-10 09:00:00", "2026-05-10 21:00:00",
     "2026-05-10 21:00:00", "Offered"],                                        # 12 h, no answer
    [1006, "req", "Support", "s", "Solved", "Low", "2026-05-11 09:00:00", "2026-05-12 09:00:00",
     "2026-05-12 09:00:00", "4"],                                              # 24 h, score 4
]


def test_a_zendesk_export_with_placeholders_text_csat_and_only_groups(db_path, store, tmp_path, capsys):
    report = tickets_import.run(store, write_csv(tmp_path / "zendesk.csv", ZD_HEAD, ZD_ROWS))
    assert report.preset == "zendesk" and report.rejected == 0 and report.created == 6
    may = figures(store, "desk", "2026-05")
    assert may["resolved_count"] == (4, 4)
    assert may["mttr_hours"] == (pytest.approx((6 + 24 + 12 + 24) / 4), 4)
    assert may["backlog_open"] == (2, 2)  # 1003 and 1004, no longer rejected as "resolved before created"
    assert may["csat_mean"] == (4.0, 1)
    assert may["csat_positive_rate"] == (0.5, 2)
    assert may["csat_response_rate"] == (pytest.approx(0.75), 4)
    support = figures(store, "group:Support", "2026-05")
    assert support["resolved_count"] == (3, 3) and support["mttr_hours"] == (pytest.approx(18.0), 3)
    assert support["backlog_open"] == (1, 1)
    assert figures(store, "group:Billing", "2026-05")["mttr_hours"] == (12.0, 1)
    assert warned(report) == {"placeholder_dates": 2, "no_technician": 6}
    placeholder = next(w for w in report.warnings if w.code == "placeholder_dates")
    assert "'Solved at'" in placeholder.message and placeholder.rows == [4, 5]
    store.close()
    assert cli(["--db", str(db_path), "metrics", "--group", "support", "--period", "2026-05", "--json"]) == 0
    rows = {r["kpi"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows["resolved_count"]["scope"], rows["resolved_count"]["who"]) == ("group", "Support")
    assert rows["mttr_hours"]["value"] == pytest.approx(18.0)
    assert cli(["--db", str(db_path), "metrics", "--group", "Nope"]) == 1
    assert "groups: Billing, Support" in capsys.readouterr().err


# ---------------------------------------------------------------- Freshdesk: Resolved status, empty Resolved time

FD_HEAD = ["Ticket ID", "Subject", "Status", "Priority", "Agent", "Group", "Created time", "Resolved time",
           "Closed time", "Last update time", "Survey results"]
FD_ROWS = [
    [501, "s", "Resolved", "Medium", "Cara Diaz", "IT", "2026-06-01 09:00:00", "", "", "2026-06-02 09:00:00",
     "Extremely satisfied"],                        # done at its update, time unknown; CSAT 5
    [502, "s", "Resolved", "High", "Cara Diaz", "IT", "2026-06-02 09:00:00", "2026-06-02 11:00:00", "",
     "2026-06-02 11:00:00", "Slightly dissatisfied"],  # 2 h; CSAT 7/3 on the seven-point scale
    [503, "s", "Closed", "Low", "Dev Rao", "IT", "2026-06-03 09:00:00", "", "2026-06-05 09:00:00",
     "2026-06-05 09:00:00", "Meh"],                 # done at its closing time, time unknown; no score
    [504, "s", "Open", "Urgent", "Dev Rao", "IT", "2026-06-04 09:00:00", "", "", "2026-06-04 09:00:00", ""],
    [505, "s", "Waiting on Customer", "Medium", "Cara Diaz", "IT", "2026-06-05 09:00:00", "", "",
     "2026-06-05 10:00:00", ""],
]


def test_a_freshdesk_export_with_resolved_status_and_no_resolved_time(store, tmp_path):
    report = tickets_import.run(store, write_csv(tmp_path / "freshdesk.csv", FD_HEAD, FD_ROWS))
    assert report.preset == "freshdesk" and report.rejected == 0 and report.created == 5
    june = figures(store, "desk", "2026-06")
    assert june["resolved_count"] == (3, 3)
    assert june["mttr_hours"] == (2.0, 1)  # only 502's resolution time is known
    assert june["backlog_open"] == (2, 2)
    assert june["csat_mean"] == (pytest.approx((5 + 7 / 3) / 2), 2)  # 'Meh' is no response, the ticket kept
    assert warned(report) == {"resolved_closed_assumed": 1, "resolved_updated_assumed": 1, "csat_unscored": 1}
    assert tickets(store, "resolved_basis", "resolution_hours")["503"] == ("closed_assumed", None)


# ---------------------------------------------------------------- Jira: comment cells with ';', empty Resolved

JIRA_HEAD = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Priority", "Assignee", "Created",
             "Updated", "Resolved", "Comment", "Comment", "Status Category", "Status Category Changed"]
JIRA_ROWS = [
    ["Printer", "IHS-1", "10001", "[System] Incident", "Done", "Medium", "Eve Ruiz", "02/Jul/26 9:10 AM",
     "03/Jul/26 10:00 AM", "", "02/Jul/26 9:30 AM;557058:abc;Looking into it", "03/Jul/26 10:00 AM;557058:abc;Fixed",
     "Done", "03/Jul/26 10:00 AM"],                 # Done, no Resolved: at the category change, 24 h 50 min
    ["VPN", "IHS-2", "10002", "[System] Incident", "In Progress", "High", "Eve Ruiz", "05/Jul/26 8:00 AM",
     "05/Jul/26 8:05 AM", "", "05/Jul/26 8:05 AM;557058:abc;On it", "", "In Progress", "05/Jul/26 8:05 AM"],
    ["Laptop", "IHS-3", "10003", "[System] Service request", "Done", "Highest", "Finn Ole", "06/Jul/26 1:00 PM",
     "06/Jul/26 3:00 PM", "06/Jul/26 3:00 PM", "06/Jul/26 2:00 PM;557058:abc;Swapped; user happy", "",
     "Done", "06/Jul/26 3:00 PM"],                  # 2 h
]


def test_a_jira_export_with_comment_cells_and_empty_resolved(store, tmp_path):
    path = write_csv(tmp_path / "jira.csv", JIRA_HEAD, JIRA_ROWS)
    report = tickets_import.run(store, path)
    assert report.preset == "jira" and report.created == 3 and report.rejected == 0
    july = figures(store, "desk", "2026-07")
    assert july["resolved_count"] == (2, 2)
    assert july["mttr_hours"] == (pytest.approx((24 + 50 / 60 + 2) / 2), 2)
    assert july["backlog_open"] == (1, 1)
    assert warned(report) == {"resolved_status_changed": 1}


# ---------------------------------------------------------------- UTF-8 with one stray byte

def test_a_utf8_file_with_one_bad_byte_stays_utf8(store, tmp_path):
    names = ["José Núñez", "Zoë Müller", "Łucja Wróbel"]
    lines = ["Number,Opened,Resolved,Priority,Assigned to,Category"]
    for i in range(2000):
        lines.append(f"INC{i:05d},2026-08-03 09:00:00,2026-08-03 11:00:00,3 - Moderate,{names[i % 3]},Réseau")
    data = bytearray("\r\n".join(lines).encode("utf-8") + b"\r\n")
    at = data.index(b"INC01499")  # file row 1,501: its category gets a cp1252 'é'
    cut = data.index(b"R\xc3\xa9seau", at)
    data[cut:cut + 7] = b"R\xe9seau"
    path = tmp_path / "utf8.csv"
    path.write_bytes(bytes(data))
    report = tickets_import.run(store, path)
    assert report.created == 2000 and report.rejected == 0
    assert sorted(t.display_name for t in store.list_technicians()) == sorted(names)  # no 'JosÃ©' ghosts
    replaced = next(w for w in report.warnings if w.code == "replaced_bytes")
    assert (replaced.count, replaced.rows) == (1, [1501])
    assert tickets(store, "category")["INC01499"] == ("R\ufffdseau",)
    assert figures(store, "desk", "2026-08")["mttr_hours"] == (2.0, 2000)


def test_a_cp1251_file_is_read_as_cp1251(store, tmp_path):
    rows = [["INC1", "2026-08-03 09:00:00", "2026-08-03 10:00:00", "P2", "Иван Петров"],
            ["INC2", "2026-08-04 09:00:00", "", "P3", "Ольга Смирнова"]]
    path = write_csv(tmp_path / "ru.csv", ["Number", "Opened", "Resolved", "Priority", "Assigned to"], rows,
                     delimiter=";", encoding="cp1251")
    tickets_import.run(store, path)
    assert sorted(t.display_name for t in store.list_technicians()) == ["Иван Петров", "Ольга Смирнова"]
