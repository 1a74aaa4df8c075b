"""Consistent copies of a SQLite database, their rotation, and restoring one. Imports no Qt.

A copy is taken with SQLite's online backup API (`sqlite3.Connection.backup`), never by
copying the file: the API reads one consistent snapshot even while another connection writes,
and includes what is still in the WAL. Copies are written under a temporary name, flushed to
disk, then renamed, so a copy that exists is whole. They are single files (journal mode
DELETE), readable by their owner only, named `<base>-AAAA-MM-JJ_HHMM-<raison>.sqlite`.

Rotation (`prune_backups`), per database name within a folder:
- the 10 most recent start copies (`demarrage`) are kept, however old;
- the most recent copy of each of the last 30 days is kept, whatever its reason;
- pre-migration and pre-restore copies (`migration`, `avant-restauration`) are kept 30 days;
- manual copies (`manuelle`) are never deleted automatically: whoever made one removes it;
- the most recent copy is always kept; files whose name is not a backup's are never touched.
"""

import contextlib
import logging
import os
import re
import shutil
import sqlite3
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from app.errors import StorageError, describe_os_error
from app.storage.database import sqlite_path

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
SUFFIX = ".sqlite"
PARTIAL_SUFFIX = ".partial"
KEPT_STARTS = 10
KEPT_DAYS = 30
STALE_PARTIAL = timedelta(days=1)
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


KEPT_30_DAYS = (BackupReason.MIGRATION, BackupReason.BEFORE_RESTORE)

REASON_LABELS = {
    BackupReason.START: "au démarrage",
    BackupReason.QUIT: "à la fermeture",
    BackupReason.MIGRATION: "avant une mise à jour de la base",
    BackupReason.MANUAL: "manuelle",
    BackupReason.BEFORE_RESTORE: "avant une restauration",
}

_NAME = re.compile(
    r"^(?P<base>.+)-(?P<day>\d{4}-\d{2}-\d{2})_(?P<time>\d{4})-"
    r"(?P<reason>" + "|".join(re.escape(r.value) for r in BackupReason) + r")"
    r"(?:-(?P<rank>\d+))?" + re.escape(SUFFIX) + "$"
)


@dataclass(frozen=True)
class BackupFile:
    path: Path
    base: str
    taken_at: datetime
    reason: BackupReason

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
    return BackupFile(path, match["base"], taken_at, BackupReason(match["reason"]))


def describe_backup_file(path: Path) -> str:
    """The date a copy was taken, in French, from its name or else from the file's date."""
    parsed = parse_backup_name(path)
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
) -> Path:
    """Write a consistent copy of the database into `folder`; returns the copy's path."""
    reason = BackupReason(reason)
    source = database_file(url_or_path)
    _require_database_file(source, "La base à sauvegarder")
    folder = prepare_backup_folder(folder)
    target = _free_name(folder, source.stem, now or datetime.now(), reason)
    partial = target.with_name(f".{target.name}{PARTIAL_SUFFIX}")
    try:
        _create_private_file(partial)
        with _connect(source, mode="rw") as origin, _connect(partial) as copy:
            origin.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
        _fsync(partial)
        os.replace(partial, target)
        _fsync_folder(folder)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        log.warning("backup of %s failed: %s", source, error)
        raise StorageError(
            f"La sauvegarde de « {source} » a échoué : {_sqlite_reason(error)}."
        ) from error
    except OSError as error:
        partial.unlink(missing_ok=True)
        log.warning("backup of %s failed: %s", source, error)
        raise StorageError(
            f"La sauvegarde n'a pas pu être écrite dans « {folder} » : {describe_os_error(error)}."
        ) from error
    log.info("backup %s written (%s)", target, reason.value)
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


def _free_name(folder: Path, base: str, now: datetime, reason: BackupReason) -> Path:
    stem = f"{base}-{now:%Y-%m-%d_%H%M}-{reason.value}"
    candidate = folder / f"{stem}{SUFFIX}"
    rank = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{rank}{SUFFIX}"
        rank += 1
    return candidate


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
def _connect(path: Path, mode: str | None = None) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection (mode "ro"/"rw" never creates the file), always closed."""
    if mode is None:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    else:
        uri = f"{path.resolve().as_uri()}?mode={mode}"
        connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        yield connection
    finally:
        connection.close()


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles)."""
    if sys.platform == "win32":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


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
    if header and header != SQLITE_HEADER:
        raise StorageError(f"{what} « {path} » n'est pas une base SQLite.")


def _sqlite_reason(error: sqlite3.Error) -> str:
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


def prune_backups(folder: Path, now: datetime) -> list[Path]:
    """Apply the rotation of the module docstring; returns the files removed. Never raises."""
    folder = Path(folder)
    removed: list[Path] = []
    backups = list_backups(folder)
    for base in {backup.base for backup in backups}:
        own = [backup for backup in backups if backup.base == base]
        keep = _kept(own, now)
        for backup in own:
            if backup.path not in keep and _remove(backup.path):
                removed.append(backup.path)
    removed.extend(_remove_stale_partials(folder, now))
    return removed


def _kept(backups: list[BackupFile], now: datetime) -> set[Path]:
    """`backups` of one database, most recent first."""
    keep = {backups[0].path} if backups else set()
    starts = [backup for backup in backups if backup.reason is BackupReason.START]
    keep.update(backup.path for backup in starts[:KEPT_STARTS])
    first_day = now.date() - timedelta(days=KEPT_DAYS - 1)
    newest_of_day: dict[object, Path] = {}
    for backup in backups:
        if backup.taken_at.date() >= first_day:
            newest_of_day.setdefault(backup.taken_at.date(), backup.path)
    keep.update(newest_of_day.values())
    for backup in backups:
        recent = now - backup.taken_at <= timedelta(days=KEPT_DAYS)
        if backup.reason is BackupReason.MANUAL or (recent and backup.reason in KEPT_30_DAYS):
            keep.add(backup.path)
    return keep


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except OSError as error:
        log.warning("old backup %s not removed: %s", path, error)
        return False
    log.info("old backup %s removed", path)
    return True


