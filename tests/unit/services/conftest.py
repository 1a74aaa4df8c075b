"""The services run on every engine the tests have (tests/engines.py): each test using `db`
runs on SQLite, and on PostgreSQL when a server is given — except the tests marked
`sqlite_only` (they read SQLite's own file, index or catalogue), generated for SQLite alone."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.base_access.opening import open_app_database
from app.storage import Database
from tests.conftest import TODAY
from tests.engines import engines, postgres_database


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db" not in metafunc.fixturenames:
        return
    sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") is not None
    metafunc.parametrize("db", ["sqlite"] if sqlite_only else engines(), indirect=True)


@pytest.fixture
def db(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = open_app_database("sqlite:///" + str(db_path), today=TODAY)
        yield database
        database.dispose()
        return
    with postgres_database(TODAY) as url:
        database = open_app_database(url, today=TODAY)
        yield database
        database.dispose()
