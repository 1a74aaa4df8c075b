"""The terms an agreement stores, and its versions in force: the base terms, then each
signed amendment's from its signing day. THE hours of an agreement come from here."""

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Agreement, Amendment
from app.domain.agreement_rules import Interruption, WeeklySchedule
from app.domain.agreement_terms import (
    AgreementHours,
    AgreementTerms,
    BreakRule,
    IndemnityUnit,
    RemunerationPayer,
    TermsInForce,
    agreement_hours,
)
from app.services.errors import NotFoundError

__all__ = [
    "agreement_hours_for",
    "current_dates",
    "load_agreement",
    "store_terms",
    "stored_terms",
    "terms_versions",
]


def load_agreement(session: Session, agreement_id: int) -> Agreement:
    """The agreement, or a French refusal when it no longer exists."""
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFoundError("Cette convention n'existe plus.")
    return agreement


def store_terms(agreement: Agreement, terms: AgreementTerms) -> None:
    """Write the terms into the agreement's columns (its base terms)."""
    agreement.candidate_id = terms.candidate_id
    agreement.legal_representative = terms.legal_representative or None
    agreement.host_id = terms.host_id
    agreement.tutor_id = terms.tutor_id
    agreement.referent_trainer = terms.referent
    agreement.referent_phone = terms.referent_phone or None
    agreement.referent_email = terms.referent_email or None
    agreement.place = terms.place or None
    agreement.start_date = terms.start
    agreement.end_date = terms.end
    agreement.schedule = json.dumps(
        {str(day): hours for day, hours in terms.week.hours_by_day.items()}
    )
    agreement.remote_weekdays = ",".join(str(day) for day in sorted(terms.remote_days))
    agreement.interruptions = json.dumps(
        [[i.start.isoformat(), i.end.isoformat()] for i in terms.interruptions]
    )
    agreement.night_allowed = terms.night
    agreement.sunday_allowed = terms.sunday
    agreement.holiday_allowed = terms.holiday
    agreement.activities = terms.activities
    agreement.competences = terms.competences
    agreement.indemnity_amount = terms.indemnity
    agreement.indemnity_unit = terms.indemnity_unit.value if terms.indemnity_unit else None
    agreement.indemnity_payment_mode = terms.payment_mode or None
    agreement.indemnity_break_rule = (
        terms.indemnity_break_rule.value if terms.indemnity_break_rule else None
    )
    agreement.benefits = terms.benefits
    agreement.remuneration_payer = terms.payer.value if terms.payer else None
    agreement.remuneration_payer_other = terms.payer_other or None


def stored_terms(agreement: Agreement) -> AgreementTerms:
    """The agreement's own (base) terms, as stored."""
    schedule = {int(day): float(hours) for day, hours in json.loads(agreement.schedule).items()}
    amount = agreement.indemnity_amount
    paid = amount is not None and amount > 0
    return AgreementTerms(
        candidate_id=agreement.candidate_id,
        host_id=agreement.host_id,
        tutor_id=agreement.tutor_id,
        legal_representative=agreement.legal_representative or "",
        referent=agreement.referent_trainer or "",
        referent_phone=agreement.referent_phone or "",
        referent_email=agreement.referent_email or "",
        place=agreement.place or "",
        start=agreement.start_date,
        end=agreement.end_date,
        week=WeeklySchedule(schedule),
        remote_days=frozenset(int(d) for d in (agreement.remote_weekdays or "").split(",") if d),
        interruptions=tuple(
            Interruption(date.fromisoformat(a), date.fromisoformat(b))
            for a, b in json.loads(agreement.interruptions)
        ),
        night=agreement.night_allowed,
        sunday=agreement.sunday_allowed,
        holiday=agreement.holiday_allowed,
        activities=agreement.activities or "",
        competences=agreement.competences or "",
        indemnity=Decimal(amount) if paid and amount is not None else None,
        indemnity_unit=IndemnityUnit(agreement.indemnity_unit)
        if paid and agreement.indemnity_unit
        else None,
        payment_mode=(agreement.indemnity_payment_mode or "") if paid else "",
        indemnity_break_rule=BreakRule(agreement.indemnity_break_rule)
        if agreement.indemnity_break_rule
        else None,
        benefits=agreement.benefits or "",
        payer=RemunerationPayer(agreement.remuneration_payer)
        if agreement.remuneration_payer
        else None,
        payer_other=agreement.remuneration_payer_other or "",
    )


def _signed_amendments(session: Session, agreement_id: int) -> list[Amendment]:
    return list(
        session.scalars(
            select(Amendment)
            .where(Amendment.agreement_id == agreement_id, Amendment.signed_on.is_not(None))
            .order_by(Amendment.rank)
        )
    )


def terms_versions(session: Session, agreement: Agreement) -> list[TermsInForce]:
    """The base terms, then each signed amendment's terms from its signing day."""
    versions = [TermsInForce(stored_terms(agreement))]
    for amendment in _signed_amendments(session, agreement.id):
        assert amendment.terms is not None and amendment.signed_on is not None
        versions.append(
            TermsInForce(
                AgreementTerms.from_json(amendment.terms), amendment.signed_on, amendment.rank
            )
        )
    return versions


def current_dates(session: Session, agreement: Agreement) -> tuple[date, date]:
    """The start and end in force (a signed amendment may have moved them)."""
    terms = terms_versions(session, agreement)[-1].terms
    return terms.start, terms.end


def agreement_hours_for(
    session: Session, agreement_id: int, until: date | None = None
) -> AgreementHours:
    """THE hours of an agreement: its signed amendments each counting from their signing day,
    period by period, up to its end (or `until`). Every screen, document and export shows
    this figure."""
    return agreement_hours(terms_versions(session, load_agreement(session, agreement_id)), until)
