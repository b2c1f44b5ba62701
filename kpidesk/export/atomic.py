"""Atomic file writes (HOUSE-STYLE 12, after Electrum's storage.py): write a temporary file beside
the destination, fsync, then os.replace(). A reader, HR's file share or a crash never sees a
half-written export: either the old file (or none) is there, or the complete new one.

Temporary files get a fresh name each (two exports to one folder at once do not share one) and
are created 0600 before anything is written into them: an appraisal is an HR record, readable by
its owner only, like the database. A group of files (replace_all) lands all or none."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator, Sequence

from kpidesk.errors import ExportFailed
from kpidesk.fileio import fsync_dir, fsync_file  # noqa: F401 (re-exported)

TMP_SUFFIX = ".tmp"
PRIVATE = 0o600


def new_tmp_beside(dest: Path) -> Path:
    """A new, empty, private (0600) file in `dest`'s folder, for the caller to write and rename."""
    fd, name = tempfile.mkstemp(prefix=f".{dest.name[:80]}.", suffix=TMP_SUFFIX, dir=dest.parent)
    os.close(fd)
    return Path(name)


def make_private(path: Path) -> None:
    """0600, whatever the writer (Qt, openpyxl) did with the file it was given."""
    if os.name != "nt":
        os.chmod(path, PRIVATE)


@contextlib.contextmanager
def atomic_path(dest: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `dest` for the caller to write; on a normal exit it is fsynced
    and renamed over `dest`. On any exception (including Cancelled) the temporary file is removed
    and `dest` is left as it was. OSErrors become ExportFailed with a plain message."""
    dest = Path(dest)
    if dest.is_dir():
        raise ExportFailed(f"Could not write {dest}: it is a folder.")
    try:
        tmp = new_tmp_beside(dest)
    except OSError as exc:
        raise ExportFailed(f"Could not write {dest}: {exc.strerror or exc}.") from exc
    try:
        yield tmp
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise ExportFailed(f"Nothing was written to {dest}.")
        make_private(tmp)
        fsync_file(tmp)
        os.replace(tmp, dest)
        fsync_dir(dest.parent)
    except OSError as exc:
        remove_quietly(tmp)
        raise ExportFailed(f"Could not write {dest}: {exc.strerror or exc}.") from exc
    except BaseException:
        remove_quietly(tmp)
        raise


def remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass


def write_bytes_atomic(dest: str | Path, data: bytes) -> Path:
    with atomic_path(dest) as tmp:
        tmp.write_bytes(data)
    return Path(dest)


def check_writable_folder(folder: str | Path) -> Path:
    """Create `folder` if needed and prove we can write in it, or raise ExportFailed. Checked before
    a batch starts so HR learns at once, not after twenty PDFs."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportFailed(f"Cannot create the folder {folder}: {exc.strerror or exc}.") from exc
    if not folder.is_dir():
        raise ExportFailed(f"{folder} is not a folder.")
    probe = folder / f".kpidesk-write-test-{os.getpid()}{TMP_SUFFIX}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ExportFailed(f"Cannot write in {folder}: {exc.strerror or exc}.") from exc
    return folder


def replace_all(staged: Sequence[tuple[Path, Path]]) -> None:
    """Rename every (tmp, dest) pair into place, all or none: if one rename fails, the files already
    replaced get their earlier content back (kept as hard links, else copies, until the end) and the
    new ones are removed. Raises the OSError after rolling back; the tmp files are the caller's."""
    done: list[tuple[Path, Path | None]] = []  # (dest, its earlier content kept aside, or None)
    try:
        for tmp, dest in staged:
            kept = None
            if dest.exists():
                kept = dest.with_name(f".{dest.name[:80]}.{os.getpid()}.old")
                try:
                    os.link(dest, kept)
                except OSError:  # no hard links here (FAT, some shares): a copy does as well
                    shutil.copy2(dest, kept)
            done.append((dest, kept))
            os.replace(tmp, dest)
    except OSError:
        for dest, kept in reversed(done):
            try:
                if kept is not None:
                    os.replace(kept, dest)
                else:
                    dest.unlink(missing_ok=True)
            except OSError:
                pass
        raise
    finally:
        for _dest, kept in done:
            if kept is not None:
                remove_quietly(kept)
