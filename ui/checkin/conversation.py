"""Step f, the conversation: a rating and comment per KPI, strengths, support needed, goals (each
checked for being SMART), the technician's comments, the summary and the overall rating.

The page only collects what was typed (`answers()`) and shows what the core says about it: the SMART
problems (kpidesk.appraisal.goals) and the proposed overall rating (kpidesk.appraisal.rating).
The wizard saves `answers()` through kpidesk.appraisal.save_step at every step change.
"""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk.appraisal import CheckInContent
from kpidesk.appraisal import rating as rating_rules
from kpidesk.appraisal.goals import parse_due, smart_problems
from kpidesk.export.formats import fmt_value
from kpidesk.periods import parse_period
from kpidesk.store import Store
from ui.checkin.pages import FactPage, muted, title
from ui.checkin.self_view import AgendaPanel, SelfAssessmentPanel
from ui.fields import ChoiceCombo, NumberEdit, OptionalDateEdit
from ui.resources import icon


def text_box(placeholder: str, height: int = 64) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setMinimumHeight(height)
    box.setMaximumHeight(height + 40)
    return box


class GoalRow(QWidget):
    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, kpis: list[tuple[str, object]], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.text = QLineEdit(placeholderText="Goal, e.g. Raise first-contact resolution")
        self.kpi = ChoiceCombo()
        self.kpi.set_choices([("Measured by…", None)] + kpis)
        self.target = NumberEdit(placeholderText="target")
        self.target.setMaximumWidth(80)
        self.due = OptionalDateEdit()
        self.remove = QPushButton(icon("delete"), "")
        self.remove.setToolTip("Remove this goal")
        self.problems = QLabel(objectName="fieldError", wordWrap=True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.text, 3)
        row.addWidget(self.kpi, 2)
        row.addWidget(self.target)
        row.addWidget(QLabel("by"))
        row.addWidget(self.due)
        row.addWidget(self.remove)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 4)
        lay.setSpacing(2)
        lay.addLayout(row)
        lay.addWidget(self.problems)
        for sig in (self.text.textChanged, self.target.textChanged, self.due.dateChanged, self.kpi.currentIndexChanged):
            sig.connect(self.changed)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))

    def set_goal(self, g: dict[str, Any]) -> None:
        self.text.setText(str(g.get("text") or ""))
        self.kpi.set_value(g.get("kpi_id"))
        self.target.set_value(g.get("target_value"))
        self.due.set_value(parse_due(g.get("due")))

    def goal(self) -> dict[str, Any]:
        due = self.due.value()
        return {"text": self.text.text().strip(), "kpi_id": self.kpi.value(), "target_value": self.target.value(),
                "due": due.isoformat() if due else None}

    def show_problems(self, problems: list[str]) -> None:
        self.problems.setText("Not SMART yet: " + " ".join(problems) if problems else "")
        self.problems.setVisible(bool(problems))


