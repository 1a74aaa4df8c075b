"""Several desks on one base at the same instant: numbers, ranks and positions stay distinct and
consecutive, every rule that checks then writes still holds, and a desk that loses the race is
told in French (a refusal of the rule, or `WriteConflict`) — never an IntegrityError or "la base
ne répond pas". Every test runs on SQLite and on PostgreSQL (the `db` fixture).

Each desk is its own `Database` on the same base (its own engine and connections), run in its
own thread. To make both desks really overlap inside their transactions, a function called
between a use case's check and its first write is wrapped to wait for the other desk there
(`Rendezvous`, a barrier of two): both have read, neither has written. A desk waits there once;
the run again of a use case after a `WriteConflict` passes alone. A SQLite save that takes the
write lock before reading (BEGIN IMMEDIATE) cannot be joined inside its transaction: the other
desk, blocked on that lock, counts as met. No sleep and no timing: the wait's timeout only
keeps a broken test from hanging.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

import pytest
from sqlalchemy import Engine, delete, event, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.domain import (
    Agreement,
    AgreementNumber,
    Amendment,
    Attendee,
    Candidate,
    Criterion,
    Filiere,
    Referrer,
    Season,
    Site,
    Stage,
    UserAccount,
)
from app.domain.agreement import Signatory
from app.domain.projects import Project, ProjectCriterion
from app.errors import StorageError, UserFacingError, WriteConflict
from app.services import reference
from app.services.accounts import actions as account_actions
from app.services.accounts import management
from app.services.agreements import actions as agreement_actions
from app.services.agreements import amendments, life_cycle
from app.services.appointments import actions as appointment_actions
from app.services.appointments import booking
from app.services.base_access.opening import open_app_database
from app.services.candidates import actions as candidate_actions
from app.services.candidates import records
from app.services.errors import ValidationError
from app.services.orientation import actions as orientation_actions
from app.services.projects import actions as project_actions
from app.services.projects import submissions
from app.storage import Database
from tests.conftest import TODAY, make_actor
from tests.engines import engines, postgres_database
from tests.unit.services.test_agreements import NOW as AGREEMENT_NOW
from tests.unit.services.test_agreements import _candidate as agreement_learner
from tests.unit.services.test_agreements import _form as agreement_form
from tests.unit.services.test_agreements import _world as agreement_world
from tests.unit.services.test_appointments import _candidate as appointment_candidate
from tests.unit.services.test_appointments import _session_input
from tests.unit.services.test_projects_world import COORD as PROJECT_COORD
from tests.unit.services.test_projects_world import SEASON, make_hosts, project_input

T = TypeVar("T")
COORDINATION = make_actor("coordination", "claire", "Claire Morel")
BARRIER_TIMEOUT_S = 60  # a safeguard against a hang, not a measure
PASSWORD = "Cobalt, accueil du lundi"


# ---------------------------------------------------------------- two desks at once


class Rendezvous:
    """Where two desks wait for each other inside their transactions, each the first time it
    passes (a use case run again after a WriteConflict passes alone); the test's own thread
    never waits.

    A SQLite save that takes the write lock before it reads (BEGIN IMMEDIATE) cannot be
    joined inside its transaction: the other desk waits for that lock. A desk blocked there
    counts as met — it will read what the first one wrote once it gets the lock.
    """

    def __init__(self) -> None:
        self._state = threading.Condition()
        self._desks: set[str] = set()
        self._arrived: set[str] = set()
        self._waiting_for_lock: set[str] = set()
        self._ended: set[str] = set()
        self._met = threading.local()

    def meet(self) -> None:
        me = threading.current_thread().name
        if me not in self._desks or getattr(self._met, "done", False):
            return
        self._met.done = True
        with self._state:
            self._arrived.add(me)
            self._state.notify_all()
            if not self._state.wait_for(lambda: self._others_here(me), BARRIER_TIMEOUT_S):
                raise RuntimeError("the other desk never came")

    def _others_here(self, me: str) -> bool:
        here = self._arrived | self._waiting_for_lock | self._ended
        return self._desks - {me} <= here

    def _note(self, where: set[str]) -> None:
        with self._state:
            where.add(threading.current_thread().name)
            self._state.notify_all()

    def _before_statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread().name in self._desks and statement.upper().startswith(
            ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")
        ):
            self._note(self._waiting_for_lock)

    def run(self, *actions: Callable[[], T]) -> list["Outcome[T]"]:
        """Each action in its own thread (a desk), all started together; their results or
        errors, in the order given."""
        outcomes: list[Outcome[T]] = [Outcome() for _ in actions]
        self._desks = {f"desk-{i + 1}" for i in range(len(actions))}

        def run(index: int, action: Callable[[], T]) -> None:
            try:
                outcomes[index].value = action()
            except BaseException as error:  # handed to the test
                outcomes[index].error = error
            finally:
                self._note(self._ended)

        threads = [
            threading.Thread(target=run, args=(i, action), name=f"desk-{i + 1}")
            for i, action in enumerate(actions)
        ]
        event.listen(Engine, "before_cursor_execute", self._before_statement)
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            event.remove(Engine, "before_cursor_execute", self._before_statement)
        return outcomes

    def after(self, function: Callable[..., T]) -> Callable[..., T]:
        """`function`, then the meeting: the check is done, the write is next."""

        def wrapped(*args: Any, **kwargs: Any) -> T:
            result = function(*args, **kwargs)
            self.meet()
            return result

        return wrapped

    def before(self, function: Callable[..., T]) -> Callable[..., T]:
        """The meeting, then `function` (the first write)."""

        def wrapped(*args: Any, **kwargs: Any) -> T:
            self.meet()
            return function(*args, **kwargs)

        return wrapped

    @contextmanager
    def before_first_flush(self) -> Iterator[None]:
        """The desks meet when their session first writes (what they read is read)."""

        def before_flush(*_args: object) -> None:
            self.meet()

        event.listen(Session, "before_flush", before_flush)
        try:
            yield
        finally:
            event.remove(Session, "before_flush", before_flush)


@dataclass
class Outcome(Generic[T]):
    value: T | None = None
    error: BaseException | None = None


def at_once(rendezvous: Rendezvous, *actions: Callable[[], T]) -> list[Outcome[T]]:
    """The desks' actions at the same instant, meeting at `rendezvous`."""
    return rendezvous.run(*actions)


