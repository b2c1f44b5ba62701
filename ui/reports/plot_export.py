"""Save a dashboard plot (any QWidget, e.g. a pyqtgraph PlotWidget, or a QGraphicsItem such as a
PlotItem) to PNG or PDF. PDF output is vector: the widget paints itself onto a QPdfWriter page
sized to the plot. Files are written atomically through kpidesk.export.atomic (tmp, fsync, replace).

    save_plot(self.trend_plot, "/path/mttr.pdf", title="MTTR, Service Desk")

Call it on a widget that has been shown (as on the dashboard): pyqtgraph lays its title and axes
out only once the view is visible, and a never-shown PlotWidget renders with its title clipped.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QPoint, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QRegion
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QWidget

from kpidesk.export.atomic import atomic_path

IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPG", ".jpeg": "JPG"}


def save_plot(source: QWidget | QGraphicsItem, path: str | Path, *, scale: float = 2.0, title: str = "") -> Path:
    """Write `source` as it looks now to `path` (.png, .jpg or .pdf). `scale` multiplies the pixel
    size of images (2.0: sharp on print and high-dpi screens). Raises ValueError for other
    extensions, ExportFailed when the file cannot be written."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in IMAGE_FORMATS and ext != ".pdf":
        raise ValueError(f"cannot save a plot as {ext or 'a file without extension'}; use .png or .pdf")
    size = _source_size(source)
    with atomic_path(path) as tmp:
        if ext == ".pdf":
            _write_pdf(source, size, tmp, title)
        else:
            image = QImage(max(1, int(size.width() * scale)), max(1, int(size.height() * scale)),
                           QImage.Format.Format_ARGB32)
            image.fill(QColor("white"))
            painter = QPainter(image)
            try:
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.scale(scale, scale)
                _paint(source, painter, size)
            finally:
                painter.end()
            if not image.save(str(tmp), IMAGE_FORMATS[ext]):
                raise OSError(f"Qt could not encode {path.name}")
    return path


def _source_size(source: QWidget | QGraphicsItem) -> QSizeF:
    if isinstance(source, QWidget):
        return QSizeF(source.size())
    return source.sceneBoundingRect().size()


def _paint(source: QWidget | QGraphicsItem, painter: QPainter, size: QSizeF) -> None:
    if isinstance(source, QGraphicsView):
        # pyqtgraph's PlotWidget: the view renders its scene (vector in a PDF), axes included.
        source.render(painter, QRectF(0, 0, size.width(), size.height()), source.viewport().rect(),
                      Qt.AspectRatioMode.IgnoreAspectRatio)
    elif isinstance(source, QWidget):
        source.render(painter, QPoint(0, 0), QRegion(source.rect()),
                      QWidget.RenderFlag.DrawChildren | QWidget.RenderFlag.DrawWindowBackground)
    else:
        scene = source.scene()
        if scene is None:
            raise ValueError("the plot item is not in a scene")
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), source.sceneBoundingRect(),
                     Qt.AspectRatioMode.IgnoreAspectRatio)


def _write_pdf(source: QWidget | QGraphicsItem, size: QSizeF, tmp: Path, title: str) -> None:
    # One page exactly the plot's size (1 px = 1/96 in), so it drops into a report at its own scale.
    writer = QPdfWriter(str(tmp))
    writer.setResolution(96)
    writer.setPageLayout(QPageLayout(QPageSize(QSizeF(size.width() * 72 / 96, size.height() * 72 / 96),
                                               QPageSize.Unit.Point, "plot"),
                                     QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    writer.setTitle(title)
    writer.setCreator("KPI Desk")
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write the PDF {tmp}")
    try:
        _paint(source, painter, size)
    finally:
        painter.end()
