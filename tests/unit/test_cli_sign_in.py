"""Who a command acts as (CONTRACT.md, *Who acts*; issue 12 point 3): an account signed in with
`--user` and its password (terminal or FABRIQUE_PASSWORD), its role checked; a demo base opens
without a password as its demo coordinator."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import EXIT_OK, EXIT_REFUSED, main
from app.domain import AuditEntry
from app.domain.account import ROLE_ACCUEIL, ROLE_COORDINATION, ROLE_FORMATEUR
from app.services.accounts import management as accounts
from app.services.accounts.management import AccountInput
from app.services.base_access.demo_mark import is_demo_base
from app.services.base_access.opening import open_app_database
from tests.conftest import TODAY, make_actor

PASSWORD = "Fabrique-Accueil-2026!"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    assert main(["seed-demo", "--db", str(path)]) == EXIT_OK
    yield path


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.sqlite"
    for suffix in ("", "-wal", "-shm", ".cles"):  # the seed may still sit in the write-ahead log
        source = Path(str(demo_template) + suffix)
        if source.exists():
            shutil.copy(source, str(copy) + suffix)
    return copy


@pytest.fixture
def staffed(tmp_path: Path) -> Path:
    """A real base: a coordinator, a receptionist and a trainer, each with a password."""
    path = tmp_path / "fabrique.sqlite"
    database = open_app_database("sqlite:///" + str(path), today=TODAY)
    with database.session() as s:
        first = AccountInput("Claire Vasseur", "claire", ROLE_COORDINATION)
        accounts.create_first_account(s, first, PASSWORD, PASSWORD)
        for name, username, role in (
            ("Nadia Belkacem", "nadia", ROLE_ACCUEIL),
            ("Julien Morel", "julien", ROLE_FORMATEUR),
        ):
            data = AccountInput(name, username, role)
            accounts.create_account(
                s, data, PASSWORD, PASSWORD, actor=make_actor(ROLE_COORDINATION)
            )
    database.dispose()
    return path


def _export(path: Path, *extra: str) -> list[str]:
    out = path.with_name("candidats.csv")
    return ["export", "candidates", "--db", str(path), "--out", str(out), *extra]


def _authors(path: Path) -> set[str]:
    database = open_app_database("sqlite:///" + str(path), today=TODAY)
    with database.session(commit=False) as s:
        found = set(s.scalars(select(AuditEntry.author)))
    database.dispose()
    return found


def test_seed_demo_marks_the_base_and_makes_its_staff_accounts(demo: Path) -> None:
    database = open_app_database("sqlite:///" + str(demo), today=TODAY)
    with database.session(commit=False) as s:
        assert is_demo_base(s)
        names = {
            a.username: a.role
            for a in accounts.list_accounts(s, actor=make_actor(ROLE_COORDINATION))
        }
    database.dispose()
    assert names["claire.vasseur"] == ROLE_COORDINATION
    assert names["julien.morel"] == ROLE_FORMATEUR


def test_a_demo_base_needs_no_password_and_names_its_coordinator(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, *_export(demo))
    assert code == EXIT_OK and "exporté" in out
    assert "Claire Vasseur (ligne de commande)" in _authors(demo)


def test_a_demo_trainer_may_not_export_candidates(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, *_export(demo, "--user", "julien.morel"))
    assert code == EXIT_REFUSED
    assert "julien.morel" in err and "formateur" in err and "réservé" in err
    assert not demo.with_name("candidats.csv").exists()


def test_a_real_base_wants_an_account(staffed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, *_export(staffed))
    assert code == EXIT_REFUSED
    assert "--user" in err
    assert not staffed.with_name("candidats.csv").exists()


def test_no_terminal_and_no_variable_means_no_password(
    staffed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FABRIQUE_PASSWORD", raising=False)
    code, _out, err = run(capsys, *_export(staffed, "--user", "claire"))
    assert code == EXIT_REFUSED
    assert "FABRIQUE_PASSWORD" in err


def test_a_wrong_password_is_refused(
    staffed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FABRIQUE_PASSWORD", "pas le bon mot de passe")
    code, _out, err = run(capsys, *_export(staffed, "--user", "claire"))
    assert code == EXIT_REFUSED
    assert "mot de passe" in err.lower()
    assert not staffed.with_name("candidats.csv").exists()


def test_the_right_password_acts_as_that_account(
    staffed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FABRIQUE_PASSWORD", PASSWORD)
    code, _out, _err = run(capsys, *_export(staffed, "--user", "nadia"))
    assert code == EXIT_OK
    assert "Nadia Belkacem (ligne de commande)" in _authors(staffed)


def test_each_command_checks_the_role(
    staffed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FABRIQUE_PASSWORD", PASSWORD)
    out = staffed.with_name("conventions.csv")
    agreements = ["export", "agreements", "--db", str(staffed), "--out", str(out)]
    assert run(capsys, *agreements, "--user", "nadia")[0] == EXIT_REFUSED
    assert run(capsys, *_export(staffed, "--user", "julien"))[0] == EXIT_REFUSED
    copy = ["backup", "--db", str(staffed), "--to", str(staffed.parent / "copies")]
    assert run(capsys, *copy, "--user", "nadia")[0] == EXIT_REFUSED
    assert run(capsys, *copy, "--user", "claire")[0] == EXIT_OK


def test_seed_demo_never_turns_a_real_base_into_a_demo(
    staffed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "seed-demo", "--db", str(staffed))
    assert code == EXIT_REFUSED
    assert "comptes" in err
    database = open_app_database("sqlite:///" + str(staffed), today=TODAY)
    with database.session(commit=False) as s:
        assert not is_demo_base(s)
    database.dispose()


def test_a_base_without_accounts_warns_after_acting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "neuve.sqlite"
    code, _out, err = run(capsys, *_export(path))
    assert code == EXIT_OK
    assert "aucun compte" in err
