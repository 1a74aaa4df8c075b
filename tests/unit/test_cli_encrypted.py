"""The command line on a base protected by passwords: a new process knows no key, so the base
opens only with `--user`'s password (or, to reset a password, with the recovery key)."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.domain import AuditEntry
from app.domain.account import ROLE_ACCUEIL, ROLE_COORDINATION
from app.services.accounts import management as accounts
from app.services.accounts.management import AccountInput
from app.services.base_access import keys as base_keys
from app.services.base_access.opening import open_app_database, open_with_password
from app.storage import cipher
from tests.conftest import make_actor

PASSWORD = "phrase de passe longue"
NEW_PASSWORD = "une toute autre phrase secrète"


@pytest.fixture
def protected(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A base with a coordinator and a receptionist; its recovery key; no key known here."""
    path = tmp_path / "fabrique.sqlite"
    database = open_app_database("sqlite:///" + str(path))
    coordination = make_actor(ROLE_COORDINATION)
    with database.session() as session:
        first = AccountInput("Claire Vasseur", "claire", ROLE_COORDINATION)
        accounts.create_first_account(session, first, PASSWORD, PASSWORD)
        data = AccountInput("Nadia Belkacem", "nadia", ROLE_ACCUEIL)
        accounts.create_account(session, data, PASSWORD, PASSWORD, actor=coordination)
    with database.session(commit=False) as session:
        recovery = base_keys.recovery_key_to_hand_over(session, actor=coordination)
    database.dispose()
    assert recovery is not None
    cipher.forget_keys()  # as a new process would start
    yield path, recovery
    cipher.forget_keys()


def _export(path: Path, *extra: str) -> list[str]:
    return ["export", "candidates", "--db", str(path), "--out", str(path.parent / "c.csv"), *extra]


def test_the_file_is_not_readable_without_the_key(protected: tuple[Path, str]) -> None:
    path, _recovery = protected
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchone()


def test_a_command_without_user_is_refused_in_french(
    protected: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _recovery = protected
    assert main(_export(path)) == 1
    assert "protégée par mot de passe" in capsys.readouterr().err
    assert not (path.parent / "c.csv").exists()


def test_a_wrong_password_is_refused_and_journaled_later(
    protected: tuple[Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _recovery = protected
    monkeypatch.setenv("FABRIQUE_PASSWORD", "pas le bon mot de passe")
    assert main(_export(path, "--user", "nadia")) == 1
    assert "Identifiant ou mot de passe incorrect." in capsys.readouterr().err
    monkeypatch.setenv("FABRIQUE_PASSWORD", PASSWORD)
    assert main(_export(path, "--user", "nadia")) == 0
    database, _account = open_with_password("sqlite:///" + str(path), "claire", PASSWORD)
    with database.session(commit=False) as session:
        summaries = list(session.scalars(select(AuditEntry.summary)))
    database.dispose()
    assert any("Connexion refusée" in s and "base fermée" in s for s in summaries), summaries


def test_the_right_password_acts_as_that_account(
    protected: tuple[Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _recovery = protected
    monkeypatch.setenv("FABRIQUE_PASSWORD", PASSWORD)
    assert main(_export(path, "--user", "nadia")) == 0
    assert "exporté" in capsys.readouterr().out
    database, _account = open_with_password("sqlite:///" + str(path), "claire", PASSWORD)
    with database.session(commit=False) as session:
        authors = set(session.scalars(select(AuditEntry.author)))
    database.dispose()
    assert "Nadia Belkacem (ligne de commande)" in authors


def test_check_reads_a_protected_base_with_a_password(
    protected: tuple[Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _recovery = protected
    assert main(["check", "--db", str(path)]) == 1
    assert "indiquez le compte qui vérifie (--user)" in capsys.readouterr().out
    monkeypatch.setenv("FABRIQUE_PASSWORD", PASSWORD)
    assert main(["check", "--db", str(path), "--user", "claire"]) == 0
    assert "présent, chiffré et lisible" in capsys.readouterr().out


def test_the_recovery_key_gives_a_new_password(
    protected: tuple[Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, recovery = protected
    monkeypatch.setenv("FABRIQUE_RECOVERY_KEY", "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE")
    monkeypatch.setenv("FABRIQUE_PASSWORD", NEW_PASSWORD)
    assert main(["recover", "--db", str(path), "--user", "claire"]) == 1
    assert "Clé de secours incorrecte" in capsys.readouterr().err
    monkeypatch.setenv("FABRIQUE_RECOVERY_KEY", recovery.lower().replace("-", " "))
    assert main(["recover", "--db", str(path), "--user", "claire"]) == 0
    assert "Nouveau mot de passe enregistré pour « claire »" in capsys.readouterr().out
    cipher.forget_keys()
    with pytest.raises(accounts.SignInRefused):
        open_with_password("sqlite:///" + str(path), "claire", PASSWORD)
    database, account = open_with_password("sqlite:///" + str(path), "claire", NEW_PASSWORD)
    with database.session(commit=False) as session:
        summaries = list(session.scalars(select(AuditEntry.summary)))
    database.dispose()
    assert account.role == ROLE_COORDINATION
    assert any("réinitialisé avec la clé de secours" in s for s in summaries)
