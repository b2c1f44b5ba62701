"""Issue 16, part 2: annotations round trip into plot and PDF. A note kept by the dialog is drawn on
the trend plot it touches (a dashed line, a shaded span, the whole text as tool tip), listed in the
check-in and printed in its PDF, and stays in a signed check-in's PDF after it is deleted."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt

from kpidesk import actions
from kpidesk import appraisal as ap
from kpidesk.annotations import MAX_TEXT, AnnotationRecord, annotations_touching, list_annotations
from kpidesk.metrics.series import kpi_series
from kpidesk.periods import parse_period
from kpidesk.records import KpiRecord
from ui.annotation_dialog import AnnotationDialog
from ui.plot_annotations import (
    AnnotationLayer,
    date_x,
    draw_annotations,
    period_x,
    remove_annotations,
    x_date,
)
from ui.reports.pdf_renderer import render_pdf

D = dt.date


def _pdf_text(path) -> str:
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
        return " ".join(out.stdout.split())
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def _ok(qtbot, dialog: AnnotationDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_lines_spans_labels_and_tooltips_drawn_and_removed(qtbot):
    widget = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
    qtbot.addWidget(widget)
    widget.plot([date_x(D(2026, 1, 1)), date_x(D(2026, 6, 1))], [1.0, 2.0])
    before = list(widget.getPlotItem().items)
    x_range = widget.getPlotItem().getViewBox().childrenBounds()[0]
    notes = [AnnotationRecord(D(2026, 3, 5), "VPN {rollout} for the whole company, site by site", id=1,
                              author="Dana"),
             AnnotationRecord(D(2026, 3, 3), "two people on leave", until=D(2026, 3, 14), id=2),
             AnnotationRecord(D(2027, 3, 3), "far outside the data", id=3)]
    items = draw_annotations(widget, notes)
    span, line, far = items  # drawn oldest first
    assert isinstance(line, pg.InfiniteLine) and line.value() == date_x(D(2026, 3, 5)) and line.angle == 90
    assert line.pen.style() == Qt.PenStyle.DashLine
    assert isinstance(span, pg.LinearRegionItem)
    assert span.getRegion() == (date_x(D(2026, 3, 3)), date_x(D(2026, 3, 15)))  # through the end of the 14th
    assert line.label.textItem.toPlainText() == "VPN {rollout} for the whole c\u2026"  # braces kept, cut short
    assert "site by site" in line.toolTip() and "by Dana" in line.toolTip() and "5 Mar 2026" in line.toolTip()
    assert "3 to 14 Mar 2026" in span.toolTip() and span.lines[0].label.textItem.toPlainText() == "two people on leave"
    assert [i.annotation.id for i in items] == [2, 1, 3]
    assert widget.getPlotItem().getViewBox().childrenBounds()[0] == x_range  # a note never widens the view
    remove_annotations(widget, items)
    assert list(widget.getPlotItem().items) == before
    layer = AnnotationLayer(widget.getPlotItem())
    layer.set_notes(notes)
    layer.set_notes(notes[:1])  # a refresh replaces, never piles up
    assert len(widget.getPlotItem().items) == len(before) + 1 and layer.notes() == notes[:1]
    layer.clear()
    assert list(widget.getPlotItem().items) == before
    assert x_date(date_x(D(2026, 3, 5))) == D(2026, 3, 5)


def test_period_index_plots_place_a_day_inside_its_period():
    """The check-in's small trends plot periods at 0, 1, 2...: a note lands inside its period."""
    x_of = period_x(["2026-Q1", "2026-Q2", "2026-Q3"])
    assert x_of(D(2026, 4, 1)) == pytest.approx(0.5)  # the first day of Q2: the edge between Q1 and Q2
    assert 0.5 < x_of(D(2026, 5, 15)) < 1.5
    assert (x_of(D(2025, 12, 31)), x_of(D(2026, 10, 1))) == (-0.5, 2.5)


