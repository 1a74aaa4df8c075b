"""Who acts: the `Actor` every service receives, which only a sign-in can make.

Why not a role string: any caller can write `role="coordination"` and read what coordination
reads (RQTH, the journal). An `Actor` proves that a sign-in happened in this process: its
constructor refuses to run without `_SIGNED_IN`, a token private to this module that only
these places pass (and nothing else may):

- `app/services/accounts.py`: a password sign-in (`authenticate`), a sign-in without a password
  (`sign_in_without_password`: tests, automation, demo bases) and the first coordination
  account, whose creator is signed in (`create_first_account`);
- `app/services/command_sign_in.py`: a base without any account yet, where a command acts as
  coordination (with a warning); its other cases derive their actor from the sign-in above
  (`Actor.through_command_line`);
- `system_actor(reason)` below: the demo data, automation and migrations, which run on the
  machine by whoever owns the database file (they could do anything to it anyway); the reason
  says which, for whoever reads the code;
- the tests (`tests/conftest.py` imports the token, visibly).

The services check the actor's role through `app/services/permissions.py`, which refuses
anything that is not an `Actor` (a TypeError: a bare string is a programming error, never a
user's). This guards against mistakes and forged strings, not against code that sets out to
bypass Python (nothing in one process can): it makes the honest path the only easy one.

`author` is how the journal and the histories name what the actor saves, exactly as before
actors existed: the identifiant in the window, "<name> (ligne de commande)" for a command,
the given name for the system ("Fabrique Accueil" unless the demo names a member of staff).
"""

from dataclasses import KW_ONLY, InitVar, dataclass, replace
from enum import StrEnum
from typing import Final

from app.domain.account import ROLE_COORDINATION

__all__ = ["SYSTEM_AUTHOR", "Actor", "Via", "system_actor"]

# How the journal names what the application does by itself (audit uses it too).
SYSTEM_AUTHOR = "Fabrique Accueil"


# The one object that lets `Actor` be made (see above): compared by identity.
_SIGNED_IN: Final = object()


class Via(StrEnum):
    """Where the actor acts from; it decides how the journal names them (`Actor.author`)."""

    WINDOW = "fenêtre"
    COMMAND_LINE = "ligne de commande"
    SYSTEM = "système"


@dataclass(frozen=True)
class Actor:
    """A signed-in account (or the system), as the services receive it.

    Made only with the private token: `Actor(username, display_name, role, token=_SIGNED_IN)`;
    without it (or through `dataclasses.replace`) it raises TypeError.
    """

    username: str
    display_name: str
    role: str
    via: Via = Via.WINDOW
    # Why the system acts (system_actor only): the demo data, automation, a migration.
    reason: str = ""
    _: KW_ONLY
    token: InitVar[object] = None

    def __post_init__(self, token: object) -> None:
        if token is not _SIGNED_IN:
            raise TypeError(
                "an Actor comes from a sign-in (app.services.accounts.management) or "
                "system_actor(); it cannot be made from a name and a role"
            )

    def __init_subclass__(cls, **kwargs: object) -> None:
        raise TypeError("Actor cannot be subclassed")

    @property
    def author(self) -> str:
        """How the journal and the histories name what this actor saves."""
        if self.via is Via.COMMAND_LINE:
            return f"{self.display_name} (ligne de commande)"
        if self.via is Via.SYSTEM:
            return self.display_name
        return self.username

    def through_command_line(self) -> "Actor":
        """The same signed-in account acting through a command (named as such in the journal)."""
        return replace(self, via=Via.COMMAND_LINE, token=_SIGNED_IN)


def system_actor(
    reason: str, *, author: str = SYSTEM_AUTHOR, role: str = ROLE_COORDINATION
) -> Actor:
    """The system acting (demo data, automation, migrations), named `author` in the journal.

    `reason` says why no sign-in is needed here; it must not be empty. The role is
    coordination's unless said (the demo acts as the member of staff who would have done it).
    """
    if not reason.strip():
        raise ValueError("system_actor needs a reason")
    return Actor(author, author, role, Via.SYSTEM, reason, token=_SIGNED_IN)
