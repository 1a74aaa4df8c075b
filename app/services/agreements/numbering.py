"""Agreement numbers: FAB-<year>-<n>, without gap or duplicate."""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain import AgreementNumber

__all__ = [
    "NUMBER_PREFIX",
    "next_number",
]


NUMBER_PREFIX = "FAB"


def next_number(session: Session, year: int) -> str:
    """Take the next number of the year in the caller's transaction: no gap, no duplicate.

    The increment is a single UPDATE, so a concurrent writer waits for this transaction.
    """
    bumped = session.execute(
        update(AgreementNumber)
        .where(AgreementNumber.year == year)
        .values(last=AgreementNumber.last + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(bumped, "rowcount", 0) == 0:
        session.add(AgreementNumber(year=year, last=1))
        session.flush()
    last = session.scalar(select(AgreementNumber.last).where(AgreementNumber.year == year))
    assert last is not None
    return f"{NUMBER_PREFIX}-{year}-{last:04d}"
