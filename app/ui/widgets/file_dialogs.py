"""Every file dialog of the app: Qt's own dialog (French through the app's qtbase translation,
whatever the system's), opening in the last folder used, else the user's Documents folder.

The system's native dialog is not used: it follows the system's language, not the app's, and
opened in the program's folder when given no start folder.
"""

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from app.config import settings_dir

LAST_FOLDER_KEY = "files/lastFolder"
_OLDER_KEY = "printing/lastFolder"  # the PDF folder remembered before every dialog shared one
OPTIONS = QFileDialog.Option.DontUseNativeDialog


def window_settings() -> QSettings:
    """The same file as the main window's geometry (app/ui/main_window.py)."""
    return QSettings(str(settings_dir() / "window.ini"), QSettings.Format.IniFormat)


def documents_folder() -> Path:
    """The user's Documents folder; their home folder when there is none."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if location and Path(location).is_dir():
        return Path(location)
    return Path.home()


def last_folder() -> Path:
    """Where the next dialog opens: the last folder used if it still exists, else Documents."""
    store = window_settings()
    for key in (LAST_FOLDER_KEY, _OLDER_KEY):
        value = store.value(key)
        if isinstance(value, str) and value and Path(value).is_dir():
            return Path(value)
    return documents_folder()


def remember_folder(folder: Path) -> None:
    store = window_settings()
    store.setValue(LAST_FOLDER_KEY, str(folder))
    store.sync()


def open_file(
    parent: QWidget | None, title: str, filters: str, *, start: Path | None = None
) -> Path | None:
    """The file the user chose to open; None if cancelled. `filters` as Qt writes them:
    "Fichiers CSV (*.csv);;Tous les fichiers (*)". `start` overrides the last folder."""
    chosen, _filter = QFileDialog.getOpenFileName(
        parent, title, str(start or last_folder()), filters, "", OPTIONS
    )
    return _chosen(chosen)


def save_file(
    parent: QWidget | None,
    title: str,
    suggested_name: str,
    filters: str,
    *,
    start: Path | None = None,
) -> Path | None:
    """Where the user chose to save, `suggested_name` proposed; None if cancelled.

    The dialog itself asks before replacing an existing file."""
    folder = start or last_folder()
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, title, str(folder / suggested_name), filters, "", OPTIONS
    )
    return _chosen(chosen)


def choose_folder(parent: QWidget | None, title: str, *, start: Path | None = None) -> Path | None:
    """The folder the user chose; None if cancelled."""
    chosen = QFileDialog.getExistingDirectory(
        parent, title, str(start or last_folder()), OPTIONS | QFileDialog.Option.ShowDirsOnly
    )
    if not chosen:
        return None
    folder = Path(chosen)
    remember_folder(folder)
    return folder


def _chosen(chosen: str) -> Path | None:
    if not chosen:
        return None
    path = Path(chosen)
    remember_folder(path.parent)
    return path
