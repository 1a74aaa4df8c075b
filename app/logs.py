"""Rotating log file in the user log folder, readable by its owner only, without personal data.

What reaches the file is redacted (`redact`): the `[parameters: …]` block SQLAlchemy puts in
its errors (the values of an INSERT or UPDATE: names, birth dates, phones, addresses — the
engines are also created with `hide_parameters=True`, this is the second line of defence),
e-mail addresses, phone numbers and the password of a database URL, in messages and in
formatted tracebacks alike. The log folder is made 0700 and every log file 0600, whatever the
umask, also when they already exist with wider modes.
"""

import contextlib
import io
import logging
import os
import re
import stat
import tempfile
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app import APP_SLUG
from app.config import log_dir

LOG_FILE_NAME = "fabrique-accueil.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FILE_MODE = 0o600
FOLDER_MODE = 0o700

PARAMETERS_HIDDEN = "[parameters: masqués]"
EMAIL_HIDDEN = "[e-mail masqué]"
PHONE_HIDDEN = "[téléphone masqué]"
PASSWORD_HIDDEN = "***"

# SQLAlchemy writes the bound values on one line ("[parameters: ('Dupont', ...)]"; a value's
# line breaks are escaped by repr), the statement itself holds placeholders only.
_PARAMETERS = re.compile(r"\[parameters: [^\n]*")
# Domain labels without "_": backup names such as "fabrique@poste-2026-11-28_1042-…" stay.
_EMAIL = re.compile(r"[\w.%+\-]+@[^\W_](?:[^\W_]|-)*(?:\.[^\W_](?:[^\W_]|-)*)+")
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)[1-9]\d{0,2}[ .\-]?(?:\(0\)[ .\-]?)?\d(?:[ .\-]?\d){5,12}"  # +33 6 12 34 56 78
    r"|0[1-9](?:[ .\-]?\d{2}){4}"  # 06 12 34 56 78, 06.12.34.56.78, 0612345678
    r")(?![\w])"
)
_URL_PASSWORD = re.compile(r"(\b[a-z][\w+.\-]*://[^:/@\s]*:)[^@\s]+@", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` without SQL parameters, e-mail addresses, phone numbers and URL passwords."""
    text = _PARAMETERS.sub(PARAMETERS_HIDDEN, text)
    text = _URL_PASSWORD.sub(rf"\1{PASSWORD_HIDDEN}@", text)
    text = _EMAIL.sub(EMAIL_HIDDEN, text)
    return _PHONE.sub(PHONE_HIDDEN, text)


class RedactingFilter(logging.Filter):
    """Replaces a record's message, traceback and stack by their redacted text, so that no
    formatter or later handler sees the original values. Never refuses a record."""

    _tracebacks = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the message: keep the message alone
            message = f"{record.msg} (arguments illisibles)"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._tracebacks.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactingFormatter(logging.Formatter):
    """The usual line, redacted once more as a whole."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _make_private(path: Path, mode: int) -> None:
    """Set exactly `mode` (owner only) on `path` when it allows more or differs."""
    with contextlib.suppress(OSError):
        if stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log whose files are created 0600 (the umask is not trusted) and whose
    existing files, rotated ones included, are narrowed to 0600 when opened."""

    def __init__(self, filename: Path) -> None:
        super().__init__(
            filename, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=False
        )
        for index in range(1, BACKUP_COUNT + 1):
            rotated = Path(f"{self.baseFilename}.{index}")
            if rotated.exists():
                _make_private(rotated, FILE_MODE)

    def _open(self) -> io.TextIOWrapper:
        path = Path(self.baseFilename)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(path, flags, FILE_MODE)
        try:
            _make_private(path, FILE_MODE)
            return open(descriptor, "a", encoding=self.encoding, errors=self.errors)
        except BaseException:
            os.close(descriptor)
            raise


def setup_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        return
    handler = _file_handler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)


def _private_folder(folder: Path) -> Path:
    """`folder`, created if missing and narrowed to 0700."""
    folder.mkdir(parents=True, exist_ok=True)
    _make_private(folder, FOLDER_MODE)
    return folder


def _file_handler() -> logging.Handler:
    """The log in the user log folder, else in a new private folder of the temporary folder
    (never the shared temporary folder itself); never the terminal."""
    folders: list[Callable[[], Path]] = [
        lambda: _private_folder(log_dir()),
        lambda: Path(tempfile.mkdtemp(prefix=f"{APP_SLUG}-journal-")),
    ]
    for folder in folders:
        try:
            return PrivateRotatingFileHandler(folder() / LOG_FILE_NAME)
        except OSError:
            continue
    return logging.NullHandler()


def log_file_path() -> str:
    return str(log_dir() / LOG_FILE_NAME)
