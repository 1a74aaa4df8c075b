"""A candidate's application file and its append-only stage history."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.base import Base, KeyMixin, TimestampMixin, new_uuid
from app.domain.reference import Filiere, Referrer, Season, Site, Stage


class Candidate(KeyMixin, TimestampMixin, Base):
    """One application of one person for one season.

    A person re-applying in a later season gets a new record with the same
    `person_uuid`, so both files stay readable and reports count applications.
    """

    __tablename__ = "candidate"
    __table_args__ = (
        Index("ix_candidate_season_site", "season_id", "site_id"),
        # The indicators' counts per season, site, stage and filière, read off the index alone.
        Index("ix_candidate_season_site_stage", "season_id", "site_id", "stage_id", "filiere_id"),
        Index("ix_candidate_email_key", "email_key"),
        Index("ix_candidate_phone", "phone"),
        # The list's default order (services.candidates.search_ids), read straight off the index.
        Index("ix_candidate_display_order", "name_key", "first_name_key", "id"),
        # The same order within a season (and the site, to filter on it without the row).
        Index(
            "ix_candidate_season_display_order",
            "season_id",
            "name_key",
            "first_name_key",
            "id",
            "site_id",
        ),
        Index("ix_candidate_usage_name_key", "usage_name_key"),
    )

    person_uuid: Mapped[str] = mapped_column(String(36), default=new_uuid)
    # Optimistic locking: the services bump it; SQLAlchemy adds it to each UPDATE's WHERE.
    version: Mapped[int] = mapped_column(default=1)
    updated_by: Mapped[str | None] = mapped_column(String(120))
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012

    # Identity
    civility: Mapped[str | None] = mapped_column(String(10))
    last_name: Mapped[str] = mapped_column(String(120))
    usage_name: Mapped[str | None] = mapped_column(String(120))
    first_name: Mapped[str] = mapped_column(String(120))
    sex: Mapped[str | None] = mapped_column(String(10))
    birth_date: Mapped[date | None]
    birth_place: Mapped[str | None] = mapped_column(String(120))

    # Contact
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(250))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    city: Mapped[str | None] = mapped_column(String(120))

    # Situation (None = unknown)
    job_seeker: Mapped[bool | None]
    job_seeker_id: Mapped[str | None] = mapped_column(String(20))
    job_seeker_since: Mapped[date | None]
    rsa: Mapped[bool | None]
    mission_locale: Mapped[bool | None]
    neet: Mapped[bool | None]
    rqth: Mapped[bool | None]
    qpv: Mapped[bool | None]
    qpv_name: Mapped[str | None] = mapped_column(String(120))
    zrr: Mapped[bool | None]

    # Background
    diploma_level: Mapped[int | None]  # 0 = aucun diplôme, 1..8 = national level
    last_class: Mapped[str | None] = mapped_column(String(120))
    work_experience: Mapped[bool | None]
    work_experience_text: Mapped[str | None] = mapped_column(Text)

    # Application
    season_id: Mapped[int] = mapped_column(ForeignKey("season.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    filiere_id: Mapped[int | None] = mapped_column(ForeignKey("filiere.id"))
    referrer_id: Mapped[int | None] = mapped_column(ForeignKey("referrer.id"))
    referrer_contact: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(200))
    availability: Mapped[str | None] = mapped_column(String(200))
    application_date: Mapped[date | None]
    owner: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    consent_date: Mapped[date | None]

    # Pipeline
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id"))
    stage_changed_at: Mapped[datetime | None]
    exit_type: Mapped[str | None] = mapped_column(String(40))
    # How the pathway ended (outcomes.PathwayEnd) and why, when it was interrupted.
    pathway_end: Mapped[str | None] = mapped_column(String(30))
    pathway_end_reason: Mapped[str | None] = mapped_column(Text)
    last_action_at: Mapped[datetime | None]

    # Normalised copies for search and duplicate detection
    search_text: Mapped[str] = mapped_column(Text, default="")
    email_key: Mapped[str | None] = mapped_column(String(254))
    name_key: Mapped[str | None] = mapped_column(String(240))
    usage_name_key: Mapped[str | None] = mapped_column(String(240))
    first_name_key: Mapped[str | None] = mapped_column(String(240))

    season: Mapped[Season] = relationship()
    site: Mapped[Site] = relationship()
    filiere: Mapped[Filiere | None] = relationship()
    referrer: Mapped[Referrer | None] = relationship()
    stage: Mapped[Stage] = relationship()
    history: Mapped[list["StageChange"]] = relationship(
        back_populates="candidate", order_by="StageChange.id"
    )


class StageChange(KeyMixin, Base):
    """Append-only: one row per change of stage, never updated or deleted."""

    __tablename__ = "stage_change"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    changed_at: Mapped[datetime]
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id"))
    author: Mapped[str] = mapped_column(String(120))
    comment: Mapped[str | None] = mapped_column(Text)

    candidate: Mapped[Candidate] = relationship(back_populates="history")
    from_stage: Mapped[Stage | None] = relationship(foreign_keys=[from_stage_id])
    to_stage: Mapped[Stage] = relationship(foreign_keys=[to_stage_id])
