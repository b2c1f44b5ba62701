"""Issue 6: a dashboard trend plot saved to PNG and PDF (pyqtgraph PlotWidget), atomically."""
from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QImage

from kpidesk.errors import ExportFailed


@pytest.fixture
def plot(qtbot):
    import pyqtgraph as pg

    widget = pg.PlotWidget()
    widget.resize(480, 260)
    widget.plot([1, 2, 3, 4, 5, 6], [9.1, 8.7, 8.0, 7.9, 7.6, 7.4], symbol="o")
    widget.setTitle("MTTR")
    qtbot.addWidget(widget)
    widget.show()  # as on the dashboard: pyqtgraph lays out title and axes once visible
    qtbot.waitExposed(widget)
    return widget


def test_export_plot_png_and_pdf(plot, tmp_path):
    from ui.reports.plot_export import save_plot

    png = save_plot(plot, tmp_path / "mttr.png", scale=2.0)
    image = QImage(str(png))
    assert (image.width(), image.height()) == (960, 520)
    pdf = save_plot(plot, tmp_path / "mttr.pdf", title="MTTR")
    reader = PdfReader(pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (360, 195)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mttr.pdf", "mttr.png"]


def test_export_plot_refuses_unknown_type_and_unwritable_folder(plot, tmp_path):
    from ui.reports.plot_export import save_plot

    with pytest.raises(ValueError):
        save_plot(plot, tmp_path / "mttr.svg")
    with pytest.raises(ExportFailed):
        save_plot(plot, tmp_path / "missing-folder" / "mttr.png")
