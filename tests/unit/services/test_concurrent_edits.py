"""Two workstations editing the same candidate, agreement or host: the second save is refused
with a French message naming who changed the record and when; never a silent overwrite."""

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from app.domain import Agreement, Candidate, Host
from app.errors import WRITE_CONFLICT_MESSAGE
from app.services.accounts.management import AccountInput, create_account
from app.services.agreements import life_cycle
from app.services.candidates.records import (
    CandidateInput,
    change_stage,
    create_candidate,
    get_candidate,
    update_candidate,
)
from app.services.errors import ConflictError
from app.services.hosts import directory as hs
from app.services.unit_of_work import writes
from app.services.versioning import AGREEMENT, CANDIDATE, HOST, conflict_message
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.services.test_agreements import NOW, _form, _world

COORD = "coordination"
OPENED = datetime(2026, 11, 29, 9, 0)
NADIA_SAVES = datetime(2026, 11, 29, 10, 42)
NADIA_CHANGED = "modifié par Nadia Belkacem le 29/11/2026 à 10:42"
# The agreements' tests run in the internship season (4 May 2026).
AGREEMENT_NADIA = NOW.replace(hour=10, minute=42)


@pytest.fixture
def other_desk(db: Database) -> Iterator[Database]:
    """A second workstation on the same database (its own engine and connections)."""
    desk = Database(db.url)
    yield desk
    desk.dispose()


def _entry(**values: str) -> CandidateInput:
    fields = {"nom": "Hébert", "prenom": "Loïc", "email": "loic@exemple.fr"}
    return CandidateInput(saison="2026-2027", site="cobalt", **(fields | values))


def _new_candidate(db: Database) -> int:
    with db.session() as s:
        return create_candidate(s, _entry(), actor=make_actor(COORD, "Paul Girard"), now=OPENED).id


def _while_flushing(session: Session, other_save: Callable[[], None]) -> None:
    """Run another desk's save between this session's reads and its first write."""

    pending = [other_save]
    _before_first_write(session, pending)


def _before_first_write(session: Session, pending: list[Callable[[], None]]) -> None:

    def before_flush(*_args: object) -> None:
        while pending:
            pending.pop()()

    event.listen(session, "before_flush", before_flush)


def _racing(
    db: Database, other_save: Callable[[], None], our_save: Callable[[Session], object]
) -> None:
    """Our save as the window runs it — a `writes` use case, run again after a write
    conflict — with another desk's save landing at the same time.

    PostgreSQL: the other save lands between our reads and our first write; the server
    refuses our transaction (serialization), the use case runs again and the service's
    version check refuses it. SQLite: a save holds the write lock from its first read, so the
    other desk's save comes wholly before ours (or after): ours, with the form's version,
    is refused by the same check. Either way, a conflict naming the other desk."""
    if db.engine.dialect.name == "sqlite":
        other_save()
        writes(our_save)(db)
        return
    pending = [other_save]

    @writes
    def save(session: Session) -> None:
        _before_first_write(session, pending)
        our_save(session)

    save(db)


# ---------------------------------------------------------------- the message


def test_conflict_message_names_who_and_when_with_french_agreement() -> None:
    assert conflict_message(CANDIDATE, "Nadia Belkacem", NADIA_SAVES) == (
        "Ce dossier a été modifié par Nadia Belkacem le 29/11/2026 à 10:42, depuis que vous "
        "l'avez ouvert. Vos modifications n'ont pas été enregistrées, pour ne pas effacer ce "
        "changement."
    )
    assert conflict_message(AGREEMENT, "Nadia Belkacem", NADIA_SAVES).startswith(
        "Cette convention a été modifiée par Nadia Belkacem le 29/11/2026 à 10:42, depuis que "
        "vous l'avez ouverte."
    )
    assert conflict_message(HOST, None, None).startswith(
        "Cette structure a été modifiée sur un autre poste, depuis que vous l'avez ouverte."
    )


# ---------------------------------------------------------------- candidates


def test_a_second_desk_saving_an_older_version_is_refused_naming_the_first(
    db: Database, other_desk: Database
) -> None:
    candidate_id = _new_candidate(db)
    with db.session() as s:
        opened = get_candidate(s, candidate_id, actor=make_actor(COORD))
    with other_desk.session() as s:
        update_candidate(
            s,
            candidate_id,
            _entry(prenom="Loïck"),
            expected_version=opened.version,
            actor=make_actor(COORD, "Nadia Belkacem"),
            now=NADIA_SAVES,
        )

    with pytest.raises(ConflictError) as refused, db.session() as s:
        update_candidate(
            s,
            candidate_id,
            _entry(telephone="06 12 34 56 78"),
            expected_version=opened.version,
            actor=make_actor(COORD, "Paul Girard"),
        )

    assert NADIA_CHANGED in str(refused.value)
    with db.session(commit=False) as s:
        stored = s.get_one(Candidate, candidate_id)
        assert (stored.first_name, stored.phone) == ("Loïck", None)
        assert (stored.version, stored.updated_by) == (2, "Nadia Belkacem")


