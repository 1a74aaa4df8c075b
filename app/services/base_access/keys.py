"""Who can open an encrypted base: unlocking with a password or the recovery key, and keeping
the key slots in step with the accounts (`app.storage.key_file` explains the slots).

- A **new base** is encrypted from its first byte, with an open slot: nobody has a password
  yet, so anybody may open it, as the command line already acts as coordination there.
- Once an **active account has a password** (the first coordination account, usually), the
  base is *protected*: the data key is replaced (a copy made while the base was open, with
  its key file, must not open what is written afterwards), the open slot goes, every account
  with a password gets its slot, and a **recovery key** is made, to be shown once to
  coordination (kept in the base until then: `recovery_key_to_hand_over`).
- A **demo base** keeps its open slot: its people are fictional, its accounts have no password.
- A **plain base** (made before encryption) is backed up, then encrypted, when it is opened.
- Every commit that changes an account (`KEYS_CHANGED`, noted at flush) rewrites the slots
  from the accounts table: a slot's key-encryption key is derived from the account's stored
  password hash, so no password is needed for that.

Failed sign-ins on a protected base happen before it can be opened: they are counted in the
key file (the same waits and 15-minute lock as `accounts.authenticate`), and journaled in the
base at the next successful sign-in.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.domain import AppSetting
from app.domain.account import ROLE_COORDINATION, UserAccount
from app.errors import StorageError
from app.services.accounts import management as accounts
from app.services.accounts.management import (
    SALT_BYTES,
    SIGN_IN_REFUSED,
    AccountInfo,
    SignedInAccount,
    SignInRefused,
    _current,
    _Failures,
    _hash,
    _wait_after,
    _waiting,
)
from app.services.actor import Actor
from app.services.base_access.demo_mark import DEMO_SETTING, is_demo_base
from app.services.errors import UserFacingError
from app.services.journal import audit_log as audit
from app.services.permissions import require_coordination, role_of
from app.storage import Database, cipher, key_file
from app.storage.database import KEYS_CHANGED, sqlite_path
from app.storage.key_file import ACCOUNT, OPEN, RECOVERY, KeyFile, Slot

log = logging.getLogger(__name__)

__all__ = [
    "RECOVERY_KEY_SETTING",
    "BaseLocked",
    "access_without_password",
    "format_recovery_key",
    "recovery_key_handed_over",
    "recovery_key_to_hand_over",
    "reset_password_with_recovery_key",
    "sync_slots",
    "unlock",
]

RECOVERY_KEY_SETTING = "cle_de_secours_a_remettre"
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no O/0, I/1: read aloud, typed back
_RECOVERY_GROUPS, _RECOVERY_GROUP = 5, 5  # 25 symbols of 5 bits: 125 bits
LOCKED_MESSAGE = (
    "Cette base est chiffrée et protégée par mot de passe : connectez-vous avec votre "
    "identifiant et votre mot de passe."
)
NO_KEY_FILE = (
    "La base « {path} » est chiffrée, mais son fichier des clés « {keys} » est introuvable. "
    "Remettez-le à côté de la base (chaque sauvegarde a le sien, même nom suivi de .cles)."
)


class BaseLocked(UserFacingError):
    """The base is protected: it opens only with an account's password or the recovery key."""


@dataclass(frozen=True)
class Unlocked:
    """A data key and, when a password gave it, the scrypt hash of that password."""

    key: bytes
    proof: bytes | None = None


# ---------------------------------------------------------------- opening


def access_without_password(path: Path, *, new_base: bool) -> bytes | None:
    """The data key of a base that needs no password, None for a plain base (to be encrypted
    by the caller once opened); BaseLocked when a password is needed.

    `new_base`: the file was just created (empty): it gets a data key and an open slot.
    """
    if new_base:
        new_key = cipher.new_key()
        key_file.write_key_file(path, KeyFile(slots=[key_file.wrap(new_key, OPEN)]))
        return new_key
    if cipher.is_plain_sqlite(path):
        return None
    keys = _read_keys(path)
    for slot in keys.of_kind(OPEN):
        key = slot.unwrap(None)
        if key is not None:
            return key
    raise BaseLocked(LOCKED_MESSAGE)


