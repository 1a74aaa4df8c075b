"""Observations as recorded, and what they amount to.

Observations are append-only: a correction is a new row (an observation supersedes the
previous one), so the order of recording (the id) is the truth within one activity. Across
activities, the latest level is the one of the latest activity (by day, then recording time,
then id); `non_observe` is the absence of an observation, never a low mark.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Activity, Cohort, Observation
from app.domain.orientation import Level


@dataclass(frozen=True)
class ObservationRow:
    """One observation row with its activity's day, as read for computations."""

    id: int
    activity_id: int
    candidate_id: int
    criterion_id: int
    level: str
    recorded_at: datetime
    day: date
    start: date


def read_observations(session: Session, *conditions: Any) -> list[ObservationRow]:
    """Observations with their activity's day and cohort start, in recording order (one query)."""
    statement = (
        select(
            Observation.id,
            Observation.activity_id,
            Observation.candidate_id,
            Observation.criterion_id,
            Observation.level,
            Observation.recorded_at,
            Activity.day,
            Cohort.start_date,
        )
        .join(Activity, Activity.id == Observation.activity_id)
        .join(Cohort, Cohort.id == Activity.cohort_id)
        .where(*conditions)
        .order_by(Observation.id)
    )
    return [ObservationRow(*row) for row in session.execute(statement)]


def effective(rows: Iterable[ObservationRow]) -> list[ObservationRow]:
    """The current observation per (activity, learner, criterion): the last one recorded."""
    current: dict[tuple[int, int, int], ObservationRow] = {}
    for row in rows:
        current[(row.activity_id, row.candidate_id, row.criterion_id)] = row
    return sorted(current.values(), key=lambda r: (r.day, r.recorded_at, r.id))


def latest_levels(rows: Iterable[ObservationRow]) -> dict[tuple[int, int], str]:
    """Latest observed level per (learner, criterion) across activities; non observé skipped."""
    latest: dict[tuple[int, int], str] = {}
    for row in effective(rows):
        if row.level != Level.NON_OBSERVE.value:
            latest[(row.candidate_id, row.criterion_id)] = row.level
    return latest
