"""The fact pages of the check-in wizard (steps a-e): who and when, role KPIs, speed and quality,
escalations, team context. Read-only views of kpidesk.appraisal's facts; no rule is decided here."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kpidesk.annotations import AnnotationRecord
from kpidesk.appraisal import CheckInContent, Facts, KpiFact, Reading, SplitFact
from kpidesk.appraisal.readings import hours, pct
from kpidesk.export.formats import fmt_value
from kpidesk.wording import count
from ui.checkin.plots import TrendPlot
from ui.plot_annotations import AnnotationLayer, period_x

BANNER = {"warn": "background:#fff8e1; border:1px solid #f0c36d; border-radius:4px; padding:6px 8px;",
          "info": "background:#eef4fc; border:1px solid #b6d0f2; border-radius:4px; padding:6px 8px;",
          "ok": "background:#edf7ee; border:1px solid #a5d6a7; border-radius:4px; padding:6px 8px;"}


def banner(text: str, kind: str = "info") -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setStyleSheet(BANNER[kind])
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def title(text: str) -> QLabel:
    return QLabel(text, objectName="sectionTitle")


def muted(text: str) -> QLabel:
    label = QLabel(text, objectName="hint", wordWrap=True)
    return label


def clear(layout: QVBoxLayout | QGridLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.setParent(None)
            w.deleteLater()
        elif item.layout() is not None:
            clear(item.layout())  # type: ignore[arg-type]


class FactPage(QScrollArea):
    """A scrollable page with a vertical body that `show_content` refills."""

    heading = ""
    # (metric, segment): the tickets behind a figure are wanted (the wizard opens the drill-down).
    tickets_requested = Signal(str, str)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        self.body = QVBoxLayout(inner)
        self.body.setContentsMargins(4, 4, 12, 4)
        self.body.setSpacing(8)
        self.setWidget(inner)

    def show_content(self, content: CheckInContent) -> None:
        clear(self.body)
        self.fill(content, content.facts)
        self.body.addStretch(1)

    def fill(self, content: CheckInContent, facts: Facts) -> None:
        raise NotImplementedError


def _grid(rows: list[tuple[str, str]]) -> QGridLayout:
    grid = QGridLayout()
    grid.setHorizontalSpacing(16)
    grid.setVerticalSpacing(3)
    for i, (k, v) in enumerate(rows):
        grid.addWidget(muted(k), i, 0)
        value = QLabel(v, wordWrap=True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(value, i, 1)
    grid.setColumnStretch(1, 1)
    return grid


class WhoPage(FactPage):
    heading = "a. Who and when"

    def fill(self, content: CheckInContent, f: Facts) -> None:
        self.body.addWidget(title("Technician and period"))
        self.body.addLayout(_grid([
            ("Technician", f.technician + ("  (escalation destination)" if f.escalation_destination else "")),
            ("Role profile", f.role or "none"), ("Team", f.team or "none"), ("Period", f.period_label or f.period),
            ("Tickets resolved", str(f.tickets)), ("CSAT responses", str(f.csat_responses)),
            ("Periods of history", f"{f.history_periods} with tickets, of the last 7")]))
        for w in f.warnings:
            self.body.addWidget(banner(w, "warn"))
        if content.previous_goals:
            self.body.addWidget(title(f"Goals set last time ({content.previous_goals[0].set_in})"))
            for g in content.previous_goals:
                self.body.addWidget(banner(f"{g.summary}\n{g.text}" if g.text else g.summary,
                                           "ok" if g.met else "info"))
        notes = content.facts.notes if content.record.signed and content.facts.notes else \
            [n.to_json() for n in content.notes]
        self.body.addWidget(title(f"Performance log in {f.period} ({count(len(notes), 'note')})"))
        if not notes:
            self.body.addWidget(muted("No notes dated in this period. Add notes from the Check-ins screen's "
                                      "performance log so the review rests on the whole period."))
        for n in notes:
            extra = ", ".join(x for x in (n.get("kpi") or "", n.get("ticket_ref") or "") if x)
            self.body.addWidget(QLabel(f"{n['noted_on']}  [{n['kind']}]  {n['text']}" + (f"  ({extra})" if extra else ""),
                                       wordWrap=True))


class KpiCard(QGroupBox):
    """One role KPI: this period, own baseline, role target, and the last periods as a small plot."""

    def __init__(self, k: KpiFact, parent: Optional[QWidget] = None, on_tickets=None) -> None:
        super().__init__(k.name, parent)
        lay = QGridLayout(self)
        lay.setContentsMargins(8, 12, 8, 6)
        lay.setHorizontalSpacing(10)
        target = (f"{fmt_value(k.band[0], k.unit)} to {fmt_value(k.band[1], k.unit)}" if k.band
                  else fmt_value(k.target, k.unit))
        facts = [("This period", fmt_value(k.value, k.unit) + (f"  (n={k.count})" if k.count else "")),
                 ("Own baseline", fmt_value(k.baseline, k.unit)), ("Role target", target),
                 ("Weight", f"{k.weight:g}" if k.rated else "not rated")]
        for i, (name, value) in enumerate(facts):
            lay.addWidget(muted(name), i, 0)
            v = QLabel(value)
            if i == 0:
                v.setStyleSheet("font-weight:600;" + ("color:#9fb3c8;" if k.thin else ""))
            lay.addWidget(v, i, 1)
        self.plot = TrendPlot()
        self.plot.set_trend(k.trend, k.target, k.baseline)
        lay.addWidget(self.plot, 0, 2, 4, 1)
        lay.setColumnStretch(2, 1)
        if k.note:
            lay.addWidget(muted(k.note), 4, 0, 1, 3)
        if k.metric and on_tickets is not None:
            lay.addWidget(tickets_link([(k.metric, "Tickets behind this value")], on_tickets), 5, 0, 1, 3)


def _split_table(rows: list[SplitFact], heading: str) -> QGroupBox:
    box = QGroupBox(heading)
    grid = QGridLayout(box)
    grid.setContentsMargins(8, 12, 8, 6)
    for c, h in enumerate(("", "MTTR", "Median", "90th pct", "Tickets")):
        grid.addWidget(muted(h), 0, c)
    for r, s in enumerate(rows, start=1):
        for c, text in enumerate((s.segment, hours(s.value), hours(s.median), hours(s.p90), str(s.count))):
            label = QLabel(text)
            if c:
                label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(label, r, c)
    return box


class KpisPage(FactPage):
    heading = "b. Role KPIs"

    def fill(self, content: CheckInContent, f: Facts) -> None:
        self.body.addWidget(muted("Measured against the role profile's own targets and the person's own "
                                  "baseline; trend over the last 6 periods (dashed: target, dotted: baseline). "
                                  "No ranking against colleagues."))
        grid = QGridLayout()
        grid.setSpacing(8)
        # The period's context notes, on the small trends of the KPIs they are about (or every KPI).
        notes = [AnnotationRecord.from_json(d) for d in f.context_notes]
        for i, k in enumerate(f.kpis):
            card = KpiCard(k, on_tickets=lambda metric, k=k: self.tickets_requested.emit(metric, k.segment))
            card.notes = AnnotationLayer(card.plot, period_x([p for p, _v in k.trend]))
            card.notes.set_notes([n for n in notes if n.kpi_id in (None, k.kpi_id)])
            grid.addWidget(card, i // 2, i % 2)
        if not f.kpis:
            self.body.addWidget(banner("This technician has no role profile KPIs.", "warn"))
        self.body.addLayout(grid)
        self.body.addWidget(title("MTTR split by priority and by ticket type"))
        splits = QGridLayout()
        splits.addWidget(_split_table(f.mttr_by_priority, "By priority tier"), 0, 0)
        splits.addWidget(_split_table(f.mttr_by_type, "By ticket type"), 0, 1)
        self.body.addLayout(splits)


def tickets_link(metrics: list[tuple[str, str]], on_click) -> QLabel:
    """Links to the tickets behind figures: `on_click(metric)`."""
    links = " · ".join(f'<a href="{m}">{label}</a>' for m, label in metrics)
    label = QLabel(links, objectName="hint")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                  | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
    label.linkActivated.connect(on_click)
    return label


def reading_box(heading: str, figures: list[tuple[str, str]], reading: Optional[Reading],
                links: list[tuple[str, str]] = (), on_link=None) -> QGroupBox:
    box = QGroupBox(heading)
    lay = QVBoxLayout(box)
    lay.setContentsMargins(10, 14, 10, 8)
    lay.addLayout(_grid(figures))
    if links and on_link is not None:
        lay.addWidget(tickets_link(list(links), on_link))
    if reading is not None:
        text = QLabel(reading.text, wordWrap=True)
        text.setStyleSheet("font-size:10.5pt; font-weight:600; color:#102a43; padding-top:4px;")
        lay.addWidget(text)
        if reading.rule:
            lay.addWidget(muted(f"Rule: {reading.rule}"))
    return box


def _fig(f: Facts, name: str) -> dict:
    return f.figures.get(name) or {}


def _fmt(kind: str, v: Optional[float]) -> str:
    if v is None:
        return "n/a"
    return pct(v) if kind == "pct" else hours(v) if kind == "h" else f"{v:.2f}"


def _figure_text(fig: dict, kind: str) -> str:
    parts = [_fmt(kind, fig.get("value"))]
    for key, label in (("target", "target"), ("baseline", "own baseline"), ("previous", "previous period")):
        if fig.get(key) is not None:
            parts.append(f"{label} {_fmt(kind, fig[key])}")
    if fig.get("count"):
        parts.append(f"n={fig['count']}")
    return ", ".join(parts)


class PairsPage(FactPage):
    heading = "c. Speed and quality together"

    def fill(self, content: CheckInContent, f: Facts) -> None:
        self.body.addWidget(muted("Every speed number beside its quality counterpart, read by stated rules."))
        readings = {r.topic: r for r in f.readings}
        fallback = f.readings[0] if f.readings and not readings.get("speed_quality") else None
        label = f.figures.get("speed_label") or "MTTR"
        self.body.addWidget(reading_box(f"{label} and first-contact resolution", [
            (label, _figure_text(_fig(f, "mttr"), "h")), ("First-contact resolution", _figure_text(_fig(f, "fcr"), "pct"))],
            readings.get("speed_quality") or fallback,
            [("mttr_hours", "MTTR tickets, longest first"), ("fcr_rate", "tickets not solved at first contact first")],
            self._on_link))
        self.body.addWidget(reading_box("SLA compliance and CSAT", [
            ("SLA compliance", _figure_text(_fig(f, "sla"), "pct")), ("CSAT", _figure_text(_fig(f, "csat"), "score")),
            ("Survey response rate", pct(f.figures.get("csat_response_rate")))], readings.get("sla_csat"),
            [("sla_compliance", "SLA tickets, breached first"), ("csat_mean", "CSAT tickets, lowest score first")],
            self._on_link))
        self.body.addWidget(muted("SLA compliance is read here beside CSAT, never rated: overall SLA compliance "
                                  "is a team outcome."))


    def _on_link(self, metric: str) -> None:
        self.tickets_requested.emit(metric, "")


class EscalationPage(FactPage):
    heading = "d. Escalations"

    def fill(self, content: CheckInContent, f: Facts) -> None:
        if f.escalation_destination:
            self.body.addWidget(banner(f"{f.technician} is an escalation destination: the escalation rate is "
                                       "reported, not rated.", "info"))
        self.body.addWidget(reading_box("Escalation rate and how escalated tickets land", [
            ("Escalation rate", _figure_text(_fig(f, "escalation"), "pct")),
            ("CSAT of escalated tickets", _figure_text(_fig(f, "csat_escalated"), "score")),
            ("CSAT of the other tickets", _figure_text(_fig(f, "csat_other"), "score"))], f.escalation))


class ContextPage(FactPage):
    heading = "e. Team context"

    def fill(self, content: CheckInContent, f: Facts) -> None:
        self.body.addWidget(banner(f"Context only: these are team outcomes for {f.team or 'the team'} in "
                                   f"{f.period}. They are never part of {f.technician}'s rating.", "info"))
        rows = []
        for c in f.team_context:
            change = ""
            if c.value is not None and c.previous is not None:
                delta = c.value - c.previous
                change = f"  ({'+' if delta >= 0 else ''}{fmt_value(delta, c.unit)} on the previous period)"
            rows.append((c.name, fmt_value(c.value, c.unit) + change))
        if not rows:
            rows.append(("Team", "no team, or no team numbers for this period"))
        self.body.addLayout(_grid(rows))
        team_kpis = [k for k in f.kpis if not k.rated and k.level == "team"]
        if team_kpis:
            self.body.addWidget(title("Team KPIs in the role profile (not rated)"))
            self.body.addLayout(_grid([(k.name, fmt_value(k.value, k.unit)) for k in team_kpis]))
        self.body.addWidget(title(f"Context notes in {f.period} ({count(len(f.context_notes), 'note')})"))
        if not f.context_notes:
            self.body.addWidget(muted("No dated notes on the data in this period (add them from a trend plot, "
                                      "a review or `kpidesk note add`)."))
        for n in (AnnotationRecord.from_json(d) for d in f.context_notes):
            self.body.addWidget(banner(f"{n.when}: {n.text}\n({n.applies_to})", "info"))
