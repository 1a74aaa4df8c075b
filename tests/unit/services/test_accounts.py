"""Local accounts: scrypt hashing and its cost, sign-in and its lock-out, roles, the last
coordination account, idle lock."""

import hashlib
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import AuditEntry, UserAccount
from app.services.accounts import management as a
from app.services.errors import PermissionDenied, UserFacingError, ValidationError
from app.storage import Database
from tests.conftest import PRODUCTION_SCRYPT_N, make_actor

COORD, ACCUEIL, FORMATEUR = "coordination", "accueil", "formateur"
PASSWORD = "Cobalt, accueil du lundi"
T0 = datetime(2026, 12, 1, 9, 0)
REFUSED = "Identifiant ou mot de passe incorrect."


@pytest.fixture
def s(db: Database) -> Iterator[Session]:
    with db.session() as session:
        yield session


def _first(s: Session, username: str = "nadia", password: str = PASSWORD) -> a.AccountInfo:
    data = a.AccountInput("Nadia Belkacem", username)
    return a.create_first_account(s, data, password, password)


def _add(s: Session, username: str, role: str, password: str = PASSWORD) -> a.AccountInfo:
    data = a.AccountInput(username.title(), username, role)
    return a.create_account(s, data, password, password, actor=make_actor(COORD))


def _row(s: Session, username: str) -> UserAccount:
    return s.scalars(select(UserAccount).where(UserAccount.username == username)).one()


def _scrypt(password: str, row: UserAccount) -> bytes:
    n, r, p = row.scrypt_n, row.scrypt_r, row.scrypt_p
    return hashlib.scrypt(
        password.encode(), salt=row.salt, n=n, r=r, p=p, maxmem=2 * 128 * r * n, dklen=64
    )


def _refusal(s: Session, username: str, password: str, now: datetime) -> str:
    """The French message a sign-in gets (it must be refused)."""
    with pytest.raises(a.SignInRefused) as refused:
        a.authenticate(s, username, password, now=now)
    return str(refused.value)


# ---------------------------------------------------------------- hashing


def test_password_is_stored_as_a_scrypt_hash_with_its_parameters(s: Session) -> None:
    _first(s)
    row = _row(s, "nadia")
    assert (row.scrypt_n, row.scrypt_r, row.scrypt_p) == (a.SCRYPT_N, 8, 1)
    assert len(row.salt) == a.SALT_BYTES
    assert PASSWORD.encode() not in row.password_hash
    assert row.password_hash == _scrypt(PASSWORD, row)


