"""Cell value parsers for real helpdesk exports (see ../shared/helpdesk-exports.md).

Contract (held by a hypothesis test): every parser returns a value (None for a blank or placeholder)
or raises `BadValue` with a plain message. Nothing else escapes, whatever the cell holds, because one
odd cell must become one rejected row, never a crashed import.

Speed: parsers are built once per column (`DateParser`, `PriorityParser`) and remember the format
that last worked, so a 100k-row column costs one fast path per cell, not a cascade of attempts.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any, Callable

from kpidesk.importing.dates import DateOrder, DateParser  # noqa: F401  (re-exported)
from kpidesk.importing.errors import BadValue

__all__ = [
    "BadValue", "DateOrder", "DateParser", "PriorityParser", "is_blank", "clean_text", "parse_text",
    "parse_id", "parse_count", "parse_number", "parse_flag", "parse_duration_hours", "parse_csat",
    "parse_ticket_type",
]

# Null markers seen in real exports: UCI '?', Excel round-trip 'null', Zendesk '-', 'Not Assigned'...
PLACEHOLDERS = frozenset({
    "", "-", "--", "?", "n/a", "na", "#n/a", "null", "none", "nil", "not assigned", "unassigned",
    "(none)", "(empty)", "<none>", "n.a.", "nan",
})
_FORMULA_PREFIX = ("'=", "'-", "'+", "'@")


_PLACEHOLDER_MAX = max(len(p) for p in PLACEHOLDERS)


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        text = value.strip()
        return not text or (len(text) <= _PLACEHOLDER_MAX and text.casefold() in PLACEHOLDERS)
    if isinstance(value, float):
        return math.isnan(value)
    return False


def clean_text(value: Any) -> str:
    """Text as a person would read it: stripped, osTicket's anti-formula apostrophe removed,
    whole-number floats without '.0' (an id typed as a number comes back from Excel as 1234.0)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = str(value).strip()
    if text.startswith(_FORMULA_PREFIX):
        text = text[1:]
    return text


def parse_text(value: Any) -> str:
    """Free text (category, status, names); placeholders become ''. Never raises."""
    if type(value) is str:  # the hot path: one strip, one length test, rarely a set lookup
        text = value.strip()
        if text[:1] == "'" and text.startswith(_FORMULA_PREFIX):
            text = text[1:]
        if len(text) <= _PLACEHOLDER_MAX and text.casefold() in PLACEHOLDERS:
            return ""
        return text
    if is_blank(value):
        return ""
    text = clean_text(value)
    return "" if text.casefold() in PLACEHOLDERS else text


_ID_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def parse_id(value: Any) -> str:
    """A ticket id. GLPI writes '52 267' and '5 732 943' (thousands spaces, non-breaking ones too)."""
    if type(value) is str and value.isalnum() and len(value) <= 100 and value.casefold() not in PLACEHOLDERS:
        return value  # the hot path: INC0012345, 10001 (no spaces, apostrophe or placeholder to clean)
    if is_blank(value):
        raise BadValue("the ticket has no id")
    text = clean_text(value)
    if " " in text or "\u00a0" in text or "\u202f" in text:
        squeezed = _ID_SPACES.sub("", text)
        if squeezed.isdigit():
            return squeezed
    if not text or len(text) > 100:
        raise BadValue("not a ticket id (empty or longer than 100 characters)")
    return text


