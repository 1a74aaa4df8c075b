"""The services receive an actor only a sign-in can make, never a role string (issue 12.3)."""

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.services.accounts import management as accounts
from app.services.accounts.command_line import (
    DEMO_COORDINATOR,
    NO_ACCOUNT_YET,
    ensure_demo_accounts,
    mark_demo_base,
    sign_in_command,
)
from app.services.actor import SYSTEM_AUTHOR, Actor, Via, system_actor
from app.services.candidates import records as candidates
from app.services.candidates.records import CandidateInput
from app.services.errors import PermissionDenied
from app.services.journal import audit_log as audit
from app.services.journal.audit_log import AuditQuery
from app.services.permissions import require_coordination
from app.storage import Database
from tests.conftest import make_actor

COORD, ACCUEIL, FORMATEUR = "coordination", "accueil", "formateur"
PASSWORD = "Cobalt, accueil du lundi"
NOW = datetime(2026, 11, 28, 10, 0)


@pytest.fixture
def s(db: Database) -> Iterator[Session]:
    with db.session() as session:
        yield session


def _candidate(s: Session) -> int:
    data = CandidateInput(
        nom="Lefèvre",
        prenom="Camille",
        email="camille@exemple.fr",
        saison="2026-2027",
        site="cobalt",
        rqth="oui",
    )
    return candidates.create_candidate(s, data, actor=make_actor(COORD, "claire"), now=NOW).id


# ---------------------------------------------------------------- making an actor


def test_an_actor_cannot_be_made_from_a_name_and_a_role() -> None:
    with pytest.raises(TypeError, match="sign-in"):
        Actor("intrus", "Intrus", COORD)
    with pytest.raises(TypeError):
        Actor("intrus", "Intrus", COORD, token=object())


def test_an_actor_cannot_be_copied_into_another_role() -> None:
    trainer = make_actor(FORMATEUR, "julien")
    with pytest.raises(TypeError):
        dataclasses.replace(trainer, role=COORD)
    with pytest.raises(dataclasses.FrozenInstanceError):
        trainer.role = COORD  # type: ignore[misc]


def test_an_actor_cannot_be_subclassed() -> None:
    with pytest.raises(TypeError):

        class Forged(Actor):  # pragma: no cover - refused at class creation
            pass


def test_system_actor_needs_a_reason_and_names_the_system() -> None:
    with pytest.raises(ValueError):
        system_actor(" ")
    robot = system_actor("automatisation de test")
    assert (robot.role, robot.via, robot.author) == (COORD, Via.SYSTEM, SYSTEM_AUTHOR)
    staff = system_actor("démonstration", author="Nadia Belkacem (accueil)", role=ACCUEIL)
    assert (staff.role, staff.author) == (ACCUEIL, "Nadia Belkacem (accueil)")


# ---------------------------------------------------------------- a forged role string


@pytest.mark.parametrize("forged", [COORD, None, {"role": COORD}])
def test_a_role_string_cannot_read_a_candidate_file(s: Session, forged: Any) -> None:
    candidate_id = _candidate(s)
    with pytest.raises(TypeError, match="Actor"):
        candidates.get_candidate(s, candidate_id, actor=forged)


def test_a_role_string_cannot_reach_the_journal_nor_a_permission_check(s: Session) -> None:
    with pytest.raises(TypeError):
        audit.entry_ids(s, AuditQuery(), actor=COORD)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        require_coordination(COORD, "lire le journal")  # type: ignore[arg-type]


def test_the_old_role_keyword_is_gone(s: Session) -> None:
    candidate_id = _candidate(s)
    with pytest.raises(TypeError):
        candidates.get_candidate(s, candidate_id, role=COORD)  # type: ignore[call-arg]


# ---------------------------------------------------------------- what the role allows


def test_rqth_is_read_by_coordination_only(s: Session) -> None:
    candidate_id = _candidate(s)
    for role, shown in ((COORD, "oui"), (ACCUEIL, ""), (FORMATEUR, "")):
        file = candidates.get_candidate(s, candidate_id, actor=make_actor(role))
        assert file.values.rqth == shown, role


def test_a_trainer_is_refused_what_only_coordination_reads(s: Session) -> None:
    with pytest.raises(PermissionDenied, match="Seule la coordination"):
        audit.entry_ids(s, AuditQuery(), actor=make_actor(FORMATEUR))
    assert audit.entry_ids(s, AuditQuery(), actor=make_actor(COORD)) is not None


# ---------------------------------------------------------------- a sign-in makes the actor


def test_a_password_sign_in_returns_the_accounts_actor(s: Session) -> None:
    first = accounts.create_first_account(
        s, accounts.AccountInput("Claire Vasseur", "claire"), PASSWORD, PASSWORD
    )
    assert (first.actor.username, first.actor.role) == ("claire", COORD)
    data = accounts.AccountInput("Julien Morel", "julien", FORMATEUR)
    accounts.create_account(s, data, PASSWORD, PASSWORD, actor=first.actor)
    signed_in = accounts.authenticate(s, "julien", PASSWORD)
    actor = signed_in.actor
    assert type(actor) is Actor
    assert (actor.username, actor.display_name, actor.role) == ("julien", "Julien Morel", FORMATEUR)
    assert actor.author == "julien"  # the window names the identifiant, as before


def test_a_sign_in_without_password_returns_an_actor(s: Session) -> None:
    actor = accounts.sign_in_without_password(s, "automate").actor
    assert (actor.role, actor.author) == (COORD, "automate")


def test_the_command_line_names_its_actor_as_before(s: Session) -> None:
    unsigned = sign_in_command(s, None, lambda: None)
    assert unsigned.warning == NO_ACCOUNT_YET
    assert (unsigned.actor.role, unsigned.actor.author) == (
        COORD,
        "Ligne de commande (ligne de commande)",
    )
    mark_demo_base(s)
    ensure_demo_accounts(s)
    demo = sign_in_command(s, "julien.morel", lambda: None)
    assert (demo.actor.role, demo.actor.author) == (FORMATEUR, "Julien Morel (ligne de commande)")
    assert sign_in_command(s, None, lambda: None).actor.username == DEMO_COORDINATOR
