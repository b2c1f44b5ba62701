"""Reading a big .xlsx sheet a slice at a time, so its parse overlaps the import and memory stays flat.

calamine parses a whole sheet before it hands back the first row (500k rows x 25 columns: 1.1 GB
and 10 s before anything else can start). For a big sheet this module cuts the sheet's XML, as it
inflates, into slices of whole <row> elements, wraps each in a small stored workbook beside the
original styles and shared strings, and lets calamine parse slice k+1 on a loader thread (its Rust
code releases the GIL) while the importer normalises slice k. Rows come out exactly as calamine
reads the whole sheet (iter_rows: from row 1 and column A), which a test holds equal.

Anything unusual (a sheet smaller than SLICE_MIN_BYTES, no sheetData, a part calamine refuses)
returns None from `open_sliced`, and the caller reads the sheet whole as before.
"""
from __future__ import annotations

import io
import itertools
import queue
import re
import threading
import zipfile
from pathlib import Path
from typing import Any, Iterator
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from kpidesk.importing.sniff import fail
from kpidesk.importing.xlsx_formulas import FormulaScan, formulas_without_value

# Sheet XML below this (~3k rows of 25 columns) is read whole. Measured on 2 cores, import of an
# inline-string export (as streaming writers make them) read whole against sliced (median of 3, after
# the slices got a thread of their own to be made on): 5k rows (6.5 MB of XML) 0.26 s against
# 0.22 s; 10k 0.41 against 0.36 s; 20k 0.83 against 0.63 s; 50k 1.85 against 1.45 s.
SLICE_MIN_BYTES = 4 * 1024 * 1024
# A workbook Excel saved keeps its text in a shared-strings part, which every slice parses again:
# 100k rows with 7 MB of shared strings took 7.7 s whole and 9.0 s sliced. Such a sheet is sliced
# only where reading it whole would cost too much memory (500k rows whole: 1.1 GB), unless its
# shared strings are few: at most SHARED_STRINGS_SMALL and an eighth of a slice.
SLICE_MIN_BYTES_SHARED = 256 * 1024 * 1024
SHARED_STRINGS_SMALL = 1024 * 1024
SLICE_BYTES = 6 * 1024 * 1024  # XML per slice at most (about 4.5k rows of a 25-column export)
# ...and at least, unless the sheet is smaller: a sheet is cut in about SLICES parts, so that what is
# left to do once its last slice is parsed (normalising and storing that slice) is short.
SMALLEST_SLICE_BYTES = 1024 * 1024
SLICES = 8
# The first slice is small: the header is found and the import starts while the next one is parsed.
FIRST_SLICE_BYTES = 1024 * 1024
_READ = 1 << 20
_UNSEEN = object()
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SHEET_DATA = re.compile(rb"<([A-Za-z_][\w.-]*:)?sheetData(\s[^>]*)?>")
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]")
_DIMENSION = re.compile(rb"<([A-Za-z_][\w.-]*:)?dimension\b[^>]*/>")


