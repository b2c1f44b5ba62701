"""The importer's own errors.

`BadValue` is the one exception a cell parser may raise (plain message, no value in it: the report
shows the value beside it). `RowsRejected` is a strict import that met rejected rows: the CLI maps
it to exit code 3, while any other ImportFailed (an unreadable file) is exit code 2.
"""
from __future__ import annotations

from typing import Any

from kpidesk.errors import ImportFailed


class BadValue(ValueError):
    """A cell that cannot be read as what its column holds; `str()` is the plain reason."""


class RowsRejected(ImportFailed):
    """Strict mode: some rows were rejected, so nothing was imported. `report` lists them."""

    def __init__(self, message: str, report: Any) -> None:
        super().__init__(message)
        self.report = report
