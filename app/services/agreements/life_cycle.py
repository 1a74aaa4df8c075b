"""Internship agreements: form validation, drafts, life cycle, signatures, amendments.

See /shared/domain/agreements.md. The rules themselves live in `app.domain.agreement_rules`;
this module parses what the user typed, feeds the rules with what the database knows (learner,
host, cohort window, tutor load, orientation decision, other agreements) and writes the life
cycle, every transition being logged as an `AgreementEvent`.
"""

import json
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.domain import (
    Agreement,
    AgreementEvent,
    AgreementNumber,
    AgreementSignature,
    Amendment,
    Candidate,
    Host,
    OrientationDecision,
    Season,
    Site,
    Tutor,
)
from app.domain.agreement import AgreementStatus, Signatory
from app.domain.agreement_rules import (
    HoursTotal,
    Interruption,
    WeeklySchedule,
    check_agreement,
    is_minor,
    legal_refusals,
    overlaps,
)
from app.domain.agreement_terms import (
    AgreementHours,
    AgreementTerms,
    BreakRule,
    IndemnityUnit,
    RemunerationPayer,
    TermsInForce,
    agreement_hours,
)
from app.domain.legal_forms import is_public_legal_form
from app.domain.orientation import Outcome
from app.pdf.quantities import describe_total, format_hours
from app.services.actor import Actor
from app.services.candidates.records import display_name, name_for_display
from app.services.errors import NotFoundError, PermissionDenied, ValidationError
from app.services.permissions import role_of
from app.services.validation import (
    FieldError,
    clean_line,
    clean_text,
    format_date,
    format_phone,
    is_existing_file,
    parse_bool,
    parse_date,
    parse_email,
    parse_phone,
)
from app.services.versioning import (
    AGREEMENT,
    check_version,
    flush_checked,
    record_change,
    stamp_author,
)

__all__ = [
    "ACTIVE_STATUSES",
    "AgreementInfo",
    "AgreementInput",
    "AgreementRow",
    "AgreementTerms",
    "AmendmentInfo",
    "EventInfo",
    "PermissionDenied",
    "RuleCheck",
    "SignatureInfo",
    "agreement_hours_for",
    "break_off",
    "cancel",
    "changed_fields",
    "create_amendment",
    "create_draft",
    "describe_hours",
    "get_agreement",
    "legal_review",
    "list_agreements",
    "mark_ready",
    "record_signature",
    "refresh_status",
    "refresh_statuses",
    "schedule_text",
    "sign_amendment",
    "terms_field_text",
    "terms_to_input",
    "update_draft",
    "validate_agreement",
]

S = AgreementStatus
ROLE_WRITING = "coordination"
# Agreements that hold the learner's time: two of them may not overlap.
ACTIVE_STATUSES = frozenset({S.READY.value, S.SIGNED.value, S.ONGOING.value})
# Agreements a tutor is currently supervising.
TUTOR_LOAD_STATUSES = frozenset({S.SIGNED.value, S.ONGOING.value})
VALIDATED_OUTCOMES = frozenset({Outcome.VALIDATED.value, Outcome.WITH_RESERVATIONS.value})
INDEMNITY_UNITS = {"heure": "heure", "mois": "mois", "forfait": "forfait"}
WINDOW_START_MONTHS, WINDOW_END_MONTHS = 6, 8
NUMBER_PREFIX = "FAB"
MAX_AMOUNT = Decimal(10) ** 8  # the column holds 10 digits, 2 of them after the comma
SYSTEM_AUTHOR = "application"
# The error key of mark_ready when the start date is past and no reason was given.
LATE_START = "date_debut_passee"

_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_FIELDS_FIXED_BY_AMENDMENT = {
    "candidat": "Un avenant ne change pas de stagiaire : annuler ou rompre la convention.",
    "structure": "Un avenant ne change pas de structure d'accueil : établir une autre convention.",
}


# ---------------------------------------------------------------- input and output


@dataclass
class AgreementInput:
    """The agreement form as typed; ids as text, dates JJ/MM/AAAA, amounts with a comma."""

    candidat: str = ""
    representant_legal: str = ""
    structure: str = ""
    tuteur: str = ""
    formateur_referent: str = ""
    telephone_referent: str = ""
    email_referent: str = ""
    lieu: str = ""
    date_debut: str = ""
    date_fin: str = ""
    horaires: dict[int, str] = field(default_factory=dict)
    interruptions: list[tuple[str, str]] = field(default_factory=list)
    teletravail: list[int] = field(default_factory=list)
    nuit: str = "non"
    dimanche: str = "non"
    ferie: str = "non"
    activites: str = ""
    competences: str = ""
    indemnite: str = ""
    unite_indemnite: str = ""
    mode_versement: str = ""
    regle_rupture: str = ""
    avantages: str = ""
    financeur: str = ""
    financeur_autre: str = ""

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


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


@dataclass(frozen=True)
class AgreementRow:
    id: int
    number: str
    status: str
    status_label: str
    learner: str
    host: str
    start: date
    end: date
    waiting_signature: bool
    ends_this_month: bool
    host_id: int
    to_review: tuple[str, ...] = ()


# ---------------------------------------------------------------- parsing


