"""One candidate search on both engines: each typed term finds the words it begins (not the
words it is inside), accents folded, digits from the middle of a phone, a term with
punctuation as a phrase of its words, within a season or a site.

The tests using `db` run on SQLite and, when FABRIQUE_TEST_DB names a server, on PostgreSQL
(tests/unit/services/conftest.py); those of PostgreSQL's own word index (migration 0016) exist
only then (tests/engines.py)."""

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from app.services.base_access.opening import open_app_database
from app.services.candidates import records as candidates
from app.services.candidates.records import (
    CandidateInput,
    CandidateQuery,
    count,
    create_candidate,
    filtered_ids,
    search_ids,
    season_and_site,
)
from app.storage import Database, fulltext
from app.storage.migrate import downgrade_to, upgrade_to_head
from tests.conftest import TODAY, make_actor
from tests.engines import on_a_server, postgres_database

NOW = datetime(2026, 11, 28, 10, 0)
COORDINATION = "coordination"


def add(db: Database, nom: str, prenom: str, **overrides: str) -> int:
    values = {
        "nom": nom,
        "prenom": prenom,
        "saison": "2026-2027",
        "site": "cobalt",
        "telephone": "05 49 00 00 01",
        "email": "",
        "commune": "Poitiers",
    }
    values.update(overrides)
    with db.session() as session:
        return create_candidate(
            session, CandidateInput(**values), now=NOW, actor=make_actor(COORDINATION, "accueil")
        ).id


def found(db: Database, typed: str, **scope: int) -> list[int]:
    with db.session(commit=False) as session:
        return search_ids(session, CandidateQuery(text=typed, **scope))


def counted(db: Database, typed: str, **scope: int) -> int:
    with db.session(commit=False) as session:
        return count(session, CandidateQuery(text=typed, **scope))


# ---------------------------------------------------------------- the same answers


def test_a_term_finds_the_words_it_begins_not_those_it_is_inside(db: Database) -> None:
    dupont = add(db, "Dupont", "Léa")
    ponthieu = add(db, "Ponthieu", "Marc")

    assert found(db, "dup") == [dupont]
    assert found(db, "DUPONT") == [dupont]
    assert found(db, "upont") == []  # inside Dupont: a substring search found it
    assert found(db, "pont") == [ponthieu]  # Ponthieu begins with it, Dupont does not
    assert found(db, "ieu") == []
    assert counted(db, "upont") == 0
    assert counted(db, "pont") == 1


@pytest.mark.parametrize("typed", ["eloise", "Éloïse", "ELOÏ", "eloi"])
def test_accents_and_case_are_folded_both_ways(db: Database, typed: str) -> None:
    eloise = add(db, "Brunet", "Éloïse")
    add(db, "Brun", "Elodie")

    assert found(db, typed) == [eloise]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("56 78", True), ("06 12 34", True), ("345678", True), ("0612", True), ("56 79", False)],
)
def test_digits_typed_from_the_middle_of_a_phone(db: Database, typed: str, expected: bool) -> None:
    mobile = add(db, "Martin", "Paul", telephone="06 12 34 56 78")
    add(db, "Bernard", "Luc")  # 05 49 00 00 01

    assert found(db, typed) == ([mobile] if expected else [])


def test_every_term_must_begin_a_word(db: Database) -> None:
    lea = add(db, "Dupont", "Léa")
    add(db, "Martin", "Paul")

    assert found(db, "lea dup") == [lea]
    assert found(db, "dup lea") == [lea]  # terms in any order
    assert found(db, "paul dup") == []


def test_an_email_is_a_phrase_of_its_words(db: Database) -> None:
    paul = add(db, "Martin", "Paul", email="paul.martin@exemple.fr")
    add(db, "Bernard", "Luc", email="luc.bernard@exemple.fr")

    assert found(db, "paul.martin@exemple.fr") == [paul]
    assert found(db, "martin@exem") == [paul]  # "martin" then a word beginning "exem"
    assert found(db, "exemple@paul") == []  # both words are there, not in this order
    assert found(db, "paul.mar@exemple") == []  # "mar" is not the whole word before


