"""Writing many rows at once (a large import): the write lock taken first, then multi-row
INSERT statements.

On SQLite each statement carries as many rows as its parameters allow, sent through the
driver: SQLAlchemy's own many-row insert costs more than the writing itself at 100 000 rows,
and one statement per row would also flush the word index (`candidate_fts`, filled by a
trigger) once per row. The values go through each column's own type first, so the stored
text of a date or a time is the one the ORM stores. Other engines take SQLAlchemy's
many-row insert.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

Row = Sequence[Any]


def begin_writing(session: Session, table: Table) -> None:
    """Take the write lock now, so that what the writing reads next (to check that nothing
    changed since a preview) stays true until it commits.

    SQLite: the transaction starts with BEGIN IMMEDIATE (it waits for another writer as any
    save does, then fails with the usual "occupée par un autre poste"); the driver otherwise
    starts it only at the first write. PostgreSQL: `table` is locked against other writers
    (they still read). A session that already wrote holds its lock already.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        driver_connection = connection.connection.dbapi_connection
        if driver_connection is not None and not driver_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"LOCK TABLE {table.name} IN SHARE ROW EXCLUSIVE MODE")


class Inserter:
    """Inserts rows of `table`, their values in the order of `columns`.

    `convert` (values to what the driver takes) touches no connection: another thread may
    run it while this one writes the previous rows.
    """

    def __init__(self, dialect: Dialect, table: Table, columns: Sequence[str]) -> None:
        self.table = table
        self.columns = tuple(columns)
        self.direct = dialect.name == "sqlite"
        processors = (
            (position, table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
            for position, name in enumerate(self.columns)
        )
        self._processors = [(p, _Remembered(f)) for p, f in processors if f is not None]
        self._per_statement = max(1, dialect.insertmanyvalues_max_parameters // len(columns))
        self._one_row = "(" + ", ".join("?" * len(self.columns)) + ")"

    def convert(self, rows: Sequence[Row]) -> list[Sequence[Any]]:
        """The rows as the driver takes them: on SQLite, one flat sequence of values per
        statement to send."""
        if not self.direct:
            return [list(row) for row in rows]
        processors = self._processors
        pages: list[Sequence[Any]] = []
        for start in range(0, len(rows), self._per_statement):
            flat: list[Any] = []
            for row in rows[start : start + self._per_statement]:
                values = list(row)
                for position, process in processors:
                    value = values[position]
                    if value is not None:
                        values[position] = process(value)
                flat += values
            pages.append(flat)
        return pages

    def insert(self, session: Session, converted: list[Sequence[Any]]) -> None:
        """Insert rows `convert` returned."""
        if not converted:
            return
        if not self.direct:
            parameters = [dict(zip(self.columns, row, strict=True)) for row in converted]
            session.connection().execute(insert(self.table), parameters)
            return
        connection = session.connection()
        for flat in converted:
            connection.exec_driver_sql(self._statement(len(flat)), tuple(flat))

    def _statement(self, values: int) -> str:
        rows = values // len(self.columns)
        head = f"INSERT INTO {self.table.name} ({', '.join(self.columns)}) VALUES "
        return head + ", ".join([self._one_row] * rows)

    def insert_numbered(self, session: Session, converted: list[Sequence[Any]]) -> list[int]:
        """Insert rows `convert` returned; their new ids (integer keys), in the rows' order.

        SQLite gives a new row the key after the largest one (no AUTOINCREMENT here), and the
        rows of one statement in their order, under the write lock this writing holds: the
        keys of a statement's rows are the ones before its last, read back without RETURNING
        (reading each row's key back costs as much as writing it)."""
        if not self.direct:
            return self._numbered_with_sqlalchemy(session, converted)
        connection = session.connection()
        ids: list[int] = []
        for flat in converted:
            count = len(flat) // len(self.columns)
            connection.exec_driver_sql(self._statement(len(flat)), tuple(flat))
            last = int(connection.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
            ids.extend(range(last - count + 1, last + 1))
        return ids

    def _numbered_with_sqlalchemy(self, session: Session, rows: list[Sequence[Any]]) -> list[int]:
        parameters = [dict(zip(self.columns, row, strict=True)) for row in rows]
        key = self.table.primary_key.columns.values()[0]
        statement = insert(self.table).returning(key, sort_by_parameter_order=True)
        return [int(found) for found in session.connection().scalars(statement, parameters)]


class _Remembered:
    """A column type's conversion, which keeps its last answer: rows written together share
    their time of writing."""

    __slots__ = ("_last", "_last_value", "_process")

    def __init__(self, process: Callable[[Any], Any]) -> None:
        self._process = process
        self._last: Any = None
        self._last_value: Any = object()

    def __call__(self, value: Any) -> Any:
        if value is not self._last_value:
            self._last = self._process(value)
            self._last_value = value
        return self._last


@contextmanager
def page_cache(session: Session, mebibytes: int) -> Iterator[None]:
    """A larger page cache for the connection while a large writing runs (SQLite): the pages of
    the indexes it fills stay in memory instead of being encrypted and written out again and
    again; the connection's own size comes back after."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{mebibytes * 1024}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or 0)}")
