"""Appointments: information sessions (informations collectives) and interviews (entretiens)."""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.domain import Appointment, AppointmentKind, Attendance, Attendee, Candidate, Site
from app.domain.text import fold
from app.services import reference
from app.services.actor import Actor
from app.services.candidates.records import display_name, load_candidate
from app.services.errors import NotFoundError, ValidationError
from app.services.permissions import require_appointment_editor
from app.services.validation import FieldError, clean_line, clean_text, format_date, parse_date

T = TypeVar("T")

MAX_CAPACITY = 200
MIN_DURATION, MAX_DURATION = 5, 480
DEFAULT_DURATIONS: dict[AppointmentKind, int] = {
    AppointmentKind.INFO_SESSION: 60,
    AppointmentKind.INTERVIEW: 45,
}
TIME_FORMAT_HINT = "HH:MM (exemple : 14:00, 14h ou 14h30)"
_TIME = re.compile(r"^(\d{1,2})\s*(?::\s*(\d{2})|[hH]\s*(\d{2})?)$")
_DURATION = re.compile(r"^(\d{1,4})\s*(?:min|mn|minutes?)?\.?$", re.IGNORECASE)
_ROOM_WORDS = ("salle", "bureau", "atelier", "espace", "amphi", "amphitheatre")


# ---------------------------------------------------------------- what the UI receives


@dataclass(frozen=True)
class AttendeeInfo:
    candidate_id: int
    name: str
    attendance: str
    attendance_label: str


@dataclass(frozen=True)
class AppointmentInfo:
    id: int
    kind: str
    kind_label: str
    starts_at: datetime
    duration_minutes: int
    site_id: int
    site_name: str
    room: str
    staff: str
    capacity: int | None
    attendees: list[AttendeeInfo]
    notes: str = ""

    @property
    def registered(self) -> int:
        return len(self.attendees)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def free_places(self) -> int | None:
        """Places left in a session; None for an interview."""
        return None if self.capacity is None else max(self.capacity - self.registered, 0)

    def attendance_of(self, candidate_id: int) -> str | None:
        for attendee in self.attendees:
            if attendee.candidate_id == candidate_id:
                return attendee.attendance
        return None

    @property
    def summary(self) -> str:
        """A French one-liner for lists and the "Aujourd'hui" strip."""
        parts = [f"{self.starts_at:%H:%M}"]
        if self.room:
            parts.append(room_label(self.room))
        parts.append(self.site_name)
        where = ", ".join(parts)
        if self.kind == AppointmentKind.INTERVIEW:
            staff = f", avec {self.staff}" if self.staff else ""
            who = self.attendees[0].name if self.attendees else "candidat à désigner"
            return f"{self.kind_label} — {where}{staff} : {who}"
        word = "inscrit" if self.registered <= 1 else "inscrits"
        return f"{self.kind_label} — {where} ({self.registered}/{self.capacity} {word})"


def room_label(room: str) -> str:
    """`Turing` reads `salle Turing`; a room already named `Bureau 2` stays as it is."""
    words = fold(room).split()
    return room if words and words[0] in _ROOM_WORDS else f"salle {room}"


@dataclass
class AppointmentInput:
    """What a user typed in the appointment form, as text."""

    kind: str = ""
    date: str = ""
    time: str = ""
    duration_minutes: str = ""
    site: str = ""
    room: str = ""
    staff: str = ""
    capacity: str = ""
    notes: str = ""


def appointment_input(session: Session, info: AppointmentInfo) -> AppointmentInput:
    """A stored appointment as the text its edit form shows."""
    site = next(o for o in reference.sites(session) if o.id == info.site_id)
    return AppointmentInput(
        kind=info.kind,
        date=format_date(info.starts_at.date()),
        time=f"{info.starts_at:%H:%M}",
        duration_minutes=str(info.duration_minutes),
        site=site.code,
        room=info.room,
        staff=info.staff,
        capacity="" if info.capacity is None else str(info.capacity),
        notes=info.notes,
    )


# ---------------------------------------------------------------- parsing


