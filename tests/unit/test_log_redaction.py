"""The log file: no SQL parameters nor personal values, readable by its owner only (issue 12.8).

A "database is locked" error used to write the INSERT's values (name, birth date, phone,
address) into a log file of mode 0644.
"""

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from app import logs
from app.errors import StorageError
from app.services.base_access.opening import open_app_database
from app.services.candidates import records as candidates
from app.storage import cipher
from app.storage import database as storage
from tests.conftest import TODAY, make_actor
from tests.encrypted import raw_connect
from tests.unit.properties.worlds import COORDINATION, NOW, candidate_input

# Values no log may hold, as typed and as stored.
LAST_NAME, FIRST_NAME = "Zacharie-Lambert", "Ombeline"
PHONE, PHONE_STORED = "06 71 82 93 04", "+33671829304"
EMAIL = "ombeline.zl@exemple.fr"
ADDRESS = "17 impasse des Glycines"
BIRTH = "15/03/1995"
PERSONAL = [LAST_NAME, FIRST_NAME, PHONE, PHONE_STORED, "671829304", EMAIL, "Glycines", "1995"]


def log_folder() -> Path:
    return Path(os.environ["FABRIQUE_LOG_DIR"])


def log_file() -> Path:
    return log_folder() / logs.LOG_FILE_NAME


@pytest.fixture
def installed() -> Iterator[logging.Handler]:
    """setup_logging() on the test's log folder; the session's handlers put back afterwards."""
    root = logging.getLogger()
    kept = [h for h in root.handlers if isinstance(h, logging.FileHandler)]
    level = root.level
    for handler in kept:
        root.removeHandler(handler)
    logs.setup_logging()
    added = [h for h in root.handlers if isinstance(h, logs.PrivateRotatingFileHandler)]
    assert len(added) == 1
    yield added[0]
    root.removeHandler(added[0])
    added[0].close()
    for handler in kept:
        root.addHandler(handler)
    root.setLevel(level)


def written(handler: logging.Handler) -> str:
    handler.flush()
    return log_file().read_text(encoding="utf-8")


