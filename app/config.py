"""Where things live: database URL resolution and the user folders (overridable by env).

Machine-level choices (the backup folder, which may be a USB key of this workstation) live in
`settings.json` in the settings folder; settings shared by every workstation live in the
database.
"""

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

from app import APP_SLUG

DB_ENV = "FABRIQUE_DB"
DATA_DIR_ENV = "FABRIQUE_DATA_DIR"
LOG_DIR_ENV = "FABRIQUE_LOG_DIR"
SETTINGS_DIR_ENV = "FABRIQUE_SETTINGS_DIR"
BACKUP_DIR_ENV = "FABRIQUE_BACKUP_DIR"

SETTINGS_FILE = "settings.json"
BACKUP_DIR_KEY = "backup_dir"
DEFAULT_BACKUP_FOLDER = "sauvegardes"
MANUAL_BACKUP_DAYS_KEY = "manual_backup_days"
# How long manual backups are kept before the rotation removes them (app.storage.backup).
DEFAULT_MANUAL_BACKUP_DAYS = 90
MIN_MANUAL_BACKUP_DAYS, MAX_MANUAL_BACKUP_DAYS = 1, 3650

log = logging.getLogger(__name__)


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


# ---------------------------------------------------------------- machine settings (JSON)


def settings_file() -> Path:
    return settings_dir() / SETTINGS_FILE


def read_settings() -> dict[str, Any]:
    """The machine settings; a missing or unreadable file gives the defaults (logged)."""
    path = settings_file()
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("settings file %s ignored: %s", path, error)
        return {}
    return content if isinstance(content, dict) else {}


def write_setting(key: str, value: Any) -> None:
    """Set one machine setting (None removes it), keeping the others; written atomically."""
    settings = read_settings()
    if value is None:
        settings.pop(key, None)
    else:
        settings[key] = value
    path = settings_file()
    handle, temporary = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(settings, stream, ensure_ascii=False, indent=2)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- backups


def default_backup_dir() -> Path:
    return data_dir() / DEFAULT_BACKUP_FOLDER


def backup_dir() -> Path:
    """Where backups go: $FABRIQUE_BACKUP_DIR, else the chosen folder, else the data folder's.

    Not created here: a chosen folder on a USB key that is not plugged in must stay missing
    (the backup then fails with a French reason) rather than be created on the local disk.
    """
    override = os.environ.get(BACKUP_DIR_ENV)
    if override:
        return Path(override).expanduser()
    chosen = read_settings().get(BACKUP_DIR_KEY)
    if isinstance(chosen, str) and chosen.strip():
        return Path(chosen).expanduser()
    return default_backup_dir()


def set_backup_dir(path: Path | None) -> None:
    """Remember the backup folder of this workstation; None (or the default) forgets it."""
    if path is None or Path(path).expanduser().resolve() == default_backup_dir().resolve():
        write_setting(BACKUP_DIR_KEY, None)
        return
    write_setting(BACKUP_DIR_KEY, str(Path(path).expanduser().resolve()))


def backup_dir_forced_by_environment() -> bool:
    return bool(os.environ.get(BACKUP_DIR_ENV))


def manual_backup_days() -> int:
    """Days a manual backup of this workstation is kept (the default when unset or invalid)."""
    chosen = read_settings().get(MANUAL_BACKUP_DAYS_KEY)
    if (
        isinstance(chosen, int)
        and not isinstance(chosen, bool)
        and MIN_MANUAL_BACKUP_DAYS <= chosen <= MAX_MANUAL_BACKUP_DAYS
    ):
        return chosen
    if chosen is not None:
        log.warning("manual backup retention %r ignored", chosen)
    return DEFAULT_MANUAL_BACKUP_DAYS


def set_manual_backup_days(days: int | None) -> None:
    """Remember how many days manual backups are kept; None (or the default) forgets it.

    ValueError outside 1 to 3650 days.
    """
    if days is not None and not MIN_MANUAL_BACKUP_DAYS <= days <= MAX_MANUAL_BACKUP_DAYS:
        raise ValueError(f"manual backup retention out of range: {days}")
    write_setting(MANUAL_BACKUP_DAYS_KEY, None if days == DEFAULT_MANUAL_BACKUP_DAYS else days)
