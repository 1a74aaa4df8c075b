"""Shared fixtures: headless Qt, a fresh migrated database per test, isolated user folders."""

import atexit
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app.services.accounts import management as accounts
from app.services.actor import _SIGNED_IN, Actor
from app.services.base_access.opening import open_app_database
from app.storage import Database
from tests.engines import drop_template

TODAY = date(2026, 11, 28)


def pytest_sessionfinish() -> None:
    """Each test process drops the PostgreSQL template it made (tests/engines.py)."""
    drop_template()


# New password hashes cost scrypt N = 2^17 (0.4 s each): the tests, which make accounts
# by the hundred, hash at TEST_SCRYPT_N instead. A test that needs the real cost sets
# accounts.SCRYPT_N back to PRODUCTION_SCRYPT_N (test_accounts.py checks that it is >= 2^17).
PRODUCTION_SCRYPT_N = accounts.SCRYPT_N
TEST_SCRYPT_N = 2**10


def make_actor(role: str, username: str | None = None, display_name: str | None = None) -> Actor:
    """An actor of `role`, as if `username` had signed in in the window (its journal and
    history name); without a name, the role's. Tests only: it passes the sign-in token of
    app/services/actor.py, which application code gets from a sign-in."""
    name = username if username is not None else role
    return Actor(name, display_name or name, role, token=_SIGNED_IN)


@pytest.fixture(autouse=True)
def isolated_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the real user's data, logs or settings."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("FABRIQUE_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("FABRIQUE_LOG_DIR", str(home / "logs"))
    monkeypatch.setenv("FABRIQUE_SETTINGS_DIR", str(home / "settings"))
    monkeypatch.delenv("FABRIQUE_DB", raising=False)
    monkeypatch.delenv("FABRIQUE_BACKUP_DIR", raising=False)  # backups go under data


@pytest.fixture(autouse=True)
def close_log_handlers() -> Iterator[None]:
    """`main` adds a log file handler to the root logger; close it after each test."""
    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "SCRYPT_N", TEST_SCRYPT_N)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "fabrique.sqlite"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = new_sqlite_base(db_path)
    yield database
    database.dispose()


_sqlite_template: list[Path] = []


def new_sqlite_base(path: Path, today: date = TODAY) -> Database:
    """A new base at `path`, as the application makes one: a copy of a base this test process
    made once (migrating a new file takes a quarter of a second; a copy, a millisecond). The
    copy takes its key file along (`<base>.cles`): each base has its own name, not its own
    key."""
    if not _sqlite_template:
        folder = Path(tempfile.mkdtemp(prefix="fabrique-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = folder / "fabrique.sqlite"
        open_app_database("sqlite:///" + str(template), today=TODAY).dispose()
        _sqlite_template.append(template)
    template = _sqlite_template[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    for companion in (template, *template.parent.glob(template.name + ".*")):
        shutil.copyfile(companion, path.parent / companion.name.replace(template.name, path.name))
    return open_app_database("sqlite:///" + str(path), today=today)
