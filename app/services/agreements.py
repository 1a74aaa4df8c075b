"""Internship agreements: form validation, drafts, life cycle, signatures, amendments.

See /shared/domain/agreements.md. The rules themselves live in `app.domain.agreement_rules`;
this module parses what the user typed, feeds the rules with what the database knows (learner,
host, cohort window, tutor load, orientation decision, other agreements) and writes the life
cycle, every transition being logged as an `AgreementEvent`.
"""

import json
import re
from dataclasses import dataclass, field, fields, replace
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
    ADULT_AGE,
    HOURS_PER_DAY_EQUIVALENT,
    HoursTotal,
    Interruption,
    WeeklySchedule,
    check_agreement,
    effective_hours,
    overlaps,
)
from app.domain.orientation import Outcome
from app.services.candidates import display_name, name_for_display
from app.services.errors import NotFoundError, PermissionDenied, ValidationError
from app.services.validation import (
    FieldError,
    age_on,
    clean_text,
    format_date,
    is_existing_file,
    parse_bool,
    parse_date,
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
    "AmendmentInfo",
    "EventInfo",
    "PermissionDenied",
    "RuleCheck",
    "SignatureInfo",
    "break_off",
    "cancel",
    "create_amendment",
    "create_draft",
    "describe_hours",
    "get_agreement",
    "hours_done",
    "hours_of",
    "list_agreements",
    "mark_ready",
    "overlay_texts",
    "record_signature",
    "refresh_status",
    "refresh_statuses",
    "sign_amendment",
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
PUBLIC_LEGAL_FORM = "public"
WINDOW_START_MONTHS, WINDOW_END_MONTHS = 6, 8
NUMBER_PREFIX = "FAB"
MAX_AMOUNT = Decimal(10) ** 8  # the column holds 10 digits, 2 of them after the comma
SYSTEM_AUTHOR = "application"

_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_DATE_IN_TEXT = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")
_DAY_HOURS = re.compile(r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+([\d.,]+)")
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
    lieu: str = ""
    date_debut: str = ""
    date_fin: str = ""
    horaires: dict[int, str] = field(default_factory=dict)
    interruptions: list[tuple[str, str]] = field(default_factory=list)
    nuit: str = "non"
    dimanche: str = "non"
    ferie: str = "non"
    activites: str = ""
    competences: str = ""
    indemnite: str = ""
    unite_indemnite: str = ""
    mode_versement: str = ""
    avantages: str = ""

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


@dataclass(frozen=True)
class RuleCheck:
    errors: dict[str, str]
    warnings: list[str]
    hours: HoursTotal | None
    weekly_hours: float | None = None

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


# ---------------------------------------------------------------- parsing


@dataclass(frozen=True)
class _Parsed:
    """Typed values of a form; None where the field was refused or left empty."""

    candidate: Candidate | None
    representative: str | None
    host: Host | None
    tutor: Tutor | None
    referent: str | None
    place: str | None
    start: date | None
    end: date | None
    schedule: WeeklySchedule | None
    interruptions: list[Interruption]
    night: bool
    sunday: bool
    holiday: bool
    activities: str | None
    competences: str | None
    indemnity: Decimal | None
    unit: str | None
    payment_mode: str | None
    benefits: str | None


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
            lambda: clean_text(data.representant_legal, 300, "Le représentant légal"),
        ),
        host=host,
        tutor=tutor,
        referent=attempt(
            "formateur_referent",
            lambda: clean_text(data.formateur_referent, 120, "Le formateur référent"),
        ),
        place=attempt("lieu", lambda: clean_text(data.lieu, 300, "Le lieu")),
        start=start,
        end=end,
        schedule=attempt("horaires", lambda: _parse_schedule(data.horaires)),
        interruptions=attempt(
            "interruptions", lambda: _parse_interruptions(data.interruptions), []
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
            "mode_versement", lambda: clean_text(data.mode_versement, 60, "Le mode de versement")
        ),
        benefits=attempt("avantages", lambda: clean_text(data.avantages, 5000, "Les avantages")),
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


def _check(
    session: Session, data: AgreementInput, *, agreement_id: int | None, today: date
) -> tuple[RuleCheck, _Parsed]:
    errors: dict[str, str] = {}
    warnings: list[str] = []
    parsed = _parse(session, data, errors)
    hours: HoursTotal | None = None
    if parsed.start and parsed.end and parsed.schedule is not None:
        hours = effective_hours(parsed.start, parsed.end, parsed.schedule, parsed.interruptions)
        candidate = parsed.candidate
        report = check_agreement(
            parsed.start,
            parsed.end,
            parsed.schedule,
            parsed.interruptions,
            learner_birth_date=candidate.birth_date if candidate else None,
            today=today,
            host_is_public=bool(parsed.host and parsed.host.legal_form == PUBLIC_LEGAL_FORM),
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
            and candidate.birth_date is not None
            and age_on(candidate.birth_date, parsed.start) < ADULT_AGE
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
    elif parsed.indemnity is not None and parsed.indemnity > 0:
        # The period is incomplete; the indemnity rules are still worth showing.
        if parsed.host and parsed.host.legal_form == PUBLIC_LEGAL_FORM:
            errors.setdefault(
                "indemnite", "Un organisme d'accueil public ne peut pas verser d'indemnité."
            )
        if not parsed.payment_mode:
            errors.setdefault("mode_versement", "Indiquer le mode de versement de l'indemnité.")
    weekly = parsed.schedule.hours_per_week if parsed.schedule is not None else None
    return RuleCheck(errors=errors, warnings=warnings, hours=hours, weekly_hours=weekly), parsed


def validate_agreement(
    session: Session, data: AgreementInput, *, agreement_id: int | None = None, today: date
) -> RuleCheck:
    """Refusals by field, warnings and the live hours total of the form; writes nothing."""
    check, _ = _check(session, data, agreement_id=agreement_id, today=today)
    return check


# ---------------------------------------------------------------- values as text


def _format_hours(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def describe_hours(total: HoursTotal, weekly_hours: float | None = None) -> str:
    """ "308 h de présence effective sur 44 jours (44 jours de 7 h) · 35 h par semaine"."""
    text = (
        f"{_format_hours(total.hours)} h de présence effective sur {total.days} jour"
        f"{'s' if total.days > 1 else ''} ({_format_hours(total.days_as_7h)} jours de 7 h)"
    )
    if weekly_hours:
        text += f" · {_format_hours(weekly_hours)} h par semaine"
    return text


def _format_amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def _yes_no(value: bool) -> str:
    return "oui" if value else "non"


def _apply(agreement: Agreement, parsed: _Parsed) -> None:
    assert parsed.candidate and parsed.host and parsed.start and parsed.end and parsed.schedule
    agreement.candidate_id = parsed.candidate.id
    agreement.legal_representative = parsed.representative or None
    agreement.host_id = parsed.host.id
    agreement.tutor_id = parsed.tutor.id if parsed.tutor else None
    agreement.referent_trainer = parsed.referent or ""
    agreement.place = parsed.place
    agreement.start_date = parsed.start
    agreement.end_date = parsed.end
    agreement.schedule = json.dumps(
        {str(day): hours for day, hours in parsed.schedule.hours_by_day.items()}
    )
    agreement.interruptions = json.dumps(
        [[i.start.isoformat(), i.end.isoformat()] for i in parsed.interruptions]
    )
    agreement.night_allowed = parsed.night
    agreement.sunday_allowed = parsed.sunday
    agreement.holiday_allowed = parsed.holiday
    agreement.activities = parsed.activities or ""
    agreement.competences = parsed.competences or ""
    paid = parsed.indemnity is not None and parsed.indemnity > 0
    agreement.indemnity_amount = parsed.indemnity if paid else None
    agreement.indemnity_unit = parsed.unit if paid else None
    agreement.indemnity_payment_mode = parsed.payment_mode if paid else None
    agreement.benefits = parsed.benefits or ""


def _base_input(agreement: Agreement) -> AgreementInput:
    """The agreement's stored (base) values, as the form shows them."""
    schedule = {int(day): float(hours) for day, hours in json.loads(agreement.schedule).items()}
    breaks = json.loads(agreement.interruptions)
    return AgreementInput(
        candidat=str(agreement.candidate_id),
        representant_legal=agreement.legal_representative or "",
        structure=str(agreement.host_id),
        tuteur=str(agreement.tutor_id) if agreement.tutor_id else "",
        formateur_referent=agreement.referent_trainer,
        lieu=agreement.place or "",
        date_debut=format_date(agreement.start_date),
        date_fin=format_date(agreement.end_date),
        horaires={day: _format_hours(hours) for day, hours in sorted(schedule.items()) if hours},
        interruptions=[
            (format_date(date.fromisoformat(a)), format_date(date.fromisoformat(b)))
            for a, b in breaks
        ],
        nuit=_yes_no(agreement.night_allowed),
        dimanche=_yes_no(agreement.sunday_allowed),
        ferie=_yes_no(agreement.holiday_allowed),
        activites=agreement.activities,
        competences=agreement.competences,
        indemnite=_format_amount(agreement.indemnity_amount),
        unite_indemnite=agreement.indemnity_unit or "",
        mode_versement=agreement.indemnity_payment_mode or "",
        avantages=agreement.benefits,
    )


def _canonical(parsed: _Parsed) -> AgreementInput:
    """The normalised form of parsed values (what they would read once saved)."""
    assert parsed.candidate and parsed.host and parsed.start and parsed.end and parsed.schedule
    paid = parsed.indemnity is not None and parsed.indemnity > 0
    return AgreementInput(
        candidat=str(parsed.candidate.id),
        representant_legal=parsed.representative or "",
        structure=str(parsed.host.id),
        tuteur=str(parsed.tutor.id) if parsed.tutor else "",
        formateur_referent=parsed.referent or "",
        lieu=parsed.place or "",
        date_debut=format_date(parsed.start),
        date_fin=format_date(parsed.end),
        horaires={d: _format_hours(h) for d, h in parsed.schedule.hours_by_day.items()},
        interruptions=[(format_date(i.start), format_date(i.end)) for i in parsed.interruptions],
        nuit=_yes_no(parsed.night),
        dimanche=_yes_no(parsed.sunday),
        ferie=_yes_no(parsed.holiday),
        activites=parsed.activities or "",
        competences=parsed.competences or "",
        indemnite=_format_amount(parsed.indemnity) if paid else "",
        unite_indemnite=(parsed.unit or "") if paid else "",
        mode_versement=(parsed.payment_mode or "") if paid else "",
        avantages=parsed.benefits or "",
    )


def _texts(data: AgreementInput) -> dict[str, str]:
    """Every field as one readable text (the from / to of an amendment)."""
    result: dict[str, str] = {}
    for name in AgreementInput.field_names():
        value = getattr(data, name)
        if name == "horaires":
            result[name] = " ; ".join(
                f"{_WEEKDAYS[day]} {text} h" for day, text in sorted(value.items())
            )
        elif name == "interruptions":
            result[name] = " ; ".join(f"du {a} au {b}" for a, b in value)
        else:
            result[name] = value
    return result


def overlay_texts(base: AgreementInput, texts: dict[str, str]) -> AgreementInput:
    """`base` with the given fields replaced by their texts (inverse of `_texts`)."""
    values: dict[str, Any] = {}
    for name, text in texts.items():
        if name == "horaires":
            values[name] = {_WEEKDAYS.index(day): hours for day, hours in _DAY_HOURS.findall(text)}
        elif name == "interruptions":
            found = _DATE_IN_TEXT.findall(text)
            values[name] = list(zip(found[0::2], found[1::2], strict=True))
        elif name in AgreementInput.field_names():
            values[name] = text
    return replace(base, **values)


def _signed_amendments(session: Session, agreement_id: int) -> list[Amendment]:
    return list(
        session.scalars(
            select(Amendment)
            .where(Amendment.agreement_id == agreement_id, Amendment.signed_on.is_not(None))
            .order_by(Amendment.rank)
        )
    )


def _current_input(session: Session, agreement: Agreement) -> AgreementInput:
    """Base values overlaid by the signed amendments, in rank order."""
    values = _base_input(agreement)
    for amendment in _signed_amendments(session, agreement.id):
        changes = json.loads(amendment.changes)
        values = overlay_texts(values, {name: pair[1] for name, pair in changes.items()})
    return values


def _current_dates(session: Session, agreement: Agreement) -> tuple[date, date]:
    values = _current_input(session, agreement)
    start = parse_date(values.date_debut) or agreement.start_date
    end = parse_date(values.date_fin) or agreement.end_date
    return start, end


def hours_of(values: AgreementInput) -> HoursTotal:
    start, end = parse_date(values.date_debut), parse_date(values.date_fin)
    assert start is not None and end is not None
    return effective_hours(
        start, end, _parse_schedule(values.horaires), _parse_interruptions(values.interruptions)
    )


def hours_done(session: Session, agreement_id: int, until: date | None = None) -> HoursTotal:
    """Effective hours actually due between the start and the (current) end, or `until`:
    each signed amendment takes effect on its signing day, so the days before it count with
    the values then in force."""
    agreement = _load(session, agreement_id)
    versions = [(date.min, _base_input(agreement))]
    for amendment in _signed_amendments(session, agreement.id):
        changes = json.loads(amendment.changes)
        after = overlay_texts(versions[-1][1], {name: pair[1] for name, pair in changes.items()})
        assert amendment.signed_on is not None
        versions.append((amendment.signed_on, after))
    start, end = _current_dates(session, agreement)
    if until is not None:
        end = min(end, until)
    hours, days = 0.0, 0
    for index, (in_force_from, values) in enumerate(versions):
        next_from = versions[index + 1][0] if index + 1 < len(versions) else None
        segment_start = max(start, in_force_from)
        segment_end = min(end, next_from - timedelta(days=1)) if next_from else end
        if segment_start > segment_end:
            continue
        part = effective_hours(
            segment_start,
            segment_end,
            _parse_schedule(values.horaires),
            _parse_interruptions(values.interruptions),
        )
        hours += part.hours
        days += part.days
    return HoursTotal(hours=hours, days=days, days_as_7h=hours / HOURS_PER_DAY_EQUIVALENT)


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
    values = _current_input(session, agreement)
    start, end = _current_dates(session, agreement)
    tutor = session.get(Tutor, int(values.tuteur)) if values.tuteur else None
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
        referent=values.formateur_referent,
        start=start,
        end=end,
        hours=hours_done(session, agreement.id),
        values=values,
        signatures=signatures,
        missing_signatures=missing,
        amendments=amendments,
        events=events,
        version=agreement.version,
        ended_on=agreement.ended_on,
        end_reason=agreement.end_reason,
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
    for agreement_id, number, code, start, end, last, usage, first, host, host_id in found:
        if agreement_id in amended:
            start, end = _current_dates(session, _load(session, agreement_id))
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
            )
        )
    rows.sort(key=lambda r: (r.start, r.learner, r.id))
    return rows


# ---------------------------------------------------------------- writing


def _require_coordination(role: str) -> None:
    if role != ROLE_WRITING:
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
) -> _Parsed:
    check, parsed = _check(session, data, agreement_id=agreement_id, today=today)
    if check.errors:
        raise ValidationError(check.errors)
    return parsed


