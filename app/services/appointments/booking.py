"""Appointments: information sessions (informations collectives) and interviews (entretiens)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.domain import (
    Appointment,
    AppointmentKind,
    Attendance,
    Attendee,
    AuditAction,
    Candidate,
    Site,
)
from app.domain.account import ROLE_COORDINATION
from app.domain.text import fold
from app.services import reference
from app.services.accounts.names import display_names, person_name
from app.services.actor import Actor
from app.services.appointments.clashes import Slot, clashes, room_label
from app.services.appointments.fields import (
    FormErrors,
    parse_attendance,
    parse_capacity,
    parse_day,
    parse_duration,
    parse_kind,
    parse_room,
    parse_site,
    parse_staff,
    parse_time,
)
from app.services.candidates.records import display_name, load_candidate
from app.services.errors import NotFoundError, ValidationError
from app.services.journal import audit_log as audit
from app.services.permissions import require_appointment_editor, require_coordination
from app.services.validation import FieldError, clean_text, format_date, format_phone

# ---------------------------------------------------------------- what the UI receives


@dataclass(frozen=True)
class AttendeeInfo:
    candidate_id: int
    name: str
    attendance: str
    attendance_label: str
    phone: str = ""  # as shown, "06 12 34 56 78": the desk calls when an appointment changes


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
    # A cancelled appointment is kept, with its people, and holds no room or place.
    cancelled_at: datetime | None = None
    cancellation_reason: str = ""
    cancelled_by: str = ""  # the display name of who cancelled it

    @property
    def registered(self) -> int:
        return len(self.attendees)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.registered >= self.capacity

    @property
    def title(self) -> str:
        """ "Information collective du 08/12/2026 à 14:00", for dialogs and messages."""
        return f"{self.kind_label} du {self.starts_at:%d/%m/%Y} à {self.starts_at:%H:%M}"

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
            cancelled = " — annulé" if self.cancelled else ""
            return f"{self.kind_label} — {where}{staff} : {who}{cancelled}"
        word = "inscrit" if self.registered <= 1 else "inscrits"
        cancelled = " — annulée" if self.cancelled else ""
        return f"{self.kind_label} — {where} ({self.registered}/{self.capacity} {word}){cancelled}"


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


def _parse_fields(session: Session, data: AppointmentInput, errors: FormErrors) -> _Fields | None:
    """Every field checked at once; None when any was refused (the reasons are in `errors`)."""
    kind = errors.attempt("type", lambda: parse_kind(data.kind))
    day = errors.attempt("date", lambda: parse_day(data.date))
    at = errors.attempt("heure", lambda: parse_time(data.time))
    duration = errors.attempt("duree", lambda: parse_duration(data.duration_minutes, kind))
    site_id = errors.attempt("site", lambda: parse_site(session, data.site))
    room = errors.attempt("salle", lambda: parse_room(data.room, kind))
    staff = errors.attempt("intervenant", lambda: parse_staff(data.staff))
    capacity = errors.attempt("capacite", lambda: parse_capacity(data.capacity, kind))
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
    appointments = list(session.scalars(statement))
    names = _names_if_cancelled(session, appointments)
    return [_info(a, names) for a in appointments]


def _load(session: Session, appointment_id: int) -> Appointment:
    appointment = session.scalar(_info_query().where(Appointment.id == appointment_id))
    if appointment is None:
        raise NotFoundError("Ce rendez-vous n'existe plus.")
    return appointment


def _names_if_cancelled(session: Session, appointments: Iterable[Appointment]) -> dict[str, str]:
    """The accounts' display names, read only when a cancellation has an author to show."""
    return display_names(session) if any(a.cancelled_by for a in appointments) else {}


def _attendee_info(attendee: Attendee) -> AttendeeInfo:
    attendance = Attendance(attendee.attendance)
    return AttendeeInfo(
        candidate_id=attendee.candidate_id,
        name=display_name(attendee.candidate),
        attendance=attendance.value,
        attendance_label=attendance.label,
        phone=format_phone(attendee.candidate.phone),
    )


