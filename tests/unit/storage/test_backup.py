"""Backups with the SQLite backup API, their rotation, restoring one, and file permissions."""

import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from app.errors import StorageError
from app.services.base_access.opening import open_app_database
from app.storage import Database, cipher, open_database
from app.storage.backup import (
    BackupReason,
    backup_database,
    describe_backup_file,
    list_backups,
    parse_backup_name,
    prune_backups,
    restore_database,
    workstation_name,
)
from app.storage.migrate import alembic_config, current_revision, head_revision
from tests.encrypted import base_key, raw_connect

NOW = datetime(2026, 11, 29, 8, 12)
posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def url(path: Path) -> str:
    return "sqlite:///" + str(path)


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    connection = raw_connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def set_organisation_name(database: Database, name: str) -> None:
    """Any visible change will do: the site's label is in every database."""
    with database.session() as session:
        session.execute(text("UPDATE site SET name = :name WHERE code = 'cobalt'"), {"name": name})


def site_label(path: Path) -> str:
    return str(rows(path, "SELECT name FROM site WHERE code = 'cobalt'")[0][0])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "sauvegardes"


# ---------------------------------------------------------------- taking a copy


def test_copy_is_named_after_the_base_the_time_and_the_reason(
    db: Database, db_path: Path, folder: Path
) -> None:
    copy = backup_database(db.url, folder, reason="demarrage", now=NOW)
    here = workstation_name()
    assert copy == folder / f"fabrique@{here}-2026-11-29_0812-demarrage.sqlite"
    second = backup_database(db.url, folder, reason=BackupReason.START, now=NOW)
    assert second.name == f"fabrique@{here}-2026-11-29_0812-demarrage-2.sqlite"
    parsed = parse_backup_name(second)
    assert parsed is not None and parsed.taken_at == NOW and parsed.base == "fabrique"
    assert parsed.workstation == here
    assert describe_backup_file(copy) == "du 29/11/2026 à 08:12 (au démarrage)"


def test_copy_is_one_whole_file_holding_what_is_still_in_the_wal(
    db: Database, db_path: Path, folder: Path
) -> None:
    set_organisation_name(db, "Cobalt (copie)")
    assert Path(str(db_path) + "-wal").exists()  # the change may not be in the main file yet
    copy = backup_database(db_path, folder, reason="manuelle", now=NOW)
    assert site_label(copy) == "Cobalt (copie)"
    assert rows(copy, "PRAGMA journal_mode") == [("delete",)]
    assert rows(copy, "PRAGMA integrity_check") == [("ok",)]
    assert sorted(p.name for p in folder.iterdir()) == [copy.name, copy.name + ".cles"]


def test_copy_taken_while_another_connection_writes_is_consistent(tmp_path: Path) -> None:
    """Each transaction writes +1 and -1: any consistent snapshot sums to zero.

    The writer goes through the same SQLite library as the copy (SQLCipher's, here on a
    plain file): two copies of SQLite in one process do not see each other's file locks,
    and the stdlib's writing the WAL under SQLCipher's reader crashed the process."""
    source = tmp_path / "live.sqlite"
    setup = cipher.connect(source, None)
    setup.execute("PRAGMA journal_mode = WAL")
    setup.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL)")
    setup.commit()
    setup.close()
    stop = threading.Event()
    written = [0]

    def write() -> None:
        connection = cipher.connect(source, None, timeout=5)
        while not stop.is_set():
            with connection:
                connection.execute("INSERT INTO ledger (amount) VALUES (1)")
                connection.execute("INSERT INTO ledger (amount) VALUES (-1)")
            written[0] += 1
        connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        copies = []
        for minute in range(8):
            while written[0] < 20 * (minute + 1):
                stop.wait(0.001)
            copies.append(
                backup_database(
                    source, tmp_path / "b", reason="manuelle", now=NOW.replace(minute=minute)
                )
            )
    finally:
        stop.set()
        writer.join()
    counts = []
    for copy in copies:
        assert rows(copy, "PRAGMA integrity_check") == [("ok",)]
        count, total = rows(copy, "SELECT count(*), coalesce(sum(amount), 0) FROM ledger")[0]
        assert total == 0 and isinstance(count, int) and count % 2 == 0
        counts.append(count)
    assert counts == sorted(counts) and counts[-1] > 0


def test_only_sqlite_bases_are_backed_up(folder: Path) -> None:
    with pytest.raises(StorageError, match="pg_dump"):
        backup_database("postgresql+psycopg://u:secret@host/fabrique", folder, reason="manuelle")
    assert not folder.exists()


def test_a_missing_base_is_refused_in_french(tmp_path: Path, folder: Path) -> None:
    with pytest.raises(StorageError, match="n'existe pas"):
        backup_database(tmp_path / "absent.sqlite", folder, reason="manuelle")
    assert not (tmp_path / "absent.sqlite").exists()


def test_a_folder_on_an_unplugged_usb_key_is_not_created(db: Database, tmp_path: Path) -> None:
    unplugged = tmp_path / "media" / "CLE-USB" / "sauvegardes"
    with pytest.raises(StorageError, match="introuvable"):
        backup_database(db.url, unplugged, reason="manuelle")
    assert not (tmp_path / "media").exists()


