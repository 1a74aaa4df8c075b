"""What the window asks of agreements: one unit of work per user action.

Each use case takes the database first and opens, commits or rolls back its own session
(app/services/unit_of_work.py); the building blocks it wraps check the actor. The printing
windows also find here what they need of the documents and of the files they write, so that
the window imports neither app.pdf nor app.storage.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from app.config import backup_dir
from app.pdf.output import write_pdf
from app.pdf.quantities import format_hours
from app.services.actor import Actor
from app.services.agreements import (
    amendments,
    choices,
    details,
    documents,
    life_cycle,
    listing,
    presence,
    rules,
)
from app.services.agreements.documents import DocumentChoice, DocumentKind, RenderedDocument
from app.services.agreements.listing import AgreementRow
from app.services.agreements.presence import AbsenceInfo, AbsenceInput, PresenceData
from app.services.hosts import directory
from app.services.hosts.directory import HostRow
from app.services.journal import audit_log as audit
from app.services.permissions import require_coordination
from app.services.settings import organisation
from app.services.unit_of_work import Database, reads, writes
from app.storage.targets import refuse_overwriting_base

__all__ = [
    "AgreementList",
    "PrintedDocument",
    "SavedAbsence",
    "agreement",
    "agreement_list",
    "available_documents",
    "break_off",
    "cancel",
    "create_amendment",
    "create_draft",
    "delete_absence",
    "document_filenames",
    "every_host",
    "format_hours",
    "get_host",
    "journal_printed",
    "latest_agreement",
    "learner_choices",
    "learners_for_scope",
    "mark_ready",
    "missing_settings",
    "presence_of",
    "print_document",
    "record_signature",
    "referent_suggestions",
    "refresh_statuses",
    "refuse_unsafe_target",
    "render_batch",
    "save_absence",
    "sign_amendment",
    "update_draft",
    "validate_agreement",
    "write_pdf_file",
]

EVERY_HOST = 10_000  # the form's and the filter's host lists: the whole directory
PRINTING = "imprimer les documents des conventions"

# ---------------------------------------------------------------- the list and its filters


@dataclass(frozen=True)
class AgreementList:
    """What the view shows of a season and site, read in one session: the agreements (every
    status and host), the hosts (filter and form), what the settings lack to print."""

    rows: list[AgreementRow]
    hosts: list[HostRow]
    missing_settings: list[str]


@reads
def agreement_list(
    session: Session, *, season_id: int | None, site_id: int | None, today: date
) -> AgreementList:
    rows = listing.list_agreements(session, season_id=season_id, site_id=site_id, today=today)
    hosts = directory.search_hosts(session, "", limit=EVERY_HOST)
    return AgreementList(rows, hosts, organisation.is_complete(session))


@reads
def every_host(session: Session) -> list[HostRow]:
    return directory.search_hosts(session, "", limit=EVERY_HOST)


get_host = reads(directory.get_host)
missing_settings = reads(organisation.is_complete)
refresh_statuses = writes(life_cycle.refresh_statuses)

# ---------------------------------------------------------------- one agreement and its form

agreement = reads(details.get_agreement)
latest_agreement = reads(choices.latest_agreement)
learner_choices = reads(choices.learner_choices)
learners_for_scope = reads(choices.learners_for_scope)
referent_suggestions = reads(choices.referent_suggestions)
# Read only: the check never writes, even what validation flushes along the way.
validate_agreement = reads(rules.validate_agreement)

# ---------------------------------------------------------------- the life cycle

create_draft = writes(life_cycle.create_draft)
update_draft = writes(life_cycle.update_draft)
mark_ready = writes(life_cycle.mark_ready)
record_signature = writes(life_cycle.record_signature)
break_off = writes(life_cycle.break_off)
cancel = writes(life_cycle.cancel)
create_amendment = writes(amendments.create_amendment)
sign_amendment = writes(amendments.sign_amendment)

# ---------------------------------------------------------------- presence


@dataclass(frozen=True)
class SavedAbsence:
    absence: AbsenceInfo
    presence: PresenceData  # the tab's figures, with the absence counted


@writes
def save_absence(
    session: Session,
    agreement_id: int,
    values: AbsenceInput,
    *,
    absence_id: int | None,
    actor: Actor,
    today: date,
) -> SavedAbsence:
    """Record a new absence (`absence_id` None) or change one, and the presence it leaves:
    both or neither."""
    if absence_id is None:
        saved = presence.record_absence(session, agreement_id, values, actor=actor)
    else:
        saved = presence.update_absence(session, absence_id, values, actor=actor)
    return SavedAbsence(saved, presence.presence(session, agreement_id, actor=actor, today=today))


@writes
def delete_absence(
    session: Session, agreement_id: int, absence_id: int, *, actor: Actor, today: date
) -> PresenceData:
    """Delete an absence; the presence it leaves (both or neither)."""
    presence.delete_absence(session, absence_id, actor=actor)
    return presence.presence(session, agreement_id, actor=actor, today=today)


presence_of = reads(presence.presence)

# ---------------------------------------------------------------- documents

available_documents = reads(documents.available_documents)


@dataclass(frozen=True)
class PrintedDocument:
    pdf: bytes
    filename: str  # what the save dialog suggests


@writes
def print_document(
    session: Session, agreement_id: int, choice: DocumentChoice, *, actor: Actor, today: date
) -> PrintedDocument:
    """Render one document of the agreement, name its file and journal the print: all or
    nothing (a document number an attestation takes is kept only with its journal entry)."""
    require_coordination(actor, PRINTING)
    pdf = documents.render_document(
        session, agreement_id, choice.kind, today=today, rank=choice.rank
    )
    filename = documents.document_filename(session, agreement_id, choice.kind, choice.rank)
    audit.record_document_printed(session, agreement_id, choice.label)
    return PrintedDocument(pdf, filename)


@reads
def document_filenames(
    session: Session, agreement_ids: Sequence[int], kind: DocumentKind, *, actor: Actor
) -> list[str]:
    """The file name of this document of each agreement, in their order (a batch's list)."""
    require_coordination(actor, PRINTING)
    return [documents.document_filename(session, i, kind) for i in agreement_ids]


def render_batch(
    database: Database,
    agreement_ids: Sequence[int],
    kind: DocumentKind,
    *,
    actor: Actor,
    today: date,
    rank: int | None = None,
) -> Iterator[RenderedDocument]:
    """The document of every agreement, in their order (see `documents.render_documents`:
    worker processes for a long list, one read session per document); the actor is checked
    before anything is read."""
    require_coordination(actor, PRINTING)
    return documents.render_documents(database, agreement_ids, kind, today=today, rank=rank)


@writes
def journal_printed(
    session: Session, agreement_ids: Sequence[int], label: str, *, actor: Actor
) -> None:
    """One journal entry per document of a batch saved or printed, all in one go."""
    require_coordination(actor, PRINTING)
    for agreement_id in agreement_ids:
        audit.record_document_printed(session, agreement_id, label)


# ---------------------------------------------------------------- PDF files


def write_pdf_file(path: Path, data: bytes) -> None:
    """Write `data` next to `path`, then replace it: a failure leaves no half-written PDF."""
    write_pdf(path, lambda out: out.write(data))


def refuse_unsafe_target(path: Path) -> None:
    """Refuse (in French) a PDF chosen to go over a database or into the backup folder.

    No base URL here: the base is refused as any SQLite file is; its companions never end
    in .pdf.
    """
    refuse_overwriting_base(
        path, database_url=None, backup_folder=backup_dir(), label="le fichier choisi"
    )
