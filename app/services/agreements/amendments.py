"""Amendments (avenants): the fields that change from the current terms, counting once
signed."""

import json
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import Amendment
from app.domain.agreement import AgreementStatus
from app.services.actor import Actor
from app.services.agreements.details import AgreementInfo, AmendmentInfo, get_agreement
from app.services.agreements.life_cycle import (
    agreement_in,
    log_event,
    require_writer,
    required_reason,
)
from app.services.agreements.rules import check_form
from app.services.agreements.terms import AgreementInput, changed_fields
from app.services.agreements.terms_text import terms_field_text
from app.services.agreements.versions import terms_versions
from app.services.errors import NotFoundError, ValidationError
from app.services.validation import format_date
from app.services.versioning import AGREEMENT, flush_checked, record_change

__all__ = [
    "create_amendment",
    "sign_amendment",
]

S = AgreementStatus
_FIELDS_FIXED_BY_AMENDMENT = {
    "candidat": "Un avenant ne change pas de stagiaire : annuler ou rompre la convention.",
    "structure": "Un avenant ne change pas de structure d'accueil : établir une autre convention.",
}


def create_amendment(
    session: Session,
    agreement_id: int,
    data: AgreementInput,
    reason: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> AmendmentInfo:
    """Avenant n° k: the fields that change from the current values; counts once signed."""
    require_writer(actor)
    now = now or datetime.now()
    agreement = agreement_in(
        session, agreement_id, (S.SIGNED, S.ONGOING), "Impossible d'établir un avenant"
    )
    pending = session.scalar(
        select(Amendment.rank).where(
            Amendment.agreement_id == agreement.id, Amendment.signed_on.is_(None)
        )
    )
    if pending is not None:
        raise ValidationError({"avenant": f"L'avenant n° {pending} attend encore sa signature."})
    check, parsed = check_form(session, data, agreement_id=agreement.id, today=now.date())
    errors = dict(check.errors)
    reason_text = required_reason(reason, "Indiquer le motif de l'avenant.", errors)
    if errors:
        raise ValidationError(errors)
    before = terms_versions(session, agreement)[-1].terms
    after = parsed.terms()
    assert after is not None  # every field it needs was accepted
    names = changed_fields(before, after)
    refused = {
        name: _FIELDS_FIXED_BY_AMENDMENT[name]
        for name in names
        if name in _FIELDS_FIXED_BY_AMENDMENT
    }
    if refused:
        raise ValidationError(refused)
    if not names:
        raise ValidationError({"avenant": "L'avenant ne change rien à la convention."})
    changes = {
        name: [terms_field_text(session, before, name), terms_field_text(session, after, name)]
        for name in names
    }
    rank = (
        session.scalar(
            select(func.max(Amendment.rank)).where(Amendment.agreement_id == agreement.id)
        )
        or 0
    ) + 1
    amendment = Amendment(
        agreement_id=agreement.id,
        rank=rank,
        changes=json.dumps(changes, ensure_ascii=False),
        terms=after.to_json(),
        reason=reason_text or "",
        created_by=actor.author,
        created_at=now,
    )
    session.add(amendment)
    record_change(agreement, author=actor.author, now=now)
    log_event(
        session,
        agreement,
        author=actor.author,
        now=now,
        from_status=None,
        to_status=None,
        comment=f"Avenant n° {rank} établi : {reason_text}",
    )
    flush_checked(session, agreement, AGREEMENT)
    return AmendmentInfo(
        rank=rank,
        changes={k: (v[0], v[1]) for k, v in changes.items()},
        reason=amendment.reason,
        signed_on=None,
    )


def sign_amendment(
    session: Session,
    agreement_id: int,
    rank: int,
    signed_on: date,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> AgreementInfo:
    """The amendment is signed: from now on its values are the agreement's current ones."""
    require_writer(actor)
    now = now or datetime.now()
    agreement = agreement_in(
        session, agreement_id, (S.SIGNED, S.ONGOING), "Impossible de signer un avenant"
    )
    amendment = session.scalar(
        select(Amendment).where(Amendment.agreement_id == agreement.id, Amendment.rank == rank)
    )
    if amendment is None:
        raise NotFoundError(f"L'avenant n° {rank} n'existe pas.")
    if amendment.signed_on is not None:
        raise ValidationError(
            {"avenant": f"L'avenant n° {rank} est déjà signé ({format_date(amendment.signed_on)})."}
        )
    if signed_on > now.date():
        raise ValidationError(
            {"date_signature": "La date de signature ne peut pas être dans le futur."}
        )
    amendment.signed_on = signed_on
    record_change(agreement, author=actor.author, now=now)
    log_event(
        session,
        agreement,
        author=actor.author,
        now=now,
        from_status=None,
        to_status=None,
        comment=f"Avenant n° {rank} signé le {format_date(signed_on)}.",
    )
    flush_checked(session, agreement, AGREEMENT)
    return get_agreement(session, agreement.id)
