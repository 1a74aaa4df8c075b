"""Marks left by the personal-data rights: which application files were anonymised."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.base import Base, KeyMixin


class CandidateAnonymisation(KeyMixin, Base):
    """One row per anonymised application: the identity was replaced, the counts stay."""

    __tablename__ = "candidate_anonymisation"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), unique=True)
    anonymised_at: Mapped[datetime]
    # "conservation" (retention period over) or "demande" (asked by the person).
    reason: Mapped[str] = mapped_column(String(20))
