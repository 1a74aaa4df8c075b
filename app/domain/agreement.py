"""Internship agreements (conventions de stage), their hosts, tutors, signatures, amendments."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.base import Base, KeyMixin, TimestampMixin
from app.domain.candidate import Candidate


class AgreementStatus(enum.StrEnum):
    DRAFT = "brouillon"
    READY = "prete_a_signer"
    SIGNED = "signee"
    ONGOING = "en_cours"
    FINISHED = "terminee"
    BROKEN = "rompue"
    CANCELLED = "annulee"

    @property
    def label(self) -> str:
        return {
            "brouillon": "brouillon",
            "prete_a_signer": "prête à signer",
            "signee": "signée",
            "en_cours": "en cours",
            "terminee": "terminée",
            "rompue": "rompue",
            "annulee": "annulée",
        }[self.value]


class Signatory(enum.StrEnum):
    ORGANISATION = "organisme"
    HOST = "structure"
    TRAINEE = "stagiaire"
    TUTOR = "tuteur"
    REFERENT = "referent"

    @property
    def label(self) -> str:
        return {
            "organisme": "Directeur de l'organisme de formation",
            "structure": "Représentant de la structure d'accueil",
            "stagiaire": "Stagiaire",
            "tuteur": "Tuteur",
            "referent": "Formateur référent",
        }[self.value]


class OrganisationSettings(KeyMixin, Base):
    """The training organisation as printed on every document (a single row)."""

    __tablename__ = "organisation_settings"

    name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    siret: Mapped[str] = mapped_column(String(14), default="")
    activity_declaration: Mapped[str] = mapped_column(String(40), default="")
    director_name: Mapped[str] = mapped_column(String(120), default="")
    director_function: Mapped[str] = mapped_column(String(120), default="")
    insurer: Mapped[str] = mapped_column(String(120), default="")
    policy_number: Mapped[str] = mapped_column(String(60), default="")
    logo_path: Mapped[str] = mapped_column(String(500), default="")
    signing_city: Mapped[str] = mapped_column(String(120), default="")
    competent_court: Mapped[str] = mapped_column(String(120), default="", server_default="")
    convocation_items: Mapped[str] = mapped_column(Text, default="", server_default="")


class Host(KeyMixin, TimestampMixin, Base):
    """A host organisation (structure d'accueil), reused across seasons."""

    __tablename__ = "host"

    name: Mapped[str] = mapped_column(String(200), index=True)
    legal_form: Mapped[str] = mapped_column(String(40))  # entreprise, association, public…
    siret: Mapped[str | None] = mapped_column(String(14))
    rna: Mapped[str | None] = mapped_column(String(10))
    naf_code: Mapped[str | None] = mapped_column(String(6))
    headcount_band: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    city: Mapped[str | None] = mapped_column(String(120))
    representative_name: Mapped[str | None] = mapped_column(String(120))
    representative_function: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    insurer: Mapped[str | None] = mapped_column(String(120))
    policy_number: Mapped[str | None] = mapped_column(String(60))
    search_text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    updated_by: Mapped[str | None] = mapped_column(String(120))
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012

    tutors: Mapped[list["Tutor"]] = relationship(back_populates="host", order_by="Tutor.name")


class Tutor(KeyMixin, Base):
    __tablename__ = "tutor"

    host_id: Mapped[int] = mapped_column(ForeignKey("host.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    function: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))

    host: Mapped[Host] = relationship(back_populates="tutors")


class Agreement(KeyMixin, TimestampMixin, Base):
    """The agreement's base values; after signature, changes live in amendments."""

    __tablename__ = "agreement"

    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=AgreementStatus.DRAFT.value)
    version: Mapped[int] = mapped_column(default=1)
    updated_by: Mapped[str | None] = mapped_column(String(120))
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("host.id"), index=True)
    tutor_id: Mapped[int | None] = mapped_column(ForeignKey("tutor.id"), index=True)
    referent_trainer: Mapped[str] = mapped_column(String(120), default="")
    referent_phone: Mapped[str | None] = mapped_column(String(20))
    referent_email: Mapped[str | None] = mapped_column(String(254))
    # Who pays the trainee's remuneration (RemunerationPayer), None on agreements made before.
    remuneration_payer: Mapped[str | None] = mapped_column(String(20))
    remuneration_payer_other: Mapped[str | None] = mapped_column(String(120))
    # Weekdays worked remotely, "0,4" (lundi, vendredi); "" = none.
    remote_weekdays: Mapped[str] = mapped_column(String(20), default="", server_default="")
    place: Mapped[str | None] = mapped_column(String(300))
    start_date: Mapped[date]
    end_date: Mapped[date]
    schedule: Mapped[str] = mapped_column(Text, default="{}")  # JSON: weekday -> hours
    interruptions: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [[start, end]]
    night_allowed: Mapped[bool] = mapped_column(default=False)
    sunday_allowed: Mapped[bool] = mapped_column(default=False)
    holiday_allowed: Mapped[bool] = mapped_column(default=False)
    activities: Mapped[str] = mapped_column(Text, default="")
    competences: Mapped[str] = mapped_column(Text, default="")
    indemnity_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    indemnity_unit: Mapped[str | None] = mapped_column(String(20))
    indemnity_payment_mode: Mapped[str | None] = mapped_column(String(60))
    benefits: Mapped[str] = mapped_column(Text, default="")
    # A flat indemnity when the internship is broken off: "prorata" or "convenu" (paid in full).
    indemnity_break_rule: Mapped[str | None] = mapped_column(String(20))
    # Name, capacity and contact of the legal representative of a trainee under 18.
    legal_representative: Mapped[str | None] = mapped_column(String(300))
    ended_on: Mapped[date | None]
    end_reason: Mapped[str | None] = mapped_column(Text)

    candidate: Mapped[Candidate] = relationship()
    host: Mapped[Host] = relationship()
    tutor: Mapped[Tutor | None] = relationship()


class AgreementNumber(KeyMixin, Base):
    """Last number given per year, so numbering has no gaps and no duplicates."""

    __tablename__ = "agreement_number"

    year: Mapped[int] = mapped_column(unique=True)
    last: Mapped[int] = mapped_column(default=0)


class AgreementSignature(KeyMixin, Base):
    __tablename__ = "agreement_signature"
    __table_args__ = (UniqueConstraint("agreement_id", "amendment_id", "signatory"),)

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendment.id"))
    signatory: Mapped[str] = mapped_column(String(20))
    signed_on: Mapped[date]
    outside_app: Mapped[bool] = mapped_column(default=False)
    scan_path: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(120))


