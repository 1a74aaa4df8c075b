"""The schema on PostgreSQL (issue 17): the migrations run with an ordinary owner role, with or
without the right to create extensions; the journal is append-only there too (PL/pgSQL
triggers of migration 0015), the redaction an erasure makes excepted.

These tests exist only when FABRIQUE_TEST_DB names a server (tests/engines.py)."""

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from app.domain import AuditEntry
from app.services.candidates.records import (
    CandidateInput,
    create_candidate,
    get_candidate,
    update_candidate,
)
from app.services.journal.audit_log import verify_journal
from app.services.rgpd import person_data as rgpd
from app.storage import Database
from app.storage.migrate import (
    HEAD_REVISION,
    alembic_config,
    current_revision,
    downgrade_to,
    upgrade_to_head,
)
from tests.conftest import TODAY, make_actor
from tests.engines import on_a_server, postgres_database

JOURNAL_TRIGGERS = {
    ("audit_entry_no_update", "audit_entry"),
    ("audit_entry_no_delete", "audit_entry"),
    ("app_setting_journal_no_update", "app_setting"),
    ("app_setting_journal_no_delete", "app_setting"),
}
TRIGRAM_INDEX = "ix_candidate_search_trigram"


def upgrade_to(engine: Engine, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def journal_triggers(connection: Connection) -> set[tuple[str, str]]:
    rows = connection.execute(
        text(
            "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relname IN ('audit_entry', 'app_setting')"
        )
    )
    return {(str(name), str(table)) for name, table in rows}


def has_index(connection: Connection, name: str) -> bool:
    return bool(
        connection.scalar(text("SELECT count(*) FROM pg_indexes WHERE indexname = :n"), {"n": name})
    )


def has_trigram_extension(connection: Connection) -> bool:
    return bool(
        connection.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"))
    )


@pytest.fixture
def empty_server_base() -> Iterator[Engine]:
    """An empty database of the server, owned by the test role (no superuser)."""
    with postgres_database(TODAY, migrated=False) as url:
        engine = create_engine(url, poolclass=NullPool)
        yield engine
        engine.dispose()


# ---------------------------------------------------------------- migrations by the owner role


@on_a_server
def test_an_ordinary_owner_role_migrates_an_empty_base_from_zero_to_head(
    engine: str, empty_server_base: Engine
) -> None:
    with empty_server_base.connect() as connection:
        assert (
            connection.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
            is False
        )
        assert connection.scalar(
            text("SELECT has_database_privilege(current_database(), 'CREATE')")
        )

    upgrade_to(empty_server_base, "0008")
    with empty_server_base.connect() as connection:
        # pg_trgm is a trusted extension: the owner of the base may create it.
        assert has_trigram_extension(connection)
        assert has_index(connection, TRIGRAM_INDEX)

    upgrade_to_head(empty_server_base)
    assert current_revision(empty_server_base) == HEAD_REVISION
    with empty_server_base.connect() as connection:
        assert journal_triggers(connection) == JOURNAL_TRIGGERS


@on_a_server
def test_a_role_refused_extensions_migrates_without_the_trigram_index(
    engine: str, empty_server_base: Engine
) -> None:
    with empty_server_base.begin() as connection:
        database = connection.scalar(text("SELECT current_database()"))
        connection.execute(text(f'REVOKE CREATE ON DATABASE "{database}" FROM current_user'))
    with empty_server_base.connect() as connection:
        assert not connection.scalar(
            text("SELECT has_database_privilege(current_database(), 'CREATE')")
        )
        with pytest.raises(DBAPIError, match="permission denied to create extension"):
            connection.execute(text("CREATE EXTENSION pg_trgm"))

    upgrade_to(empty_server_base, "0008")
    with empty_server_base.connect() as connection:
        assert not has_trigram_extension(connection)
        assert not has_index(connection, TRIGRAM_INDEX)
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "0008"

    upgrade_to_head(empty_server_base)
    assert current_revision(empty_server_base) == HEAD_REVISION
    with empty_server_base.connect() as connection:
        assert journal_triggers(connection) == JOURNAL_TRIGGERS


@on_a_server
def test_the_downgrade_of_0015_removes_the_triggers_and_their_functions(
    engine: str, empty_server_base: Engine
) -> None:
    upgrade_to_head(empty_server_base)
    downgrade_to(empty_server_base, "0014")
    with empty_server_base.connect() as connection:
        assert journal_triggers(connection) == set()
        functions = connection.scalar(
            text("SELECT count(*) FROM pg_proc WHERE proname = ANY(:names)"),
            {"names": [name for name, _table in JOURNAL_TRIGGERS]},
        )
        assert functions == 0
    upgrade_to_head(empty_server_base)
    with empty_server_base.connect() as connection:
        assert journal_triggers(connection) == JOURNAL_TRIGGERS


# ---------------------------------------------------------------- the journal append-only


# Unusual enough to be found only where this person's data is.
NAME = "Qzxwvkjbyh"


def add_person(db: Database) -> int:
    """A person created, then changed: the journal holds the change's values."""
    actor = make_actor("coordination", "Nadia")
    with db.session() as session:
        person = create_candidate(
            session,
            CandidateInput(
                nom=NAME,
                prenom="Zoé",
                email="zoe@exemple.fr",
                saison="2026-2027",
                site="cobalt",
            ),
            actor=actor,
        ).id
    with db.session() as session:
        file = get_candidate(session, person, actor=actor)
        update_candidate(
            session,
            person,
            replace(file.values, commune="Vouzailles-les-Tilleuls"),
            expected_version=file.version,
            actor=actor,
        )
    return person


def entry_with_changes(connection: Connection) -> int:
    entry = connection.scalar(
        select(AuditEntry.id).where(AuditEntry.changes.is_not(None)).order_by(AuditEntry.id)
    )
    assert entry is not None
    return int(entry)


@on_a_server
@pytest.mark.parametrize(
    "change",
    [
        "summary = 'réécrit'",
        "author = 'quelqu''un d''autre'",
        "changes = '{}'",
        "redacted = true",  # the values kept: not a redaction
        "changes = NULL, redacted = true, summary = 'réécrit'",  # a redaction and more
        "changes = NULL, redacted = true, chain = NULL",
    ],
)
def test_an_entry_of_the_journal_cannot_be_changed(
    engine: str, change: str, server_db: Database
) -> None:
    add_person(server_db)
    with server_db.engine.connect() as connection:
        entry = entry_with_changes(connection)
        with pytest.raises(DBAPIError, match="audit_entry is append-only"):
            connection.execute(
                text(f"UPDATE audit_entry SET {change} WHERE id = :id"), {"id": entry}
            )


@on_a_server
def test_an_entry_of_the_journal_cannot_be_deleted(engine: str, server_db: Database) -> None:
    add_person(server_db)
    with server_db.engine.connect() as connection:
        entry = entry_with_changes(connection)
        with pytest.raises(DBAPIError, match="audit_entry is append-only"):
            connection.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": entry})
    with server_db.engine.connect() as connection:
        with pytest.raises(DBAPIError, match="audit_entry is append-only"):
            connection.execute(text("DELETE FROM audit_entry"))
        connection.rollback()
        assert connection.scalar(
            text("SELECT count(*) FROM audit_entry WHERE id = :id"), {"id": entry}
        )


@on_a_server
def test_a_redaction_alone_is_accepted(engine: str, server_db: Database) -> None:
    add_person(server_db)
    with server_db.engine.begin() as connection:
        entry = entry_with_changes(connection)
        connection.execute(
            text("UPDATE audit_entry SET changes = NULL, redacted = true WHERE id = :id"),
            {"id": entry},
        )
    with server_db.engine.connect() as connection:
        row = connection.execute(
            text("SELECT changes, redacted FROM audit_entry WHERE id = :id"), {"id": entry}
        ).one()
    assert row.changes is None and row.redacted is True


@on_a_server
def test_erasing_a_person_redacts_the_journal_through_the_triggers(
    engine: str, server_db: Database
) -> None:
    person = add_person(server_db)
    with server_db.session(commit=False) as session:
        uuid = session.scalar(text("SELECT uuid FROM candidate WHERE id = :id"), {"id": person})

    report = rgpd.erase(
        server_db, person, actor=make_actor("coordination", "Claire"), reason="consentement"
    )

    assert report.applications == 1
    with server_db.engine.connect() as connection:
        about = connection.execute(
            select(AuditEntry.changes, AuditEntry.redacted, AuditEntry.action).where(
                AuditEntry.candidate_uuid == uuid
            )
        ).all()
        assert about and all(entry.changes is None for entry in about)
        assert any(entry.redacted for entry in about)
        assert "vouzailles" not in " ".join(str(list(e)) for e in about).lower()
        verdict = verify_journal(connection)
    assert verdict.ok, verdict.detail


@on_a_server
@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM app_setting WHERE key = 'journal_key'",
        "DELETE FROM app_setting WHERE key = 'journal_head'",
        "DELETE FROM app_setting",
        "UPDATE app_setting SET value = 'ab' || value WHERE key = 'journal_key'",
        "UPDATE app_setting SET key = 'journal_key_old' WHERE key = 'journal_key'",
        "UPDATE app_setting SET key = 'journal_head_old' WHERE key = 'journal_head'",
    ],
)
def test_the_journal_settings_are_kept(engine: str, statement: str, server_db: Database) -> None:
    add_person(server_db)
    with (
        server_db.engine.connect() as connection,
        pytest.raises(DBAPIError, match="the journal settings are kept"),
    ):
        connection.execute(text(statement))


@on_a_server
def test_the_journal_head_moves_and_other_settings_change_freely(
    engine: str, server_db: Database
) -> None:
    with server_db.engine.begin() as connection:
        connection.execute(
            text("UPDATE app_setting SET value = 'x' || value WHERE key = 'journal_head'")
        )
        connection.execute(
            text("INSERT INTO app_setting (uuid, key, value) VALUES ('u-test', 'essai', '1')")
        )
        connection.execute(text("UPDATE app_setting SET value = '2' WHERE key = 'essai'"))
        connection.execute(text("DELETE FROM app_setting WHERE key = 'essai'"))
        head = connection.scalar(text("SELECT value FROM app_setting WHERE key = 'journal_head'"))
    assert str(head).startswith("x")
