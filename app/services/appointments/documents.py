"""The paper around appointments: convocation letters and the sign-in sheet (feuille
d'émargement) of an information session. No Qt.

The building blocks gather what the documents print as plain French text
(app/pdf/appointment_data.py); the use cases check the actor, render the PDF and journal the
print in one unit of work.
"""

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from babel.dates import format_date as babel_date
from sqlalchemy.orm import Session

from app.domain import Appointment, AppointmentKind, AuditAction, Candidate, Site
from app.domain.values import CIVILITIES
from app.errors import UserFacingError
from app.pdf.appointment_data import (
    Contact,
    ConvocationData,
    Letterhead,
    Recipient,
    SheetPerson,
    SignInSheetData,
    Venue,
)
from app.services.actor import Actor
from app.services.appointments.booking import room_label
from app.services.errors import NotFoundError
from app.services.journal import audit_log as audit
from app.services.permissions import require_appointment_editor, require_bulk_personal_data
from app.services.settings.organisation import convocation_items, get_organisation
from app.services.unit_of_work import writes
from app.services.validation import format_date, format_phone

__all__ = [
    "PaperDocument",
    "convocation_data",
    "convocation_pdf",
    "french_clock",
    "french_day",
    "french_duration",
    "sign_in_sheet_data",
    "sign_in_sheet_pdf",
]

CANCELLED = "Ce rendez-vous est annulé : il n'y a rien à imprimer pour lui."
NOBODY = "Personne n'est inscrit à ce rendez-vous : aucune convocation à imprimer."
NOT_REGISTERED = "Cette personne n'est pas (ou plus) inscrite à ce rendez-vous."
SHEET_FOR_SESSIONS = (
    "La feuille d'émargement est pour les informations collectives ; "
    "un entretien n'en a pas besoin."
)


@dataclass(frozen=True)
class PaperDocument:
    """A rendered PDF and the file name the save dialog suggests."""

    data: bytes
    filename: str


# ---------------------------------------------------------------- French wording


def french_day(day: date) -> str:
    """ "mardi 8 décembre 2026"; the first of the month is "mardi 1er décembre 2026"."""
    weekday = babel_date(day, "EEEE", locale="fr_FR")
    month = babel_date(day, "MMMM", locale="fr_FR")
    number = "1er" if day.day == 1 else str(day.day)
    return f"{weekday} {number} {month} {day.year}"


def french_clock(moment: time | datetime) -> str:
    """ "14 h 00", "9 h 30"."""
    return f"{moment.hour} h {moment.minute:02d}"


def french_duration(minutes: int) -> str:
    """45 → "45 minutes", 60 → "1 h", 90 → "1 h 30"."""
    if minutes < 60:
        return f"{minutes} minutes"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def _town_line(postal_code: str | None, city: str | None) -> str:
    return " ".join(part.strip() for part in (postal_code or "", city or "") if part.strip())


def _lines(*parts: str | None) -> tuple[str, ...]:
    """The non-empty lines of these texts (a typed address may hold line breaks)."""
    return tuple(
        line.strip() for part in parts for line in (part or "").splitlines() if line.strip()
    )


def _kind_words(appointment: Appointment) -> str:
    """ "information collective", "entretien"."""
    return AppointmentKind(appointment.kind).label.lower()


# ---------------------------------------------------------------- building blocks


def _appointment(session: Session, appointment_id: int) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFoundError("Ce rendez-vous n'existe plus.")
    if appointment.cancelled_at is not None:
        raise UserFacingError(CANCELLED)
    return appointment


def _letterhead(session: Session) -> Letterhead:
    organisation = get_organisation(session)
    return Letterhead(organisation.nom, organisation.adresse, organisation.logo)


def _venue(appointment: Appointment) -> Venue:
    site = appointment.site
    room = room_label(appointment.room) if appointment.room else ""
    return Venue(site.name, _lines(site.address, _town_line(site.postal_code, site.city)), room)


def _contact(site: Site) -> Contact:
    return Contact(format_phone(site.phone) if site.phone else "", site.email or "")


def _recipient(candidate: Candidate) -> Recipient:
    civility = CIVILITIES.get(candidate.civility or "", "")
    family = (candidate.usage_name or candidate.last_name).upper()
    name = " ".join(part for part in (civility, candidate.first_name, family) if part)
    address = _lines(candidate.address, _town_line(candidate.postal_code, candidate.city))
    return Recipient(name, address, candidate.sex or "")


def _registered(appointment: Appointment) -> list[Candidate]:
    """The registered candidates in the order of the lists: name, first name."""
    candidates = [attendee.candidate for attendee in appointment.attendees]
    return sorted(candidates, key=lambda c: (c.name_key or "", c.first_name_key or "", c.id))


def _convened(appointment: Appointment, candidate_ids: Sequence[int] | None) -> list[Candidate]:
    registered = _registered(appointment)
    if candidate_ids is None:
        chosen = registered
    else:
        wanted = set(candidate_ids)
        chosen = [c for c in registered if c.id in wanted]
        if len(chosen) < len(wanted):
            raise UserFacingError(NOT_REGISTERED)
    if not chosen:
        raise UserFacingError(NOBODY)
    return chosen


def convocation_data(
    session: Session,
    appointment_id: int,
    candidate_ids: Sequence[int] | None = None,
    *,
    signatory: str,
    today: date,
) -> ConvocationData:
    """One letter per person convened (every registered person when `candidate_ids` is None);
    refused in French for a cancelled appointment or when nobody is left to convene."""
    appointment = _appointment(session, appointment_id)
    recipients = _convened(appointment, candidate_ids)
    return _convocation(session, appointment, recipients, signatory=signatory, today=today)