class _Errors(dict[str, str]):
    """Field errors gathered while parsing a whole form."""

    def attempt(self, key: str, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except FieldError as error:
            self[key] = str(error)
            return None


@dataclass(frozen=True)
class _Fields:
    kind: AppointmentKind
    starts_at: datetime
    duration_minutes: int
    site_id: int
    room: str | None
    staff: str
    capacity: int | None
    notes: str | None


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


def _parse_day(text: str) -> date:
    day = parse_date(text)
    if day is None:
        raise FieldError("La date est obligatoire.")
    if not 2000 <= day.year <= 2099:
        raise FieldError(f"Cette date semble erronée (année {day.year}).")
    return day


def _parse_duration(text: str, kind: AppointmentKind | None) -> int:
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


def _parse_site(session: Session, text: str) -> int:
    options = reference.sites(session)
    if not text.strip():
        raise FieldError("Choisir le site.")
    option = reference.match_option(options, text)
    if option is None:
        allowed = ", ".join(o.code for o in options)
        raise FieldError(f"Site inconnu : « {text.strip()} » (valeurs possibles : {allowed}).")
    return option.id


def _parse_room(text: str, kind: AppointmentKind | None) -> str | None:
    room = clean_line(text, 80, "La salle")
    if room is None and kind == AppointmentKind.INFO_SESSION:
        raise FieldError("Indiquer la salle de l'information collective.")
    return room


def _parse_staff(text: str) -> str:
    staff = clean_line(text, 120, "L'intervenant")
    if staff is None:
        raise FieldError("Indiquer l'intervenant.")
    return staff


def _parse_capacity(text: str, kind: AppointmentKind | None) -> int | None:
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


def _parse_fields(session: Session, data: AppointmentInput, errors: _Errors) -> _Fields | None:
    """Every field checked at once; None when any was refused (the reasons are in `errors`)."""
    kind = errors.attempt("type", lambda: parse_kind(data.kind))
    day = errors.attempt("date", lambda: _parse_day(data.date))
    at = errors.attempt("heure", lambda: parse_time(data.time))
    duration = errors.attempt("duree", lambda: _parse_duration(data.duration_minutes, kind))
    site_id = errors.attempt("site", lambda: _parse_site(session, data.site))
    room = errors.attempt("salle", lambda: _parse_room(data.room, kind))
    staff = errors.attempt("intervenant", lambda: _parse_staff(data.staff))
    capacity = errors.attempt("capacite", lambda: _parse_capacity(data.capacity, kind))
    notes = errors.attempt("notes", lambda: clean_text(data.notes, 2000, "Les notes"))
    if errors or kind is None or day is None or at is None:
        return None
    if duration is None or site_id is None or staff is None:
        return None
    return _Fields(
        kind=kind,
        starts_at=datetime.combine(day, at),
        duration_minutes=duration,
        site_id=site_id,
        room=room,
        staff=staff,
        capacity=capacity,
        notes=notes,
    )


# ---------------------------------------------------------------- loading


def _info_query() -> Select[tuple[Appointment]]:
    return select(Appointment).options(
        joinedload(Appointment.site),
        selectinload(Appointment.attendees).joinedload(Attendee.candidate),
    )


def _infos(session: Session, statement: Select[tuple[Appointment]]) -> list[AppointmentInfo]:
    return [_info(a) for a in session.scalars(statement)]


def _load(session: Session, appointment_id: int) -> Appointment:
    appointment = session.scalar(_info_query().where(Appointment.id == appointment_id))
    if appointment is None:
        raise NotFoundError("Ce rendez-vous n'existe plus.")
    return appointment


def _attendee_info(attendee: Attendee) -> AttendeeInfo:
    attendance = Attendance(attendee.attendance)
    return AttendeeInfo(
        candidate_id=attendee.candidate_id,
        name=display_name(attendee.candidate),
        attendance=attendance.value,
        attendance_label=attendance.label,
    )


def _info(appointment: Appointment) -> AppointmentInfo:
    kind = AppointmentKind(appointment.kind)
    attendees = sorted(
        appointment.attendees,
        key=lambda a: (a.candidate.name_key or "", fold(a.candidate.first_name), a.candidate_id),
    )
    return AppointmentInfo(
        id=appointment.id,
        kind=kind.value,
        kind_label=kind.label,
        starts_at=appointment.starts_at,
        duration_minutes=appointment.duration_minutes,
        site_id=appointment.site_id,
        site_name=appointment.site.name,
        room=appointment.room or "",
        staff=appointment.staff or "",
        capacity=appointment.capacity,
        attendees=[_attendee_info(a) for a in attendees],
        notes=appointment.notes or "",
    )


def get_appointment(session: Session, appointment_id: int) -> AppointmentInfo:
    return _info(_load(session, appointment_id))


# ---------------------------------------------------------------- create / update / cancel


def _candidates_for(
    session: Session,
    fields: _Fields | None,
    candidate_ids: Iterable[int],
    errors: _Errors,
) -> list[Candidate]:
    """The candidates to register, checked against the kind and the capacity."""
    ids = list(dict.fromkeys(candidate_ids))
    found = {c.id: c for c in session.scalars(select(Candidate).where(Candidate.id.in_(ids)))}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        word = "Dossier introuvable" if len(missing) == 1 else "Dossiers introuvables"
        errors["candidat"] = f"{word} (n° {', '.join(missing)})."
    elif fields is not None and fields.kind == AppointmentKind.INTERVIEW and len(ids) != 1:
        errors["candidat"] = (
            "Choisir le candidat de l'entretien."
            if not ids
            else "Un entretien ne concerne qu'un seul candidat."
        )
    elif fields is not None and fields.capacity is not None and len(ids) > fields.capacity:
        errors["candidat"] = (
            f"Trop de candidats pour la capacité ({len(ids)} pour {fields.capacity} places)."
        )
    return [found[i] for i in ids if i in found]


def _apply(session: Session, appointment: Appointment, fields: _Fields) -> None:
    appointment.kind = fields.kind.value
    appointment.starts_at = fields.starts_at
    appointment.duration_minutes = fields.duration_minutes
    appointment.site = session.get_one(Site, fields.site_id)
    appointment.room = fields.room
    appointment.staff = fields.staff
    appointment.capacity = fields.capacity
    appointment.notes = fields.notes


def create_appointment(
    session: Session, data: AppointmentInput, candidate_ids: Sequence[int] = (), *, actor: Actor
) -> AppointmentInfo:
    """Validate the form and book the appointment with its candidates, or refuse it whole."""
    require_appointment_editor(actor)
    errors = _Errors()
    fields = _parse_fields(session, data, errors)
    candidates = _candidates_for(session, fields, candidate_ids, errors)
    if errors or fields is None:
        raise ValidationError(errors)
    appointment = Appointment()
    _apply(session, appointment, fields)
    appointment.attendees = [Attendee(candidate=c) for c in candidates]
    session.add(appointment)
    session.flush()
    return get_appointment(session, appointment.id)


def update_appointment(
    session: Session, appointment_id: int, data: AppointmentInput, *, actor: Actor
) -> AppointmentInfo:
    """Change date, place, staff or capacity; the registered candidates stay."""
    require_appointment_editor(actor)
    appointment = _load(session, appointment_id)
    errors = _Errors()
    fields = _parse_fields(session, data, errors)
    registered = len(appointment.attendees)
    if fields is not None and fields.kind == AppointmentKind.INTERVIEW and registered > 1:
        errors["type"] = (
            f"Impossible d'en faire un entretien : {registered} candidats sont inscrits."
        )
    if fields is not None and fields.capacity is not None and fields.capacity < registered:
        errors["capacite"] = (
            f"La capacité ne peut pas être inférieure au nombre d'inscrits ({registered})."
        )
    if errors or fields is None:
        raise ValidationError(errors)
    _apply(session, appointment, fields)
    session.flush()
    return _info(appointment)


def cancel_appointment(session: Session, appointment_id: int, *, actor: Actor) -> None:
    """Delete the appointment; its registrations go with it."""
    require_appointment_editor(actor)
    session.delete(_load(session, appointment_id))
    session.flush()


# ---------------------------------------------------------------- registrations


def _refuse(message: str, key: str = "candidat") -> ValidationError:
    return ValidationError({key: message}, message=message)


def _registered_word(candidate: Candidate) -> str:
    return {"F": "inscrite", "M": "inscrit"}.get(candidate.sex or "", "inscrit·e")


def _places(count: int) -> str:
    return f"{count} place" if count == 1 else f"{count} places"


def register(
    session: Session, appointment_id: int, candidate_id: int, *, actor: Actor
) -> AppointmentInfo:
    """Add a candidate to a session (if a place is left) or to an interview without one."""
    require_appointment_editor(actor)
    appointment = _load(session, appointment_id)
    candidate = load_candidate(session, candidate_id)
    if any(a.candidate_id == candidate_id for a in appointment.attendees):
        name = display_name(candidate)
        raise _refuse(f"{name} est déjà {_registered_word(candidate)} à ce rendez-vous.")
    if appointment.kind == AppointmentKind.INTERVIEW and appointment.attendees:
        name = display_name(appointment.attendees[0].candidate)
        raise _refuse(f"Cet entretien a déjà son candidat : {name}.")
    capacity = appointment.capacity
    if capacity is not None and len(appointment.attendees) >= capacity:
        raise _refuse(f"La session est complète ({_places(capacity)}).")
    appointment.attendees.append(Attendee(candidate=candidate))
    session.flush()
    return _info(appointment)


def _attendee(appointment: Appointment, candidate_id: int) -> Attendee:
    for attendee in appointment.attendees:
        if attendee.candidate_id == candidate_id:
            return attendee
    raise _refuse("Ce candidat n'est pas inscrit à ce rendez-vous.")


def unregister(
    session: Session, appointment_id: int, candidate_id: int, *, actor: Actor
) -> AppointmentInfo:
    require_appointment_editor(actor)
    appointment = _load(session, appointment_id)
    appointment.attendees.remove(_attendee(appointment, candidate_id))
    session.flush()
    return _info(appointment)


def set_attendance(
    session: Session, appointment_id: int, candidate_id: int, attendance: str, *, actor: Actor
) -> AppointmentInfo:
    """Record présent / absent / excusé (or back to inscrit) for a registered candidate."""
    require_appointment_editor(actor)
    try:
        value = parse_attendance(attendance)
    except FieldError as error:
        raise _refuse(str(error), key="presence") from None
    appointment = _load(session, appointment_id)
    _attendee(appointment, candidate_id).attendance = value.value
    session.flush()
    return _info(appointment)


# ---------------------------------------------------------------- lists


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min)
    return start, start + timedelta(days=1)


