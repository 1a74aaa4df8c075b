"""Erasure on PostgreSQL leaves no copy in the tables (issue 17): a deleted or updated row stays
in its table's pages as a dead version, which a plain VACUUM does not overwrite; the tables the
erasure touched are rewritten (VACUUM FULL: new files, the old ones removed) after its commit.
Another desk holding a table keeps it from being rewritten: the report says so, the next
cleaning does it.

These tests exist only when FABRIQUE_TEST_DB names a server (tests/engines.py)."""

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import NullPool

from app.services.rgpd import person_data as rgpd
from app.services.rgpd.links import table_of
from app.services.rgpd.personal_tables import deleted_tables
from app.storage import Database, scrub
from tests.conftest import make_actor
from tests.engines import on_a_server
from tests.unit.storage.test_postgresql_schema import add_person


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scrub, "WAIT_FOR_READERS_MS", 200)
    monkeypatch.setattr(scrub, "PAUSE_S", 0.05)


def files_of(connection: Connection, tables: list[str]) -> dict[str, int]:
    """Each table's file number: a new one when the table was rewritten."""
    rows = connection.execute(
        text("SELECT relname, relfilenode FROM pg_class WHERE relname = ANY(:t)"),
        {"t": tables},
    )
    return {str(name): int(node) for name, node in rows}


def touched_tables() -> list[str]:
    return [table_of(model).name for model in deleted_tables()] + ["audit_entry"]


def erase(db: Database, person: int) -> rgpd.ErasureReport:
    return rgpd.erase(db, person, actor=make_actor("coordination", "Claire"), reason="consentement")


@on_a_server
def test_erasure_rewrites_the_tables_it_touched(engine: str, server_db: Database) -> None:
    person = add_person(server_db)
    tables = touched_tables()
    with server_db.engine.connect() as connection:
        before = files_of(connection, [*tables, "site"])
    assert "candidate" in before and "audit_entry" in before

    report = erase(server_db, person)

    assert report.files_cleaned and report.complete
    assert report.details() is None
    with server_db.engine.connect() as connection:
        after = files_of(connection, [*tables, "site"])
        assert not connection.scalar(
            text("SELECT count(*) FROM candidate WHERE name_key LIKE '%qzxwvkjbyh%'")
        )
    rewritten = {table for table in tables if after[table] != before[table]}
    assert rewritten == set(tables)
    assert after["site"] == before["site"]  # not touched by the erasure: left alone


@on_a_server
def test_another_desk_holding_a_table_is_reported_then_the_next_cleaning_rewrites_it(
    engine: str, server_db: Database
) -> None:
    person = add_person(server_db)
    other_desk = create_engine(server_db.url, poolclass=NullPool)
    with server_db.engine.connect() as connection:
        before = files_of(connection, ["candidate"])
    reader = other_desk.connect()
    try:
        transaction = reader.begin()
        reader.execute(text("SELECT count(*) FROM candidate")).one()  # holds the table

        report = erase(server_db, person)

        assert not report.files_cleaned
        details = report.details()
        assert details is not None and "n'a pas pu être compacté (base occupée)" in details
        transaction.rollback()
    finally:
        reader.close()
        other_desk.dispose()
    with server_db.engine.connect() as connection:
        assert files_of(connection, ["candidate"]) == before
        assert not connection.scalar(
            text("SELECT count(*) FROM candidate WHERE id = :id"), {"id": person}
        )

    assert scrub.rebuild_file(server_db.engine)

    with server_db.engine.connect() as connection:
        assert files_of(connection, ["candidate"]) != before
