"""Domain models and value rules. Imports no Qt."""

from app.domain.appointment import Appointment, AppointmentKind, Attendance, Attendee
from app.domain.base import Base
from app.domain.candidate import Candidate, StageChange
from app.domain.reference import Filiere, Referrer, Season, Site, Stage

__all__ = [
    "Appointment",
    "AppointmentKind",
    "Attendance",
    "Attendee",
    "Base",
    "Candidate",
    "Filiere",
    "Referrer",
    "Season",
    "Site",
    "Stage",
    "StageChange",
]
