"""Files a command is about to write or open: never the base, its companions or its backups.

Every check runs before anything is opened or written, and refuses with a French
`OverwriteRefused` that says what was refused and why. Imports no Qt and no app.services.

- `refuse_overwriting_base`: an output (CSV export, PDF) must not be the database file, its
  `-wal` / `-shm` / `-journal` companions, anything in the backup folder, nor any existing
  SQLite file (or the companion of one), whatever its name.
- `refuse_backup_target`: a backup folder must not be the database (or a companion), nor a file.
- `refuse_restoring_onto_itself`: a restore must not copy the base (or a companion) onto
  itself, nor replace one of the backups.
- `refuse_unlikely_database`: `--db` must not name a document (a CSV, a PDF…), existing or not,
  nor an existing file that is not a SQLite database: `--db` and `--out` swapped would
  otherwise create an empty base named `candidats.csv` and write the CSV over the real base.
"""

import os
from pathlib import Path

from app.errors import UserFacingError
from app.storage.backup import SQLITE_HEADER, parse_backup_name
from app.storage.database import sqlite_path
from app.storage.key_file import KEY_FILE_SUFFIX, key_file_path

COMPANION_SUFFIXES = ("-wal", "-shm", "-journal", KEY_FILE_SUFFIX)
# Extensions of the files the application writes or reads as documents, never a base's.
DOCUMENT_SUFFIXES = frozenset(
    {".csv", ".pdf", ".xlsx", ".xls", ".ods", ".txt", ".json", ".md", ".docx", ".odt"}
)
_COMPANION_NAMES = {
    "-wal": "le journal d'écriture (-wal)",
    "-shm": "l'index partagé (-shm)",
    "-journal": "le journal (-journal)",
    KEY_FILE_SUFFIX: "le fichier des clés (.cles)",
}


class OverwriteRefused(UserFacingError):
    """Writing (or opening) there would destroy the base, one of its files or a backup."""


def refuse_overwriting_base(
    target: Path,
    *,
    database_url: str | None,
    backup_folder: Path | None,
    label: str = "le fichier de sortie",
) -> None:
    """Refuse, in French, an output file that would overwrite the base or a backup.

    `label` names the file in the message (« le fichier de sortie », « le fichier choisi »).
    """
    shown = f"{label} « {target} »"
    resolved = _resolved(target)
    base = _database_path(database_url)
    if base is not None:
        if resolved == base or _same_file(target, base):
            raise OverwriteRefused(
                f"Refusé : {shown} est la base de données elle-même ; rien n'a été écrit. "
                "Choisir un autre nom de fichier (par exemple candidats.csv ou convention.pdf)."
            )
        for suffix in COMPANION_SUFFIXES:
            companion = base.with_name(base.name + suffix)
            if resolved == companion or _same_file(target, companion):
                raise OverwriteRefused(
                    f"Refusé : {shown} est {_COMPANION_NAMES[suffix]} de la base de données "
                    f"« {base} » ; l'écraser abîmerait la base. Rien n'a été écrit : choisir un "
                    "autre nom de fichier."
                )
    if backup_folder is not None and _inside(resolved, _resolved(backup_folder)):
        raise OverwriteRefused(
            f"Refusé : {shown} est dans le dossier des sauvegardes « {backup_folder} », qui ne "
            "reçoit que les copies de la base ; une sauvegarde n'est jamais écrasée. Rien n'a "
            "été écrit : choisir un autre dossier."
        )
    if _is_sqlite_file(resolved):
        raise OverwriteRefused(
            f"Refusé : {shown} existe déjà et c'est une base de données SQLite ; un export "
            "n'écrase jamais une base. Rien n'a été écrit : choisir un autre nom de fichier."
        )
    for suffix in COMPANION_SUFFIXES:
        if resolved.name.endswith(suffix):
            owner = resolved.with_name(resolved.name.removesuffix(suffix))
            if _is_sqlite_file(owner):
                raise OverwriteRefused(
                    f"Refusé : {shown} est {_COMPANION_NAMES[suffix]} de la base SQLite "
                    f"« {owner} » ; l'écraser abîmerait cette base. Rien n'a été écrit : "
                    "choisir un autre nom de fichier."
                )


