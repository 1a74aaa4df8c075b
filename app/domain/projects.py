"""The call for projects: each season's call, the projects structures submit to it, their
selection (reviews and scores), their realisation by teams of learners and its outcome."""

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.agreement import Host
from app.domain.base import Base, KeyMixin
from app.domain.orientation import Activity
from app.domain.reference import Filiere, Season


class ProjectState(enum.StrEnum):
    """A project's life: selection, then realisation. `retenu` leads to `en_realisation`."""

    RECEIVED = "recu"
    COMPLETE = "complet"
    INCOMPLETE = "incomplet"
    UNDER_REVIEW = "en_instruction"
    RETAINED = "retenu"
    WAITING_LIST = "liste_attente"
    NOT_RETAINED = "non_retenu"
    WITHDRAWN = "retire"
    IN_PROGRESS = "en_realisation"
    DELIVERED = "livre"
    CLOSED = "clos"
    ABANDONED = "abandonne"

    @property
    def label(self) -> str:
        return PROJECT_STATE_LABELS[self]


PROJECT_STATE_LABELS = {
    ProjectState.RECEIVED: "Reçu",
    ProjectState.COMPLETE: "Complet",
    ProjectState.INCOMPLETE: "Incomplet",
    ProjectState.UNDER_REVIEW: "En instruction",
    ProjectState.RETAINED: "Retenu",
    ProjectState.WAITING_LIST: "Liste d'attente",
    ProjectState.NOT_RETAINED: "Non retenu",
    ProjectState.WITHDRAWN: "Retiré",
    ProjectState.IN_PROGRESS: "En réalisation",
    ProjectState.DELIVERED: "Livré",
    ProjectState.CLOSED: "Clos",
    ProjectState.ABANDONED: "Abandonné",
}


class DeliverableKind(enum.StrEnum):
    WEBSITE = "site"
    TOOL = "outil"
    CONTENT = "contenu"
    NETWORK = "reseau"

    @property
    def label(self) -> str:
        return {
            "site": "Site web",
            "outil": "Outil",
            "contenu": "Contenus",
            "reseau": "Réseau, installation",
        }[self.value]


class MilestoneState(enum.StrEnum):
    PLANNED = "prevu"
    DONE = "fait"
    LATE = "en_retard"
    DROPPED = "abandonne"

    @property
    def label(self) -> str:
        return {
            "prevu": "Prévu",
            "fait": "Fait",
            "en_retard": "En retard",
            "abandonne": "Abandonné",
        }[self.value]


class Respondent(enum.StrEnum):
    """Who answers the end-of-project satisfaction grid."""

    STRUCTURE = "structure"
    TEAM = "equipe"

    @property
    def label(self) -> str:
        return {"structure": "La structure", "equipe": "L'équipe"}[self.value]


# The satisfaction grid: (column, French question), each rated 1–5.
SATISFACTION_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("need_met", "Le besoin est couvert"),
    ("quality", "Qualité du livrable"),
    ("communication", "Communication et écoute"),
    ("deadlines", "Respect du calendrier"),
)


class ProjectCall(KeyMixin, Base):
    """One call for projects per season, open between two dates (closes end of January)."""

    __tablename__ = "project_call"

    season_id: Mapped[int] = mapped_column(ForeignKey("season.id"), unique=True)
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")

    season: Mapped[Season] = relationship()