def _convocation(
    session: Session,
    appointment: Appointment,
    recipients: Sequence[Candidate],
    *,
    signatory: str,
    today: date,
) -> ConvocationData:
    site = appointment.site
    organisation = get_organisation(session)
    is_interview = appointment.kind == AppointmentKind.INTERVIEW.value
    starts_at = appointment.starts_at
    return ConvocationData(
        letterhead=_letterhead(session),
        is_interview=is_interview,
        when=f"{french_day(starts_at.date())} à {french_clock(starts_at)}",
        duration=french_duration(appointment.duration_minutes),
        venue=_venue(appointment),
        interviewer=(appointment.staff or "") if is_interview else "",
        items=convocation_items(session),
        contact=_contact(site),
        issued_at=site.city or organisation.ville_signature,
        issued_on=today,
        issued_on_text=french_day(today).split(" ", 1)[1],
        signatory=signatory,
        recipients=tuple(_recipient(c) for c in recipients),
        footer=f"{AppointmentKind(appointment.kind).label} du {format_date(starts_at.date())} "
        f"— {site.name}",
    )


def sign_in_sheet_data(session: Session, appointment_id: int, *, today: date) -> SignInSheetData:
    """The sign-in sheet of an information session (refused for an interview)."""
    appointment = _appointment(session, appointment_id)
    if appointment.kind != AppointmentKind.INFO_SESSION.value:
        raise UserFacingError(SHEET_FOR_SESSIONS)
    people = tuple(
        SheetPerson(
            c.last_name.upper() + (f" ({c.usage_name.upper()})" if c.usage_name else ""),
            c.first_name,
        )
        for c in _registered(appointment)
    )
    starts_at = appointment.starts_at
    ends_at = starts_at + timedelta(minutes=appointment.duration_minutes)
    return SignInSheetData(
        letterhead=_letterhead(session),
        day=french_day(starts_at.date()),
        hours=f"{french_clock(starts_at)} – {french_clock(ends_at)}",
        venue=_venue(appointment),
        speaker=appointment.staff or "",
        people=people,
        capacity=appointment.capacity,
        printed_on=today,
        footer=f"Information collective du {format_date(starts_at.date())} — "
        f"{appointment.site.name}",
    )


# ---------------------------------------------------------------- file names and journal


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def _file_name(document: str, appointment: Appointment) -> str:
    """ "Convocation - information collective 2026-12-08 Cobalt.pdf"; an interview's name
    holds its time too (several the same day)."""
    starts_at = appointment.starts_at
    when = starts_at.date().isoformat()
    if appointment.kind == AppointmentKind.INTERVIEW.value:
        when += f" {starts_at:%Hh%M}"
    name = f"{document} - {_kind_words(appointment)} {when} {appointment.site.name}"
    return _UNSAFE.sub(" ", name).strip() + ".pdf"


def _what(appointment: Appointment) -> str:
    """The appointment as the journal names it: "information collective du 08/12/2026 à
    14:00 (Cobalt)"."""
    starts_at = appointment.starts_at
    return (
        f"{_kind_words(appointment)} du {format_date(starts_at.date())} à {starts_at:%H:%M} "
        f"({appointment.site.name})"
    )


def _people(count: int) -> str:
    return f"{count} personne" + ("s" if count > 1 else "")


# ---------------------------------------------------------------- use cases


@writes
def convocation_pdf(
    session: Session,
    appointment_id: int,
    candidate_ids: Sequence[int] | None = None,
    *,
    actor: Actor,
    today: date | None = None,
) -> PaperDocument:
    """The convocation letters (all registered people when `candidate_ids` is None), one page
    each; each person's file journals its letter. Accueil and coordination only."""
    require_appointment_editor(actor)
    appointment = _appointment(session, appointment_id)
    convened = _convened(appointment, candidate_ids)
    if len(convened) > 1:
        require_bulk_personal_data(actor)
    data = _convocation(
        session, appointment, convened, signatory=actor.display_name, today=today or date.today()
    )

    from app.pdf.convocation import render_convocations

    buffer = io.BytesIO()
    render_convocations(data, buffer)
    series = f" (série de {_people(len(convened))})" if len(convened) > 1 else ""
    for candidate in convened:
        audit.record(
            session,
            AuditAction.IMPRESSION,
            candidate,
            f"Convocation imprimée : {_what(appointment)}{series}",
            author=actor.author,
        )
    return PaperDocument(buffer.getvalue(), _file_name("Convocation", appointment))


@writes
def sign_in_sheet_pdf(
    session: Session, appointment_id: int, *, actor: Actor, today: date | None = None
) -> PaperDocument:
    """The feuille d'émargement of an information session, journaled with its count of
    registered people. Accueil and coordination only."""
    require_appointment_editor(actor)
    data = sign_in_sheet_data(session, appointment_id, today=today or date.today())
    if len(data.people) > 1:
        require_bulk_personal_data(actor)

    from app.pdf.sign_in_sheet import render_sign_in_sheet

    buffer = io.BytesIO()
    render_sign_in_sheet(data, buffer)
    appointment = _appointment(session, appointment_id)
    audit.record(
        session,
        AuditAction.IMPRESSION,
        None,
        f"Feuille d'émargement imprimée : {_what(appointment)}, "
        f"{_people(len(data.people))} inscrite{'s' if len(data.people) > 1 else ''}",
        entity_type="export",
        author=actor.author,
    )
    return PaperDocument(buffer.getvalue(), _file_name("Emargement", appointment))
