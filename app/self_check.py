"""`--self-check --db DEMO`: what the packaging smoke tests (tests/smoke) run inside an
installed application or a standalone bundle, where no test code can be imported.

On a demo base (made by `seed-demo`), it renders a batch of conventions by worker processes
(a bundle starts them through multiprocessing.freeze_support, and they need the fonts and
clause templates shipped with the package), then opens the window, shows every view and
closes it. Run it with QT_QPA_PLATFORM=offscreen where there is no screen.
"""

import logging
import sys
from datetime import date

from sqlalchemy import select

from app.domain import Agreement
from app.domain.plural import plural
from app.resources_access import resources_root
from app.services.base_access.demo_mark import is_demo_base
from app.services.base_access.opening import open_app_database
from app.services.errors import UserFacingError
from app.storage import Database

log = logging.getLogger(__name__)

WORKERS = 2


class _ErrorsSeen(logging.Handler):
    """Counts what is logged as an error: a batch logs, rather than raises, a broken pool
    (it then renders in this process) and a document that failed."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def run(url: str) -> int:
    print(f"Fichiers de l'application lus dans : {resources_root()}")
    database = open_app_database(url)
    try:
        with database.session(commit=False) as session:
            if not is_demo_base(session):
                raise UserFacingError(
                    "La vérification ne se fait que sur une base de démonstration "
                    "(créée par seed-demo)."
                )
            agreement_id = session.scalar(
                select(Agreement.id).where(Agreement.number.is_not(None)).order_by(Agreement.id)
            )
        if agreement_id is None:
            raise UserFacingError("La base de démonstration n'a aucune convention numérotée.")
        _check_batch(database, agreement_id)
    finally:
        database.dispose()
    _check_window(url)
    print("Vérification terminée : tout fonctionne.")
    return 0


def _check_batch(database: Database, agreement_id: int) -> None:
    from app.services.agreements import documents as agreement_documents
    from app.services.agreements.documents import DocumentKind, render_documents

    count = agreement_documents.PARALLEL_FROM  # enough for worker processes
    errors = _ErrorsSeen()
    logging.getLogger().addHandler(errors)
    try:
        documents = list(
            render_documents(
                database,
                [agreement_id] * count,
                DocumentKind.CONVENTION,
                today=date.today(),
                workers=WORKERS,
            )
        )
    finally:
        logging.getLogger().removeHandler(errors)
    rendered = sum(1 for d in documents if d.pdf is not None and d.pdf.startswith(b"%PDF-"))
    if errors.count or rendered != count:
        raise UserFacingError(
            f"{rendered} sur {plural(count, 'convention produite')} par {WORKERS} processus "
            "(le détail est dans le journal)."
        )
    print(f"{count} conventions produites par {WORKERS} processus.")


def _check_window(url: str) -> None:
    from PySide6.QtWidgets import QApplication

    from app.ui.app import DEMO_USER, configure_application
    from app.ui.main_window import VIEW_NAMES, MainWindow

    existing = QApplication.instance()
    application = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    configure_application(application)  # no crash dialog: a failure must end the check
    window = MainWindow.open(url, username=DEMO_USER)
    window.show()
    for name in VIEW_NAMES:
        window.show_view(name)
        application.processEvents()
    window.close()
    application.processEvents()
    if window.isVisible():
        raise UserFacingError("La fenêtre ne s'est pas fermée.")
    print(f"Fenêtre ouverte, {len(VIEW_NAMES)} vues affichées, fenêtre fermée.")
