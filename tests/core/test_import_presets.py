"""Each tool's export layout is recognised and read (issue 3). Files are written in the real header
layouts of ../shared/helpdesk-exports.md; expected values are worked out by hand."""
from __future__ import annotations

import datetime as dt

import pytest

from kpidesk.importing.presets import detect_preset
from kpidesk.importing.tickets_import import run
from tests.import_samples import tickets, write_csv, write_xlsx

D = dt.datetime
COLS = ("source_system", "created_at", "resolved_at", "priority_tier", "technician_id", "sla_met",
        "reopen_count", "csat_score", "csat_positive", "status", "first_response_at", "closed_at")


def _tech(store, name):
    return store.find_technician(name).id


def test_servicenow_labels_xlsx_with_title_rows(store, tmp_path):
    head = ["Number", "Opened", "Resolved", "Closed", "Priority", "State", "Assigned to", "Resolved by",
            "Made SLA", "Reopen count", "Reassignment count", "Updated", "Assignment group"]
    rows = [
        ["INC0010001", D(2026, 1, 5, 9, 0), D(2026, 1, 5, 11, 30), None, "1 - Critical", "Resolved", "Jane Doe",
         "Sam Lee", True, 0, 1, D(2026, 1, 5, 12, 0), "Service Desk"],
        ["INC0010002", D(2026, 1, 6, 9, 0), None, None, "5 - Planning", "In Progress", "Jane Doe", None,
         None, None, None, D(2026, 1, 6, 9, 5), "Service Desk"],
    ]
    p = write_xlsx(tmp_path / "incident.xlsx", head, rows, title_rows=[["Incident list"], []])
    r = run(store, p)
    assert (r.preset, r.created, r.rejected, r.new_technicians) == ("servicenow", 2, 0, ["Jane Doe", "Sam Lee"])
    got = tickets(store, *COLS)
    assert got["INC0010001"][:7] == ("servicenow", "2026-01-05 09:00:00.000000", "2026-01-05 11:30:00.000000", 1,
                                     _tech(store, "Sam Lee"), 1, 0)  # resolver wins over assignee
    assert got["INC0010002"][3:5] == (4, _tech(store, "Jane Doe"))  # 5 - Planning -> P4; assignee


def test_servicenow_raw_names_csv_event_log(store, tmp_path):
    """UCI-style: field names, D/M/YYYY dates, '?' nulls, several rows per incident (latest update wins)."""
    head = ["number", "incident_state", "reassignment_count", "reopen_count", "made_sla", "opened_at",
            "sys_updated_at", "priority", "assigned_to", "resolved_by", "resolved_at", "closed_at"]
    rows = [
        ["INC0000045", "New", 0, 0, "true", "29/2/2016 01:16", "29/2/2016 01:23", "3 - Moderate", "?", "?", "?", "?"],
        ["INC0000045", "Resolved", 1, 0, "true", "29/2/2016 01:16", "1/3/2016 09:52", "3 - Moderate", "Resolver 17",
         "Resolver 149", "1/3/2016 09:52", "?"],
        ["INC0000045", "Active", 0, 0, "true", "29/2/2016 01:16", "29/2/2016 08:53", "3 - Moderate", "Resolver 17", "?", "?", "?"],
    ]
    r = run(store, write_csv(tmp_path / "incident_event_log.csv", head, rows))
    assert (r.preset, r.created, r.rejected, r.rows_read) == ("servicenow", 1, 0, 3)
    assert r.date_order == "day-first (detected)"
    got = tickets(store, "status", "resolved_at", "reassignment_count", "technician_id", "resolution_hours")
    assert got["INC0000045"][:4] == ("Resolved", "2016-03-01 09:52:00.000000", 1, _tech(store, "Resolver 149"))
    assert abs(got["INC0000045"][4] - (24 + 8 + 36 / 60)) < 1e-9  # 29/2 01:16 -> 1/3 09:52 = 32.6 h


