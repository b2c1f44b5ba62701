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
import re
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from kpidesk.errors import ImportFailed
from kpidesk.importing.sniff import fail, ole_failure, sniff
from kpidesk.importing.xlsx_formulas import formulas_without_value
from kpidesk.importing.xlsx_slices import SlicedSheet, open_sliced

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
    replaced_bytes: int = 0  # invalid byte sequences read as U+FFFD (a text file mostly valid UTF-8)
    other_sheets: list[str] = field(default_factory=list)  # further sheets that look like tickets too
    # (count, first references) of formula cells with no saved value; read it with formulas()
    formula_cells: Any = None
    _rows: Callable[[], Iterator[Row]] = field(default=lambda: iter(()), repr=False)
    # What a names check read of the rows, for the import that follows (tickets_import.scan_new_names).
    prepared: Any = field(default=None, repr=False, compare=False)

    def formulas(self) -> tuple[int, list[str]] | None:
        """formula_cells, once the check that runs beside the reading is done."""
        if callable(self.formula_cells):  # the check's answer, asked for once
            self.formula_cells = self.formula_cells()
        return self.formula_cells

    @property
    def encoding_label(self) -> str:
        return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8"}.get(self.encoding, self.encoding)

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


# Cells whose header_text is digits and punctuation: never a known column name ('#' is the only
# known name without letters). The header scan asks about 750 cells of a file; skipping these
# (dates, counts) halves it.
_DIGITS_ONLY = frozenset({dt.datetime, dt.date, dt.time, int})


def find_header(rows: list[Row], known: Callable[[str], bool]) -> int | None:
    """Index of the header row among the first rows: a row of several text cells, preferring the one
    with most recognised column names (then the earliest), so a title or 'Exported on' line above
    it is skipped."""
    best: tuple[int, int] | None = None
    widest = max((sum(1 for c in r if c not in (None, "")) for r in rows), default=0)
    for i, row in enumerate(rows):
        cells = [c for c in row if c not in (None, "")]
        texts = [header_text(c) for c in cells if isinstance(c, str) and not _looks_numeric(c)]
        texts += [header_text(c) for c in cells
                  if not isinstance(c, str) and type(c) not in _DIGITS_ONLY and known(header_text(c))]
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
    candidates: list[str] = []  # sheets that look like ticket data (3+ known headers, some rows)
    for name in names:
        sliced = open_sliced(path, name) if kind == "xlsx" else None
        if sliced is not None:  # a big sheet: parsed a slice at a time, beside the import
            rows, size = sliced.rows, 0  # estimated from the first slice, once the reading has cut it
        else:
            try:
                data = book.get_sheet_by_name(name)
            except Exception as exc:
                raise _damaged(path, exc) from None
            rows, size = data.iter_rows, data.end[0] + 1 if data.end else 0
        scan = rows()
        try:
            head = list(itertools.islice(scan, HEADER_SCAN_ROWS))
        except ImportFailed:  # a sliced sheet says where it is damaged itself
            raise
        except Exception as exc:
            if hasattr(scan, "close"):
                scan.close()
            raise _damaged(path, exc) from None
        if sliced is not None:  # the import goes on from this reading (its loader has the next slice)
            sliced.park(head, scan)
            size = sliced.estimate_rows()
        elif hasattr(scan, "close"):
            scan.close()
        index = find_header(head, known)
        if index is None:
            if sliced is not None:
                sliced.unpark()
            continue
        raw = _trim(head[index])
        table = Table(path=path, sheet=name, header_row=index + 1, headers=[header_text(c) for c in raw],
                      raw_headers=raw, total_rows=max(0, size - (index + 1)), sheets=names, _rows=rows)
        score = (sum(1 for h in table.headers if known(h)), table.total_rows)
        if score[0] >= 3 and score[1] > 0:
            candidates.append(name)
        if best is None or score > best[0]:
            if best is not None:
                _unpark(best[1])
            best = (score, table)
        else:
            _unpark(table)
    if best is None:
        raise fail(path, "no header row was found (a row of column names near the top of "
                         f"{'sheet ' + repr(names[0]) if len(names) == 1 else 'any sheet'})",
                   "Check that this is the export itself, with its column names in one row.")
    table = best[1]
    table.other_sheets = [n for n in candidates if n != table.sheet]
    if kind == "xlsx":  # checked beside the reading: a big sheet's XML takes 0.3 s to inflate and search
        owner = getattr(table._rows, "__self__", None)
        # A sliced sheet is searched by the thread that inflates it for its slices; any other on its own.
        table.formula_cells = (owner.formulas if isinstance(owner, SlicedSheet)
                               else _in_background(formulas_without_value, path, table.sheet).result)
    return table


def _unpark(table: Table) -> None:
    owner = getattr(table._rows, "__self__", None)
    if hasattr(owner, "unpark"):
        owner.unpark()


def _in_background(fn: Callable[..., Any], *args: Any) -> "Future[Any]":
    future: Future[Any] = Future()

    def work() -> None:
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - raised where the result is read
            future.set_exception(exc)

    threading.Thread(target=work, name="kpidesk-xlsx-formulas", daemon=True).start()
    return future


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

