"""The appraisal summary as a PDF, with Qt's own PDF output (QPdfWriter + QTextDocument).

The core (kpidesk/export) builds the content and its HTML; this lays it out on A4 or Letter:
- pagination by QTextDocument's layout (lines and images are never cut at a page break; a table
  header row repeats on the next page), plus "keep with next" for headings, which Qt lacks: a
  heading that would end up at the foot of a page is moved to the next one;
- a running header (organisation, person, period, DRAFT when not signed) and a footer "Page 2 of 3"
  on every page; drafts also get a light diagonal DRAFT watermark behind the text;
- fonts are embedded as subsets by Qt's PDF engine (check with `pdffonts`).

Usable without a display (the CLI): ensure_gui_app() starts an offscreen QGuiApplication. Painting
goes to a QPdfWriter and QImages only, so it may run on a worker thread (ui/ops.py).
"""
from __future__ import annotations

import math
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from kpidesk.export.content import AppraisalReport, note_label
from kpidesk.export.formats import fmt_date
from kpidesk.export.report_html import LOGO_URL, PLOT_HEIGHT_PX, PLOT_WIDTH_PX, plot_url, plotted_kpis, report_html
from ui.reports.trend_image import draw_trend

PAGE_SIZES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
RESOLUTION = 600  # device pixels per inch; text stays vector, this only sets layout precision
MARGINS_MM = QMarginsF(18, 14, 18, 14)
BASE_FONT_PT = 9.5
KEEP_WITH_NEXT_PT = 72  # a heading needs about an inch of its section below it on the same page


def ensure_gui_app() -> QCoreApplication:
    """A Q(Gui)Application for fonts and painting. Reuses the running app; otherwise starts one,
    offscreen when there is no display, so the CLI works on a headless server. It is a QApplication
    (a QGuiApplication subclass; QtWidgets ships with PySide6-Essentials anyway) so that a process
    which later needs widgets, e.g. a test session or a script, does not abort on a bare
    QGuiApplication."""
    app = QCoreApplication.instance()
    if app is not None:
        return app
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication(["kpidesk-export"])


def render_pdf(report: AppraisalReport, path: str | Path, page_size: str = "A4") -> int:
    """Write `report` as a PDF at `path` (the caller makes it atomic); returns the page count."""
    ensure_gui_app()
    tagged = [(note_label(i), n) for i, n in enumerate(report.context_notes)]
    images = {plot_url(i): draw_trend(k, PLOT_WIDTH_PX, PLOT_HEIGHT_PX,
                                      notes=[(tag, n.on, n.until) for tag, n in tagged if n.marks(k.kpi_id)])  # type: ignore[misc]
              for i, k in enumerate(plotted_kpis(report))}
    if report.logo:
        logo = QImage.fromData(report.logo)
        if not logo.isNull():
            images[LOGO_URL] = logo
    who = f"{report.technician}, {report.period}"
    title = f"Appraisal summary: {who}"
    return render_html_pdf(report_html(report), path, page_size=page_size, header_left=report.organisation,
                           header_right=who, footer_left=f"Generated {fmt_date(report.generated_at)}"
                           if report.generated_at else "", draft=report.is_draft, images=images, title=title)


def render_html_pdf(html: str, path: str | Path, *, page_size: str = "A4", header_left: str = "",
                    header_right: str = "", footer_left: str = "", draft: bool = False,
                    images: dict | None = None, title: str = "") -> int:
    """Lay `html` out on pages of `page_size` ('A4' or 'Letter') with header, footer and page
    numbers; returns the number of pages."""
    ensure_gui_app()
    size_id = PAGE_SIZES.get(page_size.strip().lower())
    if size_id is None:
        raise ValueError(f"unknown page size {page_size!r}; use A4 or Letter")
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(QPageLayout(QPageSize(size_id), QPageLayout.Orientation.Portrait, MARGINS_MM,
                                     QPageLayout.Unit.Millimeter))
    writer.setTitle(title)
    writer.setCreator("KPI Desk")
    area = writer.pageLayout().paintRectPixels(RESOLUTION)
    width, height = float(area.width()), float(area.height())

    small = plain_font(8)
    fm = QFontMetricsF(small, writer)
    header_h = fm.height() * 2.2
    footer_h = fm.height() * 2.2
    body_h = height - header_h - footer_h

    doc = _document(html, writer, width, body_h, images or {})
    pages = doc.pageCount()
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write the PDF {path}")
    try:
        for page in range(pages):
            if page:
                writer.newPage()
            if draft:
                _watermark(painter, width, height)
            _header(painter, small, fm, width, header_h, header_left,
                    f"{header_right}  \u2013  DRAFT" if draft else header_right)
            painter.save()
            painter.translate(0, header_h - page * body_h)
            clip = QRectF(0, page * body_h, width, body_h)
            painter.setClipRect(clip)
            ctx = QAbstractTextDocumentLayout.PaintContext()
            ctx.clip = clip
            doc.documentLayout().draw(painter, ctx)
            painter.restore()
            _footer(painter, small, fm, width, height, footer_h, footer_left,
                    f"Page {page + 1} of {pages}")
    finally:
        painter.end()
    return pages


