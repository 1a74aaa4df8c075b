"""Agreement numbers: FAB-<year>-<n>, without gap or duplicate, even from several desks."""

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.domain import AgreementNumber
from app.services.reference import insert_if_missing

__all__ = [
    "NUMBER_PREFIX",
    "next_number",
]


NUMBER_PREFIX = "FAB"


def next_number(session: Session, year: int) -> str:
    """Take the next number of the year in the caller's transaction: no gap, no duplicate.

    The year's counter row is inserted unless it is there (INSERT … ON CONFLICT DO NOTHING:
    two desks giving the year's first number at once do not collide), then bumped by a single
    UPDATE … RETURNING, so a concurrent writer waits for this transaction (SQLite: one writer
    at a time; PostgreSQL: the row's lock, and a serialization failure that `writes` runs
    again).
    """
    insert_if_missing(session, AgreementNumber, [{"year": year, "last": 0}], "year")
    last = session.execute(
        update(AgreementNumber)
        .where(AgreementNumber.year == year)
        .values(last=AgreementNumber.last + 1)
        .returning(AgreementNumber.last)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return f"{NUMBER_PREFIX}-{year}-{last:04d}"
