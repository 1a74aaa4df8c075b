"""The candidates' word index (migration 0008): kept in step with every change, the list's
order, erasure leaving nothing behind, the upgrade of an older base, the path without an index.

The tests using `db` run on both engines (PostgreSQL's word index: migration 0016, see also
test_search_both_engines.py) except those marked `sqlite_only`, which read SQLite's own file,
FTS5 table, triggers or query plan."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from app.domain import Candidate
from app.services.candidates import records as candidates
from app.services.candidates.records import (
    CandidateInput,
    CandidateQuery,
    create_candidate,
    filtered_ids,
    get_candidate,
    search_ids,
    update_candidate,
)
from app.services.maintenance.health_check import check_database
from app.services.rgpd import person_data as rgpd
from app.storage import Database
from app.storage.database import scalar_list
from app.storage.migrate import downgrade_to, upgrade_to_head
from app.storage.scrub import rebuild_file
from tests.conftest import make_actor

NOW = datetime(2026, 11, 28, 10, 0)
COORDINATION = "coordination"


def entry(**overrides: str) -> CandidateInput:
    values = {
        "nom": "Lefèvre",
        "prenom": "Camille",
        "saison": "2026-2027",
        "site": "cobalt",
        "telephone": "06 12 34 56 78",
        "email": "camille.lefevre@exemple.fr",
        "commune": "Poitiers",
    }
    values.update(overrides)
    return CandidateInput(**values)


def add(db: Database, **overrides: str) -> int:
    with db.session() as session:
        return create_candidate(
            session, entry(**overrides), now=NOW, actor=make_actor(COORDINATION, "accueil")
        ).id


def found(db: Database, typed: str) -> list[int]:
    with db.session(commit=False) as session:
        return search_ids(session, CandidateQuery(text=typed))


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        yield s


def test_a_renamed_candidate_is_found_by_the_new_name_only(db: Database) -> None:
    candidate_id = add(db)
    with db.session() as session:
        file = get_candidate(session, candidate_id, actor=make_actor(COORDINATION))
        update_candidate(
            session,
            candidate_id,
            replace(file.values, nom="Bérégovoy", telephone="05 49 11 22 33", email=""),
            expected_version=file.version,
            actor=make_actor(COORDINATION, "accueil"),
        )

    assert found(db, "beregovoy") == [candidate_id]
    assert found(db, "Bérégo") == [candidate_id]
    assert found(db, "lefevre") == []
    assert found(db, "56 78") == []
    assert found(db, "22 33") == [candidate_id]


@pytest.mark.parametrize("typed", ["34 56", "345678", "12 34 56 78", "78"])
def test_digits_typed_from_the_middle_of_a_phone_find_it(db: Database, typed: str) -> None:
    candidate_id = add(db)
    add(db, nom="Autre", telephone="05 49 00 00 01", email="autre@exemple.fr")

    assert found(db, typed) == [candidate_id]


def test_a_word_is_found_by_its_beginning_not_its_middle(db: Database) -> None:
    candidate_id = add(db, nom="Martinez")

    assert found(db, "mart") == [candidate_id]
    assert found(db, "tinez") == []


def test_the_list_is_in_folded_alphabetical_order(db: Database) -> None:
    zoe = add(db, nom="Durand", prenom="Zoé", email="z@exemple.fr")
    elodie = add(db, nom="Durand", prenom="Élodie", email="e@exemple.fr")
    emma = add(db, nom="durand", prenom="emma", email="m@exemple.fr")
    abel = add(db, nom="Dupont", prenom="Abel", email="a@exemple.fr")

    assert found(db, "") == [abel, elodie, emma, zoe]


def test_an_anonymised_file_is_no_longer_found_by_name(db: Database) -> None:
    candidate_id = add(db, nom="Quetzal")
    with db.session() as session:
        rgpd.anonymise(session, [candidate_id], actor=make_actor(COORDINATION, "Claire"), now=NOW)

    assert found(db, "quetzal") == []
    assert found(db, "06 12") == []


@pytest.mark.sqlite_only  # reads the base's file
def test_erasure_leaves_no_word_of_the_person_in_the_index(db: Database, db_path: Path) -> None:
    # Unusual letters: the index stores words with their first letters shared with the word
    # before, so the end of a rare name is what would stay readable in the file.
    candidate_id = add(db, nom="Qzxwvkjbyh", email="qzxwvkjbyh@exemple.fr")
    add(db, nom="Martin", email="martin@exemple.fr")
    with db.session() as session:
        rgpd.erase_person(
            session, candidate_id, actor=make_actor(COORDINATION, "Claire"), reason="consentement"
        )
    assert found(db, "qzxwv") == []

    assert rebuild_file(db.engine)

    content = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    assert b"wvkjbyh" not in content
    assert found(db, "martin") != []


@pytest.mark.sqlite_only  # SQLite's catalogue and file
def test_the_upgrade_indexes_the_files_already_there(db: Database, db_path: Path) -> None:
    candidate_id = add(db, nom="Ndiaye", prenom="Éric")
    db.dispose()
    downgrade_to(db.engine, "0007")
    with db.engine.begin() as connection:
        tables = connection.execute(text("SELECT name FROM sqlite_master")).scalars().all()
        assert "candidate_fts" not in tables

    upgrade_to_head(db.engine)

    assert found(db, "ndia") == [candidate_id]
    assert found(db, "56 78") == [candidate_id]
    with db.session(commit=False) as session:
        candidate = session.get(Candidate, candidate_id)
        assert candidate is not None
        assert candidate.first_name_key == "eric"
    assert "Index de recherche : conforme" in check_database(f"sqlite:///{db_path}").describe()


@pytest.mark.sqlite_only  # SQLite's FTS5 triggers
def test_the_index_triggers_exist_at_the_head_revision(session: Session) -> None:
    # A later migration rebuilding the candidate table would drop them silently.
    triggers = session.scalars(
        text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'candidate'")
    ).all()
    assert set(triggers) >= {
        "candidate_fts_after_insert",
        "candidate_fts_after_update",
        "candidate_fts_after_delete",
    }


def test_without_the_word_index_every_term_is_a_substring_test() -> None:
    statement = filtered_ids(CandidateQuery(text="Hélène 06 12"), full_text=False)
    sql = str(statement.compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]

    assert "candidate_fts" not in sql
    assert sql.count("LIKE") == 3  # hélène, 06 and 12


def test_with_the_word_index_only_punctuation_falls_back_to_like() -> None:
    statement = filtered_ids(CandidateQuery(text="hélène _"), full_text=True)
    sql = str(statement.compile())

    assert "candidate_fts MATCH" in sql
    assert sql.count("LIKE") == 1


def test_plain_id_lists_match_sqlalchemys_with_any_parameter(db: Database) -> None:
    first, second = add(db), add(db, nom="Martin", email="m@exemple.fr")
    by_text = select(Candidate.id).where(Candidate.last_name == "Martin")
    since = datetime(2000, 1, 1)
    by_date = select(Candidate.id).where(Candidate.created_at >= since).order_by(Candidate.id)
    with db.session(commit=False) as session:
        assert scalar_list(session, by_text) == [second]  # straight off the cursor
        assert scalar_list(session, by_date) == [first, second]  # a date: SQLAlchemy's way
        assert scalar_list(session, by_date) == list(session.scalars(by_date))


@pytest.mark.sqlite_only  # SQLite's way of reading the list's index ("+ 0")
def test_a_search_matching_most_files_reads_them_in_the_lists_order(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(candidates, "DENSE_SHARE", 0.5)
    martins = [add(db, nom="Martin", prenom=f"P{n}", email=f"m{n}@exemple.fr") for n in range(3)]
    other = add(db, nom="Bernard", prenom="Luc", email="luc@exemple.fr", telephone="05 49 00 00 01")
    with db.session(commit=False) as session:
        dense = str(candidates._filtered(session, CandidateQuery(text="mar"), in_list_order=True))
        sparse = str(candidates._filtered(session, CandidateQuery(text="ber"), in_list_order=True))

    assert "candidate.id + " in dense  # three files in four: read off the list's index
    assert "candidate.id + " not in sparse  # one in four (under half): fetched by id, sorted
    with db.session(commit=False) as session:
        first_rows = search_ids(session, CandidateQuery(text="mar"), limit=10)  # the dense way
    assert first_rows == found(db, "mar") == martins  # same answer, in the list's order
    assert found(db, "ber") == [other]