def _read_keys(path: Path) -> KeyFile:
    keys = key_file.read_key_file(path)
    if keys is None:
        raise StorageError(NO_KEY_FILE.format(path=path, keys=key_file.key_file_path(path)))
    return keys


def unlock(path: Path, username: str, password: str, now: datetime | None = None) -> Unlocked:
    """The data key of a protected base, from an account's password; SignInRefused (or
    SignInDelayed during a wait) otherwise, with the failure counted in the key file."""
    now = now or datetime.now()
    keys = _read_keys(path)
    holder = key_file.holder_of(username)
    failures = _current(_stored_failures(keys, holder), now)
    waiting = _waiting(failures, now)
    if waiting is not None:
        raise waiting
    slots = keys.for_holder(holder)
    for slot in slots:
        proof = _hash(password, slot.salt, slot.n, slot.r, slot.p)
        data_key = slot.unwrap(proof)
        if data_key is not None:
            return Unlocked(data_key, proof)
    if not slots:  # the same time as a real check: timing does not tell who has an account
        _hash(password, secrets.token_bytes(SALT_BYTES), *_cost())
    raise _counted_failure(path, keys, holder, username, failures, now)


def _stored_failures(keys: KeyFile, holder: str) -> _Failures:
    try:
        count, until = keys.failures[holder].split(";")
        return _Failures(int(count), datetime.fromisoformat(until))
    except (KeyError, ValueError):
        return _Failures()


def _counted_failure(
    path: Path, keys: KeyFile, holder: str, username: str, failures: _Failures, now: datetime
) -> SignInRefused:
    """Count one more failure under `holder` in the key file; the refusal to raise."""
    count = failures.count + 1
    until = now + _wait_after(count)
    locked = count >= accounts.LOCK_AFTER_FAILURES
    keys.failures[holder] = f"{count};{until.isoformat()}"
    keys.owed.append(
        {
            "at": now.isoformat(timespec="seconds"),
            "username": username.strip()[:80],
            "locked": locked,
            "until": until.isoformat() if locked else None,
        }
    )
    key_file.write_key_file(path, keys)
    waiting = _waiting(_Failures(count, until), now)
    return SignInRefused(f"{SIGN_IN_REFUSED} {waiting}" if waiting else SIGN_IN_REFUSED)


def sign_in(
    database: Database, username: str, password: str, unlocked: Unlocked, now: datetime
) -> SignedInAccount:
    """Sign the account in on the base its password just unlocked: the failures counted in
    the key file are journaled and copied onto the accounts, then the usual sign-in."""
    path = _path(database)
    keys = _read_keys(path)
    with database.session() as session:
        _journal_owed(session, keys)
        _copy_failures_to_accounts(session, keys, now)
        info = accounts.authenticate(session, username, password, now, proof=unlocked.proof)
        session.info[KEYS_CHANGED] = True  # the owed entries are written, the count is cleared
    return info


def _journal_owed(session: Session, keys: KeyFile) -> None:
    for owed in keys.owed:
        at = datetime.fromisoformat(str(owed["at"]))
        until = datetime.fromisoformat(str(owed["until"])) if owed.get("until") else None
        audit.record_sign_in(
            session,
            str(owed["username"]),
            succeeded=False,
            locked=bool(owed.get("locked")),
            until=until,
            reason=f"base fermée, le {at:%d/%m/%Y à %H:%M}",
        )


def _copy_failures_to_accounts(session: Session, keys: KeyFile, now: datetime) -> None:
    """The Utilisateurs page shows (and unlocks) the locks counted before the base opened."""
    for account in session.scalars(select(UserAccount)):
        stored = _current(_stored_failures(keys, key_file.holder_of(account.username)), now)
        if stored.count > account.failed_sign_ins:
            account.failed_sign_ins, account.locked_until = stored.count, stored.until


def _path(database: Database) -> Path:
    path = sqlite_path(database.url)
    if path is None:
        raise ValueError("only SQLite bases have key slots")
    return path


# ---------------------------------------------------------------- keeping slots in step


def _note_key_changes(session: Session, _context: Any, _instances: Any) -> None:
    """Mark a session whose commit changes who may unlock the base (see KEYS_CHANGED)."""
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, UserAccount) or (
            isinstance(instance, AppSetting) and instance.key == DEMO_SETTING
        ):
            session.info[KEYS_CHANGED] = True
            return