def test_jira_csv(store, tmp_path):
    head = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Priority", "Assignee", "Created",
            "Updated", "Resolved", "Custom field (Time to resolution)", "Satisfaction rating", "Watchers", "Watchers"]
    rows = [["VPN down", "IHS-5", "10005", "Incident", "Done", "Highest", "Ana Ruiz", "18/jul/26 9:10 AM",
             "18/jul/26 10:53 AM", "18/jul/26 10:53 AM", "22:17", "5", "a", "b"],
            ["Laptop", "IHS-6", "10006", "Service Request", "Done", "Major", "Ana Ruiz", "20/Jul/26 9:00 AM",
             "21/Jul/26 11:00 PM", "21/Jul/26 11:00 PM", "-2:18", "", "", ""]]
    r = run(store, write_csv(tmp_path / "Jira.csv", head, rows))
    assert (r.preset, r.created, r.rejected) == ("jira", 2, 0)
    got = tickets(store, "created_at", "sla_met", "csat_score", "ticket_type", "priority_tier")
    assert got["IHS-5"] == ("2026-07-18 09:10:00.000000", 1, 5.0, "incident", 1)
    assert got["IHS-6"] == ("2026-07-20 09:00:00.000000", 0, None, "request", 2)  # Jira Major = P2; breached


def test_zendesk_csv(store, tmp_path):
    head = ["Id", "Requester", "Assignee", "Group", "Subject", "Status", "Priority", "Via", "Ticket type",
            "Created at", "Updated at", "Solved at", "Satisfaction Score", "Reopens", "Replies",
            "First reply time in minutes"]
    rows = [[101, "x", "Kim Ito", "Support", "s", "Solved", "Urgent", "Mail", "incident", "2026-03-02 08:00:00",
             "2026-03-02 10:00:00", "2026-03-02 09:30:00", "Good", 0, 1, 45],
            [102, "y", "-", "Support", "s", "Open", "Normal", "Web", "question", "2026-03-03 08:00:00",
             "2026-03-03 08:10:00", "", "Offered", 0, 0, ""]]
    r = run(store, write_csv(tmp_path / "zendesk.csv", head, rows))
    assert (r.preset, r.created, r.rejected) == ("zendesk", 2, 0)
    got = tickets(store, "priority_tier", "csat_positive", "first_response_at", "assignee", "technician_id")
    assert got["101"] == (1, 1, "2026-03-02 08:45:00.000000", "Kim Ito", _tech(store, "Kim Ito"))
    assert got["102"] == (3, None, None, "", None)  # '-' is a placeholder: no assignee, nobody created


def test_freshdesk_xlsx_capitalisation_and_sla_words(store, tmp_path):
    head = ["Ticket Id", "Subject", "Status", "Priority", "Type", "Agent", "Group", "Created Time",
            "Resolved Time", "Closed Time", "Last Updated Time", "Resolution Status", "Survey Result"]
    rows = [[7, "s", "Closed", "Medium", "Incident", "Lee Chan", "IT", D(2026, 4, 1, 9), D(2026, 4, 1, 17),
             D(2026, 4, 2, 9), D(2026, 4, 2, 9), "SLA Violated", "Bad"]]
    r = run(store, write_xlsx(tmp_path / "fresh.xlsx", head, rows, sheet="Tickets"))
    assert (r.preset, r.created) == ("freshdesk", 1)
    assert tickets(store, "sla_met", "csat_positive", "priority_tier", "closed_at")["7"] == \
        (0, 0, 3, "2026-04-02 09:00:00.000000")


def test_osticket_csv_with_bom_semicolons_and_apostrophes(store, tmp_path):
    head = ["Ticket Number", "Date Created", "Subject", "Priority", "Department", "Help Topic", "Current Status",
            "Last Updated", "SLA Due Date", "Closed Date", "Overdue", "Agent Assigned", "Reopen Count"]
    rows = [["'-5", "2026-05-04 08:00:00", "'=cmd", "Emergency", "IT", "Email", "Closed", "2026-05-04 12:00:00",
             "2026-05-04 10:00:00", "2026-05-04 12:00:00", "1", "Mo Khan", "2"]]
    p = write_csv(tmp_path / "osticket.csv", head, rows, delimiter=";", encoding="utf-8-sig")
    r = run(store, p)
    assert (r.preset, r.created, r.rejected) == ("osticket", 1, 0)
    got = tickets(store, "sla_met", "priority_tier", "reopen_count", "reopened", "category")
    assert got["-5"] == (0, 1, 2, 1, "Email")  # apostrophe stripped; Overdue 1 -> SLA not met