def refuse_backup_target(folder: Path, *, database_url: str | None) -> None:
    """Refuse a backup folder that is the base (or a companion), or an existing file."""
    base = _database_path(database_url)
    resolved = _resolved(folder)
    if base is not None:
        for suffix in ("", *COMPANION_SUFFIXES):
            own = base.with_name(base.name + suffix)
            if resolved == own or _same_file(folder, own):
                raise OverwriteRefused(
                    f"Refusé : le dossier de sauvegarde « {folder} » est "
                    f"{'la base de données elle-même' if not suffix else 'un fichier de la base'} "
                    f"« {own} » ; rien n'a été écrit. Donner un dossier (--to DOSSIER), par "
                    "exemple sur une clé USB."
                )
    if resolved.exists() and not resolved.is_dir():
        raise OverwriteRefused(
            f"Refusé : « {folder} » est un fichier, pas un dossier ; une sauvegarde ne remplace "
            "jamais un fichier. Rien n'a été écrit : donner un dossier (--to DOSSIER)."
        )


def refuse_restoring_onto_itself(
    source: Path, *, database_url: str | None, backup_folder: Path | None
) -> None:
    """Refuse restoring the base (or one of its companions) onto itself, or over a backup."""
    base = _database_path(database_url)
    if base is None:
        return
    resolved = _resolved(source)
    for suffix in ("", *COMPANION_SUFFIXES):
        own = base.with_name(base.name + suffix)
        if resolved == own or _same_file(source, own):
            raise OverwriteRefused(
                f"Refusé : la sauvegarde « {source} » est "
                f"{'la base elle-même' if not suffix else 'un fichier de la base'} « {base} » : "
                "rien à restaurer, la base est intacte. Choisir une sauvegarde (un fichier du "
                "dossier des sauvegardes)."
            )
    if backup_folder is not None:
        folder = _resolved(backup_folder)
        if base.parent == folder and parse_backup_name(base) is not None:
            raise OverwriteRefused(
                f"Refusé : la base à remplacer « {base} » est une sauvegarde du dossier "
                f"« {backup_folder} » ; une sauvegarde n'est jamais écrasée. Rien n'a été "
                "restauré : vérifier --db."
            )


def refuse_unlikely_database(database_url: str, *, damaged_allowed: bool = False) -> None:
    """Refuse to open (and so to create) as a base a document or a file that is not SQLite.

    A missing file with a base's name is still created and migrated by the caller. With
    `damaged_allowed` (restore, which replaces an unreadable base and keeps its bytes), an
    existing file that is not SQLite passes unless its extension is a document's.
    """
    path = sqlite_path(database_url)
    if path is None:
        return
    path = path.expanduser()
    document = path.suffix.lower() in DOCUMENT_SUFFIXES
    try:
        if path.is_dir():
            return  # opening explains it
        exists = path.exists()
        header = _header(path) if exists else b""
    except OSError:
        return  # opening explains it
    if not exists:
        if document:
            raise OverwriteRefused(
                f"Refusé : la base « {path} » n'existe pas et son extension ({path.suffix}) est "
                "celle d'un document, pas d'une base : aucune base n'a été créée sous ce nom. "
                "Vérifier que la base (--db, un fichier .sqlite) et le fichier de sortie (--out) "
                "ne sont pas inversés."
            )
        return
    if header == SQLITE_HEADER or (not header and not document) or key_file_path(path).exists():
        return
    if damaged_allowed and not document:
        return
    raise OverwriteRefused(
        f"Refusé : « {path} » n'est pas une base Fabrique Accueil lisible (ce n'est pas un "
        "fichier SQLite : un CSV, un PDF… ?) ; il n'a été ni ouvert ni modifié. Vérifier que "
        "la base (--db, un fichier .sqlite) et le fichier de sortie (--out) ne sont pas "
        "inversés."
    )


def _database_path(database_url: str | None) -> Path | None:
    if database_url is None:
        return None
    path = sqlite_path(database_url)
    return None if path is None else _resolved(path)


def _resolved(path: Path) -> Path:
    """Absolute, `..` and symlinks resolved as far as the path exists."""
    return Path(os.path.realpath(Path(path).expanduser()))


def _same_file(first: Path, second: Path) -> bool:
    """Hard links and other aliases `realpath` does not see."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def _header(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(len(SQLITE_HEADER))


def _is_sqlite_file(path: Path) -> bool:
    """A plain SQLite base, or an encrypted one (its key file beside it)."""
    try:
        return path.is_file() and (_header(path) == SQLITE_HEADER or key_file_path(path).exists())
    except OSError:
        return False
