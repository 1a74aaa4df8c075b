"""The checks of an agreement form: the rules of `app.domain.agreement_rules`, fed with what
the database knows (learner, host, cohort window, tutor load, orientation decision, the
learner's other agreements). See /shared/domain/agreements.md."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import Agreement, Host, OrientationDecision
from app.domain.agreement import AgreementStatus
from app.domain.agreement_rules import (
    HoursTotal,
    check_agreement,
    is_minor,
    legal_refusals,
    overlaps,
)
from app.domain.agreement_terms import (
    AgreementHours,
    AgreementTerms,
    RemunerationPayer,
    TermsInForce,
    agreement_hours,
)
from app.domain.legal_forms import is_public_legal_form
from app.domain.orientation import Outcome
from app.services.agreements.terms import WEEKDAYS, AgreementInput, ParsedForm, parse_form
from app.services.agreements.versions import current_dates, terms_versions
from app.services.candidates.records import display_name
from app.services.errors import ValidationError
from app.services.validation import format_date

__all__ = [
    "ACTIVE_STATUSES",
    "SUNDAY_REFUSAL",
    "RuleCheck",
    "check_form",
    "cohort_window",
    "legal_review",
    "valid_terms",
    "validate_agreement",
]

S = AgreementStatus
# Agreements that hold the learner's time: two of them may not overlap.
ACTIVE_STATUSES = frozenset({S.READY.value, S.SIGNED.value, S.ONGOING.value})
# Agreements a tutor is currently supervising.
TUTOR_LOAD_STATUSES = frozenset({S.SIGNED.value, S.ONGOING.value})
VALIDATED_OUTCOMES = frozenset({Outcome.VALIDATED.value, Outcome.WITH_RESERVATIONS.value})
WINDOW_START_MONTHS, WINDOW_END_MONTHS = 6, 8
SUNDAY_REFUSAL = (
    "Pas de présence le dimanche : le stagiaire a droit au repos dominical "
    "(Code du travail, L6343-4)."
)


@dataclass(frozen=True)
class RuleCheck:
    errors: dict[str, str]
    warnings: list[str]
    hours: HoursTotal | None
    weekly_hours: float | None = None
    hours_detail: AgreementHours | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for day_of_month in (day.day, 30, 29, 28):
        try:
            return date(year, month, day_of_month)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def cohort_window(season_start: date) -> tuple[date, date]:
    """The internship period of a season: its last two months (start + 6 … start + 8 months)."""
    return (
        _add_months(season_start, WINDOW_START_MONTHS),
        _add_months(season_start, WINDOW_END_MONTHS) - timedelta(days=1),
    )


def _orientation_validated(session: Session, candidate_id: int) -> bool:
    outcome = session.scalar(
        select(OrientationDecision.outcome)
        .where(OrientationDecision.candidate_id == candidate_id)
        .order_by(OrientationDecision.decided_at.desc(), OrientationDecision.id.desc())
        .limit(1)
    )
    return outcome in VALIDATED_OUTCOMES


def _tutor_load(session: Session, tutor_id: int, exclude_id: int | None) -> int:
    statement = select(func.count(Agreement.id)).where(
        Agreement.tutor_id == tutor_id, Agreement.status.in_(TUTOR_LOAD_STATUSES)
    )
    if exclude_id is not None:
        statement = statement.where(Agreement.id != exclude_id)
    return session.scalar(statement) or 0


def _overlapping(
    session: Session, candidate_id: int, start: date, end: date, exclude_id: int | None
) -> Agreement | None:
    statement = select(Agreement).where(
        Agreement.candidate_id == candidate_id, Agreement.status.in_(ACTIVE_STATUSES)
    )
    if exclude_id is not None:
        statement = statement.where(Agreement.id != exclude_id)
    for other in session.scalars(statement.order_by(Agreement.id)):
        other_start, other_end = current_dates(session, other)
        if overlaps(start, end, other_start, other_end):
            return other
    return None


def _hours_under_check(
    session: Session, agreement_id: int | None, terms: AgreementTerms, today: date
) -> AgreementHours:
    """The total the form shows: a draft's own terms; for a signed agreement edited as an
    amendment, the periods already agreed, then these terms from today (their effect date
    once signed today)."""
    if agreement_id is not None:
        agreement = session.get(Agreement, agreement_id)
        if agreement is not None and agreement.status not in (S.DRAFT.value, S.READY.value):
            versions = terms_versions(session, agreement)
            if terms == versions[-1].terms:
                return agreement_hours(versions)
            if agreement.status in (S.SIGNED.value, S.ONGOING.value):
                effect = max(today, versions[0].terms.start)
                return agreement_hours([*versions, TermsInForce(terms, effect)])
            return agreement_hours(versions)
    return agreement_hours([TermsInForce(terms)])


def _host_is_public(host: Host) -> bool:
    return is_public_legal_form(host.legal_form)


def _term_errors(parsed: ParsedForm) -> dict[str, str]:
    """Refusals that need several fields at once."""
    errors: dict[str, str] = {}
    if parsed.schedule is not None:
        off = sorted(day for day in parsed.remote_days if parsed.schedule.hours_on(day) <= 0)
        if off:
            names = ", ".join(WEEKDAYS[day] for day in off)
            errors["teletravail"] = f"Télétravail un jour sans présence prévue : {names}."
    if parsed.payer == RemunerationPayer.OTHER and not parsed.payer_other:
        errors["financeur_autre"] = "Préciser qui verse la rémunération du stagiaire."
    paid = parsed.indemnity is not None and parsed.indemnity > 0
    if paid and not parsed.payment_mode:
        errors["mode_versement"] = "Indiquer le mode de versement de l'indemnité."
    return errors


def check_form(
    session: Session, data: AgreementInput, *, agreement_id: int | None, today: date
) -> tuple[RuleCheck, ParsedForm]:
    """Every refusal and warning of the form, the hours, and the parsed values."""
    errors: dict[str, str] = {}
    warnings: list[str] = []
    parsed = parse_form(session, data, errors)
    for key, message in _term_errors(parsed).items():
        errors.setdefault(key, message)
    hours: AgreementHours | None = None
    terms = parsed.terms()
    if parsed.start and parsed.end and parsed.schedule is not None:
        candidate = parsed.candidate
        # The live total needs only the dates and the week: shown before the learner and the
        # host are chosen too.
        counted = terms or AgreementTerms(
            candidate_id=0,
            host_id=0,
            start=parsed.start,
            end=parsed.end,
            week=parsed.schedule,
            interruptions=tuple(parsed.interruptions),
        )
        hours = _hours_under_check(session, agreement_id, counted, today)
        report = check_agreement(
            parsed.start,
            parsed.end,
            parsed.schedule,
            parsed.interruptions,
            learner_birth_date=candidate.birth_date if candidate else None,
            today=today,
            host_is_public=bool(parsed.host and _host_is_public(parsed.host)),
            night=parsed.night,
            sunday=parsed.sunday,
            holiday=parsed.holiday,
            indemnity_amount=parsed.indemnity,
            indemnity_payment_mode=parsed.payment_mode,
            cohort_window=cohort_window(candidate.season.start_date) if candidate else None,
            tutor_ongoing_count=(
                _tutor_load(session, parsed.tutor.id, agreement_id) if parsed.tutor else 0
            ),
            orientation_validated=(
                _orientation_validated(session, candidate.id) if candidate else True
            ),
        )
        for key, message in report.errors.items():
            errors.setdefault(key, message)
        if (
            candidate is not None
            and is_minor(candidate.birth_date, parsed.start)
            and not parsed.representative
        ):
            errors.setdefault(
                "representant_legal",
                f"{display_name(candidate)} aura moins de 18 ans au début du stage : indiquer "
                "son représentant légal (nom, qualité, téléphone).",
            )
        warnings.extend(report.warnings)
        if candidate is not None and parsed.end >= parsed.start:
            other = _overlapping(session, candidate.id, parsed.start, parsed.end, agreement_id)
            if other is not None:
                other_start, other_end = current_dates(session, other)
                errors.setdefault(
                    "date_debut",
                    f"{display_name(candidate)} a déjà une convention "
                    f"{S(other.status).label} sur cette période "
                    f"({other.number or 'sans numéro'}, du {format_date(other_start)} "
                    f"au {format_date(other_end)}).",
                )
    else:
        # The dates are incomplete: the week's legal limits are still worth showing (an adult's
        # until the learner and the start are known).
        minor = parsed.candidate is not None and is_minor(
            parsed.candidate.birth_date, parsed.start or today
        )
        if parsed.schedule is not None:
            refusals = legal_refusals(
                parsed.schedule,
                minor=minor,
                night=parsed.night,
                sunday=parsed.sunday,
                holiday=parsed.holiday,
            )
            for key, message in refusals.items():
                errors.setdefault(key, message)
        elif parsed.sunday:
            errors.setdefault("dimanche", SUNDAY_REFUSAL)
    weekly = parsed.schedule.hours_per_week if parsed.schedule is not None else None
    return (
        RuleCheck(
            errors=errors,
            warnings=warnings,
            hours=hours.total if hours else None,
            weekly_hours=weekly,
            hours_detail=hours,
        ),
        parsed,
    )


def validate_agreement(
    session: Session, data: AgreementInput, *, agreement_id: int | None = None, today: date
) -> RuleCheck:
    """Refusals by field, warnings and the live hours total of the form; writes nothing."""
    check, _ = check_form(session, data, agreement_id=agreement_id, today=today)
    return check


def valid_terms(
    session: Session, data: AgreementInput, *, agreement_id: int | None, today: date
) -> AgreementTerms:
    """The typed terms of a form every rule accepts; ValidationError otherwise."""
    check, parsed = check_form(session, data, agreement_id=agreement_id, today=today)
    if check.errors:
        raise ValidationError(check.errors)
    terms = parsed.terms()
    assert terms is not None  # every field it needs was accepted
    return terms


def legal_review(terms: AgreementTerms, birth_date: date | None) -> tuple[str, ...]:
    """Why terms saved under earlier rules break the law now ("à revoir"); empty = fine."""
    refusals = legal_refusals(
        terms.week,
        minor=is_minor(birth_date, terms.start),
        night=terms.night,
        sunday=terms.sunday,
        holiday=terms.holiday,
    )
    return tuple(refusals.values())
