"""Clashes: a room, a member of staff or a candidate booked twice at the same time. No Qt.

Two appointments clash when neither is cancelled, they overlap in time (each starts before the
other ends) and they share the room on the same site, one of their staff (names compared with
case, accents and spaces folded; "Nadia Belkacem et Marc Petit" is two people), or one of their
registered candidates. The refusal names the other appointment, so that the desk knows what to
move. Only the appointments that can overlap are read: those starting less than the longest
duration before the new one ends.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.domain import Appointment, AppointmentKind, Attendee, Candidate
from app.domain.text import fold
from app.services.candidates.records import display_name

# The longest appointment the form accepts (minutes); booking.py checks durations against it.
LONGEST_MINUTES = 480
ROOM_WORDS = ("salle", "bureau", "atelier", "espace", "amphi", "amphitheatre")
_FEMININE_ROOMS = ("salle",)
_STAFF_SEPARATORS = re.compile(r"\s+et\s+|[,;/&+]")


@dataclass(frozen=True)
class Slot:
    """Where and when an appointment would take place, and who it would hold."""

    starts_at: datetime
    duration_minutes: int
    site_id: int
    room: str | None
    staff: str | None
    candidates: Sequence[Candidate] = ()
    appointment_id: int | None = None  # the appointment being moved: never its own clash

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


def room_label(room: str) -> str:
    """`Turing` reads `salle Turing`; a room already named `Bureau 2` stays as it is."""
    words = fold(room).split()
    return room if words and words[0] in ROOM_WORDS else f"salle {room}"


def room_key(room: str | None) -> str:
    """ "Salle Turing", "salle turing" and "Turing" are the same room."""
    words = fold(room or "").split()
    if words[:1] == ["salle"]:
        words = words[1:]
    return " ".join(words)


def staff_names(staff: str | None) -> dict[str, str]:
    """Each person named in the staff field, folded -> as typed."""
    names: dict[str, str] = {}
    for part in _STAFF_SEPARATORS.split(staff or ""):
        key = fold(part)
        if key:
            names.setdefault(key, part.strip())
    return names


# ---------------------------------------------------------------- reading


def overlapping(session: Session, slot: Slot) -> list[Appointment]:
    """The appointments that are not cancelled and overlap the slot, in time order."""
    statement = (
        select(Appointment)
        .options(
            joinedload(Appointment.site),
            selectinload(Appointment.attendees).joinedload(Attendee.candidate),
        )
        .where(
            Appointment.cancelled_at.is_(None),
            Appointment.starts_at < slot.ends_at,
            Appointment.starts_at > slot.starts_at - timedelta(minutes=LONGEST_MINUTES),
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )
    if slot.appointment_id is not None:
        statement = statement.where(Appointment.id != slot.appointment_id)
    return [
        other
        for other in session.scalars(statement)
        if other.starts_at + timedelta(minutes=other.duration_minutes) > slot.starts_at
    ]


def clashes(
    session: Session, slot: Slot, *, check_place: bool = True, check_candidates: bool = True
) -> dict[str, str]:
    """French refusals keyed by the form's fields (salle, intervenant, candidat); empty when
    the slot is free. `check_place` covers the room and the staff."""
    others = overlapping(session, slot)
    errors: dict[str, str] = {}
    if check_place:
        room = _room_clash(others, slot)
        staff = _staff_clash(others, slot)
        if room:
            errors["salle"] = room
        if staff:
            errors["intervenant"] = staff
    if check_candidates:
        person = _candidate_clash(others, slot.candidates)
        if person:
            errors["candidat"] = person
    return errors


# ---------------------------------------------------------------- the refusals


def _room_clash(others: Iterable[Appointment], slot: Slot) -> str | None:
    wanted = room_key(slot.room)
    if not wanted or slot.room is None:
        return None
    for other in others:
        if other.site_id == slot.site_id and room_key(other.room) == wanted:
            label = room_label(slot.room)
            taken = "prise" if fold(label).split()[0] in _FEMININE_ROOMS else "pris"
            subject = f"La {label}" if taken == "prise" else label[:1].upper() + label[1:]
            described = _described(other, with_room=False)
            return f"{subject} est déjà {taken} {_when(other)} par {described}."
    return None


def _staff_clash(others: Iterable[Appointment], slot: Slot) -> str | None:
    wanted = staff_names(slot.staff)
    for other in others:
        common = [name for key, name in wanted.items() if key in staff_names(other.staff)]
        if common:
            return f"{common[0]} a déjà un rendez-vous {_when(other)} : {_described(other)}."
    return None


def _candidate_clash(others: Iterable[Appointment], candidates: Sequence[Candidate]) -> str | None:
    wanted = {c.id: c for c in candidates}
    for other in others:
        for attendee in other.attendees:
            if attendee.candidate_id in wanted:
                name = display_name(wanted[attendee.candidate_id])
                return f"{name} a déjà un rendez-vous {_when(other)} : {_described(other)}."
    return None


def _when(other: Appointment) -> str:
    ends = other.starts_at + timedelta(minutes=other.duration_minutes)
    return f"le {other.starts_at:%d/%m} de {other.starts_at:%H:%M} à {ends:%H:%M}"


def _described(other: Appointment, *, with_room: bool = True) -> str:
    """ "l'information collective (Cobalt, salle Turing, animée par Nadia Belkacem)"."""
    place = [other.site.name]
    if other.room and with_room:
        place.append(room_label(other.room))
    if other.kind == AppointmentKind.INTERVIEW:
        who = f" de {display_name(other.attendees[0].candidate)}" if other.attendees else ""
        if other.staff:
            place.append(f"avec {other.staff}")
        return f"l'entretien{who} ({', '.join(place)})"
    if other.staff:
        place.append(f"animée par {other.staff}")
    return f"l'information collective ({', '.join(place)})"