def _info(appointment: Appointment, names: Mapping[str, str] | None = None) -> AppointmentInfo:
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
        cancelled_at=appointment.cancelled_at,
        cancellation_reason=appointment.cancellation_reason or "",
        cancelled_by=person_name(names or {}, appointment.cancelled_by),
    )


def _fresh_info(session: Session, appointment: Appointment) -> AppointmentInfo:
    return _info(appointment, _names_if_cancelled(session, [appointment]))


def get_appointment(session: Session, appointment_id: int) -> AppointmentInfo:
    return _fresh_info(session, _load(session, appointment_id))


def _refuse(message: str, key: str = "candidat") -> ValidationError:
    return ValidationError({key: message}, message=message)


def _refuse_if_cancelled(appointment: Appointment, what: str) -> None:
    """`what` completes "Ce rendez-vous est annulé : …"."""
    if appointment.cancelled_at is not None:
        raise _refuse(f"Ce rendez-vous est annulé : {what}", key="rendez_vous")


# ---------------------------------------------------------------- the journal


def _moment(starts_at: datetime) -> str:
    return f"{starts_at:%d/%m/%Y} à {starts_at:%H:%M}"


def _journal(session: Session, candidates: Iterable[Candidate], summary: str, actor: Actor) -> None:
    """One entry per person concerned, in their file's history; `summary` names nobody."""
    for candidate in candidates:
        audit.record(session, AuditAction.MODIFICATION, candidate, summary, author=actor.author)


def _about(appointment: Appointment) -> str:
    """ "information collective du 08/12/2026 à 14:00 (Cobalt)"."""
    kind = AppointmentKind(appointment.kind).label.lower()
    return f"{kind} du {_moment(appointment.starts_at)} ({appointment.site.name})"


# ---------------------------------------------------------------- create / update / cancel


