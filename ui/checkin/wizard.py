"""The check-in wizard: seven steps (a-g of issue 5) in a stepper, for one check-in.

- Back, Next and the step list move between steps; every page keeps what was typed (pages are built
  once per check-in and never rebuilt while moving).
- Each step change saves the draft (kpidesk.appraisal.save_step), remembering the step, so closing
  the app and opening the check-in again resumes where it was. A refused save (an override without a
  reason, a rating off the scale) shows the message and stays on the step.
- A signed check-in opens read-only, with a 'Correct (new version)' button.
Thread rule: the appraisal calls are short reads/writes (~50 ms on the demo); they run on the GUI thread.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk import actions
from kpidesk import appraisal as ap
from kpidesk.errors import KpiDeskError
from kpidesk.store import Store
from ui.checkin.conversation import ConversationPage
from ui.checkin.pages import ContextPage, EscalationPage, FactPage, KpisPage, PairsPage, WhoPage, banner
from ui.checkin.review import ReviewPage
from ui.checkin.export_dialog import default_folder
from ui.errors import show_error
from ui.evidence_dialog import show_tickets
from ui.ops import Op

CONVERSATION, REVIEW = 5, 6


class CheckInWizard(QWidget):
    closed = Signal()
    changes_made = Signal(object)  # Changes

    def __init__(self, store: Store, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.store = store
        self.checkin_id: Optional[int] = None
        self.content: Optional[ap.CheckInContent] = None
        self.step = 0
        self.title = QLabel(objectName="pageTitle")
        self.saved_label = QLabel(objectName="hint")
        self.back_to_list = QPushButton("Back to the list")
        self.correct_button = QPushButton("Correct (new version)")
        self.correct_button.setToolTip("A new draft version of this signed check-in; the history keeps both")
        self.export_button = QPushButton("Export PDF…")
        self.export_button.setToolTip("This check-in's appraisal summary as a PDF (a draft is marked DRAFT)")
        self.back_to_list.setToolTip("Save the draft and go back to the technicians")
        self.locked_banner = banner("", "info")
        self.differs_banner = banner("", "warn")
        self.steps = QListWidget(objectName="healthList")
        self.steps.addItems([f"{chr(ord('a') + i)}. {name}" for i, name in enumerate(ap.STEPS)])
        self.steps.setFixedWidth(190)
        self.pages = QStackedWidget()
        self.who, self.kpis, self.pairs = WhoPage(), KpisPage(), PairsPage()
        self.escalation, self.context = EscalationPage(), ContextPage()
        self.conversation, self.review = ConversationPage(store=store), ReviewPage()
        for page in (self.who, self.kpis, self.pairs, self.escalation, self.context, self.conversation, self.review):
            self.pages.addWidget(page)
            if isinstance(page, FactPage):
                page.tickets_requested.connect(self._on_page_tickets_requested)
        self.back_button = QPushButton("< Back")
        self.next_button = QPushButton("Next >", objectName="primary")

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.saved_label)
        head.addWidget(self.export_button)
        head.addWidget(self.correct_button)
        head.addWidget(self.back_to_list)
        middle = QHBoxLayout()
        middle.addWidget(self.steps)
        middle.addWidget(self.pages, 1)
        nav = QHBoxLayout()
        nav.addStretch(1)
        nav.addWidget(self.back_button)
        nav.addWidget(self.next_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 16, 24, 12)
        lay.addLayout(head)
        lay.addWidget(self.locked_banner)
        lay.addWidget(self.differs_banner)
        lay.addLayout(middle, 1)
        lay.addLayout(nav)

        self.steps.currentRowChanged.connect(self._on_steps_row_changed)
        self.back_button.clicked.connect(lambda: self.go_to(self.step - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.step + 1))
        self.back_to_list.clicked.connect(self._on_back_to_list_clicked)
        self.correct_button.clicked.connect(self._on_correct_clicked)
        self.export_button.clicked.connect(self.export_pdf)
        self.review.sign_requested.connect(self._on_review_sign_requested)
        self.review.acknowledge_requested.connect(self._on_review_acknowledge_requested)

    # Public API ---------------------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        return bool(self.content and self.content.record.read_only)

    def open_checkin(self, checkin_id: int) -> None:
        """Show check-in `checkin_id` at the step where it was left."""
        self.checkin_id = checkin_id
        self._reload()
        self._show_step(self.content.record.step if self.content else 0)

    def save(self, step: Optional[int] = None) -> bool:
        """Save what was typed as the draft (no-op when read-only). False when the core refused."""
        if self.checkin_id is None or self.read_only:
            return True
        try:
            rec = actions.save_checkin_step(self.store, self.checkin_id, self.step if step is None else step,
                                            self.conversation.answers()).result
        except KpiDeskError as exc:
            show_error(self, exc)
            return False
        assert self.content is not None
        self.content.record, self.content.answers = rec, dict(rec.data)
        self.content.proposed_rating = rec.data.get("proposed_rating")
        self.saved_label.setText(f"Draft saved at {dt.datetime.now():%H:%M:%S}")
        self.changes_made.emit(ap.CHANGES)
        return True

    def go_to(self, step: int) -> bool:
        step = max(0, min(step, len(ap.STEPS) - 1))
        if step == self.step:
            return True
        if not self.save(step):
            self.steps.blockSignals(True)
            self.steps.setCurrentRow(self.step)
            self.steps.blockSignals(False)
            return False
        self._show_step(step)
        return True

    def export_pdf(self, path: Optional[str] = None) -> Optional[Op]:
        """Save the draft, then write this check-in's PDF (asks where unless `path` is given)."""
        if self.checkin_id is None or self.content is None or not self.save():
            return None
        r = self.content.record
        if path is None:
            suggested = str(Path(default_folder()) / f"{r.period}_{r.technician.replace(' ', '_')}.pdf")
            path, _ = QFileDialog.getSaveFileName(self, "Export the appraisal summary", suggested, "PDF (*.pdf)")
            if not path:
                return None
        from ui.reports.pdf_renderer import render_pdf

        store, checkin_id = self.store, self.checkin_id
        op: Op = Op(self, lambda progress: actions.export_checkin(store, checkin_id, path, render_pdf=render_pdf,
                                                                  progress=progress).result)
        op.with_progress("Writing the appraisal summary").success(
            lambda done: self.saved_label.setText(f"Exported {Path(done).name}")).run()
        self.export_op = op
        return op

    def close_checkin(self) -> None:
        """Save and leave (also called when the window closes)."""
        if self.checkin_id is not None:
            self.save()

    # Internals ----------------------------------------------------------------------------------
    def _reload(self) -> None:
        assert self.checkin_id is not None
        c = ap.checkin_content(self.store, self.checkin_id)
        self.content = c
        r = c.record
        self.title.setText(f"{r.technician}: check-in {r.period}, version {r.version}")
        for page in (self.who, self.kpis, self.pairs, self.escalation, self.context):
            page.show_content(c)
        self.conversation.read_only = r.read_only
        self.conversation.show_content(c)
        self.correct_button.setVisible(r.signed and r.superseded_by_id is None)
        self.locked_banner.setVisible(r.signed)
        if r.signed:
            ack = (f" Acknowledged by {r.technician_ack_name} on {r.technician_ack_at:%d %b %Y}."
                   if r.acknowledged else " Not yet acknowledged by the technician.")
            newer = " A newer version exists." if r.superseded_by_id else ""
            self.locked_banner.setText(f"Signed by {r.manager_name} on {r.manager_signed_at:%d %b %Y}: read-only, "
                                       f"with the numbers as they were at signing.{ack}{newer}")
        self.differs_banner.setVisible(bool(c.live_differences))
        self.differs_banner.setText("The live numbers now differ from those frozen at signing: "
                                    + " ".join(c.live_differences[:4]) + (" …" if len(c.live_differences) > 4 else ""))
        self.saved_label.setText("" if r.signed else f"Draft, last saved {r.updated_at:%d %b %Y %H:%M} UTC"
                                 if r.updated_at else "Draft")

    def _show_step(self, step: int) -> None:
        self.step = step
        if step == REVIEW and self.content is not None:
            # The review shows the answers as saved, with the proposal and SMART problems from the core.
            self.content = ap.checkin_content(self.store, self.checkin_id)  # type: ignore[arg-type]
            self.review.show_content(self.content)
        if step == CONVERSATION:
            self.conversation.refresh_self_assessment()  # a form may have come back since
        self.pages.setCurrentIndex(step)
        self.steps.blockSignals(True)
        self.steps.setCurrentRow(step)
        self.steps.blockSignals(False)
        self.back_button.setEnabled(step > 0)
        self.next_button.setVisible(step < len(ap.STEPS) - 1)

    # Slots --------------------------------------------------------------------------------------
    def _on_page_tickets_requested(self, metric: str, segment: str) -> None:
        if self.content is None:
            return
        f = self.content.facts
        # A signed check-in's figures are frozen; its tickets are read as they are now.
        show_tickets(self, self.store, f"technician:{f.technician_id}", f.period, metric=metric,
                     segment=segment or None)

    def _on_steps_row_changed(self, row: int) -> None:
        if row >= 0:
            self.go_to(row)

    def _on_back_to_list_clicked(self) -> None:
        self.close_checkin()
        self.closed.emit()

    def _on_correct_clicked(self) -> None:
        try:
            rec = actions.correct_checkin(self.store, self.checkin_id).result  # type: ignore[arg-type]
        except KpiDeskError as exc:
            show_error(self, exc)
            return
        self.changes_made.emit(ap.CHANGES)
        self.open_checkin(rec.id)

    def _on_review_sign_requested(self, name: str) -> None:
        if not self.save(REVIEW):
            return
        try:
            actions.sign_checkin(self.store, self.checkin_id, name)  # type: ignore[arg-type]
        except KpiDeskError as exc:
            show_error(self, exc)
            return
        self.changes_made.emit(ap.CHANGES)
        self.open_checkin(self.checkin_id)  # type: ignore[arg-type]

    def _on_review_acknowledge_requested(self, name: str) -> None:
        try:
            actions.acknowledge_checkin(self.store, self.checkin_id, name)  # type: ignore[arg-type]
        except KpiDeskError as exc:
            show_error(self, exc)
            return
        self.changes_made.emit(ap.CHANGES)
        self.open_checkin(self.checkin_id)  # type: ignore[arg-type]