@contextmanager
def other_desk(db: Database) -> Iterator[Database]:
    """Another workstation on the same base as `db`, opened on its URL (the same file for
    SQLite, the same server database for PostgreSQL): its own engine and connections."""
    other = open_app_database(db.url, today=TODAY)
    try:
        yield other
    finally:
        other.dispose()


@pytest.fixture
def desks(db: Database) -> Iterator[tuple[Database, Database]]:
    """Two workstations on the same base: the fixture's and another."""
    with other_desk(db) as other:
        yield db, other


def assert_french_refusal(error: BaseException | None, *expected: str) -> None:
    """The loser is refused in French: the rule's own message (one of `expected`, the start of
    a field's message for a form) or the write conflict after the retries — never a raw
    database error nor "la base ne répond pas"."""
    assert error is not None
    assert not isinstance(error, DBAPIError), repr(error)
    assert not isinstance(error, StorageError), repr(error)
    assert isinstance(error, UserFacingError), repr(error)
    if isinstance(error, WriteConflict):
        assert str(error).startswith("Un autre poste vient d'enregistrer en même temps")
        return
    messages = list(error.errors.values()) if isinstance(error, ValidationError) else [str(error)]
    assert any(m.startswith(e) for m in messages for e in expected), messages


def succeeded(outcomes: list[Outcome[T]]) -> list[T]:
    for outcome in outcomes:
        assert outcome.error is None or isinstance(outcome.error, UserFacingError), repr(
            outcome.error
        )
    return [o.value for o in outcomes if o.error is None and o.value is not None]


# ---------------------------------------------------------------- agreement numbers


