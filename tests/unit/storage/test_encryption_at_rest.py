"""Encryption at rest (issue 12.2): what someone holding the files can read, and who can open
them.

A base and its backups are SQLCipher files: the plain `sqlite3` module cannot read them, and
their pages hold no readable personal data. The key file beside each one (`.cles`) says who
can unwrap the data key: anybody (an open slot) until an active account has a password, then
only the accounts' passwords and the recovery key. A base made before encryption is backed up,
then encrypted, when this version opens it.
"""

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import backup_dir
from app.domain import AuditAction, AuditEntry, Candidate
from app.domain.account import ROLE_ACCUEIL, ROLE_COORDINATION
from app.services.accounts import management as accounts
from app.services.accounts.management import AccountInput, SignInDelayed, SignInRefused
from app.services.base_access import keys as base_keys
from app.services.base_access.opening import open_app_database, open_with_password
from app.services.candidates.records import CandidateInput, create_candidate
from app.services.reference import ensure_reference_data
from app.storage import Database, cipher, key_file, open_database
from app.storage.backup import BackupReason, backup_database, list_backups
from app.storage.key_file import ACCOUNT, OPEN, RECOVERY, holder_of
from tests.conftest import TODAY, make_actor
from tests.encrypted import decrypted_bytes

NOW = datetime(2026, 11, 28, 9, 30)
RARE = "Qzxwvkjbyh"  # a name found only where this person's data is
COORDINATOR = ("cvasseur", "Claire Vasseur", "Glycines-du-quai-2026")
RECEPTION = ("nbelkacem", "Nadia Belkacem", "Tilleuls-et-cobalt-77")


@pytest.fixture(autouse=True)
def keys_of_this_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keys this process learns here stay here (`new_process` forgets them)."""
    monkeypatch.setattr(cipher, "_known_keys", {})


def new_process() -> None:
    """From here on, as a new process: no key known, only the files."""
    cipher.forget_keys()


def url(path: Path) -> str:
    return "sqlite:///" + str(path)


def plain_sqlite_refuses(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        connection.close()


def raw_bytes(path: Path) -> bytes:
    """The base file and its write-ahead log as they are on the disk."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def add_person(database: Database, name: str = RARE) -> None:
    with database.session() as session:
        create_candidate(
            session,
            CandidateInput(
                nom=name,
                prenom="Zoé",
                email=f"{name.lower()}@exemple.fr",
                saison="2026-2027",
                site="cobalt",
            ),
            actor=make_actor(ROLE_COORDINATION, COORDINATOR[0]),
            now=NOW,
        )


def first_account(database: Database) -> None:
    username, display_name, password = COORDINATOR
    with database.session() as session:
        accounts.create_first_account(
            session, AccountInput(display_name, username), password, password
        )


def person_names(database: Database) -> list[str]:
    with database.session(commit=False) as session:
        return list(session.scalars(select(Candidate.last_name)))


# ---------------------------------------------------------------- what the files show


