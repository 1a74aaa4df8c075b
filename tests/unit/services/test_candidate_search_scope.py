"""The word index narrows a search to a season or a site, and finds the list's first rows of
a search matching most files among the names starting like the list's first names
(migration 0011); the answers stay those of a plain SQL search.

The tests using `db` run on both engines except those marked `sqlite_only` (SQLite's scope
words, FTS5 table or query plan): on PostgreSQL the season and site are plain conditions on
the row, and its planner finds the first rows."""

from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import select, text

from app.domain import Candidate
from app.services.candidates import records as candidates
from app.services.candidates.records import (
    CandidateInput,
    CandidateQuery,
    count,
    create_candidate,
    filtered_ids,
    get_candidate,
    search_ids,
    season_and_site,
    update_candidate,
)
from app.services.maintenance.health_check import check_database
from app.services.rgpd import person_data as rgpd
from app.storage import Database, fulltext
from app.storage.migrate import downgrade_to, upgrade_to_head
from tests.conftest import make_actor

NOW = datetime(2026, 11, 28, 10, 0)
COORDINATION = "coordination"
# Odd name starts on purpose: accents, apostrophes, digits, letters outside a-z, one letter.
NAMES = [
    "Martin",
    "Ab",
    "A",
    "Élodie",
    "N'Diaye",
    "Øberg",
    "Łukasz",
    "(Pa)renthèse",
    "1er",
    "Zoé",
    "Bernard",
    "Mörike",
    "Ma",
    "M",
    "Durand",
]


def entry(**overrides: str) -> CandidateInput:
    values = {
        "nom": "Lefèvre",
        "prenom": "Camille",
        "saison": "2026-2027",
        "site": "cobalt",
        "telephone": "06 12 34 56 78",
        "email": "",
        "commune": "Poitiers",
    }
    values.update(overrides)
    return CandidateInput(**values)


def add(db: Database, **overrides: str) -> int:
    with db.session() as session:
        return create_candidate(
            session, entry(**overrides), now=NOW, actor=make_actor(COORDINATION, "accueil")
        ).id


def found(db: Database, query: CandidateQuery, **options: int) -> list[int]:
    with db.session(commit=False) as session:
        return search_ids(session, query, **options)


def counted(db: Database, query: CandidateQuery) -> int:
    with db.session(commit=False) as session:
        return count(session, query)


def scope_of(db: Database, candidate_id: int) -> tuple[int, int]:
    with db.session(commit=False) as session:
        return season_and_site(session, candidate_id)


def move(db: Database, candidate_id: int, **changes: str) -> None:
    with db.session() as session:
        file = get_candidate(session, candidate_id, actor=make_actor(COORDINATION))
        update_candidate(
            session,
            candidate_id,
            replace(file.values, **changes),
            expected_version=file.version,
            actor=make_actor(COORDINATION, "accueil"),
        )


# ---------------------------------------------------------------- season and site


def test_a_search_in_a_season_is_narrowed_inside_the_index() -> None:
    statement = filtered_ids(CandidateQuery(text="06 12", season_id=3, site_id=2), full_text=True)
    compiled = statement.compile()
    expression = next(v for v in compiled.params.values() if isinstance(v, str))

    assert "\ue000s3" in expression
    assert "\ue000t2" in expression
    assert '"0612"*' in expression


def test_the_same_phone_is_found_in_its_own_season_and_site_only(db: Database) -> None:
    this_season = add(db)
    last_season = add(db, nom="Bernard", saison="2025-2026")
    other_site = add(db, nom="Durand", site="du-guesclin")
    season, site = scope_of(db, this_season)
    older_season, _ = scope_of(db, last_season)
    _, other_site_id = scope_of(db, other_site)

    for typed in ("06 12", "0", "lefevre"):
        in_season = CandidateQuery(text=typed, season_id=season, site_id=site)
        assert found(db, in_season) == [this_season]
        assert counted(db, in_season) == 1
    assert found(db, CandidateQuery(text="06 12", season_id=older_season)) == [last_season]
    assert found(db, CandidateQuery(text="06 12", site_id=other_site_id)) == [other_site]
    assert counted(db, CandidateQuery(text="06 12", season_id=season)) == 2


def test_a_file_moved_to_another_season_or_site_is_found_there_only(db: Database) -> None:
    candidate_id = add(db)
    season, site = scope_of(db, candidate_id)

    move(db, candidate_id, saison="2025-2026", site="du-guesclin")

    older_season, other_site = scope_of(db, candidate_id)
    assert found(db, CandidateQuery(text="lefe", season_id=season)) == []
    assert found(db, CandidateQuery(text="lefe", site_id=site)) == []
    assert found(db, CandidateQuery(text="lefe", season_id=older_season)) == [candidate_id]
    assert found(db, CandidateQuery(text="06", site_id=other_site)) == [candidate_id]


