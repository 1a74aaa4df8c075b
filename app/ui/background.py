"""Read what a view shows off the UI thread, so that showing the view never waits for it.

The work opens its own database session (a Session is never shared between threads) and
returns plain data; the result reaches the view through a queued signal, on the UI thread.
Only the latest request counts: the result of an older one, overtaken by a newer request or
by a direct reload, is dropped.
"""

import atexit
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from app.services.errors import UserFacingError

log = logging.getLogger(__name__)

UNEXPECTED = "Erreur inattendue pendant la lecture : le détail est dans le journal."

# Threads still running or not yet collected: a QThread must outlive its run.
_threads: set["_ReadThread"] = set()


class _ReadThread(QThread):
    done = Signal(int, object)  # generation, result
    failed = Signal(int, str)  # generation, French message

    def __init__(self, owner: "BackgroundReader", generation: int, work: Callable[[], Any]) -> None:
        super().__init__()
        self.owner = owner
        self.generation = generation
        self._work = work

    def run(self) -> None:
        try:
            result = self._work()
        except UserFacingError as error:
            self.failed.emit(self.generation, str(error))
        except Exception:
            log.exception("unexpected error while reading in the background")
            self.failed.emit(self.generation, UNEXPECTED)
        else:
            self.done.emit(self.generation, result)


class BackgroundReader(QObject):
    """`start(work)` runs `work()` on a thread; `loaded(result)` or `failed(message)` follow
    on the UI thread, for the latest request only."""

    loaded = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._generation = 0
        self._waiting = False

    @property
    def busy(self) -> bool:
        """Whether the latest request still waits for its result."""
        return self._waiting

    def start(self, work: Callable[[], Any]) -> None:
        self._generation += 1
        self._waiting = True
        thread = _ReadThread(self, self._generation, work)
        thread.done.connect(self._done)
        thread.failed.connect(self._failed)
        _threads.add(thread)
        thread.start()

    def cancel(self) -> None:
        """Drop the result of whatever is running (a direct reload just replaced it)."""
        self._generation += 1
        self._waiting = False

    def wait(self, milliseconds: int = 5000) -> bool:
        """Block until this reader's threads are done (tests, closing); True when they are."""
        return all(t.wait(milliseconds) for t in _live() if t.owner is self)

    def _done(self, generation: int, result: object) -> None:
        _forget_finished()
        if generation == self._generation and self._waiting:
            self._waiting = False
            self.loaded.emit(result)

    def _failed(self, generation: int, message: str) -> None:
        _forget_finished()
        if generation == self._generation and self._waiting:
            self._waiting = False
            self.failed.emit(message)


def _live() -> list[_ReadThread]:
    return [t for t in _threads if not t.isFinished()]


def _forget_finished() -> None:
    for thread in [t for t in _threads if t.isFinished()]:
        thread.wait()
        _threads.discard(thread)


@atexit.register
def _wait_for_every_thread() -> None:
    """Quitting while a reading runs: let it end (a QThread destroyed running aborts)."""
    for thread in list(_threads):
        thread.wait()
