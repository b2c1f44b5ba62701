"""An AppraisalReport as HTML in the subset Qt's QTextDocument understands (tables, headings,
simple CSS), so ui/reports/pdf_renderer.py can lay it out and paginate it. Pure text: no Qt here.

Plots are referenced as <img src="trend:N">; the renderer draws them and registers the images under
those names. Every value carries text as well as any shading (arrows with words, 'not rated',
'context'), so the page reads the same in greyscale.
"""
from __future__ import annotations

import html
from typing import Iterable

from kpidesk.export.content import AppraisalReport, KpiLine, note_label
from kpidesk.export.formats import fmt_date, fmt_rating, fmt_target, fmt_value, trend_label
from kpidesk.signals import LINE_STYLES

PLOT_WIDTH_PX, PLOT_HEIGHT_PX = 300, 145  # CSS pixels (96 dpi) in the document
LOGO_URL = "logo:0"  # the renderer registers the organisation's logo under this name
PLOTS_PER_ROW = 2

STYLE = """
body { font-size: 9.5pt; }
h1 { font-size: 16pt; margin-bottom: 2px; }
h2 { font-size: 12pt; margin-top: 14px; margin-bottom: 4px; }
h3 { font-size: 10pt; margin-top: 8px; margin-bottom: 2px; }
th { font-weight: bold; text-align: left; background-color: #e6e6e6; }
td.num { text-align: right; }
p.muted { color: #444444; font-size: 8.5pt; }
p.draft { font-weight: bold; font-size: 11pt; margin-bottom: 6px; }
"""


def plot_url(index: int) -> str:
    return f"trend:{index}"


def plotted_kpis(report: AppraisalReport) -> list[KpiLine]:
    """The KPIs that get a trend plot (at least two known points); the renderer uses the same list."""
    return [k for k in report.kpis if sum(p.value is not None for p in k.trend) >= 2]


def _e(text: str) -> str:
    return html.escape(text or "", quote=True).replace("\n", "<br/>")


def _para(text: str, empty: str = "None recorded.") -> str:
    if not (text or "").strip():
        return f'<p class="muted">{_e(empty)}</p>'
    return "".join(f"<p>{_e(p)}</p>" for p in text.strip().split("\n\n"))


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]], num_cols: set[int] = frozenset(),
           widths: list[int] | None = None) -> str:
    """A full-width table; cells are already-escaped HTML. The <thead> repeats on each page."""
    out = ['<table width="100%" border="1" cellspacing="0" cellpadding="4" style="border-collapse: collapse; '
           'border-color: #999999; border-style: solid;"><thead><tr>']
    for i, h in enumerate(headers):
        width = f' width="{widths[i]}%"' if widths else ""
        align = ' align="right"' if i in num_cols else ""
        out.append(f"<th{width}{align}>{_e(h)}</th>")
    out.append("</tr></thead>")
    for row in rows:
        out.append("<tr>")
        for i, cell in enumerate(row):
            cls = ' class="num" align="right"' if i in num_cols else ""
            out.append(f"<td{cls}>{cell}</td>")
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def _header(r: AppraisalReport) -> str:
    status = "Signed" if not r.is_draft else "DRAFT (not signed)"
    signed = (f"{_e(r.manager or 'manager')}, {fmt_date(r.manager_signed_at)}" if r.manager_signed_at
              else "not signed")
    ack = (f"{_e(r.technician_ack_name or r.technician)}, {fmt_date(r.technician_ack_at)}"
           if r.technician_ack_at else "not acknowledged")
    rows = [
        ("Technician", _e(r.technician)), ("Team", _e(r.team or "\u2013")), ("Role", _e(r.role or "\u2013")),
        ("Period", _e(r.period_label or r.period)), ("Manager", _e(r.manager or "\u2013")),
        ("Status", f"<b>{_e(status)}</b> (version {r.version})"),
        ("Manager sign-off", signed),
        ("Technician acknowledgement", ack),
    ]
    table = ['<table width="100%" cellspacing="0" cellpadding="3">']
    for label, value in rows:
        table.append(f'<tr><td width="30%"><b>{_e(label)}</b></td><td>{value}</td></tr>')
    table.append("</table>")
    draft = ('<p class="draft">DRAFT: this check-in has not been signed. Its numbers and ratings may '
             "still change.</p>") if r.is_draft else ""
    logo = f'<img src="{LOGO_URL}" height="48"/><br/>' if r.logo else ""
    return (f"{logo}<h1>{_e(r.organisation or 'Appraisal summary')}</h1>"
            f"<p><b>Appraisal summary: {_e(r.technician)}, {_e(r.period)}</b></p>" + draft + "".join(table))


