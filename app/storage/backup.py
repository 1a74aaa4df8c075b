"""Consistent copies of a SQLite database, their rotation, and restoring one. Imports no Qt.

A copy is taken with SQLite's online backup API (`sqlite3.Connection.backup`), never by
copying the file: the API reads one consistent snapshot even while another connection writes,
and includes what is still in the WAL. Copies are written under a temporary name, flushed to
disk, then renamed, so a copy that exists is whole. They are single files (journal mode
DELETE), readable by their owner only, named `<base>@<poste>-AAAA-MM-JJ_HHMM-<raison>.sqlite`:
the workstation (`poste`, its host name folded to `a-z 0-9 -`) keeps apart the copies that
several workstations write into one shared folder. Names without a workstation
(`<base>-AAAA-MM-JJ_HHMM-<raison>.sqlite`, written by earlier versions) are still read.

Temporary files carry the workstation and the process id, so that two copies started in the
same minute, or on two workstations, never share one: `.<copie>.<pid>.partial` in the backup
folder, `.<base>.<poste>.<pid>.restauration.partial` next to the base for a restore. They are
removed when their work fails, and at the next start (`remove_debris`) once the process that
wrote them is gone.

Rotation (`prune_backups`), per database name and workstation within a folder (the copies of
another workstation are never touched; names without a workstation form one group):
- the 10 most recent start copies (`demarrage`) are kept, however old;
- the most recent automatic copy of each of the last 30 days is kept;
- pre-migration and pre-restore copies (`migration`, `avant-restauration`) are kept 30 days;
- manual copies (`manuelle`) are kept `manual_days` days (a setting of the workstation, 90 by
  default), so that data erased from the base does not stay in them for ever;
- the most recent copy is always kept; files whose name is not a backup's are never touched.

Restoring checks the copy first, opened hardened and with a time limit on every check
(`app.storage.untrusted`): its schema must be exactly the one the migrations give its
revision, then its integrity and references.
"""

import contextlib
import logging
import os
import re
import shutil
import socket
import stat
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.domain.plural import plural
from app.errors import StorageError, describe_os_error
from app.storage import cipher, key_file
from app.storage.database import sqlite_path
from app.storage.durable import fsync_file, fsync_folder
from app.storage.untrusted import (
    LONG_CHECK_SECONDS,
    QUICK_CHECK_SECONDS,
    SchemaObject,
    TooSlow,
    UntrustedCopy,
    describe_differences,
    migrated_schema,
    open_untrusted,
    read_schema,
    schema_differences,
)

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
SUFFIX = ".sqlite"
PARTIAL_SUFFIX = ".partial"
RESTORE_MARK = ".restauration"
COMPANION_SUFFIXES = ("-journal", "-wal", "-shm")
KEPT_STARTS = 10
KEPT_DAYS = 30
KEPT_MANUAL_DAYS = 90  # default of the workstation's setting (app.config)
STALE_PARTIAL = timedelta(days=1)
DEFAULT_WORKSTATION = "poste"
WORKSTATION_MAX_LENGTH = 40
# Temporary files older than this moment were left by an earlier run (or another process).
PROCESS_STARTED = time.time()
BUSY_TIMEOUT_S = 5.0
FILE_MODE = 0o600
FOLDER_MODE = 0o700

NOT_SQLITE_REFUSAL = (
    "La sauvegarde intégrée ne concerne que les bases SQLite ; pour PostgreSQL utiliser "
    "pg_dump (et pg_restore pour restaurer)."
)


class BackupReason(StrEnum):
    START = "demarrage"
    QUIT = "fermeture"
    MIGRATION = "migration"
    MANUAL = "manuelle"
    BEFORE_RESTORE = "avant-restauration"
    BEFORE_ENCRYPTION = "avant-chiffrement"


KEPT_30_DAYS = (BackupReason.MIGRATION, BackupReason.BEFORE_RESTORE, BackupReason.BEFORE_ENCRYPTION)

REASON_LABELS = {
    BackupReason.START: "au démarrage",
    BackupReason.QUIT: "à la fermeture",
    BackupReason.MIGRATION: "avant une mise à jour de la base",
    BackupReason.MANUAL: "manuelle",
    BackupReason.BEFORE_RESTORE: "avant une restauration",
    BackupReason.BEFORE_ENCRYPTION: "avant le chiffrement de la base",
}

