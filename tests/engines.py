"""The engines the tests run on: SQLite always; PostgreSQL when `FABRIQUE_TEST_DB` names a
server's database (`.ci/run` starts a throw-away cluster and sets it: `.ci/postgres.sh`).

Each PostgreSQL test gets a database of its own, copied from a template that the test role
(an ordinary role allowed to create databases, no superuser) migrated and seeded once per
test process: a copy takes a fraction of a second where migrating takes several.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

SERVER_URL_VARIABLE = "FABRIQUE_TEST_DB"


def server_url() -> str | None:
    return os.environ.get(SERVER_URL_VARIABLE) or None


def engines() -> list[str]:
    """The engines of a parametrised fixture: `sqlite`, and `postgresql` when a server is
    given."""
    return ["sqlite", "postgresql"] if server_url() else ["sqlite"]


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


def drop_template() -> None:
    """At the end of a test process: its template goes too (a cluster kept between runs, as
    with `FABRIQUE_TEST_DB`, does not fill up with them)."""
    if not _template:
        return
    admin = _admin_engine()
    try:
        _drop(admin, _template.pop())
    finally:
        admin.dispose()