def test_dialog_keeps_a_prefilled_note_and_shows_problems_beneath_the_fields(qtbot, store):
    mttr = actions.create_kpi(store, KpiRecord("MTTR", unit="hours", direction="lower")).result.id
    team = actions.create_team(store, "Service Desk").result.id
    dialog = AnnotationDialog(store, on=D(2026, 3, 5), kpi_id=mttr, scope_key=f"team:{team}")
    qtbot.addWidget(dialog)
    assert dialog.kpi.currentText() == "MTTR" and dialog.scope.currentText() == "Team: Service Desk"
    assert dialog.on.date().toString("yyyy-MM-dd") == "2026-03-05" and dialog.until.value() is None
    emitted = []
    dialog.changes_made.connect(emitted.append)
    _ok(qtbot, dialog)  # no text yet: refused, the dialog stays open
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "empty" in dialog.rows["text"].message() and list_annotations(store) == []
    dialog.text.setPlainText("x" * (MAX_TEXT + 1))
    assert "too long" in dialog.counter.text()
    dialog.text.setPlainText("  two people on leave ")
    dialog.until.set_value(D(2026, 3, 1))
    _ok(qtbot, dialog)
    assert "before it starts" in dialog.rows["until"].message() and not emitted
    dialog.until.set_value(D(2026, 3, 14))
    _ok(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted and emitted and emitted[0].annotations
    kept = dialog.outcome.result
    assert (kept.text, kept.on, kept.until, kept.kpi_id, kept.scope_key) == (
        "two people on leave", D(2026, 3, 5), D(2026, 3, 14), mttr, f"team:{team}")
    # Editing the same note: update, not a second note.
    edit = AnnotationDialog(store, annotation=kept)
    qtbot.addWidget(edit)
    edit.text.setPlainText("three people on leave")
    edit.kpi.set_value(None)
    _ok(qtbot, edit)
    assert [(n.text, n.kpi_id) for n in list_annotations(store)] == [("three people on leave", None)]


def test_annotations_round_trip_into_plot_and_pdf(qtbot, demo_store, tmp_path):
    """The issue's test: a note added from the dialog is on the plot and in the check-in PDF."""
    store = demo_store
    alex = store.find_technician("Alex Morgan")
    mttr = store.find_kpi("MTTR")
    dialog = AnnotationDialog(store, on=D(2026, 4, 6), kpi_id=mttr.id, scope_key="")
    qtbot.addWidget(dialog)
    dialog.text.setPlainText("VPN rollout: remote tickets took longer")
    dialog.until.set_value(D(2026, 4, 17))
    _ok(qtbot, dialog)
    assert dialog.outcome is not None
    actions.add_annotation(store, AnnotationRecord(D(2026, 5, 11), "Alex on the ITIL course",
                                                   scope_key=f"technician:{alex.id}"))

    # The plot: Alex's MTTR trend over the year shows both notes, the desk's only the one for everyone.
    series = kpi_series(store, mttr.id, f"technician:{alex.id}")
    first, last = parse_period(series.periods[0]).start, parse_period(series.periods[-1]).last_day
    from ui.dashboard.trend_plot import TrendPlot

    trend = TrendPlot()
    qtbot.addWidget(trend)
    trend.set_series(series)
    layer = AnnotationLayer(trend.plot)
    layer.set_notes(annotations_touching(store, mttr.id, f"technician:{alex.id}", first, last))
    tips = [item.toolTip() for item in layer.items]
    assert len(tips) == 2 and "VPN rollout: remote tickets took longer" in tips[0]
    assert "Alex on the ITIL course" in tips[1]
    assert [n.text for n in annotations_touching(store, mttr.id, "desk", first, last)] == [
        "VPN rollout: remote tickets took longer"]

    # The check-in and its PDF.
    ci = ap.start_or_resume(store, alex.id, "2026-Q2")
    assert [n["text"] for n in ap.facts_of(store, ci.id).context_notes] == [
        "VPN rollout: remote tickets took longer", "Alex on the ITIL course"]
    draft_pdf = actions.export_checkin(store, ci.id, tmp_path / "draft.pdf", render_pdf=render_pdf).result
    text = _pdf_text(draft_pdf)
    assert "Context notes" in text and "VPN rollout: remote tickets took longer" in text
    assert "6 to 17 Apr 2026" in text and "Alex on the ITIL course" in text

    # Signed, then the note deleted: the signed check-in's PDF still prints it, as agreed.
    ap.sign(store, ci.id, "Dana Whitfield")
    actions.delete_annotation(store, dialog.outcome.result.id)
    layer.set_notes(annotations_touching(store, mttr.id, f"technician:{alex.id}", first, last))
    assert len(layer.items) == 1
    signed_text = _pdf_text(actions.export_checkin(store, ci.id, tmp_path / "signed.pdf",
                                                     render_pdf=render_pdf).result)
    assert "VPN rollout: remote tickets took longer" in signed_text and "DRAFT" not in signed_text


@pytest.fixture(autouse=True)
def _app(qapp):
    return qapp


def test_the_checkin_small_trends_carry_the_notes_of_their_kpi(qtbot, demo_store):
    from tests.ui.test_checkin_wizard import make_screen, start
    from ui.checkin.pages import KpiCard

    store = demo_store
    mttr, fcr = store.find_kpi("MTTR"), store.find_kpi("First-contact resolution")
    actions.add_annotation(store, AnnotationRecord(D(2026, 5, 4), "New ticket form", kpi_id=mttr.id))
    actions.add_annotation(store, AnnotationRecord(D(2026, 6, 1), "Two people on leave", until=D(2026, 6, 12)))
    screen = make_screen(qtbot, store)
    start(screen, store, "Alex Morgan", "2026-Q2")
    wiz = screen.wizard
    wiz.go_to(1)
    cards = {c.title(): c for c in wiz.kpis.findChildren(KpiCard)}
    assert sorted(n.text for n in cards[mttr.name].notes.notes()) == ["New ticket form", "Two people on leave"]
    assert [n.text for n in cards[fcr.name].notes.notes()] == ["Two people on leave"]


def test_the_pdf_trend_images_mark_the_notes_they_touch():
    """A note inside the plotted periods changes the image (a tagged dash-dot line); one outside them
    leaves it exactly as without notes; the Context notes table tags them N1, N2 as the images do."""
    from kpidesk.export.content import AppraisalReport, ContextNote, KpiLine, TrendPoint, note_label
    from kpidesk.export.report_html import report_html
    from ui.reports.trend_image import draw_trend

    kpi = KpiLine(name="MTTR", unit="h", direction="lower", value=9.0, target=10.0, kpi_id=1,
                  trend=[TrendPoint(k, v) for k, v in (("2026-Q1", 12.0), ("2026-Q2", 9.0))])
    plain = draw_trend(kpi, 300, 140)
    inside = draw_trend(kpi, 300, 140, notes=[("N1", D(2026, 4, 6), D(2026, 4, 17))])
    outside = draw_trend(kpi, 300, 140, notes=[("N1", D(2025, 6, 1), None)])
    assert inside != plain and outside == plain
    note = ContextNote("6 to 17 Apr 2026", "VPN rollout", "MTTR, everyone", on=D(2026, 4, 6), until=D(2026, 4, 17),
                       kpi_id=1)
    assert note.marks(1)
    assert not ContextNote("x", "y", on=D(2026, 4, 6), kpi_id=2).marks(1)
    assert ContextNote("x", "y", on=D(2026, 4, 6)).marks(1)  # a note on every KPI marks every plot
    html = report_html(AppraisalReport(organisation="O", technician="T", period="2026-Q2", context_notes=[note]))
    assert f">{note_label(0)}<" in html and note_label(1) == "N2"