def _candidates_for(
    session: Session,
    fields: _Fields | None,
    candidate_ids: Iterable[int],
    errors: FormErrors,
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


def _slot(
    fields: _Fields, candidates: Sequence[Candidate], appointment_id: int | None = None
) -> Slot:
    return Slot(
        starts_at=fields.starts_at,
        duration_minutes=fields.duration_minutes,
        site_id=fields.site_id,
        room=fields.room,
        staff=fields.staff,
        candidates=candidates,
        appointment_id=appointment_id,
    )


def _apply(session: Session, appointment: Appointment, fields: _Fields) -> None:
    appointment.kind = fields.kind.value
    appointment.starts_at = fields.starts_at
    appointment.duration_minutes = fields.duration_minutes
    appointment.site = session.get_one(Site, fields.site_id)
    appointment.room = fields.room
    appointment.staff = fields.staff
    appointment.capacity = fields.capacity
    appointment.notes = fields.notes


def _refused(errors: FormErrors) -> ValidationError:
    """The form's refusals; a clash alone reads as its own sentence."""
    if len(errors) == 1:
        return ValidationError(errors, message=next(iter(errors.values())))
    return ValidationError(errors)


def create_appointment(
    session: Session, data: AppointmentInput, candidate_ids: Sequence[int] = (), *, actor: Actor
) -> AppointmentInfo:
    """Validate the form and book the appointment with its candidates, or refuse it whole:
    a room, a member of staff or a candidate already booked at that time is refused."""
    require_appointment_editor(actor)
    errors = FormErrors()
    fields = _parse_fields(session, data, errors)
    candidates = _candidates_for(session, fields, candidate_ids, errors)
    if fields is not None and not errors:
        errors.update(clashes(session, _slot(fields, candidates)))
    if errors or fields is None:
        raise _refused(errors)
    appointment = Appointment()
    _apply(session, appointment, fields)
    appointment.attendees = [Attendee(candidate=c) for c in candidates]
    session.add(appointment)
    session.flush()
    return get_appointment(session, appointment.id)


def update_appointment(
    session: Session, appointment_id: int, data: AppointmentInput, *, actor: Actor
) -> AppointmentInfo:
    """Move an appointment (date, time, place, staff) or change its capacity; the registered
    candidates stay, and each one's file notes the move. Refused at a time when its room, its
    staff or one of its candidates is taken."""
    require_appointment_editor(actor)
    appointment = _load(session, appointment_id)
    _refuse_if_cancelled(appointment, "il ne peut plus être déplacé.")
    errors = FormErrors()
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
    people = [a.candidate for a in appointment.attendees]
    if fields is not None and not errors:
        errors.update(clashes(session, _slot(fields, people, appointment.id)))
    if errors or fields is None:
        raise _refused(errors)
    before = (_about(appointment), appointment.room, appointment.staff)
    _apply(session, appointment, fields)
    session.flush()
    after = (_about(appointment), appointment.room, appointment.staff)
    if after != before:
        _journal(session, people, f"Rendez-vous déplacé : {before[0]} → {after[0]}", actor)
    return _fresh_info(session, appointment)


def cancel_appointment(
    session: Session,
    appointment_id: int,
    *,
    reason: str = "",
    actor: Actor,
    now: datetime | None = None,
) -> AppointmentInfo:
    """Cancel with a reason: the appointment and its people are kept (histories, agenda) but
    it no longer holds a room, a member of staff, a candidate or a place."""
    require_appointment_editor(actor)
    appointment = _load(session, appointment_id)
    _refuse_if_cancelled(appointment, "il a déjà été annulé.")
    try:
        text = clean_text(reason, 500, "Le motif")
    except FieldError as error:
        raise _refuse(str(error), key="motif") from None
    if text is None:
        raise _refuse("Indiquer le motif de l'annulation.", key="motif")
    appointment.cancelled_at = now or datetime.now().replace(microsecond=0)
    appointment.cancellation_reason = text
    appointment.cancelled_by = actor.author
    session.flush()
    _journal(
        session,
        [a.candidate for a in appointment.attendees],
        f"Rendez-vous annulé : {_about(appointment)}",
        actor,
    )
    return _fresh_info(session, appointment)


# ---------------------------------------------------------------- registrations


class SessionFull(ValidationError):
    """A registration refused for want of places; coordination may register anyway."""


def can_override_capacity(role: str) -> bool:
    """Who may register someone in a full session (the window asks them first)."""
    return role == ROLE_COORDINATION


def _registered_word(candidate: Candidate) -> str:
    return {"F": "inscrite", "M": "inscrit"}.get(candidate.sex or "", "inscrit·e")


def _places(count: int) -> str:
    return f"{count} place" if count == 1 else f"{count} places"


def register(
    session: Session,
    appointment_id: int,
    candidate_id: int,
    *,
    actor: Actor,
    override_capacity: bool = False,
) -> AppointmentInfo:
    """Add a candidate to a session (if a place is left) or to an interview without one;
    refused when the candidate is booked elsewhere at that time. Coordination may register
    beyond the capacity with `override_capacity`."""
    require_appointment_editor(actor)
    if override_capacity:
        require_coordination(actor, "inscrire au-delà des places d'une session complète")
    appointment = _load(session, appointment_id)
    _refuse_if_cancelled(appointment, "personne ne peut plus s'y inscrire.")
    candidate = load_candidate(session, candidate_id)
    if any(a.candidate_id == candidate_id for a in appointment.attendees):
        name = display_name(candidate)
        raise _refuse(f"{name} est déjà {_registered_word(candidate)} à ce rendez-vous.")
    if appointment.kind == AppointmentKind.INTERVIEW and appointment.attendees:
        name = display_name(appointment.attendees[0].candidate)
        raise _refuse(f"Cet entretien a déjà son candidat : {name}.")
    slot = Slot(
        starts_at=appointment.starts_at,
        duration_minutes=appointment.duration_minutes,
        site_id=appointment.site_id,
        room=appointment.room,
        staff=appointment.staff,
        candidates=[candidate],
        appointment_id=appointment.id,
    )
    clash = clashes(session, slot, check_place=False).get("candidat")
    if clash:
        raise _refuse(clash)
    capacity = appointment.capacity
    if capacity is not None and len(appointment.attendees) >= capacity and not override_capacity:
        message = f"La session est complète ({_places(capacity)})."
        raise SessionFull({"candidat": message}, message=message)
    appointment.attendees.append(Attendee(candidate=candidate))
    session.flush()
    return _fresh_info(session, appointment)


def _attendee(appointment: Appointment, candidate_id: int) -> Attendee:
    for attendee in appointment.attendees:
        if attendee.candidate_id == candidate_id:
            return attendee
    raise _refuse("Ce candidat n'est pas inscrit à ce rendez-vous.")


def unregister(
    session: Session, appointment_id: int, candidate_id: int, *, actor: Actor
) -> AppointmentInfo:
    """Take a candidate off an appointment (their file notes it); the place is free again."""
    require_appointment_editor(actor)
    appointment = _load(session, appointment_id)
    _refuse_if_cancelled(appointment, "ses inscriptions restent telles quelles.")
    attendee = _attendee(appointment, candidate_id)
    appointment.attendees.remove(attendee)
    session.flush()
    _journal(session, [attendee.candidate], f"Désinscription : {_about(appointment)}", actor)
    return _fresh_info(session, appointment)


def _attendance_value(text: str) -> Attendance:
    try:
        return parse_attendance(text)
    except FieldError as error:
        raise _refuse(str(error), key="presence") from None


def set_attendance(
    session: Session, appointment_id: int, candidate_id: int, attendance: str, *, actor: Actor
) -> AppointmentInfo:
    """Record présent / absent / excusé (or back to inscrit) for a registered candidate."""
    return record_attendance(session, appointment_id, {candidate_id: attendance}, actor=actor)


def record_attendance(
    session: Session, appointment_id: int, attendances: Mapping[int, str], *, actor: Actor
) -> AppointmentInfo:
    """The attendance of several registered candidates at once ("tous présents", then the
    exceptions): all recorded, or none when one value or one person is refused."""
    require_appointment_editor(actor)
    values = {cid: _attendance_value(text) for cid, text in attendances.items()}
    appointment = _load(session, appointment_id)
    _refuse_if_cancelled(appointment, "les présences ne se notent plus.")
    for candidate_id, value in values.items():
        _attendee(appointment, candidate_id).attendance = value.value
    session.flush()
    return _fresh_info(session, appointment)


# ---------------------------------------------------------------- lists


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min)
    return start, start + timedelta(days=1)


