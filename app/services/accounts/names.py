"""People by their names: what the services hand the window names a person by their account's
display name ("Nadia Belkacem"), not by the identifiant they sign in with ("nadia").

Histories, observations and the journal keep the author as it was recorded (an identifiant
for what was done in the window); they are translated when read, so that a renamed account
shows its new name everywhere, and an author no account has (an old one, a command, the
system) is shown as written.
"""

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.account import UserAccount


def display_names(session: Session) -> dict[str, str]:
    """Each account's identifiant -> its display name (inactive accounts included: they
    authored what they did before leaving)."""
    rows = session.execute(select(UserAccount.username, UserAccount.display_name))
    return {username: name for username, name in rows if name}


def person_name(names: Mapping[str, str], author: str | None) -> str:
    """How to show `author`: its account's display name, else as recorded."""
    if not author:
        return ""
    return names.get(author, author)
