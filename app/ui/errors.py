"""One crash handler: log the traceback, show the user a French dialog, keep running."""

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.logs import log_file_path
from app.services.errors import UserFacingError

log = logging.getLogger(__name__)


def show_error(parent: QWidget | None, message: str, title: str = "Opération refusée") -> None:
    QMessageBox.warning(parent, title, message)


def install_excepthook() -> None:
    sys.excepthook = _excepthook


_showing = [False]


def _excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    if _showing[0]:
        # The same failure repeated while its dialog is open (a table repainting): log only.
        details = "".join(traceback.format_exception(kind, error, tb))
        log.error("error while an error dialog is shown:\n%s", details)
        return
    _showing[0] = True
    try:
        _report(kind, error, tb)
    finally:
        _showing[0] = False


def _report(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    if isinstance(error, UserFacingError):
        show_error(QApplication.activeWindow(), str(error))
        return
    log.error("unhandled error:\n%s", "".join(traceback.format_exception(kind, error, tb)))
    if isinstance(error, OSError):
        text = (
            "Le fichier ou la base de données est inaccessible "
            f"({error.strerror or error}). Vos saisies à l'écran sont conservées : "
            "vérifiez le disque ou le réseau, puis réessayez."
        )
    else:
        text = (
            "Une erreur inattendue s'est produite. L'opération en cours n'a pas été "
            "enregistrée ; vos saisies à l'écran sont conservées.\n\n"
            f"Le détail technique est dans le journal : {log_file_path()}"
        )
    if QApplication.instance() is not None:
        QMessageBox.critical(QApplication.activeWindow(), "Erreur inattendue", text)
