"""What the orientation summary (bilan d'orientation) prints; filled by the services."""

from dataclasses import dataclass, field
from datetime import date

NO_DECISION = "Décision non encore prise"


@dataclass(frozen=True)
class CriterionSummary:
    code: str
    label: str
    latest_level: str  # French label: Acquis, En cours d'acquisition, Non acquis, Non observé
    trend: str  # French: "en progrès", "stable", "en recul", "non observé"
    weekly_levels: tuple[str, ...]  # one French label (or "") per week S1…S6


@dataclass(frozen=True)
class CommentLine:
    day: date
    activity: str
    author: str
    text: str


@dataclass(frozen=True)
class EventLine:
    """An event the learner took part in (Niort Numéric, a hackathon…)."""

    day: date
    title: str
    place: str


@dataclass(frozen=True)
class BilanData:
    organisation: str
    learner_name: str
    birth_date: date | None
    cohort_label: str  # "Saison 2025-2026 — Cobalt (Poitiers)"
    period: str  # "du 01/12/2025 au 12/01/2026"
    criteria: tuple[CriterionSummary, ...]
    comments: tuple[CommentLine, ...]
    project_filiere: str
    project_job: str
    project_steps: str
    project_status: str
    decision: str  # "Période validée" … or "Décision non encore prise"
    decision_filiere: str
    decision_reason: str
    decided_by: str
    decided_on: date | None
    printed_on: date
    events: tuple[EventLine, ...] = ()
    # The latest decision was reopened (decided_by / decided_on: who reopened it, when).
    decision_reopened: bool = False
    signatories: tuple[str, ...] = field(
        default=("Le formateur référent", "La coordination", "L'apprenant(e)")
    )
