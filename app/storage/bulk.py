"""Writing many rows at once (a large import): the write lock taken first, then multi-row
INSERT statements.

On SQLite each statement carries as many rows as its parameters allow, sent through the
driver: SQLAlchemy's own many-row insert costs more than the writing itself at 100 000 rows,
and one statement per row would also flush the word index (`candidate_fts`, filled by a
trigger) once per row. The values go through each column's own type first, so the stored
text of a date or a time is the one the ORM stores. Other engines take SQLAlchemy's
many-row insert.
"""

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Column, Connection, Table, insert
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


def insert_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Row],
    *,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert `rows` (values in the order of `columns`); return the `returning` columns of
    each inserted row, in no particular order."""
    if not rows:
        return []
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return _insert_with_sqlalchemy(connection, table, columns, rows, returning)
    processors = _processors([table.c[name] for name in columns], connection.dialect)
    per_statement = max(1, connection.dialect.insertmanyvalues_max_parameters // len(columns))
    one_row = "(" + ", ".join("?" * len(columns)) + ")"
    head = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
    tail = f" RETURNING {', '.join(returning)}" if returning else ""
    inserted: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), per_statement):
        page = rows[start : start + per_statement]
        parameters = [
            value if convert is None else convert(value)
            for row in page
            for value, convert in zip(row, processors, strict=True)
        ]
        statement = head + ", ".join([one_row] * len(page)) + tail
        result = connection.exec_driver_sql(statement, tuple(parameters))
        if returning:
            inserted.extend(tuple(found) for found in result)
    return inserted


def _processors(columns: list[Column[Any]], dialect: Dialect) -> list[Callable[[Any], Any] | None]:
    return [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]


def _insert_with_sqlalchemy(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Row],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    parameters = [dict(zip(columns, row, strict=True)) for row in rows]
    if not returning:
        connection.execute(insert(table), parameters)
        return []
    statement = insert(table).returning(*(table.c[name] for name in returning))
    return [tuple(found) for found in connection.execute(statement, parameters)]