@pytest.mark.parametrize("numbered_before", [0, 1], ids=["first-of-the-year", "later"])
def test_two_desks_numbering_agreements_at_once_get_consecutive_numbers(
    desks: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch, numbered_before: int
) -> None:
    """Both desks have checked their agreement and meet just before taking a number (the
    year's counter row does not exist yet when `numbered_before` is 0)."""
    one, two = desks
    with one.session() as s:
        w = agreement_world(s)
        learners = [w.lea, w.marc] + [
            agreement_learner(s, f"Avant{i}", "Stagiaire") for i in range(numbered_before)
        ]
        drafts = [
            life_cycle.create_draft(
                s, agreement_form(w, learner), actor=COORDINATION, now=AGREEMENT_NOW
            ).id
            for learner in learners
        ]
        for earlier in drafts[2:]:
            life_cycle.mark_ready(s, earlier, actor=COORDINATION, now=AGREEMENT_NOW)
    rendezvous = Rendezvous()
    monkeypatch.setattr(life_cycle, "next_number", rendezvous.before(life_cycle.next_number))

    outcomes = at_once(
        rendezvous,
        lambda: agreement_actions.mark_ready(one, drafts[0], actor=COORDINATION, now=AGREEMENT_NOW),
        lambda: agreement_actions.mark_ready(two, drafts[1], actor=COORDINATION, now=AGREEMENT_NOW),
    )

    assert [o.error for o in outcomes] == [None, None]
    numbers = sorted(o.value.number for o in outcomes if o.value is not None and o.value.number)
    assert numbers == [f"FAB-2026-{numbered_before + 1:04d}", f"FAB-2026-{numbered_before + 2:04d}"]
    with one.session(commit=False) as s:
        assert s.execute(select(AgreementNumber.year, AgreementNumber.last)).all() == [
            (2026, numbered_before + 2)
        ]
        stored = s.scalars(select(Agreement.number).where(Agreement.id.in_(drafts[:2])))
        assert sorted(n for n in stored if n) == numbers


# ---------------------------------------------------------------- the last seat


