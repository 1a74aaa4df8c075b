"""Opening the application's database: migrate, then seed missing reference data."""

from datetime import date

from app.services.reference import ensure_reference_data
from app.storage import Database, open_database


def open_app_database(url: str, today: date | None = None) -> Database:
    database = open_database(url)
    with database.session() as session:
        ensure_reference_data(session, today)
    return database
