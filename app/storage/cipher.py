"""Encrypted SQLite files: SQLCipher connections and whole-file re-encryption.

Every SQLite file of the application is opened through SQLCipher (`sqlcipher3`, the same
DB-API as Python's `sqlite3`). A base is encrypted with a random 256-bit *data key* given raw
(`PRAGMA key = "x'…'"`: no key derivation at each connection, which costs nothing at start-up
or per query); who may unwrap that key is `app.storage.key_file`'s business. Without a key a
connection reads and writes plain SQLite, as for a base made before encryption.

The data key is known per file once a base is opened (`remember_key`), so the functions that
copy a base (backups, restore, check) find it without each caller passing it along.
"""

import contextlib
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"
MISSING_DRIVER = (
    "Le chiffrement des bases (SQLCipher, paquet « sqlcipher3-binary ») n'est pas installé sur "
    "ce poste : la base ne peut pas être ouverte. Réinstallez l'application."
)


def driver() -> ModuleType:
    """The SQLCipher DB-API module; a French StorageError where it is not installed."""
    try:
        from sqlcipher3 import dbapi2
    except ImportError as error:  # pragma: no cover - the dependency is declared
        from app.errors import StorageError

        raise StorageError(MISSING_DRIVER) from error
    return dbapi2


def error_types() -> tuple[type[Exception], ...]:
    """The exceptions a SQLCipher connection raises (they are not `sqlite3.Error`)."""
    import sqlite3

    return (driver().Error, sqlite3.Error)


def database_error_types() -> tuple[type[Exception], ...]:
    import sqlite3

    return (driver().DatabaseError, sqlite3.DatabaseError)


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def apply_key(connection: Any, key: bytes | None) -> None:
    """Key a fresh connection before anything reads the file (no-op for a plain base)."""
    connection.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is an answer, not a log
    if key is not None:
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")


def connect(target: str | Path, key: bytes | None, **options: Any) -> Any:
    """A SQLCipher connection to `target` (a path, or a `file:` URI with `uri=True`), keyed."""
    connection = driver().connect(str(target), **options)
    try:
        apply_key(connection, key)
    except BaseException:
        connection.close()
        raise
    return connection


@contextlib.contextmanager
def connected(target: str | Path, key: bytes | None, **options: Any) -> Iterator[Any]:
    connection = connect(target, key, **options)
    try:
        yield connection
    finally:
        connection.close()


def is_plain_sqlite(path: Path) -> bool:
    """Whether the file starts as an unencrypted SQLite base (an encrypted one looks random)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def opens_with(path: Path, key: bytes | None) -> bool:
    """Whether `key` (None: none) reads the base at `path`."""
    try:
        with connected(path.resolve().as_uri() + "?mode=ro", key, uri=True) as connection:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except (*error_types(), OSError):  # type: ignore[misc]
        return False
    return True


# ---------------------------------------------------------------- known keys


_known_keys: dict[str, bytes] = {}


def _file_key(path: Path) -> str:
    try:
        return str(path.expanduser().resolve())
    except OSError:
        return str(path.expanduser().absolute())


def remember_key(path: Path, key: bytes | None) -> None:
    """Note the data key of the base at `path` for this process (None: a plain base)."""
    if key is None:
        _known_keys.pop(_file_key(path), None)
    else:
        _known_keys[_file_key(path)] = key


def forget_keys() -> None:
    """Forget every key this process knew (a new process, as far as unlocking goes)."""
    _known_keys.clear()


def known_key(path: Path) -> bytes | None:
    """The data key of the base at `path` if this process opened it, else None."""
    return _known_keys.get(_file_key(path))


# ---------------------------------------------------------------- re-encryption


def export_encrypted(
    source: Path, source_key: bytes | None, target: Path, target_key: bytes | None
) -> None:
    """Write the whole base `source` into the new file `target` under `target_key`.

    `sqlcipher_export` copies the schema and the rows from one connection to an attached
    database of another key (the online backup API cannot: it hangs between differently keyed
    files). The target is fsynced; the source is left as it was.
    """
    target.unlink(missing_ok=True)
    attach_key = f"x'{target_key.hex()}'" if target_key is not None else ""
    with connected(source, source_key, isolation_level=None) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute(f'ATTACH DATABASE ? AS encrypted KEY "{attach_key}"', (str(target),))
        try:
            connection.execute("SELECT sqlcipher_export('encrypted')")
        finally:
            connection.execute("DETACH DATABASE encrypted")
    with target.open("rb") as handle:
        os.fsync(handle.fileno())
