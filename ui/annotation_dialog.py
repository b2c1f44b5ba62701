"""The note dialog (issue 16): a dated note on a KPI, a scope or the whole desk, from a trend plot's
context menu or a review. The caller prefills what it knows (the day clicked, the plot's KPI and
scope, a review's text); OK keeps it through kpidesk.actions (add_annotation, or update_annotation
when an existing note is given). A refused field shows its message beneath it and the dialog stays
open; on success `outcome` holds the action's Outcome and `changes_made` carries its Changes.

    outcome = ask_annotation(self, store, on=day, kpi_id=kpi_id, scope_key=scope)   # None: cancelled

GUI thread; the write is one short transaction, as in the performance log's note dialog.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from kpidesk import actions
from kpidesk.annotations import MAX_TEXT, AnnotationRecord, scope_choices, scope_words
from kpidesk.errors import KpiDeskError, ValidationError
from kpidesk.store import Store
from ui.errors import show_error
from ui.fields import ChoiceCombo, FieldRow, OptionalDateEdit


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


class AnnotationDialog(QDialog):
    """Date, optional end of a span, text, KPI (or every KPI) and scope (or everyone)."""

    changes_made = Signal(object)  # Changes

    def __init__(self, store: Store, *, on: Optional[dt.date] = None, until: Optional[dt.date] = None,
                 kpi_id: Optional[int] = None, scope_key: str = "", text: str = "", author: str = "",
                 annotation: Optional[AnnotationRecord] = None, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.store = store
        self.annotation = annotation
        self.outcome: Any = None
        if annotation is not None:  # editing: the note's own values win over the prefill
            on, until, kpi_id, scope_key = annotation.on, annotation.until, annotation.kpi_id, annotation.scope_key
            text, author = annotation.text, annotation.author
        self.setWindowTitle("Edit note" if annotation is not None else "Add a note")
        self.on = QDateEdit(_qdate(on or dt.date.today()), calendarPopup=True)
        self.on.setDisplayFormat("yyyy-MM-dd")
        self.until = OptionalDateEdit()
        self.until.set_value(until)
        self.until.setToolTip("The last day of a span (a leave, a rollout week); leave 'not set' for one day")
        self.text = QPlainTextEdit(text)
        self.text.setPlaceholderText("What happened, e.g. VPN rollout, two people on leave")
        self.text.setFixedHeight(84)
        self.counter = QLabel(objectName="hint")
        self.kpi = ChoiceCombo()
        self.kpi.set_choices([("Every KPI", None)] + [(k.name, k.id) for k in store.list_kpis()])
        self.kpi.set_value(kpi_id)
        self.scope = ChoiceCombo()
        choices = scope_choices(store)
        if scope_key not in {key for _, key in choices}:  # a project, or a scope the caller knows better
            choices.append((scope_words(scope_key).capitalize(), scope_key))
        self.scope.set_choices(choices)  # type: ignore[arg-type]
        self.scope.set_value(scope_key)
        self.author = QLineEdit(author, placeholderText="who writes it (optional)")
        self.rows: dict[str, FieldRow] = {}
        form = QFormLayout()
        for label, key, editor in (("Date", "on", self.on), ("Until", "until", self.until), ("Note", "text", self.text),
                                   ("", "counter", self.counter), ("KPI", "kpi", self.kpi),
                                   ("Shown for", "scope", self.scope), ("Author", "author", self.author)):
            if key == "counter":
                form.addRow(label, editor)
                continue
            self.rows[key] = FieldRow(editor)
            form.addRow(label, self.rows[key])
        hint = QLabel("A note for everyone is drawn on every plot it touches; one for a team, a group, a "
                      "technician or the desk only on that plot. Check-ins list the notes over their period.",
                      objectName="hint", wordWrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(hint)
        lay.addWidget(self.buttons)
        self.text.textChanged.connect(self._on_text_changed)
        self._on_text_changed()
        self.resize(480, self.sizeHint().height())

    def record(self) -> AnnotationRecord:
        d = self.on.date()
        base = self.annotation
        return AnnotationRecord(on=dt.date(d.year(), d.month(), d.day()), until=self.until.value(),
                                text=self.text.toPlainText(), kpi_id=self.kpi.value(),  # type: ignore[arg-type]
                                scope_key=str(self.scope.value() or ""), author=self.author.text(),
                                id=base.id if base is not None else None)

    def show_problems(self, problems: dict[str, str]) -> None:
        for key, row in self.rows.items():
            msg = problems.get(key, "")
            row.set_message(msg[:1].upper() + msg[1:])
        unplaced = [f"{k}: {v}" for k, v in problems.items() if k not in self.rows]
        if unplaced:  # e.g. 'database': under the note, where it is seen
            self.rows["text"].set_message("; ".join(unplaced))

    def _on_text_changed(self) -> None:
        n = len(self.text.toPlainText().strip())
        self.counter.setText(f"{n} / {MAX_TEXT} characters" + ("  (too long)" if n > MAX_TEXT else ""))

    def _on_buttons_accepted(self) -> None:
        rec = self.record()
        try:
            if rec.id is None:
                self.outcome = actions.add_annotation(self.store, rec)
            else:
                self.outcome = actions.update_annotation(self.store, rec)
        except ValidationError as exc:
            self.show_problems(exc.problems)
            return
        except KpiDeskError as exc:
            show_error(self, exc)
            return
        self.changes_made.emit(self.outcome.changes)
        self.accept()


def ask_annotation(parent: Optional[QWidget], store: Store, **prefill: Any) -> Any:
    """Open the dialog modally with `prefill` (on, until, kpi_id, scope_key, text, author, or
    annotation= to edit one); the action's Outcome when kept, None when cancelled."""
    dialog = AnnotationDialog(store, parent=parent, **prefill)
    return dialog.outcome if dialog.exec() == QDialog.DialogCode.Accepted else None


if __name__ == "__main__":
    import sys
    import tempfile
    from pathlib import Path

    from ui.qt_app import make_app

    app = make_app(sys.argv)
    preview = Store.open(Path(tempfile.mkdtemp(prefix="kpidesk-preview-")) / "preview.db")
    actions.load_demo(preview)
    mttr = preview.find_kpi("MTTR")
    outcome = ask_annotation(None, preview, on=dt.date.today(), kpi_id=mttr.id if mttr else None, scope_key="desk")
    print(outcome.result if outcome else "cancelled")
    preview.close()
