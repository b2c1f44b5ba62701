"""Issue 15 (3): one status vocabulary. For the same value, the card, its tool tip, the exported KPI
table, the trend plot's point, the appraisal PDF's line and the workbook all give the same word,
the one kpidesk.signals gives; and the trend's arrow never disagrees with its word."""
from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont

from kpidesk.export.content import AppraisalReport, KpiLine, TrendPoint
from kpidesk.export.report_html import report_html
from kpidesk.export.workbook import build_workbook
from kpidesk.metrics.series import KpiCard, kpi_series
from kpidesk.signals import ARROW_DOWN, ARROW_UP, status_word, trend_of_label, trend_phrase
from tests.conftest import DEMO_TODAY


def card(value, status, few=False, target=10.0, direction="lower", trend="declining", slope=1.0) -> KpiCard:
    return KpiCard(kpi_id=1, name="MTTR", unit="hours", direction=direction, period="2026-10", value=value,
                   count=3 if few else 40, status=status, target=target, band=None, trend=trend,
                   sparkline=[value], few=few, rated=True, metric="mttr_hours", slope=slope)


CASES = [  # (value, judged status, few) -> the word
    (8.0, "on_target", False, "On target"),
    (12.0, "off_target", False, "Off target"),
    (30.0, "triggered", False, "Past trigger"),
    (12.0, "off_target", True, "Too few to judge"),
    (None, None, False, "No data"),
    (12.0, None, False, "No target"),
]


def test_every_surface_words_a_value_the_same(qapp):
    from ui.dashboard.cards import card_pieces
    from ui.dashboard.models import card_summary, status_look, table_rows

    for value, status, few, word in CASES:
        assert status_word(status, value, few=few) == word
        c = card(value, status, few, target=None if word == "No target" else 10.0)
        pieces = card_pieces(c, QRectF(0, 0, 300, 170), QFont())
        assert pieces[2].text == word  # the word painted on the card
        assert status_look(c)[0] == word
        assert card_summary(c).split("; ")[1].startswith(word)  # tool tip and screen reader
        assert table_rows([c], "the desk")[0]["status"] == word  # the 'Export table' workbook
        # The appraisal PDF and workbook judge a person against the role's target (no trigger there).
        if status != "triggered":
            line = KpiLine(name="MTTR", unit="hours", direction="lower", value=value,
                           target=None if word == "No target" else 10.0, thin=few)
            assert line.status == word
            report = AppraisalReport(organisation="Acme", technician="Ann Lee", period="2026-Q3", kpis=[line])
            html = report_html(report)
            assert f"<td>{word}</td>" in html
            ws = build_workbook([report], "2026-Q3").worksheets[1]
            statuses = [ws.cell(row=r, column=6).value for r in range(1, ws.max_row + 1)]
            assert word in statuses


def test_plot_tooltip_uses_the_same_word(demo_store):
    from ui.dashboard.trend_plot import tooltip_text

    kpi = demo_store.find_kpi("MTTR")
    s = kpi_series(demo_store, kpi.id, "desk", first="2026-01", last="2026-10")
    for i, (value, status, n) in enumerate(zip(s.values, s.statuses, s.counts)):
        word = status_word(status, value, few=n is not None and n < s.min_count)
        assert word in tooltip_text(s, i).split("\n")
    assert "Past trigger" in tooltip_text(s, len(s.values) - 1)  # the demo's October drift


def test_trend_arrow_and_word_agree():
    # A falling MTTR is better: the arrow shows the value falling, the word says better.
    assert trend_of_label("improving", -0.5) == f"{ARROW_DOWN} falling, better"
    assert trend_of_label("declining", 0.5) == f"{ARROW_UP} rising, worse"
    assert trend_of_label("declining", -0.5) == f"{ARROW_DOWN} falling, worse"  # e.g. FCR
    assert trend_of_label("flat", 0.0).endswith("steady")
    # The PDF's trend (this period against the earlier mean) uses the same phrases.
    from kpidesk.export.formats import trend_label

    assert trend_label([20, 20, 20, 10], "lower") == trend_phrase("down", True)
    assert trend_label([60, 60, 60, 70], "higher") == trend_phrase("up", True)
    assert trend_label([None, 3], "higher") == trend_phrase(None, None)


def test_the_card_for_a_kpi_past_its_trigger_and_the_reviews_button_agree(qtbot, demo_store):
    """The demo's MTTR is past its trigger in October: its card says so, and a review is open for it."""
    from kpidesk.metrics.reviews import list_reviews
    from ui.dashboard.screen import DashboardScreen

    screen = DashboardScreen(demo_store, today=DEMO_TODAY)
    qtbot.addWidget(screen)
    qtbot.waitUntil(lambda: screen.model.rowCount() > 0, timeout=10_000)
    past = [c for c in screen.model.cards() if c.signal.key == "triggered"]
    assert past, "the demo's October drift shows as past trigger"
    open_for = {(r.kpi_id, r.period) for r in list_reviews(demo_store) if r.is_open and r.scope_key == "desk"}
    for c in past:
        assert (c.kpi_id, c.period) in open_for
    assert "open review" in screen.reviews_button.text()
    screen.shutdown()  # its loader thread, before the store closes


def test_a_plot_with_no_data_says_so_instead_of_an_empty_frame(qtbot):
    """Issue 15 (4): missing is drawn as missing, never as an empty (or zero) chart."""
    from kpidesk.metrics.series import PlotSeries
    from ui.checkin.plots import TrendPlot as SmallPlot
    from ui.dashboard.trend_plot import TrendPlot

    plot = TrendPlot()
    qtbot.addWidget(plot)
    empty = PlotSeries(kpi_id=1, name="CSAT", unit="score", direction="higher", scope_key="technician:9",
                       scope_label="Noa Quill", segment="", granularity="month", periods=["2026-09", "2026-10"],
                       starts=[0.0, 1.0], values=[None, None], counts=[0, 0], statuses=[None, None],
                       anomalies=[False, False], rolling=[None, None], fitted=[None, None], targets=[4.5, 4.5],
                       trigger_low=[None, None], trigger_high=[None, None], target=4.5)
    plot.set_series(empty)
    assert plot.plot_stack.currentWidget() is plot.empty_note
    assert "No data for CSAT (Noa Quill) from 2026-09 to 2026-10" in plot.empty_note.text()
    full = PlotSeries(**{**empty.__dict__, "values": [4.1, 4.3], "counts": [20, 22]})
    plot.set_series(full)
    assert plot.plot_stack.currentWidget() is plot.plot
    small = SmallPlot()
    qtbot.addWidget(small)
    small.set_trend([("2026-Q2", None), ("2026-Q3", None)], target=4.5)
    assert small.empty_note.isVisible()  # a graphics item: its own flag, shown or not
    small.set_trend([("2026-Q2", 4.0), ("2026-Q3", 4.2)])
    assert not small.empty_note.isVisible()
