"""Storage failures while the app runs: read-only, disk full, file deleted, moved or replaced,
locked by another desk. Each save is refused with a French StorageError and writes nothing."""

import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from app.domain import Candidate, Season
from app.errors import StorageError
from app.services.candidates.records import CandidateInput, create_candidate
from app.storage import Database, cipher, database
from app.storage.database import storage_message
from tests.conftest import make_actor
from tests.encrypted import base_key, raw_connect

NOW = datetime(2026, 11, 29, 10, 42)


def _save_candidate(db: Database, nom: str, notes: str = "") -> int:
    data = CandidateInput(
        nom=nom, prenom="Loïc", email="loic@exemple.fr", saison="2026-2027", site="cobalt"
    )
    data.notes = notes
    with db.session() as s:
        return create_candidate(
            s, data, actor=make_actor("coordination", "Nadia Belkacem"), now=NOW
        ).id


def _names(db: Database) -> list[str]:
    with db.session(commit=False) as s:
        return list(s.scalars(select(Candidate.last_name).order_by(Candidate.id)))


def _with_every_new_connection(db: Database, statement: str) -> None:
    """Run `statement` on each connection the pool opens from now on (and drop the open ones)."""

    def run(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(statement.format(pages=_page_count(dbapi_connection)))

    event.listen(db.engine, "connect", run)
    db.engine.dispose()


def _page_count(dbapi_connection: Any) -> int:
    return int(dbapi_connection.execute("PRAGMA page_count").fetchone()[0])


@pytest.fixture
def writable_again(db_path: Path) -> Iterator[None]:
    """Give the rights back before the database is closed and the folder removed."""
    yield
    db_path.parent.chmod(0o755)
    if db_path.exists():
        db_path.chmod(0o644)


# ---------------------------------------------------------------- read-only


@pytest.mark.usefixtures("writable_again")
def test_a_file_made_read_only_while_open_refuses_saves_but_still_reads(
    db: Database, db_path: Path
) -> None:
    _save_candidate(db, "Hébert")
    db_path.chmod(0o444)
    db_path.parent.chmod(0o555)

    with pytest.raises(StorageError) as refused:
        _save_candidate(db, "Martin")

    assert "lecture seule" in str(refused.value)
    assert "vos saisies restent à l'écran" in str(refused.value)
    assert _names(db) == ["Hébert"]
    with db.session() as s:  # a session that only reads still commits fine
        assert s.scalar(select(func.count(Candidate.id))) == 1
    db_path.parent.chmod(0o755)
    db_path.chmod(0o644)
    _save_candidate(db, "Martin")
    assert _names(db) == ["Hébert", "Martin"]


def test_sqlite_refusing_to_write_is_explained_as_read_only(db: Database) -> None:
    _with_every_new_connection(db, "PRAGMA query_only = ON")
    with pytest.raises(StorageError) as refused:
        _save_candidate(db, "Hébert")
    assert "elle est en lecture seule" in str(refused.value)


# ---------------------------------------------------------------- disk full


def test_a_full_disk_refuses_the_save_and_writes_nothing(db: Database) -> None:
    _with_every_new_connection(db, "PRAGMA max_page_count = {pages}")

    with pytest.raises(StorageError) as refused:
        _save_candidate(db, "Hébert", notes="Parcours détaillé. " * 900)

    assert "le disque est plein" in str(refused.value)
    assert _names(db) == []


# ---------------------------------------------------------------- deleted, moved, replaced


def test_a_deleted_file_refuses_saves_instead_of_losing_them(db: Database, db_path: Path) -> None:
    _save_candidate(db, "Hébert")
    db_path.unlink()

    with pytest.raises(StorageError) as refused:
        _save_candidate(db, "Martin")

    assert str(refused.value).startswith(
        f"La base de données a été déplacée ou supprimée : « {db_path} »."
    )
    assert not db_path.exists()
    db.engine.dispose()  # a new connection must not create an empty base in its place
    with pytest.raises(StorageError, match="déplacée ou supprimée"), db.session() as s:
        s.scalar(select(func.count(Candidate.id)))
    assert not db_path.exists()


def test_a_moved_file_refuses_saves_until_it_is_put_back(db: Database, db_path: Path) -> None:
    _save_candidate(db, "Hébert")
    elsewhere = db_path.with_name("rangée-ailleurs.sqlite")
    db_path.rename(elsewhere)

    with pytest.raises(StorageError, match="déplacée ou supprimée"):
        _save_candidate(db, "Martin")

    elsewhere.rename(db_path)
    _save_candidate(db, "Martin")
    assert _names(db) == ["Hébert", "Martin"]


def test_a_file_replaced_by_another_one_refuses_saves(db: Database, db_path: Path) -> None:
    _save_candidate(db, "Hébert")
    copy = db_path.with_name("copie.sqlite")
    key = base_key(db_path)  # another copy of the same base, under the same key
    with cipher.connected(db_path, key) as source, cipher.connected(copy, key) as target:
        source.backup(target)
    os.replace(copy, db_path)

    with pytest.raises(StorageError, match="déplacée ou supprimée"):
        _save_candidate(db, "Martin")

    db.file.remember()  # e.g. after a restore that had to swap the file: adopt the new one
    _save_candidate(db, "Martin")
    assert _names(db) == ["Hébert", "Martin"]


def test_only_sessions_that_write_check_the_file(db: Database, db_path: Path) -> None:
    _save_candidate(db, "Hébert")
    shutil.move(db_path, db_path.with_name("ailleurs.sqlite"))
    with db.session() as s:  # reads go on from the open connection
        assert s.scalar(select(func.count(Season.id))) > 0


# ---------------------------------------------------------------- locked


def test_a_database_locked_by_another_desk_refuses_then_saves(
    db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 50)
    db.engine.dispose()
    other_desk = raw_connect(db_path)
    other_desk.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError) as refused:
            _save_candidate(db, "Hébert")
    finally:
        other_desk.rollback()
        other_desk.close()
    assert "occupée par un autre poste" in str(refused.value)
    assert _names(db) == []
    _save_candidate(db, "Hébert")
    assert _names(db) == ["Hébert"]


# ---------------------------------------------------------------- what is and is not storage


def test_a_broken_constraint_is_a_bug_not_a_storage_failure(db: Database) -> None:
    with pytest.raises(IntegrityError), db.session() as s:
        s.add_all([Season(label="2040-2041", start_date=NOW.date()) for _ in range(2)])


@pytest.mark.parametrize(
    ("sqlite_says", "reason"),
    [
        ("database is locked", "elle est occupée par un autre poste"),
        ("attempt to write a readonly database", "elle est en lecture seule"),
        ("database or disk is full", "le disque est plein"),
        ("database disk image is malformed", "le fichier est endommagé"),
        ("file is not a database", "le fichier est endommagé"),
        ("disk I/O error", "le fichier est introuvable ou illisible"),
        ("unable to open database file", "le fichier est introuvable ou illisible"),
        ("something new", "elle ne répond pas"),
    ],
)
def test_storage_messages_say_why_in_french(sqlite_says: str, reason: str) -> None:
    error = OperationalError("INSERT …", {}, sqlite3.OperationalError(sqlite_says))
    assert storage_message(error).startswith(
        f"La base de données n'a pas pu enregistrer : {reason}"
    )
