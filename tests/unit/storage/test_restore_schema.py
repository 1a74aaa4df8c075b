"""Restore verifies the copy's schema against the migrations, opens it hardened and stops any
check that lasts too long; a valid copy of another page size is restored (issue 12, 4/5/9).

Copies are encrypted with the base's key (issue 12.2): a tampered copy is crafted with that key
(`tests.encrypted.raw_connect`, through the copy's own key file), so that the restore reaches
the schema check; a plain copy (made before encryption) is checked the same way."""

import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from app.errors import StorageError
from app.storage import Database, backup, cipher
from app.storage.backup import backup_database, restore_database, verify_backup
from app.storage.migrate import head_revision
from app.storage.untrusted import (
    migrated_schema,
    normalise_sql,
    open_untrusted,
    read_schema,
)
from tests.encrypted import base_key, raw_connect

NOW = datetime(2026, 11, 29, 8, 12)


def site_label(path: Path) -> str:
    connection = raw_connect(path)
    try:
        return str(connection.execute("SELECT name FROM site WHERE code = 'cobalt'").fetchone()[0])
    finally:
        connection.close()


def set_site_label(database: Database, name: str) -> None:
    with database.session() as session:
        session.execute(text("UPDATE site SET name = :name WHERE code = 'cobalt'"), {"name": name})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "sauvegardes"


@pytest.fixture
def copy(db: Database, folder: Path) -> Path:
    """A genuine copy holding "Version A"; the live base then moves on to "Version B"."""
    set_site_label(db, "Version A")
    made = backup_database(db.url, folder, reason="manuelle", now=NOW)
    set_site_label(db, "Version B")
    return made


@pytest.fixture
def plain_copy(copy: Path, tmp_path: Path) -> Path:
    """The same copy as a plain SQLite file, as a base made before encryption was backed up
    (outside the backup folder, without a key file)."""
    plain = tmp_path / "avant-chiffrement.sqlite"
    cipher.export_encrypted(copy, base_key(copy), plain, None)
    assert cipher.is_plain_sqlite(plain)
    return plain


def tamper(path: Path, *statements: str) -> None:
    """What someone with the file, its key and the sqlite3 shell can do to it."""
    connection = raw_connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = OFF")
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


def refused(copy: Path, db_path: Path, folder: Path) -> str:
    """Restore `copy` over the live base: refused, the base and the folder as they were."""
    before = sorted(folder.iterdir())
    with pytest.raises(StorageError) as refusal:
        restore_database(copy, db_path, backup_folder=folder)
    message = str(refusal.value)
    assert "la base actuelle est intacte" in message
    assert site_label(db_path) == "Version B"
    assert sorted(folder.iterdir()) == before
    assert not [p for p in db_path.parent.iterdir() if p.name.startswith(".")]
    return message


PROMOTE_ALL = """
    CREATE TRIGGER promote_all AFTER UPDATE OF last_sign_in ON user_account
    BEGIN UPDATE user_account SET role = 'coordination'; END
"""


def test_a_genuine_copy_passes_and_is_restored(
    copy: Path, db: Database, db_path: Path, folder: Path
) -> None:
    assert verify_backup(copy, key=base_key(copy)) == head_revision()
    restore_database(copy, db_path, backup_folder=folder)
    assert site_label(db_path) == "Version A"


def test_a_trigger_promoting_every_account_is_refused(
    copy: Path, db_path: Path, folder: Path
) -> None:
    tamper(copy, PROMOTE_ALL)
    message = refused(copy, db_path, folder)
    assert message.startswith(
        "La copie contient un déclencheur inconnu « promote_all » : restauration refusée."
    )
    assert f"La sauvegarde « {copy} » a été modifiée en dehors de l'application" in message


def test_a_dropped_table_is_refused(copy: Path, db_path: Path, folder: Path) -> None:
    tamper(copy, "DROP TABLE candidate_anonymisation")
    message = refused(copy, db_path, folder)
    assert message.startswith("Il manque à la copie la table « candidate_anonymisation »")


def test_an_extra_view_and_an_extra_index_are_refused(
    copy: Path, db_path: Path, folder: Path
) -> None:
    tamper(
        copy,
        "CREATE VIEW rqth_people AS SELECT last_name, first_name FROM candidate WHERE rqth = 1",
        "CREATE INDEX ix_spy ON candidate (rqth)",
    )
    message = refused(copy, db_path, folder)
    assert message.startswith(
        "La copie contient une vue inconnue « rqth_people » ; la copie contient un index "
        "inconnu « ix_spy » : restauration refusée."
    )


def test_disabled_journal_triggers_are_refused(copy: Path, db_path: Path, folder: Path) -> None:
    tamper(copy, "DROP TRIGGER audit_entry_no_update", "DROP TRIGGER audit_entry_no_delete")
    message = refused(copy, db_path, folder)
    assert message.startswith(
        "Il manque à la copie le déclencheur « audit_entry_no_delete » ; il manque à la copie "
        "le déclencheur « audit_entry_no_update » : restauration refusée."
    )


def test_a_journal_trigger_rewritten_to_let_everything_through_is_refused(
    copy: Path, db_path: Path, folder: Path
) -> None:
    tamper(
        copy,
        "DROP TRIGGER audit_entry_no_delete",
        "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry WHEN 0 "
        "BEGIN SELECT RAISE(ABORT, 'non'); END",
    )
    message = refused(copy, db_path, folder)
    assert message.startswith(
        "La copie contient un déclencheur « audit_entry_no_delete » différent de celui de "
        "l'application : restauration refusée."
    )


