"""Header presets: which export column holds which ticket field, per helpdesk tool.

A mapping is {ticket field: column header}. Headers match case- and whitespace-insensitively, because
Freshservice writes 'Created Time' where Freshdesk writes 'Created time'. Each preset names its
source system: tickets are keyed by (source_system, external_id), so a ServiceNow INC0010001 never
collides with a Zendesk ticket 10001. Aliases come from ../shared/helpdesk-exports.md.
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

# Fields a column can be mapped to. Most are Ticket columns; the last group are inputs that are
# converted into one (sla_breached -> sla_met inverted; sla_remaining: negative = breached;
# first_response_minutes -> first_response_at = created + minutes; csat -> score or positive flag).
FIELD_LABELS: dict[str, str] = {
    "external_id": "Ticket id", "created_at": "Created", "first_response_at": "First response",
    "resolved_at": "Resolved", "closed_at": "Closed", "updated_at": "Updated", "priority": "Priority",
    "ticket_type": "Type (incident / request)", "category": "Category", "status": "Status",
    "assignee": "Assignee", "resolver": "Resolved by", "group_name": "Group", "channel": "Channel",
    "reopen_count": "Reopen count", "reassignment_count": "Reassignment count",
    "escalated": "Escalated (yes/no)", "sla_met": "SLA met (yes/no)", "sla_due_at": "SLA due",
    "first_contact": "First contact resolution (yes/no)", "csat": "Satisfaction (CSAT)",
    "sla_breached": "SLA breached / overdue (yes/no)", "sla_remaining": "SLA time remaining",
    "first_response_minutes": "First response time (minutes)",
    "status_category": "Status category (To Do / In Progress / Done)",
    "status_changed_at": "Status category changed (Done time)",
}
FIELDS = tuple(FIELD_LABELS)
REQUIRED = ("external_id", "created_at")


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    source_system: str
    aliases: dict[str, tuple[str, ...]]
    priority_map: dict[str, int] = field(default_factory=dict)


def _p(name: str, label: str, system: str, prio: dict[str, int] | None = None, **aliases: str) -> Preset:
    return Preset(name, label, system, {f: tuple(a.split("|")) for f, a in aliases.items()}, prio or {})


# Jira prefixes custom fields by the export's language.
_JIRA_CUSTOM = ("Custom field", "Campo personalizado", "Champ personnalisé", "Benutzerdefinierte Felder",
                "Campo personalizzato")


def _jira_custom(*names: str) -> str:
    return "|".join(f"{prefix} ({n})" for n in names for prefix in _JIRA_CUSTOM)


# GLPI heads a column "<group> - <field>" in the user's language (GLPI 9.1 and 10.x locales, en,
# es (es_ES, es_CO 'Asignado a:', es_MX), fr, pt-BR, de, it); headers are matched with case, accents
# and punctuation folded, so 'Asignado a: - Técnico' and 'asignado a tecnico' are one.
_GLPI_ASSIGNED = ("Assigned to", "Attribué à", "Asignada a", "Asignado a", "Atribuído", "Atribuído a",
                  "Atribuído para", "Zugewiesen zu", "Zugewiesen an", "Assegnatario", "Assegnata a", "Assegnato a")
_GLPI_TECH = ("Technician", "Technicien", "Técnico", "Techniker", "Tecnico")
_GLPI_GROUP = ("Technician group", "Groupe de techniciens", "Grupo técnico", "Grupo de técnicos", "Technikergruppe",
               "Gruppo tecnico", "Group", "Groupe", "Grupo", "Gruppe", "Gruppo")


def _glpi_pairs(firsts: tuple[str, ...], seconds: tuple[str, ...]) -> str:
    return "|".join(f"{a} - {b}" for a in firsts for b in seconds)


PRESETS: dict[str, Preset] = {p.name: p for p in (
    _p("servicenow", "ServiceNow", "servicenow",
       external_id="Number|number", created_at="Opened|opened_at|Created|sys_created_on|sys_created_at",
       resolved_at="Resolved|resolved_at", closed_at="Closed|closed_at",
       updated_at="Updated|sys_updated_on|sys_updated_at", priority="Priority|priority",
       category="Category|category", status="State|state|Incident state|incident_state",
       assignee="Assigned to|assigned_to", resolver="Resolved by|resolved_by",
       group_name="Assignment group|assignment_group", channel="Contact type|contact_type",
       reopen_count="Reopen count|reopen_count", reassignment_count="Reassignment count|reassignment_count",
       sla_met="Made SLA|made_sla", sla_due_at="SLA due|sla_due", ticket_type="Type|sys_class_name"),
    _p("jira", "Jira Service Management", "jira",
       {"blocker": 1, "critical": 1, "major": 2, "minor": 3, "trivial": 4},
       external_id="Issue key|Clave de incidencia|Clé|Clé de ticket|Clé du ticket|Vorgangsschlüssel|Schlüssel"
                   "|Chave|Chave do item|Chave da item|Chave do ticket|Chiave",
       created_at="Created|Creada|Création|Créé|Créée|Erstellt|Criado|Criada|Creato",
       resolved_at="Resolved|Resuelta|Résolue|Résolu|Erledigt|Resolvido|Resolvida|Risolto",
       updated_at="Updated|Actualizada|Mise à jour|Mis à jour|Aktualisiert|Atualizado|Atualizada|Aggiornato",
       priority="Priority|Prioridad|Priorité|Priorität|Prioridade|Priorità",
       ticket_type="Issue Type|Tipo de Incidencia|Type de ticket|Type de demande|Vorgangstyp|Tipo de item"
                   "|Tipo de ticket|Tipo di ticket",
       category=_jira_custom("Request Type", "Tipo de solicitud", "Type de demande", "Anfragetyp"),
       status="Status|Estado|Statut|Stato",
       status_category="Status Category|Categoría de estado|Catégorie d'état|Catégorie de statut|Statuskategorie"
                       "|Categoria de status|Categoria do status|Categoria di stato",
       status_changed_at="Status Category Changed|Categoría de estado cambiada|Catégorie d'état modifiée"
                         "|Catégorie de statut modifiée|Statuskategorie geändert|Categoria de status alterada"
                         "|Categoria do status alterada|Categoria di stato modificata",
       assignee="Assignee|Persona asignada|Responsable|Personne assignée|Zugewiesene Person|Bearbeiter"
                "|Responsável|Assegnatario",
       csat="Satisfaction rating|Calificación de satisfacción|Note de satisfaction|Zufriedenheitsbewertung"
            "|Avaliação de satisfação|Valutazione della soddisfazione",
       sla_remaining=_jira_custom("Time to resolution", "Time to done"),
       first_response_at=_jira_custom("[CHART] Date of First Response")),
    _p("zendesk", "Zendesk", "zendesk",
       external_id="Id|Ticket ID", created_at="Created at", resolved_at="Solved at",
       updated_at="Updated at", priority="Priority", ticket_type="Ticket type", status="Status",
       assignee="Assignee|Assignee name", group_name="Group|Group name", channel="Via", reopen_count="Reopens",
       csat="Satisfaction Score|Satisfaction score", first_response_minutes="First reply time in minutes",
       category="Category|Category [list]"),
    _p("freshdesk", "Freshdesk / Freshservice", "freshdesk",
       external_id="Ticket ID|Ticket Id", created_at="Created time", resolved_at="Resolved time",
       closed_at="Closed time", updated_at="Last update time|Last Updated Time",
       first_response_at="Initial response time", priority="Priority", ticket_type="Type",
       category="Category", status="Status", assignee="Agent", group_name="Group", channel="Source",
       sla_met="Resolution status", sla_due_at="Due by Time", csat="Survey results|Survey Result"),
    _p("osticket", "osTicket", "osticket",
       external_id="Ticket Number|Ticket", created_at="Date Created|Create Date", closed_at="Closed Date|Close Date",
       updated_at="Last Updated|Last Update", priority="Priority", category="Help Topic",
       status="Current Status|Status", assignee="Agent Assigned|Assigned To|Agent",
       group_name="Team Assigned|Department", channel="Source", reopen_count="Reopen Count",
       sla_breached="Overdue|Is Overdue", sla_due_at="SLA Due Date|Due Date"),
    _p("glpi", "GLPI", "glpi",
       external_id="ID",
       created_at="Opening date|Date d'ouverture|Fecha de apertura|Data de abertura|Erstellungsdatum"
                  "|Data di apertura|Date of opening",
       resolved_at="Resolution date|Date de résolution|Fecha de resolución|Data da solução|Data de solução"
                   "|Datum der Lösung|Lösungsdatum|Data di risoluzione",
       closed_at="Closing date|Date de clôture|Fecha de cierre|Data de fechamento|Data de encerramento"
                 "|Abschlussdatum|Data di chiusura",
       updated_at="Last update|Dernière modification|Última actualización|Última modificación|Última atualização"
                  "|Letzte Aktualisierung|Letzte Änderung|Ultima modifica",
       priority="Priority|Priorité|Prioridad|Prioridade|Priorität|Priorità",
       ticket_type="Type|Tipo|Typ",
       category="Category|Catégorie|Categoría|Categoria|Kategorie",
       status="Status|Statut|Estado|Stato|État",
       assignee=_glpi_pairs(_GLPI_ASSIGNED, _GLPI_TECH) + "|" + "|".join(_GLPI_TECH),
       group_name=_glpi_pairs(_GLPI_ASSIGNED, _GLPI_GROUP) + "|Technician group|Groupe de techniciens|Grupo técnico"
                  "|Technikergruppe|Gruppo tecnico",
       sla_breached="Time to resolve exceeded|Temps de résolution dépassé|Se superó el tiempo de resolución"
                    "|Tempo para resolver excedido|Tempo para solução excedido|Zeit zur Behebung überschritten"
                    "|Tempo di risoluzione superato",
       sla_due_at="Time to resolve|Temps de résolution|TTR|Tiempo para resolver|Tempo para solução"
                  "|Zeit zur Behebung",
       csat=_glpi_pairs(("Satisfaction survey", "Enquête de satisfaction", "Encuesta de satisfacción",
                         "Pesquisa de satisfação", "Zufriedenheitsumfrage", "Sondaggio di gradimento"),
                        ("Satisfaction", "Satisfacción", "Satisfação", "Zufriedenheit", "Gradimento"))),
    _p("zammad", "Zammad", "zammad",
       external_id="#|Number|Nummer|Número|Numéro", created_at="Created At|Erstellt am|Creado el|Créé le|Criado em",
       closed_at="Closed At|Geschlossen am|Cerrado el|Fermé le|Fechado em",
       updated_at="Updated At|Aktualisiert am|Actualizado el|Mis à jour le|Atualizado em",
       first_response_at="First Response At|Erste Reaktion am", priority="Priority|Priorität|Prioridad|Priorité|Prioridade",
       status="State|Status|Estado|État", assignee="Owner|Besitzer|Propietario|Propriétaire|Proprietário",
       group_name="Group|Gruppe|Grupo|Groupe", channel="Create Channel", sla_due_at="Close Escalation At"),
)}

# The generic preset guesses from words in a header; first matching rule wins, so the specific
# ('resolved by') come before the general ('resolved').
_GENERIC_RULES: tuple[tuple[str, str], ...] = (
    ("resolver", r"resolved by|resolver|solved by"),
    ("status_changed_at", r"status category changed"),
    ("status_category", r"status category"),
    ("first_response_at", r"first (response|reply)( date| at| time)?$"),
    ("sla_due_at", r"sla due|due (date|by)"),
    ("sla_met", r"sla (met|made|achieved)|made sla|within sla"),
    ("sla_breached", r"overdue|sla (breach|breached|violated)"),
    ("reopen_count", r"reopen"),
    ("reassignment_count", r"reassign"),
    ("first_contact", r"first contact|fcr"),
    ("escalated", r"escalat"),
    ("csat", r"csat|satisfaction|survey"),
    ("external_id", r"^(ticket|incident|case|issue|request)?\s*(id|number|no\.?|#|key|ref)$|^(ticket|incident|case|number|id|key)$"),
    ("created_at", r"created|opened|open(ing)? date|submitted|logged|reported|createdate|creation"),
    ("resolved_at", r"resolved|solved|resolution ?date|completed"),
    ("closed_at", r"closed|closing"),
    ("updated_at", r"updated|modified|last update|changed"),
    ("priority", r"priority|severity|prio"),
    ("ticket_type", r"^(ticket |issue |request )?type$|^issuetype$"),
    ("category", r"category|categorie|categoria"),
    ("status", r"status|state"),
    ("assignee", r"assign|owner|agent|technician|engineer"),
    ("group_name", r"group|team|queue"),
    ("channel", r"channel|source|via|contact type"),
)


# Any generic rule at all, in one search: finding the header row asks this of every cell near the
# top of a file (dates and numbers included), 25 searches a cell one rule at a time.
_ANY_GENERIC = re.compile("|".join(f"(?:{pattern})" for _field, pattern in _GENERIC_RULES))


def matches_generic(header: str) -> bool:
    """Would guess_generic([header]) map this header onto some field?"""
    return folded_matches_generic(fold_header(header))


def folded_matches_generic(key: str) -> bool:
    """matches_generic for a header fold_header() has folded already."""
    return bool(key) and _ANY_GENERIC.search(key) is not None


def norm_header(header: object) -> str:
    return " ".join(str(header if header is not None else "").casefold().split())


def fold_header(header: object) -> str:
    """How a preset's alias meets a header: case, accents, punctuation and '_' folded
    ('Asignado a: - Técnico' == 'asignado a tecnico', 'resolved_at' == 'Resolved at')."""
    return _fold_text(header) if type(header) is str else _fold(header)


# Every import folds each alias of every preset again to match them, and the header scan folds
# the cells near the top of the file, many of them the same texts: each text is folded once.
@functools.lru_cache(maxsize=8192)
def _fold_text(header: str) -> str:
    return _fold(header)


def _fold(header: object) -> str:
    decomposed = unicodedata.normalize("NFKD", norm_header(header))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w#]+|_", " ", plain).split())


def header_signature(headers: list[str]) -> str:
    """SHA-256 of the normalised headers: files 'with the same headers' share remembered mappings."""
    return hashlib.sha256("\x1f".join(norm_header(h) for h in headers).encode()).hexdigest()


def _match_aliases(preset: Preset, headers: list[str]) -> dict[str, str]:
    index: dict[str, str] = {}
    for h in headers:
        index.setdefault(fold_header(h), h)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for fld, aliases in preset.aliases.items():
        for alias in aliases:
            hit = index.get(fold_header(alias))
            if hit is not None and hit in taken:
                continue
            if hit is not None:
                mapping[fld] = hit
                taken.add(hit)
                break
    return mapping


def guess_generic(headers: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for h in headers:
        key = fold_header(h)
        if not key or h in taken:
            continue
        for fld, pattern in _GENERIC_RULES:
            if fld not in mapping and re.search(pattern, key):
                mapping[fld] = h
                taken.add(h)
                break
    return mapping


def mapping_for(preset_name: str, headers: list[str]) -> dict[str, str]:
    if preset_name == "generic":
        return guess_generic(headers)
    try:
        preset = PRESETS[preset_name]
    except KeyError:
        raise KeyError(f"unknown preset {preset_name!r}; choose auto, generic or one of "
                       f"{', '.join(PRESETS)}") from None
    return _match_aliases(preset, headers)


def detect_preset(headers: list[str]) -> tuple[str, dict[str, str]]:
    """The preset whose aliases match most headers (and at least the id and the created date);
    'generic' when none does."""
    best: tuple[int, str, dict[str, str]] | None = None
    for name, preset in PRESETS.items():
        mapping = _match_aliases(preset, headers)
        if not all(f in mapping for f in REQUIRED):
            continue
        score = len(mapping)
        if best is None or score > best[0]:
            best = (score, name, mapping)
    if best is not None and best[0] >= 4:
        return best[1], best[2]
    return "generic", guess_generic(headers)


def source_system(preset_name: str) -> str:
    return PRESETS[preset_name].source_system if preset_name in PRESETS else "generic"


def priority_map(preset_name: str) -> dict[str, int]:
    return dict(PRESETS[preset_name].priority_map) if preset_name in PRESETS else {}


def missing_required(mapping: dict[str, str]) -> list[str]:
    return [FIELD_LABELS[f] for f in REQUIRED if not mapping.get(f)]
