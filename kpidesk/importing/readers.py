"""Reading a spreadsheet or CSV export as header + streamed rows.

`open_table(path, sheet=None)` sniffs the file (sniff.py), picks the sheet that looks like data,
finds the header row below any title, date or blank lines, and returns a `Table` whose `rows()`
yields (file row number, list of cells) one row at a time; it can be called again (the importer
re-reads when the day/month order flips). Workbooks are read with python-calamine (14x faster than
openpyxl here, and it reads .xls and .ods); openpyxl read-only is the fallback for .xlsx/.xlsm.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from kpidesk.errors import ImportFailed
from kpidesk.importing.sniff import fail, ole_failure, sniff
from kpidesk.importing.xlsx_slices import open_sliced

HEADER_SCAN_ROWS = 30
DELIMITERS = (",", ";", "\t", "|")
Row = list[Any]


@dataclass
class Table:
    path: Path
    sheet: str  # '' for a CSV file
    header_row: int  # 1-based row number of the header in the file
    headers: list[str]
    raw_headers: list[Any]
    total_rows: int  # an estimate of the data rows, for progress
    sheets: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    _rows: Callable[[], Iterator[Row]] = field(default=lambda: iter(()), repr=False)

    def rows(self) -> Iterator[tuple[int, Row]]:
        """(row number, cells) for every non-blank row after the header."""
        skip = self.header_row
        for number, row in enumerate(self._rows(), start=1):
            if number <= skip:
                continue
            # count() runs in C: a blank row is all '' (calamine, csv) or all None (openpyxl)
            if row.count("") + row.count(None) < len(row):
                yield number, row

    def chunks(self, size: int) -> Iterator[tuple[list[int], list[Row]]]:
        """(row numbers, rows) of the non-blank rows after the header, `size` file rows at a time:
        what rows() yields, without a Python generator step per row."""
        it = itertools.islice(self._rows(), self.header_row, None)
        number = self.header_row + 1
        while block := list(itertools.islice(it, size)):
            numbers = list(range(number, number + len(block)))
            number += len(block)
            if not all(map(any, block)):  # some row has no truthy cell: drop the blank ones
                keep = [i for i, r in enumerate(block) if r.count("") + r.count(None) < len(r)]
                numbers, block = [numbers[i] for i in keep], [block[i] for i in keep]
            if block:
                yield numbers, block

    def preview(self, n: int = 20) -> list[Row]:
        return [row for _, row in itertools.islice(self.rows(), n)]


def header_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


def find_header(rows: list[Row], known: Callable[[str], bool]) -> int | None:
    """Index of the header row among the first rows: a row of several text cells, preferring the one
    with most recognised column names (then the earliest), so a title or 'Exported on' line above
    it is skipped."""
    best: tuple[int, int] | None = None
    widest = max((sum(1 for c in r if c not in (None, "")) for r in rows), default=0)
    for i, row in enumerate(rows):
        cells = [c for c in row if c not in (None, "")]
        texts = [header_text(c) for c in cells if isinstance(c, str) and not _looks_numeric(c)]
        texts += [header_text(c) for c in cells if not isinstance(c, str) and known(header_text(c))]
        if len(texts) < 2 or len(cells) < max(2, widest // 2):
            continue
        score = 10 * sum(1 for t in texts if known(t)) + len(texts)
        if best is None or score > best[0]:
            best = (score, i)
    return None if best is None else best[1]


def _looks_numeric(text: str) -> bool:
    t = text.strip().replace(",", "").replace(".", "").replace(":", "").replace("-", "").replace("/", "").replace(" ", "")
    return t.isdigit()


def open_table(path: str | Path, sheet: str | None = None,
               known: Callable[[str], bool] = lambda _h: False) -> Table:
    path = Path(path)
    kind = sniff(path)
    if kind == "text":
        return _open_csv(path, known)
    return _open_workbook(path, kind, sheet, known)


def list_sheets(path: str | Path) -> list[str]:
    path = Path(path)
    if sniff(path) == "text":
        return []
    return [m.name for m in _calamine_book(path, sniff(path)).sheets_metadata if _is_data_sheet(m)]


# ---------------------------------------------------------------- workbooks

def _calamine_book(path: Path, kind: str) -> Any:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own CalamineError/PasswordError/ZipError/XmlError
        if kind == "ole":
            raise ole_failure(path) from None
        if type(exc).__name__ == "PasswordError":
            raise fail(path, "the workbook is password-protected") from None
        raise _damaged(path, exc) from None


def _damaged(path: Path, exc: BaseException) -> ImportFailed:
    return fail(path, f"the workbook is damaged or not a spreadsheet ({type(exc).__name__})")


def _is_data_sheet(meta: Any) -> bool:
    return "WorkSheet" in str(meta.typ) and str(meta.visible).endswith("Visible")


def _open_workbook(path: Path, kind: str, wanted: str | None, known: Callable[[str], bool]) -> Table:
    try:
        book = _calamine_book(path, kind)
        names = [m.name for m in book.sheets_metadata if _is_data_sheet(m)] or list(book.sheet_names)
    except ImportFailed:
        if kind != "xlsx":
            raise
        return _open_openpyxl(path, wanted, known)
    if not names:
        raise fail(path, "the workbook has no worksheets")
    if wanted is not None:
        match = [n for n in book.sheet_names if n.casefold() == wanted.strip().casefold()]
        if not match:
            raise ImportFailed(f"Cannot import {path.name}: it has no sheet named {wanted!r} "
                               f"(its sheets: {', '.join(names)}).")
        names = match
    best: tuple[tuple[int, int], Table] | None = None
    for name in names:
        sliced = open_sliced(path, name) if kind == "xlsx" else None
        if sliced is not None:  # a big sheet: parsed a slice at a time, beside the import
            rows, size = sliced.rows, sliced.estimate_rows()
        else:
            try:
                data = book.get_sheet_by_name(name)
            except Exception as exc:
                raise _damaged(path, exc) from None
            rows, size = data.iter_rows, data.end[0] + 1 if data.end else 0
        scan = rows()
        try:
            head = list(itertools.islice(scan, HEADER_SCAN_ROWS))
        except Exception as exc:
            raise _damaged(path, exc) from None
        finally:
            if hasattr(scan, "close"):
                scan.close()  # a sliced sheet's loader thread stops now, not when this is collected
        index = find_header(head, known)
        if index is None:
            continue
        raw = _trim(head[index])
        table = Table(path=path, sheet=name, header_row=index + 1, headers=[header_text(c) for c in raw],
                      raw_headers=raw, total_rows=max(0, size - (index + 1)), sheets=names, _rows=rows)
        score = (sum(1 for h in table.headers if known(h)), table.total_rows)
        if best is None or score > best[0]:
            best = (score, table)
    if best is None:
        raise fail(path, "no header row was found (a row of column names near the top of "
                         f"{'sheet ' + repr(names[0]) if len(names) == 1 else 'any sheet'})",
                   "Check that this is the export itself, with its column names in one row.")
    return best[1]


def _open_openpyxl(path: Path, wanted: str | None, known: Callable[[str], bool]) -> Table:
    """Fallback reader for .xlsx/.xlsm files calamine refuses (slower, but streams)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        names = list(book.sheetnames)
        name = next((n for n in names if wanted and n.casefold() == wanted.casefold()), None) or (
            names[0] if wanted is None else None)
        if name is None:
            raise ImportFailed(f"Cannot import {path.name}: it has no sheet named {wanted!r} "
                               f"(its sheets: {', '.join(names)}).")
        ws = book[name]

        def rows() -> Iterator[Row]:
            for r in ws.iter_rows(values_only=True):
                yield ["" if c is None else c for c in r]

        head = list(itertools.islice(rows(), HEADER_SCAN_ROWS))
    except ImportFailed:
        raise
    except Exception as exc:
        raise _damaged(path, exc) from None
    index = find_header(head, known)
    if index is None:
        raise fail(path, "no header row was found", "Check that this is the export itself.")
    raw = _trim(head[index])
    return Table(path=path, sheet=name, header_row=index + 1, headers=[header_text(c) for c in raw],
                 raw_headers=raw, total_rows=max(0, (ws.max_row or 0) - index - 1), sheets=names, _rows=rows)


