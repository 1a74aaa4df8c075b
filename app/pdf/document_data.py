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
class AbsenceLine:
    """A recorded absence or late arrival, as the documents list it."""

    day: date
    half_day: str  # "matin", "après-midi"
    description: str  # "absence", "retard de 20 min"
    justified: bool
    hours: float  # hours of presence lost


@dataclass(frozen=True)
class PresenceFigures:
    """Planned hours, recorded absence and hours done (planned − absent)."""

    planned_hours: float
    planned_text: str  # "308 h, soit 44 journées de 7 h, sur 44 jours de présence"
    absent_hours: float
    done_hours: float
    absences: int  # half-days of absence
    absences_justified: int
    lates: int
    lates_justified: int
    explanation: str  # one sentence: how the hours done were computed
    counts_text: str = ""  # "2 demi-journées d'absence (dont 1 justifiée), 1 retard (…)"


@dataclass(frozen=True)
class AttestationData:
    agreement: ConventionData
    start: date
    end: date  # the last day actually done: the planned end, or the early end
    ended_early: bool
    hours: float  # hours done: planned hours over start → end minus recorded absence
    days: float  # hours / 7 (7 h = 1 day)
    presence_days: int  # calendar days of planned presence
    presence: PresenceFigures | None = None  # None: printed without the presence record
    number: str = ""  # the attestation's own number, "ATT-2026-0005"
    issued_on: date | None = None  # its first issue: the date it bears, original or not
    duplicate: bool = False  # printed again after its first issue
    # A flat indemnity of a broken-off agreement: what it becomes ("au prorata…", "à préciser").
    indemnity_rule: str = ""


@dataclass(frozen=True)
class EvaluationData:
    agreement: ConventionData
    start: date
    end: date  # planned end, or the early end of a broken-off agreement
    ended_early: bool
    hours: float  # hours done when finished, else planned hours
    days: float
    finished: bool  # terminée or rompue: the hours are those done, else those planned
    competences: tuple[str, ...]  # one row each in the grid
    more_competences: int = 0  # competences beyond the printed rows
    absences: tuple[AbsenceLine, ...] = ()  # recorded so far, by date
    presence: PresenceFigures | None = None
