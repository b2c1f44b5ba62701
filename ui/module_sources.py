"""The source text PySide6 leaves behind, let go once a batch of code has loaded (issue 19: memory).

PySide6's import hook (its __feature__ support: shibokensupport/feature.py, _mod_uses_pyside) reads
the whole source of every module imported after PySide6, through inspect.getsource, to see whether
it names "PySide6"; linecache keeps every file read that way. Measured with the demo database: the
database code alone (SQLAlchemy) left 7.9 MB of source text there, 16 MB resident; the window to its
first cards peaked at 183 MB, 161 MB when the cache is emptied after each batch of imports. Nothing
needs those lines: a traceback reads its files again when it is printed.
"""
from __future__ import annotations

import linecache


def forget() -> None:
    linecache.clearcache()