class SlicedSheet:
    """The rows of one big sheet, parsed slice by slice; `rows()` may be called again."""

    def __init__(self, path: Path, sheet: str, member: str, size: int) -> None:
        self.path, self.sheet, self.member, self.size = path, sheet, member, size
        with zipfile.ZipFile(path) as z:
            # Everything but the worksheets and media: workbook, rels, styles (date formats), shared strings.
            self._others = {i.filename: z.read(i) for i in z.infolist()
                            if not i.filename.startswith(("xl/worksheets/", "xl/media/", "xl/drawings/"))
                            and not i.is_dir()}
        self._formulas: tuple[int, list[str]] | None | object = _UNSEEN

    def formulas(self) -> tuple[int, list[str]] | None:
        """xlsx_formulas.formulas_without_value for this sheet: searched as the slices were cut, once
        a reading got to the end of the sheet, else (a reading stopped early) read for it now."""
        if self._formulas is _UNSEEN:
            self._formulas = formulas_without_value(self.path, self.sheet)
        return self._formulas  # type: ignore[return-value]

    def estimate_rows(self) -> int:
        """Rows in the sheet, from the rows in its first slice, or its first megabyte of XML before
        a reading has cut one (for progress and the import's chunk size)."""
        head = self._first_slice
        if head is None:
            with zipfile.ZipFile(self.path) as z, z.open(self.member) as fh:
                head = fh.read(_READ)
        rows = head.count(b"<row ") + head.count(b":row ") + head.count(b"<row>")
        return int(self.size * max(rows, 1) / max(len(head), 1))

    _first_slice: bytes | None = None

    def rows(self) -> Iterator[list[Any]]:
        """Every row; the first call after park() goes on from the parked reading instead of
        starting again (the header scan hands its reading to the import)."""
        parked, self._parked = self._parked, None
        if parked is not None:
            head, it = parked
            return itertools.chain(head, it)
        return self._rows()

    _parked: tuple[list[list[Any]], Iterator[list[Any]]] | None = None

    def park(self, head: list[list[Any]], it: Iterator[list[Any]]) -> None:
        """Keep a reading that has yielded `head` so far, for the next rows() call."""
        self.unpark()
        self._parked = (head, it)

    def unpark(self) -> None:
        """Stop a parked reading (its loader thread) that nobody will use."""
        parked, self._parked = self._parked, None
        if parked is not None and hasattr(parked[1], "close"):
            parked[1].close()

    def _rows(self) -> Iterator[list[Any]]:
        parts: queue.Queue[Any] = queue.Queue(maxsize=2)
        stop = threading.Event()
        loader = threading.Thread(target=self._load, args=(parts, stop), name="kpidesk-xlsx-slices", daemon=True)
        loader.start()
        expected = 0  # 0-based row the next yielded row stands for
        try:
            while True:
                item = parts.get()
                if item is None:
                    return
                if isinstance(item, Exception):  # a part calamine or the slicer could not read
                    raise fail(self.path, f"the workbook is damaged ({type(item).__name__}) in sheet "
                                          f"{self.sheet!r}, in its rows from row {expected + 1:,} on") from item
                if isinstance(item, BaseException):
                    raise item
                start_row, start_col, rows = item
                while expected < start_row:  # rows with no cell between two slices
                    yield []
                    expected += 1
                if start_col:
                    pad = [""] * start_col
                    rows = [pad + r for r in rows]
                yield from rows
                expected += len(rows)
        finally:
            stop.set()
            _drain(parts, loader)

    # ------------------------------------------------------------ the loader thread

    def _load(self, parts: "queue.Queue[Any]", stop: threading.Event) -> None:
        from python_calamine import CalamineWorkbook

        # The slices are inflated, cut and wrapped on a thread of their own, so that calamine parses
        # one after the other with no Python work between them (measured, 100k rows: 0.6 s of gaps).
        books: queue.Queue[Any] = queue.Queue(maxsize=1)
        maker = threading.Thread(target=self._make, args=(books, stop), name="kpidesk-xlsx-slicer", daemon=True)
        maker.start()
        try:
            while (book := self._get(books, stop)) is not None:
                if isinstance(book, BaseException):
                    raise book
                data = CalamineWorkbook.from_filelike(book).get_sheet_by_name(self.sheet)
                if data.start is None:
                    continue
                rows = data.to_python(skip_empty_area=True)
                self._put(parts, stop, (data.start[0], data.start[1], rows))
                if stop.is_set():
                    return
            self._put(parts, stop, None)
        except BaseException as exc:  # noqa: BLE001 - raised again on the reading thread
            self._put(parts, stop, exc)
        finally:
            stop.set()
            _drain(books, maker)

    def _make(self, books: "queue.Queue[Any]", stop: threading.Event) -> None:
        try:
            for xml in self._slices():
                if stop.is_set():
                    return
                self._put(books, stop, self._workbook(xml))
            self._put(books, stop, None)
        except BaseException as exc:  # noqa: BLE001 - raised again on the loader thread
            self._put(books, stop, exc)

    @staticmethod
    def _get(items: "queue.Queue[Any]", stop: threading.Event) -> Any:
        """The next item, or None once the reading is stopped (the maker then puts nothing more)."""
        while not stop.is_set():
            try:
                return items.get(timeout=0.1)
            except queue.Empty:
                continue
        return None

    @staticmethod
    def _put(parts: "queue.Queue[Any]", stop: threading.Event, item: Any) -> None:
        while not stop.is_set():
            try:
                parts.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _slices(self) -> Iterator[bytes]:
        """The sheet's XML as standalone documents of whole <row> elements."""
        with zipfile.ZipFile(self.path) as z, z.open(self.member) as fh:
            buf = b""
            while (m := _SHEET_DATA.search(buf)) is None:
                data = fh.read(_READ)
                if not data:
                    raise ValueError("no sheetData")
                buf += data
            head = _DIMENSION.sub(b"", buf[:m.end()])  # calamine would size every slice to the whole sheet
            prefix = m.group(1) or b""
            root = _ROOT.search(head)
            close = b"</" + prefix + b"sheetData></" + (root.group(1) or b"" if root else b"") + b"worksheet>"
            row_tags = (b"<" + prefix + b"row ", b"<" + prefix + b"row>")
            end_tag = b"</" + prefix + b"sheetData>"
            scan = FormulaScan()
            scan.feed(buf)
            buf, eof = buf[m.end():], False
            most = slice_bytes(self.size)
            size = min(FIRST_SLICE_BYTES, most)
            while True:
                while not eof and len(buf) < size:
                    data = fh.read(most)
                    scan.feed(data)
                    eof, buf = not data, buf + data
                if eof and len(buf) <= size:
                    if buf.find(end_tag) < 0:
                        raise ValueError("sheetData not closed")
                    self._formulas = scan.result()
                    yield head + buf
                    return
                cut = max(buf.rfind(t, 0, size) for t in row_tags)
                size = most
                if cut <= 0:  # one row longer than a slice: cut after it
                    cut = min((i for i in (buf.find(t, 1) for t in row_tags) if i > 0), default=-1)
                    if cut < 0:
                        if eof:
                            self._formulas = scan.result()
                            yield head + buf
                            return
                        data = fh.read(most)
                        scan.feed(data)
                        eof, buf = not data, buf + data
                        continue
                if self._first_slice is None:
                    self._first_slice = buf[:cut]
                yield head + buf[:cut] + close
                buf = buf[cut:]

    def _workbook(self, xml: bytes) -> io.BytesIO:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
            for name, data in self._others.items():
                z.writestr(name, data)
            z.writestr(self.member, xml)
        out.seek(0)
        return out


