"""Export many appraisal summaries at once: one PDF each plus the period's workbook, into a folder.

All-or-nothing: every file is first written to `<name>.tmp` and fsynced; only when all are done
are they renamed into place. Cancelling (progress.cancelled()) or any failure removes the .tmp
files, so a cancelled batch leaves nothing behind and never a half-written file. A re-export over
an earlier one replaces its files atomically.

The core cannot draw PDFs (no Qt here): the caller passes `render_pdf(report, path, page_size)`,
normally ui.reports.pdf_renderer.render_pdf.

A review cycle's export (`cycle`, issue 17) gets a Cycle sheet in its workbook, and `notes` says
when the cycle is not complete ("cycle 2026-Q4 is not complete: 3 of 8 not signed (...)"), whether
the drafts are included or not.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol, Sequence

from kpidesk.errors import Cancelled, ExportFailed
from kpidesk.export.atomic import (
    check_writable_folder,
    fsync_dir,
    fsync_file,
    make_private,
    new_tmp_beside,
    remove_quietly,
    replace_all,
)
from kpidesk.export.content import AppraisalReport, ExportCycle

PdfRenderer = Callable[[AppraisalReport, Path, str], object]
FORMATS = ("pdf", "xlsx", "both")
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


class Progress(Protocol):
    """Qt-free progress (HOUSE-STYLE 13); ui/ops.py adapts it to a progress dialog."""

    def set_status(self, text: str) -> None: ...
    def set_progress(self, done: int, total: int) -> None: ...
    def cancelled(self) -> bool: ...


@dataclass
class BatchResult:
    files: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    workbook: Path | None = None
    skipped_drafts: list[str] = field(default_factory=list)  # technicians left out as drafts
    cycle: ExportCycle | None = None  # the review cycle exported (None for a month)
    notes: list[str] = field(default_factory=list)  # what the caller should tell: "cycle ... is not complete"


def _cycle_notes(result: BatchResult, cycle: ExportCycle | None) -> None:
    result.cycle = cycle
    if cycle is not None and cycle.note():
        result.notes.append(cycle.note())


def _name_part(text: str) -> str:
    """A file-name-safe piece: letters kept (accents too), spaces and punctuation to '-'."""
    text = unicodedata.normalize("NFC", text)
    text = _UNSAFE.sub("", text)
    text = re.sub(r"[\s_.,;'`]+", "-", text.strip())
    return text.strip("-") or "unnamed"


# File systems allow 255 bytes a name; leave room for unique_names' '_2', the hidden temporary
# name built on it while writing, and a synced folder's own suffixes.
NAME_MAX_BYTES = 150


def fit_name(stem: str, ext: str, limit: int = NAME_MAX_BYTES) -> str:
    """`stem.ext` within `limit` UTF-8 bytes: a long stem is cut on a character boundary and gets a
    stable suffix from a hash of the whole stem, so two long names stay apart and the same person
    gets the same file name every time."""
    name = f"{stem}.{ext}"
    if len(name.encode("utf-8")) <= limit:
        return name
    tag = "~" + hashlib.sha256(stem.encode("utf-8")).hexdigest()[:8]
    room = limit - len(f"{tag}.{ext}".encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip("-_ ")
    return f"{cut}{tag}.{ext}"


def appraisal_filename(report: AppraisalReport, ext: str = "pdf") -> str:
    """'2026-Q3_Surname_Firstname.pdf' (sorts by period, then surname); drafts end in _DRAFT."""
    last, first = report.surname_first
    parts = [_name_part(report.period), _name_part(last)] + ([_name_part(first)] if first else [])
    draft = "_DRAFT" if report.is_draft else ""
    name = fit_name("_".join(parts), ext, NAME_MAX_BYTES - len(draft))
    return f"{name[:-len(ext) - 1]}{draft}.{ext}"


def workbook_filename(period: str, team: str | None = None) -> str:
    return fit_name("_".join([_name_part(period), "appraisals"] + ([_name_part(team)] if team else [])), "xlsx")


def unique_names(names: Sequence[str]) -> list[str]:
    """Make names unique case-insensitively (Windows and macOS folders are): '..._2.pdf' on a clash."""
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        stem, dot, ext = name.rpartition(".")
        candidate, n = name, 2
        while candidate.lower() in taken:
            candidate, n = f"{stem}_{n}{dot}{ext}", n + 1
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def _check(progress: Progress | None, status: str, done: int, total: int) -> None:
    if progress is None:
        return
    if progress.cancelled():
        raise Cancelled("Export cancelled; no files were written.")
    progress.set_status(status)
    progress.set_progress(done, total)


def export_batch(reports: Sequence[AppraisalReport], folder: str | Path, *, period: str, fmt: str = "both",
                 render_pdf: PdfRenderer | None = None, page_size: str = "A4", include_drafts: bool = False,
                 progress: Progress | None = None, workbook_name: str | None = None,
                 cycle: ExportCycle | None = None) -> BatchResult:
    """Write one PDF per report and/or the period workbook into `folder`. Drafts are left out
    unless `include_drafts` (then every page of their PDF says DRAFT, and the workbook's status
    column says draft). `cycle`: the review cycle the period is, for the workbook's Cycle sheet and
    the result's notes. Raises ExportFailed when nothing is left to export or the folder is not
    writable, Cancelled when cancelled; in both cases no file is left behind."""
    if fmt not in FORMATS:
        raise ExportFailed(f"Unknown format {fmt!r}; use pdf, xlsx or both.")
    if fmt in ("pdf", "both") and render_pdf is None:
        raise ExportFailed("PDF export needs the Qt renderer (ui.reports.pdf_renderer.render_pdf).")
    result = BatchResult()
    chosen = [r for r in reports if include_drafts or not r.is_draft]
    result.skipped_drafts = [r.technician for r in reports if r.is_draft and not include_drafts]
    if not chosen:
        why = (f": only drafts, not signed yet ({', '.join(result.skipped_drafts)}); include drafts to export them"
               if result.skipped_drafts else "")
        raise ExportFailed(f"Nothing to export for {period}{why}.")
    folder = check_writable_folder(folder)

    plan: list[tuple[str, Path, AppraisalReport | None]] = []
    if fmt in ("pdf", "both"):
        names = unique_names([appraisal_filename(r) for r in chosen])
        plan += [("pdf", folder / n, r) for n, r in zip(names, chosen)]
    if fmt in ("xlsx", "both"):
        plan.append(("xlsx", folder / (workbook_name or workbook_filename(period)), None))
    write_staged(plan, chosen, period, render_pdf, page_size, progress, result, cycle=cycle)
    _cycle_notes(result, cycle)
    return result


def export_to_file(reports: Sequence[AppraisalReport], dest: str | Path, *, period: str, fmt: str,
                   render_pdf: PdfRenderer | None = None, page_size: str = "A4", include_drafts: bool = False,
                   progress: Progress | None = None, cycle: ExportCycle | None = None) -> BatchResult:
    """One file at `dest`: a person's PDF (fmt 'pdf', exactly one check-in left after the draft
    filter) or the workbook (fmt 'xlsx'). Same atomic, draft and cycle rules as export_batch."""
    dest = Path(dest)
    result = BatchResult()
    chosen = [r for r in reports if include_drafts or not r.is_draft]
    result.skipped_drafts = [r.technician for r in reports if r.is_draft and not include_drafts]
    if not chosen:
        raise ExportFailed(f"Nothing to export for {period}"
                           + (f": only drafts, not signed yet ({', '.join(result.skipped_drafts)}); include drafts "
                              "to export them." if result.skipped_drafts else "."))
    if fmt == "pdf" and len(chosen) != 1:
        raise ExportFailed(f"{len(chosen)} check-ins match; a single .pdf holds one. Give a folder instead.")
    if fmt == "pdf" and render_pdf is None:
        raise ExportFailed("PDF export needs the Qt renderer (ui.reports.pdf_renderer.render_pdf).")
    check_writable_folder(dest.parent)
    plan = [("pdf", dest, chosen[0])] if fmt == "pdf" else [("xlsx", dest, None)]
    write_staged(plan, chosen, period, render_pdf, page_size, progress, result, cycle=cycle)
    _cycle_notes(result, cycle)
    return result


def write_staged(plan: list[tuple[str, Path, AppraisalReport | None]], reports: Sequence[AppraisalReport],
                 period: str, render_pdf: PdfRenderer | None, page_size: str, progress: Progress | None,
                 result: BatchResult, cycle: ExportCycle | None = None) -> None:
    """Write every planned file beside its destination, then rename them all into place at once
    (replace_all: a rename that fails puts the earlier ones back). On any exception the temporary
    files go and the folder is as it was."""
    from kpidesk.export.workbook import build_workbook

    for _kind, dest, _report in plan:  # before anything is written: a folder in the way fails now
        if dest.is_dir():
            raise ExportFailed(f"Could not write {dest.name}: a folder of that name is in the way in "
                               f"{dest.parent}. Nothing was exported.")
    staged: list[tuple[Path, Path]] = []
    total = len(plan)
    try:
        for done, (kind, dest, report) in enumerate(plan):
            _check(progress, f"Writing {dest.name}", done, total)
            tmp = new_tmp_beside(dest)
            staged.append((tmp, dest))
            if kind == "pdf":
                assert render_pdf is not None and report is not None
                render_pdf(report, tmp, page_size)
            else:
                build_workbook(reports, period, cycle).save(tmp)
            if not tmp.exists() or tmp.stat().st_size == 0:
                raise ExportFailed(f"Nothing was written for {dest.name}.")
            make_private(tmp)
            fsync_file(tmp)
        _check(progress, "Finishing", total, total)
        replace_all(staged)  # renames are quick; cancelling stops before them
        for _tmp, dest in staged:
            result.files.append(dest)
            if dest.suffix == ".pdf":
                result.pdfs.append(dest)
            else:
                result.workbook = dest
        if staged:
            fsync_dir(staged[0][1].parent)
    except OSError as exc:
        raise ExportFailed(f"Could not write the export: {exc.strerror or exc} ({getattr(exc, 'filename', '')}). "
                           "Nothing was exported.") from exc
    finally:
        for tmp, _ in staged:
            if tmp.exists():
                remove_quietly(tmp)