def test_punctuation_inside_a_word_cuts_it_as_on_sqlite(db: Database) -> None:
    odd = add(db, "(Pa)renthèse", "Zoé")
    parent = add(db, "Parent", "Hugo")

    assert found(db, "(pa)renth") == [odd]  # the phrase "pa" then "renth…"
    assert found(db, "(pa)rent") == [odd]  # not Parent: "pa" is a whole word there
    assert found(db, "renthese") == [odd]
    assert found(db, "par") == [parent]  # "pa" and "renthese" are two words


def test_letters_outside_a_to_z_stay_in_their_word(db: Database) -> None:
    oberg = add(db, "Øberg", "Łukasz")

    assert found(db, "øb") == [oberg]
    assert found(db, "łuk") == [oberg]
    assert found(db, "berg") == []


def test_a_term_without_letter_or_digit_is_a_substring_search(db: Database) -> None:
    underscored = add(db, "Leroy", "Anne", email="anne_leroy@exemple.fr")
    add(db, "Martin", "Paul", email="paul.martin@exemple.fr")

    assert found(db, "_") == [underscored]
    assert found(db, "%") == []


def test_a_season_or_a_site_narrows_the_search(db: Database) -> None:
    here = add(db, "Dupont", "Léa")
    last_season = add(db, "Dupont", "Marc", saison="2025-2026")
    other_site = add(db, "Dupont", "Zoé", site="du-guesclin")
    with db.session(commit=False) as session:
        season, site = season_and_site(session, here)
        older_season, _ = season_and_site(session, last_season)
        _, other_site_id = season_and_site(session, other_site)

    assert found(db, "dup") == [here, last_season, other_site]  # the list's order: first names
    assert found(db, "dup", season_id=season) == [here, other_site]
    assert found(db, "dup", season_id=season, site_id=site) == [here]
    assert found(db, "dup", season_id=older_season) == [last_season]
    assert found(db, "dup", site_id=other_site_id) == [other_site]
    assert found(db, "upont", season_id=season) == []
    assert counted(db, "dup", season_id=season) == 2
    assert counted(db, "dup", site_id=other_site_id) == 1


def test_the_words_follow_a_text_changed_behind_the_services(db: Database) -> None:
    candidate_id = add(db, "Dupont", "Léa")
    with db.session() as session:
        session.execute(
            text("UPDATE candidate SET search_text = 'quetzal 0549' WHERE id = :id"),
            {"id": candidate_id},
        )

    assert found(db, "quet") == [candidate_id]
    assert found(db, "dup") == []


def test_the_first_rows_of_a_search_come_in_the_lists_order(db: Database) -> None:
    people = [("Martin", "Zoé"), ("Bernard", "Luc"), ("martin", "Anne"), ("Abadie", "Marc")]
    ids = {name: add(db, last, name) for last, name in people}
    with db.session(commit=False) as session:
        first_two = search_ids(session, CandidateQuery(text="ma"), limit=2)
        next_one = search_ids(session, CandidateQuery(text="ma"), limit=2, offset=2)

    # "ma" begins Marc (first name of Abadie), Martin twice: Abadie, then the Martins by name.
    assert first_two == [ids["Marc"], ids["Anne"]]
    assert next_one == [ids["Zoé"]]


@pytest.fixture
def crowd(db: Database) -> list[int]:
    """Files whose first names all begin with "m", last names spread over the alphabet, in
    two seasons, with two phones."""
    names = ["Abadie", "Martin", "Zola", "Bernard", "martin", "Moreau", "Élie", "Ngo", "Roux"]
    return [
        add(
            db,
            name,
            f"M{n}",
            saison="2026-2027" if n % 3 else "2025-2026",
            telephone="06 12 34 56 78" if n % 2 else "07 98 76 54 32",
        )
        for n, name in enumerate(names)
    ]


