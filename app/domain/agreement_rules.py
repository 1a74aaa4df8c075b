"""Rules of internship agreements: effective hours, form checks, host identifiers.

Pure functions: no Qt, no database. Messages are French and meant for the user; errors are
keyed by the form field they belong to, warnings never block saving.
"""

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType

import holidays
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siret as stdnum_siret

__all__ = [
    "HOURS_PER_DAY_EQUIVALENT",
    "HoursTotal",
    "IdentifierError",
    "Interruption",
    "RuleReport",
    "WeeklySchedule",
    "check_agreement",
    "check_host_identifier",
    "check_rna",
    "check_siret",
    "effective_hours",
    "french_public_holidays",
    "is_minor",
    "legal_refusals",
    "overlaps",
]

HOURS_PER_DAY_EQUIVALENT = 7  # agreements.md: 7 h = 1 day
# A trainee without a work contract: legal durations, no overtime (Code du travail L6343-2,
# L3121-18, L3121-27); under 18, 8 h a day (L3162-1).
MAX_HOURS_PER_DAY = 10
MAX_HOURS_PER_WEEK = 35
MINOR_MAX_HOURS_PER_DAY = 8
MINOR_MAX_HOURS_PER_WEEK = 35
SUNDAY = 6
ADULT_AGE = 18
TUTOR_MAX_ONGOING = 3

_WEEKDAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


# --- Schedule and periods ----------------------------------------------------------------


@dataclass(frozen=True)
class WeeklySchedule:
    """Hours of presence for each weekday (0 = lundi … 6 = dimanche); 0 or absent = no presence."""

    hours_by_day: Mapping[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        normalised: dict[int, float] = {}
        for day, hours in sorted(self.hours_by_day.items()):
            if day not in range(7):
                raise ValueError(f"Jour de la semaine inconnu : {day} (attendu de 0 à 6).")
            value = float(hours)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"Nombre d'heures invalide pour le {_WEEKDAY_NAMES[day]}.")
            if value > 0:
                normalised[day] = value
        object.__setattr__(self, "hours_by_day", MappingProxyType(normalised))

    def hours_on(self, weekday: int) -> float:
        return self.hours_by_day.get(weekday, 0.0)

    @property
    def hours_per_week(self) -> float:
        return math.fsum(self.hours_by_day.values())

    @property
    def days_per_week(self) -> int:
        return len(self.hours_by_day)

    def __hash__(self) -> int:
        return hash(tuple(self.hours_on(day) for day in range(7)))


@dataclass(frozen=True)
class Interruption:
    """A period, bounds included, during which the trainee is not at the host's."""

    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class HoursTotal:
    hours: float
    days: int
    days_as_7h: float


