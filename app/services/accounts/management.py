"""Local user accounts: creation, sign-in, roles, passwords, and the idle-lock setting.

Passwords are never stored nor logged: only a scrypt hash with a random salt per account and
the scrypt parameters used, so they can be raised later without locking anyone out (an account
hashed with weaker parameters is hashed again at its next successful sign-in).

Sign-in guard: after FREE_FAILURES failed sign-ins in a row, each further failure makes the
name wait 2^(k-5) seconds (k-th failure) before the next try is even checked; from the
LOCK_AFTER_FAILURES-th failure on, each failure locks it for LOCK_DURATION. Tries are refused
at once during the wait, with a French message saying how long: nothing sleeps, so no window
freezes and nothing is gained by trying again. A success, a new password set by coordination,
or `unlock` clears the count; failures are forgotten after FORGET_FAILURES_AFTER without one.
Unknown identifiants are counted the same way (under a hash of the name, in `app_setting`),
so that neither the message nor the time tells whether an account exists.
"""

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.account import ROLE_COORDINATION, ROLE_LABELS, ROLES, AppSetting, UserAccount
from app.domain.audit import AuditAction
from app.services.accounts.password_policy import MAX_LENGTH, password_problem
from app.services.actor import _SIGNED_IN, Actor
from app.services.base_access.demo_mark import is_demo_base
from app.services.errors import NotFoundError, UserFacingError, ValidationError
from app.services.journal import audit_log as audit
from app.services.permissions import require_coordination
from app.services.validation import FieldError, clean_line

# scrypt cost of new hashes: N = 2^17 (OWASP's minimum), r = 8, p = 1, i.e. 128 MiB of memory
# and about 0.4 s per hash on a 2-core computer (README, *Accounts and roles*).
# The tests lower SCRYPT_N (tests/conftest.py); nothing else may.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
# The demo's accounts have published passwords (README): hashed cheaply when the demo is made
# (five full-cost hashes would add 2 s to every `--demo`), at full cost at their first sign-in.
DEMO_SCRYPT_N = 2**12
SALT_BYTES = 16
HASH_BYTES = 64
MAX_PASSWORD_LENGTH = MAX_LENGTH
SIGN_IN_REFUSED = "Identifiant ou mot de passe incorrect."

FREE_FAILURES = 5
LOCK_AFTER_FAILURES = 10
LOCK_DURATION = timedelta(minutes=15)
FORGET_FAILURES_AFTER = timedelta(hours=24)
UNKNOWN_NAME_KEY = "echecs_connexion:"  # + a hash of the folded name (app_setting.key)
LAST_COORDINATION = (
    "Il doit rester au moins un compte de coordination actif : "
    "créez-en un autre avant de modifier celui-ci."
)

IDLE_LOCK_KEY = "idle_lock_minutes"
DEFAULT_IDLE_LOCK_MINUTES = 10
MIN_IDLE_LOCK_MINUTES, MAX_IDLE_LOCK_MINUTES = 1, 240


class SignInRefused(UserFacingError):
    """Unknown identifiant, wrong password or deactivated account: one message for all."""


class SignInDelayed(SignInRefused):
    """Too many failures in a row: no try is checked before `until` (a wait or a lock)."""

    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until


@dataclass(frozen=True)
class AccountInfo:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    created_at: datetime | None
    last_sign_in: datetime | None
    # Set when too many failed sign-ins lock the account (LOCK_AFTER_FAILURES) until then.
    locked_until: datetime | None = None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


@dataclass(frozen=True, kw_only=True)
class SignedInAccount(AccountInfo):
    """An account that has just signed in, with the actor the services receive."""

    actor: Actor


def _signed_in(info: AccountInfo) -> SignedInAccount:
    """Only the sign-ins below make an actor for a real account (app/services/actor.py)."""
    actor = Actor(info.username, info.display_name, info.role, token=_SIGNED_IN)
    return SignedInAccount(**vars(info), actor=actor)


@dataclass
class AccountInput:
    """What the user typed when creating an account (field keys: nom, identifiant, role)."""

    display_name: str = ""
    username: str = ""
    role: str = ""


# ---------------------------------------------------------------- hashing