def _kpi_section(r: AppraisalReport) -> str:
    rows = []
    for k in r.kpis:
        values = [p.value for p in k.trend] or [k.value]
        rating = (fmt_rating(k.rating, r.rating_scale, r.rating_words) if k.rateable
                  else "no data: not rated" if k.rated else "reported, not rated")
        name = f"<b>{_e(k.name)}</b>"
        if k.note:
            name += f'<br/><span style="font-size: 8pt;">{_e(k.note)}</span>'
        value = fmt_value(k.value, k.unit) if k.value is not None else "no data"
        rows.append([name, value, fmt_value(k.baseline, k.unit),
                     _e(fmt_target(k.target, k.unit, k.direction, k.band)), _e(k.status),
                     _e(trend_label(values, k.direction, k.band)), _e(rating)])
    out = ["<h2>Role KPIs</h2>"]
    if not rows:
        out.append('<p class="muted">The role profile has no KPIs for this period.</p>')
        return "".join(out)
    out.append(_table(["KPI", "Value", "Own baseline", "Target", "Status", "Trend", "Rating"], rows,
                      num_cols={1, 2}, widths=[24, 10, 11, 12, 12, 14, 17]))
    out.append('<p class="muted">Status: the value against the role\'s target. Trend: this period against the '
               "mean of up to five earlier periods; \u2191 rising, \u2193 falling, \u2192 steady, with better or "
               "worse for this KPI's direction.</p>")
    comments = [(k.name, k.rating_comment) for k in r.kpis if k.rating_comment.strip()]
    if comments:
        out.append("<h3>Rating comments</h3>")
        out.append("".join(f"<p><b>{_e(n)}:</b> {_e(c)}</p>" for n, c in comments))
    return "".join(out)


def _plots_section(r: AppraisalReport) -> str:
    kpis = plotted_kpis(r)
    if not kpis:
        return ""
    out = ["<h2>Trends over the last periods</h2>",
           f'<p class="muted">Solid line with dots: the value per period. {LINE_STYLES["baseline"].capitalize()} '
           f'line: own baseline (B). {LINE_STYLES["target"].capitalize()} line: target (T), as in the app.</p>',
           '<table width="100%" cellspacing="0" cellpadding="4">']
    for start in range(0, len(kpis), PLOTS_PER_ROW):
        out.append("<tr>")
        for i in range(start, start + PLOTS_PER_ROW):
            if i < len(kpis):
                # The KPI name is drawn inside the image: one line per cell, never split by a page break.
                out.append(f'<td width="50%" align="center"><img src="{plot_url(i)}" width="{PLOT_WIDTH_PX}" height="{PLOT_HEIGHT_PX}"/></td>')
            else:
                out.append('<td width="50%"></td>')
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def _reading_section(r: AppraisalReport) -> str:
    out = ["<h2>Speed and quality</h2>"]
    if r.readings:
        out.append("<ul>" + "".join(f"<li>{_e(t)}</li>" for t in r.readings) + "</ul>")
    else:
        out.append('<p class="muted">No reading: not enough data for a speed metric and its quality pair.</p>')
    if r.escalation_reading or r.escalation_destination:
        out.append("<h3>Escalations</h3>")
        text = r.escalation_reading
        if r.escalation_destination and "destination" not in text.lower():
            text = (text + " " if text else "") + ("An escalation destination: the escalation rate is "
                                                   "reported, not rated.")
        out.append(f"<p>{_e(text)}</p>")
    if r.data_notes:
        out.append("<h3>About the data</h3><ul>" + "".join(f"<li>{_e(t)}</li>" for t in r.data_notes) + "</ul>")
    return "".join(out)


