"""Local accounts: scrypt hashing, sign-in, roles, the last coordination account, idle lock."""

import hashlib
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import UserAccount
from app.services import accounts as a
from app.services.errors import PermissionDenied, UserFacingError, ValidationError
from app.storage import Database

COORD, ACCUEIL, FORMATEUR = "coordination", "accueil", "formateur"
PASSWORD = "correct horse battery"


@pytest.fixture
def s(db: Database) -> Iterator[Session]:
    with db.session() as session:
        yield session


def _first(s: Session, username: str = "nadia", password: str = PASSWORD) -> a.AccountInfo:
    data = a.AccountInput("Nadia Belkacem", username)
    return a.create_first_account(s, data, password, password)


def _add(s: Session, username: str, role: str, password: str = PASSWORD) -> a.AccountInfo:
    data = a.AccountInput(username.title(), username, role)
    return a.create_account(s, data, password, password, role=COORD)


def _row(s: Session, username: str) -> UserAccount:
    return s.scalars(select(UserAccount).where(UserAccount.username == username)).one()


# ---------------------------------------------------------------- hashing


def test_password_is_stored_as_a_scrypt_hash_with_its_parameters(s: Session) -> None:
    _first(s)
    row = _row(s, "nadia")
    assert (row.scrypt_n, row.scrypt_r, row.scrypt_p) == (2**14, 8, 1)
    assert len(row.salt) == a.SALT_BYTES
    assert PASSWORD.encode() not in row.password_hash
    expected = hashlib.scrypt(
        PASSWORD.encode(), salt=row.salt, n=row.scrypt_n, r=row.scrypt_r, p=row.scrypt_p, dklen=64
    )
    assert row.password_hash == expected


def test_salt_differs_per_user_so_same_password_gives_different_hashes(s: Session) -> None:
    _first(s)
    _add(s, "karim", ACCUEIL)
    nadia, karim = _row(s, "nadia"), _row(s, "karim")
    assert nadia.salt != karim.salt
    assert nadia.password_hash != karim.password_hash


def test_stored_parameters_are_used_to_check_so_they_can_change(s: Session) -> None:
    _first(s)
    row = _row(s, "nadia")
    row.scrypt_n = 2**12
    row.password_hash = hashlib.scrypt(
        PASSWORD.encode(), salt=row.salt, n=2**12, r=8, p=1, dklen=64
    )
    assert a.authenticate(s, "nadia", PASSWORD).username == "nadia"