RECURSIVE_VERSION = """
    CREATE VIEW alembic_version AS
    WITH RECURSIVE forever(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM forever)
    SELECT '{revision}' AS version_num FROM forever WHERE n < 0
"""


def recursive_version(copy: Path) -> None:
    tamper(
        copy,
        "DROP TABLE alembic_version",
        RECURSIVE_VERSION.format(revision=head_revision()),
    )


def test_a_recursive_alembic_version_view_is_refused_within_seconds(
    copy: Path, db_path: Path, folder: Path
) -> None:
    recursive_version(copy)
    started = time.monotonic()
    message = refused(copy, db_path, folder)
    assert time.monotonic() - started < 10
    assert message.startswith(
        "La copie contient une vue « alembic_version » à la place de la table attendue : "
        "restauration refusée."
    )


def within(seconds: float, work: Callable[[], None]) -> list[BaseException]:
    """Run `work`; fail the test (rather than hang it) if it has not ended in time."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # handed to the test
            errors.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    return errors


def test_every_check_has_a_time_limit_even_if_the_schema_check_missed_the_view(
    copy: Path, db_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: with a schema comparison fooled into expecting the view, reading the
    revision runs the endless query, and the time limit stops it."""
    recursive_version(copy)
    with open_untrusted(copy, base_key(copy)) as opened:
        tampered = read_schema(opened)
    monkeypatch.setattr(backup, "migrated_schema", lambda _revision: tampered)
    monkeypatch.setattr(backup, "QUICK_CHECK_SECONDS", 0.5)
    errors = within(20, lambda: restore_database(copy, db_path, backup_folder=folder))
    [error] = errors
    assert isinstance(error, StorageError)
    assert "a été arrêtée au bout de 0.5 secondes" in str(error)
    assert "la base actuelle est intacte" in str(error)
    assert site_label(db_path) == "Version B"


def test_the_integrity_check_has_a_time_limit_too(
    copy: Path, db_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "LONG_CHECK_SECONDS", 1e-6)
    message = refused(copy, db_path, folder)
    assert "a été arrêtée au bout de 1e-06 secondes" in message


def test_the_copy_is_read_hardened(copy: Path) -> None:
    with open_untrusted(copy, base_key(copy)) as opened:
        assert opened.query("PRAGMA trusted_schema") == [(0,)]
        assert opened.query("PRAGMA query_only") == [(1,)]
        assert opened.query("PRAGMA cell_size_check") == [(1,)]
        with pytest.raises(cipher.driver().OperationalError):
            opened.query("UPDATE site SET name = 'x'")
    assert site_label(copy) == "Version A"


def test_sql_is_compared_without_spacing_case_or_quotes() -> None:
    assert normalise_sql('CREATE TABLE "site" (\n\t"key" VARCHAR(40) ,  x INT )') == (
        normalise_sql("create table site(key varchar(40), x int)")
    )
    assert normalise_sql("CHECK (kind = 'A')") != normalise_sql("CHECK (kind = 'a')")


def test_the_migrated_schema_is_built_once_per_revision(copy: Path) -> None:
    verify_backup(copy, key=base_key(copy))
    before = migrated_schema.cache_info()
    verify_backup(copy, key=base_key(copy))
    after = migrated_schema.cache_info()
    assert after.misses == before.misses and after.hits > before.hits


def test_a_copy_with_another_page_size_is_restored(
    plain_copy: Path, db: Database, db_path: Path, folder: Path
) -> None:
    """An encrypted base always has SQLCipher's page size; a plain copy (made before
    encryption, or by another SQLite) may have another one, and is re-encrypted on restore."""
    tamper(plain_copy, "PRAGMA page_size = 8192", "VACUUM")
    assert raw_connect(plain_copy).execute("PRAGMA page_size").fetchone() == (8192,)
    kept = restore_database(plain_copy, db_path, backup_folder=folder)
    assert kept is not None and site_label(kept) == "Version B"
    assert site_label(db_path) == "Version A"
    with db.session(commit=False) as session:  # the open application reads the restored base
        label = session.execute(text("SELECT name FROM site WHERE code = 'cobalt'")).scalar()
    assert label == "Version A"
    check = raw_connect(db_path)
    try:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        check.close()


def test_a_genuine_plain_copy_is_restored_encrypted_with_the_base_key(
    plain_copy: Path, db: Database, db_path: Path, folder: Path
) -> None:
    key = base_key(db_path)
    assert verify_backup(plain_copy) == head_revision()
    restore_database(plain_copy, db_path, backup_folder=folder)
    assert not cipher.is_plain_sqlite(db_path)
    assert cipher.opens_with(db_path, key)
    assert site_label(db_path) == "Version A"


def test_a_plain_copy_tampered_with_the_sqlite3_shell_is_refused(
    plain_copy: Path, db_path: Path, folder: Path
) -> None:
    tamper(plain_copy, PROMOTE_ALL)
    message = refused(plain_copy, db_path, folder)
    assert message.startswith(
        "La copie contient un déclencheur inconnu « promote_all » : restauration refusée."
    )
