"""What the window asks of maintenance: one call per action of the Fichier menu.

Back up now, restore a backup, check the base, choose this workstation's backup folder; the
automatic copies tied to the window (at start, on quit); and the loading of the document
modules once the window is complete. Backups and restores work on the database file rather
than in a session: they take the database handle for its address, and journal what they did
in the base itself (an entry that cannot be written is logged; the copy stands).

A base on a PostgreSQL server is backed up by its administrator (a pg_dump schedule, README):
the window takes no automatic copy of it and says so once at start; « Sauvegarder
maintenant » writes a pg_dump archive when the PostgreSQL client tools are installed on the
workstation; restoring one is done from the command line, the other desks closed
(`restore_server_archive`, `main.py restore`).
"""

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.config import backup_dir, set_backup_dir
from app.errors import StorageError
from app.services.actor import Actor
from app.services.base_access.opening import automatic_backup
from app.services.journal.audit_log import record_backup, record_restore
from app.services.maintenance.health_check import CheckReport, check_database
from app.services.permissions import require_coordination
from app.services.unit_of_work import Database
from app.storage import pg_backup
from app.storage.backup import (
    BackupReason,
    backup_database,
    database_file,
    describe_backup_file,
    prepare_backup_folder,
    restore_database,
)

log = logging.getLogger(__name__)

DOCUMENT_MODULES = ("convention", "avenant", "attestation", "evaluation")

# ---------------------------------------------------------------- automatic copies


# What the window says once at start about a base on a server (shown where failed automatic
# copies are: no copy was made, and it is not this workstation's to make).
# Short enough for the status bar of a 1366-pixel screen beside the account and the base.
SERVER_BACKUPS_NOTE = (
    "Base sur un serveur : sauvegardée par son administrateur (pg_dump), pas par ce poste."
)
SERVER_RESTORE_REFUSAL = (
    "Cette base est sur un serveur PostgreSQL, partagé par d'autres postes : une sauvegarde "
    "s'y restaure en ligne de commande, l'application fermée sur les autres postes "
    "(main.py restore FICHIER.dump --db …), ou par l'administrateur avec pg_restore."
)


def take_start_copy(database: Database, on_failure: Callable[[str], None]) -> Path | None:
    """The copy taken when the window opens; a failure is logged and told to `on_failure`.
    A base on a server has none: `on_failure` is told so, and who backs it up."""
    if pg_backup.is_server_url(database.url):
        log.info("no start copy of a base on a server")
        on_failure(SERVER_BACKUPS_NOTE)
        return None
    return automatic_backup(database.url, BackupReason.START, on_failure)


def take_quit_copy(database: Database) -> Path | None:
    """The copy taken when the window closes; a failure is only logged (nobody would see it).
    A base on a server has none (said at start)."""
    if pg_backup.is_server_url(database.url):
        return None
    return automatic_backup(database.url, BackupReason.QUIT)


# ---------------------------------------------------------------- the Fichier menu


def back_up_now(database: Database, *, actor: Actor) -> Path:
    """A manual copy in this workstation's backup folder, journaled in the base; its path.
    Of a base on a server: a pg_dump archive (a French refusal when the tools are missing)."""
    if pg_backup.is_server_url(database.url):
        copy = pg_backup.dump_database(database.url, backup_dir(), reason=BackupReason.MANUAL)
    else:
        copy = backup_database(database.url, backup_dir(), reason=BackupReason.MANUAL)
    if not record_backup(database.url, copy, author=actor.author):
        log.warning("manual backup %s not journaled", copy)
    return copy


def restorable_file(database: Database, *, actor: Actor) -> Path:
    """The file a restore would replace; refused in French to other roles than coordination
    and for a base that is not a SQLite file (checked before a copy is even chosen)."""
    require_coordination(actor, "restaurer une sauvegarde")
    if pg_backup.is_server_url(database.url):
        raise StorageError(SERVER_RESTORE_REFUSAL)
    return database_file(database.url)


def describe_copy(copy: Path) -> str:
    """When the copy was taken, in French: « du 29/11/2026 à 08:12 (au démarrage) »."""
    return describe_backup_file(copy)


@dataclass(frozen=True)
class Restored:
    description: str  # as `describe_copy` says it
    kept: Path | None  # where the replaced base is kept; None when there was none


def restore_copy(database: Database, copy: Path, *, actor: Actor) -> Restored:
    """Replace the base by `copy` once it is checked (the current base is kept as a copy
    first), then journal the restore in the restored base."""
    target = restorable_file(database, actor=actor)
    kept = restore_database(copy, target)
    description = describe_backup_file(copy)
    if not record_restore(database.url, copy, description, kept, author=actor.author):
        log.warning("restore from %s not journaled", copy)
    return Restored(description, kept)


def restore_server_archive(url: str, archive: Path) -> Restored:
    """Replace the base on a server by a pg_dump archive (`main.py restore`): refused while
    other desks are connected; the current base is kept first as an archive; the restored base
    must pass the checks of `main.py check`, else the kept one is put back. The caller signs
    in and journals."""
    kept = pg_backup.restore_archive(
        archive, url, backup_folder=backup_dir(), verify=lambda: _verify_restored(url)
    )
    return Restored(pg_backup.describe_archive(archive), kept)


def _verify_restored(url: str) -> None:
    report = check_database(url)
    if not report.ok:
        failed = " ; ".join(line for line, passed in report.lines if not passed)
        raise StorageError(f"la vérification de la base restaurée a échoué ({failed})")


def check_base(database: Database) -> CheckReport:
    """The health check of `main.py check` (integrity, journal, migrations); never raises."""
    return check_database(database.url)


def use_backup_folder(folder: Path) -> Path:
    """Make `folder` this workstation's backup folder, created if missing (never its parents:
    a USB key that is not plugged in must not become a local folder); the folder kept."""
    prepared = prepare_backup_folder(folder)
    set_backup_dir(prepared)
    return prepared


# ---------------------------------------------------------------- after the window opens


def load_document_modules() -> None:
    """Load the document modules and read the fonts, so that the first document printed is as
    quick as the next ones (reading the TrueType files is most of a first document's time)."""
    for name in DOCUMENT_MODULES:
        importlib.import_module(f"app.pdf.{name}")
    fonts = importlib.import_module("app.pdf.fonts")
    fonts.register_fonts()
