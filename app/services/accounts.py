"""Local user accounts: creation, sign-in, roles, passwords, and the idle-lock setting.

Passwords are never stored nor logged: only a scrypt hash with a random salt per account and
the scrypt parameters used, so they can be raised later without locking anyone out.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.account import ROLE_COORDINATION, ROLE_LABELS, ROLES, AppSetting, UserAccount
from app.domain.audit import AuditAction
from app.services import audit
from app.services.demo_base import is_demo_base
from app.services.errors import NotFoundError, UserFacingError, ValidationError
from app.services.permissions import require_coordination
from app.services.validation import FieldError, clean_line

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 64
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
SIGN_IN_REFUSED = "Identifiant ou mot de passe incorrect."
LAST_COORDINATION = (
    "Il doit rester au moins un compte de coordination actif : "
    "créez-en un autre avant de modifier celui-ci."
)

IDLE_LOCK_KEY = "idle_lock_minutes"
DEFAULT_IDLE_LOCK_MINUTES = 10
MIN_IDLE_LOCK_MINUTES, MAX_IDLE_LOCK_MINUTES = 1, 240


class SignInRefused(UserFacingError):
    """Unknown identifiant, wrong password or deactivated account: one message for all."""


@dataclass(frozen=True)
class AccountInfo:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    created_at: datetime | None
    last_sign_in: datetime | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


@dataclass
class AccountInput:
    """What the user typed when creating an account (field keys: nom, identifiant, role)."""

    display_name: str = ""
    username: str = ""
    role: str = ""


# ---------------------------------------------------------------- hashing


def _hash(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=HASH_BYTES
    )


def _set_password(account: UserAccount, password: str) -> None:
    account.salt = secrets.token_bytes(SALT_BYTES)
    account.scrypt_n, account.scrypt_r, account.scrypt_p = SCRYPT_N, SCRYPT_R, SCRYPT_P
    account.password_hash = _hash(password, account.salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)


def _set_unusable_password(account: UserAccount) -> None:
    """No hash at all: no password matches, the account cannot sign in by hand."""
    account.salt = secrets.token_bytes(SALT_BYTES)
    account.scrypt_n, account.scrypt_r, account.scrypt_p = SCRYPT_N, SCRYPT_R, SCRYPT_P
    account.password_hash = b""


def _password_matches(account: UserAccount, password: str) -> bool:
    computed = _hash(password, account.salt, account.scrypt_n, account.scrypt_r, account.scrypt_p)
    return bool(account.password_hash) and hmac.compare_digest(computed, account.password_hash)


def password_errors(password: str, confirmation: str) -> dict[str, str]:
    """French refusals keyed `mot_de_passe` / `confirmation`; empty when the password is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return {
            "mot_de_passe": f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} "
            "caractères."
        }
    if len(password) > MAX_PASSWORD_LENGTH:
        return {"mot_de_passe": f"Le mot de passe dépasse {MAX_PASSWORD_LENGTH} caractères."}
    if not password.strip():
        return {"mot_de_passe": "Le mot de passe ne peut pas être fait que d'espaces."}
    if password != confirmation:
        return {"confirmation": "Les deux mots de passe ne sont pas identiques."}
    return {}


# ---------------------------------------------------------------- reading


def has_accounts(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(UserAccount)) != 0


def needs_first_account(session: Session) -> bool:
    """No active coordination account can sign in with a password (a new base, or one that
    only knows accounts made by automation): the window offers to create one."""
    usable = session.scalar(
        select(func.count())
        .select_from(UserAccount)
        .where(
            UserAccount.role == ROLE_COORDINATION,
            UserAccount.active.is_(True),
            UserAccount.password_hash != b"",
        )
    )
    return not usable


def _info(account: UserAccount) -> AccountInfo:
    return AccountInfo(
        id=account.id,
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        active=account.active,
        created_at=account.created_at,
        last_sign_in=account.last_sign_in,
    )


def _find(session: Session, username: str) -> UserAccount | None:
    """Identifiants are matched without regard to case or surrounding spaces."""
    wanted = username.strip().casefold()
    if not wanted:
        return None
    for account in session.scalars(select(UserAccount)):
        if account.username.casefold() == wanted:
            return account
    return None


def _load(session: Session, account_id: int) -> UserAccount:
    account = session.get(UserAccount, account_id)
    if account is None:
        raise NotFoundError("Ce compte n'existe plus.")
    return account


def list_accounts(session: Session, *, role: str) -> list[AccountInfo]:
    require_coordination(role, "gérer les utilisateurs")
    accounts = session.scalars(select(UserAccount))
    return sorted(
        (_info(a) for a in accounts), key=lambda a: (not a.active, a.display_name.casefold())
    )


def get_account(session: Session, account_id: int) -> AccountInfo:
    return _info(_load(session, account_id))


def _role_text(role: str) -> str:
    return ROLE_LABELS.get(role, role).lower()


# ---------------------------------------------------------------- creating


