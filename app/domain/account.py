"""Local user accounts (who signs in, with which role) and application-wide settings."""

from datetime import datetime

from sqlalchemy import LargeBinary, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.base import Base, KeyMixin

ROLE_ACCUEIL = "accueil"
ROLE_FORMATEUR = "formateur"
ROLE_COORDINATION = "coordination"
ROLES = (ROLE_ACCUEIL, ROLE_FORMATEUR, ROLE_COORDINATION)
ROLE_LABELS = {
    ROLE_ACCUEIL: "Accueil",
    ROLE_FORMATEUR: "Formateur",
    ROLE_COORDINATION: "Coordination",
}


class UserAccount(KeyMixin, Base):
    """A person who signs in. The password is kept only as a scrypt hash with its own salt."""

    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[bytes] = mapped_column(LargeBinary(64))
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    scrypt_n: Mapped[int]
    scrypt_r: Mapped[int]
    scrypt_p: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.current_timestamp())
    last_sign_in: Mapped[datetime | None]
    # Failed sign-ins in a row (reset by a success) and the end of a lock-out.
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]


class AppSetting(KeyMixin, Base):
    """A key/value setting stored in the database (shared by every workstation)."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(80), unique=True)
    value: Mapped[str] = mapped_column(Text, default="")