# ---------------------------------------------------------------- rotation


def touch_backup(folder: Path, when: datetime, reason: str, base: str = "fabrique") -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{base}-{when:%Y-%m-%d_%H%M}-{reason}.sqlite"
    path.write_bytes(b"")
    return path


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_rotation_over_two_months_of_daily_use(folder: Path) -> None:
    """Two starts and a quit every day for 60 days, pruning after each copy like the app."""
    start = datetime(2026, 9, 1)
    for day in range(60):
        for hour, reason in ((8, "demarrage"), (13, "demarrage"), (18, "fermeture")):
            now = start + timedelta(days=day, hours=hour)
            touch_backup(folder, now, reason)
            prune_backups(folder, now)
    now = start + timedelta(days=59, hours=18)
    kept = list_backups(folder)
    starts = [b for b in kept if b.reason is BackupReason.START]
    assert len(starts) == 10
    assert starts[0].taken_at == start + timedelta(days=59, hours=13)
    # the newest copy of each of the last 30 days (the evening one), nothing older
    days = {b.taken_at.date() for b in kept}
    assert days == {(now - timedelta(days=n)).date() for n in range(30)}
    evenings = [b for b in kept if b.reason is BackupReason.QUIT]
    assert len(evenings) == 30
    assert len(kept) == 30 + 10 - 0  # the 10 starts are in the last 5 days, distinct files


def test_rotation_keeps_recent_manual_copies_and_recent_safety_copies(folder: Path) -> None:
    manual = touch_backup(folder, NOW - timedelta(days=80), "manuelle")
    old_manual = touch_backup(folder, NOW - timedelta(days=200), "manuelle")
    old_migration = touch_backup(folder, NOW - timedelta(days=31), "migration")
    recent_migration = touch_backup(folder, NOW - timedelta(days=29), "migration")
    recent_restore = touch_backup(folder, NOW - timedelta(days=3, hours=2), "avant-restauration")
    same_day_later = touch_backup(folder, NOW - timedelta(days=3), "fermeture")
    other_file = folder / "notes.txt"
    other_file.write_text("à garder")
    other_base = touch_backup(folder, NOW - timedelta(days=90), "fermeture", base="demo")
    removed = prune_backups(folder, NOW)
    assert sorted(removed) == sorted([old_migration, old_manual])
    for path in (manual, recent_migration, recent_restore, same_day_later, other_file, other_base):
        assert path.exists()


def test_rotation_never_removes_the_newest_copy(folder: Path) -> None:
    only = touch_backup(folder, NOW - timedelta(days=365), "fermeture")
    assert prune_backups(folder, NOW) == []
    assert only.exists()


def test_rotation_removes_leftovers_of_an_interrupted_copy(folder: Path) -> None:
    folder.mkdir()
    leftover = folder / ".fabrique-2026-11-01_0800-demarrage.sqlite.partial"
    leftover.write_bytes(b"half")
    os.utime(leftover, (NOW.timestamp() - 3 * 86400,) * 2)
    fresh = folder / ".fabrique-2026-11-29_0812-demarrage.sqlite.partial"
    fresh.write_bytes(b"being written")
    os.utime(fresh, (NOW.timestamp(),) * 2)
    prune_backups(folder, NOW)
    assert names(folder) == {fresh.name}


# ---------------------------------------------------------------- restoring


@pytest.fixture
def backup_of_a(db: Database, db_path: Path, folder: Path) -> Path:
    """A copy holding "Version A"; the live base then moves on to "Version B"."""
    set_organisation_name(db, "Version A")
    copy = backup_database(db.url, folder, reason="manuelle", now=NOW)
    set_organisation_name(db, "Version B")
    return copy


def test_restore_brings_the_copy_back_and_keeps_the_replaced_base(
    db: Database, db_path: Path, folder: Path, backup_of_a: Path
) -> None:
    later = NOW + timedelta(hours=1)
    kept = restore_database(backup_of_a, db_path, backup_folder=folder, now=later)
    assert (
        kept == folder / f"fabrique@{workstation_name()}-2026-11-29_0912-avant-restauration.sqlite"
    )
    assert site_label(kept) == "Version B"
    assert site_label(db_path) == "Version A"
    # the application's open engine reads the restored base
    with db.session(commit=False) as session:
        label = session.execute(text("SELECT name FROM site WHERE code = 'cobalt'")).scalar()
    assert label == "Version A"
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert not [p for p in db_path.parent.iterdir() if p.name.startswith(".")]


def test_restore_into_a_new_place_keeps_nothing(backup_of_a: Path, tmp_path: Path) -> None:
    target = tmp_path / "poste2" / "fabrique.sqlite"
    assert restore_database(backup_of_a, target, backup_folder=tmp_path / "b") is None
    assert site_label(target) == "Version A"
    restored = open_database(url(target), migrate=False, key=base_key(target))
    assert current_revision(restored.engine) == head_revision()
    restored.dispose()


