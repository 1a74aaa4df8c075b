"""season, site and name's first letters inside the candidates' word index; a season's list
read off an index

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 02:00:00

SQLite: `candidate_fts` gets a second column, `scope`, holding words nobody can type (each begins
with a private-use character): `s` and the season's id, `t` and the site's id, `n` and the first
two letters of the name's key (fewer when they are not plain letters or digits).

- A search in the current season is `season-word AND "06"* AND "12"*` inside the index, which
  keeps only that season's files before SQLite reads one row (the index used to hand over the
  100 000 phones starting with 0, then the season filter dropped most of them).
- A search matching most files over every season ("0", "06") finds the first ones in the list's
  order among the files whose names begin like the list's first names, not among all of them.

FTS5 reads an external content table's columns by name: the content is now the view
`candidate_fts_source`, the candidate's search text and its scope words. The triggers also
follow a change of season, site or name.

Both dialects: `ix_candidate_season_display_order` gives a season's files in the list's order
(and their site), read off the index instead of fetching and sorting them.

Caution for later migrations: a batch operation on `candidate` that copies the table drops the
triggers below, and SQLite then refuses to rename the copy while the view names a missing table.
Such a migration drops the view first, then creates the view and the triggers again.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE_VIEW = "candidate_fts_source"
# The first character of the scope words: Unicode private use, which the tokenizer keeps in a
# word (category Co) and no keyboard types, so that no typed prefix ever matches a scope word.
MARK = "\ue000"
SEASON_ORDER_INDEX = "ix_candidate_season_display_order"


def _name_start(name_key: str) -> str:
    """The first two characters of a name key, or one, or none: as long as they are plain
    letters or digits (anything else would end the word and start another, typable one)."""
    return (
        f"CASE WHEN {name_key} GLOB '[a-z0-9][a-z0-9]*' THEN substr({name_key}, 1, 2)"
        f" WHEN {name_key} GLOB '[a-z0-9]*' THEN substr({name_key}, 1, 1) ELSE '' END"
    )


def _scope(row: str) -> str:
    """The scope words of a row (`candidate`, `new` or `old`) as an SQL expression."""
    return (
        f"'{MARK}s' || {row}.season_id || ' {MARK}t' || {row}.site_id"
        f" || ' {MARK}n' || {_name_start(f'{row}.name_key')}"
    )


SCOPED_VIEW = f"""
    CREATE VIEW {SOURCE_VIEW} AS
    SELECT candidate.id AS id, candidate.search_text AS search_text,
           {_scope("candidate")} AS scope
    FROM candidate
"""
SCOPED_INDEX = f"""
    CREATE VIRTUAL TABLE candidate_fts USING fts5(
        search_text, scope,
        content='{SOURCE_VIEW}', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2",
        prefix='1 2 3'
    )
"""
SCOPED_TRIGGERS = {
    "candidate_fts_after_insert": f"""
        CREATE TRIGGER candidate_fts_after_insert AFTER INSERT ON candidate BEGIN
            INSERT INTO candidate_fts(rowid, search_text, scope)
            VALUES (new.id, new.search_text, {_scope("new")});
        END
    """,
    "candidate_fts_after_delete": f"""
        CREATE TRIGGER candidate_fts_after_delete AFTER DELETE ON candidate BEGIN
            INSERT INTO candidate_fts(candidate_fts, rowid, search_text, scope)
            VALUES ('delete', old.id, old.search_text, {_scope("old")});
        END
    """,
    "candidate_fts_after_update": f"""
        CREATE TRIGGER candidate_fts_after_update
        AFTER UPDATE OF search_text, season_id, site_id, name_key ON candidate BEGIN
            INSERT INTO candidate_fts(candidate_fts, rowid, search_text, scope)
            VALUES ('delete', old.id, old.search_text, {_scope("old")});
            INSERT INTO candidate_fts(rowid, search_text, scope)
            VALUES (new.id, new.search_text, {_scope("new")});
        END
    """,
}

# Revision 0008's index and triggers, for the downgrade.
PLAIN_INDEX = """
    CREATE VIRTUAL TABLE candidate_fts USING fts5(
        search_text,
        content='candidate', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2",
        prefix='1 2 3'
    )
"""
PLAIN_TRIGGERS = {
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


def _replace_word_index(index: str, triggers: dict[str, str], *, view: bool) -> None:
    for name in PLAIN_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS candidate_fts")
    op.execute(f"DROP VIEW IF EXISTS {SOURCE_VIEW}")
    if view:
        op.execute(SCOPED_VIEW)
    op.execute(index)
    for trigger in triggers.values():
        op.execute(trigger)
    op.execute("INSERT INTO candidate_fts(candidate_fts) VALUES ('rebuild')")


def upgrade() -> None:
    op.create_index(
        SEASON_ORDER_INDEX,
        "candidate",
        ["season_id", "name_key", "first_name_key", "id", "site_id"],
        unique=False,
    )
    if op.get_bind().dialect.name == "sqlite":
        _replace_word_index(SCOPED_INDEX, SCOPED_TRIGGERS, view=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _replace_word_index(PLAIN_INDEX, PLAIN_TRIGGERS, view=False)
    op.drop_index(SEASON_ORDER_INDEX, table_name="candidate")