def _context_section(r: AppraisalReport) -> str:
    out = ["<h2>Team context (not rated)</h2>",
           f"<p><i>Context only: these are team outcomes for the same period. They are not part of "
           f"{_e(r.technician)}'s rating.</i></p>"]
    if not r.context:
        out.append('<p class="muted">No team figures for this period.</p>')
        return "".join(out)
    rows = [[_e(c.name), fmt_value(c.value, c.unit), fmt_value(c.previous, c.unit), _e(c.note or "context")]
            for c in r.context]
    out.append(_table(["Team measure", "This period", "Previous period", "Note"], rows, num_cols={1, 2},
                      widths=[34, 18, 18, 30]))
    return "".join(out)


def _context_notes_section(r: AppraisalReport) -> str:
    """The dated notes over the period ("VPN rollout", "two people on leave"); no section without any."""
    if not r.context_notes:
        return ""
    rows = [[note_label(i), _e(n.when), _e(n.text), _e(n.applies_to)] for i, n in enumerate(r.context_notes)]
    return ("<h2>Context notes</h2>"
            '<p class="muted">What else happened in the period, as noted on the data: context for the '
            "numbers, not part of the rating. The trend plots above mark each by its tag.</p>"
            + _table(["", "Date", "Note", "Applies to"], rows, widths=[5, 21, 49, 25]))


def _agenda_section(r: AppraisalReport) -> str:
    """The KPI reviews talked over (issue 17); no section without any."""
    if not r.agenda:
        return ""
    rows = []
    for a in r.agenda:
        if a.state == "acknowledged":
            who = f" by {_e(a.acknowledged_by)}" if a.acknowledged_by else ""
            when = f" on {fmt_date(a.acknowledged_at.date() if a.acknowledged_at else None)}" if a.acknowledged_at else ""
            state = f"Acknowledged{who}{when}"
            if a.note.strip():
                state += f'<br/><span style="font-size: 8pt;">{_e(a.note.strip())}</span>'
        else:
            state = "Open"
        said = _e(a.said.strip()) if a.said.strip() else '<span style="color: #444444;">Nothing recorded.</span>'
        rows.append([_e(a.summary), state, said])
    return ("<h2>Agenda: KPI reviews</h2>"
            f'<p class="muted">The KPI reviews about {_e(r.technician)} that came up in this check-in, and what '
            "was said about each.</p>"
            + _table(["Review", "State", "Said in this check-in"], rows, widths=[40, 25, 35]))


def _self_assessment_section(r: AppraisalReport) -> str:
    """The technician's own view (issue 17): none at all for a check-in signed before it existed."""
    if not r.self_assessment_shown:
        return ""
    out = ["<h2>Self-assessment</h2>"]
    own = r.self_assessment
    if own is None:
        out.append(f'<p class="muted">{_e(r.self_assessment_note or "No self-assessment was received.")}</p>')
        return "".join(out)
    received = f", returned on {fmt_date(own.received_at.date())}" if own.received_at else ""
    out.append(f'<p class="muted">{_e(r.technician)}\'s own view, from the self-assessment form{received}. '
               "Their ratings are shown beside the manager's.</p>")
    if own.ratings:
        def rating(v: float | None) -> str:
            return _e(fmt_rating(v, r.rating_scale) if v is not None else "\u2013")

        rows = [[f"<b>{_e(o.kpi)}</b>", rating(o.rating), rating(o.manager_rating), _e(o.why or "\u2013")]
                for o in own.ratings]
        out.append(_table(["KPI", "Their rating", "Manager's rating", "Why (in their words)"], rows,
                          widths=[22, 13, 15, 50]))
    out += ["<h3>What went well</h3>", _para(own.went_well, "Nothing written."),
            "<h3>What got in the way</h3>", _para(own.got_in_way, "Nothing written."),
            "<h3>Support they would like</h3>", _para(own.support, "Nothing written."),
            "<h3>Goals they proposed</h3>"]
    if own.goals:
        out.append("<ul>" + "".join(f"<li>{_e(g)}</li>" for g in own.goals) + "</ul>")
    else:
        out.append('<p class="muted">None proposed.</p>')
    return "".join(out)


