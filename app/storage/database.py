"""Engine and session factory; SQLite pragmas chosen for a front-desk workstation."""

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DataError,
    IntegrityError,
    NoSuchModuleError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from app import __version__
from app.errors import ConflictError, StorageError, WriteConflict, describe_os_error
from app.storage import cipher
from app.storage.errors import is_write_conflict, storage_reason

BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 65536
log = logging.getLogger(__name__)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # WAL keeps readers unblocked while a save is written; synchronous=FULL makes
    # every reported save survive a power cut, at a cost the front desk never notices.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    # Pages are decrypted as they enter SQLite's cache (SQLCipher): a cache of 64 MiB per
    # connection instead of 2 MiB keeps the pages of a search or of a file decrypted once.
    cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    cursor.close()


def make_engine(
    url: str,
    key: Callable[[], bytes | None] = lambda: None,
    before_connect: Callable[[], None] = lambda: None,
) -> Engine:
    """An engine whose errors never show the bound values (names, phones…): they reach logs.

    SQLite files go through SQLCipher, each connection keyed with `key()` (None: plain) before
    anything reads the file.
    """
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            module=cipher.driver(),
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,
        )

        def keyed_connection(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
            before_connect()  # first: a missing file must not be created again, empty
            return cipher.connect(cargs[0], key(), **cparams)

        event.listen(engine, "do_connect", keyed_connection)
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    return create_engine(
        url, pool_pre_ping=True, hide_parameters=True, connect_args=_server_connect_args(url)
    )


# A desk waiting on another's lock, or a query running away, gets a French refusal instead of
# freezing the window; a transaction left open by a crashed desk releases its locks.
LOCK_TIMEOUT_MS = 10_000
STATEMENT_TIMEOUT_MS = 300_000
IDLE_IN_TRANSACTION_TIMEOUT_MS = 600_000
CONNECT_TIMEOUT_S = 10


def _server_connect_args(url: str) -> dict[str, Any]:
    if not url.startswith("postgresql"):
        return {}
    settings = {
        "lock_timeout": LOCK_TIMEOUT_MS,
        "statement_timeout": STATEMENT_TIMEOUT_MS,
        "idle_in_transaction_session_timeout": IDLE_IN_TRANSACTION_TIMEOUT_MS,
    }
    return {
        "connect_timeout": CONNECT_TIMEOUT_S,
        "application_name": "fabrique-accueil",
        "options": " ".join(f"-c {name}={value}" for name, value in settings.items()),
    }


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, None for in-memory or other engines."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    rest = url[len(prefix) :].split("?", 1)[0]
    if not rest or rest == ":memory:":
        return None
    return Path(rest)


# Errors of the database itself (the environment's fault), as opposed to a bug in a query.
_NOT_STORAGE_ERRORS = (IntegrityError, ProgrammingError, DataError, NotSupportedError)
READ_ONLY_REASON = "elle est en lecture seule"
CONCURRENT_SAVE_MESSAGE = (
    "Ces données ont été modifiées sur un autre poste pendant l'enregistrement : rien n'a été "
    "écrit, et vos saisies restent à l'écran. Rechargez-les avant de recommencer."
)


def storage_message(error: DatabaseError) -> str:
    """A French explanation of why the database refused, for the person at the desk."""
    return refusal_message(storage_reason(error))


def refusal_message(reason: str) -> str:
    return (
        f"La base de données n'a pas pu enregistrer : {reason}. "
        "Rien n'a été écrit à moitié, et vos saisies restent à l'écran : réessayez dans un "
        "instant, ou prévenez la coordination si cela se répète."
    )


def moved_message(path: Path) -> str:
    return (
        f"La base de données a été déplacée ou supprimée : « {path} ». Rien n'a été "
        "enregistré, et vos saisies restent à l'écran : remettez le fichier à sa place, ou "
        "fermez l'application et rouvrez-la sur la base."
    )


class DatabaseFile:
    """The SQLite file a Database was opened on, checked before each save.

    SQLite keeps writing into a file deleted or moved while it is open (the unlinked inode):
    saves would seem to succeed, then vanish. And a file made read-only after it was opened
    stays writable through the connections already open. So before a session commits what
    it wrote, the path must still lead to the same file (device and inode seen at the first
    connection), and that file must still be writable.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity: tuple[int, int] | None = None

    def remember(self) -> None:
        """Note which file the path leads to (first connection, or after a restore)."""
        status = self.path.stat()
        self.identity = (status.st_dev, status.st_ino)

    def on_connect(self, _dbapi_connection: Any, _record: Any) -> None:
        if self.identity is None:
            self.remember()

    def before_connect(self, *_args: Any) -> None:
        """A new connection must not create an empty file where the database was."""
        if self.identity is not None:
            self.check(writing=False)

    def check(self, *, writing: bool = True) -> None:
        """A French StorageError unless the file is still there (and writable, to write)."""
        try:
            status = self.path.stat()
        except FileNotFoundError:
            raise StorageError(moved_message(self.path)) from None
        except OSError as error:
            raise StorageError(
                refusal_message(f"le fichier est inaccessible ({describe_os_error(error)})")
            ) from error
        if self.identity is not None and (status.st_dev, status.st_ino) != self.identity:
            raise StorageError(moved_message(self.path))
        read_only = not status.st_mode & 0o222 or not os.access(self.path, os.W_OK)
        if writing and read_only:
            raise StorageError(refusal_message(READ_ONLY_REASON))


# A session whose commit changed who may unlock the base (accounts, the demo mark) sets this
# in `session.info`; once it is committed and closed, `Database.after_keys_changed` runs.
KEYS_CHANGED = "key_slots_changed"


class Database:
    """One engine per database; sessions are opened per user action by the caller.

    A SQLite base is opened with its data key (`app.storage.cipher`), None for a plain one.
    """

    def __init__(self, url: str, key: bytes | None = None) -> None:
        """`key` None: the key this process already used for that file, if any (a plain base
        otherwise)."""
        self.url = url
        path = sqlite_path(url)
        self.key = key if key is not None or path is None else cipher.known_key(path)
        self.after_keys_changed: Callable[[Database], object] | None = None
        self.file = DatabaseFile(path) if path is not None else None
        self.engine = make_engine(
            url, lambda: self.key, self.file.before_connect if self.file else lambda: None
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if self.file is not None:
            event.listen(self.engine, "connect", self.file.on_connect)
            cipher.remember_key(self.file.path, self.key)

    @property
    def display_name(self) -> str:
        path = sqlite_path(self.url)
        return str(path) if path else self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self, *, commit: bool = True) -> Iterator[Session]:
        """`with db.session() as s:` commits on success, rolls back on any error.

        With `commit=False` the session is always rolled back: for checks that must not write.
        """
        session = self._sessions()
        keys_changed = False
        try:
            if self.engine.dialect.name == "postgresql":
                # Several desks write at once: a save sees the base as if alone (a rule that
                # checks then writes holds), and a clash is a WriteConflict, run again by
                # `unit_of_work.writes`. A read sees one instant of the base throughout.
                level = "SERIALIZABLE" if commit else "REPEATABLE READ"
                session.connection(execution_options={"isolation_level": level})
            elif commit and self.file is not None:
                # SQLite: a save takes the base's write lock before its first read, waiting
                # its turn (busy timeout) while another desk saves, so what it checks is what
                # it writes on (Python's driver would begin only at the first write, leaving
                # every read before it outside the transaction).
                connection = session.connection()
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                raw = connection.connection.dbapi_connection
                session.info[_CHANGES_AT_BEGIN] = getattr(raw, "total_changes", 0)
            yield session
            if commit:
                self._check_file(session)
                session.commit()
                keys_changed = bool(session.info.pop(KEYS_CHANGED, False))
            else:
                session.rollback()
        except StaleDataError as error:
            session.rollback()
            log.warning("concurrent save refused: %s", error)
            raise ConflictError(CONCURRENT_SAVE_MESSAGE) from error
        except DatabaseError as error:
            session.rollback()
            if is_write_conflict(error):
                log.info("write conflict with another desk: %s", error.orig)
                raise WriteConflict() from error
            if isinstance(error, _NOT_STORAGE_ERRORS):
                raise
            log.exception("database unavailable")
            raise StorageError(storage_message(error)) from error
        except StorageError as error:
            session.rollback()
            log.warning("save refused: %s", error)
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        if keys_changed and self.after_keys_changed is not None:
            self.after_keys_changed(self)

    def _check_file(self, session: Session) -> None:
        """Before committing what a session wrote, the SQLite file must be the one opened."""
        if self.file is None:
            return
        session.flush()
        if _has_written(session):
            self.file.check()

    def dispose(self) -> None:
        self.engine.dispose()

    def reencrypt(self, new_key: bytes, before_swap: Callable[[], None]) -> None:
        """Encrypt the whole base under `new_key` (a new file swapped in place of the old).

        `before_swap` runs once the new file is written and before it replaces the old one
        (it writes the slots of the new key beside those of the old, so that whatever stops
        the swap, one of them opens the file that is there). Every pooled connection is
        closed first; the next session reconnects with the new key.
        """
        if self.file is None:
            raise ValueError("only a SQLite file is encrypted")
        path = self.file.path
        staging = path.with_name(f".{path.name}.{os.getpid()}.chiffrement")
        self.engine.dispose()
        try:
            cipher.export_encrypted(path, self.key, staging, new_key)
            if os.name == "posix":
                os.chmod(staging, 0o600)
            before_swap()
            for suffix in ("-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            os.replace(staging, path)
        except cipher.error_types() as error:
            log.exception("re-encryption of the base failed")
            raise StorageError(
                refusal_message("le chiffrement de la base n'a pas pu être écrit")
            ) from error
        except OSError as error:
            raise StorageError(
                refusal_message(f"le chiffrement de la base a échoué ({describe_os_error(error)})")
            ) from error
        finally:
            staging.unlink(missing_ok=True)
        self.key = new_key
        cipher.remember_key(path, new_key)
        self.file.remember()


_CHANGES_AT_BEGIN = "sqlite_total_changes_at_begin"


def _has_written(session: Session) -> bool:
    """Whether the flushed session wrote: rows changed since its BEGIN IMMEDIATE (SQLite's
    count of changed rows, triggers' included)."""
    if not session.in_transaction():
        return False
    raw = session.connection().connection.dbapi_connection
    before = session.info.get(_CHANGES_AT_BEGIN)
    if before is None:
        return bool(getattr(raw, "in_transaction", True))
    return bool(getattr(raw, "total_changes", before + 1) != before)


def open_database(
    url: str,
    *,
    migrate: bool = True,
    before_migration: Callable[[Database], None] | None = None,
    key: bytes | None = None,
) -> Database:
    """Open (creating if missing) and bring the schema to the latest migration.

    `key` is the data key of an encrypted SQLite base (`app.storage.cipher`).

    `before_migration(database)` runs first when the schema is behind (a backup, say).
    Whatever stops it becomes a StorageError with a French reason.
    """
    from app.storage.migrate import needs_upgrade, upgrade_to_head

    try:
        database = Database(url, key)
    except (ArgumentError, NoSuchModuleError, ImportError) as error:
        log.warning("unusable database URL %r: %s", url, error)
        raise StorageError(
            "Adresse de base de données non reconnue ou pilote absent : "
            f"« {_without_password(url)} »."
        ) from error
    except OSError as error:
        raise StorageError(
            f"Impossible de créer la base de données : {describe_os_error(error)}."
        ) from error
    try:
        _refuse_newer_schema(database)
        if migrate and needs_upgrade(database.engine):
            if before_migration is not None:
                before_migration(database)
            upgrade_to_head(database.engine)
            _note_schema_writer(database.engine)
    except StorageError:
        database.dispose()
        raise
    except OperationalError as error:
        database.dispose()
        log.exception("database could not be opened")
        raise StorageError(_open_message(database, error)) from error
    except DatabaseError as error:
        database.dispose()
        log.exception("database could not be opened")
        raise StorageError(
            f"« {database.display_name} » n'est pas une base Fabrique Accueil lisible "
            "(fichier endommagé ou d'un autre logiciel)."
        ) from error
    return database


# Which version of the application last brought the schema up to date (app_setting).
SCHEMA_WRITER_KEY = "schema_written_by"


def known_revisions() -> frozenset[str]:
    """The schema revisions this version knows: its migration files' ids (`0001_….py`)."""
    from app.storage.migrate import MIGRATIONS_DIR

    return frozenset(p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("*.py"))


def _refuse_newer_schema(database: Database) -> None:
    """A desk older than the base must not open it (nor ask Alembic to upgrade from a
    revision it does not know): a French message says which version migrated it."""
    from app.storage.migrate import HEAD_REVISION, current_revision

    revision = current_revision(database.engine)
    if revision is None or revision in known_revisions():
        return
    writer = _schema_writer(database.engine)
    by = f"Fabrique Accueil {writer}" if writer else "une version plus récente de Fabrique Accueil"
    raise StorageError(
        f"La base « {database.display_name} » a été mise à jour par {by} (schéma {revision}) ; "
        f"ce poste a la version {__version__}, qui ne connaît le schéma que jusqu'à "
        f"{HEAD_REVISION}. Installez sur ce poste "
        f"{f'la version {writer} ou une plus récente' if writer else 'la version la plus récente'}"
        " : la base n'a pas été modifiée."
    )


def _schema_writer(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("app_setting"):
            return None
        return connection.scalar(
            text("SELECT value FROM app_setting WHERE key = :key"), {"key": SCHEMA_WRITER_KEY}
        )


def _note_schema_writer(engine: Engine) -> None:
    with engine.begin() as connection:
        updated = connection.execute(
            text("UPDATE app_setting SET value = :value WHERE key = :key"),
            {"key": SCHEMA_WRITER_KEY, "value": __version__},
        )
        if not updated.rowcount:
            connection.execute(
                text("INSERT INTO app_setting (uuid, key, value) VALUES (:uuid, :key, :value)"),
                {"uuid": str(uuid.uuid4()), "key": SCHEMA_WRITER_KEY, "value": __version__},
            )


def _without_password(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _open_message(database: Database, error: DatabaseError) -> str:
    code = getattr(error.orig, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF == 14:  # SQLITE_CANTOPEN
        reason = "le fichier ne peut pas être ouvert (chemin, dossier ou droits)"
    else:
        reason = storage_reason(error)
    return f"Impossible d'ouvrir la base « {database.display_name} » : {reason}."


def scalar_list(session: Session, statement: Select[tuple[int]]) -> list[int]:
    """The one column of a query's rows as a list. On SQLite the rows come straight off the
    driver's cursor: for the 100 000 ids of an unfiltered list, SQLAlchemy's per-row work
    would cost 3 to 4 times the query itself. Parameters must need no conversion (numbers,
    text); others take SQLAlchemy's way."""
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    parameters = [compiled.params[name] for name in compiled.positiontup or ()]
    plain = all(isinstance(value, int | str) for value in parameters)
    if connection.dialect.name != "sqlite" or not plain:
        return list(connection.execute(statement).scalars())
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        return [value for (value,) in cursor.execute(str(compiled), parameters)]
    finally:
        cursor.close()