event.listen(Session, "before_flush", _note_key_changes)


def sync_slots(database: Database) -> str | None:
    """Rewrite the key file from the accounts; protect the base when a password now exists.

    Returns the new recovery key when the base was just protected (it is also kept in the
    base until coordination has seen it), else None. Nothing for a plain or non-SQLite base.
    """
    path = sqlite_path(database.url)
    if path is None or database.key is None:
        return None
    with database.session(commit=False) as session:
        protected = _has_password(session) and not is_demo_base(session)
        holders = _account_holders(session)
    keys = key_file.read_key_file(path) or KeyFile()
    if protected and keys.of_kind(OPEN):
        return _protect(database, path, keys, holders)
    slots = _account_slots(database.key, holders, keys)
    slots += keys.of_kind(RECOVERY)
    if not protected:
        slots.append(_same_or_new_open(database.key, keys))
    keys.slots = slots
    keys.owed = []
    keys.failures = _failures_kept(keys, holders)
    key_file.write_key_file(path, keys)
    return None


@dataclass(frozen=True)
class _Holder:
    holder: str
    password_hash: bytes
    salt: bytes
    n: int
    r: int
    p: int
    failures: str | None  # "count;until" while the account counts failures


def _has_password(session: Session) -> bool:
    found = session.scalar(
        select(UserAccount.id).where(UserAccount.active.is_(True), UserAccount.password_hash != b"")
    )
    return found is not None


def _account_holders(session: Session) -> list[_Holder]:
    found = session.scalars(
        select(UserAccount).where(UserAccount.active.is_(True), UserAccount.password_hash != b"")
    )
    return [
        _Holder(
            key_file.holder_of(account.username),
            account.password_hash,
            account.salt,
            account.scrypt_n,
            account.scrypt_r,
            account.scrypt_p,
            f"{account.failed_sign_ins};{account.locked_until.isoformat()}"
            if account.failed_sign_ins and account.locked_until is not None
            else None,
        )
        for account in found
    ]


def _account_slots(data_key: bytes, holders: list[_Holder], keys: KeyFile) -> list[Slot]:
    """A slot per account, the one already written when it still holds this key."""
    slots: list[Slot] = []
    for holder in holders:
        kept = [
            slot
            for slot in keys.for_holder(holder.holder)
            if slot.salt == holder.salt and slot.unwrap(holder.password_hash) == data_key
        ]
        slots.append(kept[0] if kept else _wrap_for(data_key, holder))
    return slots


def _wrap_for(data_key: bytes, holder: _Holder) -> Slot:
    return key_file.wrap(
        data_key,
        ACCOUNT,
        secret_hash=holder.password_hash,
        holder=holder.holder,
        salt=holder.salt,
        n=holder.n,
        r=holder.r,
        p=holder.p,
    )


def _same_or_new_open(data_key: bytes, keys: KeyFile) -> Slot:
    for slot in keys.of_kind(OPEN):
        if slot.unwrap(None) == data_key:
            return slot
    return key_file.wrap(data_key, OPEN)


def _failures_kept(keys: KeyFile, holders: list[_Holder]) -> dict[str, str]:
    """Accounts: what the base counts (coordination may have unlocked); unknown names: kept."""
    by_holder = {holder.holder: holder for holder in holders}
    kept = {name: value for name, value in keys.failures.items() if name not in by_holder}
    for holder in holders:
        if holder.failures is not None:
            kept[holder.holder] = holder.failures
    return kept


def _protect(database: Database, path: Path, keys: KeyFile, holders: list[_Holder]) -> str:
    """Replace the data key, drop the open slot, make the recovery key (see module doc)."""
    new_key = cipher.new_key()
    recovery = new_recovery_key()
    new_slots = [_wrap_for(new_key, holder) for holder in holders]
    new_slots.append(_recovery_slot(new_key, recovery))
    old_slots = list(keys.slots)

    def both_keys_written() -> None:
        key_file.write_key_file(path, KeyFile(slots=old_slots + new_slots))

    database.reencrypt(new_key, both_keys_written)
    key_file.write_key_file(path, KeyFile(slots=new_slots, failures=keys.failures))
    with database.session() as session:
        _store_recovery_key(session, recovery)
    log.info("base %s protected: new data key, open slot removed", path)
    return recovery


