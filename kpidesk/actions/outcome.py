"""What every action returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from kpidesk.importing.report import Progress
from kpidesk.metrics.reviews import ReviewRecord
from kpidesk.records import Changes

T = TypeVar("T")

__all__ = ["Outcome", "Progress"]


@dataclass
class Outcome(Generic[T]):
    """`result`: what the action made (a record, an import report...); `changes`: what a screen
    should refresh; `reviews`: reviews the action opened (its triggers crossed); `notes`: plain
    sentences for the person (what did not follow, what was assumed)."""

    result: T
    changes: Changes = field(default_factory=Changes)
    reviews: list[ReviewRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
