"""The one way the window works in the background (in the spirit of Anki's `QueryOp`).

`run_in_background(parent, work, on_success=…)` runs `work(progress)` — a service call,
which opens its own database session — on a thread, and delivers on the UI thread either
`on_success(result)` or `on_failure(message)` with a French message: a `UserFacingError`'s
own text, or a generic one when something unexpected broke (the traceback goes to the log,
never to the user). `progress(done, total)` reports to `on_progress` and returns False once
the operation was cancelled, so long work can stop between two steps.

The operation belongs to `parent`: when the parent widget is destroyed (its view or dialog
closed) the operation is cancelled and its result dropped, so nothing is delivered to a
widget that no longer exists.

`LatestOnly` is for reads that follow what the user does (a list filtered as they type, a
view re-read after each change): only the newest request's result is delivered.

`run_busy(parent, label, work)` is for an action whose end the user waits for (a backup, a
restore, an erasure): the window is blocked meanwhile, a busy dialog shows if it lasts, and
the result (or `Failed` with the French message) is returned to the caller.
"""

import atexit
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QDeadlineTimer, QEventLoop, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app import APP_NAME
from app.services.errors import UserFacingError

log = logging.getLogger(__name__)

T = TypeVar("T")
Progress = Callable[[int, int], bool]

UNEXPECTED = (
    "Erreur inattendue : rien n'a été enregistré. Le détail est dans le journal de l'application."
)

# A quick piece of work never shows run_busy's dialog; a slow disk or USB key does.
BUSY_DELAY_MS = 1500

# Threads still running or not yet collected: a QThread must outlive its run.
_threads: set["_Worker"] = set()


def failure_message(error: BaseException) -> str:
    """What the user reads when work in the background failed."""
    if isinstance(error, UserFacingError):
        return str(error)
    if isinstance(error, OSError):
        return f"Fichier ou base inaccessible : {error.strerror or error}."
    return UNEXPECTED


class _Worker(QThread):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Callable[[Progress], Any]) -> None:
        super().__init__()
        self._work = work
        self.cancelled = threading.Event()

    def _progress(self, done: int, total: int) -> bool:
        if not self.cancelled.is_set():
            self.progressed.emit(done, total)
        return not self.cancelled.is_set()

    def run(self) -> None:
        try:
            result = self._work(self._progress)
        except Exception as error:  # every failure becomes a French message
            if not isinstance(error, UserFacingError):
                log.exception("error in background work")
            self.failed.emit(failure_message(error))
        else:
            self.succeeded.emit(result)


