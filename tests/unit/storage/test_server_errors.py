"""Errors of the database for the person at the desk, on both engines: classified by
PostgreSQL's SQLSTATE and SQLite's result code, a write conflict run again by the use case,
a desk older than the base refused with the version it needs, the server's timeouts set."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app import __version__
from app.errors import StorageError, WriteConflict
from app.services.base_access.opening import open_app_database
from app.services.unit_of_work import WRITE_ATTEMPTS, writes
from app.storage import Database
from app.storage.database import SCHEMA_WRITER_KEY, storage_message
from app.storage.errors import is_write_conflict, storage_reason
from app.storage.migrate import HEAD_REVISION
from tests.conftest import TODAY
from tests.engines import engines, postgres_database


class _ServerError(Exception):
    def __init__(self, sqlstate: str | None, text: str = "") -> None:
        super().__init__(text)
        self.sqlstate = sqlstate


class _SqliteError(Exception):
    def __init__(self, code: int, text: str = "") -> None:
        super().__init__(text)
        self.sqlite_errorcode = code


def _error(orig: Exception) -> OperationalError:
    return OperationalError("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        ("55P03", "un autre poste tient ces données en ce moment"),
        ("57014", "l'opération a dépassé le temps permis"),
        ("53100", "le disque du serveur est plein"),
        ("28P01", "le serveur a refusé l'identifiant ou le mot de passe"),
        ("3D000", "cette base n'existe pas sur le serveur"),
        ("08006", "le serveur est injoignable (réseau, adresse ou serveur arrêté)"),
        ("XX001", "le serveur a signalé une erreur interne"),
        ("99999", "elle ne répond pas"),
    ],
)
def test_server_errors_are_read_by_their_sqlstate(state: str, reason: str) -> None:
    assert storage_reason(_error(_ServerError(state, "database is locked"))) == reason


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (5, "elle est occupée par un autre poste"),
        (8 | (4 << 8), "elle est en lecture seule"),  # SQLITE_READONLY_DBMOVED
        (13, "le disque est plein"),
        (26, "le fichier est endommagé (restaurez une sauvegarde)"),
        (10 | (3 << 8), "le fichier est introuvable ou illisible"),  # an I/O error
    ],
)
def test_sqlite_errors_are_read_by_their_result_code(code: int, reason: str) -> None:
    assert storage_reason(_error(_SqliteError(code, "anything"))) == reason


def test_a_server_never_reached_is_said_so() -> None:
    refused = _ServerError(None, "connection failed: connection refused\n\tIs the server running?")
    message = storage_message(_error(refused))
    assert "le serveur est injoignable" in message
    assert message.startswith("La base de données n'a pas pu enregistrer")


def test_write_conflicts_are_serialization_failures_deadlocks_and_stale_snapshots() -> None:
    assert is_write_conflict(_error(_ServerError("40001")))
    assert is_write_conflict(_error(_ServerError("40P01")))
    assert is_write_conflict(_error(_SqliteError(517)))  # SQLITE_BUSY_SNAPSHOT
    assert not is_write_conflict(_error(_ServerError("23505")))
    assert not is_write_conflict(_error(_SqliteError(5)))


@pytest.fixture(params=engines())
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "fabrique.sqlite")
        return
    with postgres_database(TODAY, migrated=False) as server_url:
        yield server_url


def test_a_use_case_runs_again_after_a_write_conflict(url: str) -> None:
    database = open_app_database(url, today=TODAY)
    calls: list[int] = []

    @writes
    def save(session: Session, value: str) -> str:
        calls.append(1)
        session.execute(
            text("UPDATE app_setting SET value = :v WHERE key = :k"),
            {"v": value, "k": SCHEMA_WRITER_KEY},
        )
        if len(calls) == 1:
            raise WriteConflict()
        return value

    assert save(database, "réessayé") == "réessayé"
    assert len(calls) == 2

    @writes
    def always_clashing(_session: Session) -> None:
        calls.append(1)
        raise WriteConflict()

    calls.clear()
    with pytest.raises(WriteConflict, match="Un autre poste vient d'enregistrer en même temps"):
        always_clashing(database)
    assert len(calls) == WRITE_ATTEMPTS
    database.dispose()


def test_an_older_desk_refuses_a_newer_base_and_leaves_it_as_it_is(url: str) -> None:
    database = open_app_database(url, today=TODAY)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
        connection.execute(
            text("UPDATE app_setting SET value = '9.4.0' WHERE key = :k"), {"k": SCHEMA_WRITER_KEY}
        )
    database.dispose()
    with pytest.raises(StorageError) as refused:
        open_app_database(url, today=TODAY)
    message = str(refused.value)
    assert "mise à jour par Fabrique Accueil 9.4.0 (schéma 0099)" in message
    assert f"ce poste a la version {__version__}" in message
    assert f"jusqu'à {HEAD_REVISION}" in message
    assert "Installez sur ce poste la version 9.4.0 ou une plus récente" in message
    check = Database(url)
    with check.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "0099"
    check.dispose()


def test_a_migrated_base_says_which_version_migrated_it(url: str) -> None:
    database = open_app_database(url, today=TODAY)
    with database.engine.connect() as connection:
        writer = connection.scalar(
            text("SELECT value FROM app_setting WHERE key = :k"), {"k": SCHEMA_WRITER_KEY}
        )
    assert writer == __version__
    database.dispose()


@pytest.mark.parametrize("engine", [e for e in engines() if e == "postgresql"])
def test_the_server_sessions_have_timeouts_and_writes_are_serializable(engine: str) -> None:
    with postgres_database(TODAY) as server_url:
        database = Database(server_url)
        with database.session() as session:
            assert session.scalar(text("SHOW lock_timeout")) == "10s"
            assert session.scalar(text("SHOW statement_timeout")) == "5min"
            assert session.scalar(text("SHOW transaction_isolation")) == "serializable"
        with database.session(commit=False) as session:
            assert session.scalar(text("SHOW transaction_isolation")) == "repeatable read"
        database.dispose()


@pytest.mark.parametrize("engine", [e for e in engines() if e == "postgresql"])
def test_two_desks_writing_at_once_on_the_server_give_a_write_conflict(engine: str) -> None:
    """Two sessions read the same row, then each writes it: the server keeps one, and the
    other's error becomes a WriteConflict (which `writes` runs again), not a raw error."""
    with postgres_database(TODAY) as server_url:
        first, second = Database(server_url), Database(server_url)
        both_read = threading.Barrier(2)
        outcomes: list[str] = []

        def desk(database: Database, value: str) -> None:
            try:
                with database.session() as session:
                    session.scalar(
                        text("SELECT value FROM app_setting WHERE key = :k"),
                        {"k": SCHEMA_WRITER_KEY},
                    )
                    both_read.wait(timeout=30)
                    session.execute(
                        text("UPDATE app_setting SET value = :v WHERE key = :k"),
                        {"v": value, "k": SCHEMA_WRITER_KEY},
                    )
                outcomes.append("saved")
            except WriteConflict:
                outcomes.append("conflict")

        threads = [
            threading.Thread(target=desk, args=(first, "poste 1")),
            threading.Thread(target=desk, args=(second, "poste 2")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["conflict", "saved"]
        first.dispose()
        second.dispose()