def test_clear_password_is_neither_in_the_file_nor_in_the_log(
    db: Database, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with db.session() as session:
        _first(session)
    with db.session() as session:
        a.authenticate(session, "nadia", PASSWORD)
        with pytest.raises(a.SignInRefused):
            a.authenticate(session, "nadia", PASSWORD + "x")
    db.dispose()
    stored = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    assert PASSWORD.encode() not in stored
    assert PASSWORD not in caplog.text


# ---------------------------------------------------------------- signing in


def test_authenticate_right_password_returns_the_account_and_notes_the_time(s: Session) -> None:
    _first(s)
    now = datetime(2026, 12, 1, 9, 0)
    account = a.authenticate(s, "  NADIA ", PASSWORD, now=now)
    assert (account.username, account.role, account.last_sign_in) == ("nadia", COORD, now)


@pytest.mark.parametrize(
    ("username", "password"),
    [("nadia", "wrong password!"), ("inconnu", PASSWORD), ("", ""), ("nadia", "")],
)
def test_wrong_password_and_unknown_user_get_the_same_message(
    s: Session, username: str, password: str
) -> None:
    _first(s)
    with pytest.raises(a.SignInRefused) as refused:
        a.authenticate(s, username, password)
    assert str(refused.value) == "Identifiant ou mot de passe incorrect."


def test_deactivated_account_cannot_sign_in(s: Session) -> None:
    _first(s)
    karim = _add(s, "karim", ACCUEIL)
    a.deactivate(s, karim.id, role=COORD)
    with pytest.raises(a.SignInRefused, match="Identifiant ou mot de passe incorrect"):
        a.authenticate(s, "karim", PASSWORD)
    a.reactivate(s, karim.id, role=COORD)
    assert a.authenticate(s, "karim", PASSWORD).active


def test_has_accounts(s: Session) -> None:
    assert not a.has_accounts(s)
    _first(s)
    assert a.has_accounts(s)


# ---------------------------------------------------------------- creating


def test_first_account_is_coordination_and_only_once(s: Session) -> None:
    first = _first(s)
    assert first.role == COORD
    with pytest.raises(UserFacingError, match="déjà été créé"):
        _first(s, username="autre")


@pytest.mark.parametrize(
    ("password", "confirmation", "field", "message"),
    [
        ("court", "court", "mot_de_passe", "au moins 10 caractères"),
        (" " * 12, " " * 12, "mot_de_passe", "que d'espaces"),
        ("assez long mot", "assez long mot!", "confirmation", "pas identiques"),
    ],
)
def test_password_rules_in_french(
    s: Session, password: str, confirmation: str, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        a.create_first_account(s, a.AccountInput("Nadia", "nadia"), password, confirmation)
    assert message in refused.value.errors[field]
    assert not a.has_accounts(s)


def test_identity_rules_list_every_field(s: Session) -> None:
    _first(s)
    with pytest.raises(ValidationError) as refused:
        a.create_account(s, a.AccountInput("", "NADIA", "chef"), "x", "x", role=COORD)
    errors = refused.value.errors
    assert errors["nom"] == "Le nom est obligatoire."
    assert errors["identifiant"] == "Cet identifiant est déjà pris."
    assert "accueil, formateur ou coordination" in errors["role"]
    assert "mot_de_passe" in errors


@pytest.mark.parametrize("role", [ACCUEIL, FORMATEUR, "", "admin"])
def test_only_coordination_manages_accounts(s: Session, role: str) -> None:
    first = _first(s)
    karim = _add(s, "karim", ACCUEIL)
    data = a.AccountInput("Zoé", "zoe", ACCUEIL)
    for attempt in (
        lambda: a.create_account(s, data, PASSWORD, PASSWORD, role=role),
        lambda: a.change_password(s, karim.id, PASSWORD, PASSWORD, role=role),
        lambda: a.set_role(s, karim.id, COORD, role=role),
        lambda: a.deactivate(s, first.id, role=role),
        lambda: a.reactivate(s, karim.id, role=role),
        lambda: a.list_accounts(s, role=role),
        lambda: a.set_idle_lock_minutes(s, 5, role=role),
    ):
        with pytest.raises(PermissionDenied, match="Seule la coordination peut"):
            attempt()


# ---------------------------------------------------------------- managing


def test_reset_and_own_password_change(s: Session) -> None:
    _first(s)
    karim = _add(s, "karim", FORMATEUR)
    a.change_password(s, karim.id, "nouveau mot de passe", "nouveau mot de passe", role=COORD)
    with pytest.raises(a.SignInRefused):
        a.authenticate(s, "karim", PASSWORD)
    assert a.authenticate(s, "karim", "nouveau mot de passe").id == karim.id
    with pytest.raises(ValidationError) as refused:
        a.change_own_password(s, karim.id, "pas le bon", "encore un autre", "encore un autre")
    assert refused.value.errors == {"mot_de_passe_actuel": "Le mot de passe actuel est incorrect."}
    a.change_own_password(s, karim.id, "nouveau mot de passe", "encore un autre", "encore un autre")
    assert a.authenticate(s, "karim", "encore un autre").id == karim.id


def test_last_active_coordination_account_is_protected(s: Session) -> None:
    first = _first(s)
    with pytest.raises(UserFacingError, match="au moins un compte de coordination actif"):
        a.deactivate(s, first.id, role=COORD)
    with pytest.raises(UserFacingError, match="au moins un compte de coordination actif"):
        a.set_role(s, first.id, ACCUEIL, role=COORD)
    other = _add(s, "sophie", COORD)
    a.set_role(s, first.id, FORMATEUR, role=COORD)
    with pytest.raises(UserFacingError, match="au moins un compte de coordination actif"):
        a.deactivate(s, other.id, role=COORD)
    assert a.get_account(s, other.id).active
    assert a.get_account(s, first.id).role == FORMATEUR


def test_an_inactive_coordinator_does_not_count(s: Session) -> None:
    first = _first(s)
    other = _add(s, "sophie", COORD)
    a.deactivate(s, other.id, role=COORD)
    with pytest.raises(UserFacingError, match="au moins un compte de coordination actif"):
        a.set_role(s, first.id, ACCUEIL, role=COORD)


def test_list_accounts_active_first_by_name(s: Session) -> None:
    _first(s)
    zoe = _add(s, "zoe", ACCUEIL)
    _add(s, "albert", FORMATEUR)
    a.deactivate(s, zoe.id, role=COORD)
    listed = a.list_accounts(s, role=COORD)
    assert [x.username for x in listed] == ["albert", "nadia", "zoe"]
    assert [x.role_label for x in listed] == ["Formateur", "Coordination", "Accueil"]


# ---------------------------------------------------------------- automation


def test_sign_in_without_password_creates_an_unusable_coordination_account(s: Session) -> None:
    account = a.sign_in_without_password(s, "Nadia Belkacem")
    assert (account.username, account.display_name, account.role) == (
        "Nadia Belkacem",
        "Nadia Belkacem",
        COORD,
    )
    for guess in ("", "Nadia Belkacem", PASSWORD):
        with pytest.raises(a.SignInRefused):
            a.authenticate(s, "Nadia Belkacem", guess)
    assert a.sign_in_without_password(s, "nadia belkacem").id == account.id


def test_sign_in_without_password_refuses_an_unknown_name_once_accounts_exist(
    s: Session,
) -> None:
    _first(s)
    with pytest.raises(a.SignInRefused, match="Aucun compte actif « inconnu »"):
        a.sign_in_without_password(s, "inconnu")


# ---------------------------------------------------------------- idle lock


def test_idle_lock_defaults_to_ten_minutes_and_is_stored(db: Database) -> None:
    with db.session() as session:
        assert a.idle_lock_minutes(session) == 10
        a.set_idle_lock_minutes(session, 3, role=COORD)
    with db.session(commit=False) as session:
        assert a.idle_lock_minutes(session) == 3


@pytest.mark.parametrize("minutes", [0, -5, 241])
def test_idle_lock_out_of_range_is_refused(s: Session, minutes: int) -> None:
    with pytest.raises(ValidationError, match="Entre 1 et 240 minutes"):
        a.set_idle_lock_minutes(s, minutes, role=COORD)


def test_first_account_is_offered_until_a_coordinator_can_sign_in(s: Session) -> None:
    assert a.needs_first_account(s)
    a.sign_in_without_password(s, "automate")
    assert a.needs_first_account(s)  # nobody knows that account's password
    _first(s)
    assert not a.needs_first_account(s)
    assert a.authenticate(s, "nadia", PASSWORD).role == COORD
