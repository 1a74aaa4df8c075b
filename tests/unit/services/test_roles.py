"""Each role against each service: what is allowed, what is refused with a French message."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.domain import Candidate
from app.services.accounts import management as accounts
from app.services.agreements import life_cycle, terms
from app.services.appointments import booking as appointments
from app.services.appointments.booking import AppointmentInput
from app.services.candidates import csv_exchange as csv_io
from app.services.candidates import records as candidates
from app.services.candidates.import_writing import apply_import
from app.services.candidates.records import CandidateInput
from app.services.errors import PermissionDenied, UserFacingError
from app.services.hosts import directory as hosts
from app.services.orientation import activities, cohorts, criteria, decisions, locks, progress
from app.services.orientation import bilan as orientation_bilan
from app.services.orientation import grid as orientation_grid
from app.services.permissions import SYSTEM_ROLE
from app.services.settings import organisation as org
from app.storage import Database
from tests.conftest import make_actor

ACCUEIL, FORMATEUR, COORD = "accueil", "formateur", "coordination"
ROLES = (ACCUEIL, FORMATEUR, COORD)
NOW = datetime(2025, 12, 3, 10, 0)


@pytest.fixture(autouse=True)
def during_the_season(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trainers write in the 2025-2026 season while it runs (it is read-only for them after)."""
    monkeypatch.setattr(locks, "clock", lambda: NOW)


HEADER_ONLY = (";".join(csv_io.CANDIDATE_COLUMNS) + "\n").encode()


@dataclass(frozen=True)
class World:
    candidate: int
    learner: int
    appointment: int
    cohort: int
    activity: int
    team: int
    criterion: int


def _entry(**changes: str) -> CandidateInput:
    values = {"nom": "Lefèvre", "prenom": "Camille", "saison": "2025-2026", "site": "cobalt"}
    values |= {"email": "camille@exemple.fr", "rqth": "oui"}
    values.update(changes)
    return CandidateInput(**values)


def _build(s: Session) -> World:
    candidate = candidates.create_candidate(s, _entry(), actor=make_actor(COORD, "t"), now=NOW).id
    learner = candidates.create_candidate(
        s, _entry(nom="Ziani", prenom="Nora", email="nora@exemple.fr"), actor=make_actor(COORD, "t")
    ).id
    for stage in ("entretien", "admis", "entre_formation"):
        candidates.change_stage(
            s, learner, stage, comment="", actor=make_actor(COORD, "t"), now=NOW
        )
    cohort = next(
        c for c in cohorts.cohorts(s) if c.season == "2025-2026" and c.site_name == "Cobalt"
    )
    activity = activities.create_activity(
        s,
        cohort.id,
        activities.ActivityInput(day="03/12/2025", title="Atelier"),
        actor=make_actor(FORMATEUR),
    )
    team = (
        activities.set_teams(s, activity.id, [("Équipe A", [learner])], actor=make_actor(FORMATEUR))
        .teams[0]
        .id
    )
    criterion = criteria.criteria(s)[0].id
    orientation_grid.record_level(
        s, activity.id, learner, criterion, "1", actor=make_actor(FORMATEUR, "t"), now=NOW
    )
    appointment = appointments.create_appointment(s, _session_input(), actor=make_actor(COORD)).id
    return World(candidate, learner, appointment, cohort.id, activity.id, team, criterion)


def _session_input() -> AppointmentInput:
    return AppointmentInput(
        kind="information_collective",
        date="10/12/2025",
        time="14:00",
        site="cobalt",
        room="salle 1",
        staff="Karim",
        capacity="12",
    )


@pytest.fixture
def world(db: Database) -> World:
    with db.session() as s:
        return _build(s)


@pytest.fixture
def s(db: Database, world: World) -> Iterator[Session]:
    """A session of the test's own, opened once the world is saved: a save holds SQLite's
    write lock until it commits, so the world's own save cannot come after it."""
    with db.session() as session:
        yield session


