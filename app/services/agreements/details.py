"""One agreement as every screen and document reads it: terms, hours, signatures,
amendments and history."""

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import AgreementEvent, AgreementSignature, Amendment, Tutor
from app.domain.agreement import AgreementStatus, Signatory
from app.domain.agreement_rules import HoursTotal
from app.domain.agreement_terms import AgreementHours, AgreementTerms, TermsInForce, agreement_hours
from app.services.accounts.names import display_names, person_name
from app.services.agreements.rules import legal_review
from app.services.agreements.terms import AgreementInput, terms_to_input
from app.services.agreements.versions import load_agreement, terms_versions
from app.services.candidates.records import display_name

__all__ = [
    "AgreementInfo",
    "AmendmentInfo",
    "EventInfo",
    "SignatureInfo",
    "get_agreement",
    "signature_state",
]


S = AgreementStatus


@dataclass(frozen=True)
class SignatureInfo:
    signatory: str
    label: str
    signed_on: date
    outside_app: bool


@dataclass(frozen=True)
class AmendmentInfo:
    rank: int
    changes: dict[str, tuple[str, str]]
    reason: str
    signed_on: date | None


@dataclass(frozen=True)
class EventInfo:
    at: datetime
    author: str
    from_label: str
    to_label: str
    comment: str


@dataclass(frozen=True)
class AgreementInfo:
    id: int
    number: str | None
    status: str
    status_label: str
    candidate_id: int
    learner_name: str
    host_id: int
    host_name: str
    tutor_name: str
    referent: str
    start: date
    end: date
    hours: HoursTotal
    values: AgreementInput
    signatures: tuple[SignatureInfo, ...]
    missing_signatures: tuple[str, ...]
    amendments: tuple[AmendmentInfo, ...]
    events: tuple[EventInfo, ...]
    version: int
    ended_on: date | None = None
    end_reason: str | None = None
    # Typed: the current terms, every version in force, and the hours period by period.
    terms: AgreementTerms | None = None
    versions: tuple[TermsInForce, ...] = ()
    hours_detail: AgreementHours | None = None
    to_review: tuple[str, ...] = ()


def _status_label(status: str | None) -> str:
    return S(status).label if status else ""


def signature_state(
    session: Session, agreement_id: int
) -> tuple[tuple[SignatureInfo, ...], tuple[str, ...]]:
    """The agreement's own signatures (not its amendments'), and the signatories still
    missing (none once it was signed outside the application)."""
    rows = list(
        session.scalars(
            select(AgreementSignature)
            .where(
                AgreementSignature.agreement_id == agreement_id,
                AgreementSignature.amendment_id.is_(None),
            )
            .order_by(AgreementSignature.id)
        )
    )
    signatures = tuple(
        SignatureInfo(
            signatory=row.signatory,
            label="Signée hors application" if row.outside_app else Signatory(row.signatory).label,
            signed_on=row.signed_on,
            outside_app=row.outside_app,
        )
        for row in rows
    )
    if any(row.outside_app for row in rows):
        return signatures, ()
    signed = {row.signatory for row in rows}
    missing = tuple(s.label for s in Signatory if s.value not in signed)
    return signatures, missing


def get_agreement(session: Session, agreement_id: int) -> AgreementInfo:
    """The agreement with its current terms (signed amendments included), its hours,
    signatures, amendments, history and legal review."""
    agreement = load_agreement(session, agreement_id)
    versions = terms_versions(session, agreement)
    terms = versions[-1].terms
    hours = agreement_hours(versions)
    tutor = session.get(Tutor, terms.tutor_id) if terms.tutor_id else None
    signatures, missing = signature_state(session, agreement.id)
    amendments = tuple(
        AmendmentInfo(
            rank=a.rank,
            changes={k: (v[0], v[1]) for k, v in json.loads(a.changes).items()},
            reason=a.reason,
            signed_on=a.signed_on,
        )
        for a in session.scalars(
            select(Amendment).where(Amendment.agreement_id == agreement.id).order_by(Amendment.rank)
        )
    )
    names = display_names(session)
    events = tuple(
        EventInfo(
            at=e.at,
            author=person_name(names, e.author),
            from_label=_status_label(e.from_status),
            to_label=_status_label(e.to_status),
            comment=e.comment,
        )
        for e in session.scalars(
            select(AgreementEvent)
            .where(AgreementEvent.agreement_id == agreement.id)
            .order_by(AgreementEvent.id)
        )
    )
    review = (
        ()
        if agreement.status == S.CANCELLED.value
        else legal_review(terms, agreement.candidate.birth_date)
    )
    return AgreementInfo(
        id=agreement.id,
        number=agreement.number,
        status=agreement.status,
        status_label=S(agreement.status).label,
        candidate_id=agreement.candidate_id,
        learner_name=display_name(agreement.candidate),
        host_id=agreement.host_id,
        host_name=agreement.host.name,
        tutor_name=tutor.name if tutor else "",
        referent=terms.referent,
        start=terms.start,
        end=terms.end,
        hours=hours.total,
        values=terms_to_input(terms),
        signatures=signatures,
        missing_signatures=missing,
        amendments=amendments,
        events=events,
        version=agreement.version,
        ended_on=agreement.ended_on,
        end_reason=agreement.end_reason,
        terms=terms,
        versions=tuple(versions),
        hours_detail=hours,
        to_review=review,
    )