def test_production_hashes_cost_at_least_n_2_17(
    s: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tests hash cheaply (tests/conftest.py); the application's own cost is checked here,
    hashes and all (OpenSSL refuses N = 2^17 unless `maxmem` is raised)."""
    monkeypatch.setattr(a, "SCRYPT_N", PRODUCTION_SCRYPT_N)
    _first(s)
    row = _row(s, "nadia")
    assert row.scrypt_n >= 2**17
    assert (row.scrypt_r, row.scrypt_p) == (8, 1)
    assert row.password_hash == _scrypt(PASSWORD, row)
    assert a.authenticate(s, "nadia", PASSWORD).username == "nadia"


def test_an_older_hash_is_made_again_at_the_next_successful_sign_in(
    s: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(a, "SCRYPT_N", 2**14)  # the cost before issue 12
    _first(s)
    old_salt, old_hash = _row(s, "nadia").salt, _row(s, "nadia").password_hash
    monkeypatch.setattr(a, "SCRYPT_N", PRODUCTION_SCRYPT_N)

    _refusal(s, "nadia", "Pas-le-bon-mot-2026", T0)
    row = _row(s, "nadia")
    assert (row.scrypt_n, row.password_hash) == (2**14, old_hash)  # a failure changes nothing

    a.authenticate(s, "nadia", PASSWORD, now=T0)
    row = _row(s, "nadia")
    assert row.scrypt_n == PRODUCTION_SCRYPT_N >= 2**17
    assert row.salt != old_salt
    assert row.password_hash == _scrypt(PASSWORD, row)
    a.authenticate(s, "nadia", PASSWORD, now=T0)
    assert _row(s, "nadia").password_hash == row.password_hash  # made once


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


@pytest.mark.sqlite_only  # reads the base's file
def test_clear_password_is_neither_in_the_file_nor_in_the_log(
    db: Database, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with db.session() as session:
        _first(session)
    with db.session() as session:
        a.authenticate(session, "nadia", PASSWORD)
    with pytest.raises(a.SignInRefused), db.session() as session:
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
    a.deactivate(s, karim.id, actor=make_actor(COORD))
    with pytest.raises(a.SignInRefused, match="Identifiant ou mot de passe incorrect"):
        a.authenticate(s, "karim", PASSWORD)
    a.reactivate(s, karim.id, actor=make_actor(COORD))
    assert a.authenticate(s, "karim", PASSWORD).active


# ---------------------------------------------------------------- lock-out


def _fail_until(s: Session, username: str, failures: int, start: datetime = T0) -> datetime:
    """`failures` wrong passwords in a row, each once the previous wait is over; the time of
    the last one."""
    now = start
    for k in range(1, failures + 1):
        if k > 1:
            now += timedelta(seconds=a.LOCK_DURATION.total_seconds() if k > 10 else 2 ** (k - 6))
        _refusal(s, username, "Pas-le-bon-mot-2026", now)
    return now


def test_five_failures_then_a_wait_that_doubles_with_each_failure(s: Session) -> None:
    _first(s)
    messages = [_refusal(s, "nadia", f"Essai-{k}-manqué!", T0) for k in range(1, 6)]
    assert messages[:4] == [REFUSED] * 4
    assert messages[4] == REFUSED + " Trop d'essais : réessayer dans 1 seconde."
    # During the wait even the right password is refused, without being checked.
    with pytest.raises(a.SignInDelayed, match="réessayer dans 1 seconde") as delayed:
        a.authenticate(s, "nadia", PASSWORD, now=T0 + timedelta(milliseconds=200))
    assert delayed.value.until == T0 + timedelta(seconds=1)
    assert _row(s, "nadia").failed_sign_ins == 5  # a refused wait is no new failure

    now = T0
    for k, wait in ((6, 2), (7, 4), (8, 8), (9, 16)):
        now += timedelta(seconds=wait // 2)  # the previous wait is just over
        message = _refusal(s, "nadia", "Pas-le-bon-mot-2026", now)
        assert message == f"{REFUSED} Trop d'essais : réessayer dans {wait} secondes.", k
        halfway = now + timedelta(seconds=wait / 2)
        assert _refusal(s, "nadia", PASSWORD, halfway) == (
            f"Trop d'essais : réessayer dans {wait // 2} seconde{'s' if wait > 2 else ''}."
        )
    assert _row(s, "nadia").failed_sign_ins == 9


def test_the_tenth_failure_locks_the_account_for_fifteen_minutes(s: Session) -> None:
    _first(s)
    tenth = _fail_until(s, "nadia", 9) + timedelta(seconds=16)
    locked = (
        f"Trop d'essais : compte verrouillé jusqu'à {tenth + timedelta(minutes=15):%H:%M} après "
        "10 essais manqués (verrouillage de 15 minutes). La coordination peut le déverrouiller "
        "(page Utilisateurs)."
    )
    assert _refusal(s, "nadia", "Pas-le-bon-mot-2026", tenth) == f"{REFUSED} {locked}"
    for later in (timedelta(seconds=1), timedelta(minutes=14, seconds=59)):
        assert _refusal(s, "nadia", PASSWORD, tenth + later) == locked  # even the right one
    assert a.get_account(s, _row(s, "nadia").id).locked_until == tenth + a.LOCK_DURATION

    # Once the lock is over a further failure locks again; a success clears everything.
    eleventh = tenth + a.LOCK_DURATION
    assert "verrouillé jusqu'à" in _refusal(s, "nadia", "Pas-le-bon-mot-2026", eleventh)
    account = a.authenticate(s, "nadia", PASSWORD, now=eleventh + a.LOCK_DURATION)
    assert account.locked_until is None
    row = _row(s, "nadia")
    assert (row.failed_sign_ins, row.locked_until) == (0, None)


def test_a_lock_spanning_midnight_gives_the_date(s: Session) -> None:
    _first(s)
    tenth = _fail_until(s, "nadia", 10, start=datetime(2026, 12, 1, 23, 50))
    assert "compte verrouillé jusqu'au 02/12/2026 à 00:0" in _refusal(s, "nadia", PASSWORD, tenth)


def test_a_success_starts_the_count_again(s: Session) -> None:
    _first(s)
    _fail_until(s, "nadia", 4)
    a.authenticate(s, "nadia", PASSWORD, now=T0 + timedelta(minutes=1))
    assert _row(s, "nadia").failed_sign_ins == 0
    later = T0 + timedelta(minutes=2)
    assert [_refusal(s, "nadia", "Pas-le-bon-mot", later) for _ in range(4)] == [REFUSED] * 4


def test_failures_are_forgotten_after_a_day_without_one(s: Session) -> None:
    _first(s)
    fifth = _fail_until(s, "nadia", 5)
    next_day = fifth + timedelta(hours=24)
    assert _refusal(s, "nadia", "Pas-le-bon-mot", next_day) == REFUSED  # the first again
    assert _row(s, "nadia").failed_sign_ins == 1


def test_a_failure_is_kept_although_the_refusal_rolls_the_session_back(db: Database) -> None:
    with db.session() as session:
        _first(session)
    for _ in range(5):
        with pytest.raises(a.SignInRefused), db.session() as session:
            a.authenticate(session, "nadia", "Pas-le-bon-mot", now=T0)
    with db.session(commit=False) as session:
        assert _row(session, "nadia").failed_sign_ins == 5
        assert "réessayer dans" in _refusal(session, "nadia", PASSWORD, T0)


def test_unknown_names_get_the_same_answers_at_the_same_moments(s: Session) -> None:
    """Whether an account exists shows neither in the messages nor in when they come."""
    _first(s)

    def answers(username: str) -> list[str]:
        now, seen = T0, []
        for k in range(1, 12):
            seen.append(_refusal(s, username, "Pas-le-bon-mot-2026", now))
            wait = a.LOCK_DURATION if k >= 10 else timedelta(seconds=2 ** (k - 5))
            if k >= 5:  # during the wait, with the right password when there is one
                seen.append(_refusal(s, username, PASSWORD, now + wait / 2))
                now += wait
        return seen

    known, unknown = answers("nadia"), answers("Inconnu")
    assert unknown == known
    assert sum("Trop d'essais" in message for message in known) == 14
    assert answers("INCONNU ")[-1].startswith("Trop d'essais : compte verrouillé")  # same name


def test_unknown_names_are_forgotten_after_a_day(s: Session) -> None:
    _first(s)
    _fail_until(s, "inconnu", 3)
    _fail_until(s, "autre", 1)
    keys = select(a.AppSetting.key).where(a.AppSetting.key.startswith(a.UNKNOWN_NAME_KEY))
    assert len(s.scalars(keys).all()) == 2
    assert all("inconnu" not in key for key in s.scalars(keys))  # a hash, not the name
    _fail_until(s, "autre", 1, start=T0 + timedelta(days=1, minutes=1))
    assert len(s.scalars(keys).all()) == 1


def test_successes_failures_and_lock_outs_are_journaled(s: Session) -> None:
    _first(s)
    a.authenticate(s, "NADIA", PASSWORD, now=T0)
    tenth = _fail_until(s, "nadia", 10, start=T0 + timedelta(minutes=1))
    _refusal(s, "nadia", PASSWORD, tenth + timedelta(minutes=1))  # during the lock: not kept
    _refusal(s, " inconnu ", PASSWORD, tenth)
    entries = s.scalars(
        select(AuditEntry)
        .where(AuditEntry.action.in_(("connexion", "connexion_refusee", "verrouillage")))
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.author) for e in entries] == [
        ("connexion", "nadia"),
        *[("connexion_refusee", "nadia")] * 9,
        ("verrouillage", "nadia"),
        ("connexion_refusee", "inconnu"),
    ]
    assert entries[1].summary == "Connexion refusée (mot de passe incorrect)"
    until = tenth + a.LOCK_DURATION
    assert f"jusqu'au {until:%d/%m/%Y à %H:%M}" in entries[10].summary
    assert entries[11].summary == "Connexion refusée (identifiant inconnu)"
    assert all(PASSWORD not in (e.summary + (e.changes or "")) for e in entries)


def test_coordination_unlocks_an_account(s: Session) -> None:
    _first(s)
    karim = _add(s, "karim", ACCUEIL)
    tenth = _fail_until(s, "karim", 10)
    assert a.get_account(s, karim.id).locked_at(tenth)
    for role in (ACCUEIL, FORMATEUR):
        with pytest.raises(PermissionDenied, match="Seule la coordination peut"):
            a.unlock(s, karim.id, actor=make_actor(role))
    assert not a.unlock(s, karim.id, actor=make_actor(COORD)).locked_at(tenth)
    assert a.authenticate(s, "karim", PASSWORD, now=tenth).username == "karim"
    summaries = s.scalars(select(AuditEntry.summary).where(AuditEntry.action == "modification"))
    assert "Compte « karim » déverrouillé (10 échecs de connexion à la suite)" in summaries.all()


def test_a_new_password_given_by_coordination_unlocks_too(s: Session) -> None:
    _first(s)
    karim = _add(s, "karim", ACCUEIL)
    tenth = _fail_until(s, "karim", 10)
    new = "nouveau mot de passe"
    a.change_password(s, karim.id, new, new, actor=make_actor(COORD))
    assert a.authenticate(s, "karim", new, now=tenth).username == "karim"


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
        ("court", "court", "mot_de_passe", "Trop court (5 caractères) : au moins 12 caractères"),
        ("0000000000", "0000000000", "mot_de_passe", "répéter un seul caractère"),
        (" " * 12, " " * 12, "mot_de_passe", "que d'espaces"),
        ("Nadia-Cobalt-2026", "Nadia-Cobalt-2026", "mot_de_passe", "ni l'identifiant ni le nom"),
        ("Motdepasse2026!", "Motdepasse2026!", "mot_de_passe", "des plus courants"),
        (PASSWORD, PASSWORD + "!", "confirmation", "pas identiques"),
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
        a.create_account(s, a.AccountInput("", "NADIA", "chef"), "x", "x", actor=make_actor(COORD))
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
        lambda: a.create_account(s, data, PASSWORD, PASSWORD, actor=make_actor(role)),
        lambda: a.change_password(s, karim.id, PASSWORD, PASSWORD, actor=make_actor(role)),
        lambda: a.set_role(s, karim.id, COORD, actor=make_actor(role)),
        lambda: a.deactivate(s, first.id, actor=make_actor(role)),
        lambda: a.reactivate(s, karim.id, actor=make_actor(role)),
        lambda: a.list_accounts(s, actor=make_actor(role)),
        lambda: a.set_idle_lock_minutes(s, 5, actor=make_actor(role)),
    ):
        with pytest.raises(PermissionDenied, match="Seule la coordination peut"):
            attempt()


# ---------------------------------------------------------------- managing


def test_reset_and_own_password_change(s: Session) -> None:
    _first(s)
    karim = _add(s, "karim", FORMATEUR)
    a.change_password(
        s, karim.id, "nouveau mot de passe", "nouveau mot de passe", actor=make_actor(COORD)
    )
    with pytest.raises(a.SignInRefused):
        a.authenticate(s, "karim", PASSWORD)
    assert a.authenticate(s, "karim", "nouveau mot de passe").id == karim.id
    other = "encore un autre secret"
    with pytest.raises(ValidationError) as refused:
        a.change_own_password(s, karim.id, "pas le bon", other, other)
    assert refused.value.errors == {"mot_de_passe_actuel": "Le mot de passe actuel est incorrect."}
    with pytest.raises(ValidationError) as refused:
        a.change_own_password(s, karim.id, "nouveau mot de passe", "Karim-2026-!!", "")
    assert "ni l'identifiant ni le nom" in refused.value.errors["mot_de_passe"]
    a.change_own_password(s, karim.id, "nouveau mot de passe", other, other)
    assert a.authenticate(s, "karim", other).id == karim.id


def test_a_weak_password_set_before_the_policy_keeps_working_until_changed(s: Session) -> None:
    _first(s)
    row = _row(s, "nadia")
    row.password_hash = _scrypt("0000000000", row)  # set when 10 characters were enough
    assert a.authenticate(s, "nadia", "0000000000", now=T0).username == "nadia"


def test_last_active_coordination_account_is_protected(s: Session) -> None:
    first = _first(s)
    with pytest.raises(UserFacingError, match="au moins un compte de coordination actif"):
        a.deactivate(s, first.id, actor=make_actor(COORD))
    with pytest.raises(UserFacingError, match="au moins un compte de coordination actif"):
        a.set_role(s, first.id, ACCUEIL, actor=make_actor(COORD))
    other = _add(s, "sophie", COORD)
    a.set_role(s, first.id, FORMATEUR, actor=make_actor(COORD))
    with pytest.raises(UserFacingError, match="au moins un compte de coordination actif"):
        a.deactivate(s, other.id, actor=make_actor(COORD))
    assert a.get_account(s, other.id).active
    assert a.get_account(s, first.id).role == FORMATEUR


def test_an_inactive_coordinator_does_not_count(s: Session) -> None:
    first = _first(s)
    other = _add(s, "sophie", COORD)
    a.deactivate(s, other.id, actor=make_actor(COORD))
    with pytest.raises(UserFacingError, match="au moins un compte de coordination actif"):
        a.set_role(s, first.id, ACCUEIL, actor=make_actor(COORD))


def test_list_accounts_active_first_by_name(s: Session) -> None:
    _first(s)
    zoe = _add(s, "zoe", ACCUEIL)
    _add(s, "albert", FORMATEUR)
    a.deactivate(s, zoe.id, actor=make_actor(COORD))
    listed = a.list_accounts(s, actor=make_actor(COORD))
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
        a.set_idle_lock_minutes(session, 3, actor=make_actor(COORD))
    with db.session(commit=False) as session:
        assert a.idle_lock_minutes(session) == 3


@pytest.mark.parametrize("minutes", [0, -5, 241])
def test_idle_lock_out_of_range_is_refused(s: Session, minutes: int) -> None:
    with pytest.raises(ValidationError, match="Entre 1 et 240 minutes"):
        a.set_idle_lock_minutes(s, minutes, actor=make_actor(COORD))


def test_first_account_is_offered_until_a_coordinator_can_sign_in(s: Session) -> None:
    assert a.needs_first_account(s)
    a.sign_in_without_password(s, "automate")
    assert a.needs_first_account(s)  # nobody knows that account's password
    _first(s)
    assert not a.needs_first_account(s)
    assert a.authenticate(s, "nadia", PASSWORD).role == COORD