def test_glpi_french_day_first_semicolons(store, tmp_path):
    head = ["ID", "Titre", "Statut", "Dernière modification", "Date d'ouverture", "Priorité",
            "Demandeur - Demandeur", "Attribué à - Technicien", "Catégorie", "Date de résolution"]
    rows = [["52 267", "Imprimante", "Résolu", "06-01-2026 09:00", "05-01-2026 16:24", "Très haute", "x",
             "Luc Martin", "Matériel > Imprimante", "06-01-2026 08:24"],
            ["5\u00a0732\u00a0943", "Mail", "Nouveau", "02-01-2026 10:00", "02-01-2026 10:00", "Basse", "y", "", "", ""],
            ["52 300", "VPN", "Nouveau", "22-01-2026 10:00", "22-01-2026 10:00", "Moyenne", "z", "", "", ""]]
    p = write_csv(tmp_path / "glpi.csv", head, rows, delimiter=";", encoding="utf-8-sig")
    r = run(store, p)
    assert (r.preset, r.created, r.rejected) == ("glpi", 3, 0)
    assert r.date_order == "day-first (detected)"  # 22-01 settles it (05-01 alone could not)
    got = tickets(store, "created_at", "priority_tier", "resolution_hours", "category")
    assert got["52267"] == ("2026-01-05 16:24:00.000000", 1, 16.0, "Matériel > Imprimante")
    assert got["5732943"][1] == 4


def test_zammad_xlsx_counts_priorities_upwards(store, tmp_path):
    head = ["#", "Title", "State", "Priority", "Group", "Owner", "Customer", "Created At", "Updated At",
            "Closed At", "First Response At"]
    rows = [[31001, "t", "closed", "3 high", "Users", "Eva Berg", "c", D(2026, 6, 1, 8), D(2026, 6, 1, 9),
             D(2026, 6, 1, 9), D(2026, 6, 1, 8, 15)],
            [31002, "t", "open", "1 low", "Users", "Eva Berg", "c", D(2026, 6, 2, 8), D(2026, 6, 2, 8), None, None]]
    r = run(store, write_xlsx(tmp_path / "zammad.xlsx", head, rows, sheet="Tickets"))
    assert (r.preset, r.created) == ("zammad", 2)
    got = tickets(store, "priority_tier", "first_response_at")
    assert got["31001"] == (2, "2026-06-01 08:15:00.000000") and got["31002"][0] == 4


def test_generic_preset_guesses_from_header_words():
    preset, mapping = detect_preset(["Ticket ID", "Date Opened", "Date Resolved", "Technician", "Priority",
                                     "Resolved By", "Team"])
    assert preset == "generic"
    assert mapping == {"external_id": "Ticket ID", "created_at": "Date Opened", "resolved_at": "Date Resolved",
                       "assignee": "Technician", "priority": "Priority", "resolver": "Resolved By",
                       "group_name": "Team"}


def test_the_one_search_header_test_agrees_with_the_generic_rules():
    """matches_generic() (used on every cell while finding the header row) says yes exactly when
    guess_generic() maps the header onto some field."""
    from kpidesk.importing.presets import _GENERIC_RULES, guess_generic, matches_generic

    samples = ["Ticket ID", "Number", "Opened", "Resolved by", "First response", "First response time x",
               "SLA due", "Made SLA", "Reopen count", "Type", "Ticket type", "Request type", "Queue",
               "Contact type", "2025-04-08 20:11:00", "12", "", "   ", "Short description", "Caller",
               "Impact", "Urgency", "Location", "Configuration item", "INC0012345", "Satisfaction",
               "Issue key", "no.", "Id", "id x", "Fcr", "Escalation", "Total"]
    samples += [p.replace("\\", "").replace("$", "").replace("^", "").split("|")[0] for _f, p in _GENERIC_RULES]
    for text in samples:
        assert matches_generic(text) == bool(guess_generic([text])), text