def _checked_identity(session: Session, data: AccountInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key, value, label in (
        ("nom", data.display_name, "Le nom"),
        ("identifiant", data.username, "L'identifiant"),
    ):
        try:
            if clean_line(value, 80, label) is None:
                errors[key] = f"{label} est obligatoire."
            elif "\n" in value.strip() or "\t" in value:
                errors[key] = f"{label} tient sur une ligne."
        except FieldError as error:
            errors[key] = str(error)
    if "identifiant" not in errors and _find(session, data.username) is not None:
        errors["identifiant"] = "Cet identifiant est déjà pris."
    if data.role not in ROLES:
        errors["role"] = "Choisir un rôle : accueil, formateur ou coordination."
    return errors


def _insert(session: Session, data: AccountInput) -> UserAccount:
    account = UserAccount(
        username=data.username.strip(),
        display_name=data.display_name.strip(),
        role=data.role,
        active=True,
    )
    session.add(account)
    return account


def create_account(
    session: Session, data: AccountInput, password: str, confirmation: str, *, role: str
) -> AccountInfo:
    """A new account (coordination only); every refused field is listed at once."""
    require_coordination(role, "créer un compte")
    return _create(session, data, password, confirmation)


def create_first_account(
    session: Session, data: AccountInput, password: str, confirmation: str
) -> AccountInfo:
    """The coordination account of a new database; refused once one can sign in."""
    if not needs_first_account(session):
        raise UserFacingError("Le compte de coordination a déjà été créé : connectez-vous.")
    return _create(
        session,
        AccountInput(data.display_name, data.username, ROLE_COORDINATION),
        password,
        confirmation,
    )


def _create(session: Session, data: AccountInput, password: str, confirmation: str) -> AccountInfo:
    errors = _checked_identity(session, data) | password_errors(password, confirmation)
    if errors:
        raise ValidationError(errors)
    account = _insert(session, data)
    _set_password(account, password)
    session.flush()
    audit.record_account(
        session,
        account,
        AuditAction.CREATION,
        f"Compte « {account.username} » créé ({_role_text(account.role)})",
        changes=audit.account_values(account),
        author=audit.acting_author(session, account.username),  # the first: nobody signed in
    )
    return _info(account)


def sign_in_without_password(
    session: Session, username: str, now: datetime | None = None
) -> AccountInfo:
    """For tests and automation (`MainWindow.open(url, username)`), never for the window.

    A database without accounts, or a demo base, gets a coordination account of an unknown
    name, whose password nobody knows; an existing active account is signed in; any other
    name is refused.
    """
    if not has_accounts(session) or (is_demo_base(session) and _find(session, username) is None):
        name = username.strip()
        errors = _checked_identity(session, AccountInput(name, name, ROLE_COORDINATION))
        if errors:
            raise ValidationError(errors)
        account = _insert(session, AccountInput(name, name, ROLE_COORDINATION))
        _set_unusable_password(account)
        audit.record_account(
            session,
            account,
            AuditAction.CREATION,
            f"Compte « {name} » créé sans mot de passe (coordination, "
            "base de démonstration ou automatisation)",
            changes=audit.account_values(account),
        )
    else:
        found = _find(session, username)
        if found is None or not found.active:
            raise SignInRefused(
                f"Aucun compte actif « {username} » dans cette base : "
                "choisissez un compte existant."
            )
        account = found
    account.last_sign_in = now or datetime.now()
    audit.record_sign_in(
        session,
        account.username,
        succeeded=True,
        reason="sans mot de passe : base de démonstration, automatisation ou réouverture "
        "après une restauration",
    )
    session.flush()
    return _info(account)


def ensure_passwordless_account(
    session: Session, username: str, display_name: str, role: str
) -> AccountInfo:
    """An account of a demo base: created once, with a password nobody knows."""
    found = _find(session, username)
    if found is None:
        found = _insert(session, AccountInput(display_name, username, role))
        _set_unusable_password(found)
        audit.record_account(
            session,
            found,
            AuditAction.CREATION,
            f"Compte « {username} » créé sans mot de passe ({_role_text(role)}, "
            "base de démonstration)",
            changes=audit.account_values(found),
        )
        session.flush()
    return _info(found)


# ---------------------------------------------------------------- signing in


def authenticate(
    session: Session, username: str, password: str, now: datetime | None = None
) -> AccountInfo:
    """The account, or SignInRefused with the same message whatever was wrong."""
    account = _find(session, username)
    if account is None:
        # Spend the same time as a real check, so timing does not reveal who exists.
        _hash(password, secrets.token_bytes(SALT_BYTES), SCRYPT_N, SCRYPT_R, SCRYPT_P)
        raise SignInRefused(SIGN_IN_REFUSED)
    if not _password_matches(account, password) or not account.active:
        raise SignInRefused(SIGN_IN_REFUSED)
    account.last_sign_in = now or datetime.now()
    session.flush()
    return _info(account)


# ---------------------------------------------------------------- managing


def _active_coordinators(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(UserAccount)
            .where(UserAccount.role == ROLE_COORDINATION, UserAccount.active.is_(True))
        )
        or 0
    )


