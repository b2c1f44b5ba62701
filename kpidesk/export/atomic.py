"""Atomic file writes (HOUSE-STYLE 12, after Electrum's storage.py): write `<file>.tmp`, fsync,
then os.replace(). A reader, HR's file share or a crash never sees a half-written export: either
the old file (or none) is there, or the complete new one."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

from kpidesk.errors import ExportFailed

TMP_SUFFIX = ".tmp"


def tmp_path_for(dest: Path) -> Path:
    return dest.with_name(dest.name + TMP_SUFFIX)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; directories cannot be opened for fsync on Windows.
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(dest: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `dest` for the caller to write; on a normal exit it is fsynced
    and renamed over `dest`. On any exception (including Cancelled) the temporary file is removed
    and `dest` is left as it was. OSErrors become ExportFailed with a plain message."""
    dest = Path(dest)
    tmp = tmp_path_for(dest)
    try:
        yield tmp
        if not tmp.exists():
            raise ExportFailed(f"Nothing was written to {dest}.")
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
