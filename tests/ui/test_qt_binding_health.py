"""PySide6 6.12.0 dropped a reference to None on every Python override call (paintEvent...) and
processEvents(); after a few thousand the interpreter aborts (none_dealloc) in a long session.
pyproject caps the version; this test fails if a binding with that bug is ever installed again."""
from __future__ import annotations

import sys

import pytest
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QWidget


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_python_overrides_do_not_leak_references_to_none(qtbot):
    class Painted(QWidget):
        def paintEvent(self, event):  # noqa: N802 - Qt's name
            QPainter(self).end()

    w = Painted()
    qtbot.addWidget(w)
    w.resize(40, 40)
    before = sys.getrefcount(None)
    for _ in range(3000):
        w.grab()
        QApplication.processEvents()
    # A healthy binding drifts by a few dozen at most (caches); the 6.12.0 bug loses ~1 per call.
    assert sys.getrefcount(None) - before > -500