def _calibration_section(r: AppraisalReport) -> str:
    """Ratings changed in calibration, from and to, and why; no section without any."""
    if not r.calibration:
        return ""

    def rating(v: float | None) -> str:
        return fmt_rating(v, r.rating_scale) if v is not None else "none"

    items = []
    for c in r.calibration:
        by = ", ".join(x for x in (c.by, c.at[:10]) if x)
        items.append(f"<li><b>{_e(c.what)}</b>: {_e(rating(c.before))} \u2192 {_e(rating(c.after))}"
                     f"{f' ({_e(by)})' if by else ''}: {_e(c.reason or 'no reason given')}</li>")
    return ("<h3>Calibration changes</h3>"
            '<p class="muted">Ratings changed when the cycle\'s ratings were compared side by side.</p>'
            "<ul>" + "".join(items) + "</ul>")


def _conversation_section(r: AppraisalReport) -> str:
    out = ["<h2>Strengths</h2>", _para(r.strengths),
           "<h2>Support and training needed</h2>", _para(r.support),
           "<h2>Goals for the next period</h2>"]
    if r.goals:
        rows = []
        for g in r.goals:
            text = _e(g.text)
            if g.smart_problems:
                text += f'<br/><span style="font-size: 8pt;">Not yet SMART: {_e("; ".join(g.smart_problems))}</span>'
            rows.append([text, _e(g.kpi or "\u2013"), _e(g.target or "\u2013"), fmt_date(g.due)])
        out.append(_table(["Goal", "KPI", "Target", "Due"], rows, widths=[46, 20, 20, 14]))
    else:
        out.append('<p class="muted">No goals recorded.</p>')
    out += ["<h2>Comments</h2>", f"<h3>Manager ({_e(r.manager or 'manager')})</h3>",
            _para(r.manager_comment, "No comment."),
            f"<h3>Technician ({_e(r.technician)})</h3>", _para(r.technician_comment, "No comment.")]
    return "".join(out)


def _overall_section(r: AppraisalReport) -> str:
    out = ["<h2>Overall</h2>", _para(r.summary, "No summary recorded.")]
    line = f"<p><b>Overall rating: {_e(fmt_rating(r.overall_rating, r.rating_scale, r.rating_words))}</b>"
    if r.proposed_rating is not None and r.overall_rating is not None and \
            abs(r.proposed_rating - r.overall_rating) > 1e-9:
        line += (f" (proposed from the weighted KPI ratings: {_e(fmt_rating(r.proposed_rating, r.rating_scale))}; "
                 f"changed by the manager: {_e(r.override_reason or 'no reason given')})")
    elif r.proposed_rating is not None:
        line += " (the weighted mean of the KPI ratings)"
    out.append(line + "</p>")
    if r.left_out:
        out.append(f'<p class="muted">Left out of the proposal, no data in the period: {_e(", ".join(r.left_out))}.</p>')
    return "".join(out)


def _signoff_section(r: AppraisalReport) -> str:
    manager = (f"Signed by {_e(r.manager)} on {fmt_date(r.manager_signed_at)}" if r.manager_signed_at
               else "Not signed")
    tech = (f"Acknowledged by {_e(r.technician_ack_name or r.technician)} on {fmt_date(r.technician_ack_at)}"
            if r.technician_ack_at else "Not acknowledged")
    rows = [["Manager", _e(r.manager or "\u2013"), manager], ["Technician", _e(r.technician), tech]]
    generated = f"Generated by KPI Desk on {fmt_date(r.generated_at)}." if r.generated_at else ""
    return ("<h2>Sign-off</h2>" + _table(["Party", "Name", "Signature"], rows, widths=[18, 30, 52])
            + (f'<p class="muted">{_e(generated)}</p>' if generated else ""))


def report_html(report: AppraisalReport) -> str:
    parts = [_header(report), _kpi_section(report), _plots_section(report), _reading_section(report),
             _context_section(report), _context_notes_section(report), _agenda_section(report),
             _self_assessment_section(report), _conversation_section(report), _overall_section(report),
             _calibration_section(report), _signoff_section(report)]
    return f"<html><head><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>"
