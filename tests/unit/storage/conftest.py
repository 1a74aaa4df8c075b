"""Fixtures of the storage tests on a PostgreSQL server."""

from collections.abc import Iterator

import pytest

from app.services.base_access.opening import open_app_database
from app.services.journal import audit_log as audit
from app.storage import Database
from tests.conftest import TODAY
from tests.engines import postgres_database


@pytest.fixture
def server_db() -> Iterator[Database]:
    with postgres_database(TODAY) as url:
        database = open_app_database(url, today=TODAY)
        audit.attach(database, lambda: "Nadia")  # as the window does: every change journaled
        yield database
        audit.detach(database)
        database.dispose()
