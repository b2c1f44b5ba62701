"""Annotations (issue 16, part 2): dated notes on a KPI, a scope or the whole desk ("VPN rollout",
"two people on leave 3-14 March"), drawn on the trend plots they touch, listed in the check-ins whose
period they overlap, printed in the appraisal PDF.

    rec, changes = add(store, AnnotationRecord(dt.date(2026, 3, 3), "VPN rollout", kpi_id=mttr.id))
    annotations_touching(store, mttr.id, "technician:4", first_day, last_day)

What a note applies to:
- `kpi_id` None: every KPI; else that KPI only;
- `scope_key` '': everyone: every plot (the desk, each team, group and technician); else one scope
  ('desk', 'team:<id>', 'technician:<id>', 'group:<name>', 'project:<name>'), whose plot alone shows it.
  A note on a team is not drawn on its members' plots, nor a note on 'desk' on a team's: a plot shows
  the notes for everyone and its own scope's, nothing inherited (annotations_touching);
- the dates: a day (`until` None) or a span [on, until], both days included.
A check-in shows more than its plot would (checkin_annotations): the notes for everyone, on the
technician, on their team, and the desk's notes on one of their role's KPIs; each either on every KPI
or on a role KPI. Notes on another technician or team never reach a check-in.

Text is trimmed and required, at most MAX_TEXT characters. Records leave the core as AnnotationRecord;
the writes return the Changes flag `annotations`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Optional

from sqlalchemy import and_, or_, select

from kpidesk.errors import NotFound, ValidationError
from kpidesk.models import Annotation, Kpi, Measurement, Team, Technician, Ticket
from kpidesk.people import alias_key
from kpidesk.records import Changes

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kpidesk.store import Store

MAX_TEXT = 500
MAX_AUTHOR = 200
LABEL_CHARS = 30  # the label drawn beside a note's line on a plot; the tool tip has the whole text
CHANGES = Changes(annotations=True)
EVERYONE = ""
SCOPE_KINDS = ("desk", "team", "technician", "group", "project")


@dataclass
class AnnotationRecord:
    """A note as the screens, the CLI and the check-ins see it. `kpi_name` and `scope_label` are
    filled when read ('' and 'everyone' for a note on every KPI and everyone)."""

    on: dt.date
    text: str
    until: Optional[dt.date] = None
    kpi_id: Optional[int] = None
    scope_key: str = EVERYONE
    author: str = ""
    id: Optional[int] = None
    kpi_name: str = ""
    scope_label: str = ""
    created_at: Optional[dt.datetime] = None

    @property
    def last_day(self) -> dt.date:
        return self.until or self.on

    @property
    def is_span(self) -> bool:
        return self.until is not None and self.until > self.on

    def overlaps(self, first_day: dt.date, last_day: dt.date) -> bool:
        return self.on <= last_day and self.last_day >= first_day

    @property
    def when(self) -> str:
        """'3 Mar 2026', '3 to 14 Mar 2026', '28 Feb to 3 Mar 2026', '30 Dec 2026 to 2 Jan 2027'."""
        a, b = self.on, self.last_day
        if b == a:
            return f"{a.day} {a:%b %Y}"
        if (a.year, a.month) == (b.year, b.month):
            return f"{a.day} to {b.day} {b:%b %Y}"
        if a.year == b.year:
            return f"{a.day} {a:%b} to {b.day} {b:%b %Y}"
        return f"{a.day} {a:%b %Y} to {b.day} {b:%b %Y}"

    @property
    def applies_to(self) -> str:
        """'every KPI, everyone', 'MTTR, team Service Desk', ..."""
        return f"{self.kpi_name or 'every KPI'}, {self.scope_label or scope_words(self.scope_key)}"

    @property
    def label(self) -> str:
        """The first line of the text, cut to LABEL_CHARS with an ellipsis."""
        first = self.text.strip().splitlines()[0] if self.text.strip() else ""
        return first if len(first) <= LABEL_CHARS else first[:LABEL_CHARS - 1].rstrip() + "\u2026"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "on": self.on.isoformat(), "until": self.until.isoformat() if self.until else None,
                "text": self.text, "kpi_id": self.kpi_id, "kpi": self.kpi_name, "scope": self.scope_key,
                "scope_label": self.scope_label or scope_words(self.scope_key), "applies_to": self.applies_to,
                "author": self.author}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "AnnotationRecord":
        """Back from to_json (a frozen check-in keeps its notes this way)."""
        until = d.get("until")
        return cls(on=dt.date.fromisoformat(str(d["on"])[:10]), text=str(d.get("text") or ""),
                   until=dt.date.fromisoformat(str(until)[:10]) if until else None, kpi_id=d.get("kpi_id"),
                   scope_key=str(d.get("scope") or ""), author=str(d.get("author") or ""), id=d.get("id"),
                   kpi_name=str(d.get("kpi") or ""), scope_label=str(d.get("scope_label") or ""))


def scope_words(scope_key: str) -> str:
    """A scope in words without reading the database (ids stay ids): for labels of records in hand."""
    kind, _, ident = scope_key.partition(":")
    if not scope_key:
        return "everyone"
    if kind == "desk":
        return "the desk"
    return f"{kind} {ident}" if ident else scope_key


# Reading --------------------------------------------------------------------------------------

def _labels(s: "Session") -> tuple[dict[int, str], dict[str, str]]:
    kpis = dict(s.execute(select(Kpi.id, Kpi.name)).all())
    scopes = {EVERYONE: "everyone", "desk": "the desk"}
    scopes.update({f"team:{i}": f"team {n}" for i, n in s.execute(select(Team.id, Team.name))})
    scopes.update({f"technician:{i}": n for i, n in s.execute(select(Technician.id, Technician.display_name))})
    return kpis, scopes


def _records(s: "Session", rows: Iterable[Annotation]) -> list[AnnotationRecord]:
    kpis, scopes = _labels(s)
    return [AnnotationRecord(on=a.on, text=a.text, until=a.until, kpi_id=a.kpi_id, scope_key=a.scope_key,
                             author=a.author, id=a.id, kpi_name=kpis.get(a.kpi_id or -1, ""),
                             scope_label=scopes.get(a.scope_key) or scope_words(a.scope_key),
                             created_at=a.created_at) for a in rows]


def _dates(first_day: Optional[dt.date], last_day: Optional[dt.date]) -> list[Any]:
    out = []
    if last_day is not None:
        out.append(Annotation.on <= last_day)
    if first_day is not None:
        out.append(or_(Annotation.until >= first_day, and_(Annotation.until.is_(None), Annotation.on >= first_day)))
    return out


def _run(store: "Store", where: list[Any]) -> list[AnnotationRecord]:
    with store.read() as s:
        rows = s.scalars(select(Annotation).where(*where).order_by(Annotation.on, Annotation.id)).all()
        return _records(s, rows)


def annotations_touching(store: "Store", kpi_id: Optional[int], scope_key: str, first_day: dt.date,
                         last_day: dt.date) -> list[AnnotationRecord]:
    """The notes a plot of `kpi_id` for `scope_key` from first_day to last_day (both included) shows:
    on that KPI or every KPI, for everyone or that very scope, dated or spanning into the range;
    oldest first. kpi_id None: only the notes on every KPI."""
    kpi = Annotation.kpi_id.is_(None) if kpi_id is None else or_(Annotation.kpi_id.is_(None),
                                                                  Annotation.kpi_id == kpi_id)
    return _run(store, [kpi, Annotation.scope_key.in_({EVERYONE, scope_key}), *_dates(first_day, last_day)])


def list_annotations(store: "Store", *, kpi_id: Optional[int] = None, scope_key: Optional[str] = None,
                     first_day: Optional[dt.date] = None, last_day: Optional[dt.date] = None
                     ) -> list[AnnotationRecord]:
    """Every note, oldest first; each filter given narrows it by the plot rule of annotations_touching
    (a KPI: the notes on it or on every KPI; a scope: for everyone or that scope; dates: overlapping)."""
    where = _dates(first_day, last_day)
    if kpi_id is not None:
        where.append(or_(Annotation.kpi_id.is_(None), Annotation.kpi_id == kpi_id))
    if scope_key is not None:
        where.append(Annotation.scope_key.in_({EVERYONE, scope_key}))
    return _run(store, where)


def get_annotation(store: "Store", annotation_id: int) -> AnnotationRecord:
    with store.read() as s:
        a = s.get(Annotation, annotation_id)
        if a is None:
            raise NotFound(f"There is no note {annotation_id}.")
        return _records(s, [a])[0]


def checkin_annotations(store: "Store", technician_id: int, team_id: Optional[int], role_kpi_ids: Iterable[int],
                        first_day: dt.date, last_day: dt.date) -> list[AnnotationRecord]:
    """The context notes of a check-in (the module's rule): for everyone, on the technician, on their
    team, and the desk's notes on a role KPI; on every KPI or one of the role's; overlapping the period."""
    role = set(role_kpi_ids)
    own = {EVERYONE, f"technician:{technician_id}"} | ({f"team:{team_id}"} if team_id is not None else set())
    on_role = Annotation.kpi_id.in_(role)
    where = or_(and_(Annotation.scope_key.in_(own), or_(Annotation.kpi_id.is_(None), on_role)),
                and_(Annotation.scope_key == "desk", on_role))
    return _run(store, [where, *_dates(first_day, last_day)])


def scope_choices(store: "Store") -> list[tuple[str, str]]:
    """(label, scope key) for every scope a note can be on, for a form: everyone, the desk, the
    teams, the groups of the tickets, the technicians."""
    out = [("Everyone (every plot)", EVERYONE), ("The whole desk only", "desk")]
    out += [(f"Team: {t.name}", f"team:{t.id}") for t in store.list_teams()]
    out += [(f"Group: {g}", f"group:{g}") for g in store.list_groups()]
    out += [(t.display_name, f"technician:{t.id}") for t in store.list_technicians()]
    return out


# Checking -------------------------------------------------------------------------------------

def _as_date(value: Any) -> Optional[dt.date]:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _scope(s: "Session", scope_key: str) -> Optional[str]:
    """The scope as stored (a group in its tickets' spelling), or None when there is no such scope."""
    key = (scope_key or "").strip()
    kind, sep, ident = key.partition(":")
    if key in (EVERYONE, "desk"):
        return key
    if not sep or kind not in SCOPE_KINDS or not ident.strip():
        return None
    if kind in ("team", "technician"):
        model = Team if kind == "team" else Technician
        return key if ident.isdigit() and s.get(model, int(ident)) is not None else None
    if kind == "group":
        groups = s.scalars(select(Ticket.group_name).where(Ticket.group_name != "").distinct())
        hit = next((g for g in groups if alias_key(g) == alias_key(ident)), None)
        return f"group:{hit}" if hit else None
    found = s.scalar(select(Measurement.id).where(Measurement.scope_key == key).limit(1))
    return key if found is not None else None


def _unknown_scope(scope_key: str) -> str:
    kind, sep, ident = (scope_key or "").strip().partition(":")
    if sep and ident.strip():
        what = {"team": f"there is no team with id {ident}", "technician": f"there is no technician with id {ident}",
                "group": f"no ticket is in a group named {ident!r}",
                "project": f"no value is recorded for project {ident!r}"}.get(kind)
        if what:
            return what
    return (f"{scope_key!r} is not a scope: use '' (everyone), 'desk', 'team:<id>', 'technician:<id>', "
            "'group:<name>' or 'project:<name>'")


def field_problems(rec: AnnotationRecord) -> dict[str, str]:
    """{field: message} for what can be told without the database (text, on, until, author): the
    form and the command line check these before anything is opened or written."""
    p: dict[str, str] = {}
    text = (rec.text or "").strip()
    on, until = _as_date(rec.on), _as_date(rec.until) if rec.until is not None else None
    if not text:
        p["text"] = "write what happened (the note is empty)"
    elif len(text) > MAX_TEXT:
        p["text"] = f"at most {MAX_TEXT} characters ({len(text)} given)"
    if on is None:
        p["on"] = "a date is needed"
    if rec.until is not None and until is None:
        p["until"] = "the end of a span is a date"
    elif on is not None and until is not None and until < on:
        p["until"] = f"the span ends ({until:%d %b %Y}) before it starts ({on:%d %b %Y})"
    if len((rec.author or "").strip()) > MAX_AUTHOR:
        p["author"] = f"at most {MAX_AUTHOR} characters"
    return p


def _checked(s: "Session", rec: AnnotationRecord) -> AnnotationRecord:
    """The record cleaned (text and author trimmed, the scope as stored), or ValidationError naming
    every field that is wrong."""
    p = field_problems(rec)
    on, until = _as_date(rec.on), _as_date(rec.until) if rec.until is not None else None
    if rec.kpi_id is not None and s.get(Kpi, rec.kpi_id) is None:
        p["kpi"] = f"there is no KPI with id {rec.kpi_id}"
    scope = _scope(s, rec.scope_key)
    if scope is None:
        p["scope"] = _unknown_scope(rec.scope_key)
    if p:
        raise ValidationError(p)
    return AnnotationRecord(on=on, text=rec.text.strip(), until=until if until != on else None,  # type: ignore[arg-type]
                            kpi_id=rec.kpi_id, scope_key=scope or "", author=(rec.author or "").strip(), id=rec.id)


# Writing --------------------------------------------------------------------------------------

def add(store: "Store", rec: AnnotationRecord) -> tuple[AnnotationRecord, Changes]:
    with store.write() as s:
        clean = _checked(s, rec)
        a = Annotation(on=clean.on, until=clean.until, text=clean.text, kpi_id=clean.kpi_id,
                       scope_key=clean.scope_key, author=clean.author)
        s.add(a)
        s.flush()
        return _records(s, [a])[0], CHANGES


def update(store: "Store", rec: AnnotationRecord) -> tuple[AnnotationRecord, Changes]:
    if rec.id is None:
        raise ValidationError({"id": "only a stored note is changed; add a new one instead"})
    with store.write() as s:
        a = s.get(Annotation, rec.id)
        if a is None:
            raise NotFound(f"There is no note {rec.id}.")
        clean = _checked(s, rec)
        a.on, a.until, a.text = clean.on, clean.until, clean.text
        a.kpi_id, a.scope_key, a.author = clean.kpi_id, clean.scope_key, clean.author
        s.flush()
        return _records(s, [a])[0], CHANGES


def delete(store: "Store", annotation_id: int) -> Changes:
    with store.write() as s:
        a = s.get(Annotation, annotation_id)
        if a is None:
            raise NotFound(f"There is no note {annotation_id}.")
        s.delete(a)
    return CHANGES