def test_a_base_and_its_backup_are_not_databases_for_plain_sqlite(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    add_person(db)
    copy = backup_database(db.url, tmp_path / "sauvegardes", reason="manuelle", now=NOW)
    assert not cipher.is_plain_sqlite(db_path) and not cipher.is_plain_sqlite(copy)
    plain_sqlite_refuses(db_path)
    plain_sqlite_refuses(copy)


def test_a_typed_name_is_in_the_decrypted_pages_only(db: Database, db_path: Path) -> None:
    add_person(db)
    trace = RARE.lower().encode()
    assert trace in decrypted_bytes(db_path).lower()
    assert trace not in raw_bytes(db_path).lower()


def test_a_backup_has_its_key_file_and_opens_through_its_open_slot(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    add_person(db)
    copy = backup_database(db.url, tmp_path / "sauvegardes", reason="manuelle", now=NOW)
    assert key_file.key_file_path(copy) == Path(f"{copy}.cles")
    assert key_file.key_file_path(copy).exists()
    keys = key_file.read_key_file(copy)
    assert keys is not None
    [slot] = keys.of_kind(OPEN)
    assert keys.of_kind(ACCOUNT) == [] and keys.of_kind(RECOVERY) == []
    key = slot.unwrap(None)
    assert key is not None and key == cipher.known_key(db_path)  # the base's key
    new_process()
    assert base_keys.access_without_password(copy, new_base=False) == key
    with cipher.connected(copy, key) as connection:
        rows = connection.execute("SELECT last_name FROM candidate").fetchall()
    assert rows == [(RARE,)]


# ---------------------------------------------------------------- a base made before encryption


@pytest.fixture
def plain_base(tmp_path: Path) -> Iterator[Path]:
    """A base as versions before encryption left it: plain SQLite, with a coordination and a
    reception account (both with a password) and one person."""
    path = tmp_path / "fabrique.sqlite"
    database = open_database(url(path))
    assert database.key is None
    with database.session() as session:
        ensure_reference_data(session, TODAY)
    first_account(database)
    username, display_name, password = RECEPTION
    with database.session() as session:
        accounts.create_account(
            session,
            AccountInput(display_name, username, ROLE_ACCUEIL),
            password,
            password,
            actor=make_actor(ROLE_COORDINATION, COORDINATOR[0]),
        )
    add_person(database)
    database.dispose()
    assert cipher.is_plain_sqlite(path)
    assert key_file.read_key_file(path) is None
    new_process()
    yield path


def test_a_plain_base_is_backed_up_then_encrypted_with_a_slot_per_account(
    plain_base: Path,
) -> None:
    database = open_app_database(url(plain_base), today=TODAY)
    try:
        key = database.key
        assert key is not None
        assert person_names(database) == [RARE]
        with database.session(commit=False) as session:
            recovery = base_keys.recovery_key_to_hand_over(
                session, actor=make_actor(ROLE_COORDINATION, COORDINATOR[0])
            )
            for_reception = base_keys.recovery_key_to_hand_over(
                session, actor=make_actor(ROLE_ACCUEIL, RECEPTION[0])
            )
    finally:
        database.dispose()

    # The backup first: in the backup folder, plain, as the base was.
    [copy] = list_backups(backup_dir())
    assert copy.reason is BackupReason.BEFORE_ENCRYPTION
    assert copy.path.name.endswith("-avant-chiffrement.sqlite")
    assert cipher.is_plain_sqlite(copy.path)
    assert not key_file.key_file_path(copy.path).exists()
    connection = sqlite3.connect(copy.path)
    try:
        assert connection.execute("SELECT last_name FROM candidate").fetchall() == [(RARE,)]
    finally:
        connection.close()

    # Then the base: encrypted, a slot per account and one for the recovery key, none open.
    assert not cipher.is_plain_sqlite(plain_base)
    plain_sqlite_refuses(plain_base)
    assert RARE.lower().encode() not in raw_bytes(plain_base).lower()
    assert RARE.lower().encode() in decrypted_bytes(plain_base, key).lower()
    keys = key_file.read_key_file(plain_base)
    assert keys is not None
    assert keys.of_kind(OPEN) == []
    assert len(keys.of_kind(RECOVERY)) == 1
    assert {slot.holder for slot in keys.of_kind(ACCOUNT)} == {
        holder_of(COORDINATOR[0]),
        holder_of(RECEPTION[0]),
    }

    new_process()
    with pytest.raises(base_keys.BaseLocked):
        open_app_database(url(plain_base), today=TODAY)
    for username, _name, password in (COORDINATOR, RECEPTION):
        unlocked = base_keys.unlock(plain_base, username, password, NOW)
        assert unlocked.key == key
        assert cipher.opens_with(plain_base, unlocked.key)

    # The recovery key, kept in the base for coordination only until it is handed over.
    assert recovery is not None and for_reception is None
    assert base_keys.unlock_with_recovery_key(plain_base, recovery) == key
    typed = recovery.lower().replace("-", " ")  # as read aloud and typed back
    assert base_keys.unlock_with_recovery_key(plain_base, typed) == key
    wrong = base_keys.format_recovery_key("A" * len(recovery.replace("-", "")))
    with pytest.raises(SignInRefused, match="Clé de secours incorrecte"):
        base_keys.unlock_with_recovery_key(plain_base, wrong)
    reopened = open_app_database(
        url(plain_base), today=TODAY, key=base_keys.unlock_with_recovery_key(plain_base, recovery)
    )
    try:
        assert person_names(reopened) == [RARE]
    finally:
        reopened.dispose()


# ---------------------------------------------------------------- passwords


@pytest.fixture
def protected_base(tmp_path: Path) -> Path:
    """A new base whose coordination account was just created, closed; a new process."""
    path = tmp_path / "fabrique.sqlite"
    database = open_app_database(url(path), today=TODAY)
    first_account(database)
    add_person(database)
    database.dispose()
    new_process()
    return path


def test_a_wrong_password_is_refused_counted_and_journaled_at_the_next_sign_in(
    protected_base: Path,
) -> None:
    username, _name, password = COORDINATOR
    holder = holder_of(username)
    for count in range(1, accounts.FREE_FAILURES):
        with pytest.raises(SignInRefused) as refused:
            base_keys.unlock(protected_base, username, "Pas-le-bon-mot-2026", NOW)
        assert str(refused.value) == accounts.SIGN_IN_REFUSED
        keys = key_file.read_key_file(protected_base)
        assert keys is not None and keys.failures[holder].startswith(f"{count};")

    # The fifth failure makes the name wait; meanwhile not even the right password is tried.
    with pytest.raises(SignInRefused, match="Trop d'essais : réessayer dans 1 seconde"):
        base_keys.unlock(protected_base, username, "Pas-le-bon-mot-2026", NOW)
    with pytest.raises(SignInDelayed, match="Trop d'essais"):
        base_keys.unlock(protected_base, username, password, NOW)
    keys = key_file.read_key_file(protected_base)
    assert keys is not None
    assert keys.failures[holder].startswith(f"{accounts.FREE_FAILURES};")
    assert len(keys.owed) == accounts.FREE_FAILURES  # the try refused during the wait: not
    assert all(owed["username"] == username for owed in keys.owed)

    later = NOW + timedelta(minutes=2)
    database, account = open_with_password(url(protected_base), username, password, now=later)
    try:
        assert account.username == username
        with database.session(commit=False) as session:
            closed = session.execute(
                select(AuditEntry.action, AuditEntry.author, AuditEntry.summary).where(
                    AuditEntry.summary.contains("base fermée")
                )
            ).all()
            succeeded = session.scalars(
                select(AuditEntry.id).where(AuditEntry.action == AuditAction.CONNEXION.value)
            ).all()
    finally:
        database.dispose()
    assert (
        closed
        == [
            (
                AuditAction.CONNEXION_REFUSEE.value,
                username,
                "Connexion refusée (base fermée, le 28/11/2026 à 09:30)",
            )
        ]
        * accounts.FREE_FAILURES
    )
    assert len(succeeded) == 1
    keys = key_file.read_key_file(protected_base)
    assert keys is not None and keys.owed == [] and holder not in keys.failures


def test_the_first_password_re_keys_a_new_base(db: Database, db_path: Path) -> None:
    """Whoever copied the base and its key file while anybody could open it (the open slot)
    cannot read what is written once a password protects it."""
    old_key = cipher.known_key(db_path)
    assert old_key is not None
    old_key_file = key_file.key_file_path(db_path).read_bytes()
    assert base_keys.access_without_password(db_path, new_base=False) == old_key

    first_account(db)
    add_person(db)
    with db.session(commit=False) as session:
        recovery = base_keys.recovery_key_to_hand_over(
            session, actor=make_actor(ROLE_COORDINATION, COORDINATOR[0])
        )

    new_key = cipher.known_key(db_path)
    assert new_key is not None and new_key != old_key and db.key == new_key
    assert not cipher.opens_with(db_path, old_key)
    assert cipher.opens_with(db_path, new_key)
    keys = key_file.read_key_file(db_path)
    assert keys is not None and keys.of_kind(OPEN) == []
    with pytest.raises(base_keys.BaseLocked):
        base_keys.access_without_password(db_path, new_base=False)
    assert recovery is not None
    assert base_keys.unlock_with_recovery_key(db_path, recovery) == new_key
    username, _name, password = COORDINATOR
    assert base_keys.unlock(db_path, username, password, NOW).key == new_key

    # The old key file put back beside the base: its open slot gives the old key, which no
    # longer reads the file.
    current_key_file = key_file.key_file_path(db_path).read_bytes()
    key_file.key_file_path(db_path).write_bytes(old_key_file)
    try:
        assert base_keys.access_without_password(db_path, new_base=False) == old_key
        assert not cipher.opens_with(db_path, old_key)
        with (
            pytest.raises(cipher.database_error_types(), match="file is not a database"),
            cipher.connected(db_path, old_key) as connection,
        ):
            connection.execute("SELECT count(*) FROM candidate").fetchone()
    finally:
        key_file.key_file_path(db_path).write_bytes(current_key_file)
    assert RARE.lower().encode() not in decrypted_bytes(db_path, old_key).lower()
    assert RARE.lower().encode() in decrypted_bytes(db_path, new_key).lower()