def test_who_created_and_who_changed_the_stage_are_recorded(db: Database) -> None:
    candidate_id = _new_candidate(db)
    with db.session(commit=False) as s:
        created = s.get_one(Candidate, candidate_id)
        assert (created.updated_by, created.updated_at) == ("Paul Girard", OPENED)
    with db.session() as s:
        change_stage(
            s, candidate_id, "entretien", comment="", actor=make_actor(COORD, 'Nadia Belkacem'),
            now=NADIA_SAVES,
        )  # fmt: skip
    with pytest.raises(ConflictError) as refused, db.session() as s:
        update_candidate(
            s, candidate_id, _entry(), expected_version=1, actor=make_actor(COORD, "Paul Girard")
        )
    assert NADIA_CHANGED in str(refused.value)


def test_a_save_racing_another_desk_is_caught_by_the_version_column(
    db: Database, other_desk: Database
) -> None:
    """Both desks read version 1; the other one writes first: the UPDATE matches no row."""
    candidate_id = _new_candidate(db)

    def nadia_saves() -> None:
        with other_desk.session() as s:
            update_candidate(
                s,
                candidate_id,
                _entry(prenom="Loïck"),
                expected_version=1,
                actor=make_actor(COORD, "Nadia Belkacem"),
                now=NADIA_SAVES,
            )

    with pytest.raises(ConflictError) as refused:
        _racing(
            db,
            nadia_saves,
            lambda s: update_candidate(
                s,
                candidate_id,
                _entry(prenom="Loïs"),
                expected_version=1,
                actor=make_actor(COORD, "Paul Girard"),
            ),
        )

    assert NADIA_CHANGED in str(refused.value)
    with db.session(commit=False) as s:
        assert s.get_one(Candidate, candidate_id).first_name == "Loïck"


@pytest.mark.server_only
def test_a_change_made_outside_the_services_is_still_never_overwritten(
    db: Database, other_desk: Database
) -> None:
    """Whatever writes the row between our read and our write, the server refuses our
    save (on SQLite nothing can: our save holds the write lock from its first read)."""
    candidate_id = _new_candidate(db)

    def other_program_writes() -> None:
        with other_desk.session() as s:
            s.execute(
                update(Candidate).where(Candidate.id == candidate_id).values(version=7, notes="x")
            )

    with pytest.raises(ConflictError) as refused, db.session() as s:
        candidate = s.get_one(Candidate, candidate_id)
        _while_flushing(s, other_program_writes)
        candidate.notes = "mine"
    assert str(refused.value) == WRITE_CONFLICT_MESSAGE
    with db.session(commit=False) as s:
        assert s.get_one(Candidate, candidate_id).notes == "x"


# ---------------------------------------------------------------- agreements


def test_a_stale_draft_save_names_who_changed_the_agreement(
    db: Database, other_desk: Database
) -> None:
    with db.session() as s:
        world = _world(s)
        opened = life_cycle.create_draft(
            s, _form(world), actor=make_actor(COORD, "Paul Girard"), now=NOW
        )
    with other_desk.session() as s:
        life_cycle.update_draft(
            s,
            opened.id,
            _form(world, date_fin="30/06/2026"),
            expected_version=opened.version,
            actor=make_actor(COORD, "Nadia Belkacem"),
            now=AGREEMENT_NADIA,
        )

    with pytest.raises(ConflictError) as refused, db.session() as s:
        life_cycle.update_draft(
            s,
            opened.id,
            _form(world, activites="Autre chose"),
            expected_version=opened.version,
            actor=make_actor(COORD, "Paul Girard"),
            now=NOW,
        )

    assert "Cette convention a été modifiée par Nadia Belkacem le 04/05/2026 à 10:42" in str(
        refused.value
    )
    with db.session(commit=False) as s:
        stored = s.get_one(Agreement, opened.id)
        assert (stored.end_date.day, stored.updated_by) == (30, "Nadia Belkacem")