def create_draft(
    session: Session,
    data: AgreementInput,
    *,
    author: str,
    role: str,
    now: datetime | None = None,
) -> AgreementInfo:
    """A new agreement in `brouillon`; nothing is saved when a field is refused."""
    _require_coordination(role)
    now = now or datetime.now()
    parsed = _valid_or_raise(session, data, agreement_id=None, today=now.date())
    agreement = Agreement(status=S.DRAFT.value, version=1)
    stamp_author(agreement, author=author, now=now)
    _apply(agreement, parsed)
    session.add(agreement)
    session.flush()
    _log(
        session,
        agreement,
        author=author,
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
    author: str,
    role: str,
    now: datetime | None = None,
) -> AgreementInfo:
    """Save the form over a draft; after `brouillon` the content is frozen."""
    _require_coordination(role)
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
    parsed = _valid_or_raise(session, data, agreement_id=agreement.id, today=now.date())
    _apply(agreement, parsed)
    record_change(agreement, author=author, now=now)
    _log(
        session,
        agreement,
        author=author,
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


def mark_ready(
    session: Session,
    agreement_id: int,
    *,
    author: str,
    role: str,
    now: datetime | None = None,
) -> AgreementInfo:
    """brouillon → prête à signer: the content is checked again, frozen and numbered."""
    _require_coordination(role)
    now = now or datetime.now()
    agreement = _load(session, agreement_id)
    if agreement.status != S.DRAFT.value:
        raise _refuse(agreement, "Impossible de déclarer la convention prête à signer")
    values = _base_input(agreement)
    check = validate_agreement(session, values, agreement_id=agreement.id, today=now.date())
    errors = dict(check.errors)
    if not values.tuteur:
        errors.setdefault("tuteur", "Indiquer le tuteur avant de faire signer la convention.")
    if not values.formateur_referent:
        errors.setdefault(
            "formateur_referent",
            "Indiquer le formateur référent avant de faire signer la convention.",
        )
    if errors:
        raise ValidationError(errors)
    number = _next_number(session, agreement.start_date.year)
    agreement.number = number
    _move(
        session, agreement, S.READY, author=author, now=now, comment=f"Numéro attribué : {number}."
    )
    return get_agreement(session, agreement.id)


def record_signature(
    session: Session,
    agreement_id: int,
    signatory: str,
    signed_on: date,
    *,
    author: str,
    role: str,
    outside_app: bool = False,
    scan_path: str | None = None,
    now: datetime | None = None,
) -> AgreementInfo:
    """One signatory's date; or, `outside_app` with the scan, the whole signed agreement.

    Once every signatory has signed (or the signed scan is attached) the agreement is `signée`.
    """
    _require_coordination(role)
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
            recorded_by=author,
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
        author=author,
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
            author=author,
            now=now,
            comment="Toutes les signatures sont réunies.",
        )
    else:
        record_change(agreement, author=author, now=now)
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
    author: str,
    role: str,
    now: datetime | None = None,
) -> AgreementInfo:
    """signée / en cours → rompue, with the date and the reason."""
    _require_coordination(role)
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
        author=author,
        now=now,
        comment=f"Rompue au {format_date(ended_on)} : {text}",
    )
    return get_agreement(session, agreement.id)