class Operation(QObject, Generic[T]):
    """A running piece of background work; see the module's docstring."""

    finished = Signal()  # after its success or failure was delivered (or it was cancelled)

    def __init__(
        self,
        parent: QObject,
        work: Callable[[Progress], T],
        *,
        on_success: Callable[[T], None],
        on_failure: Callable[[str], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_success = on_success
        self._on_failure = on_failure
        self._on_progress = on_progress
        self._worker = _Worker(work)
        self._worker.succeeded.connect(self._succeeded)
        self._worker.failed.connect(self._failed)
        self._worker.progressed.connect(self._progressed)
        cancelled = self._worker.cancelled
        self.destroyed.connect(lambda *_: cancelled.set())

    @property
    def running(self) -> bool:
        """Until its result was delivered, or it was cancelled."""
        return not self._worker.cancelled.is_set()

    @property
    def cancelled(self) -> bool:
        return self._worker.cancelled.is_set()

    def start(self) -> "Operation[T]":
        _forget_finished()
        _threads.add(self._worker)
        self._worker.start()
        return self

    def cancel(self) -> None:
        """Ask the work to stop (it sees it at its next `progress`) and drop its result."""
        if not self._worker.cancelled.is_set():
            self._worker.cancelled.set()
            self.finished.emit()

    def wait(self, milliseconds: int | None = 5000) -> bool:
        """Block until the thread is done (tests, closing); True when it is. None waits as
        long as it takes (a copy of the base that must end before the base is closed)."""
        if milliseconds is None:
            return self._worker.wait(QDeadlineTimer(QDeadlineTimer.ForeverConstant.Forever))
        return self._worker.wait(milliseconds)

    def _succeeded(self, result: T) -> None:
        if self._worker.cancelled.is_set():
            return
        self._worker.cancelled.set()  # delivered once
        self._on_success(result)
        self.finished.emit()

    def _failed(self, message: str) -> None:
        if self._worker.cancelled.is_set():
            return
        self._worker.cancelled.set()
        if self._on_failure is not None:
            self._on_failure(message)
        else:
            log.warning("background work failed: %s", message)
        self.finished.emit()

    def _progressed(self, done: int, total: int) -> None:
        if self._on_progress is not None and not self._worker.cancelled.is_set():
            self._on_progress(done, total)


def run_in_background(
    parent: QObject,
    work: Callable[[Progress], T],
    *,
    on_success: Callable[[T], None],
    on_failure: Callable[[str], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Operation[T]:
    """Start `work` off the UI thread; see the module's docstring."""
    operation: Operation[T] = Operation(
        parent,
        work,
        on_success=on_success,
        on_failure=on_failure,
        on_progress=on_progress,
    )
    return operation.start()


class LatestOnly(QObject):
    """Reads that follow the user: `start(work)` cancels the previous read; `loaded(result)`
    or `failed(message)` follow on the UI thread for the newest request only."""

    loaded = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._current: Operation[Any] | None = None
        self._all: list[Operation[Any]] = []

    @property
    def busy(self) -> bool:
        """Whether the newest request still waits for its result."""
        return self._current is not None and self._current.running

    def start(self, work: Callable[[], Any]) -> None:
        self.cancel()
        operation: Operation[Any] = Operation(
            self,
            lambda _progress: work(),
            on_success=self.loaded.emit,
            on_failure=self.failed.emit,
        )
        self._current = operation
        self._all = [o for o in self._all if not o._worker.isFinished()] + [operation]
        operation.start()

    def cancel(self) -> None:
        """Drop the result of whatever is running (a direct reload just replaced it)."""
        if self._current is not None:
            self._current.cancel()
        self._current = None

    def wait(self, milliseconds: int = 5000) -> bool:
        """Block until this reader's threads are done (tests, closing); True when they are."""
        return all(o.wait(milliseconds) for o in self._all)


@dataclass(frozen=True)
class Failed:
    """What `run_busy` returns when the work failed: the French message to show."""

    message: str


def run_busy(parent: QWidget, label: str, work: Callable[[], T]) -> T | Failed:
    """Run `work` off the UI thread while the window waits for it: input to `parent`'s window
    is blocked, and a busy dialog saying `label` shows if it lasts more than BUSY_DELAY_MS.
    For actions whose end the user waits for (a backup, a restore, an erasure): returns the
    result, or `Failed` with a French message."""
    outcome: list[T | Failed] = []
    loop = QEventLoop()
    operation: Operation[T] = Operation(
        parent,
        lambda _progress: work(),
        on_success=outcome.append,
        on_failure=lambda message: outcome.append(Failed(message)),
    )
    operation.finished.connect(loop.quit)
    operation.destroyed.connect(loop.quit)  # the window went: stop waiting
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setWindowTitle(APP_NAME)
    dialog.setCancelButton(None)  # a SQLite copy cannot stop midway
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(BUSY_DELAY_MS)
    dialog.setValue(0)  # starts the delay: a progress dialog never shows before a first value
    operation.start()
    loop.exec()  # the outcome comes through a queued signal: only once this loop runs
    dialog.reset()
    dialog.deleteLater()
    if not outcome:  # the window was closed first
        return Failed("L'opération n'a pas abouti. Le détail est dans le journal.")
    operation.deleteLater()
    return outcome[0]


def _forget_finished() -> None:
    for worker in [w for w in _threads if w.isFinished()]:
        worker.wait()
        _threads.discard(worker)


@atexit.register
def _wait_for_every_thread() -> None:
    """Quitting while work runs: let it end (a QThread destroyed running aborts)."""
    for worker in list(_threads):
        worker.wait()
