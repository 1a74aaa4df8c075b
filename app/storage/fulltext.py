"""Candidate search on an index, whatever the engine.

SQLite: the FTS5 table `candidate_fts` (migrations 0008 and 0011) indexes `candidate.search_text`
word by word, accents folded; each typed term matches the words it begins. Its second column
holds the candidate's season, site and name start as words nobody can type: a search within a
season or a site is narrowed inside the index, and so is a search for the list's first rows.
PostgreSQL: a LIKE on the same column, served by a trigram index. Terms without a letter or
digit ("_", "%") cannot be indexed and are looked up with LIKE everywhere.
"""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Integer, Select, column, select, table
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import QueryableAttribute

FTS_TABLE = "candidate_fts"
SOURCE_VIEW = "candidate_fts_source"  # what the index reads: search text and scope words
# What the schema comparison must not expect to find in the models: the FTS5 table, its
# shadow tables and source view, and PostgreSQL's trigram index.
UNMAPPED_NAMES = frozenset(
    {
        FTS_TABLE,
        *(f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "content", "docsize", "config")),
        SOURCE_VIEW,
        "ix_candidate_search_trigram",
    }
)
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


def is_indexable(term: str) -> bool:
    """Whether the index holds anything this term can match: a letter or a digit."""
    return any(character.isalnum() for character in term)


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
) -> Select[tuple[int]]:
    """Ids of the candidates whose indexed words begin with each term (SQLite FTS5), in this
    season and this site when given, among the names starting with one of `name_starts`
    (words of `name_start_word`) when given."""
    expression = _expression(terms, season_id, site_id, name_starts)
    return select(_fts.c.rowid).where(_fts.c[FTS_TABLE].match(expression))


def contains(
    text_column: QueryableAttribute[str] | ColumnElement[str], term: str
) -> ColumnElement[bool]:
    """The portable substring test: `term` anywhere in the column, wildcards literal."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return text_column.like(f"%{escaped}%", escape="\\")


def has_index(connection: Connection) -> bool:
    return connection.dialect.name == "sqlite"


def merge_segments(connection: Connection) -> None:
    """Merge the index into one segment, dropping the words of deleted or changed rows: an
    erasure must leave no copy of a name in the index either."""
    if has_index(connection):
        connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")


def check(connection: Connection) -> bool:
    """Whether the index matches the table (FTS5's own integrity check)."""
    if not has_index(connection):
        return True
    try:
        connection.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"
        )
    except DatabaseError:
        return False
    return True
