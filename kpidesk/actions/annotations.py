"""Annotations: dated notes on a KPI, a scope or the whole desk (issue 16). None of these moves a
KPI value or a review: a note explains a number, it does not change it. Each returns the Changes
flag `annotations` (the plots redraw their notes, a draft check-in lists them)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kpidesk.actions.outcome import Outcome
# By name, never `from kpidesk import annotations`: that finds the package's own
# `from __future__ import annotations` and not this module.
from kpidesk.annotations import AnnotationRecord, add, delete, update

if TYPE_CHECKING:
    from kpidesk.store import Store


def add_annotation(store: "Store", rec: AnnotationRecord) -> Outcome[AnnotationRecord]:
    """Keep a new note (rec.id is ignored). ValidationError names each wrong field: text (empty or
    longer than 500 characters), on, until (before on), kpi (unknown), scope (unknown), author."""
    made, changes = add(store, rec)
    return Outcome(made, changes)


def update_annotation(store: "Store", rec: AnnotationRecord) -> Outcome[AnnotationRecord]:
    """Change the note rec.id (NotFound when it is gone), checked as add_annotation checks."""
    made, changes = update(store, rec)
    return Outcome(made, changes)


def delete_annotation(store: "Store", annotation_id: int) -> Outcome[None]:
    """Remove a note (NotFound when there is none with that id). A signed check-in keeps its copy."""
    return Outcome(None, delete(store, annotation_id))