class ConversationPage(FactPage):
    heading = "f. The conversation"

    def __init__(self, parent: Optional[QWidget] = None, store: Optional[Store] = None) -> None:
        super().__init__(parent)
        self.store = store  # for the self-assessment and the agenda (issue 17); None: neither is shown
        self.read_only = False
        self.rating_combos: dict[int, QComboBox] = {}
        self.rating_comments: dict[int, QLineEdit] = {}
        self.rating_labels: dict[int, QLabel] = {}  # a signed check-in's ratings, as text
        self.goal_rows: list[GoalRow] = []
        self._content: Optional[CheckInContent] = None

    # Building -----------------------------------------------------------------------------------
    def fill(self, content: CheckInContent, f: Any) -> None:
        self._content = content
        data, scale = content.answers, content.rating_scale
        self.rating_combos, self.rating_comments, self.rating_labels, self.goal_rows = {}, {}, {}, []
        ratings = data.get("ratings") or {}
        box = QGroupBox(f"Rating per KPI (optional, {scale[0]:g} to {scale[1]:g})")
        grid = QGridLayout(box)
        grid.setContentsMargins(10, 14, 10, 8)
        for c, h in enumerate(("KPI", "This period", "Weight", "Rating", "Comment")):
            grid.addWidget(muted(h), 0, c)
        for r, k in enumerate(f.kpis, start=1):
            grid.addWidget(QLabel(k.name), r, 0)
            grid.addWidget(QLabel(fmt_value(k.value, k.unit)), r, 1)
            grid.addWidget(QLabel(f"{k.weight:g}" if k.rated else ""), r, 2)
            if not k.rated:
                grid.addWidget(muted("not rated: " + ("team outcome" if k.level == "team" else "escalation destination")),
                               r, 3, 1, 2)
                continue
            if k.value is None:  # nothing measured in the period: nothing to rate (left out of the proposal)
                grid.addWidget(muted("no data: cannot be rated"), r, 3, 1, 2)
                continue
            entry = ratings.get(str(k.kpi_id)) or {}
            entry = entry if isinstance(entry, dict) else {"rating": entry}
            comment_text = str(entry.get("comment") or "")
            if self.read_only:  # a signed record reads as text, not as greyed-out boxes that look editable
                self.rating_labels[k.kpi_id] = QLabel(content.rating_text(entry.get("rating")))
                grid.addWidget(self.rating_labels[k.kpi_id], r, 3)
                note = QLabel(comment_text or "\u2013", wordWrap=True)
                grid.addWidget(note, r, 4)
                continue
            combo = QComboBox()
            combo.addItem("Not rated", None)
            for v in range(int(scale[0]), int(scale[1]) + 1):
                combo.addItem(content.rating_text(float(v)), float(v))
            i = combo.findData(None if entry.get("rating") is None else float(entry["rating"]))
            combo.setCurrentIndex(max(0, i))
            combo.setToolTip(f"Your rating of {k.name} for the period, {scale[0]:g} to {scale[1]:g}")
            combo.currentIndexChanged.connect(self._update_overall)
            combo.currentIndexChanged.connect(self.refresh_self_assessment)
            comment = QLineEdit(comment_text, placeholderText="Comment")
            grid.addWidget(combo, r, 3)
            grid.addWidget(comment, r, 4)
            self.rating_combos[k.kpi_id], self.rating_comments[k.kpi_id] = combo, comment
        grid.setColumnStretch(4, 1)
        self.body.addWidget(box)
        self.self_panel, self.agenda = SelfAssessmentPanel(), AgendaPanel()
        if self.store is not None:
            self.self_panel.set_content(self.store, content, self.shown_ratings())
            self.agenda.set_content(self.store, content, self.read_only)
            self.body.addWidget(self.self_panel)
            self.body.addWidget(self.agenda)

        self.strengths = text_box("Strengths: what went well, with evidence from the period")
        self.support = text_box("Where support or training is needed")
        for label, w, key in (("Strengths", self.strengths, "strengths"), ("Support or training needed", self.support, "support")):
            self.body.addWidget(title(label))
            w.setPlainText(str(data.get(key) or ""))
            self.body.addWidget(w)

        self.body.addWidget(title("Goals for the next period"))
        self.body.addWidget(muted("Each goal is checked for being SMART: tied to a KPI, with a target value and "
                                  "a date after the period ends."))
        self.goals_box = QVBoxLayout()
        self.body.addLayout(self.goals_box)
        self._goal_kpis = [(k.name, k.kpi_id) for k in f.kpis]
        for g in data.get("goals") or []:
            self.add_goal(g)
        self.add_goal_button = QPushButton(icon("add"), "Add goal")
        self.add_goal_button.clicked.connect(lambda: self.add_goal({}))
        self.body.addWidget(self.add_goal_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.manager_comment = text_box("Your comments as the manager (printed in the appraisal summary)")
        self.technician_comment = text_box("The technician's own comments")
        self.summary = text_box("Overall summary")
        for label, w, key in (("The manager's comments", self.manager_comment, "manager_comment"),
                              ("The technician's comments", self.technician_comment, "technician_comment"),
                              ("Overall summary", self.summary, "summary")):
            self.body.addWidget(title(label))
            w.setPlainText(str(data.get(key) or ""))
            self.body.addWidget(w)
        self._build_overall(data, scale)
        self.set_read_only(self.read_only)

    def _build_overall(self, data: dict[str, Any], scale: tuple[float, float]) -> None:
        box = QGroupBox("Overall rating")
        grid = QGridLayout(box)
        grid.setContentsMargins(10, 14, 10, 8)
        self.proposed_label = QLabel()
        self.override_check = QCheckBox("Override the proposal")
        self.override_spin = QDoubleSpinBox(decimals=1, singleStep=0.5, minimum=scale[0], maximum=scale[1])
        self.override_reason = QLineEdit(placeholderText="The reason for the override (required)")
        grid.addWidget(self.proposed_label, 0, 0, 1, 3)
        grid.addWidget(self.override_check, 1, 0)
        grid.addWidget(self.override_spin, 1, 1)
        grid.addWidget(self.override_reason, 1, 2)
        grid.setColumnStretch(2, 1)
        override = data.get("overall_override")
        self.override_check.setChecked(override is not None)
        self.override_spin.setValue(float(override) if override is not None else scale[0])
        self.override_reason.setText(str(data.get("override_reason") or ""))
        self.override_check.toggled.connect(self._update_overall)
        self.body.addWidget(box)
        self._update_overall()

    # Behaviour ----------------------------------------------------------------------------------
    def add_goal(self, g: dict[str, Any]) -> GoalRow:
        row = GoalRow(self._goal_kpis)
        row.set_goal(g)
        row.changed.connect(lambda r=row: self._check_goal(r))
        row.remove_requested.connect(self._remove_goal)
        self.goals_box.addWidget(row)
        row.show()  # added to a page that may already be shown: Qt would show it only on the next event loop pass
        self.goal_rows.append(row)
        self._check_goal(row)
        row.setEnabled(not self.read_only)
        return row

    def _remove_goal(self, row: GoalRow) -> None:
        self.goal_rows.remove(row)
        row.setParent(None)
        row.deleteLater()

    def _check_goal(self, row: GoalRow) -> None:
        if self._content is None:
            return
        last_day = parse_period(self._content.record.period).last_day
        row.show_problems(smart_problems(row.goal(), last_day, {kid: name for name, kid in self._goal_kpis}))

    def ratings(self) -> dict[int, Optional[float]]:
        return {kid: combo.currentData() for kid, combo in self.rating_combos.items()}

    def shown_ratings(self) -> dict[int, Optional[float]]:
        """The ratings as on screen: the boxes of a draft, the saved ones of a signed check-in."""
        if self.rating_combos or self._content is None:
            return self.ratings()
        out: dict[int, Optional[float]] = {}
        for key, entry in (self._content.answers.get("ratings") or {}).items():
            value = entry.get("rating") if isinstance(entry, dict) else entry
            out[int(key)] = None if value in (None, "") else float(value)
        return out

    def refresh_self_assessment(self, *_args: object) -> None:
        """Ask the anchoring guard again (a rating changed, or the step is shown again)."""
        if self.store is not None and self._content is not None and hasattr(self, "self_panel"):
            self.self_panel.refresh(self.shown_ratings())

    def proposed(self) -> Optional[float]:
        f = self._content.facts if self._content else None
        if self.read_only and self._content is not None:
            return self._content.proposed_rating
        weights = {k.kpi_id: k.weight for k in f.kpis} if f else {}
        return rating_rules.propose(self.ratings(), weights)

    def _update_overall(self) -> None:
        p = self.proposed()
        left_out = self._content.left_out if self._content else []
        text = (f"Proposed: {self._content.rating_text(p) if self._content else p}, the KPI ratings weighted by "
                "the role profile's weights." if p is not None
                else "No proposal yet: rate at least one KPI, or override with a reason.")
        if left_out:
            text += f" Left out (no data in the period): {', '.join(left_out)}."
        self.proposed_label.setText(text)
        self.proposed_label.setWordWrap(True)
        on = self.override_check.isChecked() and not self.read_only
        self.override_spin.setEnabled(on)
        self.override_reason.setEnabled(on)

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        if not hasattr(self, "strengths"):
            return
        for w in (*self.rating_combos.values(), *self.rating_comments.values(), self.add_goal_button,
                  self.override_check, *self.goal_rows):
            w.setEnabled(not read_only)
        for box in (self.strengths, self.support, self.manager_comment, self.technician_comment, self.summary):
            box.setReadOnly(read_only)
        self._update_overall()

    def answers(self) -> dict[str, Any]:
        """What was typed, in the shape kpidesk.appraisal.save_step takes."""
        if self._content is None or not hasattr(self, "strengths"):
            return {}
        override = self.override_spin.value() if self.override_check.isChecked() else None
        return {
            "ratings": {str(kid): {"rating": combo.currentData(), "comment": self.rating_comments[kid].text().strip()}
                        for kid, combo in self.rating_combos.items()},
            "strengths": self.strengths.toPlainText(), "support": self.support.toPlainText(),
            "goals": [r.goal() for r in self.goal_rows],
            "manager_comment": self.manager_comment.toPlainText(),
            "technician_comment": self.technician_comment.toPlainText(), "summary": self.summary.toPlainText(),
            "overall_override": override, "override_reason": self.override_reason.text() if override is not None else "",
            **({"agenda": self.agenda.said()} if self.agenda.boxes else {}),
        }
