"""What every part of the orientation period shares: who may write observations, who
decides, how long a note may be."""

from app.services.actor import Actor
from app.services.errors import PermissionDenied
from app.services.permissions import role_of

ROLES_WRITING_OBSERVATIONS = frozenset({"formateur", "coordination"})
ROLE_DECIDING = "coordination"
MAX_NOTE_LENGTH = 2000


def require_writer(actor: Actor) -> None:
    if role_of(actor) not in ROLES_WRITING_OBSERVATIONS:
        raise PermissionDenied(
            "Seuls les formateurs et la coordination peuvent saisir les activités "
            "et les observations."
        )


def require_coordination(actor: Actor, action: str) -> None:
    if role_of(actor) != ROLE_DECIDING:
        raise PermissionDenied(f"Seule la coordination peut {action}.")
