"""Reference data seeded on a new database and editable by coordination."""

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.base import Base, KeyMixin


class Site(KeyMixin, Base):
    __tablename__ = "site"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    department: Mapped[str] = mapped_column(String(3))


class Filiere(KeyMixin, Base):
    __tablename__ = "filiere"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)


class Season(KeyMixin, Base):
    """A training season: starts on 1 December by default and lasts 8 months."""

    __tablename__ = "season"

    label: Mapped[str] = mapped_column(String(20), unique=True)
    start_date: Mapped[date]
    cohort_capacity: Mapped[int] = mapped_column(default=20)


class Referrer(KeyMixin, Base):
    """Prescripteur: who sent the candidate."""

    __tablename__ = "referrer"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)


class Stage(KeyMixin, Base):
    """A recruitment or training stage; `position` orders the pipeline."""

    __tablename__ = "stage"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    counts_as_entry: Mapped[bool] = mapped_column(default=False)
    reason_required: Mapped[bool] = mapped_column(default=False)
