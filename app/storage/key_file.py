"""The key file beside an encrypted base: who can unwrap its data key (like LUKS key slots).

`fabrique.sqlite` is encrypted with a random data key (`app.storage.cipher`); the file
`fabrique.sqlite.cles` holds that key several times, each *wrapped* (AES-256-GCM) by another
key-encryption key:

- an **account slot** per active account with a password: its key-encryption key comes from
  the scrypt hash of the account's password (the very hash the base keeps to check it, with
  the salt and cost parameters written in the slot), so the password opens the base, and the
  slots can be written again from the base alone when accounts change;
- a **recovery slot**: the key-encryption key comes from the recovery key shown once to
  coordination (scrypt too);
- an **open slot** on a base that no password protects yet (no coordination account, or a
  demo base): a public key-encryption key, so anyone may open it, which is what such a base
  offers anyway. It disappears, and the data key is replaced, once a password protects the base.

Slots name nobody: an account slot carries a hash of the folded identifiant. The file also
keeps the failed sign-ins counted before the base could be opened (they cannot be written
into a base nobody could unlock), and the journal entries they owe it.

The file holds nothing that opens the base without a password or the recovery key; a copy of
it goes with every backup, so a copy opens with the passwords of its day.
"""

import base64
import contextlib
import hashlib
import json
import logging
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.errors import StorageError, describe_os_error
from app.storage.durable import fsync_folder

log = logging.getLogger(__name__)

KEY_FILE_SUFFIX = ".cles"
FORMAT = 1
ACCOUNT, RECOVERY, OPEN = "compte", "secours", "ouvert"
NONCE_BYTES = 12
_OPEN_KEK = hashlib.sha256(b"fabrique-accueil: base ouverte sans mot de passe").digest()
_KEK_LABEL = b"fabrique-accueil: cle de chiffrement de cle v1"
FILE_MODE = 0o600


@dataclass(frozen=True)
class Slot:
    """One wrapping of the data key."""

    kind: str
    holder: str  # hash of the folded identifiant (account slots), "" otherwise
    salt: bytes
    n: int
    r: int
    p: int
    nonce: bytes
    wrapped: bytes

    def unwrap(self, secret_hash: bytes | None) -> bytes | None:
        """The data key, None when `secret_hash` (None for an open slot) is not this slot's."""
        kek = _OPEN_KEK if self.kind == OPEN else _kek(secret_hash or b"")
        try:
            return AESGCM(kek).decrypt(self.nonce, self.wrapped, self._associated())
        except InvalidTag:
            return None

    def _associated(self) -> bytes:
        return f"{self.kind}:{self.holder}".encode()


@dataclass
class KeyFile:
    slots: list[Slot] = field(default_factory=list)
    # Failed sign-ins before the base could be opened: holder hash -> "count;until ISO".
    failures: dict[str, str] = field(default_factory=dict)
    # Journal entries owed to the base: {"at", "username", "locked", "until", "reason"}.
    owed: list[dict[str, Any]] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Slot]:
        return [slot for slot in self.slots if slot.kind == kind]

    def for_holder(self, holder: str) -> list[Slot]:
        return [slot for slot in self.slots if slot.kind == ACCOUNT and slot.holder == holder]


def holder_of(username: str) -> str:
    """How a slot names an account: a hash of its folded identifiant."""
    return hashlib.sha256(username.strip().casefold().encode("utf-8")).hexdigest()[:32]


def _kek(secret_hash: bytes) -> bytes:
    return hashlib.sha256(_KEK_LABEL + secret_hash).digest()


def wrap(
    data_key: bytes,
    kind: str,
    *,
    secret_hash: bytes | None = None,
    holder: str = "",
    salt: bytes = b"",
    n: int = 0,
    r: int = 0,
    p: int = 0,
) -> Slot:
    """A slot holding `data_key` under `secret_hash` (the scrypt hash of a password or of
    the recovery key, made with `salt`, n, r, p), or under the public key of an open slot."""
    slot = Slot(kind, holder, salt, n, r, p, secrets.token_bytes(NONCE_BYTES), b"")
    kek = _OPEN_KEK if kind == OPEN else _kek(secret_hash or b"")
    wrapped = AESGCM(kek).encrypt(slot.nonce, data_key, slot._associated())
    return replace(slot, wrapped=wrapped)


def key_file_path(database: Path) -> Path:
    return database.with_name(database.name + KEY_FILE_SUFFIX)


def read_key_file(database: Path) -> KeyFile | None:
    """The key file of the base at `database`; None when there is none."""
    path = key_file_path(database)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StorageError(
            f"Le fichier des clés « {path} » est illisible : {describe_os_error(error)}."
        ) from error
    try:
        return _parse(json.loads(text))
    except (ValueError, KeyError, TypeError) as error:
        log.warning("key file %s unreadable: %s", path, error)
        raise StorageError(
            f"Le fichier des clés « {path} » est endommagé : la base ne peut pas être ouverte "
            "avec un mot de passe. Remettez-le depuis une sauvegarde (il accompagne chaque "
            "copie, sous le même nom suivi de .cles)."
        ) from error


def write_key_file(database: Path, keys: KeyFile) -> None:
    """Replace the key file atomically (a new file, fsynced, renamed), owner-only."""
    path = key_file_path(database)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    text = json.dumps(_serialise(keys), indent=1, sort_keys=True)
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        fsync_folder(path.parent)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise StorageError(
            f"Le fichier des clés « {path} » n'a pas pu être écrit : {describe_os_error(error)}."
        ) from error


def copy_key_file(database: Path, copy: Path) -> None:
    """Give the copy `copy` of a base the key file of the base, if it has one."""
    keys = read_key_file(database)
    if keys is not None:
        write_key_file(copy, KeyFile(slots=list(keys.slots)))


def remove_key_file(database: Path) -> None:
    with contextlib.suppress(OSError):
        key_file_path(database).unlink(missing_ok=True)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _serialise(keys: KeyFile) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "emplacements": [
            {
                "type": slot.kind,
                "titulaire": slot.holder,
                "sel": _b64(slot.salt),
                "n": slot.n,
                "r": slot.r,
                "p": slot.p,
                "nonce": _b64(slot.nonce),
                "cle": _b64(slot.wrapped),
            }
            for slot in keys.slots
        ],
        "echecs": keys.failures,
        "a_journaliser": keys.owed,
    }


def _parse(data: dict[str, Any]) -> KeyFile:
    if data["format"] != FORMAT:
        raise ValueError(f"unknown key file format {data['format']!r}")
    slots = [
        Slot(
            kind=str(item["type"]),
            holder=str(item["titulaire"]),
            salt=base64.b64decode(item["sel"]),
            n=int(item["n"]),
            r=int(item["r"]),
            p=int(item["p"]),
            nonce=base64.b64decode(item["nonce"]),
            wrapped=base64.b64decode(item["cle"]),
        )
        for item in data["emplacements"]
    ]
    failures = {str(key): str(value) for key, value in dict(data.get("echecs", {})).items()}
    owed = [dict(item) for item in data.get("a_journaliser", [])]
    return KeyFile(slots=slots, failures=failures, owed=owed)
