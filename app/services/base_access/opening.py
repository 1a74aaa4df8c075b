"""Opening the application's database: clean up, back up, migrate, then seed reference data.

Automatic backups (before a migration, at the window's start, on quit) never stop the app:
a failure is logged and handed to `on_backup_failure` as a French sentence. Before anything,
the temporary copies a killed backup or restore of this base left on this workstation are
removed (`app.storage.backup.remove_debris`).
"""

import contextlib
import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from app.config import backup_dir, data_dir, manual_backup_days
from app.errors import StorageError
from app.services.accounts.management import SignedInAccount
from app.services.base_access import keys as base_keys
from app.services.reference import seed_reference_data
from app.storage import Database, cipher, open_database
from app.storage.backup import (
    REASON_LABELS,
    BackupReason,
    backup_database,
    create_private_database_file,
    prune_backups,
    remove_debris,
)
from app.storage.database import sqlite_path
from app.storage.migrate import current_revision

log = logging.getLogger(__name__)

BackupFailure = Callable[[str], None]
DEMO_FOLDER = "demo"  # where app.ui.app puts the bases made by --demo


def open_app_database(
    url: str,
    today: date | None = None,
    *,
    on_backup_failure: BackupFailure | None = None,
    key: bytes | None = None,
) -> Database:
    """Open the database (a new SQLite file readable by its owner only), migrate, seed.

    A SQLite base is encrypted (`app.services.base_access.keys`): `key` is its data key when a
    password unlocked it; without one, a new base gets one, a base that needs no password
    opens, a protected base raises BaseLocked, and a plain base made before encryption is
    backed up, then encrypted.

    A database that must be migrated is backed up first (unless empty). The window takes its
    start copy itself, off the UI thread (app.ui.maintenance); the command line takes none.
    """
    report = on_backup_failure or _log_only
    path = sqlite_path(url)
    if path is not None:
        _remove_debris(path)
        new_base = _is_new(path)
        with contextlib.suppress(OSError):  # open_database explains what is wrong
            create_private_database_file(path)
        if key is None and (new_base or path.is_file()):  # else opening explains what is wrong
            key = _key_known_here(path) or base_keys.access_without_password(
                path, new_base=new_base
            )
    database = open_database(
        url, key=key, before_migration=lambda opened: _backup_before_migration(opened, report)
    )
    database.after_keys_changed = base_keys.sync_slots
    seed_reference_data(database, today)
    if path is not None and database.key is None:
        _encrypt_plain_base(database, report)
    return database


def open_with_password(
    url: str,
    username: str,
    password: str,
    *,
    on_backup_failure: BackupFailure | None = None,
    now: datetime | None = None,
) -> tuple[Database, SignedInAccount]:
    """Open a base protected by passwords with an account's password, and sign it in.

    SignInRefused (SignInDelayed during a wait) when the password does not unlock it; the
    failure is counted in the key file and journaled at the next successful sign-in.
    """
    path = sqlite_path(url)
    if path is None:
        raise ValueError("only a SQLite base is protected by its key file")
    now = now or datetime.now()
    unlocked = base_keys.unlock(path, username, password, now)
    database = open_app_database(url, key=unlocked.key, on_backup_failure=on_backup_failure)
    try:
        account = base_keys.sign_in(database, username, password, unlocked, now)
    except BaseException:
        database.dispose()
        raise
    return database, account


def open_with_recovery_key(url: str, recovery_key: str) -> Database:
    """Open a protected base with its recovery key (every coordination password forgotten);
    SignInRefused when the key is not this base's."""
    path = sqlite_path(url)
    if path is None:
        raise ValueError("only a SQLite base has a recovery key")
    return open_app_database(url, key=base_keys.unlock_with_recovery_key(path, recovery_key))


def _key_known_here(path: Path) -> bytes | None:
    """The key this process already opened the base with (signed in earlier: a new window on
    the same base, a restore), if it still reads the file."""
    key = cipher.known_key(path)
    return key if key is not None and cipher.opens_with(path, key) else None


def _is_new(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _encrypt_plain_base(database: Database, report: BackupFailure) -> None:
    """A base made before encryption: a backup first, then encrypted (kept plain, and said,
    when the backup fails: nothing is rewritten without a copy)."""
    path = sqlite_path(database.url)
    assert path is not None
    failures: list[str] = []
    if not _is_demo(path):
        automatic_backup(database.url, BackupReason.BEFORE_ENCRYPTION, failures.append)
    if failures:
        for failure in failures:
            report(failure + " La base n'a pas été chiffrée ; elle le sera au prochain démarrage.")
        return
    base_keys.encrypt_plain_base(database)


def automatic_backup(
    url: str,
    reason: BackupReason,
    on_failure: BackupFailure | None = None,
    now: datetime | None = None,
) -> Path | None:
    """A copy in the configured folder, then the rotation; None when none was made.

    Other engines than SQLite are skipped (their administrator backs them up with their own
    tools); any failure is logged and reported, never raised.
    """
    path = sqlite_path(url)
    if path is None:
        log.info("no automatic backup of a non-SQLite database")
        return None
    if _is_demo(path):
        return None
    now = now or datetime.now()
    folder = backup_dir()
    try:
        copy = backup_database(url, folder, reason=reason, now=now)
    except StorageError as error:
        log.warning("automatic backup (%s) failed: %s", reason.value, error)
        (on_failure or _log_only)(_failure_message(reason, str(error)))
        return None
    except Exception:
        log.exception("automatic backup (%s) failed", reason.value)
        (on_failure or _log_only)(
            _failure_message(reason, "erreur inattendue, le détail est dans le journal.")
        )
        return None
    prune_backups(folder, now, base=path.stem, manual_days=manual_backup_days())
    return copy


def _remove_debris(path: Path) -> None:
    """Leftovers of a killed backup or restore (whole copies of the base); never raises."""
    try:
        removed = remove_debris(path, backup_dir())
    except Exception:
        log.exception("leftovers of interrupted backups not removed")
        return
    for each in removed:
        log.info("leftover of an interrupted backup or restore removed: %s", each.name)


def _is_demo(path: Path) -> bool:
    """Throwaway demo bases (`--demo`, in the data folder's demo/) are not backed up."""
    try:
        return path.resolve().parent == (data_dir() / DEMO_FOLDER).resolve()
    except OSError:
        return False


def _backup_before_migration(database: Database, report: BackupFailure) -> None:
    if current_revision(database.engine) is None:
        return  # a new, empty database: nothing to keep
    automatic_backup(database.url, BackupReason.MIGRATION, report)


def _failure_message(reason: BackupReason, detail: str) -> str:
    return f"Sauvegarde automatique ({REASON_LABELS[reason]}) non faite : {detail}"


def _log_only(message: str) -> None:
    log.warning("%s", message)
