"""Step g, review and sign-off: the whole check-in on one page, the manager's sign-off and the
technician's acknowledgement. The HTML only lays out kpidesk.appraisal.CheckInContent."""
from __future__ import annotations

from html import escape
from typing import Any, Optional

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from kpidesk.appraisal import CheckInContent
from kpidesk.export.formats import fmt_value
from kpidesk.wording import count
from ui.checkin.pages import banner

CSS = """
body { font-size: 10pt; color: #1f2933; }
h2 { font-size: 13pt; color: #102a43; margin: 0 0 2px 0; }
h3 { font-size: 10.5pt; color: #334e68; margin: 12px 0 3px 0; }
td, th { padding: 2px 8px 2px 0; }
th { text-align: left; color: #627d98; font-weight: 600; }
.muted { color: #627d98; }
.warn { color: #8a5a00; }
"""


def _p(text: Any) -> str:
    return escape(str(text or "")).replace("\n", "<br>") or "<span class='muted'>(none)</span>"


def review_html(c: CheckInContent) -> str:
    r, f, a = c.record, c.facts, c.answers
    status = (f"Signed by {escape(r.manager_name)} on {r.manager_signed_at:%d %b %Y}" if r.signed
              else "Draft, not signed")
    if r.acknowledged:
        status += f"; acknowledged by {escape(r.technician_ack_name)} on {r.technician_ack_at:%d %b %Y}"
    out = [f"<h2>{escape(f.technician)}: check-in {escape(r.period)} (version {r.version})</h2>",
           f"<div class='muted'>{escape(f.role or 'no role profile')} &middot; {escape(f.team or 'no team')} &middot; "
           f"{escape(f.period_label)} &middot; {status}</div>",
           f"<div>{count(f.tickets, 'ticket')} resolved, {count(f.csat_responses, 'survey response')}, "
           f"{count(f.history_periods, 'period')} of history.</div>"]
    for w in f.warnings + [f"Live numbers now differ: {d}" for d in c.live_differences]:
        out.append(f"<div class='warn'>&#9888; {escape(w)}</div>")
    ratings = a.get("ratings") or {}
    out.append("<h3>Role KPIs</h3><table><tr><th>KPI</th><th>This period</th><th>Own baseline</th><th>Target</th>"
               "<th>Weight</th><th>Rating</th><th>Comment</th></tr>")
    for k in f.kpis:
        e = ratings.get(str(k.kpi_id)) or {}
        e = e if isinstance(e, dict) else {"rating": e}
        rating = ("not rated" if not k.rated else "no data: not rated" if k.value is None
                  else c.rating_text(e.get("rating")))
        out.append(f"<tr><td>{escape(k.name)}</td><td>{fmt_value(k.value, k.unit)}</td><td>{fmt_value(k.baseline, k.unit)}"
                   f"</td><td>{fmt_value(k.target, k.unit)}</td><td>{k.weight:g}</td><td>{rating}</td>"
                   f"<td>{escape(str(e.get('comment') or ''))}</td></tr>")
    out.append("</table><h3>Readings</h3><ul>")
    for rd in f.readings + ([f.escalation] if f.escalation else []):
        out.append(f"<li>{escape(rd.text)}</li>")
    out.append("</ul><h3>Team context (never part of the rating)</h3><ul>")
    for ctx in f.team_context:
        out.append(f"<li>{escape(ctx.name)}: {fmt_value(ctx.value, ctx.unit)} (previous period "
                   f"{fmt_value(ctx.previous, ctx.unit)})</li>")
    out.append("</ul>")
    if c.previous_goals:
        out.append("<h3>Goals set last time</h3><ul>" + "".join(f"<li>{escape(g.summary)}</li>" for g in c.previous_goals)
                   + "</ul>")
    out.append(f"<h3>Strengths</h3><div>{_p(a.get('strengths'))}</div>")
    out.append(f"<h3>Support or training needed</h3><div>{_p(a.get('support'))}</div>")
    out.append("<h3>Goals for the next period</h3>")
    goals = a.get("goals") or []
    out.append("<ul>" + "".join(
        f"<li>{escape(g.get('text') or '')}: {escape(g.get('kpi') or '?')} {escape(g.get('target') or '')} by "
        f"{escape(str(g.get('due') or '?'))}" + (f" <span class='warn'>(not SMART: {escape(' '.join(g['smart_problems']))})"
                                                 "</span>" if g.get("smart_problems") else "") + "</li>"
        for g in goals) + "</ul>" if goals else "<div class='muted'>(none)</div>")
    out.append(f"<h3>The manager's comments</h3><div>{_p(a.get('manager_comment'))}</div>")
    out.append(f"<h3>The technician's comments</h3><div>{_p(a.get('technician_comment'))}</div>")
    out.append(f"<h3>Overall summary</h3><div>{_p(a.get('summary'))}</div>")
    overall = r.overall_rating
    line = ("not rated" if overall is None
            else f"{escape(c.rating_text(overall))} on {c.rating_scale[0]:g} to {c.rating_scale[1]:g}")
    if a.get("overall_override") is not None:
        line += f" (override of the proposed {c.proposed_rating if c.proposed_rating is not None else 'none'}: " \
                f"{escape(str(a.get('override_reason') or ''))})"
    elif c.proposed_rating is not None:
        line += " (as proposed from the KPI ratings)"
    out.append(f"<h3>Overall rating</h3><div><b>{line}</b></div>")
    if c.left_out:
        out.append(f"<div class='muted'>Left out of the proposal (no data in the period): "
                   f"{escape(', '.join(c.left_out))}.</div>")
    return "".join(out)


