"""What the call-for-projects documents print: the acknowledgement of receipt, the decision
letter and the fiche projet. Filled by the services (app/services/projects/documents.py),
already in French: dates as JJ/MM/AAAA, labels, formatted phone numbers. No database here."""

from dataclasses import dataclass
from datetime import date

from app.pdf.appointment_data import Letterhead

__all__ = [
    "DECISIONS",
    "NOT_RETAINED",
    "RETAINED",
    "WAITING_LIST",
    "AcknowledgementData",
    "Addressee",
    "DecisionLetterData",
    "Letterhead",
    "MilestoneLine",
    "ProjectLetter",
    "ProjectSheetData",
    "TeamLine",
]

# The decisions a decision letter announces (ProjectState codes).
RETAINED = "retenu"
WAITING_LIST = "liste_attente"
NOT_RETAINED = "non_retenu"
DECISIONS = (RETAINED, WAITING_LIST, NOT_RETAINED)


@dataclass(frozen=True)
class Addressee:
    """The structure's contact for the project, as the window envelope shows it."""

    structure: str  # "Association Dynamob"
    contact_name: str  # "Samia Haddad"; "" when the form left it empty
    contact_function: str  # "Présidente"; may be empty
    address_lines: tuple[str, ...]  # ("12 rue Carnot", "86200 Loudun"); may be empty


@dataclass(frozen=True)
class ProjectLetter:
    """What every letter about a project shares: who writes, to whom, about what."""

    letterhead: Letterhead
    reference: str  # "AAP-2026-003"
    title: str  # the project's title
    addressee: Addressee
    issued_at: str  # town of issue: "Poitiers"; "" prints "Le 6 décembre 2026"
    issued_on: date
    issued_on_text: str  # "6 décembre 2026"
    signatory: str  # the coordinator who prints it: "Claire Vasseur"
    contact_line: str  # how to reach the organisation: "Claire Vasseur, coordination"


@dataclass(frozen=True)
class AcknowledgementData:
    letter: ProjectLetter
    season_label: str  # "2026-2027"
    submitted_on: str  # "03/12/2026"
    call_closes_on: str  # "31/01/2027"
    decision_expected: str  # "fin février 2027"
    points_to_check: tuple[str, ...]  # eligibility warnings; empty when none


@dataclass(frozen=True)
class DecisionLetterData:
    letter: ProjectLetter
    decision: str  # one of DECISIONS
    decided_on: str  # "12/02/2027"; "" when the history does not hold it (not printed)
    reason: str  # required for NOT_RETAINED; the jury's words otherwise (may be empty)
    submitted_on: str  # "03/12/2026"
    calendar: str  # the calendar the structure wished, for the next steps; may be empty


@dataclass(frozen=True)
class MilestoneLine:
    title: str
    due_on: str  # "15/03/2027"
    state_label: str  # "Prévu", "Fait", "En retard", "Abandonné"
    done_on: str  # "" when not done


@dataclass(frozen=True)
class TeamLine:
    cohort_label: str  # "Saison 2026-2027 — Cobalt"
    team_name: str  # "Équipe 1"
    learners: tuple[str, ...]  # "Léa DUPONT", in the list's order


@dataclass(frozen=True)
class ProjectSheetData:
    """The fiche projet the team works from."""

    letterhead: Letterhead
    reference: str
    title: str
    season_label: str
    state_label: str  # "En réalisation"
    structure: str
    structure_identifier: str  # SIRET (grouped) or RNA; "" when none
    structure_address: tuple[str, ...]
    filieres: tuple[str, ...]  # labels
    contact_name: str
    contact_function: str
    contact_phone: str  # formatted: "05 49 12 34 56"
    contact_email: str
    contact_availability: str
    need: str
    audience: str
    deliverable_kind_label: str  # "Site web"
    deliverable: str
    existing: str
    provided_content: str
    data_constraints: str
    accessibility_constraints: str
    calendar: str
    maintainer: str
    licence_accepted: bool
    milestones: tuple[MilestoneLine, ...]
    teams: tuple[TeamLine, ...]
    delivered_on: str  # "" until delivered
    printed_on: date