def test_two_desks_taking_the_last_seat_of_a_session_leave_one_refused(
    desks: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both desks have read the session's registrations (one place left) and meet while
    checking the candidate's other appointments, just before counting the places and writing."""
    one, two = desks
    with one.session() as s:
        first = appointment_candidate(s, "Dupont", "Léa")
        noe = appointment_candidate(s, "Traoré", "Noé", "M")
        ines = appointment_candidate(s, "Morel", "Inès")
        info = booking.create_appointment(
            s, _session_input(capacity="2"), [first], actor=COORDINATION
        )
    rendezvous = Rendezvous()
    monkeypatch.setattr(booking, "clashes", rendezvous.before(booking.clashes))
    desk = make_actor("accueil", "nadia", "Nadia Belkacem")

    outcomes = at_once(
        rendezvous,
        lambda: appointment_actions.register(one, info.id, noe, actor=desk),
        lambda: appointment_actions.register(two, info.id, ines, actor=desk),
    )

    assert len(succeeded(outcomes)) == 1
    refused = [o.error for o in outcomes if o.error is not None]
    assert len(refused) == 1
    assert_french_refusal(refused[0], "La session est complète (2 places).")
    if isinstance(refused[0], booking.SessionFull):
        assert refused[0].errors == {"candidat": "La session est complète (2 places)."}
    with one.session(commit=False) as s:
        count = s.scalar(
            select(func.count()).select_from(Attendee).where(Attendee.appointment_id == info.id)
        )
    assert count == 2


# ---------------------------------------------------------------- ranks, positions, numbers


def test_two_desks_adding_an_amendment_at_once_leave_one_pending_amendment(
    desks: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An agreement has one unsigned amendment at most: both desks have checked there is none
    and compared the terms, and meet just before taking the rank and writing."""
    one, two = desks
    with one.session() as s:
        w = agreement_world(s)
        info = life_cycle.create_draft(s, agreement_form(w), actor=COORDINATION, now=AGREEMENT_NOW)
        life_cycle.mark_ready(s, info.id, actor=COORDINATION, now=AGREEMENT_NOW)
        for who in Signatory:
            info = life_cycle.record_signature(
                s, info.id, who.value, AGREEMENT_NOW.date(), actor=COORDINATION, now=AGREEMENT_NOW
            )
        values = info.values
    rendezvous = Rendezvous()
    monkeypatch.setattr(amendments, "changed_fields", rendezvous.after(amendments.changed_fields))

    def amend(database: Database, end: str, reason: str) -> int:
        return agreement_actions.create_amendment(
            database,
            info.id,
            replace(values, date_fin=end),
            reason,
            actor=COORDINATION,
            now=AGREEMENT_NOW,
        ).rank

    outcomes = at_once(
        rendezvous,
        lambda: amend(one, "30/07/2026", "Fin avancée"),
        lambda: amend(two, "29/07/2026", "Fin avancée d'un jour de plus"),
    )

    assert succeeded(outcomes) == [1]
    refused = [o.error for o in outcomes if o.error is not None]
    assert len(refused) == 1
    assert_french_refusal(
        refused[0],
        "L'avenant n° 1 attend encore sa signature.",
        "Cette convention a été modifiée par claire",
        "Ces données ont été modifiées sur un autre poste",
    )
    with one.session(commit=False) as s:
        ranks = s.scalars(select(Amendment.rank).where(Amendment.agreement_id == info.id))
        assert list(ranks) == [1]


def test_two_desks_adding_orientation_criteria_at_once_get_consecutive_positions(
    desks: tuple[Database, Database],
) -> None:
    """Both desks have read the grid's last position and meet as they write their criterion."""
    one, two = desks
    with one.session(commit=False) as s:
        last = s.scalar(select(func.max(Criterion.position)))
    assert last is not None
    rendezvous = Rendezvous()

    with rendezvous.before_first_flush():
        outcomes = at_once(
            rendezvous,
            lambda: (
                orientation_actions.add_criterion(
                    one, "X1", "Tient ses délais", "", actor=COORDINATION
                ).code
            ),
            lambda: (
                orientation_actions.add_criterion(
                    two, "X2", "Demande de l'aide", "", actor=COORDINATION
                ).code
            ),
        )

    assert sorted(succeeded(outcomes)) == ["X1", "X2"]
    with one.session(commit=False) as s:
        positions = s.execute(
            select(Criterion.code, Criterion.position).where(Criterion.code.in_(("X1", "X2")))
        ).all()
    assert sorted(p for _, p in positions) == [last + 1, last + 2]


def test_two_desks_adding_project_criteria_at_once_get_consecutive_positions(
    desks: tuple[Database, Database],
) -> None:
    """Both desks have read the grid's last position and meet as they write their criterion."""
    one, two = desks
    grid = project_actions.criteria(one, actor=PROJECT_COORD)  # seeds the default grid
    last = max(c.position for c in grid)
    rendezvous = Rendezvous()

    with rendezvous.before_first_flush():
        outcomes = at_once(
            rendezvous,
            lambda: (
                project_actions.save_criterion(
                    one, None, "Sobriété", "", actor=PROJECT_COORD
                ).position
            ),
            lambda: (
                project_actions.save_criterion(
                    two, None, "Accessibilité", "", actor=PROJECT_COORD
                ).position
            ),
        )

    assert sorted(succeeded(outcomes)) == [last + 1, last + 2]
    with one.session(commit=False) as s:
        positions = s.scalars(select(ProjectCriterion.position).order_by(ProjectCriterion.position))
        assert list(positions) == list(range(last + 3))


def test_two_desks_submitting_projects_at_once_get_consecutive_numbers(
    desks: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both desks have checked their project and meet just before numbering it."""
    one, two = desks
    with one.session() as s:
        hosts = make_hosts(s)
        submissions.submit_project(s, SEASON, project_input(hosts.small), actor=PROJECT_COORD)
    rendezvous = Rendezvous()
    monkeypatch.setattr(submissions, "_next_number", rendezvous.before(submissions._next_number))

    outcomes = at_once(
        rendezvous,
        lambda: project_actions.submit(
            one, SEASON, project_input(hosts.large, title="Un catalogue"), actor=PROJECT_COORD
        ),
        lambda: project_actions.submit(
            two, SEASON, project_input(hosts.unidentified, title="Un agenda"), actor=PROJECT_COORD
        ),
    )

    assert len(succeeded(outcomes)) == 2
    with one.session(commit=False) as s:
        numbers = s.execute(select(Project.title, Project.number).order_by(Project.number)).all()
    assert [n for _, n in numbers] == [1, 2, 3]


# ---------------------------------------------------------------- rules that check then write


def test_two_desks_deactivating_the_last_two_coordinators_at_once_leave_one(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both desks have counted two active coordination accounts and meet just before each
    deactivates one of them. (The second desk opens once the accounts exist: a first password
    re-encrypts a SQLite base under a new key, which a desk already open would not know.)"""
    with db.session() as s:
        nadia = management.create_first_account(
            s, management.AccountInput("Nadia Belkacem", "nadia"), PASSWORD, PASSWORD
        )
        sophie = management.create_account(
            s,
            management.AccountInput("Sophie Martin", "sophie", "coordination"),
            PASSWORD,
            PASSWORD,
            actor=COORDINATION,
        )
    rendezvous = Rendezvous()
    monkeypatch.setattr(
        management,
        "_protect_last_coordinator",
        rendezvous.after(management._protect_last_coordinator),
    )

    with other_desk(db) as two:
        outcomes = at_once(
            rendezvous,
            lambda: account_actions.deactivate(db, nadia.id, actor=COORDINATION),
            lambda: account_actions.deactivate(two, sophie.id, actor=COORDINATION),
        )

    assert len(succeeded(outcomes)) == 1
    refused = [o.error for o in outcomes if o.error is not None]
    assert len(refused) == 1
    assert_french_refusal(refused[0], management.LAST_COORDINATION)
    with db.session(commit=False) as s:
        active = s.scalar(
            select(func.count())
            .select_from(UserAccount)
            .where(UserAccount.role == "coordination", UserAccount.active.is_(True))
        )
    assert active == 1


def test_two_desks_declaring_overlapping_agreements_ready_at_once_leave_one(
    desks: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two drafts of the same learner over overlapping weeks (a draft holds no time; an
    agreement ready to sign does). Each desk has checked the learner's other agreements and
    meets the other just before numbering its own; the two start in different years, so the
    two desks do not even share a number counter."""
    one, two = desks
    with one.session() as s:
        w = agreement_world(s)
        winter = agreement_form(w, date_debut="07/12/2026", date_fin="29/01/2027")
        later = agreement_form(w, date_debut="11/01/2027", date_fin="26/02/2027")
        drafts = [
            life_cycle.create_draft(s, form, actor=COORDINATION, now=AGREEMENT_NOW).id
            for form in (winter, later)
        ]
    rendezvous = Rendezvous()
    monkeypatch.setattr(life_cycle, "next_number", rendezvous.before(life_cycle.next_number))

    outcomes = at_once(
        rendezvous,
        lambda: agreement_actions.mark_ready(one, drafts[0], actor=COORDINATION, now=AGREEMENT_NOW),
        lambda: agreement_actions.mark_ready(two, drafts[1], actor=COORDINATION, now=AGREEMENT_NOW),
    )

    assert len(succeeded(outcomes)) == 1
    refused = [o.error for o in outcomes if o.error is not None]
    assert len(refused) == 1
    assert_french_refusal(refused[0], "DUPONT Léa a déjà une convention prête à signer")
    with one.session(commit=False) as s:
        statuses = s.scalars(select(Agreement.status).where(Agreement.id.in_(drafts)))
        assert sorted(statuses) == ["brouillon", "prete_a_signer"]


def test_two_desks_creating_the_same_person_at_once_make_one_file(
    desks: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The look-alike check before a creation: both desks have found no file like theirs and
    meet just before creating it. The second desk is shown the first's file, or told to try
    again: one file."""
    one, two = desks
    entry = records.CandidateInput(
        nom="Hébert",
        prenom="Loïc",
        email="loic.hebert@exemple.fr",
        saison="2026-2027",
        site="cobalt",
    )
    rendezvous = Rendezvous()
    monkeypatch.setattr(records, "find_duplicates", rendezvous.after(records.find_duplicates))
    desk = make_actor("accueil", "nadia", "Nadia Belkacem")

    outcomes = at_once(
        rendezvous,
        lambda: candidate_actions.save_candidate(one, entry, actor=desk),
        lambda: candidate_actions.save_candidate(two, entry, actor=desk),
    )

    saved = [o.value for o in outcomes if o.value is not None and o.value.file is not None]
    assert len(saved) == 1
    other = next(o for o in outcomes if o.value is None or o.value.file is None)
    if other.error is not None:
        assert_french_refusal(other.error)
    else:
        assert other.value is not None
        assert [match.id for match in other.value.look_alikes] == [saved[0].file.id]
    with one.session(commit=False) as s:
        files = s.scalar(
            select(func.count())
            .select_from(Candidate)
            .where(Candidate.email == "loic.hebert@exemple.fr")
        )
    assert files == 1


def test_two_desks_saving_files_of_a_new_season_at_once_create_the_season_once(
    desks: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two applications for a season the base does not have yet: both desks have looked the
    season up and meet just before creating it. Both files are saved, in one season."""
    one, two = desks
    rendezvous = Rendezvous()
    monkeypatch.setattr(
        reference, "insert_if_missing", rendezvous.before(reference.insert_if_missing)
    )
    desk = make_actor("accueil", "nadia", "Nadia Belkacem")

    def save(database: Database, nom: str) -> int | None:
        entry = records.CandidateInput(
            nom=nom,
            prenom="Léa",
            email=f"lea.{nom.lower()}@exemple.fr",
            saison="2028-2029",
            site="cobalt",
        )
        file = candidate_actions.save_candidate(database, entry, actor=desk).file
        return file.id if file else None

    outcomes = at_once(rendezvous, lambda: save(one, "Dupont"), lambda: save(two, "Martin"))

    assert len(succeeded(outcomes)) == 2
    with one.session(commit=False) as s:
        seasons = s.scalars(select(Season.id).where(Season.label == "2028-2029")).all()
        assert len(seasons) == 1
        in_season = s.scalar(
            select(func.count()).select_from(Candidate).where(Candidate.season_id == seasons[0])
        )
    assert in_season == 2


# ---------------------------------------------------------------- seats starting together


REFERENCE_TABLES = (Site, Filiere, Referrer, Stage, Criterion)


def _open_two_seats_at_once(url: str, monkeypatch: pytest.MonkeyPatch) -> list[Database]:
    """Two seats start on `url` at the same instant; both have looked for the reference data
    and meet just before inserting what is missing. The databases they opened."""
    rendezvous = Rendezvous()
    monkeypatch.setattr(
        reference, "insert_if_missing", rendezvous.before(reference.insert_if_missing)
    )
    opened: list[Database] = []

    def open_seat() -> Database:
        database = open_app_database(url, today=TODAY)
        opened.append(database)
        return database

    outcomes = at_once(rendezvous, open_seat, open_seat)
    try:
        assert [o.error for o in outcomes] == [None, None]
    except AssertionError:
        for database in opened:
            database.dispose()
        raise
    return opened


def _assert_reference_data_once(database: Database) -> None:
    with database.session(commit=False) as s:
        for model in REFERENCE_TABLES:
            codes = s.scalars(select(model.code)).all()  # type: ignore[attr-defined]
            assert len(codes) == len(set(codes)) > 0, model.__name__
        sites = s.scalars(select(Site.code).order_by(Site.code)).all()
        assert sites == sorted(code for code, *_ in reference.SITES_SEED)
        labels = s.scalars(select(Season.label).order_by(Season.label)).all()
        assert labels == ["2025-2026", "2026-2027"]


def test_two_seats_seeding_the_reference_data_at_once_both_open(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A base without its reference data (what every start checks): two seats starting at once
    both insert it, each row once."""
    with db.session() as s:
        for model in (Season, *reversed(REFERENCE_TABLES)):
            s.execute(delete(model))
    seats = _open_two_seats_at_once(db.url, monkeypatch)
    try:
        _assert_reference_data_once(seats[0])
    finally:
        for seat in seats:
            seat.dispose()


@pytest.mark.parametrize("engine", [e for e in engines() if e == "postgresql"])
def test_two_seats_opening_a_new_server_database_at_once_both_open(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody has opened the server's database yet (the administrator has just created it):
    two seats starting at once both open it — one creates the schema, the other waits for it
    then finds nothing to migrate — and each reference row is there once. (A new SQLite file
    is made by the first seat that opens it, with its key file: two seats creating the same
    file at the same instant is not a case of this test.)"""
    assert engine == "postgresql"
    with postgres_database(TODAY, migrated=False) as url:
        seats = _open_two_seats_at_once(url, monkeypatch)
        try:
            _assert_reference_data_once(seats[0])
            _assert_reference_data_once(seats[1])
        finally:
            for seat in seats:
                seat.dispose()