class ReviewPage(QWidget):
    """The review text, then the sign-off box. Emits sign_requested(name) / acknowledge_requested(name)."""

    heading = "g. Review and sign-off"
    sign_requested = Signal(str)
    acknowledge_requested = Signal(str)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.document().setDefaultStyleSheet(CSS)
        lay.addWidget(self.browser, 1)
        box = QGroupBox("Sign-off")
        grid = QGridLayout(box)
        grid.setContentsMargins(10, 14, 10, 8)
        self.manager_name = QLineEdit(placeholderText="Manager's name")
        self.sign_button = QPushButton("Sign (freezes the numbers)", objectName="primary")
        self.technician_name = QLineEdit(placeholderText="Technician's name")
        self.ack_button = QPushButton("Acknowledge")
        self.signed_label = QLabel(wordWrap=True)
        grid.addWidget(QLabel("Manager"), 0, 0)
        grid.addWidget(self.manager_name, 0, 1)
        grid.addWidget(self.sign_button, 0, 2)
        grid.addWidget(QLabel("Technician"), 1, 0)
        grid.addWidget(self.technician_name, 1, 1)
        grid.addWidget(self.ack_button, 1, 2)
        grid.addWidget(self.signed_label, 2, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        lay.addWidget(box)
        self.sign_button.clicked.connect(lambda: self.sign_requested.emit(self.manager_name.text()))
        self.ack_button.clicked.connect(lambda: self.acknowledge_requested.emit(self.technician_name.text()))

    def show_content(self, c: CheckInContent) -> None:
        r = c.record
        self.browser.setHtml(review_html(c))
        self.manager_name.setText(r.manager_name or self.manager_name.text())
        self.manager_name.setReadOnly(r.signed)
        self.sign_button.setEnabled(not r.signed)
        self.technician_name.setText(r.technician_ack_name or (self.technician_name.text() or r.technician))
        self.technician_name.setReadOnly(r.acknowledged)
        self.ack_button.setEnabled(r.signed and not r.acknowledged)
        self.signed_label.setText(
            "Sign to make the check-in read-only; the technician acknowledges after signing." if not r.signed
            else "Signed: read-only. A correction is a new version; the history keeps both.")


__all__ = ["ReviewPage", "review_html", "banner"]
