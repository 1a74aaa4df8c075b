"""What the window asks of appointments: one unit of work per user action.

Each use case takes the database first and opens, commits or rolls back its own session
(app/services/unit_of_work.py); the steps are the building blocks of `booking` and `week`.
"""

from datetime import date

from sqlalchemy.orm import Session

from app.services.appointments import booking, week
from app.services.appointments.booking import AppointmentInfo, AppointmentInput
from app.services.reference import sites
from app.services.unit_of_work import reads, writes

appointments_on = reads(booking.appointments_on)
for_candidate = reads(booking.for_candidate)
get_appointment = reads(booking.get_appointment)
agenda_week = reads(week.agenda_week)
create_appointment = writes(booking.create_appointment)
update_appointment = writes(booking.update_appointment)
cancel_appointment = writes(booking.cancel_appointment)
register = writes(booking.register)
unregister = writes(booking.unregister)
set_attendance = writes(booking.set_attendance)
record_attendance = writes(booking.record_attendance)


@reads
def places_open_to(
    session: Session, candidate_id: int, site_code: str, today: date
) -> list[AppointmentInfo]:
    """The coming information sessions of the candidate's site (of every site when the site is
    unknown) that still have a place and that the candidate has not joined yet."""
    site_id = next((o.id for o in sites(session) if o.code == site_code), None)
    return [
        info
        for info in booking.upcoming_sessions(session, today, site_id)
        if info.attendance_of(candidate_id) is None
    ]


@reads
def edit_form(session: Session, appointment_id: int) -> AppointmentInput:
    """The stored appointment as the text of its form, to move it."""
    return booking.appointment_input(session, booking.get_appointment(session, appointment_id))
