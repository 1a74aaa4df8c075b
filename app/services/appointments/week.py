"""The agenda's week: a site's appointments from Monday to Saturday (Sunday when something is
booked on it), each with its number of registered people, read in two queries whatever the
week holds (the appointments with their counts, then the names of the interviews' candidates).
No Qt."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from babel.dates import format_date as babel_date
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import Appointment, AppointmentKind, Attendee, Candidate, Site
from app.services.appointments.clashes import room_label
from app.services.candidates.records import name_for_display

WORKING_DAYS = 6  # Monday to Saturday; Sunday shows only when something is booked on it


@dataclass(frozen=True)
class AgendaEntry:
    """One appointment as the week shows it."""

    id: int
    kind: str
    kind_label: str
    starts_at: datetime
    duration_minutes: int
    site_name: str
    room: str
    staff: str
    capacity: int | None
    registered: int
    person: str  # the interview's candidate; empty for a session
    cancelled: bool
    cancellation_reason: str

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_session(self) -> bool:
        return self.kind == AppointmentKind.INFO_SESSION

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.registered >= self.capacity

    @property
    def hours(self) -> str:
        return f"{self.starts_at:%H:%M} – {self.ends_at:%H:%M}"

    @property
    def place(self) -> str:
        return room_label(self.room) if self.room else ""

    @property
    def attendance(self) -> str:
        """ "8/12 inscrits" for a session, the candidate's name for an interview."""
        if not self.is_session:
            return self.person or "candidat à désigner"
        word = "inscrit" if self.registered <= 1 else "inscrits"
        return f"{self.registered}/{self.capacity} {word}"


@dataclass(frozen=True)
class AgendaWeek:
    monday: date
    days: tuple[date, ...]  # the days shown, Monday first
    entries: tuple[AgendaEntry, ...]  # in time order

    def on(self, day: date) -> list[AgendaEntry]:
        return [entry for entry in self.entries if entry.starts_at.date() == day]

    @property
    def title(self) -> str:
        return week_title(self.days[0], self.days[-1])


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _day_number(day: date) -> str:
    return "1er" if day.day == 1 else str(day.day)


def week_title(first: date, last: date) -> str:
    """ "Semaine du 7 au 12 décembre 2026"; the month and year are said only where they
    change ("du 30 novembre au 5 décembre 2026", "du 28 décembre 2026 au 2 janvier 2027")."""
    last_part = f"{_day_number(last)} {babel_date(last, 'MMMM', locale='fr_FR')} {last.year}"
    first_part = _day_number(first)
    if first.month != last.month or first.year != last.year:
        first_part += " " + babel_date(first, "MMMM", locale="fr_FR")
    if first.year != last.year:
        first_part += f" {first.year}"
    return f"Semaine du {first_part} au {last_part}"


def agenda_week(session: Session, day: date, site_id: int | None = None) -> AgendaWeek:
    """The week holding `day`, of one site (of every site when None)."""
    monday = monday_of(day)
    start = datetime.combine(monday, time.min)
    statement = (
        select(
            Appointment.id,
            Appointment.kind,
            Appointment.starts_at,
            Appointment.duration_minutes,
            Site.name,
            Appointment.room,
            Appointment.staff,
            Appointment.capacity,
            Appointment.cancelled_at,
            Appointment.cancellation_reason,
            func.count(Attendee.id),
            func.min(Attendee.candidate_id),
        )
        .join(Site, Site.id == Appointment.site_id)
        .outerjoin(Attendee, Attendee.appointment_id == Appointment.id)
        .where(Appointment.starts_at >= start, Appointment.starts_at < start + timedelta(days=7))
        .group_by(Appointment.id, Site.name)
        .order_by(Appointment.starts_at, Appointment.id)
    )
    if site_id is not None:
        statement = statement.where(Appointment.site_id == site_id)
    rows = session.execute(statement).all()
    interviewed = [row[11] for row in rows if row[1] == AppointmentKind.INTERVIEW and row[11]]
    names = _names(session, interviewed)
    entries = tuple(
        AgendaEntry(
            id=row[0],
            kind=row[1],
            kind_label=AppointmentKind(row[1]).label,
            starts_at=row[2],
            duration_minutes=row[3],
            site_name=row[4],
            room=row[5] or "",
            staff=row[6] or "",
            capacity=row[7],
            registered=row[10],
            person=names.get(row[11], "") if row[1] == AppointmentKind.INTERVIEW else "",
            cancelled=row[8] is not None,
            cancellation_reason=row[9] or "",
        )
        for row in rows
    )
    shown = 7 if any(e.starts_at.weekday() == 6 for e in entries) else WORKING_DAYS
    days = tuple(monday + timedelta(days=n) for n in range(shown))
    return AgendaWeek(monday=monday, days=days, entries=entries)


def _names(session: Session, candidate_ids: list[int]) -> dict[int, str]:
    if not candidate_ids:
        return {}
    statement = select(
        Candidate.id, Candidate.last_name, Candidate.usage_name, Candidate.first_name
    ).where(Candidate.id.in_(candidate_ids))
    return {
        candidate_id: name_for_display(last, usage, first)
        for candidate_id, last, usage, first in session.execute(statement)
    }