def _trim(row: Row) -> Row:
    row = list(row)
    while row and row[-1] in (None, ""):
        row.pop()
    return row


# ---------------------------------------------------------------- CSV

def detect_encoding(path: Path) -> str:
    """utf-8 (utf-8-sig when there is a BOM), utf-16 with a BOM, else cp1252, else latin-1. The whole
    file is checked in 1 MB chunks (C speed), so a bad byte at row 400,000 is not a surprise later."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return "utf-8-sig" if encoding == "utf-8" and head.startswith(codecs.BOM_UTF8) else encoding
    return "latin-1"


def sniff_delimiter(sample: str) -> str:
    """The delimiter giving the most rows with the same (more than one) number of fields."""
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        try:
            counts = [len(r) for r in itertools.islice(csv.reader(io.StringIO(sample), delimiter=delim), 60)]
        except csv.Error:
            continue
        counts = [c for c in counts if c > 1]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def _open_csv(path: Path, known: Callable[[str], bool]) -> Table:
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as fh:
        sample = fh.read(65536)
    if len(sample) == 65536:  # drop the last, probably cut, line
        sample = sample[: sample.rfind("\n") + 1] or sample
    delimiter = sniff_delimiter(sample)
    csv.field_size_limit(16 * 1024 * 1024)

    def rows() -> Iterator[Row]:
        with open(path, encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            try:
                yield from reader
            except csv.Error as exc:
                raise fail(path, f"the CSV file is damaged near line {reader.line_num} ({exc})",
                           "Export it again, or open and re-save it as .csv.") from None

    head = list(itertools.islice(rows(), HEADER_SCAN_ROWS))
    index = find_header(head, known)
    if index is None:
        raise fail(path, "no header row was found (a row of column names near the top)",
                   "Check that this is the export itself, with its column names in one row.")
    lines = max(1, sample.count("\n"))
    estimate = int(path.stat().st_size / max(1, len(sample.encode(encoding, "replace")) / lines))
    raw = _trim(head[index])
    return Table(path=path, sheet="", header_row=index + 1, headers=[header_text(c) for c in raw],
                 raw_headers=raw, total_rows=max(0, estimate - index - 1), encoding=encoding,
                 delimiter=delimiter, _rows=rows)
