"""Ticket statuses onto DESIGN.md's three categories: open, resolved, closed.

Each tool names its statuses its own way, in the language of the person who exported the file
(GLPI 'En curso (asignada)', Zammad 'warten auf Erinnerung', Jira 'Zu erledigen'). The category,
not the word, decides whether a ticket is done: an open status makes the ticket open whatever dates
it carries, a resolved or closed one makes it done even when its resolved column is empty.

Sources (../shared/helpdesk-exports.md and the locale research in the import notes): GLPI 9.1 and
10.0.4 locales (en, es, fr, pt-BR, de, it), Zammad's i18n files, osTicket's ticket_status.yaml,
ServiceNow's incident states (and the UCI log's incident_state), Zendesk and Freshdesk's fixed
statuses, Jira's status categories. The manager can correct or add any spelling: settings key
'status_categories' ({status as written: category}), or "status_categories" in a mapping file.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

CATEGORIES = ("open", "resolved", "closed")
DONE = frozenset({"resolved", "closed"})


def fold_status(text: Any) -> str:
    """Case, accent, punctuation and spacing insensitive: 'En curso (Asignada)' == 'en curso asignada'."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


_OPEN = """
new|open|opened|reopened|re opened|active|assigned|pending|on hold|hold|in progress|work in progress|
waiting on customer|waiting on third party|waiting for customer|waiting for support|waiting for approval|
waiting|awaiting user info|awaiting vendor|awaiting problem|awaiting evidence|awaiting caller|awaiting change|
awaiting|processing|processing assigned|processing planned|planned|to do|todo|backlog|selected for development|
triage|escalated|pending reminder|pending close|under investigation|in review|
nuevo|nueva|abierto|abierta|reabierto|reabierta|pendiente|en espera|en curso|en curso asignada|en curso planificada|
en curso asignado|en curso planificado|en progreso|en proceso|asignado|asignada|por hacer|tareas por hacer|
esperando|esperando respuesta|pendiente recordatorio|pendiente cerrar|procesando asignado|procesando planificado|
novo|nova|aberto|aberta|reaberto|pendente|em andamento|em atendimento|em atendimento atribuido|
em atendimento planejado|processando atribuido|processando planejado|aguardando|em espera|itens pendentes|
atribuido|a fazer|pendente encerrar|
nouveau|nouvelle|ouvert|ouverte|en attente|en cours|en cours attribue|en cours planifie|a faire|rappel en attente|
cloture en attente|
neu|offen|in bearbeitung|in bearbeitung zugewiesen|in bearbeitung mit zeitplan|in der warteschlange|wartend|
warten auf erinnerung|warten auf schliessen|zu erledigen|in arbeit|ausstehend|zugewiesen|
nuova|nuovo|aperto|aperta|in lavorazione|in lavorazione assegnata|in lavorazione pianificata|in sospeso|
in attesa|in corso|assegnata
"""
_RESOLVED = """
resolved|solved|done|fixed|completed|complete|resolved by caller|
resuelto|resuelta|solucionado|solucionada|listo|hecho|terminado|finalizado|finalizada|
resolvido|resolvida|solucionado|concluido|concluida|itens concluidos|feito|
resolu|resolue|termine|terminee|termine e|
gelost|erledigt|fertig|behoben|
risolto|risolta|completato|fatto
"""
_CLOSED = """
closed|cancelled|canceled|archived|merged|removed|deleted|rejected|
cerrado|cerrada|cancelado|cancelada|fusionado|eliminado|
fechado|fechada|encerrado|encerrada|agrupado|
clos|close|cloture|fermee|ferme|annule|annulee|fusionne|
geschlossen|abgeschlossen|storniert|zusammengefasst|entfernt|
chiusa|chiuso|annullato|annullata
"""


def _table(text: str, category: str) -> dict[str, str]:
    return {fold_status(w): category for w in text.replace("\n", "").split("|") if w.strip()}


DEFAULT_CATEGORIES: dict[str, str] = {**_table(_OPEN, "open"), **_table(_RESOLVED, "resolved"),
                                      **_table(_CLOSED, "closed")}
# ServiceNow writes its state numbers in some exports (state=6); osTicket ids are not exported.
SERVICENOW_CODES = {"1": "open", "2": "open", "3": "open", "4": "open", "5": "open", "6": "resolved",
                    "7": "closed", "8": "closed", "-100": "open"}


class StatusMap:
    """Status text onto its category, or None for a status nobody told us about (the row is then
    judged by its dates, and the import summary names the status so the manager can map it)."""

    def __init__(self, overrides: dict[str, str] | None = None, *, numeric_codes: dict[str, str] | None = None):
        self.table = dict(DEFAULT_CATEGORIES)
        self.table.update({fold_status(k): v for k, v in (numeric_codes or {}).items()})
        for text, category in (overrides or {}).items():
            if category not in CATEGORIES:
                raise ValueError(f"status {text!r}: the category must be open, resolved or closed, not {category!r}")
            self.table[fold_status(text)] = category
        self._cache: dict[Any, str | None] = {}

    def __call__(self, status: Any) -> str | None:
        hit = self._cache.get(status, "?")
        if hit != "?":
            return hit
        key = fold_status(status)
        category = self.table.get(key) if key else None
        if category is None and key:
            # 'Waiting on Customer (3 days)', 'Closed - Resolved by Caller': the leading words decide.
            words = key.split()
            for n in range(len(words) - 1, 0, -1):
                category = self.table.get(" ".join(words[:n]))
                if category is not None:
                    break
        if len(self._cache) < 10_000:
            self._cache[status] = category
        return category

    def known(self, status: Any) -> bool:
        return not fold_status(status) or self(status) is not None
