"""Information sessions (informations collectives) and interviews."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.base import Base, KeyMixin
from app.domain.candidate import Candidate
from app.domain.reference import Site


class AppointmentKind(enum.StrEnum):
    INFO_SESSION = "information_collective"
    INTERVIEW = "entretien"

    @property
    def label(self) -> str:
        return {"information_collective": "Information collective", "entretien": "Entretien"}[
            self.value
        ]


class Attendance(enum.StrEnum):
    REGISTERED = "inscrit"
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excuse"

    @property
    def label(self) -> str:
        return {
            "inscrit": "Inscrit",
            "present": "Présent",
            "absent": "Absent",
            "excuse": "Excusé",
        }[self.value]


class Appointment(KeyMixin, Base):
    __tablename__ = "appointment"

    kind: Mapped[str] = mapped_column(String(30))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    room: Mapped[str | None] = mapped_column(String(80))
    staff: Mapped[str | None] = mapped_column(String(120))
    capacity: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)
    # A cancelled appointment is kept (history, agenda) but holds no room, person or place.
    cancelled_at: Mapped[datetime | None]
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by: Mapped[str | None] = mapped_column(String(120))

    site: Mapped[Site] = relationship()
    attendees: Mapped[list["Attendee"]] = relationship(
        back_populates="appointment", cascade="all, delete-orphan"
    )


class Attendee(KeyMixin, Base):
    __tablename__ = "attendee"
    __table_args__ = (UniqueConstraint("appointment_id", "candidate_id"),)

    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    attendance: Mapped[str] = mapped_column(String(20), default=Attendance.REGISTERED.value)

    appointment: Mapped[Appointment] = relationship(back_populates="attendees")
    candidate: Mapped[Candidate] = relationship()
