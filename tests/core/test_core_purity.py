"""The core must stay usable without Qt (HOUSE-STYLE 1)."""
from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import kpidesk

ROOT = Path(__file__).resolve().parents[2]


def test_no_core_module_imports_qt():
    names = [m.name for m in pkgutil.walk_packages(kpidesk.__path__, "kpidesk.")
             if ".migrations" not in m.name]
    assert len(names) > 10
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); import importlib\n"
            f"for n in {names!r}: importlib.import_module(n)\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'ui', 'shiboken6')]\n"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pdf_export_without_the_desktop_part_says_what_is_missing(monkeypatch):
    import pytest

    from kpidesk.errors import ExportFailed
    from kpidesk.export import renderers

    monkeypatch.setattr(renderers, "_factory", None)  # a script that loaded the core alone
    with pytest.raises(ExportFailed) as err:
        renderers.pdf_renderer()
    assert "--format xlsx" in str(err.value)
