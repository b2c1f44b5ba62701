"""Exporting the tickets behind a value (the drill-down's Export, `kpidesk tickets --out`)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kpidesk.actions.outcome import Outcome

if TYPE_CHECKING:
    from kpidesk.store import Store


def export_tickets(store: "Store", scope_key: str, period: str, out: str | Path, *, metric: str | None = None,
                   segment: str | None = None) -> Outcome[Path]:
    """The tickets behind `metric` for the scope and period as an .xlsx at `out`, written atomically
    (a name without the extension gets it). Text from the exports never becomes a formula."""
    from kpidesk.export.atomic import check_writable_folder
    from kpidesk.export.ticket_list import write_ticket_list
    from kpidesk.metrics.evidence import tickets_behind

    dest = Path(out).expanduser()
    if dest.suffix.lower() != ".xlsx":
        dest = dest.with_name(dest.name + ".xlsx")
    check_writable_folder(dest.parent)
    ev = tickets_behind(store, scope_key, period, metric=metric, segment=segment)
    return Outcome(write_ticket_list(ev, dest), notes=[f"{len(ev.lines)} tickets written to {dest.name}"])
