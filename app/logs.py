"""Rotating log file in the user log folder."""

import logging
from logging.handlers import RotatingFileHandler

from app.config import log_dir

LOG_FILE_NAME = "fabrique-accueil.log"


def setup_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        return
    try:
        handler: logging.Handler = RotatingFileHandler(
            log_dir() / LOG_FILE_NAME, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)


def log_file_path() -> str:
    return str(log_dir() / LOG_FILE_NAME)