class Project(KeyMixin, Base):
    """A project a structure of the host directory submits to a call."""

    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("call_id", "number"),)

    call_id: Mapped[int] = mapped_column(ForeignKey("project_call.id"), index=True)
    number: Mapped[int]  # 1, 2, … within its call; shown as AAP-2026-003
    host_id: Mapped[int] = mapped_column(ForeignKey("host.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    submitted_on: Mapped[date]
    # The structure's contact for the project.
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_function: Mapped[str] = mapped_column(String(120), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_availability: Mapped[str] = mapped_column(String(300), default="")
    # What the structure asks.
    need: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(Text, default="")  # the people it serves
    deliverable_kind: Mapped[str] = mapped_column(String(20), default=DeliverableKind.WEBSITE)
    deliverable: Mapped[str] = mapped_column(Text, default="")
    existing: Mapped[str] = mapped_column(Text, default="")  # what exists today
    provided_content: Mapped[str] = mapped_column(Text, default="")
    data_constraints: Mapped[str] = mapped_column(Text, default="")  # personal data
    accessibility_constraints: Mapped[str] = mapped_column(Text, default="")
    calendar: Mapped[str] = mapped_column(Text, default="")
    maintainer: Mapped[str] = mapped_column(Text, default="")  # who keeps it running after
    licence_accepted: Mapped[bool] = mapped_column(default=False)
    # Declared at submission (the directory's band may be older).
    headcount: Mapped[int | None]
    # Selection and realisation.
    state: Mapped[str] = mapped_column(String(20), default=ProjectState.RECEIVED, index=True)
    state_reason: Mapped[str] = mapped_column(Text, default="")
    delivered_on: Mapped[date | None]
    delivery_notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(120), default="")
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012

    call: Mapped[ProjectCall] = relationship()
    host: Mapped[Host] = relationship()
    filiere_links: Mapped[list["ProjectFiliere"]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )
    milestones: Mapped[list["ProjectMilestone"]] = relationship(
        back_populates="project",
        cascade="all, delete-orphan",
        order_by="(ProjectMilestone.due_on, ProjectMilestone.id)",
    )


class ProjectFiliere(KeyMixin, Base):
    """A filière the project fits (a project may fit several)."""

    __tablename__ = "project_filiere"
    __table_args__ = (UniqueConstraint("project_id", "filiere_id"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    filiere_id: Mapped[int] = mapped_column(ForeignKey("filiere.id"))

    project: Mapped[Project] = relationship(back_populates="filiere_links")
    filiere: Mapped[Filiere] = relationship()


class ProjectActivity(KeyMixin, Base):
    """A retained project given to a cohort: the real-case activity (kind `projet_reel`) whose
    teams realise it and whose observations work as any activity's. One per cohort."""

    __tablename__ = "project_activity"

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), unique=True)

    project: Mapped[Project] = relationship()
    activity: Mapped[Activity] = relationship()


class ProjectStateChange(KeyMixin, Base):
    """Append-only history of a project's states (the decision letter cites its date)."""

    __tablename__ = "project_state_change"

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(String(120))
    changed_at: Mapped[datetime]


class ProjectCriterion(KeyMixin, Base):
    """A line of the scoring grid; retired criteria stay readable in past reviews."""

    __tablename__ = "project_criterion"

    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    retired_at: Mapped[datetime | None]


class ProjectReview(KeyMixin, Base):
    """One reviewer's reading of a project. A declared conflict of interest excludes the
    reviewer's scores from the average."""

    __tablename__ = "project_review"
    __table_args__ = (UniqueConstraint("project_id", "reviewer"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(120))  # the account's username
    conflict_of_interest: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime]

    scores: Mapped[list["ProjectScore"]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )


class ProjectScore(KeyMixin, Base):
    __tablename__ = "project_score"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("project_review.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("project_criterion.id"))
    score: Mapped[int]  # 1–5

    review: Mapped[ProjectReview] = relationship(back_populates="scores")
    criterion: Mapped[ProjectCriterion] = relationship()


class ProjectMilestone(KeyMixin, Base):
    __tablename__ = "project_milestone"

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    state: Mapped[str] = mapped_column(String(20), default=MilestoneState.PLANNED)
    done_on: Mapped[date | None]

    project: Mapped[Project] = relationship(back_populates="milestones")


class ProjectSatisfaction(KeyMixin, Base):
    """The end-of-project grid, answered once by the structure and once by the team."""

    __tablename__ = "project_satisfaction"
    __table_args__ = (UniqueConstraint("project_id", "respondent"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    respondent: Mapped[str] = mapped_column(String(20))
    need_met: Mapped[int]
    quality: Mapped[int]
    communication: Mapped[int]
    deadlines: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime]