@pytest.mark.parametrize("walk", [True, False], ids=["list-order", "matches-sorted"])
@pytest.mark.parametrize("typed", ["m", "m0", "06", "07 98", "mar", "zol"])
def test_the_first_rows_are_the_same_however_they_are_read(
    db: Database, crowd: list[int], monkeypatch: pytest.MonkeyPatch, walk: bool, typed: str
) -> None:
    # The first rows are read in the list's order, each tested, or every match is fetched and
    # sorted: chosen by the count of matches (PostgreSQL: WALK_COST_RATIO; SQLite:
    # DENSE_SHARE). Forced either way, the same rows.
    monkeypatch.setattr(candidates, "WALK_COST_RATIO", 0.0 if walk else 1e12)
    monkeypatch.setattr(candidates, "DENSE_SHARE", 0.0 if walk else 1.0)
    with db.session(commit=False) as session:
        season, _ = season_and_site(session, crowd[1])
    for scope in ({}, {"season_id": season}):
        every = found(db, typed, **scope)
        for limit, offset in ((1, 0), (2, 0), (2, 3), (20, 0)):
            with db.session(commit=False) as session:
                query = CandidateQuery(text=typed, **scope)
                first = search_ids(session, query, limit=limit, offset=offset)
            assert first == every[offset:][:limit], (scope, limit, offset)
    assert len(found(db, "m")) == len(crowd)


# ---------------------------------------------------------------- PostgreSQL's word index


def test_postgresqls_search_is_a_word_query_on_the_index() -> None:
    statement = filtered_ids(
        CandidateQuery(text="Hélène (pa)renth _"), full_text=True, dialect="postgresql"
    )
    compiled = statement.compile(dialect=postgresql.dialect())
    sql = str(compiled)

    assert f"candidate.{fulltext.WORDS_COLUMN} @@" in sql
    assert sql.count("LIKE") == 1  # "_" only
    assert "('helene':*) & ('pa' <-> 'renth':*)" in compiled.params.values()


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("dupont", "('dupont':*)"),
        ("lea.dupont", "('lea' <-> 'dupont':*)"),
        ("a@b.fr", "('a' <-> 'b' <-> 'fr':*)"),
        ("«øberg»", "('øberg':*)"),
        ("jean–pierre", "('jean' <-> 'pierre':*)"),  # an en dash
    ],
)
def test_a_term_becomes_a_phrase_of_its_words(term: str, expected: str) -> None:
    assert fulltext.tsquery([term]) == expected


def test_a_term_without_a_word_is_not_indexable_on_postgresql() -> None:
    assert not fulltext.is_indexable("«_»", "postgresql")
    assert not fulltext.is_indexable("€", "postgresql")
    assert fulltext.is_indexable("_a", "postgresql")
    with pytest.raises(ValueError):
        fulltext.tsquery(["_"])


@pytest.fixture
def server(engine: str) -> Iterator[Engine]:
    """A migrated base on the test server, opened by the application."""
    with postgres_database(TODAY) as url:
        open_app_database(url, today=TODAY).dispose()
        server_engine = create_engine(url, poolclass=NullPool)
        yield server_engine
        server_engine.dispose()


def is_separator(character: str) -> bool:
    return any(low <= ord(character) <= high for low, high in fulltext.SEPARATOR_RANGES)


def _boundary_characters() -> str:
    """Each separator range's first and last code point and their neighbours."""
    points = set()
    for low, high in fulltext.SEPARATOR_RANGES:
        points |= {low - 1, low, high, high + 1}
    return "".join(chr(p) for p in sorted(points) if p > 0 and not 0xD800 <= p <= 0xDFFF)


@on_a_server
def test_the_server_cuts_words_as_the_terms_are_cut(server: Engine) -> None:
    samples = [
        "dupont lea dupont lea lea.dupont@exemple.fr 0612345678 poitiers 5678 78",
        "(pa)renthese a_b x'y z\\w 1e5x øberg łukasz «jo» jean–pierre é€z ab·cd 😀x o\u1680gham",
        "".join(f"a{character}b " for character in _boundary_characters()),
        "x" * 3000 + " court",  # too long for a tsvector: left out, as `words` leaves it
    ]
    with server.connect() as connection:
        for sample in samples:
            vector = connection.execute(
                text(f"SELECT {fulltext.WORDS_FUNCTION}(:t)"), {"t": sample}
            ).scalar_one()
            # Each word of `words` once, at its positions among all the words (a word too
            # long for the index keeps its place).
            kept = set(fulltext.words(sample))
            cut = "".join(" " if is_separator(c) else c for c in sample)
            every_word = [word for word in cut.split(" ") if word]
            positions: dict[str, list[int]] = {}
            for position, word in enumerate(every_word, start=1):
                if word in kept:
                    positions.setdefault(word, []).append(position)
            assert "x" * 3000 not in kept
            in_vector = connection.execute(
                text("SELECT lexeme, positions FROM unnest(CAST(:v AS tsvector))"), {"v": vector}
            ).all()
            assert {lexeme: list(at) for lexeme, at in in_vector} == positions, sample