def _remove_stale_partials(folder: Path, now: datetime) -> list[Path]:
    """Leftovers of copies interrupted by a crash (never a finished copy)."""
    removed = []
    try:
        entries = list(folder.glob(f".*{SUFFIX}{PARTIAL_SUFFIX}"))
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
    try:
        _stage_copy(backup_path, staging)
        verify_backup(staging, shown_as=backup_path)
        _migrate(staging, shown_as=backup_path)
        kept = _keep_current(target, backup_folder, now) if target.exists() else None
        _replace(target, staging)
    finally:
        _remove_database_files(staging)
    log.info("database %s restored from %s (previous kept in %s)", target, backup_path, kept)
    return kept


def verify_backup(path: Path, *, shown_as: Path | None = None) -> str:
    """Check a copy without changing it; returns its schema revision, else a French refusal."""
    from app.storage.migrate import head_revision

    name = f"« {shown_as or path} »"
    try:
        with _connect(path, mode="ro") as connection:
            integrity = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
            if integrity != ["ok"]:
                raise StorageError(
                    f"La sauvegarde {name} est endommagée (contrôle d'intégrité en échec) : "
                    "elle n'a pas été restaurée, la base actuelle est intacte."
                )
            broken = connection.execute("PRAGMA foreign_key_check").fetchall()
            revision = _revision(connection, name)
    except sqlite3.DatabaseError as error:
        raise _unusable_copy(name, error) from error
    if broken:
        raise StorageError(
            f"La sauvegarde {name} contient {len(broken)} référence(s) cassée(s) : elle n'a pas "
            "été restaurée, la base actuelle est intacte."
        )
    if revision not in _known_revisions():
        raise StorageError(
            f"La sauvegarde {name} vient d'une version plus récente de l'application "
            f"(schéma {revision}, celui-ci s'arrête à {head_revision()}) : mettez l'application "
            "à jour avant de la restaurer. La base actuelle est intacte."
        )
    return revision


def _unusable_copy(name: str, error: sqlite3.Error) -> StorageError:
    log.warning("backup %s unusable: %s", name, error)
    return StorageError(
        f"La sauvegarde {name} est endommagée ou illisible ({_sqlite_reason(error)}) : elle "
        "n'a pas été restaurée, la base actuelle est intacte."
    )


def _revision(connection: sqlite3.Connection, name: str) -> str:
    not_ours = StorageError(
        f"{name} n'est pas une sauvegarde de Fabrique Accueil (aucune version de schéma) : "
        "elle n'a pas été restaurée, la base actuelle est intacte."
    )
    try:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.OperationalError as error:
        raise not_ours from error
    if len(rows) != 1:
        raise not_ours
    return str(rows[0][0])


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
    return target.with_name(f".{target.name}.restauration{PARTIAL_SUFFIX}")


def _stage_copy(backup_path: Path, staging: Path) -> None:
    _remove_database_files(staging)
    try:
        _create_private_file(staging)
        with _connect(backup_path, mode="ro") as origin, _connect(staging) as copy:
            origin.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as error:
        raise _unusable_copy(f"« {backup_path} »", error) from error
    except OSError as error:
        raise StorageError(
            f"La restauration n'a pas pu préparer la copie à côté de la base : "
            f"{describe_os_error(error)}. La base actuelle est intacte."
        ) from error


def _migrate(staging: Path, *, shown_as: Path) -> None:
    from app.storage.database import open_database

    try:
        open_database("sqlite:///" + str(staging)).dispose()
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
        if _readable_database(target):
            raise
    log.warning("current database %s unreadable: kept as a raw file copy", target)
    kept = _free_name(
        prepare_backup_folder(folder),
        target.stem,
        now or datetime.now(),
        BackupReason.BEFORE_RESTORE,
    )
    try:
        shutil.copyfile(target, kept)
        _make_private(kept, FILE_MODE)
    except OSError as error:
        kept.unlink(missing_ok=True)
        raise StorageError(
            f"La base actuelle n'a pas pu être mise de côté dans « {folder} » : "
            f"{describe_os_error(error)}. Rien n'a été restauré."
        ) from error
    return kept


def _readable_database(path: Path) -> bool:
    try:
        with _connect(path, mode="ro") as connection:
            connection.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError:
        return False
    return True


def _replace(target: Path, staging: Path) -> None:
    """Copy the staged database into the target through SQLite, so open connections see it.

    A target SQLite cannot read (damaged, not a database) is replaced by renaming instead.
    """
    if not target.exists() or not _readable_database(target):
        _swap(target, staging)
        return
    try:
        with _connect(staging, mode="rw") as origin, _connect(target, mode="rw") as current:
            origin.backup(current)
    except sqlite3.Error as error:
        log.warning("restore into %s failed: %s", target, error)
        raise StorageError(
            f"La base « {target} » n'a pas pu être remplacée : {_sqlite_reason(error)}. "
            "Elle est restée telle qu'elle était."
        ) from error


def _swap(target: Path, staging: Path) -> None:
    try:
        for companion in _companions(target):
            companion.unlink(missing_ok=True)
        _make_private(staging, FILE_MODE)
        os.replace(staging, target)
        _fsync_folder(target.parent)
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
