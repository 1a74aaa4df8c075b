"""What the avenant, the attestation de stage and the fiche d'évaluation print; filled by
the services. Each one carries the agreement as the convention prints it (parties, number,
tutor, referent…) and what is its own."""

from dataclasses import dataclass
from datetime import date

from app.pdf.convention_data import ConventionData


@dataclass(frozen=True)
class AmendmentChange:
    label: str  # French label of the field: "Horaires de présence"
    before: str  # as printed, line breaks allowed
    after: str


@dataclass(frozen=True)
class AvenantData:
    agreement: ConventionData  # the convention as it stands (parties, number, printed_on)
    rank: int
    reason: str
    changes: tuple[AmendmentChange, ...]  # fields, then the recomputed total when it moves
    signed_on: date | None  # None: printed to be signed
    # Signatories after the amendment (a new tutor signs the amendment that names them).
    tutor_name: str
    tutor_function: str
    referent: str


@dataclass(frozen=True)
class AttestationData:
    agreement: ConventionData
    start: date
    end: date  # the last day actually done: the planned end, or the early end
    ended_early: bool
    hours: float  # effective hours over start → end
    days: float  # hours / 7 (7 h = 1 day)
    presence_days: int  # calendar days of presence


@dataclass(frozen=True)
class EvaluationData:
    agreement: ConventionData
    start: date
    end: date  # planned end, or the early end of a broken-off agreement
    ended_early: bool
    hours: float  # effective hours over start → end
    days: float
    finished: bool  # terminée or rompue: the hours are those done, else those planned
    competences: tuple[str, ...]  # one row each in the grid
    more_competences: int = 0  # competences beyond the printed rows
