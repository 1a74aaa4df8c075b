"""The data printed on the agreement documents, gathered from the services (no Qt)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Agreement, OrientationDecision
from app.domain.agreement_rules import ADULT_AGE, HOURS_PER_DAY_EQUIVALENT
from app.pdf.convention_data import ConventionData, HostParty, OrganisationParty, TraineeParty
from app.services.agreements import get_agreement
from app.services.candidates import get_candidate, load_candidate
from app.services.errors import NotFoundError
from app.services.hosts import format_identifier, get_host
from app.services.organisation import get_organisation
from app.services.validation import age_on, format_date, parse_date

__all__ = ["WEEKDAY_LABELS", "convention_data"]

WEEKDAY_LABELS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _hours(text: str) -> float:
    try:
        return float(text.strip().replace(",", ".") or 0)
    except ValueError:
        return 0.0


def _amount(text: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None


def _join(*parts: str) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


def _address(street: str, postal_code: str, city: str) -> str:
    """ "5 avenue du Cycle, 86000 Poitiers"."""
    return ", ".join(part for part in (street.strip(), _join(postal_code, city)) if part)


def _siret(raw: str) -> str:
    return format_identifier(raw, None) if raw else ""


def convention_data(session: Session, agreement_id: int, *, today: date) -> ConventionData:
    """Everything the convention de stage prints, with the agreement's current values
    (signed amendments included)."""
    info = get_agreement(session, agreement_id)
    values = info.values
    host = get_host(session, info.host_id)
    org = get_organisation(session)
    person = get_candidate(session, info.candidate_id).values
    candidate = load_candidate(session, info.candidate_id)

    birth = candidate.birth_date
    usage = f" (nom d'usage : {person.nom_usage})" if person.nom_usage.strip() else ""
    trainee = TraineeParty(
        name=f"{_join(person.civilite, person.prenom)} {person.nom.upper()}{usage}".strip(),
        birth_date=birth,
        address=_address(person.adresse, person.code_postal, person.commune),
        phone=person.telephone,
        email=person.email,
        is_minor=birth is not None and age_on(birth, info.start) < ADULT_AGE,
    )

    tutor_id = int(values.tuteur) if values.tuteur.strip().isdigit() else None
    tutor = next((t for t in host.tutors if t.id == tutor_id), None)

    decision = session.scalar(
        select(OrientationDecision)
        .where(OrientationDecision.candidate_id == candidate.id)
        .order_by(OrientationDecision.decided_at.desc(), OrientationDecision.id.desc())
        .limit(1)
    )
    filiere = decision.filiere if decision is not None and decision.filiere else candidate.filiere

    schedule = {day: _hours(text) for day, text in values.horaires.items()}
    week = tuple((label, schedule.get(day, 0.0)) for day, label in enumerate(WEEKDAY_LABELS))
    interruptions: list[tuple[date, date]] = []
    for start_text, end_text in values.interruptions:
        start, end = parse_date(start_text), parse_date(end_text)
        if start is not None and end is not None:
            interruptions.append((start, end))

    amendments = tuple(
        f"Version intégrant l'avenant n° {a.rank} signé le {format_date(a.signed_on)}"
        for a in info.amendments
        if a.signed_on is not None
    )
    identifier = host.siret or host.rna
    return ConventionData(
        organisation=OrganisationParty(
            name=org.nom,
            address=org.adresse,
            siret=_siret(org.siret),
            activity_declaration=org.declaration_activite,
            director_name=org.directeur,
            director_function=org.fonction_directeur,
            insurer=org.assureur,
            policy_number=org.numero_police,
            signing_city=org.ville_signature,
            logo_path=org.logo,
        ),
        host=HostParty(
            name=host.name,
            legal_form=host.legal_form_label,
            identifier=format_identifier(host.siret, host.rna),
            identifier_label="RNA" if identifier and not host.siret else "SIRET",
            naf_code=host.naf_code,
            headcount_band=host.headcount_band,
            address=_address(host.address, host.postal_code, host.city),
            representative_name=host.representative_name,
            representative_function=host.representative_function,
            insurer=host.insurer,
            policy_number=host.policy_number,
            is_public=host.is_public,
        ),
        trainee=trainee,
        filiere=filiere.label if filiere else "",
        site=candidate.site.name,
        season=candidate.season.label,
        place=values.lieu,
        start=info.start,
        end=info.end,
        interruptions=tuple(interruptions),
        schedule=week,
        hours_total=info.hours.hours,
        days_total=info.hours.hours / HOURS_PER_DAY_EQUIVALENT,
        presence_days=info.hours.days,
        hours_per_week=sum(h for _, h in week),
        days_per_week=sum(1 for _, h in week if h > 0),
        night_allowed=values.nuit == "oui",
        sunday_allowed=values.dimanche == "oui",
        holiday_allowed=values.ferie == "oui",
        tutor_name=tutor.name if tutor else info.tutor_name,
        tutor_function=tutor.function if tutor else "",
        tutor_phone=tutor.phone if tutor else "",
        tutor_email=tutor.email if tutor else "",
        referent=values.formateur_referent,
        activities=values.activites,
        competences=values.competences,
        indemnity_amount=_amount(values.indemnite),
        indemnity_unit=values.unite_indemnite,
        indemnity_payment_mode=values.mode_versement,
        benefits=values.avantages,
        number=info.number,
        printed_on=today,
        amendments=amendments,
    )


def agreement_id_for_number(session: Session, number: str) -> int:
    """The agreement printed under this number (FAB-2027-0012), or a French refusal."""
    wanted = number.strip().upper()
    found = session.scalar(select(Agreement.id).where(Agreement.number == wanted))
    if found is None:
        raise NotFoundError(f"Aucune convention ne porte le numéro « {number.strip()} ».")
    return found
