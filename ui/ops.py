"""Long work off the GUI thread: one helper for import, export, recompute and demo data
(the pattern of Anki's aqt.operations.CollectionOp / QueryOp).

    Op(parent, lambda progress: create_demo(store, progress=progress)) \\
        .with_progress("Creating demo data") \\
        .success(lambda changes: window.apply_changes(changes)) \\
        .failure(lambda exc: ...)       # optional: default shows the error via ui.errors
        .run()

Rules (the invariants every caller relies on):
- `fn(progress)` runs on a worker thread (QThreadPool). It must never touch widgets; it receives a
  `QtProgress`, which implements the core's Progress protocol (set_status, set_progress, cancelled).
- The success callback gets fn's return value, the failure callback the exception; both run on the
  GUI thread, after the progress dialog has closed. `kpidesk.errors.Cancelled` goes to the failure
  callback too (the default one shows nothing for it).
- The progress dialog appears only if the work takes longer than SHOW_AFTER_MS (600 ms); its Cancel
  button, Esc or closing it ask the work to stop (`progress.cancelled()` becomes True: the core
  decides when to stop and must leave the database as it was).
- Progress is forwarded to the GUI only when it changes by at least 1 %.
- Never start an op from another op's callback; a closing screen calls `op.cancel()` then `op.wait()`.
- `finished` is emitted last, after the callbacks (tests wait on it with qtbot.waitSignal).
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ui.errors import show_error

T = TypeVar("T")
SHOW_AFTER_MS = 600
_NEVER_MS = 24 * 3600 * 1000


class QtProgress(QObject):
    """The core's Progress protocol, thread-safe; emits Qt signals received on the GUI thread."""

    status_changed = Signal(str)
    progress_changed = Signal(int, int)  # done, total

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()
        self._last_percent = -1

    # Called from the worker thread -------------------------------------------------------------
    def set_status(self, text: str) -> None:
        self.status_changed.emit(text)

    def set_progress(self, done: int, total: int) -> None:
        percent = int(100 * done / total) if total > 0 else 0
        if percent != self._last_percent:  # at most ~100 signals per op
            self._last_percent = percent
            self.progress_changed.emit(done, total)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # Called from the GUI thread ----------------------------------------------------------------
    def request_cancel(self) -> None:
        self._cancel.set()


class _Signals(QObject):
    done = Signal(bool, object)  # ok, result-or-exception


class _Runner(QRunnable):
    def __init__(self, fn: Callable[[QtProgress], Any], progress: QtProgress, signals: _Signals,
                 returned: threading.Event) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn, self._progress, self._signals, self._returned = fn, progress, signals, returned

    def run(self) -> None:  # worker thread
        try:
            result = self._fn(self._progress)
        except BaseException as exc:  # noqa: BLE001 - handed to the failure callback
            self._signals.done.emit(False, exc)
        else:
            self._signals.done.emit(True, result)
        finally:
            # Set here, not when the queued result reaches the GUI thread: Op.wait() is called on
            # the GUI thread (a dialog closing), which would otherwise wait for itself forever.
            self._returned.set()


class Op(QObject, Generic[T]):
    """One background operation with an optional progress dialog. Build, configure, `run()` once."""

    finished = Signal()
    _running: set["Op[Any]"] = set()  # keeps running ops alive without a Python owner

    def __init__(self, parent: QWidget | None, fn: Callable[[QtProgress], T]) -> None:
        super().__init__(parent)
        self._parent_widget = parent
        self._fn = fn
        self._label: str | None = None
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self.progress = QtProgress()
        self._signals = _Signals()
        self._signals.done.connect(self._on_worker_done, Qt.ConnectionType.QueuedConnection)
        self._dialog: QProgressDialog | None = None
        self._timer: QTimer | None = None
        self._done = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None

    # Configuration ------------------------------------------------------------------------------
    def with_progress(self, label: str) -> "Op[T]":
        self._label = label
        return self

    def success(self, callback: Callable[[T], None]) -> "Op[T]":
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> "Op[T]":
        self._on_failure = callback
        return self

    # Running ------------------------------------------------------------------------------------
    def run(self, pool: QThreadPool | None = None) -> "Op[T]":
        Op._running.add(self)
        if self._label is not None:
            self._make_dialog(self._label)
        (pool or QThreadPool.globalInstance()).start(_Runner(self._fn, self.progress, self._signals, self._done))
        return self

    def cancel(self) -> None:
        self.progress.request_cancel()

    def is_running(self) -> bool:
        return self in Op._running

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the worker has returned (its callbacks still run later, on the event loop)."""
        return self._done.wait(timeout_s)

    @property
    def dialog(self) -> QProgressDialog | None:
        return self._dialog

    # Progress dialog ----------------------------------------------------------------------------
    def _make_dialog(self, label: str) -> None:
        dlg = QProgressDialog(label, "Cancel", 0, 0, self._parent_widget)
        dlg.setWindowTitle("KPI Desk")
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(_NEVER_MS)  # we show it ourselves, after SHOW_AFTER_MS
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.setMinimumWidth(380)
        dlg.canceled.connect(self._on_dialog_canceled)
        self.progress.status_changed.connect(self._on_progress_status)
        self.progress.progress_changed.connect(self._on_progress_changed)
        dlg.hide()
        self._dialog = dlg
        self._timer = QTimer(self, singleShot=True, interval=SHOW_AFTER_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        if self._dialog is not None and self.is_running():
            self._dialog.show()

    def _on_dialog_canceled(self) -> None:
        self.cancel()
        if self._dialog is not None:
            self._dialog.setLabelText("Cancelling…")

    def _on_progress_status(self, text: str) -> None:
        if self._dialog is not None and not self.progress.cancelled():
            self._dialog.setLabelText(text)

    def _on_progress_changed(self, done: int, total: int) -> None:
        if self._dialog is not None:
            self._dialog.setMaximum(max(total, 0))
            self._dialog.setValue(min(done, total) if total > 0 else 0)

    # Completion (GUI thread) --------------------------------------------------------------------
    def _on_worker_done(self, ok: bool, value: object) -> None:
        self._done.set()
        if self._timer is not None:
            self._timer.stop()
        if self._dialog is not None:
            self._dialog.canceled.disconnect(self._on_dialog_canceled)
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None
        try:
            if ok:
                self.result = value  # type: ignore[assignment]
                if self._on_success is not None:
                    self._on_success(value)  # type: ignore[arg-type]
            else:
                self.error = value  # type: ignore[assignment]
                if self._on_failure is not None:
                    self._on_failure(value)  # type: ignore[arg-type]
                else:
                    show_error(self._parent_widget, value)  # type: ignore[arg-type]
        finally:
            Op._running.discard(self)
            self.finished.emit()
