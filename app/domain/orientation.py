"""Orientation period: cohorts, the team-work grid, activities, observations, decisions."""

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.base import Base, KeyMixin
from app.domain.candidate import Candidate
from app.domain.reference import Filiere, Season, Site


class Level(enum.StrEnum):
    """The grid's scale; `non_observe` is the default and is not a low mark."""

    ACQUIS = "acquis"
    EN_COURS = "en_cours"
    NON_ACQUIS = "non_acquis"
    NON_OBSERVE = "non_observe"

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]

    @property
    def key(self) -> str:
        """The digit typed in the grid: 1 Acquis, 2 En cours, 3 Non acquis, 0 Non observé."""
        return LEVEL_KEYS[self]


LEVEL_LABELS = {
    Level.ACQUIS: "Acquis",
    Level.EN_COURS: "En cours d'acquisition",
    Level.NON_ACQUIS: "Non acquis",
    Level.NON_OBSERVE: "Non observé",
}
LEVEL_KEYS = {Level.ACQUIS: "1", Level.EN_COURS: "2", Level.NON_ACQUIS: "3", Level.NON_OBSERVE: "0"}


class ActivityKind(enum.StrEnum):
    WORKSHOP = "atelier"
    REAL_CASE = "projet_reel"
    VISIT = "visite"
    EVENT = "evenement"
    OTHER = "autre"

    @property
    def label(self) -> str:
        return {
            "atelier": "Atelier",
            "projet_reel": "Projet réel",
            "visite": "Visite",
            "evenement": "Événement",
            "autre": "Autre",
        }[self.value]


class ProjectStatus(enum.StrEnum):
    TO_BUILD = "a_construire"
    IN_PROGRESS = "en_cours"
    VALIDATED = "valide"

    @property
    def label(self) -> str:
        return {"a_construire": "À construire", "en_cours": "En cours", "valide": "Validé"}[
            self.value
        ]


class Outcome(enum.StrEnum):
    VALIDATED = "validee"
    WITH_RESERVATIONS = "reserves"
    NOT_VALIDATED = "non_validee"

    @property
    def label(self) -> str:
        return {
            "validee": "Période validée",
            "reserves": "Période validée avec réserves",
            "non_validee": "Période non validée",
        }[self.value]


class Criterion(KeyMixin, Base):
    """One line of the grid; retired criteria stay readable in past observations."""

    __tablename__ = "criterion"

    code: Mapped[str] = mapped_column(String(10), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    grounding: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    retired_at: Mapped[datetime | None]


class Cohort(KeyMixin, Base):
    """A promotion: a season at a site. Weeks S1…S6 count from its start date."""

    __tablename__ = "cohort"
    __table_args__ = (UniqueConstraint("season_id", "site_id"),)

    season_id: Mapped[int] = mapped_column(ForeignKey("season.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    start_date: Mapped[date]
    capacity: Mapped[int] = mapped_column(default=20)

    season: Mapped[Season] = relationship()
    site: Mapped[Site] = relationship()


class Activity(KeyMixin, Base):
    """A mise en situation: a workshop, a real case, a visit, an event."""

    __tablename__ = "activity"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    day: Mapped[date]
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    trainers: Mapped[str] = mapped_column(String(250), default="")
    notes: Mapped[str | None] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")

    cohort: Mapped[Cohort] = relationship()
    teams: Mapped[list["Team"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="Team.position"
    )


class Team(KeyMixin, Base):
    __tablename__ = "team"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)

    activity: Mapped[Activity] = relationship(back_populates="teams")
    members: Mapped[list["TeamMember"]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )


class TeamMember(KeyMixin, Base):
    """A learner is in one team per activity (hence activity_id beside team_id)."""

    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("activity_id", "candidate_id"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)

    team: Mapped[Team] = relationship(back_populates="members")
    candidate: Mapped[Candidate] = relationship()


class ActivityParticipant(KeyMixin, Base):
    """A learner who took part in an event (Niort Numéric, a hackathon…)."""

    __tablename__ = "activity_participant"
    __table_args__ = (UniqueConstraint("activity_id", "candidate_id"),)

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)

    candidate: Mapped[Candidate] = relationship()


class Observation(KeyMixin, Base):
    """Append-only: a correction is a new row that supersedes the previous one."""

    __tablename__ = "observation"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"))
    level: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id"))

    criterion: Mapped[Criterion] = relationship()


class LearnerNote(KeyMixin, Base):
    """The trainer's short factual comment on a learner in one activity (append-only)."""

    __tablename__ = "learner_note"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime]


class ProfessionalProject(KeyMixin, Base):
    __tablename__ = "professional_project"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), unique=True)
    filiere_id: Mapped[int | None] = mapped_column(ForeignKey("filiere.id"))
    target_job: Mapped[str | None] = mapped_column(String(200))
    steps: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ProjectStatus.TO_BUILD.value)
    updated_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime | None]

    filiere: Mapped[Filiere | None] = relationship()


class OrientationDecision(KeyMixin, Base):
    """End-of-orientation decision (append-only; the latest one counts)."""

    __tablename__ = "orientation_decision"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    filiere_id: Mapped[int | None] = mapped_column(ForeignKey("filiere.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime]

    filiere: Mapped[Filiere | None] = relationship()
