"""Reads for the dashboard off the GUI thread, newest request wins.

    loader = Loader(self)
    loader.request(lambda progress: dashboard_cards(store, scope), self._on_cards_ready)

Rules: `fn` runs on the loader's own one-thread pool (requests run in order, one at a time, so a
flurry of clicks never piles up threads on the database) and never touches widgets. Only the
result of the latest request reaches its callback, on the GUI thread; older ones are dropped
(their work is asked to stop through the progress object). Errors go to ui.errors.show_error.
`idle` is emitted when no request is left running (tests wait on it; no sleeps).
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from ui.errors import show_error
from ui.ops import Op, QtProgress


class Loader(QObject):
    idle = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._widget = parent
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._generation = 0
        self._ops: list[Op[Any]] = []

    def request(self, fn: Callable[[QtProgress], Any], callback: Callable[[Any], None]) -> None:
        self._generation += 1
        gen = self._generation
        for op in self._ops:
            op.cancel()

        def on_success(result: Any) -> None:
            if gen == self._generation:
                callback(result)

        def on_failure(exc: BaseException) -> None:
            if gen == self._generation:
                show_error(self._widget, exc)

        op: Op[Any] = Op(self._widget, fn).success(on_success).failure(on_failure)
        op.finished.connect(lambda op=op: self._on_op_finished(op))
        self._ops.append(op)
        op.run(self._pool)

    def background(self, fn: Callable[[QtProgress], Any]) -> None:
        """Queue work whose result nobody waits for (reading ahead into a cache); the next
        `request` asks it to stop, and it runs after the requests queued before it."""
        def work(progress: QtProgress) -> bool:
            fn(progress)
            return True  # never hand None through a queued signal: PySide6 mis-counts its references

        op: Op[Any] = Op(self._widget, work).failure(lambda _exc: None)
        op.finished.connect(lambda op=op: self._on_op_finished(op))
        self._ops.append(op)
        op.run(self._pool)

    def busy(self) -> bool:
        return bool(self._ops)

    def shutdown(self) -> None:
        """Cancel and wait for the running work (before the Store closes)."""
        for op in self._ops:
            op.cancel()
        self._pool.waitForDone()

    def _on_op_finished(self, op: Op[Any]) -> None:
        if op in self._ops:
            self._ops.remove(op)
        if not self._ops:
            self.idle.emit()
