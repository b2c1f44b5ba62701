"""Look at a file's bytes before any parser does, so a hostile or wrong file gets a plain message.

RELIABILITY-NOTES 6: a password-protected workbook surfaces as a bare BadZipFile from openpyxl (it
is an OLE container, not a zip), and nothing in openpyxl or calamine stops a zip bomb (199 KB grew to
~790 MB of memory), so the declared uncompressed sizes are checked here first.
"""
from __future__ import annotations

import hashlib
import stat
import zipfile
from pathlib import Path

from kpidesk.errors import ImportFailed

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# A real export's XML compresses ~5-20x; a bomb ~1000x. Only big members are judged by ratio.
MAX_RATIO = 200
RATIO_MIN_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED = 3 * 1024 ** 3

SAVE_AS = "Open it in Excel or LibreOffice and save it as .xlsx (or .csv), then import that file."


def fail(path: Path, what: str, todo: str = SAVE_AS) -> ImportFailed:
    return ImportFailed(f"Cannot import {path.name}: {what}. {todo}".strip())


def sniff(path: Path) -> str:
    """'xlsx' (any zip workbook: xlsx, xlsm, xlsb), 'ods', 'ole' (xls or encrypted), or 'text'."""
    try:
        if not path.exists():
            raise ImportFailed(f"Cannot import {path.name}: there is no such file ({path}).")
        if path.is_dir():
            raise ImportFailed(f"Cannot import {path.name}: it is a folder, not a file.")
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            # Opening a pipe with no writer waits for ever, and a device (/dev/zero) never ends.
            what = ("a pipe" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                    else "a special file")
            raise ImportFailed(f"Cannot import {path.name}: it is {what}, not a file. Save the export to a "
                               "file first and import that file.")
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        raise ImportFailed(f"Cannot import {path.name}: the file cannot be read ({exc.strerror or exc}).") from None
    if size == 0 or not head.strip(b" \r\n\t\x00"):
        raise fail(path, "the file is empty", "Export it again from your helpdesk tool.")
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return _check_zip(path)
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise fail(path, "it is not a spreadsheet or a CSV file (it holds binary data)")
    lowered = head[:512].lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")):
        raise fail(path, "it is a web page or XML file saved under a spreadsheet name")
    return "text"


def _check_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise fail(path, "the workbook is damaged (its zip structure is broken or the file is "
                         "incomplete, e.g. a download that stopped early)") from None
    names = {i.filename for i in infos}
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise fail(path, f"it expands to {info.file_size // 2**20} MB from {info.compress_size // 1024} KB "
                             "(a 'zip bomb'); it was not opened", "If the file is genuine, export it as .csv.")
    if total > MAX_UNCOMPRESSED:
        raise fail(path, f"it expands to {total // 2**30} GB, more than KPI Desk opens at once",
                   "Export a shorter date range, or as .csv.")
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        return "ods"
    if "EncryptionInfo" in names:
        raise fail(path, "the workbook is password-protected", _UNPROTECT)
    raise fail(path, "it is a zip file but not a spreadsheet (perhaps a Word document or an archive)",
               "Choose the .xlsx, .xls, .ods or .csv export itself.")


_UNPROTECT = ("Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with "
              "Password, clear it), save it as .xlsx and import that file.")


def ole_failure(path: Path) -> ImportFailed:
    return fail(path, "it is a password-protected workbook or an old binary (.xls) workbook that "
                      "could not be read", _UNPROTECT)


def file_digest(path: Path) -> tuple[int, str]:
    """(size in bytes, SHA-256), recorded with every import batch."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()