@dataclass(frozen=True)
class _Parsed:
    """Typed values of a form; None where the field was refused or left empty."""

    candidate: Candidate | None
    representative: str | None
    host: Host | None
    tutor: Tutor | None
    referent: str | None
    referent_phone: str | None
    referent_email: str | None
    place: str | None
    start: date | None
    end: date | None
    schedule: WeeklySchedule | None
    interruptions: list[Interruption]
    remote_days: frozenset[int]
    night: bool
    sunday: bool
    holiday: bool
    activities: str | None
    competences: str | None
    indemnity: Decimal | None
    unit: str | None
    payment_mode: str | None
    break_rule: BreakRule | None
    benefits: str | None
    payer: RemunerationPayer | None
    payer_other: str | None

    def terms(self) -> AgreementTerms | None:
        """The typed terms, when every value they need was accepted."""
        if not (self.candidate and self.host and self.start and self.end and self.schedule):
            return None
        paid = self.indemnity is not None and self.indemnity > 0
        return AgreementTerms(
            candidate_id=self.candidate.id,
            host_id=self.host.id,
            tutor_id=self.tutor.id if self.tutor else None,
            legal_representative=self.representative or "",
            referent=self.referent or "",
            referent_phone=self.referent_phone or "",
            referent_email=self.referent_email or "",
            place=self.place or "",
            start=self.start,
            end=self.end,
            week=self.schedule,
            remote_days=self.remote_days,
            interruptions=tuple(self.interruptions),
            night=self.night,
            sunday=self.sunday,
            holiday=self.holiday,
            activities=self.activities or "",
            competences=self.competences or "",
            indemnity=self.indemnity if paid else None,
            indemnity_unit=IndemnityUnit(self.unit) if paid and self.unit else None,
            payment_mode=(self.payment_mode or "") if paid else "",
            indemnity_break_rule=self.break_rule
            if paid and self.unit == IndemnityUnit.FLAT
            else None,
            benefits=self.benefits or "",
            payer=self.payer,
            payer_other=(self.payer_other or "") if self.payer == RemunerationPayer.OTHER else "",
        )


