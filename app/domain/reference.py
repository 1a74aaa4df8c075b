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
    # Printed on convocations and sign-in sheets; empty until coordination fills them.
    address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(30), default="", server_default="")
    email: Mapped[str] = mapped_column(String(200), default="", server_default="")


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
