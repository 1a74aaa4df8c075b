"""What every view needs: the database (sessions opened per action) and who is signed in."""

from dataclasses import dataclass

from app.domain.account import ROLE_LABELS
from app.services.accounts import AccountInfo
from app.storage import Database


@dataclass
class AppContext:
    """Shared by every view; switching user changes it in place, so views see the new one.

    `username` is the identifiant of who is signed in (recorded as author of what they do);
    `role` is what the services are told. Nobody is signed in while `role` is empty.
    """

    database: Database
    username: str
    role: str = ""
    display_name: str = ""
    account_id: int | None = None

    def sign_in(self, account: AccountInfo) -> None:
        self.username = account.username
        self.role = account.role
        self.display_name = account.display_name
        self.account_id = account.id

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)