@on_a_server
def test_the_word_index_is_there_and_read(server: Engine) -> None:
    with server.connect() as connection:
        assert fulltext.check(connection)
        definition = connection.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
            {"name": fulltext.WORDS_INDEX},
        ).scalar_one()
        assert "USING gin" in definition
        assert f"({fulltext.WORDS_COLUMN})" in definition
        trigram = connection.execute(
            text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_candidate_search_trigram'")
        ).first()
        assert trigram is None
        # With sequential scans off, the planner shows whether the index can answer at all.
        connection.execute(text("SET enable_seqscan = off"))
        query = filtered_ids(CandidateQuery(text="lea dup"), full_text=True, dialect="postgresql")
        compiled = query.compile(dialect=connection.dialect)
        explained = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
        plan = " ".join(str(row[0]) for row in explained)
        assert fulltext.WORDS_INDEX in plan

        connection.execute(text(f"DROP INDEX {fulltext.WORDS_INDEX}"))
        assert not fulltext.check(connection)
        connection.rollback()


@on_a_server
def test_the_upgrade_indexes_the_files_already_there(server: Engine) -> None:
    url = server.url.render_as_string(hide_password=False)
    database = open_app_database(url, today=TODAY)
    try:
        candidate_id = add(database, "Ndiaye", "Éric", telephone="06 12 34 56 78")
    finally:
        database.dispose()
    downgrade_to(server, "0015")
    with server.connect() as connection:
        assert not fulltext.check(connection)
        functions = text("SELECT 1 FROM pg_proc WHERE proname = :name")
        assert connection.execute(functions, {"name": fulltext.WORDS_FUNCTION}).first() is None
        columns = text(
            "SELECT 1 FROM information_schema.columns"
            " WHERE table_name = 'candidate' AND column_name = :name"
        )
        assert connection.execute(columns, {"name": fulltext.WORDS_COLUMN}).first() is None

    upgrade_to_head(server)

    database = open_app_database(url, today=TODAY)
    try:
        assert found(database, "ndia") == [candidate_id]
        assert found(database, "56 78") == [candidate_id]
        assert found(database, "diaye") == []
        with database.session(commit=False) as session:
            assert fulltext.check(session.connection())
    finally:
        database.dispose()


@on_a_server
def test_many_matches_are_looked_for_in_the_lists_order_few_fetched_and_sorted(
    server: Engine,
) -> None:
    url = server.url.render_as_string(hide_password=False)
    database = open_app_database(url, today=TODAY)
    executed: list[str] = []

    def remember(*args: object) -> None:
        executed.append(str(args[2]))

    try:
        many = [add(database, f"Martin{n}", "Paul", telephone="06 12 34 56 78") for n in range(8)]
        few = add(database, "Zola", "Émile", telephone="05 49 00 00 01")
        event.listen(database.engine, "before_cursor_execute", remember)
        with database.session(commit=False) as session:
            # 9 files: 8 match "06", 8 * 8 > 2 * 3 wanted * 9 files.
            assert search_ids(session, CandidateQuery(text="06"), limit=3) == many[:3]
            dense = next(sql for sql in executed if "ORDER BY" in sql)
            executed.clear()
            assert search_ids(session, CandidateQuery(text="zol"), limit=3) == [few]
            sparse = next(sql for sql in executed if "ORDER BY" in sql)
    finally:
        event.remove(database.engine, "before_cursor_execute", remember)
        database.dispose()

    assert "ts_match_vq(candidate.search_words" in dense  # no index: rows read in order
    assert "ORDER BY candidate.name_key," in dense
    assert "candidate.search_words @@" in sparse  # the word index, then a sort
    assert "ORDER BY candidate.name_key ||" in sparse