def _hash(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # OpenSSL needs 128·r·(N + p + 2) bytes (the N blocks plus p working blocks) and refuses
    # anything over `maxmem`, 32 MiB unless said: allow exactly that, plus 1 MiB of margin.
    memory = 128 * r * (n + p + 2) + 2**20
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=memory, dklen=HASH_BYTES
    )


def _set_password(account: UserAccount, password: str, n: int | None = None) -> None:
    """Hash `password` at the current cost, or at `n` (raised at the next sign-in)."""
    cost = n if n is not None else SCRYPT_N
    account.salt = secrets.token_bytes(SALT_BYTES)
    account.scrypt_n, account.scrypt_r, account.scrypt_p = cost, SCRYPT_R, SCRYPT_P
    account.password_hash = _hash(password, account.salt, cost, SCRYPT_R, SCRYPT_P)


def _set_unusable_password(account: UserAccount) -> None:
    """No hash at all: no password matches, the account cannot sign in by hand."""
    account.salt = secrets.token_bytes(SALT_BYTES)
    account.scrypt_n, account.scrypt_r, account.scrypt_p = SCRYPT_N, SCRYPT_R, SCRYPT_P
    account.password_hash = b""


def _password_matches(account: UserAccount, password: str, proof: bytes | None = None) -> bool:
    """`proof`: the hash of `password` already computed with the account's salt and costs
    (by the key slot that opened the base), checked instead of hashing again."""
    if not account.password_hash:
        return False
    if proof is not None and hmac.compare_digest(proof, account.password_hash):
        return True
    computed = _hash(password, account.salt, account.scrypt_n, account.scrypt_r, account.scrypt_p)
    return hmac.compare_digest(computed, account.password_hash)


def _hashed_below_current_cost(account: UserAccount) -> bool:
    """Whether the account's hash was made with weaker parameters than new hashes get."""
    return (account.scrypt_r, account.scrypt_p) != (SCRYPT_R, SCRYPT_P) or (
        account.scrypt_n < SCRYPT_N
    )


def password_errors(
    password: str, confirmation: str, *, username: str = "", display_name: str = ""
) -> dict[str, str]:
    """French refusals keyed `mot_de_passe` / `confirmation`; empty when the password is fine.

    The rule is `password_policy`'s (CNIL 2022); `username` and `display_name` are the
    account's, which the password may not contain.
    """
    problem = password_problem(password, username=username, display_name=display_name)
    if problem:
        return {"mot_de_passe": problem}
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
        locked_until=account.locked_until
        if account.failed_sign_ins >= LOCK_AFTER_FAILURES
        else None,
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


def list_accounts(session: Session, *, actor: Actor) -> list[AccountInfo]:
    require_coordination(actor, "gérer les utilisateurs")
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
    session: Session, data: AccountInput, password: str, confirmation: str, *, actor: Actor
) -> AccountInfo:
    """A new account (coordination only); every refused field is listed at once."""
    require_coordination(actor, "créer un compte")
    return _create(session, data, password, confirmation)


def create_first_account(
    session: Session, data: AccountInput, password: str, confirmation: str
) -> SignedInAccount:
    """The coordination account of a new database; refused once one can sign in."""
    if not needs_first_account(session):
        raise UserFacingError("Le compte de coordination a déjà été créé : connectez-vous.")
    created = _create(
        session,
        AccountInput(data.display_name, data.username, ROLE_COORDINATION),
        password,
        confirmation,
    )
    return _signed_in(created)  # its creator is signed in


def _create(session: Session, data: AccountInput, password: str, confirmation: str) -> AccountInfo:
    errors = _checked_identity(session, data) | password_errors(
        password, confirmation, username=data.username, display_name=data.display_name
    )
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
) -> SignedInAccount:
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
    return _signed_in(_info(account))


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


def ensure_demo_account(
    session: Session, username: str, display_name: str, role: str, password: str
) -> AccountInfo:
    """An account of a demo base with its published password: created once; an account of an
    older demo base, made without a password, gets it (so that one can sign back in after
    *Changer d'utilisateur*)."""
    found = _find(session, username)
    if found is None:
        found = _insert(session, AccountInput(display_name, username, role))
        _set_password(found, password, min(DEMO_SCRYPT_N, SCRYPT_N))
        audit.record_account(
            session,
            found,
            AuditAction.CREATION,
            f"Compte « {username} » créé avec le mot de passe de démonstration "
            f"({_role_text(role)}, base de démonstration)",
            changes=audit.account_values(found),
        )
    elif not found.password_hash:
        _set_password(found, password, min(DEMO_SCRYPT_N, SCRYPT_N))
    session.flush()
    return _info(found)