def detect_encoding(path: Path) -> tuple[str, int]:
    """(encoding, invalid byte sequences read as U+FFFD).

    UTF-16 with a BOM; UTF-8 (utf-8-sig with a BOM) when the file is mostly valid UTF-8, even if a
    few bytes are not (they become U+FFFD and the import names their rows: one stray cp1252 byte at
    row 150,000 must not turn every 'é' of a UTF-8 file into 'Ã©', each a new ghost technician);
    else the legacy encoding charset-normalizer finds on the lines that are not plain ASCII
    (cp1252, cp1251, ISO-8859-2, Shift-JIS...). The whole file is checked in 1 MB chunks (C speed)."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", 0
    bom = head.startswith(codecs.BOM_UTF8)
    valid = invalid = 0
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            text = decoder.decode(chunk)
            if not text.isascii():
                bad = text.count("\ufffd")
                invalid += bad
                valid += len(text.encode("utf-8")) - len(text) - 2 * bad  # bytes in valid multi-byte chars
        text = decoder.decode(b"", final=True)
        invalid += text.count("\ufffd")
    if invalid == 0 or valid >= 4 * invalid:
        return ("utf-8-sig" if bom else "utf-8"), invalid
    return _legacy_encoding(path), 0


# Windows code pages first: helpdesk CSVs that are not UTF-8 were nearly always saved by Excel.
_LATIN = ("cp1252", "cp1250", "iso8859-2", "cp1257", "cp1254", "iso8859-15")
_NON_LATIN = {"cp1251", "koi8-r", "koi8-u", "iso8859-5", "mac-cyrillic", "cp1253", "iso8859-7", "cp1255",
              "iso8859-8", "cp1256", "iso8859-6", "cp932", "shift_jis", "euc_jp", "gb18030", "gbk", "gb2312",
              "big5", "euc_kr", "cp949", "cp874", "tis-620"}


def _legacy_encoding(path: Path) -> str:
    """The legacy encoding of a file that is not UTF-8, judged on up to 256 KB of its lines that are
    not plain ASCII (the ASCII ones say nothing).

    charset-normalizer tells scripts apart well (Cyrillic, Greek, Japanese...), so its answer is
    taken when it names a non-Latin encoding. Between Latin code pages it guesses poorly on a few
    names (measured here: French and German cp1252 came back as cp1250 or cp775), so those are
    decided by which decoding turns the most bytes into letters, Excel's cp1252 first on a tie
    (Polish cp1250 read as cp1252 gives '³' and '¿' for 'ł' and 'ż')."""
    from charset_normalizer import from_bytes

    sample = bytearray()
    with open(path, "rb") as fh:
        for line in fh:
            if not line.isascii():
                sample += line
                if len(sample) > 256 * 1024:
                    break
    data = bytes(sample)
    found = from_bytes(data, cp_exclusion=["utf_8", "utf_7", "utf_16", "utf_16_be", "utf_16_le", "utf_32",
                                           "utf_32_be", "utf_32_le"]).best()
    if found is not None:
        name = codecs.lookup(found.encoding).name
        # Short names give charset-normalizer little to go on (coherence 0), so its non-Latin answer
        # is also taken when the text read as cp1252 looks like no Latin language: words made almost
        # wholly of accented letters ('Èâàí Ïåòðîâ' is 'Иван Петров' in cp1251).
        if name in _NON_LATIN and (found.coherence > 0 or _accented_share(data.decode("cp1252", "replace")) > 0.6):
            return name
    best, best_score = "cp1252", -1.0
    for encoding in _LATIN:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        wide = [c for c in text if ord(c) > 127]
        score = sum(c.isalpha() for c in wide) / len(wide) if wide else 0.0
        if score > best_score:
            best, best_score = encoding, score
    return best


def _accented_share(text: str) -> float:
    """Of the letters in words that hold any non-ASCII letter, the share that are non-ASCII: about
    0.2 for French, German or Polish ('Réseau', 'Wójcik'), near 1 for another script misread."""
    letters = accented = 0
    for word in re.findall(r"[^\W\d_]+", text):
        if not word.isascii():
            letters += len(word)
            accented += sum(1 for c in word if ord(c) > 127)
    return accented / letters if letters else 0.0


def sniff_delimiter(sample: str, known: Callable[[str], bool] = lambda _h: False) -> str:
    """The delimiter that gives the header's column count on most rows. Not the most frequent byte
    and not the most regular split: a Jira export whose comment cells hold 'date;user;text' splits
    into regular rows on ';' too, but its header then has one column, not dozens."""
    best, best_score = ",", (-1, 0)
    for delim in DELIMITERS:
        try:
            rows = [r for r in itertools.islice(csv.reader(io.StringIO(sample), delimiter=delim), 200)]
        except csv.Error:
            continue
        at = find_header(rows[:HEADER_SCAN_ROWS], known)
        if at is None:
            continue
        width = len(_trim(rows[at]))
        if width < 2:
            continue
        body = [r for r in rows[at + 1:] if any(c.strip() for c in r)]
        fits = sum(1 for r in body if len(_trim(r)) == width or len(r) == width)
        score = (fits, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _open_csv(path: Path, known: Callable[[str], bool]) -> Table:
    encoding, replaced = detect_encoding(path)
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        sample = fh.read(65536)
    if len(sample) == 65536:  # drop the last, probably cut, line
        sample = sample[: sample.rfind("\n") + 1] or sample
    delimiter = sniff_delimiter(sample, known)
    csv.field_size_limit(16 * 1024 * 1024)

    def rows() -> Iterator[Row]:
        with open(path, encoding=encoding, errors="replace", newline="") as fh:
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
                 delimiter=delimiter, replaced_bytes=replaced, _rows=rows)
