"""Database-scoped settings, each declared once with its default, its label and how a value is
checked (kept in the `setting` table, because they belong to the data: SLA hours per priority, the
organisation's name and logo, the rating scale and its words). The Settings dialog and
`kpidesk settings get|set` are both built from SETTINGS."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import case, or_, select, update

from kpidesk.errors import ValidationError
from kpidesk.models import Setting
from kpidesk.records import Changes
from kpidesk.unit_of_work import UnitsOfWork

LOGO_MAX_BYTES = 512 * 1024
RATING_WORDS = ["Well below expectations", "Below expectations", "Meets expectations", "Above expectations",
                "Well above expectations"]


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    default: Any
    kind: str  # text | logo | int | sla | scale | words | choice | json
    help: str = ""
    choices: tuple[Any, ...] = ()
    low: int = 0
    high: int = 10_000
    internal: bool = False  # kept by the app itself, not offered for editing

    def check(self, value: Any) -> Any:
        """The value as stored, or ValidationError naming the setting and what it takes."""
        def bad(what: str) -> ValidationError:
            return ValidationError({self.key: what})

        if self.kind in ("text", "logo"):
            if value is None:
                return ""
            if not isinstance(value, str):
                raise bad("text")
            value = value.strip()
            if self.kind == "text" and (len(value) > 200 or "\n" in value):
                raise bad(f"one line of at most 200 characters ({len(value)} given)")
            if self.kind == "logo" and value and (not value.startswith("data:image/") or logo_bytes(value) is None):
                raise bad("an image given as a file (kpidesk settings set logo FILE.png)")
            return value
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
                raise bad(f"a whole number from {self.low} to {self.high}")
            if not self.low <= int(value) <= self.high:
                raise bad(f"a whole number from {self.low} to {self.high}")
            return int(value)
        if self.kind == "sla":
            if not isinstance(value, dict) or set(value) != {"P1", "P2", "P3", "P4"}:
                raise bad("hours for each of P1, P2, P3 and P4")
            out = {}
            for tier in ("P1", "P2", "P3", "P4"):
                hours = value[tier]
                if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours <= 10_000:
                    raise bad(f"{tier}: a number of hours above 0")
                out[tier] = hours
            return out
        if self.kind == "scale":
            if (not isinstance(value, (list, tuple)) or len(value) != 2 or not all(isinstance(v, int) for v in value)
                    or not 0 <= value[0] < value[1] <= 10):
                raise bad("two whole numbers, the lowest and the highest rating (e.g. 1 and 5)")
            return [int(value[0]), int(value[1])]
        if self.kind == "words":
            if not isinstance(value, (list, tuple)) or not all(isinstance(w, str) for w in value):
                raise bad("one word or phrase per point of the rating scale")
            return [w.strip() for w in value]
        if self.kind == "choice":
            # Same type too: 1 == True in Python, but 1 is not a choice of day_first.
            if not any(type(value) is type(c) and value == c for c in self.choices):
                raise bad(f"one of {self.choice_words()}")
            return value
        return value  # json: checked where it is read (statuses, priorities)

    def choice_words(self) -> str:
        return ", ".join(c if isinstance(c, str) else json.dumps(c) for c in self.choices)

    def parse(self, text: str) -> Any:
        """A value as typed on the command line (`settings set KEY VALUE`)."""
        if self.kind == "logo":
            return logo_from_file(Path(text).expanduser()) if text.strip() else ""
        if self.kind == "text":
            return text
        if self.kind == "int":
            try:
                return int(text)
            except ValueError:
                raise ValidationError({self.key: f"a whole number from {self.low} to {self.high}"}) from None
        if self.kind == "choice":
            for c in self.choices:  # A4 as typed; true, false, null as JSON writes them
                if text.strip() in (str(c), json.dumps(c)):
                    return c
            raise ValidationError({self.key: f"one of {self.choice_words()}"})
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            if self.kind == "words":
                return [w.strip() for w in text.split(",")]
            raise ValidationError({self.key: "JSON, e.g. " + json.dumps(self.default)}) from None


SETTINGS: dict[str, SettingSpec] = {s.key: s for s in (
    SettingSpec("organisation", "Organisation name", "", "text",
                "Printed at the top of every appraisal PDF and in the workbook's titles."),
    SettingSpec("logo", "Logo for the PDF", "", "logo",
                "A PNG or JPEG image (up to 512 KB), printed at the top of every appraisal PDF. Kept in the "
                "database, so it travels with it."),
    # DESIGN.md: resolution-time SLA targets when an export has no SLA flag, in hours.
    SettingSpec("sla_hours", "SLA hours per priority", {"P1": 4, "P2": 8, "P3": 24, "P4": 72}, "sla",
                "The resolution time each priority should meet, where an export has no SLA flag of its own."),
    SettingSpec("rating_scale", "Rating scale", [1, 5], "scale", "The lowest and the highest rating."),
    SettingSpec("rating_words", "Rating words", RATING_WORDS, "words",
                "What each point of the scale means, lowest first; shown beside every rating."),
    SettingSpec("min_count", "Fewest tickets for a value to count", 5, "int",
                "A value resting on fewer tickets is greyed out and cannot trigger on its own.", low=1, high=1000),
    SettingSpec("backups_keep", "Daily backups kept", 10, "int", "The newest this many are kept.", low=1, high=365),
    SettingSpec("page_size", "PDF page size", "A4", "choice", "The paper the appraisal PDFs are laid out on.",
                choices=("A4", "Letter")),
    SettingSpec("day_first", "Dates like 03/04/2026", None, "choice",
                "How an import reads a date that could be either way, when the file does not settle it.",
                choices=(None, True, False)),
    SettingSpec("cycle_length", "Review cycle", "quarter", "choice",
                "How long each appraisal cycle runs: a check-in per technician every quarter, half-year or year.",
                choices=("quarter", "half", "year")),
    SettingSpec("cycle_due_days", "Check-ins due", 30, "int",
                "Days after a cycle's last day by which its check-ins should be signed; after that they show as "
                "overdue on the dashboard.", low=0, high=365),
    SettingSpec("status_categories", "Status categories", {}, "json",
                "{status as exports write it: open | resolved | closed}: your answers, kept from the imports."),
    SettingSpec("priority_tiers", "Priority tiers", {}, "json",
                "{priority as exports write it: 1 to 4}: your answers, kept from the mapping files."),
    # The stored KPI values predate the version that keeps them true (set by a migration): the next
    # action recomputes them in full (kpidesk.actions.derived.refresh).
    SettingSpec("recompute_due", "Recompute due", False, "json", internal=True),
)}
DEFAULTS: dict[str, Any] = {k: s.default for k, s in SETTINGS.items()}


def spec_for(key: str) -> SettingSpec:
    """The setting a person may change, or ValidationError naming the ones there are."""
    spec = SETTINGS.get(key)
    if spec is None or spec.internal:
        raise ValidationError({key: f"is not a setting; they are {', '.join(k for k, s in SETTINGS.items() if not s.internal)}"})
    return spec


def default_words(scale: Any) -> list[str]:
    """The rating words for a scale: the five standard ones on a five-point scale, else none."""
    low, high = scale
    return list(RATING_WORDS) if high - low + 1 == len(RATING_WORDS) else []


def rating_word(rating: float | None, scale: Any, words: Any) -> str:
    """The word for a rating on the scale ('Above expectations' for 4 of 1-5); '' for a mean
    between points, or when there are no words."""
    if rating is None or not words or not float(rating).is_integer():
        return ""
    i = int(rating) - int(scale[0])
    return str(words[i]) if 0 <= i < len(words) else ""


def rating_label(rating: float | None, scale: Any, words: Any) -> str:
    """'4 (Above expectations)', '3.4' for a mean between points, 'not rated' for none."""
    if rating is None:
        return "not rated"
    word = rating_word(rating, scale, words)
    return f"{rating:g} ({word})" if word else f"{rating:g}"


def logo_from_file(path: Path) -> str:
    """A logo file as the setting keeps it: 'data:image/png;base64,...' (or jpeg)."""
    try:
        size = path.stat().st_size  # before reading: a huge file is refused unread
        if not path.is_file():
            raise ValidationError({"logo": f"{path} is not a file"})
        if size > LOGO_MAX_BYTES:
            raise ValidationError({"logo": f"{path.name} is {size // 1024} KB; a logo is at most "
                                           f"{LOGO_MAX_BYTES // 1024} KB"})
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError({"logo": f"cannot read {path}: {exc.strerror or exc}"}) from None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif data.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    else:
        raise ValidationError({"logo": f"{path.name} is not a PNG or JPEG image"})
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def logo_bytes(value: str) -> bytes | None:
    """The image bytes of a stored logo (None when there is none)."""
    if not value or "," not in value:
        return None
    try:
        return base64.b64decode(value.split(",", 1)[1])
    except ValueError:
        return None


class SettingsApi(UnitsOfWork):
    def get_setting(self, key: str) -> Any:
        with self.read() as s:
            row = s.get(Setting, key)
            return json.loads(row.value_json) if row else DEFAULTS.get(key)

    def set_setting(self, key: str, value: Any) -> Changes:
        return self.set_settings({key: value})

    def set_settings(self, values: dict[str, Any]) -> Changes:
        """Several settings in one transaction."""
        with self.write() as s:
            for key, value in values.items():
                row = s.get(Setting, key)
                if row is None:
                    s.add(Setting(key=key, value_json=json.dumps(value)))
                else:
                    row.value_json = json.dumps(value)
        return Changes(settings=True)

    def count_rated_checkins(self) -> int:
        """Check-ins (drafts and signed) holding at least one rating or an overall rating."""
        from kpidesk.models import CheckIn

        with self.read() as s:
            n = 0
            for data, overall in s.execute(select(CheckIn.data_json, CheckIn.overall_rating)):
                ratings = (json.loads(data or "{}") or {}).get("ratings") or {}
                n += overall is not None or any(isinstance(r, dict) and r.get("rating") is not None
                                                for r in ratings.values())
            return n

    def rederive_sla(self, hours: dict[str, float]) -> int:
        """Judge again, against `hours`, the SLA of the tickets whose export had no SLA flag and no
        due time (the demo's, and files without those columns): they were judged by the hours in
        force when they were imported. Returns how many tickets it looked at."""
        from kpidesk.models import ImportBatch, Ticket

        with self.write() as s:
            flagged = [b for b, m in s.execute(select(ImportBatch.id, ImportBatch.mapping_json))
                       if {"sla_met", "sla_due_at"} & set(json.loads(m or "{}") or {})]
            judged = case(*((Ticket.priority_tier == t, Ticket.resolution_hours <= float(hours[f"P{t}"]))
                            for t in (1, 2, 3, 4)), else_=None)
            where = [Ticket.sla_due_at.is_(None), Ticket.resolution_hours.is_not(None),
                     Ticket.priority_tier.is_not(None)]
            if flagged:
                where.append(or_(Ticket.import_batch_id.is_(None), Ticket.import_batch_id.not_in(flagged)))
            result = s.execute(update(Ticket).where(*where).values(sla_met=judged)
                               .execution_options(synchronize_session=False))
            return int(result.rowcount or 0)
