"""Valid records the property tests start from, before a field is replaced by hostile text."""

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