# ---------------------------------------------------------------- signing in


@dataclass
class _Failures:
    """Failed sign-ins in a row under one name, and when the next try may be checked."""

    count: int = 0
    until: datetime | None = None


def _wait_after(failures: int) -> timedelta:
    """How long the name waits after its `failures`-th failure in a row."""
    if failures >= LOCK_AFTER_FAILURES:
        return LOCK_DURATION
    if failures >= FREE_FAILURES:
        return timedelta(seconds=2 ** (failures - FREE_FAILURES))
    return timedelta(0)


def _current(failures: _Failures, now: datetime) -> _Failures:
    """The failures still counted: forgotten once a day has passed without one."""
    if failures.count and failures.until is not None:
        last_failure = failures.until - _wait_after(failures.count)
        if now - last_failure >= FORGET_FAILURES_AFTER:
            return _Failures()
    return failures


def _moment(at: datetime, now: datetime) -> str:
    if at.date() == now.date():
        return f"jusqu'à {at:%H:%M}"
    return f"jusqu'au {at:%d/%m/%Y à %H:%M}"


def _waiting(failures: _Failures, now: datetime) -> SignInDelayed | None:
    """The refusal to give while the name must wait, else None."""
    if failures.until is None or now >= failures.until:
        return None
    if failures.count >= LOCK_AFTER_FAILURES:
        minutes = int(LOCK_DURATION.total_seconds()) // 60
        message = (
            f"Trop d'essais : compte verrouillé {_moment(failures.until, now)} après "
            f"{failures.count} essais manqués (verrouillage de {minutes} minutes). "
            "La coordination peut le déverrouiller (page Utilisateurs)."
        )
    else:
        seconds = math.ceil((failures.until - now).total_seconds())
        message = f"Trop d'essais : réessayer dans {seconds} seconde{'s' if seconds > 1 else ''}."
    return SignInDelayed(message, failures.until)


def _unknown_name_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().casefold().encode("utf-8")).hexdigest()
    return UNKNOWN_NAME_KEY + digest[:48]


def _unknown_name_failures(session: Session, username: str) -> _Failures:
    value = session.scalar(
        select(AppSetting.value).where(AppSetting.key == _unknown_name_key(username))
    )
    try:
        count, until = (value or "").split(";")
        return _Failures(int(count), datetime.fromisoformat(until))
    except ValueError:
        return _Failures()


def _store_unknown_name_failures(
    session: Session, username: str, count: int, until: datetime, now: datetime
) -> None:
    """Keep the count of an unknown name; the counts of names left alone for a day go."""
    key = _unknown_name_key(username)
    stored: AppSetting | None = None
    for setting in session.scalars(
        select(AppSetting).where(AppSetting.key.startswith(UNKNOWN_NAME_KEY))
    ):
        if setting.key == key:
            stored = setting
            continue
        try:
            stale = now - datetime.fromisoformat(setting.value.partition(";")[2])
        except ValueError:
            stale = FORGET_FAILURES_AFTER
        if stale >= FORGET_FAILURES_AFTER:
            session.delete(setting)
    if stored is None:
        stored = AppSetting(key=key)
        session.add(stored)
    stored.value = f"{count};{until.isoformat()}"


