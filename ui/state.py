"""UI state in QSettings (window geometry, splitters, header layout, recent databases).

Preferences that belong to the data live in the database (kpidesk.settings); this is only how the
windows looked when they were last closed. Keys: `geometry/<ClassName>`, `splitter/<name>`,
`header/<name>`, `recent_databases`. Version-tagged so a later layout change can drop old state.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QSplitter, QWidget

UI_STATE_VERSION = 1
MAX_RECENT = 8


def settings() -> QSettings:
    s = QSettings()
    if s.value("ui_state/version", 0, int) != UI_STATE_VERSION:
        s.remove("geometry")
        s.remove("splitter")
        s.remove("header")
        s.setValue("ui_state/version", UI_STATE_VERSION)
    return s


def _restore(key: str) -> QByteArray | None:
    value = settings().value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def save_geometry(widget: QWidget) -> None:
    settings().setValue(f"geometry/{type(widget).__name__}", widget.saveGeometry())


def restore_geometry(widget: QWidget) -> bool:
    data = _restore(f"geometry/{type(widget).__name__}")
    return bool(data is not None and widget.restoreGeometry(data))


def save_splitter(splitter: QSplitter, name: str) -> None:
    settings().setValue(f"splitter/{name}", splitter.saveState())


def restore_splitter(splitter: QSplitter, name: str) -> bool:
    data = _restore(f"splitter/{name}")
    return bool(data is not None and splitter.restoreState(data))


def save_header(header: QHeaderView, name: str) -> None:
    settings().setValue(f"header/{name}", header.saveState())


def restore_header(header: QHeaderView, name: str) -> bool:
    data = _restore(f"header/{name}")
    return bool(data is not None and header.restoreState(data))


def recent_databases() -> list[str]:
    value = settings().value("recent_databases", [])
    items = [value] if isinstance(value, str) else list(value or [])
    return [p for p in items if p]


def add_recent_database(path: Path | str) -> None:
    path = str(Path(path).resolve())
    items = [p for p in recent_databases() if p != path]
    settings().setValue("recent_databases", [path, *items][:MAX_RECENT])


def last_shared_address() -> dict[str, object]:
    """The server, port, database and user last opened from "Open shared database…" (never a
    password: that is the system keyring's, when the person asks for it)."""
    s = settings()
    return {"host": str(s.value("shared/host", "") or ""), "port": int(s.value("shared/port", 5432) or 5432),
            "database": str(s.value("shared/database", "") or ""), "user": str(s.value("shared/user", "") or "")}


def save_shared_address(host: str, port: int, database: str, user: str) -> None:
    s = settings()
    for key, value in (("host", host), ("port", port), ("database", database), ("user", user)):
        s.setValue(f"shared/{key}", value)
