"""Leave no copy of erased data in the database files: zeroed free space, merged search index,
rebuilt file, empty write-ahead log.

PostgreSQL: a deleted or updated row stays in its table's pages (and in its indexes) as a
dead version; a plain VACUUM only marks that space reusable, the bytes remain until a new row
overwrites them. `clean_files` therefore rewrites the tables the erasure touched with
`VACUUM FULL` (new files for the table, its TOAST table and its indexes; the old files are
removed), outside any transaction, on a connection that waits at most `wait_ms` for the other
desks' locks (VACUUM FULL needs the table to itself while it runs). The server's write-ahead
log and its backups are the administrator's: they keep the old values until they are recycled
or expire (see the README).

In WAL mode the `-wal` file keeps the pages as they were written, erased values included, until
a checkpoint copies them into the base and empties it. A checkpoint cannot pass a reader still
reading an older state of the base (another window or workstation in the middle of a read), so
`clean_files` asks for it (`wal_checkpoint(TRUNCATE)`, which waits for those readers) a few
times, a short while apart, and says whether it got it. SQLite checkpoints and removes the file
anyway when the last connection closes.
"""

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.storage import fulltext
from app.storage.database import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)

ATTEMPTS = 4
WAIT_FOR_READERS_MS = 1000  # each attempt waits this long for other readers to finish
PAUSE_S = 0.25  # between two attempts


def overwrite_deleted_content(session: Session) -> None:
    """From now on, this session's connection zeroes what it deletes or overwrites."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA secure_delete = ON")


def merge_index(session: Session) -> None:
    """Within the session's transaction: merge the search index into one segment, dropping the
    words of the rows deleted or changed so far (see `fulltext.merge_segments`)."""
    fulltext.merge_segments(session.connection())


@dataclass(frozen=True)
class Cleanup:
    """What `clean_files` managed to do."""

    index_merged: bool
    file_rebuilt: bool  # VACUUM (PostgreSQL: VACUUM FULL of the tables): no page keeps an old value
    log_emptied: bool  # the -wal file checkpointed into the base and truncated (PostgreSQL: the
    # server's write-ahead log is not the application's to empty, always True)
    attempts: int = 1

    @property
    def complete(self) -> bool:
        return self.index_merged and self.file_rebuilt and self.log_emptied


def clean_files(
    engine: Engine,
    *,
    merge: bool = True,
    tables: Iterable[str] | None = None,
    attempts: int | None = None,
    wait_ms: int | None = None,
    pause_s: float | None = None,
) -> Cleanup:
    """Merge the search index (unless `merge` is False: already done), VACUUM, then empty the
    write-ahead log; each step is tried `attempts` times (ATTEMPTS), each try waiting up to
    `wait_ms` (WAIT_FOR_READERS_MS) for other connections, `pause_s` (PAUSE_S) apart. Never
    raises for a busy base: the result says what could not be done.

    PostgreSQL: `VACUUM FULL` of `tables` (by default every table of the schema the role
    owns), each tried the same way; other engines: nothing to do."""
    attempts = ATTEMPTS if attempts is None else attempts
    wait_ms = WAIT_FOR_READERS_MS if wait_ms is None else wait_ms
    pause_s = PAUSE_S if pause_s is None else pause_s
    if engine.dialect.name == "postgresql":
        return _rewrite_tables(engine, tables, attempts, wait_ms, pause_s)
    if engine.dialect.name != "sqlite":
        return Cleanup(True, True, True)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait_ms)}")
        try:
            connection.exec_driver_sql("PRAGMA secure_delete = ON")
            merged = (
                not merge or _retried(connection, fulltext.merge_segments, attempts, pause_s)[0]
            )
            rebuilt = _retried(connection, _vacuum, attempts, pause_s)[0]
            emptied, tries = _retried(connection, _checkpoint, attempts, pause_s)
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    result = Cleanup(merged, rebuilt, emptied, tries)
    if not result.complete:
        log.warning("database files not fully cleaned after an erasure: %s", result)
    return result


def rebuild_file(engine: Engine) -> bool:
    """`clean_files` with its defaults; True when nothing is left to clean."""
    return clean_files(engine).complete


def _rewrite_tables(
    engine: Engine, tables: Iterable[str] | None, attempts: int, wait_ms: int, pause_s: float
) -> Cleanup:
    """PostgreSQL: VACUUM FULL of each table (outside a transaction, as VACUUM requires)."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        names = sorted(set(tables)) if tables is not None else _owned_tables(connection)
        connection.exec_driver_sql(f"SET lock_timeout = {int(wait_ms)}")
        rebuilt, most_tries = True, 1
        try:
            for name in names:
                # Once a table could not be had, another desk is busy: one try for the rest.
                tries_left = attempts if rebuilt else 1
                done, tries = _retried(connection, _vacuum_full(name), tries_left, pause_s)
                rebuilt, most_tries = rebuilt and done, max(most_tries, tries)
        finally:
            connection.exec_driver_sql("RESET lock_timeout")
    result = Cleanup(True, rebuilt, True, most_tries)
    if not result.complete:
        log.warning("tables not all rewritten after an erasure: %s", result)
    return result


def _owned_tables(connection: Connection) -> list[str]:
    rows = connection.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tableowner = current_user ORDER BY tablename"
    )
    return [str(name) for (name,) in rows]


def _vacuum_full(table: str) -> Callable[[Connection], bool]:
    quoted = '"' + table.replace('"', '""') + '"'

    def vacuum_full(connection: Connection) -> bool:
        connection.exec_driver_sql(f"VACUUM FULL {quoted}")
        return True

    return vacuum_full


def _vacuum(connection: Connection) -> bool:
    connection.exec_driver_sql("VACUUM")
    return True


def _checkpoint(connection: Connection) -> bool:
    """Copy the whole log into the base and truncate it; False while a reader prevents it."""
    busy, _log_pages, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    return not busy


def _retried(
    connection: Connection, step: Callable[[Connection], object], attempts: int, pause_s: float
) -> tuple[bool, int]:
    """Run `step(connection)` until it succeeds (returns anything but False, raises no busy
    error), at most `attempts` times; (done, tries)."""
    for attempt in range(1, max(attempts, 1) + 1):
        try:
            if step(connection) is not False:
                return True, attempt
        except OperationalError as error:
            log.info("cleanup step %s busy (attempt %d): %s", step.__name__, attempt, error.orig)
        if attempt < attempts:
            time.sleep(pause_s)
    return False, max(attempts, 1)
