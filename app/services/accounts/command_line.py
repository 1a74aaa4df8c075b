"""Who a command of the command line acts as (CONTRACT.md, *Who acts*).

Every command signs an account in: `--user NAME` with the password typed on the terminal or
taken from `FABRIQUE_PASSWORD`. A demo base (made by `seed-demo` or `--demo`, marked inside
the base) opens without a password, as its demo coordinator unless `--user` names another demo
account. A base without any account yet (made by a command, never opened in the window) lets
commands act as coordination, with a warning, until its first account is created.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain.account import ROLE_ACCUEIL, ROLE_COORDINATION, ROLE_FORMATEUR, ROLE_LABELS
from app.services.accounts import management as accounts
from app.services.accounts.management import SignedInAccount, SignInRefused
from app.services.actor import _SIGNED_IN, Actor, Via
from app.services.base_access.demo_mark import is_demo_base, mark_demo_base
from app.services.errors import PermissionDenied, UserFacingError

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_COORDINATOR",
    "DEMO_PASSWORDS",
    "CommandActor",
    "DemoAccount",
    "PasswordMissing",
    "actor_of",
    "demo_accounts_text",
    "ensure_demo_accounts",
    "is_demo_base",
    "mark_demo_base",
    "require_role",
    "sign_in_command",
]

DEMO_COORDINATOR = "claire.vasseur"
# The demo's passwords, one per role, published (README, seed-demo, --demo): a demo base opens
# without one, they are for signing in again after *Changer d'utilisateur*. Each meets the
# password rule (password_policy.py) for its accounts.
DEMO_PASSWORDS = {
    ROLE_COORDINATION: "demo coordonne toute la fabrique",
    ROLE_ACCUEIL: "demo accueille chaque candidat",
    ROLE_FORMATEUR: "demo anime les ateliers",
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str

    @property
    def password(self) -> str:
        return DEMO_PASSWORDS[self.role]


# The demo's staff (app/demo/words.py STAFF): at least one account per role.
DEMO_ACCOUNTS = (
    DemoAccount(DEMO_COORDINATOR, "Claire Vasseur", ROLE_COORDINATION),
    DemoAccount("nadia.belkacem", "Nadia Belkacem", ROLE_ACCUEIL),
    DemoAccount("sophie.marchand", "Sophie Marchand", ROLE_ACCUEIL),
    DemoAccount("julien.morel", "Julien Morel", ROLE_FORMATEUR),
    DemoAccount("elodie.perrin", "Élodie Perrin", ROLE_FORMATEUR),
)
NO_ACCOUNT_YET = (
    "Attention : cette base n'a encore aucun compte ; la commande agit comme la coordination. "
    "Créez le premier compte de coordination dans la fenêtre : les commandes demanderont "
    "ensuite --user et le mot de passe."
)


class PasswordMissing(UserFacingError):
    """No password could be asked (no terminal) nor read from FABRIQUE_PASSWORD."""


@dataclass(frozen=True)
class CommandActor:
    """The account a command acts as (`actor.author` names it "<name> (ligne de commande)")."""

    actor: Actor
    warning: str = ""  # printed on stderr (a base without accounts)


def ensure_demo_accounts(session: Session) -> None:
    """The demo's staff as accounts with their published passwords (a demo base opens
    without one; they are for signing in again in the window)."""
    for account in DEMO_ACCOUNTS:
        accounts.ensure_demo_account(
            session, account.username, account.display_name, account.role, account.password
        )


def demo_accounts_text() -> str:
    """What seed-demo and --demo print: who can sign in, with which password."""
    lines = ["Comptes de démonstration :"]
    for account in DEMO_ACCOUNTS:
        lines.append(
            f"- {ROLE_LABELS[account.role]} — {account.display_name} : identifiant "
            f"« {account.username} », mot de passe « {account.password} »"
        )
    lines.append(
        "La base de démonstration s'ouvre sans mot de passe, comme la coordination ; "
        "les mots de passe servent après « Changer d'utilisateur »."
    )
    return "\n".join(lines)


def sign_in_command(
    session: Session, username: str | None, ask_password: Callable[[], str | None]
) -> CommandActor:
    """The account a command acts as, or a French refusal.

    `ask_password` reads FABRIQUE_PASSWORD or the terminal; None when neither is possible.
    """
    if is_demo_base(session):
        info = accounts.sign_in_without_password(session, username or DEMO_COORDINATOR)
        return actor_of(info)
    if not accounts.has_accounts(session):
        # No account can sign in yet: the command acts as coordination (actor.py).
        actor = Actor(
            "ligne de commande",
            "Ligne de commande",
            ROLE_COORDINATION,
            Via.COMMAND_LINE,
            token=_SIGNED_IN,
        )
        return CommandActor(actor, warning=NO_ACCOUNT_YET)
    if not username:
        raise SignInRefused(
            "Indiquer le compte qui agit : --user NOM (le mot de passe est demandé, ou lu dans "
            "FABRIQUE_PASSWORD)."
        )
    password = ask_password()
    if password is None:
        raise PasswordMissing(
            "Mot de passe introuvable : le taper au terminal, ou le donner dans la variable "
            "d'environnement FABRIQUE_PASSWORD (automatisation)."
        )
    return actor_of(accounts.authenticate(session, username, password))


def require_role(actor: Actor, allowed: tuple[str, ...], what: str) -> None:
    """Refuse, in French, a command the account's role may not run."""
    if actor.role not in allowed:
        labels = " ou ".join(ROLE_LABELS[role].lower() for role in allowed)
        raise PermissionDenied(
            f"Le compte « {actor.username} » ({ROLE_LABELS[actor.role].lower()}) ne peut pas "
            f"{what} : réservé à {labels}."
        )


def actor_of(info: SignedInAccount) -> CommandActor:
    """The command's actor for an account just signed in (by a password, or the password that
    unlocked the base)."""
    return CommandActor(info.actor.through_command_line())
