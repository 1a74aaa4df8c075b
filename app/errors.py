"""Errors meant for the user: their message is French and says what to do."""

import errno


class UserFacingError(Exception):
    """The user's input or the environment was refused; the message says why, in French."""


class StorageError(UserFacingError):
    """The database could not be read or written (locked, read-only, disk full, gone)."""


class ConflictError(UserFacingError):
    """Someone else saved the same record since it was opened (storage detects it when a
    version check fails; services when a form's version is behind)."""


WRITE_CONFLICT_MESSAGE = (
    "Un autre poste vient d'enregistrer en même temps : rien n'a été enregistré, et vos "
    "saisies restent à l'écran. Réessayez."
)


class WriteConflict(ConflictError):
    """Two desks wrote at the same instant and the database kept one (PostgreSQL: a
    serialization failure or a deadlock; SQLite: a write on a snapshot another desk has just
    made stale). The whole action can be run again: `unit_of_work.writes` does it."""

    def __init__(self, message: str = WRITE_CONFLICT_MESSAGE) -> None:
        super().__init__(message)


_OS_REASONS = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "accès refusé",
    errno.EPERM: "opération non permise",
    errno.EROFS: "support en lecture seule",
    errno.ENOSPC: "disque plein",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EEXIST: "le fichier existe déjà",
}


def describe_os_error(error: OSError) -> str:
    """A French reason for a file-system error, with the file concerned when known."""
    reason = _OS_REASONS.get(error.errno or 0, "erreur d'accès au fichier")
    return f"{reason} ({error.filename})" if error.filename else reason