def _outcome(action: Callable[[], Any]) -> str:
    """ "allowed" when the role got past the gate (a validation refusal still counts as allowed)."""
    try:
        action()
    except PermissionDenied as refusal:
        assert str(refusal).startswith(("Seul", "Les observations", "Connectez-vous"))
        return "refused"
    except UserFacingError:  # refused for another reason (a form, a file): past the gate
        return "allowed"
    return "allowed"


def _expect(allowed: set[str], role: str) -> str:
    return "allowed" if role in allowed else "refused"


# ---------------------------------------------------------------- candidates


@pytest.mark.parametrize("role", [*ROLES, "", "admin"])
def test_candidate_writes(s: Session, world: World, role: str) -> None:
    actions = {
        "create": lambda: candidates.create_candidate(
            s, _entry(nom="Neuf", email="neuf@exemple.fr"), actor=make_actor(role, "x")
        ),
        "update": lambda: candidates.update_candidate(
            s,
            world.candidate,
            _entry(prenom="Camilla"),
            expected_version=None,
            actor=make_actor(role, "x"),
        ),
        "stage": lambda: candidates.change_stage(
            s, world.candidate, "contacte", comment="", actor=make_actor(role, "x")
        ),
        "import": lambda: apply_import(
            s, HEADER_ONLY, valid_only=True, actor=make_actor(role, "x")
        ),
    }
    for name, action in actions.items():
        assert _outcome(action) == _expect({ACCUEIL, COORD}, role), name


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_candidate_files_but_only_coordination_sees_rqth(
    s: Session, world: World, role: str
) -> None:
    values = candidates.get_candidate(s, world.candidate, actor=make_actor(role)).values
    assert values.nom == "Lefèvre"
    assert values.rqth == ("oui" if role == COORD else "")
    assert candidates.rows(s, [world.candidate])[world.candidate].name.startswith("LEFÈVRE")


def test_unknown_role_cannot_read_a_file(s: Session, world: World) -> None:
    with pytest.raises(PermissionDenied, match="Connectez-vous"):
        candidates.get_candidate(s, world.candidate, actor=make_actor(""))


@pytest.mark.parametrize("sent", ["non", "", "oui"])
def test_accueil_save_keeps_the_stored_rqth_whatever_the_form_sends(
    s: Session, world: World, sent: str
) -> None:
    shown = candidates.get_candidate(s, world.candidate, actor=make_actor(ACCUEIL)).values
    changed = replace(shown, prenom="Camilla", rqth=sent)
    candidates.update_candidate(
        s, world.candidate, changed, expected_version=None, actor=make_actor(ACCUEIL, "x")
    )
    stored = s.get_one(Candidate, world.candidate)
    assert (stored.first_name, stored.rqth) == ("Camilla", True)


def test_coordination_changes_rqth(s: Session, world: World) -> None:
    shown = candidates.get_candidate(s, world.candidate, actor=make_actor(COORD)).values
    candidates.update_candidate(
        s,
        world.candidate,
        replace(shown, rqth="non"),
        expected_version=None,
        actor=make_actor(COORD, "x"),
    )
    assert s.get_one(Candidate, world.candidate).rqth is False


def test_accueil_cannot_record_rqth_on_a_new_file(s: Session, world: World) -> None:
    saved = candidates.create_candidate(
        s, _entry(nom="Neuf", email="neuf@exemple.fr"), actor=make_actor(ACCUEIL, "x")
    )
    assert s.get_one(Candidate, saved.id).rqth is None


def test_candidate_csv_has_no_rqth_column() -> None:
    assert not any("rqth" in column for column in csv_io.CANDIDATE_COLUMNS)


def test_command_line_and_demo_act_as_coordination() -> None:
    assert SYSTEM_ROLE == COORD


# ---------------------------------------------------------------- appointments