def authenticate(
    session: Session,
    username: str,
    password: str,
    now: datetime | None = None,
    *,
    proof: bytes | None = None,
) -> SignedInAccount:
    """The account, or SignInRefused with the same message whatever was wrong.

    While the name must wait (too many failures in a row), SignInDelayed says until when and
    the password is not even checked. A failure is committed before it is raised (the
    caller's unit of work rolls back on the refusal, the count must stay). An account hashed
    with weaker scrypt parameters is hashed again with the current ones on success.

    The journal gets every success, every failure and every lock-out (the failure that locks);
    not the tries refused during a wait, which check nothing and cost nothing, so that they
    cannot flood it.
    """
    now = now or datetime.now()
    account = _find(session, username)
    if account is None:
        failures = _current(_unknown_name_failures(session, username), now)
    else:
        failures = _current(_Failures(account.failed_sign_ins, account.locked_until), now)
    waiting = _waiting(failures, now)
    if waiting is not None:
        raise waiting
    if account is None:
        # Spend the same time as a real check, so timing does not reveal who exists.
        _hash(password, secrets.token_bytes(SALT_BYTES), SCRYPT_N, SCRYPT_R, SCRYPT_P)
        accepted = False
    else:
        accepted = _password_matches(account, password, proof) and account.active
    if not accepted:
        count = failures.count + 1
        until = now + _wait_after(count)
        if account is None:
            _store_unknown_name_failures(session, username, count, until, now)
            reason = "identifiant inconnu"
        else:
            account.failed_sign_ins, account.locked_until = count, until
            reason = "mot de passe incorrect" if account.active else "compte désactivé"
        locked = count >= LOCK_AFTER_FAILURES
        audit.record_sign_in(
            session,
            account.username if account is not None else username.strip(),
            succeeded=False,
            locked=locked,
            until=until if locked else None,
            reason=reason,
        )
        session.commit()
        waiting = _waiting(_Failures(count, until), now)
        raise SignInRefused(f"{SIGN_IN_REFUSED} {waiting}" if waiting else SIGN_IN_REFUSED)
    assert account is not None
    if _hashed_below_current_cost(account):
        _set_password(account, password)
    account.failed_sign_ins, account.locked_until = 0, None
    account.last_sign_in = now
    audit.record_sign_in(session, account.username, succeeded=True)
    session.flush()
    return _signed_in(_info(account))


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
    session: Session, account_id: int, password: str, confirmation: str, *, actor: Actor
) -> AccountInfo:
    """Coordination sets a new password (forgotten password, new colleague)."""
    require_coordination(actor, "changer le mot de passe d'un compte")
    account = _load(session, account_id)
    errors = password_errors(
        password, confirmation, username=account.username, display_name=account.display_name
    )
    if errors:
        raise ValidationError(errors)
    _set_password(account, password)
    account.failed_sign_ins, account.locked_until = 0, None  # a new password ends a lock
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
    errors = password_errors(
        password, confirmation, username=account.username, display_name=account.display_name
    )
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


def set_role(session: Session, account_id: int, new_role: str, *, actor: Actor) -> AccountInfo:
    require_coordination(actor, "changer le rôle d'un compte")
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


def deactivate(session: Session, account_id: int, *, actor: Actor) -> AccountInfo:
    """The account can no longer sign in; its name stays in every history it appears in."""
    require_coordination(actor, "désactiver un compte")
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


def unlock(session: Session, account_id: int, *, actor: Actor) -> AccountInfo:
    """Coordination lets an account locked by failed sign-ins try again at once."""
    require_coordination(actor, "déverrouiller un compte")
    account = _load(session, account_id)
    if account.failed_sign_ins:
        audit.record_account(
            session,
            account,
            AuditAction.MODIFICATION,
            f"Compte « {account.username} » déverrouillé "
            f"({account.failed_sign_ins} échecs de connexion à la suite)",
        )
    account.failed_sign_ins, account.locked_until = 0, None
    session.flush()
    return _info(account)


def reactivate(session: Session, account_id: int, *, actor: Actor) -> AccountInfo:
    require_coordination(actor, "réactiver un compte")
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


def set_idle_lock_minutes(session: Session, minutes: int, *, actor: Actor) -> int:
    require_coordination(actor, "modifier le verrouillage automatique")
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


def reset_password_with_recovery(
    session: Session, username: str, password: str, confirmation: str
) -> AccountInfo:
    """A new password for an active account, on a base the recovery key opened (every
    password forgotten): the account is unlocked and the reset journaled."""
    account = _find(session, username)
    if account is None or not account.active:
        raise ValidationError({"identifiant": f"Aucun compte actif « {username.strip()} »."})
    errors = password_errors(
        password, confirmation, username=account.username, display_name=account.display_name
    )
    if errors:
        raise ValidationError(errors)
    _set_password(account, password)
    account.failed_sign_ins, account.locked_until = 0, None
    audit.record_account(
        session,
        account,
        AuditAction.MODIFICATION,
        f"Mot de passe du compte « {account.username} » réinitialisé avec la clé de secours",
        author=audit.acting_author(session, account.username),
    )
    session.flush()
    return _info(account)
