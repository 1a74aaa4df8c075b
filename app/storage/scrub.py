"""Leave no copy of erased data in the database file: zeroed free space, rebuilt file, empty
write-ahead log. SQLite only; other engines manage their own storage."""

import logging

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.storage import fulltext

log = logging.getLogger(__name__)


def overwrite_deleted_content(session: Session) -> None:
    """From now on, this session's connection zeroes what it deletes or overwrites."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA secure_delete = ON")


def rebuild_file(engine: Engine) -> bool:
    """VACUUM then empty the write-ahead log, so no page of the file keeps erased values.

    False when another connection (another workstation) holds the database: the copies then
    disappear at the next successful rebuild or as pages are reused.
    """
    if engine.dialect.name != "sqlite":
        return True
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("PRAGMA secure_delete = ON")
            fulltext.merge_segments(connection)
            connection.exec_driver_sql("VACUUM")
            busy, _log_pages, _done = connection.exec_driver_sql(
                "PRAGMA wal_checkpoint(TRUNCATE)"
            ).one()
    except OperationalError:
        log.warning("database file not rebuilt after an erasure", exc_info=True)
        return False
    return not busy
