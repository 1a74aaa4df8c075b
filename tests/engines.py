"""The engines the tests run on: SQLite always; PostgreSQL when `FABRIQUE_TEST_DB` names a
server's database (`.ci/run` starts a throw-away cluster and sets it: `.ci/postgres.sh`).

Each PostgreSQL test gets a database as the application leaves a new base: a copy of a
template that the test role (an ordinary role allowed to create databases, no superuser)
migrated and seeded once per test process. The services' tests (a thousand of them) share one
such copy per process, put back to the template's rows after each test (`reused_database`):
emptying the tables takes a few hundredths of a second where a copy takes most of one. A test
that changed the schema (a downgrade, a dropped index or trigger) gets a new copy instead.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, make_url, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

SERVER_URL_VARIABLE = "FABRIQUE_TEST_DB"


def server_url() -> str | None:
    return os.environ.get(SERVER_URL_VARIABLE) or None


def engines() -> list[str]:
    """The engines of a parametrised fixture: `sqlite`, and `postgresql` when a server is
    given."""
    return ["sqlite", "postgresql"] if server_url() else ["sqlite"]


# A test only a server can run: parametrised by `engine` on the server alone (no case is
# generated without one).
on_a_server = pytest.mark.parametrize("engine", [e for e in engines() if e == "postgresql"])


def _admin_engine() -> Engine:
    url = server_url()
    assert url, f"{SERVER_URL_VARIABLE} is not set"
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _with_database(name: str) -> URL:
    url = server_url()
    assert url
    return make_url(url).set(database=name)


_template: list[str] = []


def _template_name(today: date) -> str:
    """Once per process: a database migrated and seeded by the application itself."""
    if _template:
        return _template[0]
    from app.services.base_access.opening import open_app_database

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"fabrique_template_{worker}_{os.getpid()}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    database = open_app_database(_with_database(name).render_as_string(False), today=today)
    database.dispose()
    _template.append(name)
    return name


@contextmanager
def postgres_database(today: date, *, migrated: bool = True) -> Iterator[str]:
    """The URL of a new database of the server (a copy of the migrated template, or empty),
    dropped afterwards whatever connections are still open."""
    name = f"fabrique_test_{uuid.uuid4().hex[:12]}"
    source = f' TEMPLATE "{_template_name(today)}"' if migrated else ""
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{source}'))
    try:
        yield _with_database(name).render_as_string(False)
    finally:
        _drop(admin, name)
        admin.dispose()


def _drop(admin: Engine, name: str) -> None:
    """Drop a test database: a plain DROP first (the server stops its own autovacuum worker
    there, which FORCE may not terminate for an ordinary role), then FORCE for connections a
    test left open."""
    with admin.connect() as connection:
        try:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        except OperationalError:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass
class _Snapshot:
    """What a new base holds: the schema's fingerprint, each table's rows, each sequence."""

    fingerprint: tuple[Any, ...]
    tables: list[str]
    rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]]
    sequences: dict[str, tuple[int, bool]]


_FINGERPRINT = text(
    "SELECT (SELECT string_agg(version_num, ',') FROM alembic_version),"
    " (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace),"
    " (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
    "   WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal"
    "   AND t.tgenabled <> 'D'),"
    " (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace),"
    " (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
    "   WHERE c.relnamespace = 'public'::regnamespace AND i.indisvalid)"
)


def _snapshot(connection: Connection) -> _Snapshot:
    tables = [
        str(name)
        for (name,) in connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        )
    ]
    rows = {}
    for table in _in_reference_order(connection, tables):
        columns = [
            str(name)
            for (name,) in connection.execute(
                text(
                    "SELECT attname FROM pg_attribute WHERE attrelid = CAST(:t AS regclass)"
                    " AND attnum > 0 AND NOT attisdropped AND attgenerated = ''"
                    " ORDER BY attnum"
                ),
                {"t": table},
            )
        ]
        listed = ", ".join(f'"{c}"' for c in columns)
        found = [
            tuple(row) for row in connection.exec_driver_sql(f'SELECT {listed} FROM "{table}"')
        ]
        if found:
            rows[table] = (columns, found)
    sequences = {}
    for (name,) in connection.execute(
        text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
    ):
        last, called = connection.exec_driver_sql(
            f'SELECT last_value, is_called FROM "{name}"'
        ).one()
        sequences[str(name)] = (int(last), bool(called))
    fingerprint = tuple(connection.execute(_FINGERPRINT).one())
    return _Snapshot(fingerprint, tables, rows, sequences)


def _in_reference_order(connection: Connection, tables: list[str]) -> list[str]:
    """Tables referenced before the tables referencing them (rows put back in that order)."""
    references: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in connection.execute(
        text(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
            " WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
        )
    ):
        if child != parent and child in references:
            references[child].add(parent.strip('"'))
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in ordered and references[t] <= set(ordered)]
        ordered.extend(ready or [t for t in tables if t not in ordered])
    return ordered


_reused: dict[str, Any] = {}


@contextmanager
def reused_database(today: date) -> Iterator[str]:
    """This process's database, as a new base, for one test; put back to the template's rows
    afterwards (or copied again from the template when the test changed its schema)."""
    if "name" not in _reused:
        _reused["name"] = (
            f"fabrique_work_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
        )
        _copy_template(_reused["name"], today)
        engine = create_engine(_with_database(_reused["name"]), poolclass=NullPool)
        with engine.connect() as connection:
            _reused["snapshot"] = _snapshot(connection)
        engine.dispose()
    url = _with_database(_reused["name"]).render_as_string(False)
    try:
        yield url
    finally:
        if not _put_back(url, _reused["snapshot"]):
            _copy_template(_reused["name"], today)


def _copy_template(name: str, today: date) -> None:
    source = _template_name(today)
    admin = _admin_engine()
    try:
        _drop(admin, name)
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    finally:
        admin.dispose()


def _put_back(url: str, snapshot: _Snapshot) -> bool:
    """Empty every table and put the template's rows and sequences back; False when the test
    changed the schema or a connection it left open holds a table."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            connection.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
            if tuple(connection.execute(_FINGERPRINT).one()) != snapshot.fingerprint:
                return False
            # Only the tables holding rows (and, CASCADE, those referencing them): emptying
            # a table gives it new files, the bulk of the time on a schema of 46 tables.
            tables = [t for t in snapshot.tables if t != "alembic_version"]
            filled = " UNION ALL ".join(
                f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables
            )
            emptied = [str(name) for (name,) in connection.exec_driver_sql(filled)]
            if emptied:
                listed = ", ".join(f'"{t}"' for t in emptied)
                connection.exec_driver_sql(f"TRUNCATE {listed} CASCADE")
            for table, (columns, rows) in snapshot.rows.items():
                if table == "alembic_version":
                    continue
                names = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                connection.exec_driver_sql(
                    f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows
                )
            for sequence, (last, called) in snapshot.sequences.items():
                connection.execute(
                    text("SELECT setval(CAST(:s AS regclass), :v, :c)"),
                    {"s": f'"{sequence}"', "v": last, "c": called},
                )
        return True
    except DBAPIError:
        return False
    finally:
        engine.dispose()


def drop_template() -> None:
    """At the end of a test process: its template and reused database go too (a cluster kept
    between runs, as with `FABRIQUE_TEST_DB`, does not fill up with them)."""
    names = [_reused.pop("name")] if "name" in _reused else []
    names += [_template.pop()] if _template else []
    if not names:
        return
    admin = _admin_engine()
    try:
        for name in names:
            _drop(admin, name)
    finally:
        admin.dispose()
