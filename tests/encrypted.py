"""Reading the application's encrypted bases from tests, below the application.

Bases are SQLCipher files (`app.storage.cipher`): a test that inspects or tampers with one
(the journal's triggers, a damaged page, what erasure leaves in the file) goes through these.
"""

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from app.services.base_access import keys as base_keys
from app.storage import cipher

# SQLCipher 4 defaults: 4096-byte pages, each ending with a 16-byte IV and a 64-byte HMAC;
# page 1 begins with the file's 16-byte salt. AES-256-CBC with the raw data key.
PAGE_SIZE = 4096
RESERVE = 80
IV_SIZE = 16
SALT_SIZE = 16
WAL_HEADER, FRAME_HEADER = 32, 24


def base_key(path: Path) -> bytes | None:
    """The data key of a base this process opened, or of a base no password protects."""
    path = Path(path)
    known = cipher.known_key(path)
    if known is not None or cipher.is_plain_sqlite(path):
        return known
    return base_keys.access_without_password(path, new_base=False)


def raw_connect(path: Path | str, **options: Any) -> Any:
    """A DB-API connection to the base at `path`, keyed (like `sqlite3.connect`)."""
    return cipher.connect(path, base_key(Path(path)), **options)


def _decrypt_page(page: bytes, key: bytes, first: bool) -> bytes:
    start = SALT_SIZE if first else 0
    body = page[start : PAGE_SIZE - RESERVE]
    iv = page[PAGE_SIZE - RESERVE : PAGE_SIZE - RESERVE + IV_SIZE]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(body) + decryptor.finalize()


def decrypted_bytes(path: Path, key: bytes | None = None) -> bytes:
    """Every page of the base file and of its write-ahead log, decrypted: what an attacker
    holding the key would read, free pages and old WAL frames included."""
    return b"".join(decrypted_files(path, key).values())


def decrypted_files(path: Path, key: bytes | None = None) -> dict[str, bytes]:
    """`decrypted_bytes` file by file: the name of the base file and of its write-ahead log
    (when there is one), each with its pages decrypted (a plain base: its bytes)."""
    path = Path(path)
    key = key or base_key(path)
    data = path.read_bytes() if path.exists() else b""
    wal = path.with_name(path.name + "-wal")
    log = wal.read_bytes() if wal.exists() else None
    files = {path.name: data}
    if log is not None:
        files[wal.name] = log
    if key is None or data.startswith(cipher.SQLITE_HEADER):
        return files
    files[path.name] = b"".join(
        _decrypt_page(data[at : at + PAGE_SIZE], key, at == 0)
        for at in range(0, len(data) - PAGE_SIZE + 1, PAGE_SIZE)
    )
    if log is not None:
        pages = []
        at = WAL_HEADER
        while at + FRAME_HEADER + PAGE_SIZE <= len(log):
            number = int.from_bytes(log[at : at + 4], "big")
            page = log[at + FRAME_HEADER : at + FRAME_HEADER + PAGE_SIZE]
            pages.append(_decrypt_page(page, key, number == 1))
            at += FRAME_HEADER + PAGE_SIZE
        files[wal.name] = b"".join(pages)
    return files
