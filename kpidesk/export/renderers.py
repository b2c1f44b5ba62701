"""Where the core finds its PDF renderer without importing Qt.

The PDF is drawn by Qt (ui/reports/pdf_renderer.py), and the core must never import Qt or ui/. So
the application's entry point (main.py) registers a factory here at start-up, and the core's
exports, CLI and self test ask for it. A script that uses the core alone can still export Excel;
asking it for a PDF says plainly what is missing.
"""
from __future__ import annotations

from typing import Callable, Optional

from kpidesk.errors import ExportFailed

PdfRenderer = Callable[..., object]
_factory: Optional[Callable[[], PdfRenderer]] = None


def register_pdf_renderer(factory: Callable[[], PdfRenderer]) -> None:
    """`factory()` returns the render function (report, path, page_size); it is called only when a
    PDF is actually wanted, so registering costs nothing at start-up."""
    global _factory
    _factory = factory


def pdf_renderer() -> PdfRenderer:
    if _factory is None:
        raise ExportFailed("PDF export needs KPI Desk's desktop part (Qt), which this program did not load. "
                           "Run it through the `kpidesk` command, or export with --format xlsx.")
    return _factory()
