"""Backup names carry the workstation; temporary files of killed backups and restores are
removed at the next start; manual copies are rotated after a set number of days (issue 12,
points 8 and 9)."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.config import (
    DEFAULT_MANUAL_BACKUP_DAYS,
    backup_dir,
    manual_backup_days,
    set_manual_backup_days,
    settings_file,
)
from app.services.base_access.opening import automatic_backup, open_app_database
from app.storage import Database, backup
from app.storage.backup import (
    KEPT_MANUAL_DAYS,
    BackupReason,
    backup_database,
    list_backups,
    parse_backup_name,
    prune_backups,
    remove_debris,
    restore_database,
    sanitise_workstation,
    workstation_name,
)

NOW = datetime(2026, 11, 29, 8, 12)
posix_only = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and process ids")
ROOT = Path(__file__).resolve().parents[3]


def url(path: Path) -> str:
    return "sqlite:///" + str(path)


def touch(folder: Path, name: str, *, age: timedelta = timedelta(0)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"SQLite format 3\x00")
    moment = time.time() - age.total_seconds()
    os.utime(path, (moment, moment))
    return path


def copy_name(when: datetime, reason: str, workstation: str | None, base: str = "fabrique") -> str:
    at = f"@{workstation}" if workstation else ""
    return f"{base}{at}-{when:%Y-%m-%d_%H%M}-{reason}.sqlite"


def dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("PC-Accueil.cobalt.local", "pc-accueil-cobalt-local"),
        ("Élise’s MacBook", "elise-s-macbook"),
        ("poste_2", "poste-2"),
        ("", "poste"),
        ("---", "poste"),
        ("x" * 80, "x" * 40),
    ],
)
def test_the_workstation_name_is_the_host_name_made_safe(
    host: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup.socket, "gethostname", lambda: host)
    assert workstation_name() == expected
    assert sanitise_workstation(host) == expected


def test_names_carry_the_workstation_and_old_names_are_still_read(tmp_path: Path) -> None:
    new = parse_backup_name(tmp_path / "ma-base@pc-2026-2026-11-29_0812-manuelle-3.sqlite")
    assert new is not None
    assert (new.base, new.workstation, new.taken_at) == ("ma-base", "pc-2026", NOW)
    assert new.reason is BackupReason.MANUAL
    old = parse_backup_name(tmp_path / "ma-base-2026-11-29_0812-demarrage.sqlite")
    assert old is not None and (old.base, old.workstation) == ("ma-base", None)
    assert parse_backup_name(tmp_path / "notes@pc-2026-11-29.sqlite") is None


def test_two_workstations_backing_up_into_one_folder_in_the_same_minute(
    db: Database, tmp_path: Path
) -> None:
    shared = tmp_path / "partage"
    first = backup_database(db.url, shared, reason="demarrage", now=NOW, workstation="accueil")
    second = backup_database(db.url, shared, reason="demarrage", now=NOW, workstation="Salle B")
    assert first.name == "fabrique@accueil-2026-11-29_0812-demarrage.sqlite"
    assert second.name == "fabrique@salle-b-2026-11-29_0812-demarrage.sqlite"
    assert {b.workstation for b in list_backups(shared, "fabrique")} == {"accueil", "salle-b"}


def test_rotation_never_touches_another_workstations_copies(tmp_path: Path) -> None:
    shared = tmp_path / "partage"
    theirs = [
        touch(shared, copy_name(NOW - timedelta(days=days), "fermeture", "salle-b"))
        for days in (40, 50, 60)
    ]
    ours = [
        touch(shared, copy_name(NOW - timedelta(days=days), "fermeture", "accueil"))
        for days in (40, 50, 60)
    ]
    removed = prune_backups(shared, NOW, workstation="accueil")
    assert sorted(removed) == sorted(ours[1:])  # the newest is always kept
    assert all(path.exists() for path in theirs)
    assert sorted(prune_backups(shared, NOW, workstation="salle-b")) == sorted(theirs[1:])


def test_the_start_rotation_only_touches_this_base(db: Database, db_path: Path) -> None:
    folder = backup_dir()
    here = workstation_name()
    other_base = [
        touch(folder, copy_name(NOW - timedelta(days=days), "fermeture", here, base="autre"))
        for days in (40, 50)
    ]
    old_own = touch(folder, copy_name(NOW - timedelta(days=50), "fermeture", here))
    assert automatic_backup(db.url, BackupReason.START, now=NOW) is not None
    assert all(path.exists() for path in other_base)
    assert not old_own.exists()


# ---------------------------------------------------------------- manual copies


def test_manual_copies_are_kept_the_set_number_of_days(folder: Path) -> None:
    here = "accueil"
    older = touch(folder, copy_name(NOW - timedelta(days=11), "manuelle", here))
    recent = touch(folder, copy_name(NOW - timedelta(days=9), "manuelle", here))
    newest = touch(folder, copy_name(NOW - timedelta(days=1), "fermeture", here))
    assert prune_backups(folder, NOW, workstation=here, manual_days=10) == [older]
    assert recent.exists() and newest.exists()


def test_the_newest_copy_is_kept_even_if_manual_and_old(folder: Path) -> None:
    only = touch(folder, copy_name(NOW - timedelta(days=400), "manuelle", "accueil"))
    assert prune_backups(folder, NOW, workstation="accueil", manual_days=1) == []
    assert only.exists()


def test_the_retention_setting_drives_the_rotation(db: Database) -> None:
    folder = backup_dir()
    here = workstation_name()
    manual = touch(folder, copy_name(NOW - timedelta(days=20), "manuelle", here))
    assert manual_backup_days() == DEFAULT_MANUAL_BACKUP_DAYS == KEPT_MANUAL_DAYS == 90
    automatic_backup(db.url, BackupReason.START, now=NOW)
    assert manual.exists()
    set_manual_backup_days(14)
    assert json.loads(settings_file().read_text(encoding="utf-8"))["manual_backup_days"] == 14
    automatic_backup(db.url, BackupReason.START, now=NOW + timedelta(minutes=1))
    assert not manual.exists()


def test_a_broken_retention_setting_falls_back_to_the_default() -> None:
    settings_file().write_text('{"manual_backup_days": "toujours"}', encoding="utf-8")
    assert manual_backup_days() == DEFAULT_MANUAL_BACKUP_DAYS
    settings_file().write_text('{"manual_backup_days": 0}', encoding="utf-8")
    assert manual_backup_days() == DEFAULT_MANUAL_BACKUP_DAYS
    with pytest.raises(ValueError):
        set_manual_backup_days(0)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "sauvegardes"


# ---------------------------------------------------------------- leftovers


def start_again(database: Path) -> None:
    """The next start of the application, in a new process (it opens the base)."""
    script = (
        "from app.services.base_access.opening import open_app_database\n"
        f"open_app_database({url(database)!r}).dispose()\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, timeout=120)


def kill_midway(script: str, ready: Path) -> int:
    """Run `script` in a child process, SIGKILL it once it wrote `ready`; its pid."""
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT)
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert child.poll() is None, "the child ended before it was killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    return child.pid


def debris(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@posix_only
def test_a_killed_backup_leaves_nothing_after_the_next_start_and_blocks_nothing(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    folder = backup_dir()
    ready = tmp_path / "ready"
    pid = kill_midway(
        f"""
        import time
        from datetime import datetime
        from pathlib import Path
        from app.storage import backup

        def hang(path):  # the copy is written, not yet renamed: killed here
            Path({str(ready)!r}).write_text("ready")
            time.sleep(600)

        backup.fsync_file = hang
        backup.backup_database({db.url!r}, Path({str(folder)!r}), reason="manuelle",
                               now=datetime(2026, 11, 29, 8, 12))
        """,
        ready,
    )
    [partial] = debris(folder)
    here = workstation_name()
    assert partial == f".fabrique@{here}-2026-11-29_0812-manuelle.sqlite.{pid}.partial"
    journal = touch(folder, partial + "-journal")  # what SQLite leaves when killed mid-write

    # Another copy in the same minute is not blocked by the leftover.
    second = backup_database(db.url, folder, reason="manuelle", now=NOW)
    assert second.name == f"fabrique@{here}-2026-11-29_0812-manuelle-2.sqlite"

    db.dispose()
    start_again(db_path)
    assert debris(folder) == []
    assert not journal.exists() and second.exists()


@posix_only
def test_a_killed_restore_leaves_no_copy_of_the_data_after_the_next_start(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    copy = backup_database(db.url, tmp_path / "cle", reason="manuelle", now=NOW)
    ready = tmp_path / "ready"
    pid = kill_midway(
        f"""
        import time
        from pathlib import Path
        from app.storage import backup

        def hang(staging, *, shown_as, key):  # checked, not yet migrated: killed here
            Path({str(ready)!r}).write_text("ready")
            time.sleep(600)

        backup._migrate = hang
        backup.restore_database(Path({str(copy)!r}), Path({str(db_path)!r}),
                                backup_folder=Path({str(tmp_path / "b")!r}))
        """,
        ready,
    )
    here = workstation_name()
    staging = f".fabrique.sqlite.{here}.{pid}.restauration.partial"
    assert debris(db_path.parent) == [staging]
    assert (db_path.parent / staging).stat().st_size > 0  # a whole copy of the data

    db.dispose()
    start_again(db_path)
    assert debris(db_path.parent) == []


def test_at_start_only_this_workstations_finished_leftovers_of_this_base_go(
    db_path: Path, folder: Path
) -> None:
    here = workstation_name()
    gone = dead_pid()
    old = timedelta(minutes=5)
    place = db_path.parent
    removed = [
        touch(place, f".fabrique.sqlite.{here}.{gone}.restauration.partial", age=old),
        touch(place, f".fabrique.sqlite.{here}.{gone}.restauration.partial-wal", age=old),
        touch(place, ".fabrique.sqlite.restauration.partial", age=old),  # earlier versions
        touch(folder, f".{copy_name(NOW, 'demarrage', here)}.{gone}.partial", age=old),
        touch(folder, f".{copy_name(NOW, 'demarrage', here)}.{gone}.partial-journal", age=old),
    ]
    kept = [
        # another workstation's, a running process's, one newer than this process, another base's
        touch(place, f".fabrique.sqlite.salle-b.{gone}.restauration.partial", age=old),
        touch(place, f".fabrique.sqlite.{here}.{os.getppid()}.restauration.partial", age=old),
        touch(place, f".fabrique.sqlite.{here}.{gone}1.restauration.partial"),
        touch(place, f".autre.sqlite.{here}.{gone}.restauration.partial", age=old),
        touch(folder, f".{copy_name(NOW, 'demarrage', 'salle-b')}.{gone}.partial", age=old),
        touch(folder, f".{copy_name(NOW, 'demarrage', here, 'autre')}.{gone}.partial", age=old),
    ]
    started = time.time() - 60
    assert sorted(remove_debris(db_path, folder, started=started)) == sorted(removed)
    assert all(path.exists() for path in kept)


def test_the_rotation_removes_any_day_old_leftover_and_its_journal(folder: Path) -> None:
    stale = timedelta(days=2)
    leftovers = [
        touch(folder, ".fabrique-2026-11-01_0800-demarrage.sqlite.partial-journal", age=stale),
        touch(folder, f".{copy_name(NOW, 'demarrage', 'salle-b')}.77.partial-journal", age=stale),
    ]
    fresh = touch(folder, f".{copy_name(NOW, 'demarrage', 'salle-b')}.78.partial")
    removed = prune_backups(folder, datetime.now(), workstation="accueil")
    assert sorted(removed) == sorted(leftovers)
    assert fresh.exists()


def test_a_failed_backup_leaves_no_temporary_file(
    db: Database, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(_path: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "fsync_file", fail)
    with pytest.raises(Exception, match="disque plein"):
        backup_database(db.url, folder, reason="manuelle", now=NOW)
    assert list(folder.iterdir()) == []


def test_a_failed_restore_leaves_no_staging_file(
    db: Database, db_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = backup_database(db.url, folder, reason="manuelle", now=NOW)
    seen: list[str] = []

    def interrupted(staging: Path, *, shown_as: Path, key: bytes | None) -> None:
        seen.append(staging.name)
        raise KeyboardInterrupt

    monkeypatch.setattr(backup, "_migrate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        restore_database(copy, db_path, backup_folder=folder)
    assert seen == [f".fabrique.sqlite.{workstation_name()}.{os.getpid()}.restauration.partial"]
    assert debris(db_path.parent) == []


def test_opening_the_base_removes_the_leftovers(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    leftover = touch(
        db_path.parent,
        f".fabrique.sqlite.{workstation_name()}.{dead_pid()}.restauration.partial",
    )
    monkeypatch.setattr(backup, "PROCESS_STARTED", time.time() + 1)  # as if started later
    open_app_database(url(db_path)).dispose()
    assert not leftover.exists()
