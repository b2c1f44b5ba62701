"""What the service API stands on: short units of work against the database.

The Store (store.py) is assembled from mixins, one per concern (catalog.py, people.py,
settings.py). They stand on this base, not on the Store, so each module imports only what is below
it: the Store imports the mixins, never the other way round.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class UnitsOfWork:
    """Sessions, provided by the Store: `read()` (rolled back at the end), `write()` (one
    transaction, committed if the block ends normally), `raw_write()` (the bare DBAPI connection in
    one transaction, for bulk work)."""

    path: Path

    @contextlib.contextmanager
    def read(self) -> Iterator["Session"]:
        raise NotImplementedError
        yield  # pragma: no cover

    @contextlib.contextmanager
    def write(self) -> Iterator["Session"]:
        raise NotImplementedError
        yield  # pragma: no cover

    @contextlib.contextmanager
    def raw_write(self, *, checkpoint_later: bool = False, lock_wait_s: float | None = None) -> Iterator[Any]:
        raise NotImplementedError
        yield  # pragma: no cover
