"""One database session per test, for the PDF document tests."""

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from app.storage import Database


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        yield s
