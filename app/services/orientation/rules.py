"""What every part of the orientation period shares: who may write observations, who
decides, how long a note may be, how a decision's outcome reads."""

from app.domain.orientation import Outcome
from app.services.actor import Actor
from app.services.errors import PermissionDenied
from app.services.permissions import role_of

ROLES_WRITING_OBSERVATIONS = frozenset({"formateur", "coordination"})
ROLE_DECIDING = "coordination"
MAX_NOTE_LENGTH = 2000
# The outcome of a reopening (orientation_decision is append-only; the latest row counts): no
# decision stands any more and the learner's observations are unlocked. Not an `Outcome`: the
# decision lists offer only what can be decided.
REOPENED = "rouverte"
REOPENED_LABEL = "Décision rouverte"


def outcome_label(value: str) -> str:
    """The French label of a decision row's outcome, a reopening included."""
    if value == REOPENED:
        return REOPENED_LABEL
    try:
        return Outcome(value).label
    except ValueError:
        return value


def require_writer(actor: Actor) -> None:
    if role_of(actor) not in ROLES_WRITING_OBSERVATIONS:
        raise PermissionDenied(
            "Seuls les formateurs et la coordination peuvent saisir les activités "
            "et les observations."
        )


def require_coordination(actor: Actor, action: str) -> None:
    if role_of(actor) != ROLE_DECIDING:
        raise PermissionDenied(f"Seule la coordination peut {action}.")
