"""The agreement form as typed and its typed terms: each field parsed (refusals in French,
keyed by field, all at once), and the terms shown back in the form."""

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from app.domain import Candidate, Host, Tutor
from app.domain.agreement_rules import Interruption, WeeklySchedule
from app.domain.agreement_terms import AgreementTerms, BreakRule, IndemnityUnit, RemunerationPayer
from app.services.candidates.records import display_name
from app.services.validation import (
    FieldError,
    clean_line,
    clean_text,
    format_date,
    format_phone,
    parse_bool,
    parse_date,
    parse_email,
    parse_phone,
)

__all__ = [
    "WEEKDAYS",
    "AgreementInput",
    "ParsedForm",
    "amount_text",
    "changed_fields",
    "parse_form",
    "terms_to_input",
]


WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MAX_AMOUNT = Decimal(10) ** 8  # the column holds 10 digits, 2 of them after the comma
INDEMNITY_UNITS = {"heure": "heure", "mois": "mois", "forfait": "forfait"}


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
class ParsedForm:
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
            f"Nombre d'heures illisible le {WEEKDAYS[weekday]} (exemple : 7 ou 7,5)."
        ) from None
    if not 0 <= value <= 24:  # NaN and infinity fail too
        raise FieldError(f"Nombre d'heures invalide le {WEEKDAYS[weekday]}.")
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


def parse_form(session: Session, data: AgreementInput, errors: dict[str, str]) -> ParsedForm:
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

    return ParsedForm(
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


def amount_text(value: Decimal | None) -> str:
    """ "4,35": an amount as the form shows it ("" without one)."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def _yes_no(value: bool) -> str:
    return "oui" if value else "non"


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
        indemnite=amount_text(terms.indemnity) if terms.paid else "",
        unite_indemnite=terms.indemnity_unit.value if terms.indemnity_unit else "",
        mode_versement=terms.payment_mode,
        regle_rupture=terms.indemnity_break_rule.value if terms.indemnity_break_rule else "",
        avantages=terms.benefits,
        financeur=terms.payer.value if terms.payer else "",
        financeur_autre=terms.payer_other,
    )


def changed_fields(before: AgreementTerms, after: AgreementTerms) -> list[str]:
    """Form field names whose value differs between two sets of terms, in form order."""
    a, b = terms_to_input(before), terms_to_input(after)
    return [name for name in AgreementInput.field_names() if getattr(a, name) != getattr(b, name)]