def encrypt_plain_base(database: Database) -> str | None:
    """Encrypt a base made before encryption (backed up by the caller first), with the slots
    its accounts call for; returns the recovery key when a password protects it."""
    path = _path(database)
    with database.session(commit=False) as session:
        protected = _has_password(session) and not is_demo_base(session)
        holders = _account_holders(session)
    new_key = cipher.new_key()
    slots = [_wrap_for(new_key, holder) for holder in holders]
    recovery = new_recovery_key() if protected else None
    slots.append(_recovery_slot(new_key, recovery) if recovery else key_file.wrap(new_key, OPEN))
    database.reencrypt(new_key, lambda: key_file.write_key_file(path, KeyFile(slots=slots)))
    if recovery is not None:
        with database.session() as session:
            _store_recovery_key(session, recovery)
    log.info("plain base %s encrypted", path)
    return recovery


# ---------------------------------------------------------------- the recovery key


def new_recovery_key() -> str:
    symbols = "".join(
        secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUPS * _RECOVERY_GROUP)
    )
    return format_recovery_key(symbols)


def format_recovery_key(text: str) -> str:
    """ABCDE-FGHJK-… whatever spaces, dashes or case were typed."""
    plain = _normalised(text)
    size = _RECOVERY_GROUP
    return "-".join(plain[i : i + size] for i in range(0, len(plain), size))


def _normalised(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _recovery_hash(recovery: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return _hash(_normalised(recovery), salt, n, r, p)


def _recovery_slot(data_key: bytes, recovery: str) -> Slot:
    salt = secrets.token_bytes(SALT_BYTES)
    n, r, p = _cost()
    return key_file.wrap(
        data_key,
        RECOVERY,
        secret_hash=_recovery_hash(recovery, salt, n, r, p),
        salt=salt,
        n=n,
        r=r,
        p=p,
    )


def _cost() -> tuple[int, int, int]:
    """The scrypt cost of new hashes, read when used (the tests lower it)."""
    return accounts.SCRYPT_N, accounts.SCRYPT_R, accounts.SCRYPT_P


def _store_recovery_key(session: Session, recovery: str) -> None:
    setting = session.scalar(select(AppSetting).where(AppSetting.key == RECOVERY_KEY_SETTING))
    if setting is None:
        session.add(AppSetting(key=RECOVERY_KEY_SETTING, value=recovery))
    else:
        setting.value = recovery


def recovery_key_to_hand_over(session: Session, *, actor: Actor) -> str | None:
    """The recovery key coordination has not seen yet (made when the base was protected)."""
    if role_of(actor) != ROLE_COORDINATION:
        return None
    return session.scalar(select(AppSetting.value).where(AppSetting.key == RECOVERY_KEY_SETTING))


def recovery_key_handed_over(session: Session, *, actor: Actor) -> None:
    """Coordination has written the recovery key down: the base forgets it."""
    require_coordination(actor, "prendre la clé de secours")
    setting = session.scalar(select(AppSetting).where(AppSetting.key == RECOVERY_KEY_SETTING))
    if setting is not None:
        session.delete(setting)
        audit.record_setting(
            session,
            "Clé de secours",
            "Clé de secours remise à la coordination (la base ne la garde plus)",
            None,
            None,
        )


def unlock_with_recovery_key(path: Path, recovery: str) -> bytes:
    """The data key from the recovery key; SignInRefused otherwise."""
    keys = _read_keys(path)
    for slot in keys.of_kind(RECOVERY):
        key = slot.unwrap(_recovery_hash(recovery, slot.salt, slot.n, slot.r, slot.p))
        if key is not None:
            return key
    raise SignInRefused("Clé de secours incorrecte pour cette base.")


def reset_password_with_recovery_key(
    database: Database, username: str, password: str, confirmation: str
) -> AccountInfo:
    """A new password for an account of a base opened with the recovery key (forgotten
    passwords of every coordinator): the account is unlocked, the reset journaled."""
    with database.session() as session:
        info = accounts.reset_password_with_recovery(session, username, password, confirmation)
    return info