_REASONS = "|".join(re.escape(r.value) for r in BackupReason)
_NAME = re.compile(
    r"^(?P<base>.+?)(?:@(?P<workstation>[a-z0-9-]+))?-(?P<day>\d{4}-\d{2}-\d{2})_(?P<time>\d{4})-"
    r"(?P<reason>" + _REASONS + r")(?:-(?P<rank>\d+))?" + re.escape(SUFFIX) + "$"
)


def workstation_name() -> str:
    """This workstation's name as backup names carry it: its host name, lower case, letters
    without accents, digits and dashes only (« PC-Accueil.local » gives « pc-accueil-local »)."""
    try:
        host = socket.gethostname()
    except OSError:
        host = ""
    return sanitise_workstation(host)


def sanitise_workstation(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    unaccented = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = re.sub(r"[^a-z0-9]+", "-", unaccented.lower()).strip("-")
    return folded[:WORKSTATION_MAX_LENGTH].strip("-") or DEFAULT_WORKSTATION


@dataclass(frozen=True)
class BackupFile:
    path: Path
    base: str
    taken_at: datetime
    reason: BackupReason
    workstation: str | None = None  # None: a name written before names carried it

    def describe(self) -> str:
        """« du 29/11/2026 à 08:12 (au démarrage) »"""
        return f"du {self.taken_at:%d/%m/%Y à %H:%M} ({REASON_LABELS[self.reason]})"


def parse_backup_name(path: Path) -> BackupFile | None:
    """What a backup's file name says; None for any other file."""
    match = _NAME.match(path.name)
    if match is None:
        return None
    try:
        taken_at = datetime.strptime(f"{match['day']} {match['time']}", "%Y-%m-%d %H%M")
    except ValueError:
        return None
    return BackupFile(
        path, match["base"], taken_at, BackupReason(match["reason"]), match["workstation"]
    )


def backup_name(
    base: str, workstation: str, taken_at: datetime, reason: BackupReason, rank: int = 1
) -> str:
    """« fabrique@pc-accueil-2026-11-29_0812-demarrage.sqlite » (« …-demarrage-2… » after)."""
    stem = f"{base}@{workstation}-{taken_at:%Y-%m-%d_%H%M}-{reason.value}"
    return f"{stem}{'' if rank == 1 else f'-{rank}'}{SUFFIX}"


def describe_backup_file(path: Path) -> str:
    """The date a copy was taken, in French, from its name or else from the file's date."""
    return describe_dated_file(path, parse_backup_name(path))


def describe_dated_file(path: Path, parsed: BackupFile | None) -> str:
    """What its name says of a copy (`parsed`), or else the file's own date, in French."""
    if parsed is not None:
        return parsed.describe()
    try:
        modified = datetime.fromtimestamp(path.stat().st_mtime)
    except OSError:
        return f"« {path.name} »"
    return f"du fichier « {path.name} », modifié le {modified:%d/%m/%Y à %H:%M}"


def list_backups(folder: Path, base: str | None = None) -> list[BackupFile]:
    """The backups in `folder` (of database `base` if given), most recent first."""
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return []
    found = [parsed for entry in entries if (parsed := parse_backup_name(entry)) is not None]
    if base is not None:
        found = [backup for backup in found if backup.base == base]
    return sorted(found, key=lambda backup: (backup.taken_at, backup.path.name), reverse=True)


@dataclass(frozen=True)
class HeldCopy:
    """A backup that holds given rows; `certain` is False for a copy that could not be read
    (damaged, or written with another key) and may hold them."""

    backup: BackupFile
    certain: bool = True


def copies_holding(
    folder: Path,
    base: str,
    table: str,
    column: str,
    values: Sequence[str],
    *,
    since: datetime | None = None,
    key: bytes | None = None,
) -> list[HeldCopy]:
    """The backups of `base` in `folder`, whichever workstation wrote them, whose `table` has a
    row whose `column` is one of `values`, most recent first. Each copy is opened hardened and
    read-only, with a time limit; one that cannot be read is listed as uncertain when it was
    taken after `since`. `key`: the base's data key (its copies are encrypted with it).
    Never raises."""
    if not values:
        return []
    marks = ", ".join("?" for _value in values)
    query = f'SELECT 1 FROM "{table}" WHERE "{column}" IN ({marks}) LIMIT 1'
    held: list[HeldCopy] = []
    for backup in list_backups(folder, base):
        try:
            with open_untrusted(backup.path, _key_opening(backup.path, key)) as copy:
                rows = copy.query(query, list(values), seconds=QUICK_CHECK_SECONDS)
        except (*cipher.error_types(), TooSlow, OSError) as error:  # type: ignore[misc]
            log.info("backup %s not searched: %s", backup.path.name, error)
            if since is None or backup.taken_at >= since:
                held.append(HeldCopy(backup, certain=False))
            continue
        if rows:
            held.append(HeldCopy(backup))
    return held


# ---------------------------------------------------------------- taking a copy


def database_file(url_or_path: str | Path) -> Path:
    """The SQLite file behind a URL or a path; a French refusal for any other database."""
    if isinstance(url_or_path, Path) or "://" not in url_or_path:
        return Path(url_or_path).expanduser()
    path = sqlite_path(url_or_path)
    if path is None:
        raise StorageError(NOT_SQLITE_REFUSAL)
    return path


def backup_database(
    url_or_path: str | Path,
    folder: Path,
    *,
    reason: BackupReason | str,
    now: datetime | None = None,
    workstation: str | None = None,
) -> Path:
    """Write a consistent copy of the database into `folder`; returns the copy's path.

    The copy is written under a temporary name of this process (`.<copie>.<pid>.partial`),
    removed with its journal whatever stops the copy, then renamed to a name no other copy
    has, so a killed copy's leftovers never block the next one.
    """
    reason = BackupReason(reason)
    source = database_file(url_or_path)
    _require_database_file(source, "La base à sauvegarder")
    key = _key_of_base(source)
    folder = prepare_backup_folder(folder)
    workstation = sanitise_workstation(workstation or workstation_name())
    taken_at = now or datetime.now()
    partial: Path | None = None
    try:
        target, partial = _reserve_name(folder, source.stem, workstation, taken_at, reason)
        with _connect(source, mode="rw", key=key) as origin, _connect(partial, key=key) as copy:
            origin.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
        fsync_file(partial)
        target = _publish(partial, target)
        key_file.copy_key_file(source, target)
        fsync_folder(folder)
    except cipher.error_types() as error:
        log.warning("backup of %s failed: %s", source, error)
        raise StorageError(
            f"La sauvegarde de « {source} » a échoué : {_sqlite_reason(error)}."
        ) from error
    except OSError as error:
        log.warning("backup of %s failed: %s", source, error)
        raise StorageError(
            f"La sauvegarde n'a pas pu être écrite dans « {folder} » : {describe_os_error(error)}."
        ) from error
    finally:
        if partial is not None:
            _remove_database_files(partial)  # gone once renamed; its journal, if any
    log.info("backup %s written (%s)", target, reason.value)
    return target


def _partial_of(target: Path) -> Path:
    """This process's temporary file for the copy `target`."""
    return target.with_name(f".{target.name}.{os.getpid()}{PARTIAL_SUFFIX}")


def _being_written(target: Path) -> bool:
    """Whether some process writes (or a killed one left) a copy meant for `target`."""
    try:
        return any(target.parent.glob(f".{_glob_escape(target.name)}.*{PARTIAL_SUFFIX}"))
    except OSError:
        return False


def _glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _reserve_name(
    folder: Path, base: str, workstation: str, taken_at: datetime, reason: BackupReason
) -> tuple[Path, Path]:
    """A free final name and this process's temporary file for it, created (owner only)."""
    rank = 1
    while True:
        target = folder / backup_name(base, workstation, taken_at, reason, rank)
        rank += 1
        if target.exists() or _being_written(target):
            continue
        partial = _partial_of(target)
        try:
            _create_private_file(partial)
        except FileExistsError:
            continue
        return target, partial


def _publish(partial: Path, target: Path) -> Path:
    """Rename the finished copy to `target`, or to the next free name if one appeared."""
    parsed = parse_backup_name(target)
    rank = 2
    while target.exists() and parsed is not None:
        target = target.with_name(
            backup_name(
                parsed.base,
                parsed.workstation or DEFAULT_WORKSTATION,
                parsed.taken_at,
                parsed.reason,
                rank,
            )
        )
        rank += 1
    os.replace(partial, target)
    return target


def prepare_backup_folder(folder: Path) -> Path:
    """The backup folder, created (owner only) if missing; its parent must exist.

    Never creates parents: a USB key that is not plugged in must not become a folder on the
    local disk.
    """
    folder = Path(folder).expanduser()
    try:
        if not folder.exists():
            folder.mkdir(mode=FOLDER_MODE)
            _make_private(folder, FOLDER_MODE)
        elif not folder.is_dir():
            raise StorageError(
                f"Le dossier des sauvegardes « {folder} » est un fichier, pas un dossier."
            )
    except FileNotFoundError as error:
        raise StorageError(
            f"Le dossier des sauvegardes « {folder} » est introuvable "
            "(clé USB ou disque débranché ?) : choisissez-en un autre ou rebranchez le support."
        ) from error
    except OSError as error:
        raise StorageError(
            f"Le dossier des sauvegardes « {folder} » ne peut pas être créé : "
            f"{describe_os_error(error)}."
        ) from error
    if not os.access(folder, os.W_OK):
        raise StorageError(
            f"Le dossier des sauvegardes « {folder} » est en lecture seule : "
            "choisissez un dossier où vous pouvez écrire."
        )
    return folder


def create_private_database_file(path: Path) -> None:
    """Create an empty database file readable by its owner only, if none exists.

    SQLite gives its -wal and -shm files the mode of the database file, so they follow.
    """
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        _create_private_file(path)


def _create_private_file(path: Path) -> None:
    handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    os.close(handle)
    _make_private(path, FILE_MODE)


def _make_private(path: Path, mode: int) -> None:
    """Owner-only rights whatever the umask (no-op where the file system has no modes)."""
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.chmod(path, mode)


@contextlib.contextmanager
def _connect(path: Path, mode: str | None = None, *, key: bytes | None) -> Iterator[Any]:
    """A connection keyed with `key` (None: plain; mode "ro"/"rw" never creates the file),
    always closed."""
    if mode is None:
        connection = cipher.connect(path, key, timeout=BUSY_TIMEOUT_S)
    else:
        uri = f"{path.resolve().as_uri()}?mode={mode}"
        connection = cipher.connect(uri, key, uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        yield connection
    finally:
        connection.close()


def _key_of_base(path: Path) -> bytes | None:
    """The data key of a base this process opened; a French refusal for an encrypted base
    it did not (its key is unknown here: sign in on it first)."""
    key = cipher.known_key(path)
    if key is None and not cipher.is_plain_sqlite(path) and path.stat().st_size > 0:
        key = _open_slot_key(path)
    if key is None and not cipher.is_plain_sqlite(path) and path.stat().st_size > 0:
        raise StorageError(
            f"La base « {path} » est chiffrée et n'a pas été ouverte par cette commande : "
            "connectez-vous d'abord (--user)."
        )
    return key


def _open_slot_key(path: Path) -> bytes | None:
    """The data key of a base no password protects yet (its key file's open slot)."""
    try:
        keys = key_file.read_key_file(path)
    except StorageError:
        return None
    for slot in keys.of_kind(key_file.OPEN) if keys is not None else []:
        opened = slot.unwrap(None)
        if opened is not None and cipher.opens_with(path, opened):
            return opened
    return None


def _key_opening(copy: Path, key: bytes | None) -> bytes | None:
    """Which key reads `copy`: none for a plain copy, else `key`, else the open slot of the
    copy's own key file (a copy made before a password protected the base); `key` when none
    does (the copy then reads as unusable)."""
    if cipher.is_plain_sqlite(copy):
        return None
    if key is not None and cipher.opens_with(copy, key):
        return key
    return _open_slot_key(copy) or key


def _require_database_file(path: Path, what: str) -> None:
    try:
        if not path.exists():
            raise StorageError(f"{what} « {path} » n'existe pas.")
        if path.is_dir():
            raise StorageError(f"{what} « {path} » est un dossier, pas un fichier de base.")
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise StorageError(
            f"{what} « {path} » est illisible : {describe_os_error(error)}."
        ) from error
    encrypted = cipher.known_key(path) is not None or key_file.key_file_path(path).exists()
    if header and header != SQLITE_HEADER and not encrypted:
        raise StorageError(f"{what} « {path} » n'est pas une base SQLite.")


def _sqlite_reason(error: Exception) -> str:
    text = str(error).lower()
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return "le fichier est endommagé ou n'est pas une base SQLite"
    if "locked" in text or "busy" in text:
        return "la base est occupée par un autre programme, réessayez dans un instant"
    if "readonly" in text or "read-only" in text:
        return "écriture refusée (support en lecture seule)"
    if "full" in text:
        return "le disque est plein"
    if "unable to open" in text:
        return "le fichier ne peut pas être ouvert (chemin, support ou droits)"
    return "la base ne répond pas normalement, le détail est dans le journal"


# ---------------------------------------------------------------- rotation


def prune_backups(
    folder: Path,
    now: datetime,
    *,
    base: str | None = None,
    workstation: str | None = None,
    manual_days: int = KEPT_MANUAL_DAYS,
) -> list[Path]:
    """Apply the rotation of the module docstring to this workstation's copies (of `base`, or
    of every base) and to the copies named without a workstation; returns the files removed.
    Never raises."""
    folder = Path(folder)
    workstation = sanitise_workstation(workstation or workstation_name())
    removed: list[Path] = []
    groups: dict[tuple[str, str | None], list[BackupFile]] = {}
    for backup in list_backups(folder, base):
        if backup.workstation in (None, workstation):
            groups.setdefault((backup.base, backup.workstation), []).append(backup)
    for own in groups.values():
        keep = _kept(own, now, manual_days)
        for backup in own:
            if backup.path not in keep and _remove(backup.path):
                removed.append(backup.path)
    removed.extend(_remove_stale_partials(folder, now))
    return removed


def _kept(backups: list[BackupFile], now: datetime, manual_days: int) -> set[Path]:
    """`backups` of one database and workstation, most recent first."""
    keep = {backups[0].path} if backups else set()
    automatic = [backup for backup in backups if backup.reason is not BackupReason.MANUAL]
    starts = [backup for backup in automatic if backup.reason is BackupReason.START]
    keep.update(backup.path for backup in starts[:KEPT_STARTS])
    first_day = now.date() - timedelta(days=KEPT_DAYS - 1)
    newest_of_day: dict[object, Path] = {}
    for backup in automatic:
        if backup.taken_at.date() >= first_day:
            newest_of_day.setdefault(backup.taken_at.date(), backup.path)
    keep.update(newest_of_day.values())
    for backup in backups:
        age = now - backup.taken_at
        if backup.reason is BackupReason.MANUAL:
            if age <= timedelta(days=manual_days):
                keep.add(backup.path)
        elif age <= timedelta(days=KEPT_DAYS) and backup.reason in KEPT_30_DAYS:
            keep.add(backup.path)
    return keep


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except OSError as error:
        log.warning("old backup %s not removed: %s", path, error)
        return False
    key_file.remove_key_file(path)
    log.info("old backup %s removed", path)
    return True


def _remove_stale_partials(folder: Path, now: datetime) -> list[Path]:
    """Leftovers of copies interrupted by a crash, on any workstation, after a day (never a
    finished copy): the temporary copy and the journal SQLite left beside it."""
    removed = []
    try:
        entries = [entry for entry in folder.iterdir() if _BACKUP_PARTIAL.match(entry.name)]
    except OSError:
        return []
    for entry in entries:
        try:
            modified = datetime.fromtimestamp(entry.stat().st_mtime)
        except OSError:
            continue
        if now - modified > STALE_PARTIAL and _remove(entry):
            removed.append(entry)
    return removed


# ---------------------------------------------------------------- leftovers of killed work

# `.<copie>.sqlite.<pid>.partial`, or `.<copie>.sqlite.partial` (earlier versions), and the
# companions SQLite may leave beside it.
_COMPANION = "(?:" + "|".join(re.escape(suffix) for suffix in COMPANION_SUFFIXES) + ")?"
_BACKUP_PARTIAL = re.compile(
    r"^\.(?P<copy>.+"
    + re.escape(SUFFIX)
    + r")(?:\.(?P<pid>\d+))?"
    + re.escape(PARTIAL_SUFFIX)
    + _COMPANION
    + "$"
)
# `.<base>.<poste>.<pid>.restauration.partial`, or `.<base>.restauration.partial` (earlier).
_RESTORE_STAGING = re.compile(
    r"^\.(?P<base>.+?)(?:\.(?P<workstation>[a-z0-9-]+)\.(?P<pid>\d+))?"
    + re.escape(RESTORE_MARK + PARTIAL_SUFFIX)
    + _COMPANION
    + "$"
)


def remove_debris(
    database: Path,
    backup_folder: Path | None,
    *,
    workstation: str | None = None,
    started: float | None = None,
) -> list[Path]:
    """At start: remove what a killed backup or restore of this base on this workstation left
    (temporary copies holding the whole base, their journals), when the process that wrote it
    is gone and the file is older than this process. Returns what was removed; never raises.

    Restore staging files named by earlier versions (no workstation) are removed too once
    older than this process. Other workstations' leftovers are theirs to remove; the rotation
    removes any leftover of the backup folder after a day.
    """
    workstation = sanitise_workstation(workstation or workstation_name())
    started = PROCESS_STARTED if started is None else started
    removed: list[Path] = []
    database = Path(database)
    for entry in _entries(database.parent):
        match = _RESTORE_STAGING.match(entry.name)
        if match is None or match["base"] != database.name:
            continue
        pid = match["pid"]
        ours = match["workstation"] == workstation
        if (pid is None or ours) and _left_over(entry, pid, started) and _remove(entry):
            removed.append(entry)
    for entry in _entries(backup_folder) if backup_folder is not None else []:
        match = _BACKUP_PARTIAL.match(entry.name)
        if match is None or match["pid"] is None:
            continue
        copy = parse_backup_name(Path(match["copy"]))
        if copy is None or copy.base != database.stem or copy.workstation != workstation:
            continue
        if _left_over(entry, match["pid"], started) and _remove(entry):
            removed.append(entry)
    return removed


def _entries(folder: Path) -> list[Path]:
    try:
        return list(Path(folder).iterdir())
    except OSError:
        return []


def _left_over(path: Path, pid: str | None, started: float) -> bool:
    try:
        older = path.stat().st_mtime < started
    except OSError:
        return False
    return older and (pid is None or not _process_alive(int(pid)))


def _process_alive(pid: int) -> bool:
    """Whether process `pid` still runs (POSIX). Elsewhere the answer is no: a file another
    process still has open cannot be removed there anyway."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return False
    return True


# ---------------------------------------------------------------- restoring


def restore_database(
    backup_path: Path,
    target_path: Path,
    *,
    backup_folder: Path | None = None,
    now: datetime | None = None,
) -> Path | None:
    """Replace the database `target_path` by the copy `backup_path`, brought to the schema.

    The copy is checked first (integrity, references, a revision this application knows) on a
    staging file next to the target; the backup file itself is never modified. Then the current
    database is kept as an `avant-restauration` copy in `backup_folder` (the configured backup
    folder by default), and only then replaced. Returns the path of that kept copy, None when
    there was no database to keep. Every failure is a StorageError with a French reason, and
    leaves the current database as it was.
    """
    backup_path = Path(backup_path).expanduser()
    target = Path(target_path).expanduser()
    _require_database_file(backup_path, "La sauvegarde")
    if target.exists() and _same_file(backup_path, target):
        raise StorageError("La sauvegarde choisie est la base elle-même : rien à restaurer.")
    if backup_folder is None:
        from app.config import backup_dir

        backup_folder = backup_dir()
    staging = _staging_path(target)
    target_key = cipher.known_key(target) if target.exists() else None
    copy_key = _key_opening(backup_path, target_key)
    key = target_key or copy_key  # the restored base keeps the current base's key
    try:
        _stage_copy(backup_path, staging, copy_key, key)
        verify_backup(staging, shown_as=backup_path, key=key)
        _migrate(staging, shown_as=backup_path, key=key)
        kept = _keep_current(target, backup_folder, now) if target.exists() else None
        _replace(target, staging, key)
        if key is not None and key != target_key:
            key_file.copy_key_file(backup_path, target)  # the copy's key: its key file too
    finally:
        _remove_database_files(staging)
    log.info("database %s restored from %s (previous kept in %s)", target, backup_path, kept)
    return kept


def verify_backup(path: Path, *, shown_as: Path | None = None, key: bytes | None = None) -> str:
    """Check a copy without changing it; returns its schema revision, else a French refusal.

    The copy is opened hardened (`app.storage.untrusted`), every check under a time limit. In
    order: its `alembic_version` is the application's table; its revision is one this
    application knows; its schema (tables, indexes, triggers, views) is exactly the one the
    migrations produce for that revision; its integrity; its references.
    """
    name = f"« {shown_as or path} »"
    try:
        with open_untrusted(path, key) as copy:
            found = read_schema(copy)
            revision = _revision(copy, found, name)
            differences = schema_differences(found, migrated_schema(revision))
            if differences:
                log.warning("backup %s refused: schema differs (%s)", name, differences)
                raise StorageError(
                    f"{describe_differences(differences)} : restauration refusée. La sauvegarde "
                    f"{name} a été modifiée en dehors de l'application ; la base actuelle est "
                    "intacte."
                )
            integrity = [
                str(row[0])
                for row in copy.query("PRAGMA integrity_check", seconds=LONG_CHECK_SECONDS)
            ]
            if integrity != ["ok"]:
                raise StorageError(
                    f"La sauvegarde {name} est endommagée (contrôle d'intégrité en échec) : "
                    "elle n'a pas été restaurée, la base actuelle est intacte."
                )
            broken = copy.query("PRAGMA foreign_key_check", seconds=LONG_CHECK_SECONDS)
    except TooSlow as error:
        log.warning("backup %s refused: a check took more than %s s", name, error.seconds)
        raise StorageError(
            f"La vérification de la sauvegarde {name} a été arrêtée au bout de "
            f"{error.seconds:g} secondes (une copie normale se vérifie bien plus vite) : elle "
            "n'a pas été restaurée, la base actuelle est intacte."
        ) from error
    except cipher.database_error_types() as error:
        raise _unusable_copy(name, error) from error
    if broken:
        raise StorageError(
            f"La sauvegarde {name} contient {plural(len(broken), 'référence cassée')} : "
            "elle n'a pas été restaurée, la base actuelle est intacte."
        )
    return revision


def _unusable_copy(name: str, error: Exception) -> StorageError:
    log.warning("backup %s unusable: %s", name, error)
    return StorageError(
        f"La sauvegarde {name} est endommagée ou illisible ({_sqlite_reason(error)}) : elle "
        "n'a pas été restaurée, la base actuelle est intacte."
    )


def _revision(copy: UntrustedCopy, found: frozenset[SchemaObject], name: str) -> str:
    """The copy's revision, read only once `alembic_version` is known to be the application's
    own table (a view there could run any query); a French refusal otherwise."""
    from app.storage.migrate import VERSION_TABLE, head_revision

    not_ours = StorageError(
        f"{name} n'est pas une sauvegarde de Fabrique Accueil (aucune version de schéma) : "
        "elle n'a pas été restaurée, la base actuelle est intacte."
    )
    in_copy = {item for item in found if item.name == VERSION_TABLE and item.type != "trigger"}
    if not in_copy:
        raise not_ours
    expected = {item for item in migrated_schema(head_revision()) if item.name == VERSION_TABLE}
    if in_copy != expected:
        differences = schema_differences(frozenset(in_copy), frozenset(expected))
        raise StorageError(
            f"{describe_differences(differences)} : restauration refusée. La sauvegarde {name} "
            "a été modifiée en dehors de l'application ; la base actuelle est intacte."
        )
    rows = copy.query(f"SELECT version_num FROM {VERSION_TABLE}", seconds=QUICK_CHECK_SECONDS)
    if len(rows) != 1:
        raise not_ours
    revision = str(rows[0][0])
    if revision not in _known_revisions():
        raise StorageError(
            f"La sauvegarde {name} vient d'une version plus récente de l'application "
            f"(schéma {revision}, celui-ci s'arrête à {head_revision()}) : mettez l'application "
            "à jour avant de la restaurer. La base actuelle est intacte."
        )
    return revision


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from app.storage.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.samefile(second)
    except OSError:
        return False


def _staging_path(target: Path) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(
            f"Le dossier de la base « {target.parent} » est inaccessible : "
            f"{describe_os_error(error)}."
        ) from error
    return target.with_name(
        f".{target.name}.{workstation_name()}.{os.getpid()}{RESTORE_MARK}{PARTIAL_SUFFIX}"
    )


def _stage_copy(
    backup_path: Path, staging: Path, copy_key: bytes | None, key: bytes | None
) -> None:
    """The copy written to `staging` under `key`: through the backup API when the copy has
    that key already, else re-encrypted (a plain copy, or one made before the base had a
    password)."""
    _remove_database_files(staging)
    try:
        if copy_key != key:
            cipher.export_encrypted(backup_path, copy_key, staging, key)
            _make_private(staging, FILE_MODE)
            return
        _create_private_file(staging)
        with (
            _connect(backup_path, mode="ro", key=key) as origin,
            _connect(staging, key=key) as copy,
        ):
            origin.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
    except cipher.error_types() as error:
        raise _unusable_copy(f"« {backup_path} »", error) from error
    except OSError as error:
        raise StorageError(
            f"La restauration n'a pas pu préparer la copie à côté de la base : "
            f"{describe_os_error(error)}. La base actuelle est intacte."
        ) from error


def _migrate(staging: Path, *, shown_as: Path, key: bytes | None) -> None:
    from app.storage.database import open_database

    try:
        open_database("sqlite:///" + str(staging), key=key).dispose()
    except StorageError as error:
        raise StorageError(
            f"La sauvegarde « {shown_as} » n'a pas pu être mise au niveau de cette version "
            f"de l'application ({error}) : elle n'a pas été restaurée, la base actuelle est "
            "intacte."
        ) from error


def _keep_current(target: Path, folder: Path, now: datetime | None) -> Path:
    """A copy of the database about to be replaced; a damaged one is kept as its bytes."""
    try:
        return backup_database(target, folder, reason=BackupReason.BEFORE_RESTORE, now=now)
    except StorageError:
        if _readable_database(target, cipher.known_key(target)):
            raise
    log.warning("current database %s unreadable: kept as a raw file copy", target)
    partial: Path | None = None
    try:
        kept, partial = _reserve_name(
            prepare_backup_folder(folder),
            target.stem,
            workstation_name(),
            now or datetime.now(),
            BackupReason.BEFORE_RESTORE,
        )
        shutil.copyfile(target, partial)
        _make_private(partial, FILE_MODE)
        fsync_file(partial)
        kept = _publish(partial, kept)
    except OSError as error:
        raise StorageError(
            f"La base actuelle n'a pas pu être mise de côté dans « {folder} » : "
            f"{describe_os_error(error)}. Rien n'a été restauré."
        ) from error
    finally:
        if partial is not None:
            _remove_database_files(partial)
    return kept


def _readable_database(path: Path, key: bytes | None) -> bool:
    try:
        with _connect(path, mode="ro", key=key) as connection:
            connection.execute("PRAGMA schema_version").fetchone()
    except cipher.database_error_types():
        return False
    return True


def _replace(target: Path, staging: Path, key: bytes | None) -> None:
    """Copy the staged database into the target through SQLite, so open connections see it.

    SQLite's backup API cannot write into a WAL database of another page size (it answers
    "readonly"): the staged copy is first rewritten with the target's page size. A target
    SQLite cannot read (damaged, not a database) is replaced by renaming instead.
    """
    if not target.exists() or not _readable_database(target, key):
        _swap(target, staging)
        return
    try:
        _match_page_size(staging, _page_size(target, key), key)
        with (
            _connect(staging, mode="rw", key=key) as origin,
            _connect(target, mode="rw", key=key) as current,
        ):
            origin.backup(current)
    except cipher.error_types() as error:
        log.warning("restore into %s failed: %s", target, error)
        raise StorageError(
            f"La base « {target} » n'a pas pu être remplacée : {_sqlite_reason(error)}. "
            "Elle est restée telle qu'elle était."
        ) from error


def _page_size(path: Path, key: bytes | None) -> int:
    """The page size of a SQLite base."""
    with _connect(path, mode="ro", key=key) as connection:
        return int(connection.execute("PRAGMA page_size").fetchone()[0])


def _match_page_size(staging: Path, size: int, key: bytes | None) -> None:
    with _connect(staging, mode="rw", key=key) as copy:
        if int(copy.execute("PRAGMA page_size").fetchone()[0]) == size:
            return
        log.info("staged copy rewritten with a page size of %d bytes", size)
        copy.execute("PRAGMA journal_mode = DELETE")  # the page size is fixed in WAL mode
        copy.execute(f"PRAGMA page_size = {int(size)}")
        copy.execute("VACUUM")


def _swap(target: Path, staging: Path) -> None:
    try:
        for companion in _companions(target):
            companion.unlink(missing_ok=True)
        _make_private(staging, FILE_MODE)
        os.replace(staging, target)
        fsync_folder(target.parent)
    except OSError as error:
        raise StorageError(
            f"La base « {target} » n'a pas pu être remplacée : {describe_os_error(error)}."
        ) from error


def _companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _remove_database_files(path: Path) -> None:
    for each in (path, *_companions(path)):
        with contextlib.suppress(OSError):
            each.unlink(missing_ok=True)


def is_private(path: Path) -> bool:
    """True when neither the group nor others have any right on `path` (POSIX)."""
    mode = path.stat().st_mode
    return not mode & (stat.S_IRWXG | stat.S_IRWXO)
