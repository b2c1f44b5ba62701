"""Paths to the files under resources/ (icons, style sheets), frozen or not."""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from PySide6.QtGui import QIcon


def resources_dir() -> Path:
    base = getattr(sys, "_MEIPASS", None)  # PyInstaller one-folder build
    return (Path(base) if base else Path(__file__).resolve().parent.parent) / "resources"


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    """The icon resources/icons/<name>.svg (an empty icon if it is missing)."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def stylesheet() -> str:
    path = resources_dir() / "styles" / "app.qss"
    if not path.exists():
        return ""
    icons = (resources_dir() / "icons").as_posix()  # QSS url() paths are not relative to the file
    return path.read_text(encoding="utf-8").replace("@ICONS@", icons)
