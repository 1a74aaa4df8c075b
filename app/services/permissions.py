"""Who may do what: the three roles and the checks every service runs before acting.

The services are the gate: the window only hides what a role cannot do, the refusal itself
(a French `PermissionDenied`) comes from here. The checks (`require_*`, `role_of`) take the
signed-in `Actor` (app/services/actor.py), never a role string, which any caller could forge;
the `can_*` questions take a role, for the window to hide what that role cannot use.
"""

from app.domain.account import ROLE_ACCUEIL, ROLE_COORDINATION, ROLE_FORMATEUR, ROLES
from app.services.actor import Actor
from app.services.errors import PermissionDenied

__all__ = [
    "ROLES",
    "ROLE_ACCUEIL",
    "ROLE_COORDINATION",
    "ROLE_FORMATEUR",
    "SYSTEM_ROLE",
    "can_edit_appointments",
    "can_edit_candidates",
    "can_edit_projects",
    "can_export_personal_data",
    "can_read_orientation",
    "can_read_projects",
    "can_read_rqth",
    "can_record_presence",
    "can_review_projects",
    "require_appointment_editor",
    "require_bulk_personal_data",
    "require_candidate_editor",
    "require_coordination",
    "require_known_role",
    "require_orientation_reader",
    "require_presence_recorder",
    "require_project_editor",
    "require_project_reader",
    "require_project_reviewer",
    "role_of",
]

# The command line, the demo data and automation run on the machine by whoever owns the
# database file: they act with coordination rights, as that person could do anything anyway.
SYSTEM_ROLE = ROLE_COORDINATION

# Accueil registers candidates and books appointments; coordination may do everything. Trainers
# read candidate files (to prepare orientation) but do not edit them: the desk owns intake.
_CANDIDATE_EDITORS = frozenset({ROLE_ACCUEIL, ROLE_COORDINATION})
_APPOINTMENT_EDITORS = frozenset({ROLE_ACCUEIL, ROLE_COORDINATION})
# Team-work observations are for those who evaluate and decide, not for the front desk.
_ORIENTATION_READERS = frozenset({ROLE_FORMATEUR, ROLE_COORDINATION})
# Absences and late arrivals of interns, from the tutor's weekly sheet: those who follow them.
_PRESENCE_RECORDERS = frozenset({ROLE_FORMATEUR, ROLE_COORDINATION})
# Candidates' personal data in bulk (CSV exports, printed lists, sign-in sheets, convocations
# in series): the desk and coordination; a trainer reads one file at a time.
_BULK_PERSONAL_DATA = frozenset({ROLE_ACCUEIL, ROLE_COORDINATION})
# Disability status (RQTH) is sensitive: coordination only (domain/intake.md).
_RQTH_READERS = frozenset({ROLE_COORDINATION})
# The call for projects: coordination runs it; trainers sit on the jury (they read every
# project and record their own review); the desk has no part in it.
_PROJECT_READERS = frozenset({ROLE_FORMATEUR, ROLE_COORDINATION})
_PROJECT_EDITORS = frozenset({ROLE_COORDINATION})
_PROJECT_REVIEWERS = frozenset({ROLE_FORMATEUR, ROLE_COORDINATION})


def can_edit_candidates(role: str) -> bool:
    return role in _CANDIDATE_EDITORS


def can_edit_appointments(role: str) -> bool:
    return role in _APPOINTMENT_EDITORS


def can_export_personal_data(role: str) -> bool:
    return role in _BULK_PERSONAL_DATA


def can_read_orientation(role: str) -> bool:
    return role in _ORIENTATION_READERS


def can_record_presence(role: str) -> bool:
    return role in _PRESENCE_RECORDERS


def can_read_rqth(role: str) -> bool:
    return role in _RQTH_READERS


def can_read_projects(role: str) -> bool:
    return role in _PROJECT_READERS


def can_edit_projects(role: str) -> bool:
    return role in _PROJECT_EDITORS


def can_review_projects(role: str) -> bool:
    return role in _PROJECT_REVIEWERS


def role_of(actor: Actor) -> str:
    """The role of a signed-in actor; anything but an `Actor` (a role string) is refused."""
    if type(actor) is not Actor:
        raise TypeError(
            f"the services take the signed-in Actor, not {type(actor).__name__} "
            "(app/services/actor.py)"
        )
    return actor.role


def require_known_role(actor: Actor) -> None:
    if role_of(actor) not in ROLES:
        raise PermissionDenied("Connectez-vous pour consulter les dossiers.")


def require_candidate_editor(actor: Actor) -> None:
    if not can_edit_candidates(role_of(actor)):
        raise PermissionDenied(
            "Seuls l'accueil et la coordination peuvent créer ou modifier un dossier de candidat."
        )


def require_appointment_editor(actor: Actor) -> None:
    if not can_edit_appointments(role_of(actor)):
        raise PermissionDenied(
            "Seuls l'accueil et la coordination peuvent gérer les rendez-vous "
            "et les informations collectives."
        )


def require_bulk_personal_data(actor: Actor) -> None:
    """Exports and printed lists of candidates: refused to a trainer whatever the window shows."""
    if not can_export_personal_data(role_of(actor)):
        raise PermissionDenied(
            "Seuls l'accueil et la coordination peuvent exporter ou imprimer des listes "
            "de candidats (données personnelles en nombre)."
        )


def require_orientation_reader(actor: Actor) -> None:
    if not can_read_orientation(role_of(actor)):
        raise PermissionDenied(
            "Les observations de la période d'orientation sont réservées aux formateurs "
            "et à la coordination."
        )


def require_presence_recorder(actor: Actor) -> None:
    if not can_record_presence(role_of(actor)):
        raise PermissionDenied(
            "Seuls les formateurs et la coordination peuvent consulter et saisir les absences "
            "des stagiaires."
        )


def require_project_reader(actor: Actor) -> None:
    if not can_read_projects(role_of(actor)):
        raise PermissionDenied("L'appel à projets est réservé à la coordination et aux formateurs.")


def require_project_editor(actor: Actor) -> None:
    if not can_edit_projects(role_of(actor)):
        raise PermissionDenied(
            "Seule la coordination peut enregistrer ou modifier un projet de l'appel à projets."
        )


def require_project_reviewer(actor: Actor) -> None:
    if not can_review_projects(role_of(actor)):
        raise PermissionDenied(
            "Seuls les membres du jury (coordination et formateurs) peuvent noter un projet."
        )


def require_coordination(actor: Actor, action: str) -> None:
    """`action` completes "Seule la coordination peut …", e.g. "gérer les utilisateurs"."""
    if role_of(actor) != ROLE_COORDINATION:
        raise PermissionDenied(f"Seule la coordination peut {action}.")
