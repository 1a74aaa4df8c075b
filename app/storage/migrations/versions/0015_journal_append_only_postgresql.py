"""the journal append-only on PostgreSQL too

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 09:00:00

SQLite has kept the journal append-only since migration 0007 (triggers, tightened in 0010);
PostgreSQL had no such guard. This migration gives a PostgreSQL base the same four rules, as
PL/pgSQL trigger functions and BEFORE UPDATE / BEFORE DELETE row triggers:

- an `audit_entry` row is never deleted, and never updated except by a redaction (its
  field-level values blanked, `redacted` set, nothing else changed — its digest and chain
  included, so that the chain still verifies);
- the journal's two settings in `app_setting` (`journal_key`, `journal_head`) are never
  deleted, never renamed, and the key's value never changes (the head moves with each entry).

The messages are SQLite's ('audit_entry is append-only', 'the journal settings are kept').
SQLite is unchanged by this migration.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOURNAL_KEY = "journal_key"
JOURNAL_HEAD = "journal_head"

# 0010's `_ONLY_A_REDACTION` in PostgreSQL's words (`IS` → `IS NOT DISTINCT FROM`; `redacted`
# is a boolean).
_ONLY_A_REDACTION = """
    NEW.id = OLD.id AND NEW.uuid = OLD.uuid AND NEW.at = OLD.at
    AND NEW.author = OLD.author AND NEW.action = OLD.action
    AND NEW.entity_type = OLD.entity_type
    AND NEW.entity_uuid IS NOT DISTINCT FROM OLD.entity_uuid
    AND NEW.candidate_uuid IS NOT DISTINCT FROM OLD.candidate_uuid
    AND NEW.summary = OLD.summary
    AND NEW.changes_digest IS NOT DISTINCT FROM OLD.changes_digest
    AND NEW.chain IS NOT DISTINCT FROM OLD.chain
    AND NEW.changes IS NULL AND NEW.redacted
"""

# Each trigger function, by name: (table, event, body).
FUNCTIONS = {
    "audit_entry_no_update": (
        "audit_entry",
        "UPDATE",
        f"""
        IF NOT ({_ONLY_A_REDACTION}) THEN
            RAISE EXCEPTION 'audit_entry is append-only' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
        """,
    ),
    "audit_entry_no_delete": (
        "audit_entry",
        "DELETE",
        """
        RAISE EXCEPTION 'audit_entry is append-only' USING ERRCODE = 'restrict_violation';
        """,
    ),
    "app_setting_journal_no_update": (
        "app_setting",
        "UPDATE",
        f"""
        IF OLD.key IN ('{JOURNAL_KEY}', '{JOURNAL_HEAD}')
           AND (NEW.key IS DISTINCT FROM OLD.key
                OR (OLD.key = '{JOURNAL_KEY}' AND NEW.value IS DISTINCT FROM OLD.value)) THEN
            RAISE EXCEPTION 'the journal settings are kept' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
        """,
    ),
    "app_setting_journal_no_delete": (
        "app_setting",
        "DELETE",
        f"""
        IF OLD.key IN ('{JOURNAL_KEY}', '{JOURNAL_HEAD}') THEN
            RAISE EXCEPTION 'the journal settings are kept' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN OLD;
        """,
    ),
}
# The trigger names `check` expects on a PostgreSQL base (each trigger has its function's name).
TRIGGERS = tuple(FUNCTIONS)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (table, event, body) in FUNCTIONS.items():
        op.execute(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{body}\nEND;\n$$"
        )
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (table, _event, _body) in FUNCTIONS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
