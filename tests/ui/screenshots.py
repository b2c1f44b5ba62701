"""Screenshots for looking at the UI: `python -m tests.ui.screenshots [--demo] [--size 1280x800]`.

Writes shots/*.png (git-ignored): the main window, the KPI editor with a validation error, the health
check, the People screen, the first-run welcome. Runs offscreen on a temporary database.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", action="store_true", help="fill the database with the demo department")
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--out", default=str(ROOT / "shots"))
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    os.environ["KPIDESK_HOME"] = str(tmp / "home")

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from kpidesk.store import Store
    from ui.qt_app import make_app
    from ui.kpi_screen import KpiScreen
    from ui.main_window import MainWindow
    from ui.people_screen import PeopleScreen
    from ui.welcome import WelcomeDialog

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))
    app = make_app(["shots"])
    store = Store.open(tmp / "shots.db")
    if args.demo:
        import datetime as dt

        from kpidesk.demo import create_demo

        create_demo(store, seed=7, today=dt.date(2026, 11, 22))
    else:
        from kpidesk.templates import start_with_templates

        start_with_templates(store, owner="Dana Whitfield")
    suffix = "" if (width, height) == (1280, 800) else f"-{width}x{height}"
    suffix += "-demo" if args.demo else ""

    def shot(widget, name: str) -> None:  # noqa: ANN001
        app.processEvents()
        path = out / f"{name}{suffix}.png"
        widget.grab().save(str(path))
        print(path)

    window = MainWindow(store)
    window.resize(width, height)
    window.show()
    shot(window, "main-window")
    kpis = window.screen(KpiScreen)
    assert isinstance(kpis, KpiScreen)
    kpis.select_kpi(next(k.id for k in store.list_kpis() if k.unit == "%" and k.direction != "band"))
    shot(window, "kpi-editor")
    kpis.form.target_value.setText("120")
    kpis.form.target_value.textEdited.emit("120")
    kpis.form.save_button.click()
    shot(window, "kpi-validation-error")
    kpis.form.set_record(kpis.model.record(0))
    kpis.select_kpi(next(k.id for k in store.list_kpis() if k.baseline_value is None and k.has_target))
    shot(kpis.health, "health-check")
    window.show_screen(PeopleScreen)
    people = window.screen(PeopleScreen)
    assert isinstance(people, PeopleScreen)
    shot(window, "people-technicians")
    people.tabs.setCurrentIndex(2)
    people.roles.table.selectRow(0)
    shot(window, "people-roles")
    welcome = WelcomeDialog(tmp / "home" / "kpidesk.db")
    welcome.show()
    shot(welcome, "first-run-welcome")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
