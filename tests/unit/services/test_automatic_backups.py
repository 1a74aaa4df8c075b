"""Automatic backups when the database opens, and the backup folder setting."""

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from alembic import command

from app.config import (
    backup_dir,
    data_dir,
    read_settings,
    set_backup_dir,
    settings_file,
    write_setting,
)
from app.services.base_access import keys as base_keys
from app.services.base_access.opening import automatic_backup, open_app_database
from app.storage import cipher, open_database
from app.storage.backup import BackupReason, list_backups
from app.storage.migrate import alembic_config, head_revision
from tests.encrypted import raw_connect


def url(path: Path) -> str:
    return "sqlite:///" + str(path)


def reasons(folder: Path) -> list[str]:
    return [backup.reason.value for backup in list_backups(folder)]


# ---------------------------------------------------------------- the folder setting


def test_backups_go_to_the_data_folder_by_default() -> None:
    assert backup_dir() == data_dir() / "sauvegardes"
    assert not backup_dir().exists()  # created by the first backup, not by asking


def test_a_chosen_folder_is_remembered_with_the_other_settings(tmp_path: Path) -> None:
    write_setting("autre_reglage", 15)
    set_backup_dir(tmp_path / "cle")
    assert backup_dir() == (tmp_path / "cle").resolve()
    assert json.loads(settings_file().read_text(encoding="utf-8")) == {
        "autre_reglage": 15,
        "backup_dir": str((tmp_path / "cle").resolve()),
    }
    set_backup_dir(None)
    assert backup_dir() == data_dir() / "sauvegardes"
    assert read_settings() == {"autre_reglage": 15}


def test_the_environment_variable_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    set_backup_dir(tmp_path / "cle")
    monkeypatch.setenv("FABRIQUE_BACKUP_DIR", str(tmp_path / "impose"))
    assert backup_dir() == tmp_path / "impose"


def test_an_unreadable_settings_file_gives_the_default() -> None:
    settings_file().write_text("{pas du json", encoding="utf-8")
    assert backup_dir() == data_dir() / "sauvegardes"


# ---------------------------------------------------------------- when the base opens


def test_a_new_base_is_not_backed_up(tmp_path: Path) -> None:
    open_app_database(url(tmp_path / "neuve.sqlite")).dispose()
    assert reasons(backup_dir()) == []


def test_opening_the_base_makes_no_start_copy(tmp_path: Path) -> None:
    """The command line never does; the window asks for one, off the UI thread
    (tests/gui/test_maintenance.py)."""
    path = tmp_path / "fabrique.sqlite"
    open_app_database(url(path)).dispose()
    open_app_database(url(path)).dispose()
    assert reasons(backup_dir()) == []
    assert automatic_backup(url(path), BackupReason.START)
    assert reasons(backup_dir()) == ["demarrage"]


def base_at_revision_0001(path: Path, *, encrypted: bool) -> None:
    """A base left at the first revision: encrypted as this version makes them (an open
    slot), or plain as versions before encryption made them."""
    path.touch()
    key = base_keys.access_without_password(path, new_base=True) if encrypted else None
    database = open_database(url(path), migrate=False, key=key)
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    database.dispose()


def revisions(path: Path) -> list[tuple[str]]:
    connection = raw_connect(path)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchall()
    finally:
        connection.close()


def test_a_base_behind_the_schema_is_copied_before_it_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "fabrique.sqlite"
    base_at_revision_0001(path, encrypted=True)
    database = open_app_database(url(path))
    database.dispose()
    [copy] = list_backups(backup_dir())
    assert copy.reason is BackupReason.MIGRATION
    assert not cipher.is_plain_sqlite(copy.path)
    assert revisions(copy.path) == [("0001",)]
    assert revisions(path) == [(head_revision(),)]


def test_a_plain_base_behind_the_schema_is_copied_before_it_is_migrated_then_encrypted(
    tmp_path: Path,
) -> None:
    path = tmp_path / "fabrique.sqlite"
    base_at_revision_0001(path, encrypted=False)
    database = open_app_database(url(path))
    database.dispose()
    copies = {copy.reason: copy for copy in list_backups(backup_dir())}
    assert set(copies) == {BackupReason.MIGRATION, BackupReason.BEFORE_ENCRYPTION}
    migration, encryption = copies[BackupReason.MIGRATION], copies[BackupReason.BEFORE_ENCRYPTION]
    assert cipher.is_plain_sqlite(migration.path)
    assert revisions(migration.path) == [("0001",)]
    assert cipher.is_plain_sqlite(encryption.path)
    assert revisions(encryption.path) == [(head_revision(),)]
    assert not cipher.is_plain_sqlite(path)
    assert revisions(path) == [(head_revision(),)]


def test_a_failed_backup_never_stops_the_start(tmp_path: Path) -> None:
    set_backup_dir(tmp_path / "CLE-USB-debranchee" / "sauvegardes")
    messages: list[str] = []
    path = tmp_path / "fabrique.sqlite"
    open_app_database(url(path)).dispose()
    assert automatic_backup(url(path), BackupReason.START, messages.append) is None
    assert len(messages) == 1
    assert messages[0].startswith("Sauvegarde automatique (au démarrage) non faite : ")
    assert "introuvable" in messages[0]


def test_other_engines_are_left_to_their_administrator() -> None:
    messages: list[str] = []
    copy = automatic_backup("postgresql+psycopg://h/fabrique", BackupReason.QUIT, messages.append)
    assert copy is None and messages == []


def test_automatic_copies_are_rotated(tmp_path: Path) -> None:
    """Two starts a day for 40 days: the last 10 starts, and one copy a day for 30 days."""
    path = tmp_path / "fabrique.sqlite"
    open_app_database(url(path)).dispose()
    first = datetime(2026, 10, 1)
    moments = [first + timedelta(days=day, hours=h) for day in range(40) for h in (8, 14)]
    for moment in moments:
        assert automatic_backup(url(path), BackupReason.START, now=moment)
    kept = [backup.taken_at for backup in list_backups(backup_dir())]
    assert kept[:10] == moments[::-1][:10]
    assert sorted(kept[10:]) == [first + timedelta(days=day, hours=14) for day in range(10, 35)]


def test_throwaway_demo_bases_are_not_backed_up() -> None:
    demo = data_dir() / "demo" / "demo-20261129-081200.sqlite"
    open_app_database(url(demo)).dispose()
    assert automatic_backup(url(demo), BackupReason.START) is None
    assert automatic_backup(url(demo), BackupReason.QUIT) is None
    assert reasons(backup_dir()) == []