def _drain(items: "queue.Queue[Any]", producer: threading.Thread) -> None:
    """Wait for a stopped producer, emptying its queue so that a put it is blocked on sees the stop."""
    while producer.is_alive():
        try:
            items.get_nowait()
        except queue.Empty:
            producer.join(0.05)


def slice_bytes(size: int) -> int:
    """The XML per slice of a sheet of `size` bytes (the first slice is smaller)."""
    return min(SLICE_BYTES, max(SMALLEST_SLICE_BYTES, size // SLICES))


def open_sliced(path: Path, sheet: str) -> SlicedSheet | None:
    """A SlicedSheet for `sheet` when it is big enough to be worth it and laid out as expected."""
    try:
        with zipfile.ZipFile(path) as z:
            member = sheet_member(z, sheet)
            if member is None:
                return None
            size = z.getinfo(member).file_size
            shared = sum(i.file_size for i in z.infolist() if i.filename.lower().endswith("sharedstrings.xml"))
            many = shared > min(SHARED_STRINGS_SMALL, slice_bytes(size) // 8)
            if size < (SLICE_MIN_BYTES_SHARED if many else SLICE_MIN_BYTES):
                return None
        return SlicedSheet(path, sheet, member, size)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ElementTree.ParseError):
        return None


def sheet_member(z: zipfile.ZipFile, sheet: str) -> str | None:
    book: Element = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels: Element = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    rel_id = next((s.get(_NS_REL) for s in book.iter() if s.tag.endswith("}sheet") and s.get("name") == sheet), None)
    target = next((r.get("Target") for r in rels if r.get("Id") == rel_id), None)
    if not target:
        return None
    target = target.lstrip("/")
    return target if target.startswith("xl/") else f"xl/{target}"