def assert_refused_and_untouched(copy: Path, db_path: Path, folder: Path, match: str) -> None:
    before = set(folder.iterdir()) if folder.exists() else set()
    with pytest.raises(StorageError, match=match) as refusal:
        restore_database(copy, db_path, backup_folder=folder)
    assert "intacte" in str(refusal.value)
    assert site_label(db_path) == "Version B"
    assert (set(folder.iterdir()) if folder.exists() else set()) == before
    assert not [p for p in db_path.parent.iterdir() if p.name.startswith(".")]


def test_restore_refuses_a_damaged_copy(db_path: Path, folder: Path, backup_of_a: Path) -> None:
    data = bytearray(backup_of_a.read_bytes())
    page = 4096
    for offset in range(page + 100, len(data) - page, page):  # leave the header page intact
        data[offset : offset + 200] = os.urandom(200)
    damaged = backup_of_a.with_name("abimee.sqlite")
    damaged.write_bytes(bytes(data))
    shutil.copyfile(f"{backup_of_a}.cles", f"{damaged}.cles")
    assert_refused_and_untouched(damaged, db_path, folder, "endommagée|illisible")


def test_restore_refuses_a_file_that_is_not_a_database(
    db: Database, db_path: Path, folder: Path, tmp_path: Path
) -> None:
    set_organisation_name(db, "Version B")
    text_file = tmp_path / "liste.csv"
    text_file.write_text("nom;prenom\nDupont;Marie\n")
    with pytest.raises(StorageError, match="n'est pas une base SQLite"):
        restore_database(text_file, db_path, backup_folder=folder)
    assert site_label(db_path) == "Version B"


def test_restore_refuses_a_sqlite_file_of_another_program(
    db: Database, db_path: Path, folder: Path, tmp_path: Path
) -> None:
    set_organisation_name(db, "Version B")
    other = tmp_path / "autre.sqlite"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE contacts (nom TEXT)")
    connection.commit()
    connection.close()
    assert_refused_and_untouched(other, db_path, folder, "pas une sauvegarde de Fabrique")


def test_restore_refuses_a_copy_from_a_newer_application(
    db_path: Path, folder: Path, backup_of_a: Path
) -> None:
    connection = raw_connect(backup_of_a)
    connection.execute("UPDATE alembic_version SET version_num = '0099'")
    connection.commit()
    connection.close()
    assert_refused_and_untouched(backup_of_a, db_path, folder, "plus récente")


def test_restore_refuses_a_copy_with_broken_references(
    db_path: Path, folder: Path, backup_of_a: Path
) -> None:
    connection = raw_connect(backup_of_a)
    connection.execute("PRAGMA foreign_keys = OFF")
    connection.execute("INSERT INTO tutor (host_id, name, uuid) VALUES (4242, 'Orphelin', 'u-1')")
    connection.commit()
    connection.close()
    assert_refused_and_untouched(backup_of_a, db_path, folder, "référence")


def test_restore_brings_an_older_copy_to_the_current_schema(
    db: Database, db_path: Path, tmp_path: Path, folder: Path
) -> None:
    old = tmp_path / "ancienne.sqlite"
    engine = open_database(url(old), migrate=False).engine
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    restore_database(old, db_path, backup_folder=folder)
    assert rows(db_path, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert rows(old, "SELECT version_num FROM alembic_version") == [("0001",)]


def test_restore_over_a_damaged_base_keeps_its_bytes(
    backup_of_a: Path, tmp_path: Path, folder: Path
) -> None:
    target = tmp_path / "poste" / "fabrique.sqlite"
    target.parent.mkdir()
    target.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    kept = restore_database(backup_of_a, target, backup_folder=folder)
    assert kept is not None and kept.read_bytes().endswith(b"\xff" * 100)
    assert site_label(target) == "Version A"


def test_the_backup_itself_is_never_the_target(backup_of_a: Path, folder: Path) -> None:
    with pytest.raises(StorageError, match="la base elle-même"):
        restore_database(backup_of_a, backup_of_a, backup_folder=folder)


# ---------------------------------------------------------------- file permissions


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@posix_only
@pytest.mark.usefixtures("open_umask")
def test_new_base_and_its_wal_files_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "neuve.sqlite"
    database = open_app_database(url(path))
    try:
        set_organisation_name(database, "Privé")
        with database.engine.connect():
            for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                assert mode(each) == 0o600, each
    finally:
        database.dispose()


@posix_only
@pytest.mark.usefixtures("open_umask")
def test_backups_and_their_folder_are_readable_by_their_owner_only(
    db: Database, folder: Path, tmp_path: Path
) -> None:
    copy = backup_database(db.url, folder, reason="manuelle", now=NOW)
    assert mode(folder) == 0o700
    assert mode(copy) == 0o600
    kept = restore_database(copy, Path(db.url.removeprefix("sqlite:///")), backup_folder=folder)
    assert kept is not None and mode(kept) == 0o600
    target = tmp_path / "ailleurs" / "fabrique.sqlite"
    restore_database(copy, target, backup_folder=folder)
    assert mode(target) == 0o600
