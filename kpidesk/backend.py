"""Which kind of database a target names: a file (SQLite, the default) or a shared server.

    is_shared("postgresql://kim@db.example/kpi")   # True: a department's PostgreSQL database
    is_shared("~/kpidesk.db")                      # False: one SQLite file
    shown("postgresql://kim:secret@db/kpi")        # 'postgresql://kim:***@db/kpi', for messages

`--db`, KPIDESK_DB and `kpidesk copy` take either. What the two backends do differently lives in
kpidesk.database (SQLite) and kpidesk.postgres (PostgreSQL); everything above them speaks
SQLAlchemy and does not ask which one it has, except through Store.shared.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

SHARED_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def is_shared(target: str | os.PathLike[str] | None) -> bool:
    """Does `target` name a PostgreSQL database (a URL) rather than a file?"""
    if target is None or isinstance(target, Path):
        return False
    m = _SCHEME.match(str(target).strip())
    return bool(m) and m.group(1).lower() in SHARED_SCHEMES


def foreign_scheme(target: str | os.PathLike[str] | None) -> str | None:
    """The scheme of a URL naming another kind of database ('mysql' for mysql://...), which is neither
    a file nor a PostgreSQL database; None otherwise (a drive letter such as C:// is a path)."""
    if target is None or isinstance(target, Path):
        return None
    m = _SCHEME.match(str(target).strip())
    if m and len(m.group(1)) > 1 and m.group(1).lower() not in SHARED_SCHEMES:
        return m.group(1)
    return None


def sqlalchemy_url(target: str) -> str:
    """The URL as SQLAlchemy wants it, with the psycopg 3 driver named."""
    target = target.strip()
    scheme, rest = target.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme.lower() in SHARED_SCHEMES else target


def shown(target: str | os.PathLike[str]) -> str:
    """The target as messages show it: a password in a URL is never printed."""
    text = str(target)
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://[^:/@]*):[^@/]*@", r"\1:***@", text)
