"""Two panels of the conversation step (issue 17): the technician's self-assessment, behind the
anchoring guard, and the KPI reviews on the agenda with what was said of each.

- SelfAssessmentPanel shows the self-assessment's content only when the core's view says 'shown'
  (kpidesk.appraisal.self_assessment.view: the manager has rated every KPI there is to rate, or the
  check-in is signed); otherwise only the view's message. `refresh(ratings)` asks the core again with
  the ratings as they are on screen (not yet saved), so it opens as the last rating goes in and
  closes again if one is cleared.
- AgendaPanel lists the agenda (kpidesk.appraisal.agenda: live for a draft, as frozen at signing for a
  signed check-in) with a box per review for what was said; `said()` is the answers' 'agenda'.
Thread rule: each refresh is one or two short reads (~5 ms); they run on the GUI thread.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLayout, QPlainTextEdit, QVBoxLayout, QWidget

from kpidesk.appraisal import CheckInContent
from kpidesk.appraisal.agenda import AgendaItem, agenda_for, frozen_agenda
from kpidesk.appraisal.self_assessment import SelfAssessmentView, view
from kpidesk.store import Store
from ui.checkin.pages import banner, clear, muted, title

WHY_STYLE = "color:#243b53;"


def _label(text: str, style: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text, wordWrap=wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    return label


def show_all(layout: QLayout) -> None:
    """Show what was just added to a page already on screen (Qt would on the next event loop pass)."""
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item.widget() is not None:
            item.widget().show()
        elif item.layout() is not None:
            show_all(item.layout())


class SelfAssessmentPanel(QGroupBox):
    """'Their self-assessment': the guard's message, or their ratings and answers beside yours."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__("Their self-assessment", parent)
        self.store: Optional[Store] = None
        self.content: Optional[CheckInContent] = None
        self.state = "none"
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(10, 14, 10, 8)
        self.message = banner("", "info")
        self.lay.addWidget(self.message)
        self.body = QVBoxLayout()
        self.lay.addLayout(self.body)

    def set_content(self, store: Optional[Store], content: CheckInContent, ratings: dict[int, Optional[float]]) -> None:
        self.store, self.content = store, content
        self.refresh(ratings)

    def current_view(self, ratings: dict[int, Optional[float]]) -> SelfAssessmentView:
        assert self.store is not None and self.content is not None
        record = self.content.record
        if not record.signed:  # ask with the ratings on screen, as if saved
            saved = record.data.get("ratings") or {}
            merged = {str(k): {**(saved.get(str(k)) if isinstance(saved.get(str(k)), dict) else {}), "rating": v}
                      for k, v in ratings.items()}
            record = dataclasses.replace(record, data={**record.data, "ratings": {**saved, **merged}})
        return view(self.store, record, self.content.facts)

    def refresh(self, ratings: dict[int, Optional[float]]) -> None:
        clear(self.body)
        if self.store is None or self.content is None:
            self.state = "none"
            self.message.setText("")
            return
        v = self.current_view(ratings)
        self.state = v.state
        self.message.setVisible(v.state != "shown")
        self.message.setText(v.message)
        if v.state != "shown" or v.record is None:
            return
        rec, answers = v.record, v.record.answers or {}
        when = f" on {rec.received_at:%d %b %Y}" if rec.received_at else ""
        self.body.addWidget(muted(f"{rec.technician}'s own view, returned{when}"
                                  + (f" ({rec.received_file})" if rec.received_file else "")
                                  + ". Shown now that every KPI has your rating."))
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(4)
        for c, h in enumerate(("KPI", "Your rating", "Their rating", "Why, in their words")):
            grid.addWidget(muted(h), 0, c)
        theirs = answers.get("ratings") or {}
        row = 1
        for k in self.content.facts.kpis:
            entry = theirs.get(str(k.kpi_id))
            if not k.rated or entry is None:
                continue
            mine = ratings.get(k.kpi_id)
            their = entry.get("rating") if isinstance(entry, dict) else entry
            grid.addWidget(_label(k.name), row, 0)
            grid.addWidget(_label(self.content.rating_text(mine) if mine is not None else "\u2013", wrap=False), row, 1)
            grid.addWidget(_label(self.content.rating_text(float(their)) if their not in (None, "") else "\u2013",
                                  "font-weight:600;", wrap=False), row, 2)
            grid.addWidget(_label(str((entry.get("why") if isinstance(entry, dict) else "") or "\u2013"), WHY_STYLE),
                           row, 3)
            row += 1
        grid.setColumnStretch(3, 1)
        self.body.addLayout(grid)
        for key, heading in (("went_well", "What went well"), ("got_in_way", "What got in the way"),
                             ("support", "Support they would like")):
            self.body.addWidget(title(heading))
            self.body.addWidget(_label(str(answers.get(key) or "\u2013"), WHY_STYLE))
        goals = [str(g) for g in answers.get("goals") or [] if str(g).strip()]
        self.body.addWidget(title("Goals they propose"))
        self.body.addWidget(_label("\n".join(f"\u2022 {g}" for g in goals) if goals else "\u2013", WHY_STYLE))
        show_all(self.body)


class AgendaPanel(QGroupBox):
    """'Agenda: reviews': the KPI reviews about this technician, with a box each for what was said."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__("Agenda: reviews", parent)
        self.items: list[AgendaItem] = []
        self.boxes: dict[int, QPlainTextEdit] = {}
        self.read_only = False
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(10, 14, 10, 8)

    def set_content(self, store: Optional[Store], content: CheckInContent, read_only: bool) -> None:
        clear(self.lay)
        self.boxes, self.read_only = {}, read_only
        r = content.record
        items: Optional[list[AgendaItem]]
        if r.signed:
            items = frozen_agenda(r.frozen)
        else:
            items = agenda_for(store, r.technician_id, r.period, r.data, r.id) if store is not None else []
        self.items = items or []
        if items is None:
            self.lay.addWidget(muted("This check-in was signed before agendas were kept."))
            return
        if not items:
            self.lay.addWidget(muted(f"No KPI review about {r.technician} is open or was closed this cycle."))
            return
        self.lay.addWidget(muted("The KPI reviews about this person. What you write here goes to each review as its "
                                 "follow-up when the check-in is signed."))
        for item in items:
            self.lay.addWidget(_label(item.summary, "font-weight:600; color:#102a43;"))
            state = "Open" if item.state == "open" else (
                f"Acknowledged{f' by {item.acknowledged_by}' if item.acknowledged_by else ''}"
                f"{f' on {item.acknowledged_at:%d %b %Y}' if item.acknowledged_at else ''}")
            self.lay.addWidget(muted(state + (f": {item.note}" if item.note else "")))
            if item.follow_up:
                self.lay.addWidget(muted(f"Said before: {item.follow_up}"))
            if read_only:
                self.lay.addWidget(_label("Said: " + (item.said or "\u2013"), WHY_STYLE))
                continue
            box = QPlainTextEdit(item.said)
            box.setPlaceholderText("What was said about it in this check-in")
            box.setMinimumHeight(54)
            box.setMaximumHeight(80)
            self.boxes[item.review_id] = box
            self.lay.addWidget(box)

    def said(self) -> dict[str, Any]:
        """The answers' 'agenda': {review id (text): what was said}."""
        return {str(rid): box.toPlainText().strip() for rid, box in self.boxes.items()}
