"""Where things live: database URL resolution and the user folders (overridable by env)."""

import os
from pathlib import Path

import platformdirs

from app import APP_SLUG

DB_ENV = "FABRIQUE_DB"
DATA_DIR_ENV = "FABRIQUE_DATA_DIR"
LOG_DIR_ENV = "FABRIQUE_LOG_DIR"


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_SLUG, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    override = os.environ.get(LOG_DIR_ENV)
    path = Path(override) if override else Path(platformdirs.user_log_dir(APP_SLUG, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return data_dir() / "fabrique.sqlite"


def database_url(db: str | None) -> str:
    """`--db` value (a path or a SQLAlchemy URL), else $FABRIQUE_DB, else the user data file."""
    value = db or os.environ.get(DB_ENV) or str(default_database_path())
    if "://" in value:
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())


SETTINGS_DIR_ENV = "FABRIQUE_SETTINGS_DIR"


def settings_dir() -> Path:
    override = os.environ.get(SETTINGS_DIR_ENV)
    path = Path(override) if override else Path(platformdirs.user_config_dir(APP_SLUG, False))
    path.mkdir(parents=True, exist_ok=True)
    return path