def appointments_on(
    session: Session, day: date, site_id: int | None = None
) -> list[AppointmentInfo]:
    """The day's appointments in time order, for the "Aujourd'hui" strip; the cancelled ones
    are listed as such."""
    start, end = _day_bounds(day)
    statement = _info_query().where(Appointment.starts_at >= start, Appointment.starts_at < end)
    if site_id is not None:
        statement = statement.where(Appointment.site_id == site_id)
    return _infos(session, statement.order_by(Appointment.starts_at, Appointment.id))


def for_candidate(session: Session, candidate_id: int) -> list[AppointmentInfo]:
    """Every appointment the candidate is registered to, in date order (cancelled ones too)."""
    statement = _info_query().where(
        Appointment.attendees.any(Attendee.candidate_id == candidate_id)
    )
    return _infos(session, statement.order_by(Appointment.starts_at, Appointment.id))


def upcoming_sessions(
    session: Session, from_day: date, site_id: int | None = None
) -> list[AppointmentInfo]:
    """Information sessions from that day on, not cancelled, that still have a free place, in
    date order."""
    start, _ = _day_bounds(from_day)
    registered = (
        select(func.count(Attendee.id))
        .where(Attendee.appointment_id == Appointment.id)
        .correlate(Appointment)
        .scalar_subquery()
    )
    statement = _info_query().where(
        Appointment.kind == AppointmentKind.INFO_SESSION.value,
        Appointment.cancelled_at.is_(None),
        Appointment.starts_at >= start,
        Appointment.capacity > registered,
    )
    if site_id is not None:
        statement = statement.where(Appointment.site_id == site_id)
    return _infos(session, statement.order_by(Appointment.starts_at, Appointment.id))
