"""Optimistic locking of records edited in forms: candidates, agreements, hosts.

Each saved change bumps the record's `version` and says who made it and when. A form keeps
the version it loaded; saving it over a newer version is refused with a French message naming
who changed the record and when, so nobody overwrites someone else's work without knowing.

The models declare `version` as SQLAlchemy's `version_id_col`: every UPDATE also says
`WHERE version = <the version read>`. When two workstations save at the same moment, the
second UPDATE matches no row and SQLAlchemy raises StaleDataError, turned here into the same
ConflictError as the check made before writing.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError

from app.domain.account import UserAccount
from app.services.errors import ConflictError

__all__ = [
    "AGREEMENT",
    "CANDIDATE",
    "HOST",
    "RecordKind",
    "Versioned",
    "check_version",
    "conflict_message",
    "flush_checked",
    "record_change",
    "stamp_author",
]


class Versioned(Protocol):
    id: int
    version: int
    updated_by: str | None
    updated_at: datetime


@dataclass(frozen=True)
class RecordKind:
    """How a French sentence names the record: "Ce dossier", or "Cette convention" (feminine)."""

    subject: str
    feminine: bool = False

    def agreed(self, participle: str) -> str:
        return participle + "e" if self.feminine else participle


CANDIDATE = RecordKind("Ce dossier")
AGREEMENT = RecordKind("Cette convention", feminine=True)
HOST = RecordKind("Cette structure", feminine=True)


def record_change(record: Versioned, *, author: str | None, now: datetime) -> None:
    """Bump the version of a record a user changed, and note who did it and when.

    `now` is the workstation's local time, like every other time the app shows; the
    database's own CURRENT_TIMESTAMP would be UTC with SQLite.
    """
    record.version += 1
    stamp_author(record, author=author, now=now)


def stamp_author(record: Versioned, *, author: str | None, now: datetime) -> None:
    """Who created or last changed the record, and when (no version bump: new records)."""
    record.updated_by = author or None
    record.updated_at = now


def conflict_message(kind: RecordKind, updated_by: str | None, updated_at: datetime | None) -> str:
    """ "Ce dossier a été modifié par Nadia Belkacem le 29/11/2026 à 10:42 …"."""
    changed = f"{kind.subject} a été {kind.agreed('modifié')}"
    if updated_by:
        when = f" le {updated_at:%d/%m/%Y à %H:%M}" if updated_at is not None else ""
        changed += f" par {updated_by}{when}"
    else:
        changed += " sur un autre poste"
    return (
        f"{changed}, depuis que vous l'avez {kind.agreed('ouvert')}. Vos modifications n'ont "
        "pas été enregistrées, pour ne pas effacer ce changement."
    )


def check_version(record: Versioned, expected_version: int | None, kind: RecordKind) -> None:
    """Refuse to save over a version newer than the one the form loaded (None: no check)."""
    if expected_version is not None and record.version != expected_version:
        raise ConflictError(_message_for(record, kind))


def _message_for(record: Versioned, kind: RecordKind) -> str:
    session = object_session(record)
    who = record.updated_by
    if session is not None and who:
        who = _display_name(session, who)
    return conflict_message(kind, who, record.updated_at)


def _display_name(session: Session, username: str) -> str:
    """ "Nadia Belkacem" for the account `nbelkacem`; the name as recorded otherwise."""
    found = session.scalar(select(UserAccount.display_name).where(UserAccount.username == username))
    return found or username


def flush_checked(session: Session, record: Versioned, kind: RecordKind) -> None:
    """Flush; if another workstation saved the record meanwhile, a ConflictError naming them.

    The failed flush has already rolled the transaction back; the session is reset so the
    latest values can be read for the message.
    """
    record_id = record.id
    try:
        session.flush()
    except StaleDataError as error:
        session.rollback()
        current = session.get(type(record), record_id)
        if current is None:
            raise ConflictError(
                f"{kind.subject} a été {kind.agreed('supprimé')} sur un autre poste : "
                "vos modifications n'ont pas été enregistrées."
            ) from error
        raise ConflictError(_message_for(current, kind)) from error
