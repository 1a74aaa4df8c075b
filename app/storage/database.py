"""Engine and session factory; SQLite pragmas chosen for a front-desk workstation."""

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import StorageError, describe_os_error

BUSY_TIMEOUT_MS = 5000
log = logging.getLogger(__name__)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # WAL keeps readers unblocked while a save is written; synchronous=FULL makes
    # every reported save survive a power cut, at a cost the front desk never notices.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, None for in-memory or other engines."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    rest = url[len(prefix) :].split("?", 1)[0]
    if not rest or rest == ":memory:":
        return None
    return Path(rest)


def storage_message(error: OperationalError) -> str:
    """A French explanation of why the database refused, for the person at the desk."""
    text = str(error.orig).lower()
    if "locked" in text or "busy" in text:
        reason = "elle est occupée par un autre poste"
    elif "readonly" in text or "read-only" in text:
        reason = "elle est en lecture seule"
    elif "disk" in text and "full" in text:
        reason = "le disque est plein"
    elif "unable to open" in text or "no such table" in text or "disk i/o" in text:
        reason = "le fichier est introuvable ou illisible"
    else:
        reason = "elle ne répond pas"
    return (
        f"La base de données n'a pas pu enregistrer : {reason}. "
        "Rien n'a été écrit à moitié, et vos saisies restent à l'écran : réessayez dans un "
        "instant, ou prévenez la coordination si cela se répète."
    )


class Database:
    """One engine per database; sessions are opened per user action by the caller."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

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
        try:
            yield session
            if commit:
                session.commit()
            else:
                session.rollback()
        except OperationalError as error:
            session.rollback()
            log.exception("database unavailable")
            raise StorageError(storage_message(error)) from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(
    url: str,
    *,
    migrate: bool = True,
    before_migration: Callable[[Database], None] | None = None,
) -> Database:
    """Open (creating if missing) and bring the schema to the latest migration.

    `before_migration(database)` runs first when the schema is behind (a backup, say).
    Whatever stops it becomes a StorageError with a French reason.
    """
    from app.storage.migrate import needs_upgrade, upgrade_to_head

    try:
        database = Database(url)
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
        if migrate:
            if before_migration is not None and needs_upgrade(database.engine):
                before_migration(database)
            upgrade_to_head(database.engine)
    except OperationalError as error:
        database.dispose()
        log.exception("database could not be opened")
        raise StorageError(_open_message(database, str(error.orig))) from error
    except DatabaseError as error:
        database.dispose()
        log.exception("database could not be opened")
        raise StorageError(
            f"« {database.display_name} » n'est pas une base Fabrique Accueil lisible "
            "(fichier endommagé ou d'un autre logiciel)."
        ) from error
    return database


def _without_password(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _open_message(database: Database, detail: str) -> str:
    text = detail.lower()
    if "readonly" in text or "read-only" in text:
        reason = "elle est en lecture seule"
    elif "locked" in text or "busy" in text:
        reason = "elle est occupée par un autre poste"
    elif "unable to open" in text:
        reason = "le fichier ne peut pas être ouvert (chemin, dossier ou droits)"
    else:
        reason = "elle ne répond pas"
    return f"Impossible d'ouvrir la base « {database.display_name} » : {reason}."
