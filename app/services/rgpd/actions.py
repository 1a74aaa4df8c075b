"""What the window asks of personal-data rights: one unit of work per user action.

The Données personnelles button of a candidate's file (export, anonymise, erase) and the
Conservation des données tab. Each use case takes the database first and opens, commits or
rolls back its own session; the building blocks are in `person_data`. Anonymising and erasing
then rebuild the database file, so that what was replaced or deleted stays in no free page:
the window asks for both in one call.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from app.config import backup_dir
from app.services.actor import Actor
from app.services.permissions import require_coordination
from app.services.rgpd import person_data
from app.services.rgpd.person_data import Person, PersonExport, RetentionCandidate
from app.services.unit_of_work import Database, reads, writes
from app.storage.scrub import rebuild_file
from app.storage.targets import refuse_overwriting_base

# Completes "Seule la coordination peut …".
ACTING_ON_PERSONAL_DATA = "agir sur les données personnelles d'une personne"
READING_RETENTION = "consulter les dossiers à anonymiser"

# ---------------------------------------------------------------- the person of a file


@reads
def person(session: Session, candidate_id: int, *, actor: Actor) -> Person:
    """Who the file belongs to, and all their applications."""
    require_coordination(actor, ACTING_ON_PERSONAL_DATA)
    return person_data.person(session, candidate_id)


@dataclass(frozen=True)
class ErasureCheck:
    """What the window shows before an erasure: the person, and the numbered agreements that
    forbid it (then anonymisation is offered instead)."""

    person: Person
    blockers: list[str]


@reads
def erasure_check(session: Session, candidate_id: int, *, actor: Actor) -> ErasureCheck:
    require_coordination(actor, "effacer les données d'une personne")
    return ErasureCheck(
        person_data.person(session, candidate_id),
        person_data.erasure_blockers(session, candidate_id),
    )


# ---------------------------------------------------------------- right of access

_write_person_export = writes(person_data.write_person_export)


def export_person(
    database: Database,
    candidate_id: int,
    target: Path,
    *,
    actor: Actor,
    backup_folder: Path | None = None,
) -> PersonExport:
    """The person's data as JSON at `target` (suffix .json) and as a readable PDF beside it,
    the export journaled. Refused, with nothing written, when either file would overwrite the
    base or one of its backups (this workstation's backup folder by default)."""
    require_coordination(actor, "exporter les données d'une personne")
    json_path = target.with_suffix(".json")
    folder = backup_dir() if backup_folder is None else backup_folder
    for written in (json_path, json_path.with_suffix(".pdf")):
        refuse_overwriting_base(
            written, database_url=database.url, backup_folder=folder, label="le fichier choisi"
        )
    return _write_person_export(database, candidate_id, json_path, actor=actor)


# ---------------------------------------------------------------- anonymisation, erasure

_anonymise = writes(person_data.anonymise)


def anonymise(
    database: Database,
    ids: Iterable[int],
    *,
    actor: Actor,
    reason: str = person_data.REASON_RETENTION,
) -> int:
    """Anonymise these applications (all or none), then rebuild the database file so that no
    free page keeps the replaced values; how many were anonymised. A file that could not be
    rebuilt (another reader) is logged and rebuilt by the next erasure or anonymisation."""
    done = _anonymise(database, list(ids), actor=actor, reason=reason)
    rebuild_file(database.engine)
    return done


# The deletion in one unit of work, then the files cleaned and the backups holding the person
# listed: what could not be cleaned is in the report (see `person_data.erase`).
erase = person_data.erase

# ---------------------------------------------------------------- retention


@dataclass(frozen=True)
class RetentionOverview:
    """The Conservation des données tab: the period, and the applications past it."""

    months: int
    idle_since: date  # no activity since this day
    rows: list[RetentionCandidate]


@reads
def retention_overview(session: Session, today: date, *, actor: Actor) -> RetentionOverview:
    require_coordination(actor, READING_RETENTION)
    months = person_data.retention_months(session)
    return RetentionOverview(
        months,
        person_data.months_before(today, months),
        person_data.retention_candidates(session, today, months),
    )


set_retention_months = writes(person_data.set_retention_months)
