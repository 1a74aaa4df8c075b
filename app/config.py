"""Where things live: database URL resolution and the user folders (overridable by env)."""

import os
from pathlib import Path

import platformdirs

from app import APP_SLUG

DB_ENV = "FABRIQUE_DB"
DATA_DIR_ENV = "FABRIQUE_DATA_DIR"
LOG_DIR_ENV = "FABRIQUE_LOG_DIR"
SETTINGS_DIR_ENV = "FABRIQUE_SETTINGS_DIR"


def _user_folder(env: str, default: str) -> Path:
    """A user folder, overridable by an environment variable (tests, portable installs)."""
    override = os.environ.get(env)
    path = Path(override) if override else Path(default)
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    return _user_folder(DATA_DIR_ENV, platformdirs.user_data_dir(APP_SLUG, False))


def log_dir() -> Path:
    return _user_folder(LOG_DIR_ENV, platformdirs.user_log_dir(APP_SLUG, False))


def settings_dir() -> Path:
    return _user_folder(SETTINGS_DIR_ENV, platformdirs.user_config_dir(APP_SLUG, False))


def default_database_path() -> Path:
    return data_dir() / "fabrique.sqlite"


def database_url(db: str | None) -> str:
    """`--db` value (a path or a SQLAlchemy URL), else $FABRIQUE_DB, else the user data file."""
    value = db or os.environ.get(DB_ENV) or str(default_database_path())
    if "://" in value:
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())