@dataclass(frozen=True)
class RuleReport:
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Whether two periods, bounds included, share at least one day."""
    return a_start <= b_end and b_start <= a_end


# --- Public holidays and effective hours ---------------------------------------------------


@lru_cache(maxsize=64)
def _holidays_of_year(year: int) -> frozenset[date]:
    # No subdivision: the metropolitan list (Alsace-Moselle's extra days are not included).
    return frozenset(holidays.France(years=year).keys())


def french_public_holidays(years: int | Iterable[int]) -> set[date]:
    """French metropolitan public holidays of the given year(s)."""
    wanted = [years] if isinstance(years, int) else list(years)
    result: set[date] = set()
    for year in wanted:
        result |= _holidays_of_year(year)
    return result


def _excluded_days(
    start: date, end: date, schedule: WeeklySchedule, interruptions: Iterable[Interruption]
) -> set[date]:
    """The scheduled days of the period that are not worked: public holidays and the days of
    an interruption (each day once, however many reasons it has)."""
    excluded = {
        day
        for day in french_public_holidays(range(start.year, end.year + 1))
        if start <= day <= end
    }
    for interruption in interruptions:
        day, last = max(interruption.start, start), min(interruption.end, end)
        while day <= last:
            excluded.add(day)
            day += timedelta(days=1)
    return {day for day in excluded if schedule.hours_on(day.weekday()) > 0}


def effective_hours(
    start: date,
    end: date,
    schedule: WeeklySchedule,
    interruptions: Iterable[Interruption] = (),
) -> HoursTotal:
    """Hours and days of effective presence between start and end, bounds included.

    Presence days are the days whose weekday has hours in the schedule, minus French public
    holidays and days inside an interruption. An empty period (end < start) gives zero.
    Counted by whole weeks, then the days left over, then the excluded days taken off: the
    reports add up a season's agreements, so no walk through every day.
    """
    if end < start:
        return HoursTotal(hours=0.0, days=0, days_as_7h=0.0)
    weeks, extra = divmod((end - start).days + 1, 7)
    tail = [(start.weekday() + offset) % 7 for offset in range(extra)]
    hours = weeks * schedule.hours_per_week + math.fsum(schedule.hours_on(d) for d in tail)
    days = weeks * schedule.days_per_week + sum(1 for d in tail if schedule.hours_on(d) > 0)
    excluded = _excluded_days(start, end, schedule, interruptions)
    hours -= math.fsum(schedule.hours_on(day.weekday()) for day in excluded)
    days -= len(excluded)
    hours = round(hours, 9) + 0.0  # whole-week sums and subtractions: no float dust
    return HoursTotal(hours=hours, days=days, days_as_7h=hours / HOURS_PER_DAY_EQUIVALENT)


# --- Form checks ---------------------------------------------------------------------------


def _fmt_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _fmt_hours(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + " h"


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _schedule_errors(schedule: WeeklySchedule, *, minor: bool) -> str | None:
    """The first refusal of the weekly schedule, or None."""
    week = schedule.hours_per_week
    if week <= 0:
        return "Indiquer au moins un jour de présence dans l'emploi du temps."
    if schedule.hours_on(SUNDAY) > 0:
        return (
            "Pas de présence le dimanche : le stagiaire a droit au repos dominical "
            "(Code du travail, L6343-4)."
        )
    day_limit = MINOR_MAX_HOURS_PER_DAY if minor else MAX_HOURS_PER_DAY
    for day, hours in schedule.hours_by_day.items():
        if hours > day_limit:
            who = "un stagiaire de moins de 18 ans" if minor else "un stagiaire"
            return (
                f"{_fmt_hours(hours)} le {_WEEKDAY_NAMES[day]} : {who} ne peut pas dépasser "
                f"{day_limit} h par jour (durée légale, pas d'heures supplémentaires)."
            )
    week_limit = MINOR_MAX_HOURS_PER_WEEK if minor else MAX_HOURS_PER_WEEK
    if week > week_limit:
        return (
            f"{_fmt_hours(week)} par semaine : un stagiaire sans contrat de travail ne peut "
            f"pas dépasser {week_limit} h par semaine, toute heure de présence comptée "
            "(Code du travail, L6343-2)."
        )
    return None


def _interruption_error(
    start: date, end: date, interruptions: Iterable[Interruption]
) -> str | None:
    period_valid = end >= start
    for item in interruptions:
        label = f"L'interruption du {_fmt_date(item.start)} au {_fmt_date(item.end)}"
        if item.end < item.start:
            return f"{label} se termine avant de commencer."
        if period_valid and (item.start < start or item.end > end):
            return f"{label} sort de la période du stage."
    return None


def is_minor(birth: date | None, on: date) -> bool:
    return birth is not None and _age_on(birth, on) < ADULT_AGE


def legal_refusals(
    schedule: WeeklySchedule, *, minor: bool, night: bool, sunday: bool, holiday: bool
) -> dict[str, str]:
    """What the law forbids in the presence terms, by form field (agreements.md).

    Also used to flag agreements saved under earlier, wrong rules ("à revoir").
    """
    errors: dict[str, str] = {}
    schedule_error = _schedule_errors(schedule, minor=minor)
    if schedule_error:
        errors["horaires"] = schedule_error
    if sunday:
        errors["dimanche"] = (
            "Pas de présence le dimanche : le stagiaire a droit au repos dominical "
            "(Code du travail, L6343-4)."
        )
    if minor and night:
        errors["nuit"] = "Pas de présence de nuit pour un stagiaire de moins de 18 ans."
    if minor and holiday:
        errors["ferie"] = "Pas de présence les jours fériés pour un stagiaire de moins de 18 ans."
    return errors


def check_agreement(
    start: date,
    end: date,
    schedule: WeeklySchedule,
    interruptions: Iterable[Interruption] = (),
    *,
    learner_birth_date: date | None,
    today: date,
    host_is_public: bool = False,
    night: bool = False,
    sunday: bool = False,
    holiday: bool = False,
    indemnity_amount: Decimal | float | None,
    indemnity_payment_mode: str | None,
    cohort_window: tuple[date, date] | None = None,
    tutor_ongoing_count: int = 0,
    orientation_validated: bool = True,
) -> RuleReport:
    """Refusals (by field) and warnings of an agreement's form; see agreements.md.

    The "no two active agreements overlap" rule needs the other agreements: the service applies
    it with `overlaps`. `today` only feeds the warning about a start date already passed.
    """
    errors: dict[str, str] = {}
    warnings: list[str] = []
    breaks = list(interruptions)

    if end < start:
        errors["date_fin"] = "La date de fin doit être postérieure ou égale à la date de début."

    interruption_error = _interruption_error(start, end, breaks)
    if interruption_error:
        errors["interruptions"] = interruption_error

    minor = is_minor(learner_birth_date, start)
    errors.update(
        legal_refusals(schedule, minor=minor, night=night, sunday=sunday, holiday=holiday)
    )

    amount = indemnity_amount if indemnity_amount is not None else 0
    if amount < 0:
        errors["indemnite"] = "L'indemnité ne peut pas être négative."
    elif amount > 0:
        if not (indemnity_payment_mode or "").strip():
            errors["mode_versement"] = "Indiquer le mode de versement de l'indemnité."
        if host_is_public:
            warnings.append(
                "Indemnité versée par un organisme public : vérifier que ses règles le permettent."
            )

    if start < today:
        warnings.append(f"La date de début ({_fmt_date(start)}) est déjà passée.")
    if cohort_window is not None:
        window_start, window_end = cohort_window
        if start < window_start or end > window_end:
            warnings.append(
                "Les dates sortent de la période de stage de la promotion "
                f"(du {_fmt_date(window_start)} au {_fmt_date(window_end)})."
            )
    if tutor_ongoing_count >= TUTOR_MAX_ONGOING:
        warnings.append(
            f"Le tuteur encadre déjà {tutor_ongoing_count} conventions en cours "
            f"(repère : {TUTOR_MAX_ONGOING} au plus)."
        )
    if not orientation_validated:
        warnings.append("L'orientation du stagiaire n'a pas encore été validée.")

    return RuleReport(errors=errors, warnings=warnings)


# --- Host identifiers ----------------------------------------------------------------------


class IdentifierError(ValueError):
    """An identifier refused; the message is French and shown next to the field."""


_HOST_IDENTIFIER_HINT = "SIRET à 14 chiffres ou numéro RNA (W suivi de 9 chiffres)"
_RNA = re.compile(r"^W\d{9}$")


def _compact(text: str) -> str:
    return re.sub(r"[\s.\-]", "", text)


def check_siret(text: str) -> str:
    """The SIRET as 14 digits; spaces allowed in input. La Poste's establishments are accepted."""
    number = _compact(text)
    if not number:
        raise IdentifierError("Indiquer le SIRET (14 chiffres).")
    try:
        # InvalidLength derives from InvalidFormat: catch it first.
        return str(stdnum_siret.validate(number))
    except InvalidLength:
        raise IdentifierError(
            f"Le SIRET doit comporter 14 chiffres ({len(number)} saisis)."
        ) from None
    except InvalidFormat:
        raise IdentifierError("Le SIRET ne doit contenir que des chiffres.") from None
    except InvalidChecksum:
        raise IdentifierError(
            "SIRET invalide : la clé de contrôle ne correspond pas, vérifier la saisie."
        ) from None


def check_rna(text: str) -> str:
    """The RNA number of an association, as W followed by 9 digits."""
    number = _compact(text).upper()
    if not _RNA.match(number):
        raise IdentifierError("Numéro RNA attendu : W suivi de 9 chiffres (ex. W751234567).")
    return number


def check_host_identifier(text: str) -> str:
    """A host's SIRET or, for an association, its RNA number, normalised."""
    number = _compact(text)
    if number[:1] in ("W", "w"):
        return check_rna(number)
    if re.fullmatch(r"[0-9]{14}", number):
        return check_siret(number)
    raise IdentifierError(f"{_HOST_IDENTIFIER_HINT} attendu.")