def _parse_id(raw: str, label: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise FieldError(f"{label} : identifiant invalide.")
    return int(text)


def _parse_hours(raw: str, weekday: int) -> float:
    text = raw.strip().replace(",", ".").removesuffix("h").strip()
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        raise FieldError(
            f"Nombre d'heures illisible le {_WEEKDAYS[weekday]} (exemple : 7 ou 7,5)."
        ) from None
    if not 0 <= value <= 24:  # NaN and infinity fail too
        raise FieldError(f"Nombre d'heures invalide le {_WEEKDAYS[weekday]}.")
    return value


def _parse_schedule(raw: dict[int, str]) -> WeeklySchedule:
    hours: dict[int, float] = {}
    for day, text in sorted(raw.items()):
        if day not in range(7):
            raise FieldError(f"Jour de la semaine inconnu : {day}.")
        hours[day] = _parse_hours(text, day)
    return WeeklySchedule(hours)


def _parse_interruptions(raw: list[tuple[str, str]]) -> list[Interruption]:
    result = []
    for number, (start_text, end_text) in enumerate(raw, start=1):
        try:
            start, end = parse_date(start_text), parse_date(end_text)
        except FieldError as error:
            raise FieldError(f"Interruption n° {number} : {error}") from None
        if start is None or end is None:
            raise FieldError(f"Interruption n° {number} : indiquer le début et la fin.")
        result.append(Interruption(start, end))
    return result


def _parse_amount(raw: str) -> Decimal | None:
    text = raw.strip().replace("€", "").replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise FieldError("Montant illisible (exemple : 4,35).") from None
    if not value.is_finite():
        raise FieldError("Montant illisible (exemple : 4,35).")
    if abs(value) >= MAX_AMOUNT:
        raise FieldError("Montant trop élevé (exemple : 4,35).")
    return value.quantize(Decimal("0.01"))


def _host_is_public(host: Host) -> bool:
    return is_public_legal_form(host.legal_form)


def _parse_phone(raw: str) -> str | None:
    e164 = parse_phone(raw)
    return format_phone(e164) if e164 else None


def _parse_remote_days(raw: list[int]) -> frozenset[int]:
    days = frozenset(raw)
    if not days <= set(range(7)):
        raise FieldError("Jour de télétravail inconnu.")
    return days


def _parse_break_rule(raw: str) -> BreakRule | None:
    text = raw.strip().lower()
    if not text:
        return None
    try:
        return BreakRule(text)
    except ValueError:
        raise FieldError("Règle attendue : « prorata » ou « convenu ».") from None


def _parse_payer(raw: str) -> RemunerationPayer | None:
    text = raw.strip().lower()
    if not text:
        return None
    for payer in RemunerationPayer:
        if text in (payer.value, payer.label.lower()):
            return payer
    allowed = ", ".join(f"« {payer.label} »" for payer in RemunerationPayer)
    raise FieldError(f"Financeur inconnu : choisir parmi {allowed}.")


def _parse(session: Session, data: AgreementInput, errors: dict[str, str]) -> _Parsed:
    """Parse every field, collecting refusals in `errors` (all at once)."""

    def attempt(name: str, parse: Any, default: Any = None) -> Any:
        try:
            return parse()
        except FieldError as error:
            errors[name] = str(error)
            return default

    candidate: Candidate | None = None
    candidate_id = attempt("candidat", lambda: _parse_id(data.candidat, "Stagiaire"))
    if candidate_id is not None:
        candidate = session.get(Candidate, candidate_id)
        if candidate is None:
            errors["candidat"] = "Ce stagiaire n'existe pas."
        elif not candidate.stage.counts_as_entry:
            errors["candidat"] = (
                f"{display_name(candidate)} n'est pas entré(e) en formation "
                f"(étape : {candidate.stage.label})."
            )
    elif "candidat" not in errors:
        errors["candidat"] = "Choisir le stagiaire."

    host: Host | None = None
    host_id = attempt("structure", lambda: _parse_id(data.structure, "Structure"))
    if host_id is not None:
        host = session.get(Host, host_id)
        if host is None:
            errors["structure"] = "Cette structure d'accueil n'existe pas."
    elif "structure" not in errors:
        errors["structure"] = "Choisir la structure d'accueil."

    tutor: Tutor | None = None
    tutor_id = attempt("tuteur", lambda: _parse_id(data.tuteur, "Tuteur"))
    if tutor_id is not None:
        tutor = session.get(Tutor, tutor_id)
        if tutor is None:
            errors["tuteur"] = "Ce tuteur n'existe pas."
        elif host is not None and tutor.host_id != host.id:
            errors["tuteur"] = f"{tutor.name} n'est pas tuteur de la structure {host.name}."

    start = attempt("date_debut", lambda: parse_date(data.date_debut))
    if start is None and "date_debut" not in errors:
        errors["date_debut"] = "Indiquer la date de début."
    end = attempt("date_fin", lambda: parse_date(data.date_fin))
    if end is None and "date_fin" not in errors:
        errors["date_fin"] = "Indiquer la date de fin."

    def flag(name: str) -> bool:
        return bool(attempt(name, lambda: parse_bool(getattr(data, name)), False))

    indemnity = attempt("indemnite", lambda: _parse_amount(data.indemnite))
    unit: str | None = None
    unit_text = data.unite_indemnite.strip().lower()
    if indemnity:
        if unit_text in INDEMNITY_UNITS:
            unit = INDEMNITY_UNITS[unit_text]
        elif unit_text:
            errors["unite_indemnite"] = "Unité attendue : « heure », « mois » ou « forfait »."
        else:
            errors["unite_indemnite"] = "Indiquer l'unité de l'indemnité (heure, mois, forfait)."

    return _Parsed(
        candidate=candidate,
        representative=attempt(
            "representant_legal",
            lambda: clean_line(data.representant_legal, 300, "Le représentant légal"),
        ),
        host=host,
        tutor=tutor,
        referent=attempt(
            "formateur_referent",
            lambda: clean_line(data.formateur_referent, 120, "Le formateur référent"),
        ),
        referent_phone=attempt("telephone_referent", lambda: _parse_phone(data.telephone_referent)),
        referent_email=attempt("email_referent", lambda: parse_email(data.email_referent)),
        place=attempt("lieu", lambda: clean_line(data.lieu, 300, "Le lieu")),
        start=start,
        end=end,
        schedule=attempt("horaires", lambda: _parse_schedule(data.horaires)),
        interruptions=attempt(
            "interruptions", lambda: _parse_interruptions(data.interruptions), []
        ),
        remote_days=attempt(
            "teletravail", lambda: _parse_remote_days(data.teletravail), frozenset()
        ),
        night=flag("nuit"),
        sunday=flag("dimanche"),
        holiday=flag("ferie"),
        activities=attempt("activites", lambda: clean_text(data.activites, 5000, "Les activités")),
        competences=attempt(
            "competences", lambda: clean_text(data.competences, 5000, "Les compétences")
        ),
        indemnity=indemnity,
        unit=unit,
        payment_mode=attempt(
            "mode_versement", lambda: clean_line(data.mode_versement, 60, "Le mode de versement")
        ),
        break_rule=attempt("regle_rupture", lambda: _parse_break_rule(data.regle_rupture)),
        benefits=attempt("avantages", lambda: clean_text(data.avantages, 5000, "Les avantages")),
        payer=attempt("financeur", lambda: _parse_payer(data.financeur)),
        payer_other=attempt(
            "financeur_autre",
            lambda: clean_line(data.financeur_autre, 120, "Le financeur de la rémunération"),
        ),
    )


# ---------------------------------------------------------------- context of the rules


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
        other_start, other_end = _current_dates(session, other)
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
            versions = _versions(session, agreement)
            if terms == versions[-1].terms:
                return agreement_hours(versions)
            if agreement.status in (S.SIGNED.value, S.ONGOING.value):
                effect = max(today, versions[0].terms.start)
                return agreement_hours([*versions, TermsInForce(terms, effect)])
            return agreement_hours(versions)
    return agreement_hours([TermsInForce(terms)])


def _term_errors(parsed: _Parsed) -> dict[str, str]:
    """Refusals that need several fields at once."""
    errors: dict[str, str] = {}
    if parsed.schedule is not None:
        off = sorted(day for day in parsed.remote_days if parsed.schedule.hours_on(day) <= 0)
        if off:
            names = ", ".join(_WEEKDAYS[day] for day in off)
            errors["teletravail"] = f"Télétravail un jour sans présence prévue : {names}."
    if parsed.payer == RemunerationPayer.OTHER and not parsed.payer_other:
        errors["financeur_autre"] = "Préciser qui verse la rémunération du stagiaire."
    paid = parsed.indemnity is not None and parsed.indemnity > 0
    if paid and not parsed.payment_mode:
        errors["mode_versement"] = "Indiquer le mode de versement de l'indemnité."
    return errors


def _check(
    session: Session, data: AgreementInput, *, agreement_id: int | None, today: date
) -> tuple[RuleCheck, _Parsed]:
    errors: dict[str, str] = {}
    warnings: list[str] = []
    parsed = _parse(session, data, errors)
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
                other_start, other_end = _current_dates(session, other)
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
    check, _ = _check(session, data, agreement_id=agreement_id, today=today)
    return check


# ---------------------------------------------------------------- terms and text

SUNDAY_REFUSAL = (
    "Pas de présence le dimanche : le stagiaire a droit au repos dominical "
    "(Code du travail, L6343-4)."
)


def describe_hours(total: HoursTotal, weekly_hours: float | None = None) -> str:
    """ "287 h, soit 41 journées de 7 h, sur 44 jours de présence · 35 h par semaine"."""
    text = describe_total(total)
    if weekly_hours:
        text += f" · {format_hours(weekly_hours)} par semaine"
    return text


def _format_amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def _yes_no(value: bool) -> str:
    return "oui" if value else "non"


def _apply(agreement: Agreement, terms: AgreementTerms) -> None:
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


def _base_terms(agreement: Agreement) -> AgreementTerms:
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


def _hours_text(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def terms_to_input(terms: AgreementTerms) -> AgreementInput:
    """The terms as the form shows them (the form edge)."""
    return AgreementInput(
        candidat=str(terms.candidate_id),
        representant_legal=terms.legal_representative,
        structure=str(terms.host_id),
        tuteur=str(terms.tutor_id) if terms.tutor_id else "",
        formateur_referent=terms.referent,
        telephone_referent=terms.referent_phone,
        email_referent=terms.referent_email,
        lieu=terms.place,
        date_debut=format_date(terms.start),
        date_fin=format_date(terms.end),
        horaires={day: _hours_text(hours) for day, hours in terms.week.hours_by_day.items()},
        interruptions=[(format_date(i.start), format_date(i.end)) for i in terms.interruptions],
        teletravail=sorted(terms.remote_days),
        nuit=_yes_no(terms.night),
        dimanche=_yes_no(terms.sunday),
        ferie=_yes_no(terms.holiday),
        activites=terms.activities,
        competences=terms.competences,
        indemnite=_format_amount(terms.indemnity) if terms.paid else "",
        unite_indemnite=terms.indemnity_unit.value if terms.indemnity_unit else "",
        mode_versement=terms.payment_mode,
        regle_rupture=terms.indemnity_break_rule.value if terms.indemnity_break_rule else "",
        avantages=terms.benefits,
        financeur=terms.payer.value if terms.payer else "",
        financeur_autre=terms.payer_other,
    )


_UNIT_TEXTS = {
    IndemnityUnit.HOUR: "par heure de présence effective",
    IndemnityUnit.MONTH: "par mois de stage",
    IndemnityUnit.FLAT: "forfait pour l'ensemble du stage",
}


def schedule_text(week: WeeklySchedule, remote_days: frozenset[int] = frozenset()) -> str:
    """ "Lundi : 7 h\n…\nsoit 35 h par semaine sur 5 jours"."""
    lines = [
        f"{_WEEKDAYS[day].capitalize()} : {format_hours(hours)}"
        + (" (télétravail)" if day in remote_days else "")
        for day, hours in week.hours_by_day.items()
    ]
    days = week.days_per_week
    lines.append(
        f"soit {format_hours(week.hours_per_week)} par semaine sur {days} "
        f"jour{'s' if days > 1 else ''}"
    )
    return "\n".join(lines)


def _tutor_text(session: Session, tutor_id: int | None) -> str:
    tutor = session.get(Tutor, tutor_id) if tutor_id else None
    if tutor is None:
        return "—"
    return f"{tutor.name}, {tutor.function}" if tutor.function else tutor.name


def terms_field_text(session: Session, terms: AgreementTerms, name: str) -> str:
    """One field of the terms as printed and as an amendment records it (form field names)."""
    presence = {True: "autorisée", False: "non autorisée"}
    texts: dict[str, Any] = {
        "candidat": lambda: display_name(session.get_one(Candidate, terms.candidate_id)),
        "representant_legal": lambda: terms.legal_representative or "—",
        "structure": lambda: session.get_one(Host, terms.host_id).name,
        "tuteur": lambda: _tutor_text(session, terms.tutor_id),
        "formateur_referent": lambda: terms.referent or "—",
        "telephone_referent": lambda: terms.referent_phone or "—",
        "email_referent": lambda: terms.referent_email or "—",
        "lieu": lambda: terms.place or "locaux de la structure d'accueil",
        "date_debut": lambda: format_date(terms.start),
        "date_fin": lambda: format_date(terms.end),
        "horaires": lambda: schedule_text(terms.week, terms.remote_days),
        "interruptions": lambda: (
            "\n".join(
                f"du {format_date(i.start)} au {format_date(i.end)} inclus"
                for i in terms.interruptions
            )
            or "aucune"
        ),
        "teletravail": lambda: ", ".join(_WEEKDAYS[d] for d in terms.remote_weekdays) or "aucun",
        "nuit": lambda: presence[terms.night],
        "dimanche": lambda: presence[terms.sunday],
        "ferie": lambda: presence[terms.holiday],
        "activites": lambda: terms.activities or "—",
        "competences": lambda: terms.competences or "—",
        "indemnite": lambda: f"{_format_amount(terms.indemnity)} €" if terms.paid else "aucune",
        "unite_indemnite": lambda: (
            _UNIT_TEXTS[terms.indemnity_unit] if terms.indemnity_unit else "—"
        ),
        "mode_versement": lambda: terms.payment_mode or "—",
        "regle_rupture": lambda: (
            terms.indemnity_break_rule.label if terms.indemnity_break_rule else "—"
        ),
        "avantages": lambda: terms.benefits or "aucun",
        "financeur": lambda: terms.payer_label or "à préciser",
        "financeur_autre": lambda: terms.payer_other or "—",
    }
    return str(texts[name]())


def changed_fields(before: AgreementTerms, after: AgreementTerms) -> list[str]:
    """Form field names whose value differs between two sets of terms, in form order."""
    a, b = terms_to_input(before), terms_to_input(after)
    return [name for name in AgreementInput.field_names() if getattr(a, name) != getattr(b, name)]


def _signed_amendments(session: Session, agreement_id: int) -> list[Amendment]:
    return list(
        session.scalars(
            select(Amendment)
            .where(Amendment.agreement_id == agreement_id, Amendment.signed_on.is_not(None))
            .order_by(Amendment.rank)
        )
    )


def _versions(session: Session, agreement: Agreement) -> list[TermsInForce]:
    """The base terms, then each signed amendment's terms from its signing day."""
    versions = [TermsInForce(_base_terms(agreement))]
    for amendment in _signed_amendments(session, agreement.id):
        assert amendment.terms is not None and amendment.signed_on is not None
        versions.append(
            TermsInForce(
                AgreementTerms.from_json(amendment.terms), amendment.signed_on, amendment.rank
            )
        )
    return versions


def _current_dates(session: Session, agreement: Agreement) -> tuple[date, date]:
    terms = _versions(session, agreement)[-1].terms
    return terms.start, terms.end


def agreement_hours_for(
    session: Session, agreement_id: int, until: date | None = None
) -> AgreementHours:
    """THE hours of an agreement: its signed amendments each counting from their signing day,
    period by period, up to its end (or `until`). Every screen, document and export shows
    this figure."""
    return agreement_hours(_versions(session, _load(session, agreement_id)), until)


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


# ---------------------------------------------------------------- reading


def _load(session: Session, agreement_id: int) -> Agreement:
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFoundError("Cette convention n'existe plus.")
    return agreement


def _status_label(status: str | None) -> str:
    return S(status).label if status else ""


def _signature_state(
    session: Session, agreement_id: int
) -> tuple[tuple[SignatureInfo, ...], tuple[str, ...]]:
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
    agreement = _load(session, agreement_id)
    versions = _versions(session, agreement)
    terms = versions[-1].terms
    hours = agreement_hours(versions)
    tutor = session.get(Tutor, terms.tutor_id) if terms.tutor_id else None
    signatures, missing = _signature_state(session, agreement.id)
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
    events = tuple(
        EventInfo(
            at=e.at,
            author=e.author,
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


def list_agreements(
    session: Session,
    *,
    season: str | None = None,
    site: str | None = None,
    site_id: int | None = None,
    season_id: int | None = None,
    status: str | None = None,
    host_id: int | None = None,
    today: date,
) -> list[AgreementRow]:
    """Agreements filtered by season (label or id), site (code, name or id), status and host.

    Reads columns, not objects: a list of every season (tens of thousands of rows) stays a
    single query; only an agreement with a signed amendment is loaded, to know its dates.
    """
    statement = (
        select(
            Agreement.id,
            Agreement.number,
            Agreement.status,
            Agreement.start_date,
            Agreement.end_date,
            Candidate.last_name,
            Candidate.usage_name,
            Candidate.first_name,
            Host.name,
            Agreement.host_id,
            Agreement.schedule,
            Agreement.night_allowed,
            Agreement.sunday_allowed,
            Agreement.holiday_allowed,
            Candidate.birth_date,
        )
        .join(Candidate, Candidate.id == Agreement.candidate_id)
        .join(Host, Host.id == Agreement.host_id)
    )
    if season:
        statement = statement.join(Season, Season.id == Candidate.season_id).where(
            Season.label == season
        )
    if site:
        statement = statement.join(Site, Site.id == Candidate.site_id).where(
            (Site.code == site) | (Site.name == site)
        )
    if site_id is not None:
        statement = statement.where(Candidate.site_id == site_id)
    if season_id is not None:
        statement = statement.where(Candidate.season_id == season_id)
    if status:
        statement = statement.where(Agreement.status == status)
    if host_id is not None:
        statement = statement.where(Agreement.host_id == host_id)
    pending = set(
        session.scalars(select(Amendment.agreement_id).where(Amendment.signed_on.is_(None)))
    )
    # Only an agreement with a signed amendment needs its values overlaid to know its dates.
    amended = set(
        session.scalars(select(Amendment.agreement_id).where(Amendment.signed_on.is_not(None)))
    )
    labels = {member.value: member.label for member in S}
    running_statuses = (S.SIGNED.value, S.ONGOING.value)
    this_month = (today.year, today.month)
    rows = []
    found = session.execute(statement)
    reviews = _ReviewCache()
    for (
        agreement_id,
        number,
        code,
        start,
        end,
        last,
        usage,
        first,
        host,
        host_id,
        schedule,
        night,
        sunday,
        holiday,
        birth,
    ) in found:
        if agreement_id in amended:
            agreement = _load(session, agreement_id)
            terms = _versions(session, agreement)[-1].terms
            start, end = terms.start, terms.end
            review = legal_review(terms, birth)
        else:
            review = reviews.of(schedule, night, sunday, holiday, is_minor(birth, start))
        if code == S.CANCELLED.value:
            review = ()
        running = code in running_statuses
        rows.append(
            AgreementRow(
                id=agreement_id,
                number=number or "",
                status=code,
                status_label=labels[code],
                learner=name_for_display(last, usage, first),
                host=host,
                start=start,
                end=end,
                waiting_signature=code == S.READY.value or (running and agreement_id in pending),
                ends_this_month=running and (end.year, end.month) == this_month,
                host_id=host_id,
                to_review=review,
            )
        )
    rows.sort(key=lambda r: (r.start, r.learner, r.id))
    return rows


class _ReviewCache:
    """The legal review of stored presence terms; the list's rows share a few schedules."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, bool, bool, bool, bool], tuple[str, ...]] = {}

    def of(
        self, schedule: str, night: bool, sunday: bool, holiday: bool, minor: bool
    ) -> tuple[str, ...]:
        key = (schedule, night, sunday, holiday, minor)
        if key not in self._known:
            week = WeeklySchedule(
                {int(day): float(hours) for day, hours in json.loads(schedule).items()}
            )
            refusals = legal_refusals(
                week, minor=minor, night=night, sunday=sunday, holiday=holiday
            )
            self._known[key] = tuple(refusals.values())
        return self._known[key]


# ---------------------------------------------------------------- writing


def _require_coordination(actor: Actor) -> None:
    if role_of(actor) != ROLE_WRITING:
        raise PermissionDenied("Seule la coordination peut établir ou modifier les conventions.")


def _log(
    session: Session,
    agreement: Agreement,
    *,
    author: str,
    now: datetime,
    from_status: str | None,
    to_status: str | None,
    comment: str = "",
) -> None:
    session.add(
        AgreementEvent(
            agreement_id=agreement.id,
            at=now,
            author=author,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
        )
    )


def _move(
    session: Session, agreement: Agreement, target: S, *, author: str, now: datetime, comment: str
) -> None:
    previous = agreement.status
    agreement.status = target.value
    record_change(agreement, author=author, now=now)
    _log(
        session,
        agreement,
        author=author,
        now=now,
        from_status=previous,
        to_status=target.value,
        comment=comment,
    )
    flush_checked(session, agreement, AGREEMENT)


def _refuse(agreement: Agreement, action: str) -> ValidationError:
    """`action` is the start of the sentence, e.g. "Impossible d'annuler la convention"."""
    return ValidationError({"statut": f"{action} : la convention est {S(agreement.status).label}."})


def _valid_or_raise(
    session: Session, data: AgreementInput, *, agreement_id: int | None, today: date
) -> AgreementTerms:
    check, parsed = _check(session, data, agreement_id=agreement_id, today=today)
    if check.errors:
        raise ValidationError(check.errors)
    terms = parsed.terms()
    assert terms is not None  # every field it needs was accepted
    return terms


def create_draft(
    session: Session,
    data: AgreementInput,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> AgreementInfo:
    """A new agreement in `brouillon`; nothing is saved when a field is refused."""
    _require_coordination(actor)
    now = now or datetime.now()
    terms = _valid_or_raise(session, data, agreement_id=None, today=now.date())
    agreement = Agreement(status=S.DRAFT.value, version=1)
    stamp_author(agreement, author=actor.author, now=now)
    _apply(agreement, terms)
    session.add(agreement)
    session.flush()
    _log(
        session,
        agreement,
        author=actor.author,
        now=now,
        from_status=None,
        to_status=S.DRAFT.value,
        comment="Brouillon créé.",
    )
    session.flush()
    return get_agreement(session, agreement.id)


def update_draft(
    session: Session,
    agreement_id: int,
    data: AgreementInput,
    *,
    expected_version: int,
    actor: Actor,
    now: datetime | None = None,
) -> AgreementInfo:
    """Save the form over a draft; after `brouillon` the content is frozen."""
    _require_coordination(actor)
    now = now or datetime.now()
    agreement = _load(session, agreement_id)
    if agreement.status != S.DRAFT.value:
        if agreement.status == S.READY.value:
            message = (
                "La convention est prête à signer : son contenu est figé "
                "(l'annuler pour en établir une autre)."
            )
        elif agreement.status == S.CANCELLED.value:
            message = "La convention est annulée : elle ne peut plus être modifiée."
        else:
            message = "Après signature, toute modification passe par un avenant."
        raise ValidationError({"statut": message})
    check_version(agreement, expected_version, AGREEMENT)
    terms = _valid_or_raise(session, data, agreement_id=agreement.id, today=now.date())
    _apply(agreement, terms)
    record_change(agreement, author=actor.author, now=now)
    _log(
        session,
        agreement,
        author=actor.author,
        now=now,
        from_status=None,
        to_status=None,
        comment="Brouillon modifié.",
    )
    flush_checked(session, agreement, AGREEMENT)
    return get_agreement(session, agreement.id)


def _next_number(session: Session, year: int) -> str:
    """Take the next number of the year in the caller's transaction: no gap, no duplicate.

    The increment is a single UPDATE, so a concurrent writer waits for this transaction.
    """
    bumped = session.execute(
        update(AgreementNumber)
        .where(AgreementNumber.year == year)
        .values(last=AgreementNumber.last + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(bumped, "rowcount", 0) == 0:
        session.add(AgreementNumber(year=year, last=1))
        session.flush()
    last = session.scalar(select(AgreementNumber.last).where(AgreementNumber.year == year))
    assert last is not None
    return f"{NUMBER_PREFIX}-{year}-{last:04d}"


def _ready_errors(terms: AgreementTerms, *, today: date, late_start_reason: str) -> dict[str, str]:
    """What an agreement needs before it is numbered and frozen, beyond the form's rules."""
    errors: dict[str, str] = {}
    required = {
        "tuteur": (terms.tutor_id, "Indiquer le tuteur avant de faire signer la convention."),
        "formateur_referent": (
            terms.referent,
            "Indiquer le formateur référent avant de faire signer la convention.",
        ),
        "telephone_referent": (
            terms.referent_phone,
            "Indiquer le téléphone du formateur référent (il figure sur la convention).",
        ),
        "email_referent": (
            terms.referent_email,
            "Indiquer l'e-mail du formateur référent (il figure sur la convention).",
        ),
        "activites": (
            terms.activities.strip(),
            "Décrire les activités confiées avant de faire signer la convention.",
        ),
        "competences": (
            terms.competences.strip(),
            "Indiquer les compétences à développer avant de faire signer la convention.",
        ),
        "financeur": (
            terms.payer,
            "Indiquer qui rémunère le stagiaire (Région, France Travail, aucune, autre) : "
            "la protection sociale imprimée en dépend.",
        ),
    }
    for name, (value, message) in required.items():
        if not value:
            errors[name] = message
    if terms.start < today and not late_start_reason.strip():
        errors[LATE_START] = (
            f"La date de début ({format_date(terms.start)}) est déjà passée : indiquer le motif "
            "pour déclarer quand même la convention prête à signer."
        )
    return errors


def mark_ready(
    session: Session,
    agreement_id: int,
    *,
    actor: Actor,
    now: datetime | None = None,
    late_start_reason: str = "",
) -> AgreementInfo:
    """brouillon → prête à signer: the content is checked again, frozen and numbered.

    A start date already past needs `late_start_reason`, which the journal keeps.
    """
    _require_coordination(actor)
    now = now or datetime.now()
    agreement = _load(session, agreement_id)
    if agreement.status != S.DRAFT.value:
        raise _refuse(agreement, "Impossible de déclarer la convention prête à signer")
    terms = _base_terms(agreement)
    check = validate_agreement(
        session, terms_to_input(terms), agreement_id=agreement.id, today=now.date()
    )
    errors = dict(check.errors)
    reason = clean_text(late_start_reason, 500, "Le motif") or ""
    for name, message in _ready_errors(terms, today=now.date(), late_start_reason=reason).items():
        errors.setdefault(name, message)
    if errors:
        raise ValidationError(errors)
    number = _next_number(session, agreement.start_date.year)
    agreement.number = number
    comment = f"Numéro attribué : {number}."
    if terms.start < now.date():
        comment += f" Début déjà passé ({format_date(terms.start)}) : {reason}"
    _move(session, agreement, S.READY, author=actor.author, now=now, comment=comment)
    return get_agreement(session, agreement.id)


def record_signature(
    session: Session,
    agreement_id: int,
    signatory: str,
    signed_on: date,
    *,
    actor: Actor,
    outside_app: bool = False,
    scan_path: str | None = None,
    now: datetime | None = None,
) -> AgreementInfo:
    """One signatory's date; or, `outside_app` with the scan, the whole signed agreement.

    Once every signatory has signed (or the signed scan is attached) the agreement is `signée`.
    """
    _require_coordination(actor)
    now = now or datetime.now()
    agreement = _load(session, agreement_id)
    if agreement.status != S.READY.value:
        raise _refuse(agreement, "Impossible d'enregistrer une signature")
    errors: dict[str, str] = {}
    try:
        who = Signatory(signatory)
    except ValueError:
        errors["signataire"] = "Signataire inconnu."
        who = None
    if signed_on > now.date():
        errors["date_signature"] = "La date de signature ne peut pas être dans le futur."
    if outside_app and not is_existing_file(scan_path):
        errors["scan"] = "Joindre le scan de la convention signée (fichier introuvable)."
    if who is not None:
        already = session.scalar(
            select(AgreementSignature.id).where(
                AgreementSignature.agreement_id == agreement.id,
                AgreementSignature.amendment_id.is_(None),
                AgreementSignature.signatory == who.value,
            )
        )
        if already is not None:
            errors["signataire"] = f"La signature « {who.label} » est déjà enregistrée."
    if errors:
        raise ValidationError(errors)
    assert who is not None
    session.add(
        AgreementSignature(
            agreement_id=agreement.id,
            signatory=who.value,
            signed_on=signed_on,
            outside_app=outside_app,
            scan_path=scan_path if outside_app else None,
            recorded_by=actor.author,
        )
    )
    session.flush()
    comment = (
        f"Signée hors application le {format_date(signed_on)} (scan joint)."
        if outside_app
        else f"Signature : {who.label}, le {format_date(signed_on)}."
    )
    _log(
        session,
        agreement,
        author=actor.author,
        now=now,
        from_status=None,
        to_status=None,
        comment=comment,
    )
    _, missing = _signature_state(session, agreement.id)
    if not missing:
        _move(
            session,
            agreement,
            S.SIGNED,
            author=actor.author,
            now=now,
            comment="Toutes les signatures sont réunies.",
        )
    else:
        record_change(agreement, author=actor.author, now=now)
        flush_checked(session, agreement, AGREEMENT)
    return get_agreement(session, agreement.id)


def refresh_status(
    session: Session,
    agreement_id: int,
    today: date,
    *,
    author: str = SYSTEM_AUTHOR,
    now: datetime | None = None,
) -> AgreementInfo:
    """signée → en cours from the start date; en cours → terminée after the (current) end."""
    now = now or datetime.combine(today, datetime.min.time())
    agreement = _load(session, agreement_id)
    start, end = _current_dates(session, agreement)
    if agreement.status == S.SIGNED.value and today >= start:
        _move(
            session,
            agreement,
            S.ONGOING,
            author=author,
            now=now,
            comment=f"Stage commencé le {format_date(start)}.",
        )
    if agreement.status == S.ONGOING.value and today > end:
        _move(
            session,
            agreement,
            S.FINISHED,
            author=author,
            now=now,
            comment=f"Stage terminé le {format_date(end)}.",
        )
    return get_agreement(session, agreement.id)


def refresh_statuses(session: Session, today: date, *, author: str = SYSTEM_AUTHOR) -> int:
    """Move every signed or ongoing agreement whose dates say so; the number moved."""
    running = list(
        session.scalars(
            select(Agreement).where(Agreement.status.in_((S.SIGNED.value, S.ONGOING.value)))
        )
    )
    moved = 0
    for agreement in running:
        start, end = _current_dates(session, agreement)
        due = (agreement.status == S.SIGNED.value and today >= start) or today > end
        if due:
            refresh_status(session, agreement.id, today, author=author)
            moved += 1
    return moved


def _required_reason(reason: str, missing: str, errors: dict[str, str]) -> str:
    """The trimmed reason, or "" with a French message under "motif" in `errors`."""
    try:
        text = clean_text(reason, 2000, "Le motif")
    except FieldError as error:
        errors["motif"] = str(error)
        return ""
    if not text:
        errors["motif"] = missing
        return ""
    return text


def break_off(
    session: Session,
    agreement_id: int,
    ended_on: date,
    reason: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> AgreementInfo:
    """signée / en cours → rompue, with the date and the reason."""
    _require_coordination(actor)
    now = now or datetime.now()
    agreement = _load(session, agreement_id)
    if agreement.status not in (S.SIGNED.value, S.ONGOING.value):
        raise _refuse(agreement, "Impossible de rompre la convention")
    errors: dict[str, str] = {}
    text = _required_reason(reason, "Indiquer le motif de la rupture.", errors)
    start, end = _current_dates(session, agreement)
    if ended_on < start or ended_on > end:
        errors["date_rupture"] = (
            f"La date de fin anticipée doit être comprise entre le {format_date(start)} "
            f"et le {format_date(end)}."
        )
    if errors:
        raise ValidationError(errors)
    agreement.ended_on = ended_on
    agreement.end_reason = text
    _move(
        session,
        agreement,
        S.BROKEN,
        author=actor.author,
        now=now,
        comment=f"Rompue au {format_date(ended_on)} : {text}",
    )
    return get_agreement(session, agreement.id)


def cancel(
    session: Session,
    agreement_id: int,
    reason: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> AgreementInfo:
    """brouillon / prête à signer → annulée (a number already given stays with it)."""
    _require_coordination(actor)
    now = now or datetime.now()
    agreement = _load(session, agreement_id)
    if agreement.status not in (S.DRAFT.value, S.READY.value):
        raise _refuse(agreement, "Impossible d'annuler la convention")
    errors: dict[str, str] = {}
    text = _required_reason(reason, "Indiquer le motif de l'annulation.", errors)
    if errors:
        raise ValidationError(errors)
    agreement.end_reason = text
    _move(
        session, agreement, S.CANCELLED, author=actor.author, now=now, comment=f"Annulée : {text}"
    )
    return get_agreement(session, agreement.id)


# ---------------------------------------------------------------- amendments


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
    _require_coordination(actor)
    now = now or datetime.now()
    agreement = _load(session, agreement_id)
    if agreement.status not in (S.SIGNED.value, S.ONGOING.value):
        raise _refuse(agreement, "Impossible d'établir un avenant")
    pending = session.scalar(
        select(Amendment.rank).where(
            Amendment.agreement_id == agreement.id, Amendment.signed_on.is_(None)
        )
    )
    if pending is not None:
        raise ValidationError({"avenant": f"L'avenant n° {pending} attend encore sa signature."})
    check, parsed = _check(session, data, agreement_id=agreement.id, today=now.date())
    errors = dict(check.errors)
    reason_text = _required_reason(reason, "Indiquer le motif de l'avenant.", errors)
    if errors:
        raise ValidationError(errors)
    before = _versions(session, agreement)[-1].terms
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
    _log(
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
    _require_coordination(actor)
    now = now or datetime.now()
    agreement = _load(session, agreement_id)
    if agreement.status not in (S.SIGNED.value, S.ONGOING.value):
        raise _refuse(agreement, "Impossible de signer un avenant")
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
    _log(
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