def appointments_on(
    session: Session, day: date, site_id: int | None = None
) -> list[AppointmentInfo]:
    """The day's appointments in time order, for the "Aujourd'hui" strip."""
    start, end = _day_bounds(day)
    statement = _info_query().where(Appointment.starts_at >= start, Appointment.starts_at < end)
    if site_id is not None:
        statement = statement.where(Appointment.site_id == site_id)
    return _infos(session, statement.order_by(Appointment.starts_at, Appointment.id))


def for_candidate(session: Session, candidate_id: int) -> list[AppointmentInfo]:
    """Every appointment the candidate is registered to, in date order."""
    statement = _info_query().where(
        Appointment.attendees.any(Attendee.candidate_id == candidate_id)
    )
    return _infos(session, statement.order_by(Appointment.starts_at, Appointment.id))


def upcoming_sessions(
    session: Session, from_day: date, site_id: int | None = None
) -> list[AppointmentInfo]:
    """Information sessions from that day on that still have a free place, in date order."""
    start, _ = _day_bounds(from_day)
    registered = (
        select(func.count(Attendee.id))
        .where(Attendee.appointment_id == Appointment.id)
        .correlate(Appointment)
        .scalar_subquery()
    )
    statement = _info_query().where(
        Appointment.kind == AppointmentKind.INFO_SESSION.value,
        Appointment.starts_at >= start,
        Appointment.capacity > registered,
    )
    if site_id is not None:
        statement = statement.where(Appointment.site_id == site_id)
    return _infos(session, statement.order_by(Appointment.starts_at, Appointment.id))
