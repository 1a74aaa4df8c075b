"""Where the programme's calendar puts the current season on the demo's reference day."""

from dataclasses import dataclass
from datetime import date

from app.services import reference


@dataclass(frozen=True)
class PlannedInternship:
    """An internship a learner of the season in training will do (its agreement is drafted
    weeks before it starts, while the stage history has not reached `en_stage` yet)."""

    candidate_id: int
    start: date
    end: date
    exit_type: str


def season_start(today: date) -> date:
    """1 December of the current season (the one in recruitment or in training)."""
    return date(reference.season_start_year(today), 12, 1)


def in_training(today: date) -> bool:
    """Whether the current season's cohorts have entered training (1 December on)."""
    return today >= season_start(today)
