"""Valid records the property tests start from, before a field is replaced by hostile text."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.services.candidates import CandidateInput, change_stage, create_candidate

COORDINATION = "coordination"
NOW = datetime(2026, 11, 28, 10, 0)


def candidate_input(**overrides: str) -> CandidateInput:
    values = {
        "nom": "Lefèvre",
        "prenom": "Camille",
        "saison": "2026-2027",
        "site": "cobalt",
        "telephone": "06 12 34 56 78",
        "email": "camille.lefevre@exemple.fr",
        "date_naissance": "15/03/1995",
    }
    values.update(overrides)
    return CandidateInput(**values)


def add_candidate(
    session: Session, *, entered: bool = False, at: datetime = NOW, **overrides: str
) -> int:
    """A candidate (who entered training with `entered`), created as coordination."""
    data = candidate_input(**overrides)
    candidate_id = create_candidate(session, data, author="test", role=COORDINATION, now=at).id
    if entered:
        for stage in ("entretien", "admis", "entre_formation"):
            change_stage(
                session, candidate_id, stage, comment="", author="test", role=COORDINATION, now=at
            )
    return candidate_id


ORIENTATION_DAY = "03/12/2025"  # a Wednesday of S1 for the 2025-2026 cohorts
BEFORE_SEASON = datetime(2025, 11, 1, 9, 0)


@dataclass(frozen=True)
class Orientation:
    """A cohort whose learner is in the one team of an activity (committed once per test)."""

    cohort: int
    learner: int
    activity: int
    team: int
    criterion: int


def orientation_world(session: Session) -> Orientation:
    from app.services import orientation

    learner = add_candidate(session, entered=True, at=BEFORE_SEASON, saison="2025-2026")
    cohort = next(c for c in orientation.cohorts(session) if c.season == "2025-2026")
    activity = orientation.create_activity(
        session,
        cohort.id,
        orientation.ActivityInput(day=ORIENTATION_DAY, title="Atelier affiche"),
        role=COORDINATION,
    )
    info = orientation.set_teams(session, activity.id, [("Équipe A", [learner])], role=COORDINATION)
    criterion = orientation.criteria(session)[0].id
    return Orientation(cohort.id, learner, activity.id, info.teams[0].id, criterion)
