"""the candidates' search on PostgreSQL by word beginnings, as on SQLite

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 12:00:00

SQLite searches `candidate.search_text` word by word (FTS5, migrations 0008 and 0011): each
typed term matches the words it begins. PostgreSQL searched substrings with LIKE, on a trigram
index when the role could create `pg_trgm`: "upont" found Dupont there, not on SQLite.

PostgreSQL now has the same meaning:

- `candidate_search_words(text)`: the words of a search text as a `tsvector` with their
  positions, cut at the separators below (spelled out, not the server's locale classes, so
  that every server cuts alike, and as `app.storage.fulltext.words` cuts a typed term). The
  text is folded already (accents, case); a word of more than 2 046 bytes is left out (a
  tsvector refuses it).
- `candidate.search_words`: that tsvector, a column generated and stored by the server (outside
  the models: the application never writes it). Stored rather than an expression of the index:
  a plan that reads the list's order and tests each row reads it instead of cutting the text
  again (about 40 µs a row, 270 ms for the first letter over 20 000 files).
- `ix_candidate_search_words`: a GIN index on it, which serves the prefix queries
  (`'dupon':*`, `'lea' <-> 'dupon':*`).
- the trigram index goes: nothing searches substrings with an index any more (a term without a
  letter or digit is still a LIKE, on both engines).

SQLite is unchanged by this migration.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = "candidate_search_words"
COLUMN = "search_words"
INDEX = "ix_candidate_search_words"
TRIGRAM_INDEX = "ix_candidate_search_trigram"
# The code points that separate words (app.storage.fulltext.SEPARATOR_RANGES as of this
# revision; NUL cannot be in a PostgreSQL text).
SEPARATOR_RANGES = (
    (0x01, 0x2F),
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


def _escape(point: int) -> str:
    return f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}"


# A word: a run of anything but separators.
WORD = (
    "[^"
    + "".join(
        _escape(low) if low == high else f"{_escape(low)}-{_escape(high)}"
        for low, high in SEPARATOR_RANGES
    )
    + "]+"
)
# tsvector's input syntax: 'word':position, positions from 1 to 16 383. A word holds no quote
# nor backslash (both separate words). A word too long for a tsvector still takes its position
# (FTS5 keeps it: the words on either side of it are not next to each other).
WORDS_FUNCTION = f"""
    CREATE FUNCTION {FUNCTION}(search_text text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
        SELECT coalesce(
            string_agg(format('''%s'':%s', word[1], least(position, 16383)), ' '), ''
        )::tsvector
        FROM regexp_matches(search_text, '{WORD}', 'g') WITH ORDINALITY AS part(word, position)
        WHERE octet_length(word[1]) <= 2046
    $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    op.execute(WORDS_FUNCTION)
    op.execute(
        f"ALTER TABLE candidate ADD COLUMN {COLUMN} tsvector"
        f" GENERATED ALWAYS AS ({FUNCTION}(search_text)) STORED"
    )
    op.execute(f"CREATE INDEX {INDEX} ON candidate USING gin ({COLUMN})")


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
    op.execute(f"ALTER TABLE candidate DROP COLUMN IF EXISTS {COLUMN}")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(text)")
    # Revision 0008 made the trigram index when the role could create pg_trgm.
    trigram = connection.execute(
        sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    ).first()
    if trigram is not None:
        op.execute(
            f"CREATE INDEX {TRIGRAM_INDEX} ON candidate USING gin (search_text gin_trgm_ops)"
        )