def assert_no_personal_value(content: str) -> None:
    for value in PERSONAL:
        assert value not in content, value


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def locked_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A migrated base whose write lock another connection holds (waits cut to 50 ms)."""
    monkeypatch.setattr(storage, "BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "verrouillee.sqlite"
    open_app_database("sqlite:///" + str(path), today=TODAY).dispose()
    holder = raw_connect(path, timeout=0.05, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield path
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def person() -> candidates.CandidateInput:
    return candidate_input(
        nom=LAST_NAME,
        prenom=FIRST_NAME,
        telephone=PHONE,
        email=EMAIL,
        adresse=ADDRESS,
        date_naissance=BIRTH,
    )


# ---------------------------------------------------------------- no personal value


def test_locked_base_during_a_candidate_insert_logs_no_personal_value(
    installed: logging.Handler, locked_base: Path
) -> None:
    database = storage.Database("sqlite:///" + str(locked_base))
    try:
        with pytest.raises(StorageError), database.session() as session:
            candidates.create_candidate(
                session, person(), actor=make_actor(COORDINATION, "accueil"), now=NOW
            )
    finally:
        database.dispose()
    content = written(installed)
    assert "database is locked" in content  # the traceback is there, for the maintainer
    # A save takes the write lock before anything else: refused there, its first statement.
    assert "[SQL: BEGIN IMMEDIATE]" in content
    assert_no_personal_value(content)


def test_database_errors_never_show_the_bound_values(locked_base: Path) -> None:
    database = storage.Database("sqlite:///" + str(locked_base))
    try:
        with pytest.raises(StorageError) as raised, database.session() as session:
            candidates.create_candidate(
                session, person(), actor=make_actor(COORDINATION, "accueil"), now=NOW
            )
    finally:
        database.dispose()
    cause = raised.value.__cause__
    assert isinstance(cause, OperationalError)
    assert "database is locked" in str(cause)
    assert_no_personal_value(str(cause))


def test_parameters_of_an_engine_that_shows_them_are_removed_from_the_log(
    installed: logging.Handler, locked_base: Path
) -> None:
    engine = create_engine(  # an engine of its own, which shows the values (no hide_parameters)
        "sqlite://",
        module=cipher.driver(),
        creator=lambda: raw_connect(locked_base, timeout=0.05),
    )
    try:
        with pytest.raises(OperationalError) as raised, engine.begin() as connection:
            connection.execute(
                text("INSERT INTO app_setting (key, value) VALUES (:key, :value)"),
                {"key": LAST_NAME, "value": f"{FIRST_NAME} {PHONE} {EMAIL} {ADDRESS} {BIRTH}"},
            )
    finally:
        engine.dispose()
    assert LAST_NAME in str(raised.value)  # SQLAlchemy's own text holds them
    logging.getLogger("app.test").error("save failed: %s", raised.value, exc_info=raised.value)
    content = written(installed)
    assert logs.PARAMETERS_HIDDEN in content
    assert "database is locked" in content
    assert_no_personal_value(content)


def test_emails_and_phones_in_messages_and_tracebacks_are_masked(
    installed: logging.Handler,
) -> None:
    log = logging.getLogger("app.test")
    log.warning("reply sent to %s (%s)", EMAIL, PHONE)
    try:
        raise ValueError(f"no answer at {PHONE_STORED} nor 06.71.82.93.04 nor {EMAIL}")
    except ValueError:
        log.exception("reminder failed")
    log.info("backup %s written", "fabrique@pc-accueil-2026-11-28_1042-manuelle.sqlite")
    content = written(installed)
    assert content.count(logs.EMAIL_HIDDEN) == 2  # in the message and in the traceback
    assert content.count(logs.PHONE_HIDDEN) >= 3  # the traceback also quotes the source line
    assert "ValueError: no answer at" in content
    assert "fabrique@pc-accueil-2026-11-28_1042-manuelle.sqlite" in content
    assert_no_personal_value(content)
    assert "06.71.82.93.04" not in content


def test_url_passwords_are_masked() -> None:
    assert logs.redact("postgresql+psycopg://fabrique:Secr3t!@serveur/base") == (
        "postgresql+psycopg://fabrique:***@serveur/base"
    )


# ---------------------------------------------------------------- owner only


def test_new_log_file_and_folder_are_owner_only_whatever_the_umask() -> None:
    previous = os.umask(0)
    try:
        root = logging.getLogger()
        kept = [h for h in root.handlers if isinstance(h, logging.FileHandler)]
        for handler in kept:
            root.removeHandler(handler)
        try:
            logs.setup_logging()
            added = [h for h in root.handlers if isinstance(h, logs.PrivateRotatingFileHandler)]
            logging.getLogger("app.test").warning("started")
            for handler in added:
                root.removeHandler(handler)
                handler.close()
        finally:
            for handler in kept:
                root.addHandler(handler)
    finally:
        os.umask(previous)
    assert mode(log_folder()) == 0o700
    assert mode(log_file()) == 0o600


def test_existing_wider_modes_are_narrowed_at_start() -> None:
    folder = log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    log_file().write_text("ancien\n", encoding="utf-8")
    log_file().chmod(0o644)
    rotated = Path(f"{log_file()}.1")
    rotated.write_text("plus ancien\n", encoding="utf-8")
    rotated.chmod(0o666)

    handler = logs.PrivateRotatingFileHandler(log_file())
    handler.close()

    assert mode(folder) == 0o755  # the handler alone does not own the folder...
    logs._private_folder(folder)  # ...setup_logging narrows it (see the test above)
    assert (mode(folder), mode(log_file()), mode(rotated)) == (0o700, 0o600, 0o600)
    assert log_file().read_text(encoding="utf-8") == "ancien\n"  # appended to, never replaced


def test_rotated_files_stay_owner_only(installed: logging.Handler) -> None:
    assert isinstance(installed, logs.PrivateRotatingFileHandler)
    installed.maxBytes = 200
    previous = os.umask(0)
    try:
        for index in range(12):
            logging.getLogger("app.test").warning("line %d %s", index, "x" * 40)
    finally:
        os.umask(previous)
    files = sorted(log_folder().glob(logs.LOG_FILE_NAME + "*"))
    assert len(files) >= 3
    assert {mode(path) for path in files} == {0o600}
