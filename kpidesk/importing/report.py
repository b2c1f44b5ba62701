"""What an import hands back: the report (counts, rejected rows, new names) and the Qt-free
progress protocol the GUI's worker implements (HOUSE-STYLE 13)."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from kpidesk.records import Changes
from kpidesk.wording import count


class Progress(Protocol):
    def set_status(self, text: str) -> None: ...
    def set_progress(self, done: int, total: int) -> None: ...
    def cancelled(self) -> bool: ...


@dataclass
class RejectedRow:
    file: str
    sheet: str
    row: int  # row number as the spreadsheet shows it (1-based, header included)
    column: str
    value: str
    reason: str


@dataclass
class ImportReport:
    batch_id: int | None  # None for a dry run (nothing was kept)
    file: str
    kind: str  # tickets | values
    sheet: str = ""
    preset: str = ""
    source_system: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    new_technicians: list[str] = field(default_factory=list)
    # Names no technician or alias matched, left unassigned (import --names ignore, or the names dialog).
    unassigned_names: list[str] = field(default_factory=list)
    warnings: list[Any] = field(default_factory=list)  # assumptions.ImportWarning (str() is its message)
    mapping_doc: dict[str, Any] = field(default_factory=dict)  # what a mapping file would say (undo.mapping_document)
    date_order: str = ""
    dry_run: bool = False
    refused: bool = False  # strict mode rejected rows, so nothing was imported
    # The earliest day a ticket the import created or changed came in or was resolved (None: none):
    # stored KPI values of earlier periods do not depend on it (kpidesk.actions refresh from here).
    touched_since: dt.date | None = None
    rows_read: int = 0
    elapsed_s: float = 0.0

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows)

    @property
    def rows_per_s(self) -> float:
        return self.rows_read / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def changes(self) -> Changes:
        changed = bool(self.created or self.updated) and not self.dry_run
        return Changes(tickets=changed and self.kind == "tickets",
                       measurements=changed and self.kind == "values",
                       people=bool(self.new_technicians) and not self.dry_run,
                       imports=not self.dry_run)

    def summary(self) -> str:
        if self.refused:
            return (f"Nothing imported from {self.file}{' [' + self.sheet + ']' if self.sheet else ''}: with "
                    f"--strict, {count(self.rejected, 'rejected row')} of {self.rows_read} stop the whole import.")
        verb = "Would import" if self.dry_run else "Imported"
        what = "ticket" if self.kind == "tickets" else "value"
        text = (f"{verb} {self.file}{' [' + self.sheet + ']' if self.sheet else ''} ({self.preset or self.kind}): "
                f"{count(self.created, what)} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{count(self.rejected, 'row')} rejected; {count(self.rows_read, 'row')} in {self.elapsed_s:.1f} s.")
        if self.new_technicians:
            text += f" New technicians: {', '.join(self.new_technicians)}."
        if self.unassigned_names:
            text += (f" Left unassigned (no technician or alias matches): {', '.join(self.unassigned_names)}; "
                     "`kpidesk people alias NAME --to TECHNICIAN` gives them to a person.")
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id, "file": self.file, "sheet": self.sheet, "preset": self.preset,
            "kind": self.kind, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "rejected": self.rejected,
            "rejected_rows": [asdict(r) for r in self.rejected_rows],
            "new_technicians": list(self.new_technicians), "unassigned_names": list(self.unassigned_names),
            "warnings": [w.to_json() if hasattr(w, "to_json") else {"code": "note", "message": str(w), "count": 0}
                         for w in self.warnings],
            "date_order": self.date_order, "mapping": dict(self.mapping), "dry_run": self.dry_run,
            "rows_read": self.rows_read, "elapsed_s": round(self.elapsed_s, 3),
        }


def display_value(value: Any) -> str:
    """A cell as the report shows it (JSON- and spreadsheet-safe text)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:500]


def poll(progress: Progress | None, done: int, total: int) -> None:
    """Report progress and honour a cancel request (raises Cancelled)."""
    if progress is None:
        return
    from kpidesk.errors import Cancelled

    progress.set_progress(done, max(total, done))
    if progress.cancelled():
        raise Cancelled()
