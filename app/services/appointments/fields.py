"""The appointment form's fields read from what the user typed, each refused in French."""

import re
from collections.abc import Callable
from datetime import date, time
from typing import TypeVar

from sqlalchemy.orm import Session

from app.domain import AppointmentKind, Attendance
from app.domain.text import fold
from app.services import reference
from app.services.appointments.clashes import LONGEST_MINUTES
from app.services.validation import FieldError, clean_line, parse_date

T = TypeVar("T")

MAX_CAPACITY = 200
MIN_DURATION, MAX_DURATION = 5, LONGEST_MINUTES
DEFAULT_DURATIONS: dict[AppointmentKind, int] = {
    AppointmentKind.INFO_SESSION: 60,
    AppointmentKind.INTERVIEW: 45,
}
TIME_FORMAT_HINT = "HH:MM (exemple : 14:00, 14h ou 14h30)"
_TIME = re.compile(r"^(\d{1,2})\s*(?::\s*(\d{2})|[hH]\s*(\d{2})?)$")
_DURATION = re.compile(r"^(\d{1,4})\s*(?:min|mn|minutes?)?\.?$", re.IGNORECASE)


class FormErrors(dict[str, str]):
    """Field errors gathered while parsing a whole form."""

    def attempt(self, key: str, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except FieldError as error:
            self[key] = str(error)
            return None


def parse_time(text: str) -> time:
    """`14:00`, `9:05`, `14h`, `14h30` or `14 h 30` as a time of day."""
    text = text.strip()
    if not text:
        raise FieldError("L'heure est obligatoire.")
    match = _TIME.match(text)
    if not match:
        raise FieldError(f"Heure attendue au format {TIME_FORMAT_HINT}.")
    hour, minute = int(match.group(1)), int(match.group(2) or match.group(3) or 0)
    if hour > 23 or minute > 59:
        raise FieldError("Cette heure n'existe pas.")
    return time(hour, minute)


def parse_kind(text: str) -> AppointmentKind:
    wanted = fold(text).replace("_", " ")
    if not wanted:
        raise FieldError("Choisir le type de rendez-vous : information collective ou entretien.")
    for kind in AppointmentKind:
        if wanted in (fold(kind.value).replace("_", " "), fold(kind.label)):
            return kind
    raise FieldError(
        f"Type de rendez-vous inconnu : « {text.strip()} » (information collective ou entretien)."
    )


def parse_attendance(text: str) -> Attendance:
    wanted = fold(text)
    for attendance in Attendance:
        if wanted in (attendance.value, fold(attendance.label)):
            return attendance
    labels = ", ".join(a.label.lower() for a in Attendance)
    raise FieldError(f"Présence inconnue : « {text.strip()} » (valeurs possibles : {labels}).")


def parse_day(text: str) -> date:
    day = parse_date(text)
    if day is None:
        raise FieldError("La date est obligatoire.")
    if not 2000 <= day.year <= 2099:
        raise FieldError(f"Cette date semble erronée (année {day.year}).")
    return day


def parse_duration(text: str, kind: AppointmentKind | None) -> int:
    text = text.strip()
    if not text:
        return DEFAULT_DURATIONS.get(kind or AppointmentKind.INFO_SESSION, 60)
    match = _DURATION.match(text)
    if not match:
        raise FieldError("La durée est un nombre de minutes (exemple : 60).")
    minutes = int(match.group(1))
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        raise FieldError(
            f"La durée doit être comprise entre {MIN_DURATION} et {MAX_DURATION} minutes."
        )
    return minutes


def parse_site(session: Session, text: str) -> int:
    options = reference.sites(session)
    if not text.strip():
        raise FieldError("Choisir le site.")
    option = reference.match_option(options, text)
    if option is None:
        allowed = ", ".join(o.code for o in options)
        raise FieldError(f"Site inconnu : « {text.strip()} » (valeurs possibles : {allowed}).")
    return option.id


def parse_room(text: str, kind: AppointmentKind | None) -> str | None:
    room = clean_line(text, 80, "La salle")
    if room is None and kind == AppointmentKind.INFO_SESSION:
        raise FieldError("Indiquer la salle de l'information collective.")
    return room


def parse_staff(text: str) -> str:
    staff = clean_line(text, 120, "L'intervenant")
    if staff is None:
        raise FieldError("Indiquer l'intervenant.")
    return staff


def parse_capacity(text: str, kind: AppointmentKind | None) -> int | None:
    if kind != AppointmentKind.INFO_SESSION:
        return None
    text = text.strip()
    if not text:
        raise FieldError("Indiquer la capacité (nombre de places) de l'information collective.")
    if not text.isdecimal():
        raise FieldError("La capacité est un nombre entier de places.")
    capacity = int(text) if len(text) <= 9 else MAX_CAPACITY + 1  # int() refuses 4 300 digits
    if not 1 <= capacity <= MAX_CAPACITY:
        raise FieldError(f"La capacité doit être comprise entre 1 et {MAX_CAPACITY} places.")
    return capacity