def _document(html: str, writer: QPdfWriter, width: float, body_h: float, images: dict) -> QTextDocument:
    doc = QTextDocument()
    # Lay out in the writer's own units: fonts in points, and Qt scales CSS px (images, padding)
    # from 96 dpi to the device, so the page looks the same at any resolution.
    doc.documentLayout().setPaintDevice(writer)
    doc.setDefaultFont(plain_font(BASE_FONT_PT))
    doc.setUseDesignMetrics(True)
    doc.setDocumentMargin(0)
    doc.setPageSize(QSizeF(width, body_h))
    for url, image in images.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), image)
    doc.setHtml(html)
    _keep_headings_with_next(doc, body_h, KEEP_WITH_NEXT_PT / 72.0 * writer.resolution())
    return doc


def _keep_headings_with_next(doc: QTextDocument, body_h: float, need: float) -> None:
    """Move a heading to the next page when less than `need` device pixels follow it on its page,
    so a section title never sits alone at the foot of a page."""
    layout = doc.documentLayout()
    for _ in range(200):  # each pass fixes the first offender; the layout shifts after each
        block, moved = doc.begin(), False
        while block.isValid():
            if block.blockFormat().headingLevel() > 0 and \
                    block.blockFormat().pageBreakPolicy() == QTextFormat.PageBreakFlag.PageBreak_Auto:
                rect = layout.blockBoundingRect(block)
                page_bottom = (math.floor(rect.top() / body_h) + 1) * body_h
                if page_bottom - rect.bottom() < need and rect.top() % body_h > 1:
                    fmt = QTextBlockFormat()
                    fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                    QTextCursor(block).mergeBlockFormat(fmt)
                    # Qt lays out again only the block whose format changed: without this, what
                    # follows keeps its old place and the page count, and the PDF drops the text
                    # pushed past the last page.
                    doc.markContentsDirty(block.position(), doc.characterCount() - block.position())
                    moved = True
                    break
            block = block.next()
        if not moved:
            return


def plain_font(point_size: float, bold: bool = False) -> QFont:
    """The app font without ligatures: with 'fi'/'ff' ligatures the PDF's text reads back as
    'Whiteld' or with U+FB01, so HR could not search a name or copy a sentence out of it."""
    font = QFont()
    font.setPointSizeF(point_size)
    font.setBold(bold)
    for tag in ("liga", "clig", "dlig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def _watermark(p: QPainter, width: float, height: float) -> None:
    p.save()
    font = QFont()
    font.setPointSizeF(96)
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor(0, 0, 0, 28))  # light grey in greyscale print, text stays readable on top
    p.translate(width / 2, height / 2)
    p.rotate(-40)
    p.drawText(QRectF(-width, -height / 4, 2 * width, height / 2), Qt.AlignmentFlag.AlignCenter, "DRAFT")
    p.restore()


def _header(p: QPainter, font: QFont, fm: QFontMetricsF, width: float, h: float, left: str, right: str) -> None:
    p.save()
    p.setFont(font)
    p.setPen(QColor("black"))
    box = QRectF(0, 0, width, fm.height())
    p.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
               fm.elidedText(left, Qt.TextElideMode.ElideRight, width * 0.45))
    p.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
               fm.elidedText(right, Qt.TextElideMode.ElideLeft, width * 0.53))
    p.setPen(QPen(QColor("#777777"), fm.height() / 18))
    p.drawLine(0, int(fm.height() * 1.35), int(width), int(fm.height() * 1.35))
    p.restore()


def _footer(p: QPainter, font: QFont, fm: QFontMetricsF, width: float, height: float, h: float,
            left: str, right: str) -> None:
    p.save()
    p.setFont(font)
    y = height - fm.height()
    p.setPen(QPen(QColor("#777777"), fm.height() / 18))
    p.drawLine(0, int(y - fm.height() * 0.35), int(width), int(y - fm.height() * 0.35))
    p.setPen(QColor("black"))
    box = QRectF(0, y, width, fm.height())
    p.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, left)
    p.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, right)
    p.restore()
