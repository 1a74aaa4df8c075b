"""The services run on every engine the tests have (tests/engines.py): each test using `db`
runs on SQLite, and on PostgreSQL when a server is given."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.base_access.opening import open_app_database
from app.storage import Database
from tests.conftest import TODAY
from tests.engines import engines, postgres_database


@pytest.fixture(params=engines())
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