def test_an_agreement_save_racing_another_desk_is_a_conflict(
    db: Database, other_desk: Database
) -> None:
    with db.session() as s:
        world = _world(s)
        opened = life_cycle.create_draft(
            s, _form(world), actor=make_actor(COORD, "Paul Girard"), now=NOW
        )

    def nadia_marks_it_ready() -> None:
        with other_desk.session() as s:
            life_cycle.mark_ready(
                s, opened.id, actor=make_actor(COORD, "Nadia Belkacem"), now=AGREEMENT_NADIA
            )

    with pytest.raises(ConflictError) as refused:
        _racing(
            db,
            nadia_marks_it_ready,
            lambda s: life_cycle.update_draft(
                s,
                opened.id,
                _form(world, activites="Autre chose"),
                expected_version=opened.version,
                actor=make_actor(COORD, "Paul Girard"),
                now=NOW,
            ),
        )

    assert "modifiée par Nadia Belkacem le 04/05/2026 à 10:42" in str(refused.value)
    with db.session(commit=False) as s:
        stored = s.get_one(Agreement, opened.id)
        assert stored.status == "prete_a_signer"
        assert stored.activities == "Accueil des usagers, petites réparations."


# ---------------------------------------------------------------- hosts


def _host_data(**values: str) -> hs.HostInput:
    fields = {"nom": "Atelier Vélo", "forme_juridique": "autre"}
    return hs.HostInput(**(fields | values))


def test_host_versions_count_real_changes_and_say_who(db: Database) -> None:
    with db.session() as s:
        created = hs.create_host(s, _host_data(), actor=make_actor(COORD, "Paul Girard"))
        same = hs.update_host(
            s, created.id, hs.host_input(created), actor=make_actor(COORD, "x"), expected_version=1
        )
        changed = hs.update_host(
            s,
            created.id,
            _host_data(commune="Niort"),
            actor=make_actor(COORD, "Nadia Belkacem"),
            expected_version=same.version,
        )
        hs.add_tutor(s, created.id, hs.TutorInput(nom="Inès Moreau"), actor=make_actor(COORD))
        stored = s.get_one(Host, created.id)
    assert (created.version, same.version, changed.version) == (1, 1, 2)
    assert (stored.version, stored.updated_by) == (2, "Nadia Belkacem")


def test_a_stale_host_save_names_who_changed_it(db: Database, other_desk: Database) -> None:
    with db.session() as s:
        opened = hs.create_host(s, _host_data(), actor=make_actor(COORD, "Paul Girard"))
    with other_desk.session() as s:
        hs.update_host(
            s,
            opened.id,
            _host_data(commune="Niort"),
            actor=make_actor(COORD, "Nadia Belkacem"),
            expected_version=opened.version,
        )
    with pytest.raises(ConflictError) as refused, db.session() as s:
        hs.update_host(
            s,
            opened.id,
            _host_data(commune="Poitiers"),
            actor=make_actor(COORD, "Paul Girard"),
            expected_version=opened.version,
        )
    assert str(refused.value).startswith("Cette structure a été modifiée par Nadia Belkacem le ")
    with db.session(commit=False) as s:
        assert s.get_one(Host, opened.id).city == "Niort"


def test_a_host_save_racing_another_desk_is_a_conflict(db: Database, other_desk: Database) -> None:
    with db.session() as s:
        opened = hs.create_host(s, _host_data(), actor=make_actor(COORD, "Paul Girard"))

    def nadia_saves() -> None:
        with other_desk.session() as s:
            hs.update_host(
                s, opened.id, _host_data(commune="Niort"), actor=make_actor(COORD, "Nadia Belkacem")
            )

    with pytest.raises(ConflictError) as refused:
        _racing(
            db,
            nadia_saves,
            lambda s: hs.update_host(
                s,
                opened.id,
                _host_data(commune="Poitiers"),
                actor=make_actor(COORD, "Paul Girard"),
                expected_version=opened.version,
            ),
        )
    assert "modifiée par Nadia Belkacem" in str(refused.value)


def test_the_message_gives_the_name_of_the_account_rather_than_its_login(db: Database) -> None:
    password = "Cobalt-2026-accueil"
    with db.session() as s:
        create_account(
            s,
            AccountInput("Nadia Belkacem", "nbelkacem", "accueil"),
            password,
            password,
            actor=make_actor(COORD),
        )
    # The first password protects the base: its data key is replaced (base_keys), so the
    # second workstation opens it now, with the new key.
    other_desk = Database(db.url)
    candidate_id = _new_candidate(db)
    try:
        with other_desk.session() as s:
            update_candidate(
                s,
                candidate_id,
                _entry(prenom="Loïck"),
                expected_version=1,
                actor=make_actor("accueil", "nbelkacem"),
                now=NADIA_SAVES,
            )
    finally:
        other_desk.dispose()
    with pytest.raises(ConflictError) as refused, db.session() as s:
        update_candidate(
            s, candidate_id, _entry(), expected_version=1, actor=make_actor(COORD, "Paul Girard")
        )
    assert NADIA_CHANGED in str(refused.value)
