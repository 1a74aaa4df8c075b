"""full-text search over candidates, and the list's order read off an index

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 09:00:00

SQLite: an FTS5 index (accent-folding `unicode61` tokenizer) over `candidate.search_text`,
kept in sync by triggers. PostgreSQL: a trigram index for the same column's LIKE search,
when the role running the migration may create the `pg_trgm` extension (or it is already
installed). An ordinary owner role without the right to create extensions migrates all the
same, without that index: it is only a speed-up (the search itself moves to a `tsvector`
index in migration 0016). The attempt runs inside a savepoint, so that a refusal does not
abort the migration's transaction.

Caution for later migrations: a batch operation on `candidate` (SQLite's "move and copy")
drops the triggers below; such a migration must create them again.
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_TABLE = """
    CREATE VIRTUAL TABLE candidate_fts USING fts5(
        search_text,
        content='candidate', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2",
        prefix='1 2 3'
    )
"""
TRIGGERS = {
    "candidate_fts_after_insert": """
        CREATE TRIGGER candidate_fts_after_insert AFTER INSERT ON candidate BEGIN
            INSERT INTO candidate_fts(rowid, search_text) VALUES (new.id, new.search_text);
        END
    """,
    "candidate_fts_after_delete": """
        CREATE TRIGGER candidate_fts_after_delete AFTER DELETE ON candidate BEGIN
            INSERT INTO candidate_fts(candidate_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        END
    """,
    "candidate_fts_after_update": """
        CREATE TRIGGER candidate_fts_after_update AFTER UPDATE OF search_text ON candidate BEGIN
            INSERT INTO candidate_fts(candidate_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
            INSERT INTO candidate_fts(rowid, search_text) VALUES (new.id, new.search_text);
        END
    """,
}
_NUMBER = re.compile(r"^\d{3,}$")
_SEPARATORS = re.compile(r"[\s\-'’‘`´.]+")


def _fold(text: str) -> str:
    """app.domain.text.fold as of this revision (a migration must not change afterwards)."""
    decomposed = unicodedata.normalize("NFKD", text)
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    lowered = no_marks.casefold().replace("œ", "oe").replace("æ", "ae")
    return _SEPARATORS.sub(" ", lowered).strip()


def _with_number_endings(search_text: str) -> str:
    """The same words plus every ending of each number (2 digits or more): a word-prefix
    index then finds "56 78" in 06 12 34 56 78, as the substring search did."""
    words = search_text.split()
    endings = [w[i:] for w in words if _NUMBER.match(w) for i in range(1, len(w) - 1)]
    return " ".join(words + endings)


def _fill_new_keys() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, first_name, search_text FROM candidate")).all()
    if rows:
        connection.execute(
            sa.text(
                "UPDATE candidate SET search_text = :text, first_name_key = :key WHERE id = :id"
            ),
            [
                {
                    "id": row.id,
                    "text": _with_number_endings(row.search_text or ""),
                    "key": _fold(row.first_name or "") or None,
                }
                for row in rows
            ],
        )


def upgrade() -> None:
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_name_key", sa.String(length=240), nullable=True))
        batch_op.drop_index("ix_candidate_search_text")
        batch_op.drop_index("ix_candidate_name_key")
        batch_op.create_index(
            "ix_candidate_display_order", ["name_key", "first_name_key", "id"], unique=False
        )
    _fill_new_keys()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(FTS_TABLE)
        for trigger in TRIGGERS.values():
            op.execute(trigger)
        op.execute("INSERT INTO candidate_fts(candidate_fts) VALUES ('rebuild')")
    elif dialect == "postgresql" and _trigram_extension():
        op.execute(
            "CREATE INDEX ix_candidate_search_trigram ON candidate "
            "USING gin (search_text gin_trgm_ops)"
        )


def _trigram_extension() -> bool:
    """Whether `pg_trgm` is there once this has tried to create it (in a savepoint: a role
    that may not create extensions gets an error that must not abort the migration)."""
    connection = op.get_bind()
    savepoint = connection.begin_nested()
    try:
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS candidate_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_candidate_search_trigram")
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_candidate_display_order")
        batch_op.create_index("ix_candidate_name_key", ["name_key"], unique=False)
        batch_op.create_index("ix_candidate_search_text", ["search_text"], unique=False)
    # Not in batch mode: rebuilding the table would trip over the rows that reference it.
    op.execute("ALTER TABLE candidate DROP COLUMN first_name_key")