class Amendment(KeyMixin, Base):
    """Avenant n° k: the fields it changes (JSON field -> [from, to]); counts once signed."""

    __tablename__ = "amendment"
    __table_args__ = (UniqueConstraint("agreement_id", "rank"),)

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    rank: Mapped[int]
    changes: Mapped[str] = mapped_column(Text, default="{}")
    # The agreement's whole terms once this amendment applies (AgreementTerms as JSON).
    terms: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    signed_on: Mapped[date | None]
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]


class AgreementEvent(KeyMixin, Base):
    """Append-only log of every transition and print: who, when, from → to."""

    __tablename__ = "agreement_event"

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    at: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(120))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")


class AbsenceKind(enum.StrEnum):
    ABSENCE = "absence"
    LATE = "retard"

    @property
    def label(self) -> str:
        return {"absence": "absence", "retard": "retard"}[self.value]


class HalfDay(enum.StrEnum):
    MORNING = "matin"
    AFTERNOON = "apres_midi"

    @property
    def label(self) -> str:
        return {"matin": "matin", "apres_midi": "après-midi"}[self.value]


class AgreementAbsence(KeyMixin, Base):
    """An absence or a late arrival on one half-day, from the tutor's weekly sheet."""

    __tablename__ = "agreement_absence"
    __table_args__ = (UniqueConstraint("agreement_id", "day", "half_day"),)

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    day: Mapped[date]
    half_day: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(12))
    # Minutes lost by a late arrival; None for an absence (the half-day's hours are lost).
    minutes: Mapped[int | None]
    justified: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    document_received: Mapped[bool] = mapped_column(default=False)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime]


class AgreementDocument(KeyMixin, Base):
    """The first issue of a document (the attestation): its number and date; reprints are
    duplicates of it."""

    __tablename__ = "agreement_document"
    __table_args__ = (UniqueConstraint("agreement_id", "kind"),)

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"))
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(30), unique=True)
    issued_on: Mapped[date]
    issued_by: Mapped[str] = mapped_column(String(120))
