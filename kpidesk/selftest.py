"""`kpidesk --selftest`: prove a build works end to end, in a temporary folder, in a few seconds.

Opens a new database (running every migration), imports a small generated ServiceNow-style export,
computes the metrics, signs a check-in and exports its PDF (through Qt, offscreen when there is no
display) and the HR workbook, then checks what came out. Exit 0 when every step passed.
Used by packaging/build.sh on the frozen binary, and by the tests.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
import time
from pathlib import Path
from typing import Callable

HEADERS = ["Number", "Opened", "Resolved", "Priority", "Assigned to", "Resolved by", "Reassignment count",
           "Reopen count", "Made SLA", "Updated"]


def _write_export(path: Path, n: int = 240) -> None:
    start = dt.datetime(2026, 1, 5, 9, 0)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for i in range(n):
            opened = start + dt.timedelta(hours=7 * i)
            resolved = opened + dt.timedelta(hours=1 + (i % 30))
            who = ("Ada Lovelace", "Grace Hopper", "Alan Turing")[i % 3]
            w.writerow([f"INC{i:07d}", opened.strftime("%Y-%m-%d %H:%M:%S"), resolved.strftime("%Y-%m-%d %H:%M:%S"),
                        f"{1 + i % 4} - Moderate", who, who, int(i % 3 == 0), int(i % 5 == 0), "true" if i % 4 else "false",
                        resolved.strftime("%Y-%m-%d %H:%M:%S")])


def run_selftest(out: Callable[[str], None] = print) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else os.environ.get(
        "QT_QPA_PLATFORM", ""))
    if not os.environ.get("QT_QPA_PLATFORM"):
        del os.environ["QT_QPA_PLATFORM"]
    t0 = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="kpidesk-selftest-") as tmp:
            _steps(Path(tmp), out)
    except Exception as exc:  # the point of a self test is to report, not to crash
        out(f"selftest FAILED: {type(exc).__name__}: {exc}")
        return 1
    out(f"selftest passed in {time.perf_counter() - t0:.1f} s")
    return 0


def _steps(tmp: Path, out: Callable[[str], None]) -> None:
    from kpidesk import actions
    from kpidesk import database as db
    from kpidesk.export.renderers import pdf_renderer
    from kpidesk.metrics.engine import compute_all
    from kpidesk.store import Store

    today = dt.date(2026, 4, 15)
    store = Store.open(tmp / "selftest.db")
    try:
        assert store.schema_revision() == db.head_revision(), "migration did not reach the head revision"
        out(f"ok  database created and migrated to {store.schema_revision()}")
        actions.start_from_templates(store, owner="Self Test", today=today)
        export = tmp / "export.csv"
        _write_export(export)
        report = actions.import_file(store, actions.ImportRequest(export), today=today).result.report
        assert report.created == 240 and report.rejected == 0, f"import created {report.created}, rejected {report.rejected}"
        out(f"ok  imported {report.created} ticket{'s' if report.created != 1 else ''} (preset {report.preset})")
        values = compute_all(store, granularity="month", first="2026-01", last="2026-03", scopes=("desk",))
        mttr = [v for v in values if v.kpi == "mttr_hours" and v.value is not None]
        assert mttr and all(v.value > 0 for v in mttr), "no MTTR computed"
        kpi = store.find_kpi("MTTR")
        stored = {m.period: m.value for m in store.list_measurements(kpi.id, "desk")} if kpi else {}
        assert stored.get(mttr[0].period) == mttr[0].value, "the stored MTTR is not the computed one"
        out(f"ok  computed {len(values)} desk metric values; MTTR {mttr[0].period} = {mttr[0].value:.1f} h (stored)")
        tech = store.find_technician("Ada Lovelace")
        assert tech is not None, "the import did not create the technician"
        roles = {r.name: r.id for r in store.list_role_profiles()}
        tech.role_profile_id = roles["Service desk L1"]
        actions.update_technician(store, tech, today=today)
        ci = actions.start_checkin(store, tech.id, "2026-Q1").result  # type: ignore[arg-type]
        actions.sign_checkin(store, ci.id, "Self Test")
        result = actions.export_appraisals(store, "2026-Q1", tmp / "hr", fmt="both",
                                           render_pdf=pdf_renderer()).result  # Qt's, registered by the entry point
        pdfs = sorted(p for p in result.pdfs)
        assert pdfs and pdfs[0].read_bytes().startswith(b"%PDF"), "no PDF written"
        assert result.workbook is not None, "no workbook written"
        out(f"ok  exported {pdfs[0].name} ({pdfs[0].stat().st_size // 1024} KB) and the HR workbook")
    finally:
        store.close()
