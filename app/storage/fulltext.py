"""Candidate search on an index, whatever the engine.

SQLite: the FTS5 table `candidate_fts` (migrations 0008 and 0011) indexes `candidate.search_text`
word by word, accents folded; each typed term matches the words it begins. Its second column
holds the candidate's season, site and name start as words nobody can type: a search within a
season or a site is narrowed inside the index, and so is a search for the list's first rows.
PostgreSQL (migration 0016): a GIN index over `candidate_search_words(search_text)`, a
`tsvector` of the same words with their positions; each typed term is a prefix query on them
(`'dupon':*`), a term with punctuation a phrase of its words (`'lea' <-> 'dupon':*`), as FTS5
reads it. The words are cut by an explicit rule (`SEPARATOR_RANGES`), the same in SQL and
here, whatever the server's locale. Season and site are plain conditions on the row there
(btree indexes); the name start words are SQLite's alone.

Terms without a letter or digit ("_", "%") cannot be indexed and are looked up with LIKE
everywhere.
"""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Integer, Select, column, func, literal, select, table, text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import QueryableAttribute

FTS_TABLE = "candidate_fts"
SOURCE_VIEW = "candidate_fts_source"  # what the index reads: search text and scope words
# PostgreSQL (migration 0016): the function giving a search text's words, and its GIN index.
WORDS_FUNCTION = "candidate_search_words"
WORDS_INDEX = "ix_candidate_search_words"
# What the schema comparison must not expect to find in the models: the FTS5 table, its
# shadow tables and source view, PostgreSQL's word index and the trigram index before 0016.
UNMAPPED_NAMES = frozenset(
    {
        FTS_TABLE,
        *(f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "content", "docsize", "config")),
        SOURCE_VIEW,
        WORDS_INDEX,
        "ix_candidate_search_trigram",
    }
)
# What separates two words on PostgreSQL, as code point ranges: every ASCII character but
# letters and digits, Latin-1's punctuation and symbols, × and ÷, the general punctuation,
# symbol and arrow blocks up to U+2BFF, CJK punctuation, and the small and full-width forms'
# punctuation, and the emoji. Everything else is part of a word. The same as FTS5's unicode61
# (letters, digits and private use make words) for folded Latin, Greek and Cyrillic text,
# e-mails and phones; it differs for some symbols and marks of other scripts (unicode61
# separates at them). And the same on every server: the locale's classes are not used.
# Migration 0016 spells the same ranges in SQL (a test compares the two cuts).
SEPARATOR_RANGES = (
    (0x00, 0x2F),
    (0x3A, 0x40),
    (0x5B, 0x60),
    (0x7B, 0xBF),
    (0xD7, 0xD7),
    (0xF7, 0xF7),
    (0x2000, 0x2BFF),
    (0x3000, 0x303F),
    (0xFE10, 0xFE6F),
    (0xFF00, 0xFF0F),
    (0xFF1A, 0xFF20),
    (0xFF3B, 0xFF40),
    (0xFF5B, 0xFF65),
    (0x1F000, 0x1FAFF),
)
# A tsvector refuses a longer lexeme (2 046 bytes); the function leaves such words out.
MAX_WORD_BYTES = 2046
# The scope words, as migration 0011 writes them: a private-use character (a letter to the
# tokenizer, typed by nobody, so that no search term begins like a scope word), then `s` and
# the season's id, `t` and the site's id, `n` and the name key's first two characters.
_SCOPE_MARK = "\ue000"
# The name start word of the files without a name key (anonymised) or whose key begins with
# something else than a plain letter or digit; the others add one or two of those.
NO_NAME_START = f"{_SCOPE_MARK}n"


def include_in_schema_comparison(name: str | None, _type: str, _parents: object) -> bool:
    """Alembic's `include_name`: leave out what migrations create outside the models."""
    return name not in UNMAPPED_NAMES


_fts = table(FTS_TABLE, column("rowid", Integer), column(FTS_TABLE))
_candidate = table(
    "candidate",
    column("id", Integer),
    column("search_text"),
    column("season_id", Integer),
    column("site_id", Integer),
)


def is_indexable(term: str, dialect: str = "sqlite") -> bool:
    """Whether the index holds anything this term can match: a letter or a digit (on
    PostgreSQL, a word by the rule of `words`)."""
    if dialect == "postgresql":
        return bool(words(term))
    return any(character.isalnum() for character in term)


def _is_separator(character: str) -> bool:
    point = ord(character)
    return any(low <= point <= high for low, high in SEPARATOR_RANGES)


def words(text: str) -> list[str]:
    """The words of a text as PostgreSQL's word index cuts them (`SEPARATOR_RANGES`)."""
    cut = "".join(" " if _is_separator(character) else character for character in text)
    # split(" "), not split(): Python's white space (U+1680, say) is part of a word here.
    return [word for word in cut.split(" ") if word and len(word.encode()) <= MAX_WORD_BYTES]


