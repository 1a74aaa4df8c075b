"""Candidate search on an index, whatever the engine.

SQLite: the FTS5 table `candidate_fts` (migration 0008) indexes `candidate.search_text` word by
word, accents folded; each typed term matches the words it begins. PostgreSQL: a LIKE on the
same column, served by a trigram index. Terms without a letter or digit ("_", "%") cannot be
indexed and are looked up with LIKE everywhere.
"""

from sqlalchemy import ColumnElement, Integer, Select, column, select, table
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import QueryableAttribute

FTS_TABLE = "candidate_fts"
# What the schema comparison must not expect to find in the models: the FTS5 table, its
# shadow tables and PostgreSQL's trigram index.
UNMAPPED_NAMES = frozenset(
    {
        FTS_TABLE,
        *(f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "content", "docsize", "config")),
        "ix_candidate_search_trigram",
    }
)


def include_in_schema_comparison(name: str | None, _type: str, _parents: object) -> bool:
    """Alembic's `include_name`: leave out what migration 0008 creates outside the models."""
    return name not in UNMAPPED_NAMES


_fts = table(FTS_TABLE, column("rowid", Integer), column(FTS_TABLE))


def is_indexable(term: str) -> bool:
    """Whether the index holds anything this term can match: a letter or a digit."""
    return any(character.isalnum() for character in term)


def _phrase_prefix(term: str) -> str:
    # A quoted string is split into words by the index's own tokenizer (so "lea.dupont"
    # becomes the phrase lea dupont); the final * makes its last word a prefix.
    return '"' + term.replace('"', '""') + '"*'


def matching_ids(terms: list[str]) -> Select[tuple[int]]:
    """Ids of the candidates whose indexed words begin with each term (SQLite FTS5)."""
    expression = " AND ".join(_phrase_prefix(term) for term in terms)
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