GLPI_LANGS = {  # (id, opening, closing, status, priority, technician), as each locale heads them
    "en": ["ID", "Opening date", "Closing date", "Status", "Priority", "Assigned to - Technician"],
    "fr": ["ID", "Date d'ouverture", "Date de clôture", "Statut", "Priorité", "Attribué à - Technicien"],
    "es": ["ID", "Fecha de apertura", "Fecha de cierre", "Estado", "Prioridad", "Asignada a - Técnico"],
    "es_CO": ["ID", "Fecha de Apertura", "Fecha de cierre", "Estado", "Prioridad", "Asignado a: - Técnico"],
    "pt_BR": ["ID", "Data de abertura", "Data de fechamento", "Status", "Prioridade", "Atribuído - Técnico"],
    "de": ["ID", "Erstellungsdatum", "Abschlussdatum", "Status", "Priorität", "Zugewiesen zu - Techniker"],
    "it": ["ID", "Data di apertura", "Data di chiusura", "Stato", "Priorità", "Assegnatario - Tecnico"],
}


@pytest.mark.parametrize("lang", sorted(GLPI_LANGS))
def test_glpi_lists_in_every_language_are_recognised(lang):
    """Issue 12: a Spanish GLPI list failed with 'Cannot find the Created column'."""
    headers = GLPI_LANGS[lang] + ["Título"]
    preset, mapping = detect_preset(headers)
    assert preset == "glpi"
    assert [mapping.get(f) for f in ("external_id", "created_at", "closed_at", "status", "priority", "assignee")] \
        == GLPI_LANGS[lang]


JIRA_LANGS = {
    "en": ["Issue key", "Created", "Resolved", "Status", "Assignee", "Status Category", "Status Category Changed"],
    "es": ["Clave de incidencia", "Creada", "Resuelta", "Estado", "Persona asignada", "Categoría de estado",
           "Categoría de estado cambiada"],
    "de": ["Vorgangsschlüssel", "Erstellt", "Erledigt", "Status", "Zugewiesene Person", "Statuskategorie",
           "Statuskategorie geändert"],
}


@pytest.mark.parametrize("lang", sorted(JIRA_LANGS))
def test_jira_exports_in_their_languages(lang):
    preset, mapping = detect_preset(JIRA_LANGS[lang] + ["Priority", "Summary"])
    assert preset == "jira"
    assert [mapping.get(f) for f in ("external_id", "created_at", "resolved_at", "status", "assignee",
                                     "status_category", "status_changed_at")] == JIRA_LANGS[lang]


@pytest.mark.parametrize("status, category", [
    ("En curso (asignada)", "open"), ("en cours (Attribué)", "open"), ("Em atendimento (atribuído)", "open"),
    ("In Bearbeitung (zugewiesen)", "open"), ("In lavorazione (assegnata)", "open"), ("Pendiente", "open"),
    ("Waiting on Customer", "open"), ("warten auf Erinnerung", "open"), ("pending close", "open"),
    ("Awaiting User Info", "open"), ("On Hold", "open"), ("Zu erledigen", "open"), ("Listo", "resolved"),
    ("Resuelto", "resolved"), ("Résolu", "resolved"), ("Solucionado", "resolved"), ("Gelöst", "resolved"),
    ("Risolto", "resolved"), ("Solved", "resolved"), ("Done", "resolved"), ("Cerrado", "closed"), ("Clos", "closed"),
    ("Fechado", "closed"), ("Geschlossen", "closed"), ("Chiusa", "closed"), ("Canceled", "closed"),
    ("Closed - Resolved by Caller", "closed"), ("Parked", None), ("", None),
])
def test_statuses_in_their_languages(status, category):
    from kpidesk.importing.statuses import StatusMap

    assert StatusMap()(status) == category


def test_the_managers_status_answer_wins_and_a_wrong_one_is_refused():
    from kpidesk.importing.statuses import StatusMap

    assert StatusMap({"Parked": "open", "Resolved": "open"})("resolved") == "open"
    with pytest.raises(ValueError, match="open, resolved or closed"):
        StatusMap({"Parked": "shelved"})


@pytest.mark.parametrize("text, tier", [("Mediana", 3), ("Muy alta", 1), ("Média", 3), ("Alta", 2), ("Baja", 4),
                                        ("Muy baja", 4), ("Urgente", 1), ("Crítica", 1), ("Hoch", 2),
                                        ("Niedrig", 4), ("Haute", 2), ("Basse", 4), ("Très haute", 1),
                                        ("Majeure", 1), ("Primordial", 1), ("Molto alta", 1), ("Höchste", 1),
                                        ("Mais baixa", 4)])
def test_priorities_in_their_languages(text, tier):
    from kpidesk.importing.normalise import PriorityParser

    assert PriorityParser()(text) == tier
