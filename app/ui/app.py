"""QApplication set-up: French Qt dialogs, theme, icon, crash handler; then the main window."""

import logging
import sys
from datetime import datetime

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME, APP_SLUG
from app.config import data_dir
from app.errors import UserFacingError
from app.resources_access import resource_path
from app.services.accounts.command_line import DEMO_COORDINATOR
from app.ui.errors import install_excepthook
from app.ui.theme import app_icon, apply_theme
from app.ui.widgets.wheel_guard import install_wheel_guard

log = logging.getLogger(__name__)


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    configure_application(app)
    install_excepthook()
    return app


def configure_application(app: QApplication) -> None:
    """Names, French locale and Qt translations, the wheel guard, theme and icon (no crash
    handler: tests)."""
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_SLUG)
    app.setApplicationDisplayName(APP_NAME)
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    install_french_translations(app)
    install_wheel_guard(app)
    apply_theme(app)
    app.setWindowIcon(app_icon())


def install_french_translations(app: QApplication) -> None:
    """Qt's own French (standard buttons, file and print dialogs), then the app's complement
    for what it leaves in English ("Look in:", "Files of type:"), asked first."""
    qtbase = QTranslator(app)
    translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qtbase.load(QLocale(), "qtbase", "_", translations):
        app.installTranslator(qtbase)
    else:
        log.warning("Qt's French translation not found in %s", translations)
    complement = QTranslator(app)
    if complement.load(str(resource_path("translations", "qtbase_complement_fr.qm"))):
        app.installTranslator(complement)


DEMO_USER = DEMO_COORDINATOR  # the demo's coordinator account (made by seed_demo)


def demo_database_url() -> str:
    """A fresh demo database, seeded, in the user data folder."""
    from app.demo.seed import fill_demo_base
    from app.services.base_access.opening import open_app_database

    folder = data_dir() / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo-{datetime.now():%Y%m%d-%H%M%S}.sqlite"
    url = "sqlite:///" + str(path)
    database = open_app_database(url)
    fill_demo_base(database)
    database.dispose()
    return url


def run_gui(database_url: str | None, *, demo: bool = False) -> int:
    from app.ui.main_window import MainWindow
    from app.ui.sign_in import SignInCancelled

    app = create_application()
    try:
        if demo or database_url is None:
            # A throwaway demo base: signed in as its coordinator, no account to create.
            window = MainWindow.open(demo_database_url(), username=DEMO_USER)
        else:
            window = MainWindow.open(database_url)
    except SignInCancelled:
        return 0
    except UserFacingError as error:
        QMessageBox.critical(None, "Fabrique Accueil ne peut pas démarrer", str(error))
        return 1
    window.show()
    return app.exec()
