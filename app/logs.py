"""Rotating log file in the user log folder."""

import contextlib
import logging
import tempfile
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app.config import log_dir

LOG_FILE_NAME = "fabrique-accueil.log"


def setup_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        return
    handler = _file_handler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)


def _file_handler() -> logging.Handler:
    """The log in the user log folder, else in the temporary folder; never the terminal."""
    folders = []
    with contextlib.suppress(OSError):
        folders.append(log_dir())
    folders.append(Path(tempfile.gettempdir()))
    for folder in folders:
        try:
            return RotatingFileHandler(
                folder / LOG_FILE_NAME, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
            )
        except OSError:
            continue
    return logging.NullHandler()


def log_file_path() -> str:
    return str(log_dir() / LOG_FILE_NAME)
