"""What happens to learners after they leave: their situation at 3, 6 and 12 months, how a
pathway ended, and which situations each funder counts as positive."""

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.base import Base, KeyMixin
from app.domain.candidate import Candidate


class Checkpoint(enum.StrEnum):
    """When a learner's situation is checked after they left (the exit itself is the
    candidate's `exit_type`, recorded with the stage *sortie*)."""

    M3 = "3_mois"
    M6 = "6_mois"
    M12 = "12_mois"

    @property
    def months(self) -> int:
        return {"3_mois": 3, "6_mois": 6, "12_mois": 12}[self.value]

    @property
    def label(self) -> str:
        return {"3_mois": "à 3 mois", "6_mois": "à 6 mois", "12_mois": "à 12 mois"}[self.value]


class CheckSource(enum.StrEnum):
    PHONE = "telephone"
    EMAIL = "email"
    FRANCE_TRAVAIL = "france_travail"
    PERSON = "personne"
    OTHER = "autre"

    @property
    def label(self) -> str:
        return {
            "telephone": "Téléphone",
            "email": "E-mail",
            "france_travail": "France Travail",
            "personne": "La personne (venue ou écrit)",
            "autre": "Autre",
        }[self.value]


class PathwayEnd(enum.StrEnum):
    """How a learner's pathway ended (Réseau E2C counts outside interruptions apart)."""

    COMPLETE = "complet"
    INTERRUPTED_OUTSIDE = "interrompu_exterieur"  # health, moving, a job found, family…
    INTERRUPTED = "interrompu"  # dropped out, excluded, no longer comes

    @property
    def label(self) -> str:
        return {
            "complet": "Parcours complet",
            "interrompu_exterieur": "Interrompu pour une raison extérieure",
            "interrompu": "Interrompu (abandon)",
        }[self.value]


class LearnerOutcome(KeyMixin, Base):
    """A learner's situation checked at 3, 6 or 12 months after leaving (one per checkpoint;
    a correction replaces it and is journaled)."""

    __tablename__ = "learner_outcome"
    __table_args__ = (UniqueConstraint("candidate_id", "checkpoint"),)

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    checkpoint: Mapped[str] = mapped_column(String(10))
    situation: Mapped[str] = mapped_column(String(40))  # a code of values.EXIT_TYPES
    checked_on: Mapped[date]
    check_source: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime]

    candidate: Mapped[Candidate] = relationship()


class Funder(KeyMixin, Base):
    """A funder's definition of a positive exit: which situations count, and when."""

    __tablename__ = "funder"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    # Comma-separated situation codes (values.EXIT_TYPES) that count as positive.
    positive_situations: Mapped[str] = mapped_column(Text, default="")
    # The checkpoint its positive-exit rate is measured at: 0 (the exit), 3, 6 or 12 months.
    measured_at_months: Mapped[int] = mapped_column(default=3)
    position: Mapped[int] = mapped_column(default=0)
