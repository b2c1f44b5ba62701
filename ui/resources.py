"""Paths to the files under resources/ (icons, style sheets), frozen or not."""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon

from kpidesk.signals import LINE_STYLES


def resources_dir() -> Path:
    base = getattr(sys, "_MEIPASS", None)  # PyInstaller one-folder build
    return (Path(base) if base else Path(__file__).resolve().parent.parent) / "resources"


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    """The icon resources/icons/<name>.svg (an empty icon if it is missing)."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def line_style(kind: str) -> Qt.PenStyle:
    """How the 'baseline' or the 'target' line is drawn in every plot and the PDF (kpidesk.signals)."""
    return {"dotted": Qt.PenStyle.DotLine, "dashed": Qt.PenStyle.DashLine}[LINE_STYLES[kind]]


def stylesheet() -> str:
    path = resources_dir() / "styles" / "app.qss"
    if not path.exists():
        return ""
    icons = (resources_dir() / "icons").as_posix()  # QSS url() paths are not relative to the file
    return path.read_text(encoding="utf-8").replace("@ICONS@", icons)