def test_the_index_follows_a_season_changed_behind_the_services(db: Database) -> None:
    candidate_id = add(db)
    season, _ = scope_of(db, candidate_id)
    other = add(db, nom="Bernard", saison="2025-2026")
    older_season, _ = scope_of(db, other)
    with db.session() as session:
        session.execute(
            text("UPDATE candidate SET season_id = :season WHERE id = :id"),
            {"season": older_season, "id": candidate_id},
        )

    assert found(db, CandidateQuery(text="06", season_id=older_season)) == [other, candidate_id]
    assert found(db, CandidateQuery(text="06", season_id=season)) == []
    report = check_database(db.engine.url.render_as_string(hide_password=False)).describe()
    assert "Base en bon état" in report
    if db.engine.dialect.name == "sqlite":  # an FTS5 index can drift from its table
        assert "Index de recherche : conforme" in report


def test_no_typed_word_matches_a_scope_word(db: Database) -> None:
    candidate_id = add(db, nom="Sylvain", prenom="Tom", commune="Niort")
    add(db, nom="Bernard", prenom="Luc", commune="Melle", telephone="05 49 00 00 01")

    # Scope words begin with a private-use character: "s", "t" and "n" (the letters that
    # follow it) find the files whose own words begin with them, and those only.
    assert found(db, CandidateQuery(text="s")) == [candidate_id]
    assert found(db, CandidateQuery(text="t")) == [candidate_id]
    assert found(db, CandidateQuery(text="n")) == [candidate_id]


# ---------------------------------------------------------------- first rows in list order


@pytest.fixture
def varied(db: Database) -> list[int]:
    """Files with odd name starts, one anonymised (no name key: first in the list)."""
    ids = [
        add(db, nom=name, prenom=f"P{n}", telephone=f"06 00 00 00 {n:02d}")
        for n, name in enumerate(NAMES)
    ]
    ids.append(add(db, nom="Rousseau", prenom="Luc", telephone="05 49 00 00 01"))
    with db.session() as session:
        rgpd.anonymise(session, [ids[0]], actor=make_actor(COORDINATION, "Claire"), now=NOW)
    return ids


def in_sql_order(db: Database, query: CandidateQuery) -> list[int]:
    """The plain SQL answer: every match, fetched and sorted by SQLite."""
    with db.session(commit=False) as session:
        return search_ids(session, query)


