"""The demo has one account per role at least, with published passwords that meet the rule;
seed-demo and --demo print them; the demo base still opens without a password."""

from pathlib import Path

import pytest

from app.cli import EXIT_OK, main
from app.domain.account import ROLES
from app.services.accounts import management as accounts
from app.services.accounts.command_line import (
    DEMO_ACCOUNTS,
    DEMO_COORDINATOR,
    DemoAccount,
    demo_accounts_text,
    ensure_demo_accounts,
)
from app.services.accounts.password_policy import password_problem
from app.services.base_access.demo_mark import mark_demo_base
from app.services.base_access.opening import open_app_database
from app.services.errors import UserFacingError
from app.storage import Database
from tests.conftest import TODAY


def test_every_role_has_a_demo_account() -> None:
    assert {account.role for account in DEMO_ACCOUNTS} == set(ROLES)


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_each_demo_password_meets_the_password_rule(account: DemoAccount) -> None:
    problem = password_problem(
        account.password, username=account.username, display_name=account.display_name
    )
    assert problem is None


def test_the_printed_text_names_each_account_and_its_password() -> None:
    text = demo_accounts_text()
    for account in DEMO_ACCOUNTS:
        assert f"« {account.username} », mot de passe « {account.password} »" in text
    assert "Changer d'utilisateur" in text


def test_each_demo_account_signs_in_with_its_printed_password(db: Database) -> None:
    with db.session() as s:
        mark_demo_base(s)
        ensure_demo_accounts(s)
        for account in DEMO_ACCOUNTS:
            signed = accounts.authenticate(s, account.username, account.password)
            assert (signed.username, signed.role) == (account.username, account.role)
        with pytest.raises(UserFacingError):
            accounts.authenticate(s, DEMO_COORDINATOR, "pas le bon mot de passe")


def test_an_older_demo_account_without_password_gets_its_password(db: Database) -> None:
    coordinator = DEMO_ACCOUNTS[0]
    with db.session() as s:
        mark_demo_base(s)
        accounts.ensure_passwordless_account(
            s, coordinator.username, coordinator.display_name, coordinator.role
        )
        ensure_demo_accounts(s)
        assert accounts.authenticate(s, coordinator.username, coordinator.password).role == (
            coordinator.role
        )


def test_the_first_sign_in_hashes_a_demo_password_at_full_cost(db: Database) -> None:
    with db.session() as s:
        mark_demo_base(s)
        ensure_demo_accounts(s)
        account = DEMO_ACCOUNTS[1]
        accounts.authenticate(s, account.username, account.password)
        stored = accounts._find(s, account.username)
        assert stored is not None and stored.scrypt_n == accounts.SCRYPT_N


def test_seed_demo_prints_the_accounts_and_the_base_opens_without_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.sqlite"
    assert main(["seed-demo", "--db", str(path)]) == EXIT_OK
    out = capsys.readouterr().out
    assert demo_accounts_text() in out
    database = open_app_database("sqlite:///" + str(path), today=TODAY)
    try:
        with database.session() as s:
            signed = accounts.sign_in_without_password(s, DEMO_COORDINATOR)
        assert signed.role == "coordination"
    finally:
        database.dispose()


def test_the_demo_window_prints_the_accounts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[bool] = []

    def run_gui(_url: object, *, demo: bool) -> int:
        opened.append(demo)
        return 0

    monkeypatch.setattr("app.ui.app.run_gui", run_gui)
    assert main(["--demo"]) == 0
    assert opened == [True]
    assert demo_accounts_text() in capsys.readouterr().out