def parse_number(value: Any) -> float | None:
    """A number: 12, 12.5, '1,234.5', '12,5' (decimal comma), '95 %' (kept as 95)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isinf(value):
            raise BadValue("not a finite number")
        return float(value)
    text = _ID_SPACES.sub("", clean_text(value)).rstrip("%")
    if "," in text and "." in text:  # 1,234.5 or 1.234,5: the last separator is the decimal one
        text = text.replace(",", "") if text.rfind(".") > text.rfind(",") else text.replace(".", "").replace(",", ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise BadValue("not a number") from None
    if math.isnan(number) or math.isinf(number):
        raise BadValue("not a finite number")
    return number


def parse_count(value: Any) -> int | None:
    """A count such as reopens or reassignments: a whole number, 0 or more."""
    if type(value) is float and value.is_integer() and 0 <= value <= 1e9:  # the usual cell
        return int(value)
    number = parse_number(value)
    if number is None:
        return None
    if number < 0 or not number.is_integer():
        raise BadValue("not a whole number of 0 or more")
    if number > 1e9:
        raise BadValue("an implausibly large count")
    return int(number)


_TRUE = frozenset({"yes", "y", "true", "t", "1", "x", "oui", "o", "sim", "s", "si", "sí", "ja", "j",
                   "within sla", "in sla", "met", "achieved", "verdadeiro", "vrai"})
_FALSE = frozenset({"no", "n", "false", "f", "0", "non", "não", "nao", "nein", "sla violated",
                    "out of sla", "breached", "missed", "falso", "faux"})


def parse_flag(value: Any) -> bool | None:
    """yes/no, true/false, 1/0 (and Oui/Non, Sim/Não, Ja/Nein, Freshdesk's Within SLA/SLA Violated)."""
    if value is True or value is False:
        return value
    if is_blank(value):
        return None
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return bool(value)
        raise BadValue("not a yes/no value")
    text = clean_text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue("not a yes/no value")


# ---------------------------------------------------------------- durations

_UNITS = {
    "s": 1 / 3600, "sec": 1 / 3600, "secs": 1 / 3600, "second": 1 / 3600, "seconds": 1 / 3600,
    "segundo": 1 / 3600, "segundos": 1 / 3600, "seconde": 1 / 3600, "secondes": 1 / 3600,
    "m": 1 / 60, "min": 1 / 60, "mins": 1 / 60, "minute": 1 / 60, "minutes": 1 / 60,
    "minuto": 1 / 60, "minutos": 1 / 60,
    "h": 1.0, "hr": 1.0, "hrs": 1.0, "hour": 1.0, "hours": 1.0, "hora": 1.0, "horas": 1.0,
    "heure": 1.0, "heures": 1.0, "stunde": 1.0, "stunden": 1.0,
    "d": 24.0, "day": 24.0, "days": 24.0, "dia": 24.0, "dias": 24.0, "jour": 24.0, "jours": 24.0,
    "día": 24.0, "días": 24.0, "tag": 24.0, "tage": 24.0,
    "w": 168.0, "wk": 168.0, "week": 168.0, "weeks": 168.0,
}
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([^\W\d_]+)")
_CLOCK = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?$")
_BARE_UNIT = {"hours": 1.0, "minutes": 1 / 60, "seconds": 1 / 3600, "days": 24.0}


def parse_duration_hours(value: Any, bare_unit: str = "hours") -> float | None:
    """A duration in hours. '2h 30m', '1 day 3 hours', '2d 3h 4m', '1 horas 18 minutos', '01:30:00',
    '1:30' (h:mm), '-2:18' (Jira's breached SLA time remaining), a time or timedelta cell, or a bare
    number in `bare_unit` (Zendesk minutes, ServiceNow seconds)."""
    if is_blank(value):
        return None
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 3600.0
    if isinstance(value, dt.time):
        return value.hour + value.minute / 60 + value.second / 3600
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = parse_number(value)
        return None if number is None else number * _BARE_UNIT.get(bare_unit, 1.0)
    if not isinstance(value, str):
        raise BadValue("not a duration")
    text = clean_text(value).casefold()
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.lstrip("+-").strip()
    if m := _CLOCK.match(text):
        hours = int(m[1]) + int(m[2]) / 60 + int(m[3] or 0) / 3600
        return sign * hours
    try:
        return sign * float(text.replace(",", ".")) * _BARE_UNIT.get(bare_unit, 1.0)
    except ValueError:
        pass
    parts = _PART.findall(text)
    if not parts or _PART.sub("", text).strip(" ,.and") != "":
        raise BadValue("not a duration (use e.g. 2h 30m, 1 day 3 hours or 01:30:00)")
    total = 0.0
    for amount, unit in parts:
        factor = _UNITS.get(unit)
        if factor is None:
            raise BadValue(f"unknown time unit {unit!r}")
        total += float(amount.replace(",", ".")) * factor
    return sign * total


# ---------------------------------------------------------------- priority

def _fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive key ('Très haute' == 'tres  haute')."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


# Word spellings onto tiers. The word wins over a leading digit: ServiceNow '1 - Critical' agrees,
# but Zammad counts upwards ('1 low', '3 high'), so its digit would mislead.
PRIORITY_WORDS: dict[str, int] = {
    # en; GLPI fr/es/pt-BR/de/it (9.1 and 10.x locales); Jira's localised Highest..Lowest.
    **dict.fromkeys(("critical", "urgent", "emergency", "highest", "very high", "major", "blocker",
                     "immediate", "tres haute", "majeure", "critique", "urgente", "muito alta",
                     "mas alta", "critico", "critica", "kritisch", "dringend", "sehr hoch", "muy alta",
                     "muy urgente", "mayor", "primordial", "molto alta", "massima", "maggiore", "mais alta",
                     "hochste", "la plus haute", "plus haute", "altissima"), 1),
    **dict.fromkeys(("high", "haute", "alta", "hoch", "elevee", "elevada", "haut", "alto"), 2),
    **dict.fromkeys(("medium", "normal", "moderate", "moyenne", "media", "medio", "mittel", "normale",
                     "mediana", "moyen", "normaal"), 3),
    **dict.fromkeys(("low", "lowest", "very low", "planning", "minor", "trivial", "basse",
                     "tres basse", "baixa", "muito baixa", "baja", "mas baja", "niedrig",
                     "sehr niedrig", "faible", "planejamento", "muy baja", "bassa", "molto bassa",
                     "mais baixa", "niedrigste", "la plus basse", "plus basse", "bas", "bajo", "baixo",
                     "bassissima"), 4),
}
_PRIO_CODE = re.compile(r"^(?:p|sev|severity|s|prio|priority|prioridade|priorite|tier)?\s*[-_.:]?\s*(\d)$")
_PRIO_LEAD = re.compile(r"^(\d)\s*(?:[-–:.)]\s*)?(.*)$")


class PriorityParser:
    """Priority spellings onto tiers 1..4 (P1..P4). `custom` ({spelling: tier}) is checked first,
    so a site that renamed its priorities can be mapped (presets add their own, e.g. Jira Major = P2)."""

    def __init__(self, custom: dict[str, int] | None = None) -> None:
        self.custom = {_fold(k): _clamp(v) for k, v in (custom or {}).items()}
        self._cache: dict[str, int] = {}

    def __call__(self, value: Any) -> int | None:
        if type(value) is str:  # cells of a column repeat a few spellings: look up before folding
            hit = self._cache.get(value)
            if hit is not None:
                return hit
        if is_blank(value):
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and (math.isnan(value) or not value.is_integer()):
                raise BadValue("not a priority")
            if 0 < value < 10:
                return _clamp(int(value))
            raise BadValue("not a priority (numbers 1 to 5 are understood)")
        tier = self._lookup(_fold(clean_text(value)))
        if len(self._cache) < 10_000 and isinstance(value, str):
            self._cache[value] = tier
        return tier

    def _lookup(self, text: str) -> int:
        if text in self.custom:
            return self.custom[text]
        if text in PRIORITY_WORDS:
            return PRIORITY_WORDS[text]
        if m := _PRIO_LEAD.match(text):
            rest = m[2].strip()
            if rest in self.custom:
                return self.custom[rest]
            if rest in PRIORITY_WORDS:
                return PRIORITY_WORDS[rest]
            if not rest:
                return _clamp(int(m[1]))
        if m := _PRIO_CODE.match(text):
            return _clamp(int(m[1]))
        raise BadValue("not a priority KPI Desk knows (map it to P1-P4 in the priority settings)")


def _clamp(tier: int) -> int:
    """Tier 0 ('P0') counts as P1; 5 ('5 - Planning', 'P5') as P4."""
    if not isinstance(tier, int) or isinstance(tier, bool):
        raise BadValue("not a priority")
    return min(4, max(1, tier))


# ---------------------------------------------------------------- CSAT and ticket type

_CSAT_POSITIVE = frozenset({"good", "yes", "thumbs up", "positive", "great", "up", "y", "👍", "oui", "sim",
                            "bon", "bom", "good with comment", "good without comment", "good i m satisfied",
                            "good im satisfied"})
_CSAT_NEGATIVE = frozenset({"bad", "no", "thumbs down", "negative", "poor", "down", "n", "👎", "non", "nao",
                            "mauvais", "ruim", "bad with comment", "bad without comment", "bad i m unsatisfied",
                            "bad im unsatisfied"})
_CSAT_NONE = frozenset({"offered", "not offered", "unoffered", "no response", "pending", "received", "not rated",
                        "unrated", "no rating", "sin calificar", "nao avaliado", "non evalue"})
# Word scales whose positions are known, onto 1..5 (linear): Freshdesk's three-point survey
# (Awesome / Just okay / Not good) and its seven-point one (Extremely / Very / plain / Neutral ...,
# rating codes 103..-103), in its 'happy' and its 'satisfied' wording. Anything else is no score.
_SEVEN = {3: 5.0, 2: 13 / 3, 1: 11 / 3, 0: 3.0, -1: 7 / 3, -2: 5 / 3, -3: 1.0}
CSAT_WORDS: dict[str, float] = {
    "awesome": 5.0, "just okay": 3.0, "just ok": 3.0, "not good": 1.0,
    **{f"{lead}{word}": _SEVEN[level * sign]
       for word, sign in (("happy", 1), ("satisfied", 1), ("unhappy", -1), ("dissatisfied", -1), ("unsatisfied", -1))
       for lead, level in (("extremely ", 3), ("very ", 2), ("", 1), ("slightly ", 1), ("moderately ", 2))},
    "neutral": 3.0, "neither satisfied nor dissatisfied": 3.0, "neither happy nor unhappy": 3.0, "okay": 3.0,
}


def parse_csat(value: Any) -> tuple[float | None, bool | None]:
    """(score on 1..5, positive flag). 1..5 scores stay scores; a percentage (80 %, or a number
    above 5 up to 100) is mapped linearly onto 1..5; stars are counted; the word scales of CSAT_WORDS
    become their score; good/bad, thumbs and yes/no surveys give the positive flag only (shown as %
    positive). 'Offered' means no answer yet. Anything else raises BadValue: the import keeps the
    ticket with no response and counts the cell in its summary."""
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return None, value
    if isinstance(value, str):
        text = clean_text(value).casefold()
        words = " ".join(re.sub(r"[^\w👍👎]+", " ", text).split())
        if words in _CSAT_NONE:
            return None, None
        if words in _CSAT_POSITIVE:
            return None, True
        if words in _CSAT_NEGATIVE:
            return None, False
        if words in CSAT_WORDS:
            return CSAT_WORDS[words], None
        if text and set(text) <= {"★", "☆", " "}:
            stars = text.count("★")
            if 1 <= stars <= 5:
                return float(stars), None
            raise BadValue("not a satisfaction score")
        if text.endswith("%"):
            pct = parse_number(text)
            if pct is None or not 0 <= pct <= 100:
                raise BadValue("not a satisfaction percentage (0 to 100 %)")
            return 1 + 4 * pct / 100, None
    try:
        number = parse_number(value)
    except BadValue:
        raise BadValue("not a satisfaction score (1-5, a percentage, good/bad or yes/no)") from None
    if number is None:
        return None, None
    if 1 <= number <= 5:
        return number, None
    if 5 < number <= 100:
        return 1 + 4 * number / 100, None
    raise BadValue("not a satisfaction score (1-5, a percentage, good/bad or yes/no)")


_INCIDENT = ("incident", "incidente", "problem", "probleme", "bug", "fault", "outage", "störung")
_REQUEST = ("request", "demande", "requisicao", "solicitud", "solicitacao", "question", "task",
            "service", "change", "anfrage")


def parse_ticket_type(value: Any) -> str | None:
    """'incident' or 'request' (None when the export's type is neither, e.g. a custom one)."""
    if is_blank(value):
        return None
    text = _fold(clean_text(value))
    if any(w in text for w in _INCIDENT):
        return "incident"
    if any(w in text for w in _REQUEST):
        return "request"
    return None


Parser = Callable[[Any], Any]