@pytest.mark.parametrize("role", [*ROLES, ""])
def test_appointment_writes(s: Session, world: World, role: str) -> None:
    actions = {
        "create": lambda: appointments.create_appointment(
            s, _session_input(), actor=make_actor(role)
        ),
        "update": lambda: appointments.update_appointment(
            s, world.appointment, _session_input(), actor=make_actor(role)
        ),
        "register": lambda: appointments.register(
            s, world.appointment, world.candidate, actor=make_actor(role)
        ),
        "attendance": lambda: appointments.set_attendance(
            s, world.appointment, world.candidate, "present", actor=make_actor(role)
        ),
        "unregister": lambda: appointments.unregister(
            s, world.appointment, world.candidate, actor=make_actor(role)
        ),
        "cancel": lambda: appointments.cancel_appointment(
            s, world.appointment, actor=make_actor(role)
        ),
    }
    for name, action in actions.items():
        assert _outcome(action) == _expect({ACCUEIL, COORD}, role), name


def test_every_role_reads_appointments(s: Session, world: World) -> None:
    assert [a.id for a in appointments.appointments_on(s, date(2025, 12, 10))] == [
        world.appointment
    ]
    assert appointments.get_appointment(s, world.appointment).capacity == 12


# ---------------------------------------------------------------- orientation


@pytest.mark.parametrize("role", [*ROLES, ""])
def test_orientation_observations_are_not_for_accueil(s: Session, world: World, role: str) -> None:
    reads = {
        "grid": lambda: orientation_grid.grid(
            s, world.activity, world.team, actor=make_actor(role)
        ),
        "history": lambda: orientation_grid.level_history(
            s, world.activity, world.learner, world.criterion, actor=make_actor(role)
        ),
        "matrix": lambda: progress.cohort_matrix(
            s, world.cohort, date(2025, 12, 5), actor=make_actor(role)
        ),
        "learner": lambda: progress.learner_page(s, world.learner, actor=make_actor(role)),
        "bilan": lambda: orientation_bilan.bilan_data(s, world.learner, actor=make_actor(role)),
    }
    for name, action in reads.items():
        assert _outcome(action) == _expect({FORMATEUR, COORD}, role), name


@pytest.mark.parametrize("role", ROLES)
def test_observations_by_trainers_decisions_by_coordination(
    s: Session, world: World, role: str
) -> None:
    record = lambda: orientation_grid.record_level(  # noqa: E731
        s, world.activity, world.learner, world.criterion, "2", actor=make_actor(role, "x")
    )
    decide = lambda: decisions.decide(  # noqa: E731
        s, world.learner, outcome="validee", filiere="", reason="", actor=make_actor(role, "x")
    )
    assert _outcome(record) == _expect({FORMATEUR, COORD}, role)
    assert _outcome(decide) == _expect({COORD}, role)


def test_accueil_refusal_is_in_french(s: Session, world: World) -> None:
    with pytest.raises(PermissionDenied) as refused:
        progress.learner_page(s, world.learner, actor=make_actor(ACCUEIL))
    assert str(refused.value) == (
        "Les observations de la période d'orientation sont réservées aux formateurs "
        "et à la coordination."
    )


# ---------------------------------------------------------------- coordination only


@pytest.mark.parametrize("role", ROLES)
def test_agreements_hosts_settings_and_users_are_for_coordination(
    s: Session, world: World, role: str
) -> None:
    actions = {
        "agreement": lambda: life_cycle.create_draft(
            s, terms.AgreementInput(), actor=make_actor(role, "x")
        ),
        "host": lambda: hosts.create_host(s, hosts.HostInput(), actor=make_actor(role)),
        "organisation": lambda: org.save_organisation(
            s, org.OrganisationInput(), actor=make_actor(role)
        ),
        "users": lambda: accounts.list_accounts(s, actor=make_actor(role)),
        "new user": lambda: accounts.create_account(
            s, accounts.AccountInput("Zoé", "zoe", ACCUEIL), "", "", actor=make_actor(role)
        ),
        "idle lock": lambda: accounts.set_idle_lock_minutes(s, 5, actor=make_actor(role)),
    }
    for name, action in actions.items():
        assert _outcome(action) == _expect({COORD}, role), name
