"""The schema's revisions, read from the migration files as text: opening a database must know the
head without importing alembic (0.2 s) or SQLAlchemy (0.25 s), which the read-only path of the
command line (kpidesk.readonly) never loads."""
from __future__ import annotations

import functools
import re
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*=\s*['\"]?([\w.-]*)['\"]?\s*$", re.MULTILINE)


@functools.lru_cache(maxsize=1)
def _revision_graph() -> dict[str, str | None]:
    """{revision: its down_revision} read from the migration files as text: knowing the head must not
    import alembic (0.2 s at every start); alembic itself runs only when an upgrade is due. A test
    holds this equal to alembic's own reading (tests/core/test_migrations.py)."""
    graph: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = dict((k, v) for k, v in _REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        if found.get("revision"):
            down = found.get("down_revision")
            graph[found["revision"]] = None if down in (None, "", "None") else down
    return graph


def head_revision() -> str:
    graph = _revision_graph()
    heads = set(graph) - {down for down in graph.values() if down}
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads ({', '.join(sorted(heads))}); expected one")
    return heads.pop()


def known_revisions() -> set[str]:
    return set(_revision_graph())
