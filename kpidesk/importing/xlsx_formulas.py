"""Formula cells with no saved value in an .xlsx sheet: a file written by a program and never opened
in a spreadsheet app has formulas but no results, and every reader (calamine, openpyxl) then sees an
empty cell, so the import counts them in its summary.

The sheet's XML is searched as it inflates, piece by piece, for '<f' first: a sheet without formulas
costs one fast byte search per piece. A sheet read a slice at a time (xlsx_slices) is searched by
the thread that inflates it anyway; any other sheet is searched on a thread of its own.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

_CELL = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*>(?:(?!</c>).)*?<f[ >/](?:(?!</c>).)*?</c>', re.S)
_PIECE = 1 << 20


class FormulaScan:
    """Fed the sheet's XML in order, in pieces of any size; `result()` once it has had all of it."""

    def __init__(self) -> None:
        self.count, self.refs, self._tail = 0, [], b""

    def feed(self, piece: bytes) -> None:
        # A cell cut between two pieces is searched whole with the next one: the tail after the last
        # '</c>' waits for it. The piece is searched in place (find with bounds): copying it first,
        # to join it to the tail, made the search twice as long.
        cut = piece.rfind(b"</c>") + 4
        if cut < 4:
            self._tail += piece
            return
        tail = self._tail
        across = tail[-1:] == b"<" and piece[:1] == b"f"
        if piece.find(b"<f", 0, cut) >= 0 or across or b"<f" in tail:
            self._search(tail + piece[:cut])
        self._tail = piece[cut:]

    def _search(self, data: bytes) -> None:
        for m in _CELL.finditer(data):
            if b"<v>" not in m.group(0) or b"<v></v>" in m.group(0):
                self.count += 1
                if len(self.refs) < 5:
                    self.refs.append(m.group(1).decode())

    def result(self) -> tuple[int, list[str]] | None:
        """(count, first cell references), or None when there are none."""
        tail, self._tail = self._tail, b""
        if b"<f" in tail:  # pieces with no cell end in them
            self._search(tail)
        return (self.count, list(self.refs)) if self.count else None


def formulas_without_value(path: Path, sheet: str) -> tuple[int, list[str]] | None:
    """FormulaScan's result for `sheet` of the workbook at `path` (None too for a part it cannot find)."""
    from kpidesk.importing.xlsx_slices import sheet_member

    try:
        with zipfile.ZipFile(path) as z:
            part = sheet_member(z, sheet)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError):  # ParseError is a SyntaxError
        return None
    if part is None:
        return None
    scan = FormulaScan()
    with zipfile.ZipFile(path) as z, z.open(part) as fh:
        while piece := fh.read(_PIECE):
            scan.feed(piece)
    return scan.result()
