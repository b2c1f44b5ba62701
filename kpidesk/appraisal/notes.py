"""The performance log: dated notes per technician between check-ins (issue 5, part 2).

A note is a praised fix, a missed handover, a training done: kind praise | concern | training | note,
optionally tied to a KPI and a ticket number. The check-in lists the notes dated inside its period,
so the review rests on the whole period and not on the last two weeks.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from sqlalchemy import select

from kpidesk.errors import NotFound, ValidationError
from kpidesk.models import Kpi, PerformanceNote, Technician
from kpidesk.periods import Period, parse_period
from kpidesk.records import Changes

if TYPE_CHECKING:
    from kpidesk.store import Store

NOTE_KINDS = ("praise", "concern", "training", "note")
CHANGES = Changes(checkins=True)


@dataclass
class NoteRecord:
    technician_id: int
    noted_on: dt.date
    text: str
    kind: str = "note"
    kpi_id: Optional[int] = None
    kpi_name: str = ""
    ticket_ref: str = ""
    id: Optional[int] = None

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "noted_on": self.noted_on.isoformat(), "kind": self.kind, "text": self.text,
                "kpi_id": self.kpi_id, "kpi": self.kpi_name, "ticket_ref": self.ticket_ref}


def _validate(rec: NoteRecord) -> None:
    problems = {}
    if not rec.text.strip():
        problems["text"] = "write what happened"
    if rec.kind not in NOTE_KINDS:
        problems["kind"] = f"{rec.kind!r}: use one of {', '.join(NOTE_KINDS)}"
    if not isinstance(rec.noted_on, dt.date):
        problems["noted_on"] = "a date is needed"
    if problems:
        raise ValidationError(problems)


def _record(n: PerformanceNote, kpi_names: dict[int, str]) -> NoteRecord:
    return NoteRecord(technician_id=n.technician_id, noted_on=n.noted_on, text=n.text, kind=n.kind,
                      kpi_id=n.kpi_id, kpi_name=kpi_names.get(n.kpi_id or -1, ""), ticket_ref=n.ticket_ref, id=n.id)


def add_note(store: "Store", rec: NoteRecord) -> tuple[NoteRecord, Changes]:
    _validate(rec)
    with store.write() as s:
        if s.get(Technician, rec.technician_id) is None:
            raise NotFound(f"There is no technician with id {rec.technician_id}.")
        if rec.kpi_id is not None and s.get(Kpi, rec.kpi_id) is None:
            raise ValidationError({"kpi": "that KPI no longer exists"})
        n = PerformanceNote(technician_id=rec.technician_id, noted_on=rec.noted_on, text=rec.text.strip(),
                            kind=rec.kind, kpi_id=rec.kpi_id, ticket_ref=rec.ticket_ref.strip())
        s.add(n)
        s.flush()
        rec = NoteRecord(**{**rec.__dict__, "id": n.id, "text": n.text, "ticket_ref": n.ticket_ref})
    return rec, CHANGES


def update_note(store: "Store", rec: NoteRecord) -> Changes:
    _validate(rec)
    with store.write() as s:
        n = s.get(PerformanceNote, rec.id)
        if n is None:
            raise NotFound("That note no longer exists.")
        n.noted_on, n.text, n.kind = rec.noted_on, rec.text.strip(), rec.kind
        n.kpi_id, n.ticket_ref = rec.kpi_id, rec.ticket_ref.strip()
    return CHANGES


def delete_note(store: "Store", note_id: int) -> Changes:
    with store.write() as s:
        n = s.get(PerformanceNote, note_id)
        if n is not None:
            s.delete(n)
    return CHANGES


def list_notes(store: "Store", technician_id: int, period: Period | str | None = None) -> list[NoteRecord]:
    """The technician's notes, newest first; only those dated inside `period` when given."""
    with store.read() as s:
        q = select(PerformanceNote).where(PerformanceNote.technician_id == technician_id)
        if period is not None:
            p = period if isinstance(period, Period) else parse_period(period)
            q = q.where(PerformanceNote.noted_on >= p.start, PerformanceNote.noted_on < p.end)
        q = q.order_by(PerformanceNote.noted_on.desc(), PerformanceNote.id.desc())
        kpi_names = dict(s.execute(select(Kpi.id, Kpi.name)).all())
        return [_record(n, kpi_names) for n in s.scalars(q)]
