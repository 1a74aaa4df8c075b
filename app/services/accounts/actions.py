"""What the window asks of accounts: one unit of work per user action.

Signing in (the first account, a password, the demo's coordinator), the Utilisateurs page,
one's own password, the idle lock of Paramètres › Sécurité and the recovery key shown once to
coordination. Each use case takes the database first and opens, commits or rolls back its own
session (app/services/unit_of_work.py); the steps are the building blocks of `management` and
`app.services.base_access.keys`, which take a session and check the actor.
"""

from sqlalchemy.orm import Session

from app.services.accounts import management
from app.services.accounts.command_line import DEMO_COORDINATOR
from app.services.accounts.management import SignedInAccount
from app.services.base_access import keys
from app.services.base_access.demo_mark import is_demo_base
from app.services.unit_of_work import reads, writes

# ---------------------------------------------------------------- signing in

needs_first_account = reads(management.needs_first_account)
create_first_account = writes(management.create_first_account)
# Writes even when refused: failures are counted (and journaled) by the building block.
authenticate = writes(management.authenticate)


@writes
def sign_in_at_opening(session: Session, username: str | None) -> SignedInAccount | None:
    """Who is signed in without the sign-in dialog: `username` (tests, automation, created
    on a base without accounts), or the demo's coordinator on a demo base (CONTRACT.md);
    None when the dialog must ask."""
    if username is None and is_demo_base(session):
        username = DEMO_COORDINATOR
    if username is None:
        return None
    return management.sign_in_without_password(session, username)


recovery_key_to_hand_over = reads(keys.recovery_key_to_hand_over)
recovery_key_handed_over = writes(keys.recovery_key_handed_over)

# ---------------------------------------------------------------- the Utilisateurs page

list_accounts = reads(management.list_accounts)
create_account = writes(management.create_account)
set_role = writes(management.set_role)
change_password = writes(management.change_password)
unlock = writes(management.unlock)
deactivate = writes(management.deactivate)
reactivate = writes(management.reactivate)

# ---------------------------------------------------------------- one's own password, idle lock

change_own_password = writes(management.change_own_password)
idle_lock_minutes = reads(management.idle_lock_minutes)
set_idle_lock_minutes = writes(management.set_idle_lock_minutes)