def _protect_last_coordinator(session: Session, account: UserAccount) -> None:
    """Refuse a change that would leave the base without an active coordination account."""
    is_coordinator = account.role == ROLE_COORDINATION and account.active
    if is_coordinator and _active_coordinators(session) <= 1:
        raise UserFacingError(LAST_COORDINATION)


def change_password(
    session: Session, account_id: int, password: str, confirmation: str, *, role: str
) -> AccountInfo:
    """Coordination sets a new password (forgotten password, new colleague)."""
    require_coordination(role, "changer le mot de passe d'un compte")
    account = _load(session, account_id)
    errors = password_errors(password, confirmation)
    if errors:
        raise ValidationError(errors)
    _set_password(account, password)
    audit.record_account(
        session,
        account,
        AuditAction.MODIFICATION,
        f"Mot de passe du compte « {account.username} » réinitialisé par la coordination",
    )
    session.flush()
    return _info(account)


def change_own_password(
    session: Session, account_id: int, current: str, password: str, confirmation: str
) -> AccountInfo:
    """Anyone changes their own password, giving the current one first."""
    account = _load(session, account_id)
    if not _password_matches(account, current):
        raise ValidationError({"mot_de_passe_actuel": "Le mot de passe actuel est incorrect."})
    errors = password_errors(password, confirmation)
    if errors:
        raise ValidationError(errors)
    _set_password(account, password)
    audit.record_account(
        session,
        account,
        AuditAction.MODIFICATION,
        f"Mot de passe du compte « {account.username} » changé par son titulaire",
    )
    session.flush()
    return _info(account)


def set_role(session: Session, account_id: int, new_role: str, *, role: str) -> AccountInfo:
    require_coordination(role, "changer le rôle d'un compte")
    if new_role not in ROLES:
        raise ValidationError({"role": "Choisir un rôle : accueil, formateur ou coordination."})
    account = _load(session, account_id)
    if new_role != account.role:
        _protect_last_coordinator(session, account)
        audit.record_account(
            session,
            account,
            AuditAction.MODIFICATION,
            f"Rôle du compte « {account.username} » modifié",
            changes={"role": [_role_text(account.role), _role_text(new_role)]},
        )
        account.role = new_role
        session.flush()
    return _info(account)


def deactivate(session: Session, account_id: int, *, role: str) -> AccountInfo:
    """The account can no longer sign in; its name stays in every history it appears in."""
    require_coordination(role, "désactiver un compte")
    account = _load(session, account_id)
    if account.active:
        _protect_last_coordinator(session, account)
        account.active = False
        audit.record_account(
            session,
            account,
            AuditAction.MODIFICATION,
            f"Compte « {account.username} » désactivé",
            changes={"active": ["oui", "non"]},
        )
        session.flush()
    return _info(account)


def reactivate(session: Session, account_id: int, *, role: str) -> AccountInfo:
    require_coordination(role, "réactiver un compte")
    account = _load(session, account_id)
    if not account.active:
        audit.record_account(
            session,
            account,
            AuditAction.MODIFICATION,
            f"Compte « {account.username} » réactivé",
            changes={"active": ["non", "oui"]},
        )
    account.active = True
    session.flush()
    return _info(account)


# ---------------------------------------------------------------- idle lock setting


def idle_lock_minutes(session: Session) -> int:
    value = session.scalar(select(AppSetting.value).where(AppSetting.key == IDLE_LOCK_KEY))
    try:
        minutes = int(value) if value is not None else DEFAULT_IDLE_LOCK_MINUTES
    except ValueError:
        return DEFAULT_IDLE_LOCK_MINUTES
    return min(max(minutes, MIN_IDLE_LOCK_MINUTES), MAX_IDLE_LOCK_MINUTES)


def set_idle_lock_minutes(session: Session, minutes: int, *, role: str) -> int:
    require_coordination(role, "modifier le verrouillage automatique")
    if not MIN_IDLE_LOCK_MINUTES <= minutes <= MAX_IDLE_LOCK_MINUTES:
        raise ValidationError(
            {"verrouillage": f"Entre {MIN_IDLE_LOCK_MINUTES} et {MAX_IDLE_LOCK_MINUTES} minutes."}
        )
    before = idle_lock_minutes(session)
    setting = session.scalar(select(AppSetting).where(AppSetting.key == IDLE_LOCK_KEY))
    if setting is None:
        setting = AppSetting(key=IDLE_LOCK_KEY)
        session.add(setting)
    setting.value = str(minutes)
    if before != minutes:
        audit.record_setting(
            session,
            "idle_lock_minutes",
            "Verrouillage automatique modifié",
            f"{before} min",
            f"{minutes} min",
        )
    session.flush()
    return minutes
