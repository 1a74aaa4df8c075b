"""Save PDF bytes: atomically, never over an existing file by surprise (the folder asked through
app/ui/widgets/file_dialogs.py: the last one used)."""

import contextlib
import re
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox, QWidget

from app.config import settings_dir
from app.errors import UserFacingError, describe_os_error
from app.services.agreements.actions import refuse_unsafe_target, write_pdf_file
from app.ui.widgets.file_dialogs import save_file

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def settings() -> QSettings:
    """The same file as the main window's geometry (app/ui/main_window.py)."""
    return QSettings(str(settings_dir() / "window.ini"), QSettings.Format.IniFormat)


def safe_filename(name: str) -> str:
    """A file name every system accepts (no / \\ : * ? " < > |), ending in .pdf."""
    cleaned = _FORBIDDEN.sub("-", name).strip().rstrip(". ")
    if not cleaned.lower().endswith(".pdf"):
        cleaned = (cleaned or "document") + ".pdf"
    return cleaned


def write_new_pdf(folder: Path, filename: str, data: bytes) -> Path:
    """Write into `folder` under `filename`, or `name (2).pdf`, `name (3).pdf`… if it exists.

    The name is reserved by an exclusive create first, so two writers never share one.
    """
    name = Path(safe_filename(filename))
    for number in range(1, 10_000):
        candidate = folder / (name.name if number == 1 else f"{name.stem} ({number}){name.suffix}")
        try:
            candidate.open("xb").close()
        except FileExistsError:
            continue
        try:
            write_pdf_file(candidate, data)
        except BaseException:
            with contextlib.suppress(OSError):
                candidate.unlink()
            raise
        return candidate
    raise FileExistsError(17, "trop de fichiers du même nom", str(folder / name))


def save_pdf_as(parent: QWidget | None, data: bytes, suggested_filename: str) -> Path | None:
    """Ask where to save, write atomically, remember the folder; None if cancelled or refused."""
    path = save_file(
        parent, "Enregistrer le PDF", safe_filename(suggested_filename), "Documents PDF (*.pdf)"
    )
    if path is None:
        return None
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
    try:
        refuse_unsafe_target(path)  # neither a base nor into the backup folder
    except UserFacingError as error:
        QMessageBox.warning(parent, "Enregistrement refusé", str(error))
        return None
    try:
        write_pdf_file(path, data)
    except OSError as error:
        QMessageBox.warning(
            parent,
            "Enregistrement impossible",
            f"Le PDF n'a pas été enregistré : {describe_os_error(error)}.",
        )
        return None
    return path
