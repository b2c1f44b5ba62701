"""Raise a review by hand from a dashboard card: ask why, then the core's action. For a technician the
review comes up on the agenda of their next check-in; for the desk or a team it is listed with the
other open reviews."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QInputDialog

from ui.errors import show_error


def ask_and_raise(screen: Any, kpi_id: int, period: str, why: str | None = None) -> Any:
    """The action's Outcome (its changes emitted through the screen), or None if cancelled or refused.
    Asks why unless given."""
    from kpidesk import actions
    from kpidesk.errors import KpiDeskError

    name = screen.model.card(screen.model.row_of(kpi_id)).name
    who = screen.scope_combo.currentText()
    if why is None:
        text, ok = QInputDialog.getMultiLineText(
            screen, "Raise a review", f"{name} for {who}, {period}: why does it need a review?\n"
            + ("It will come up on the agenda of their next check-in." if screen.scope_key.startswith("technician:")
               else "It is listed with the other open reviews."))
        if not ok or not text.strip():
            return None
        why = text
    try:
        outcome = actions.raise_review(screen.store, kpi_id, screen.scope_key, period, why)
    except KpiDeskError as exc:  # e.g. already a review for that period: said, not raised
        show_error(screen, exc)
        return None
    screen.changes_made.emit(outcome.changes)
    return outcome