def _lexeme(word: str) -> str:
    # No quote nor backslash can be in a word (ASCII punctuation separates words); doubled
    # all the same, as tsquery's input syntax wants them.
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(terms: Sequence[str]) -> str:
    """The tsquery text of the terms: each term's words in a row (`<->`), its last word a
    prefix (`:*`), every term required (`&`). Read by a cast, which takes the lexemes as they
    are (to_tsquery would parse them again with the server's parser)."""
    phrases = []
    for term in terms:
        parts = [_lexeme(word) for word in words(term)]
        if not parts:
            raise ValueError(f"no word in {term!r}: not indexable")
        parts[-1] += ":*"
        phrases.append("(" + " <-> ".join(parts) + ")")
    return " & ".join(phrases)


def words_match(
    text_column: QueryableAttribute[str] | ColumnElement[str], terms: Sequence[str]
) -> ColumnElement[bool]:
    """PostgreSQL: the column's words begin with each term (read off the GIN index of
    migration 0016: the expression is the index's own)."""
    query = literal(tsquery(terms), TSQUERY)
    return getattr(func, WORDS_FUNCTION)(text_column).op("@@")(query)


def _phrase_prefix(term: str) -> str:
    # A quoted string is split into words by the index's own tokenizer (so "lea.dupont"
    # becomes the phrase lea dupont); the final * makes its last word a prefix.
    return '"' + term.replace('"', '""') + '"*'


_PLAIN = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")


def name_start_word(name_key: str | None) -> str:
    """The scope word of a name key, as migration 0011 writes it: the key's first two
    characters while they are plain letters or digits (one, or none, when the next is not:
    the word must stay one word). Only the first two characters count."""
    start = ""
    for character in (name_key or "")[:2]:
        if character not in _PLAIN:
            break
        start += character
    return NO_NAME_START + start


def _expression(
    terms: list[str], season_id: int | None, site_id: int | None, name_starts: Sequence[str]
) -> str:
    scope = [f"{_SCOPE_MARK}s{season_id}"] if season_id is not None else []
    scope += [f"{_SCOPE_MARK}t{site_id}"] if site_id is not None else []
    parts = [f'"{word}"' for word in scope] + [_phrase_prefix(term) for term in terms]
    if name_starts:
        parts.append("(" + " OR ".join(f'"{word}"' for word in name_starts) + ")")
    return " AND ".join(parts)


def matching_ids(
    terms: list[str],
    *,
    season_id: int | None = None,
    site_id: int | None = None,
    name_starts: Sequence[str] = (),
    dialect: str = "sqlite",
) -> Select[tuple[int]]:
    """Ids of the candidates whose indexed words begin with each term, in this season and
    this site when given, among the names starting with one of `name_starts` (words of
    `name_start_word`, SQLite only) when given."""
    if dialect == "postgresql":
        if name_starts:
            raise ValueError("name start words are SQLite's index only")
        statement = select(_candidate.c.id)
        if terms:
            statement = statement.where(words_match(_candidate.c.search_text, terms))
        if season_id is not None:
            statement = statement.where(_candidate.c.season_id == season_id)
        if site_id is not None:
            statement = statement.where(_candidate.c.site_id == site_id)
        return statement
    expression = _expression(terms, season_id, site_id, name_starts)
    return select(_fts.c.rowid).where(_fts.c[FTS_TABLE].match(expression))


def contains(
    text_column: QueryableAttribute[str] | ColumnElement[str], term: str
) -> ColumnElement[bool]:
    """The portable substring test: `term` anywhere in the column, wildcards literal."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return text_column.like(f"%{escaped}%", escape="\\")


def has_index(connection: Connection) -> bool:
    """Whether the engine searches words on an index (SQLite and PostgreSQL)."""
    return connection.dialect.name in ("sqlite", "postgresql")


def merge_segments(connection: Connection) -> None:
    """Merge the index into one segment, dropping the words of deleted or changed rows: an
    erasure must leave no copy of a name in the index either. (PostgreSQL: the erasure's
    VACUUM FULL of the candidate table rebuilds its indexes.)"""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")


_VALID_INDEX = text(
    "SELECT i.indisvalid AND i.indisready FROM pg_index i"
    " JOIN pg_class c ON c.oid = i.indexrelid"
    " WHERE c.relname = :name AND c.relnamespace = to_regnamespace(current_schema())"
)


def check(connection: Connection) -> bool:
    """Whether the index matches the table (FTS5's own integrity check; on PostgreSQL, the
    word index is there and valid)."""
    if connection.dialect.name == "postgresql":
        return bool(connection.execute(_VALID_INDEX, {"name": WORDS_INDEX}).scalar())
    if connection.dialect.name != "sqlite":
        return True
    try:
        connection.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"
        )
    except DatabaseError:
        return False
    return True