@pytest.mark.parametrize("typed", ["0", "06", "a", "m", "an", "p1"])
def test_the_first_rows_found_off_the_first_names_are_those_sql_finds(
    db: Database, varied: list[int], monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    monkeypatch.setattr(candidates, "WINDOW_SHARE", 0.0)  # however few the matches
    query = CandidateQuery(text=typed)
    expected = in_sql_order(db, query)

    for limit in (1, 2, 3, 5, 8, 20):
        for offset in (0, 1, 4):
            assert found(db, query, limit=limit, offset=offset) == expected[offset:][:limit]


def test_files_without_a_name_key_come_first_as_in_the_list(
    db: Database, varied: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(candidates, "WINDOW_SHARE", 0.0)
    anonymised = varied[0]
    query = CandidateQuery(text="anonyme")

    assert found(db, query, limit=1) == [anonymised] == in_sql_order(db, query)


@pytest.mark.sqlite_only  # SQLite's way to the first rows
def test_the_first_rows_are_read_off_the_first_names_when_most_files_match(
    db: Database, varied: list[int]
) -> None:
    query = CandidateQuery(text="06")  # every file but the anonymised one and Rousseau
    expected = in_sql_order(db, query)

    with db.session(commit=False) as session:
        first = candidates._first_in_list_order(session, query, 3)

    assert first == expected[:3]
    assert found(db, query, limit=3) == expected[:3]


def test_too_few_matches_among_the_first_names_leaves_it_to_sql(
    db: Database, varied: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(candidates, "WINDOW_SHARE", 0.0)
    monkeypatch.setattr(candidates, "WINDOW_MARGIN", 0.1)  # the first name or two
    query = CandidateQuery(text="zoe")  # the last name of the list

    with db.session(commit=False) as session:
        assert candidates._first_in_list_order(session, query, 1) is None
    assert found(db, query, limit=1) == in_sql_order(db, query)


def test_names_beyond_the_first_ones_are_left_to_sql(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(candidates, "WINDOW_MARGIN", 0.5)  # the first two names
    first = add(db, nom="Aa", telephone="06 12 34 56 01")
    add(db, nom="Ab", telephone="05 49 00 00 02")
    third = add(db, nom="Cc", telephone="06 12 34 56 03")
    add(db, nom="Øberg", telephone="06 12 34 56 04")  # sorts after z, start word of its own
    query = CandidateQuery(text="06")

    with db.session(commit=False) as session:
        assert candidates._first_in_list_order(session, query, 2) is None
    assert found(db, query, limit=2) == [first, third] == in_sql_order(db, query)[:2]


def test_a_site_keeps_its_own_files_among_the_first_names(
    db: Database, varied: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(candidates, "WINDOW_SHARE", 0.0)
    elsewhere = add(db, nom="Aaron", site="du-guesclin")
    _, site = scope_of(db, elsewhere)
    query = CandidateQuery(text="06", site_id=site)

    assert found(db, query, limit=3) == [elsewhere] == in_sql_order(db, query)


@pytest.mark.sqlite_only  # SQLite's scope words
def test_each_name_is_found_by_the_start_word_of_its_key(db: Database, varied: list[int]) -> None:
    with db.session(commit=False) as session:
        for candidate_id, key in session.execute(select(Candidate.id, Candidate.name_key)):
            word = fulltext.name_start_word(key)
            in_index = session.scalars(fulltext.matching_ids([], name_starts=[word])).all()
            assert candidate_id in in_index, key


@pytest.mark.parametrize(
    ("key", "start"),
    [
        ("bernard", "be"),
        ("b", "b"),
        ("1er", "1e"),
        ("a(b", "a"),
        ("(pa)renthese", ""),
        ("øberg", ""),
        ("aø", "a"),
        (None, ""),
    ],
)
def test_the_start_word_of_a_name_key(key: str | None, start: str) -> None:
    assert fulltext.name_start_word(key) == fulltext.NO_NAME_START + start


# ---------------------------------------------------------------- the count


def test_the_count_read_with_the_ids_is_not_reused_after_a_write(db: Database) -> None:
    add(db)
    query = CandidateQuery(text="06")
    with db.session() as session:
        assert len(search_ids(session, query, limit=10)) == 1
        assert count(session, query) == 1
        create_candidate(
            session, entry(nom="Bernard"), now=NOW, actor=make_actor(COORDINATION, "accueil")
        )

        assert count(session, query) == 2


def test_the_count_of_words_in_a_season_comes_from_the_index(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    this_season = add(db)
    add(db, nom="Bernard", saison="2025-2026")
    season, _ = scope_of(db, this_season)

    def no_sql_count(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("counted by SQLite")

    monkeypatch.setattr(candidates, "_filtered", no_sql_count)

    assert counted(db, CandidateQuery(text="06 12", season_id=season)) == 1


# ---------------------------------------------------------------- migration 0011


def _fts_sql(db: Database) -> str:
    with db.engine.connect() as connection:
        return str(
            connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'candidate_fts'")
            ).scalar_one()
        )


@pytest.mark.sqlite_only  # SQLite's FTS5 table
def test_the_downgrade_gives_back_the_plain_index_and_the_upgrade_the_scoped_one(
    db: Database,
) -> None:
    candidate_id = add(db, nom="Ndiaye")
    season, _ = scope_of(db, candidate_id)
    db.dispose()

    downgrade_to(db.engine, "0010")

    assert "scope" not in _fts_sql(db)
    with db.engine.connect() as connection:
        plain = text("SELECT rowid FROM candidate_fts WHERE candidate_fts MATCH '\"ndia\"*'")
        assert connection.execute(plain).scalars().all() == [candidate_id]
        views = text("SELECT name FROM sqlite_master WHERE type = 'view'")
        assert fulltext.SOURCE_VIEW not in connection.execute(views).scalars().all()

    upgrade_to_head(db.engine)

    assert "scope" in _fts_sql(db)
    assert found(db, CandidateQuery(text="ndia", season_id=season)) == [candidate_id]
    assert found(db, CandidateQuery(text="ndia", season_id=season + 1)) == []


@pytest.mark.sqlite_only  # SQLite's query plan
def test_a_seasons_files_are_read_in_the_lists_order_off_an_index(db: Database) -> None:
    with db.session(commit=False) as session:
        for query in (CandidateQuery(text="06", season_id=1), CandidateQuery(season_id=1)):
            statement = filtered_ids(query, full_text=True).order_by(
                Candidate.name_key, Candidate.first_name_key, Candidate.id
            )
            sql = statement.compile(compile_kwargs={"literal_binds": True})
            plan = " ".join(
                str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
            )

            assert "ix_candidate_season_display_order" in plan
            assert "TEMP B-TREE" not in plan  # no sort
