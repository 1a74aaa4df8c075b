"""The services run on every engine the tests have (tests/engines.py): each test using `db`
runs on SQLite, and on PostgreSQL when a server is given — except the tests about SQLite's own
file, generated for SQLite alone: those that ask for `db_path` (directly or through a fixture)
and those marked `sqlite_only` (they read SQLite's index or catalogue). Those marked
`server_only` run on PostgreSQL alone: what they stage cannot happen on SQLite, where a save
holds the base's write lock from its first read."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.base_access.opening import open_app_database
from app.storage import Database
from tests.conftest import TODAY, new_sqlite_base
from tests.engines import engines, reused_database


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db" not in metafunc.fixturenames:
        return
    sqlite_only = (
        metafunc.definition.get_closest_marker("sqlite_only") is not None
        or "db_path" in metafunc.fixturenames
    )
    if metafunc.definition.get_closest_marker("server_only") is not None:
        chosen = [engine for engine in engines() if engine != "sqlite"]
    else:
        chosen = ["sqlite"] if sqlite_only else engines()
    metafunc.parametrize("db", chosen, indirect=True)


@pytest.fixture
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        # The same file as the `db_path` fixture's, without asking for it (see above).
        database = new_sqlite_base(tmp_path / "fabrique.sqlite")
        yield database
        database.dispose()
        return
    with reused_database(TODAY) as url:
        database = open_app_database(url, today=TODAY)
        yield database
        database.dispose()
