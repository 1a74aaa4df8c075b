"""What every view needs: the database (handed to the use cases) and who is signed in."""

from dataclasses import dataclass

from app.domain.account import ROLE_LABELS
from app.services.accounts.management import SignedInAccount
from app.services.actor import Actor
from app.services.errors import PermissionDenied
from app.services.unit_of_work import Database

NOBODY_SIGNED_IN = "Connectez-vous pour consulter les dossiers."


@dataclass
class AppContext:
    """Shared by every view; switching user changes it in place, so views see the new one.

    `signed_in` is the actor a sign-in returned (app/services/actor.py): the views hand it to
    the services (`actor`), which check its role. Nobody is signed in while it is None.
    `role`, `username` and `display_name` are read from it, for the window to show and hide.
    """

    database: Database
    signed_in: Actor | None = None
    account_id: int | None = None

    def sign_in(self, account: SignedInAccount) -> None:
        self.signed_in = account.actor
        self.account_id = account.id

    @property
    def actor(self) -> Actor:
        """Who the services are told acts; refused (in French) while nobody is signed in."""
        if self.signed_in is None:
            raise PermissionDenied(NOBODY_SIGNED_IN)
        return self.signed_in

    @property
    def role(self) -> str:
        return self.signed_in.role if self.signed_in is not None else ""

    @property
    def username(self) -> str:
        """The identifiant of who is signed in (the author of what they do, in the window)."""
        return self.signed_in.username if self.signed_in is not None else ""

    @property
    def display_name(self) -> str:
        return self.signed_in.display_name if self.signed_in is not None else ""

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)
