"""Issue 6: the appraisal PDF read back with pypdf: every section and number, page numbers on
every page, DRAFT on every page of a draft, A4 and Letter sizes, embedded fonts."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from tests.export_samples import sample_report
from ui.reports.pdf_renderer import render_pdf

SECTIONS = ("Northwind Facilities Ltd", "Role KPIs", "Trends over the last periods", "Speed and quality",
            "Escalations", "Team context (not rated)", "Strengths", "Support and training needed",
            "Goals for the next period", "Comments", "Overall", "Sign-off")
NUMBERS = ("7.4 h", "9.1 h", "24.0 h", "61.3 %", "70.2 %", "75.0 %", "4.12", "4.05", "4.50", "18.5 %",
           "9.8 %", "182", "93.1 %", "94.4 %", "4 / 5", "2 / 5", "3 / 5", "2026-12-31", "2026-10-06 14:30")


def _text(reader: PdfReader) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in reader.pages]


@pytest.fixture(autouse=True)
def _app(qapp):
    """pytest-qt's QApplication first, so the renderer reuses it."""
    return qapp


@pytest.fixture(scope="module")
def a4_pdf(tmp_path_factory, qapp):
    path = tmp_path_factory.mktemp("pdf") / "a4.pdf"
    pages = render_pdf(sample_report(), path, "A4")
    return path, pages


def test_export_pdf_has_every_section_and_number(a4_pdf):
    path, pages = a4_pdf
    reader = PdfReader(path)
    assert len(reader.pages) == pages >= 2
    text = " ".join(_text(reader))
    for needle in SECTIONS + NUMBERS:
        assert needle in text, needle
    for needle in ("Alex Morgan", "Service desk L1", "Dana Whitfield", "Service Desk", "2026-Q3",
                   "not part of Alex Morgan's rating", "speed may be costing quality", "better", "worse",
                   "steady", "reported, not rated", "Raise first-contact resolution", "Happy with the quarter"):
        assert needle in text, needle
    assert "DRAFT" not in text


def test_export_pdf_page_numbers_and_size_a4(a4_pdf):
    path, pages = a4_pdf
    reader = PdfReader(path)
    for i, page_text in enumerate(_text(reader), start=1):
        assert f"Page {i} of {pages}" in page_text
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_export_pdf_letter_draft_marked_on_every_page(tmp_path):
    path = tmp_path / "draft.pdf"
    render_pdf(sample_report(status="draft"), path, "Letter")
    reader = PdfReader(path)
    assert len(reader.pages) >= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    for page_text in _text(reader):
        assert "DRAFT" in page_text
    assert "not signed" in " ".join(_text(reader))


def test_export_pdf_rejects_unknown_page_size(tmp_path):
    with pytest.raises(ValueError):
        render_pdf(sample_report(), tmp_path / "x.pdf", "A5")


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed")
def test_export_pdf_fonts_are_embedded(a4_pdf):
    out = subprocess.run(["pdffonts", str(a4_pdf[0])], capture_output=True, text=True, check=True).stdout
    rows = [line for line in out.splitlines()[2:] if line.strip()]
    assert rows
    for line in rows:
        # columns: name type encoding emb sub uni id; 'emb' must be yes for every font
        assert re.search(r"\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line), line
