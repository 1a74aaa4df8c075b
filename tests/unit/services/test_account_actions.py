"""The account use cases the window calls: the sign-in at opening (a name, the demo's
coordinator, or the dialog), each action its own unit of work, roles checked in the use case."""

import pytest

from app.services.accounts import actions
from app.services.accounts.command_line import DEMO_COORDINATOR, ensure_demo_accounts
from app.services.accounts.management import AccountInput, SignInRefused
from app.services.base_access.demo_mark import mark_demo_base
from app.services.errors import PermissionDenied, ValidationError
from app.storage import Database
from tests.conftest import make_actor

PASSWORD = "phrase de passe longue"
COORDINATION = make_actor("coordination", "nadia")
RECEPTION = make_actor("accueil", "karim")


def test_without_a_name_a_base_with_accounts_asks_who_is_there(db: Database) -> None:
    actions.create_first_account(db, AccountInput("Nadia Belkacem", "nadia"), PASSWORD, PASSWORD)
    assert actions.sign_in_at_opening(db, None) is None  # the sign-in dialog asks
    assert not actions.needs_first_account(db)
    account = actions.authenticate(db, "nadia", PASSWORD)
    assert account.actor.role == "coordination"


def test_a_name_is_signed_in_without_a_password_and_made_on_a_new_base(db: Database) -> None:
    assert actions.needs_first_account(db)
    account = actions.sign_in_at_opening(db, "Nadia")
    assert account is not None and account.username == "Nadia"
    assert account.actor.role == "coordination"
    with pytest.raises(SignInRefused, match="Aucun compte actif « inconnu »"):
        actions.sign_in_at_opening(db, "inconnu")


def test_a_demo_base_opens_as_its_coordinator(db: Database) -> None:
    with db.session() as session:
        mark_demo_base(session)
        ensure_demo_accounts(session)
    account = actions.sign_in_at_opening(db, None)
    assert account is not None and account.username == DEMO_COORDINATOR


def test_the_users_page_actions_are_for_coordination(db: Database) -> None:
    actions.sign_in_at_opening(db, "nadia")
    data = AccountInput("Karim Diallo", "karim", "accueil")
    with pytest.raises(PermissionDenied):
        actions.create_account(db, data, PASSWORD, PASSWORD, actor=RECEPTION)
    with pytest.raises(ValidationError):
        actions.create_account(db, data, PASSWORD, "autre chose", actor=COORDINATION)
    assert [a.username for a in actions.list_accounts(db, actor=COORDINATION)] == ["nadia"]
    karim = actions.create_account(db, data, PASSWORD, PASSWORD, actor=COORDINATION)
    assert actions.deactivate(db, karim.id, actor=COORDINATION).active is False
    with pytest.raises(PermissionDenied):
        actions.list_accounts(db, actor=RECEPTION)


def test_the_idle_lock_is_read_and_set_by_coordination(db: Database) -> None:
    actions.set_idle_lock_minutes(db, 3, actor=COORDINATION)
    assert actions.idle_lock_minutes(db) == 3
    with pytest.raises(PermissionDenied):
        actions.set_idle_lock_minutes(db, 30, actor=RECEPTION)
    assert actions.idle_lock_minutes(db) == 3