def cancel(
    session: Session,
    agreement_id: int,
    reason: str,
    *,
    author: str,
    role: str,
    now: datetime | None = None,
) -> AgreementInfo:
    """brouillon / prête à signer → annulée (a number already given stays with it)."""
    _require_coordination(role)
    now = now or datetime.now()
    agreement = _load(session, agreement_id)
    if agreement.status not in (S.DRAFT.value, S.READY.value):
        raise _refuse(agreement, "Impossible d'annuler la convention")
    errors: dict[str, str] = {}
    text = _required_reason(reason, "Indiquer le motif de l'annulation.", errors)
    if errors:
        raise ValidationError(errors)
    agreement.end_reason = text
    _move(session, agreement, S.CANCELLED, author=author, now=now, comment=f"Annulée : {text}")
    return get_agreement(session, agreement.id)


# ---------------------------------------------------------------- amendments


def create_amendment(
    session: Session,
    agreement_id: int,
    data: AgreementInput,
    reason: str,
    *,
    author: str,
    role: str,
    now: datetime | None = None,
) -> AmendmentInfo:
    """Avenant n° k: the fields that change from the current values; counts once signed."""
    _require_coordination(role)
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
    before = _texts(_current_input(session, agreement))
    after = _texts(_canonical(parsed))
    changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    refused = {
        name: _FIELDS_FIXED_BY_AMENDMENT[name]
        for name in changes
        if name in _FIELDS_FIXED_BY_AMENDMENT
    }
    if refused:
        raise ValidationError(refused)
    if not changes:
        raise ValidationError({"avenant": "L'avenant ne change rien à la convention."})
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
        reason=reason_text or "",
        created_by=author,
        created_at=now,
    )
    session.add(amendment)
    record_change(agreement, author=author, now=now)
    _log(
        session,
        agreement,
        author=author,
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
    author: str,
    role: str,
    now: datetime | None = None,
) -> AgreementInfo:
    """The amendment is signed: from now on its values are the agreement's current ones."""
    _require_coordination(role)
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
    record_change(agreement, author=author, now=now)
    _log(
        session,
        agreement,
        author=author,
        now=now,
        from_status=None,
        to_status=None,
        comment=f"Avenant n° {rank} signé le {format_date(signed_on)}.",
    )
    flush_checked(session, agreement, AGREEMENT)
    return get_agreement(session, agreement.id)
