"""Documents issued once: the first print of an attestation de stage is its original (a
number and a date stored in `AgreementDocument`); every later print is a duplicate of it,
with that number and that date. No Qt."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Agreement
from app.domain.agreement import AgreementDocument
from app.services.errors import NotFoundError

__all__ = [
    "ATTESTATION",
    "IssuedDocument",
    "document_number",
    "issue_document",
    "issued_document",
]

ATTESTATION = "attestation"
# "FAB-2026-0005" -> "ATT-2026-0005": the attestation's number says which agreement it closes.
_PREFIXES = {ATTESTATION: "ATT"}


@dataclass(frozen=True)
class IssuedDocument:
    kind: str
    number: str  # "ATT-2026-0005"
    issued_on: date
    issued_by: str
    duplicate: bool  # True: printed again, after its first issue


def document_number(agreement_number: str, kind: str) -> str:
    """The document's number, from the agreement's: "FAB-2026-0005" -> "ATT-2026-0005"."""
    prefix = _PREFIXES.get(kind, kind[:3].upper())
    _, separator, rest = agreement_number.partition("-")
    return f"{prefix}-{rest}" if separator and rest else f"{prefix}-{agreement_number}"


def issued_document(session: Session, agreement_id: int, kind: str) -> IssuedDocument | None:
    """The first issue of this document of the agreement, or None when it was never issued."""
    row = session.scalar(
        select(AgreementDocument).where(
            AgreementDocument.agreement_id == agreement_id, AgreementDocument.kind == kind
        )
    )
    if row is None:
        return None
    return IssuedDocument(row.kind, row.number, row.issued_on, row.issued_by, duplicate=True)


def issue_document(
    session: Session, agreement_id: int, kind: str, *, today: date, author: str
) -> IssuedDocument:
    """This print of the document: its first issue (recorded now, in `session`, with today's
    date) or, when it was issued before, a duplicate carrying the first issue's number and
    date. The record is kept only when the caller's session commits."""
    existing = issued_document(session, agreement_id, kind)
    if existing is not None:
        return existing
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFoundError("Cette convention n'existe plus.")
    number = document_number(agreement.number or str(agreement.id), kind)
    session.add(
        AgreementDocument(
            agreement_id=agreement_id,
            kind=kind,
            number=number,
            issued_on=today,
            issued_by=author,
        )
    )
    session.flush()
    return IssuedDocument(kind, number, today, author, duplicate=False)
