"""Run long work off the UI thread; results reach widgets only through signals."""

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal

from app.services.errors import UserFacingError

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], bool]


class TaskThread(QThread):
    """Runs `work(progress)`; `progress(done, total)` returns False once cancel() was asked."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Callable[[ProgressCallback], Any]) -> None:
        super().__init__()
        self._work = work
        self._cancelled = threading.Event()
        self.result: Any = None  # kept so a caller that stopped listening can still see it

    def cancel(self) -> None:
        self._cancelled.set()

    def _progress(self, done: int, total: int) -> bool:
        self.progressed.emit(done, total)
        return not self._cancelled.is_set()

    def run(self) -> None:
        try:
            result = self._work(self._progress)
        except UserFacingError as error:
            self.failed.emit(str(error))
        except OSError as error:
            log.exception("file or database error in a background task")
            self.failed.emit(f"Fichier ou base inaccessible : {error.strerror or error}.")
        except Exception:
            log.exception("unexpected error in a background task")
            self.failed.emit(
                "Erreur inattendue : rien n'a été enregistré. Le détail est dans le journal."
            )
        else:
            self.result = result
            self.succeeded.emit(result)
