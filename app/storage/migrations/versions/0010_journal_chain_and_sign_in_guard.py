"""tamper-evident journal and sign-in guard

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 14:00:00

- audit_entry.changes_digest: the hash of the entry's field-level values, kept when a redaction
  blanks them, so the chain still verifies;
- audit_entry.chain: a keyed hash linking the entry to the previous one;
- the journal key (random, 32 bytes) and the seal of the last entry, in app_setting;
- the entries already written get their digest and chain (in id order);
- the append-only triggers now also keep `changes_digest` and `chain`, and the journal's two
  settings can be neither deleted nor (for the key) changed;
- user_account.failed_sign_ins / locked_until: failures in a row, and the end of a lock-out.

The digest, chain and seal are computed here as `app.domain.audit` computes them (a frozen
copy: a migration must keep doing what it did); a test checks both agree.
"""

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOURNAL_KEY = "journal_key"
JOURNAL_HEAD = "journal_head"

# A row may only ever be redacted: its field-level values blanked, once, nothing else changed
# (its digest and chain included, so that the chain still verifies).
_ONLY_A_REDACTION = """
    NEW.id = OLD.id AND NEW.uuid = OLD.uuid AND NEW.at = OLD.at
    AND NEW.author = OLD.author AND NEW.action = OLD.action
    AND NEW.entity_type = OLD.entity_type AND NEW.entity_uuid IS OLD.entity_uuid
    AND NEW.candidate_uuid IS OLD.candidate_uuid AND NEW.summary = OLD.summary
    AND NEW.changes_digest IS OLD.changes_digest AND NEW.chain IS OLD.chain
    AND NEW.changes IS NULL AND NEW.redacted = 1
"""
# Every trigger the journal needs; `check` compares the base's triggers with these texts.
TRIGGERS = {
    "audit_entry_no_update": f"""
        CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
        WHEN NOT ({_ONLY_A_REDACTION})
        BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END
    """,
    "audit_entry_no_delete": """
        CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
        BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END
    """,
    "app_setting_journal_no_update": f"""
        CREATE TRIGGER app_setting_journal_no_update BEFORE UPDATE ON app_setting
        WHEN OLD.key IN ('{JOURNAL_KEY}', '{JOURNAL_HEAD}')
        AND (NEW.key IS NOT OLD.key OR (OLD.key = '{JOURNAL_KEY}' AND NEW.value IS NOT OLD.value))
        BEGIN SELECT RAISE(ABORT, 'the journal settings are kept'); END
    """,
    "app_setting_journal_no_delete": f"""
        CREATE TRIGGER app_setting_journal_no_delete BEFORE DELETE ON app_setting
        WHEN OLD.key IN ('{JOURNAL_KEY}', '{JOURNAL_HEAD}')
        BEGIN SELECT RAISE(ABORT, 'the journal settings are kept'); END
    """,
}

# The triggers of migration 0007, put back by the downgrade (same text).
_0007_ONLY_A_REDACTION = """
    NEW.id = OLD.id AND NEW.uuid = OLD.uuid AND NEW.at = OLD.at
    AND NEW.author = OLD.author AND NEW.action = OLD.action
    AND NEW.entity_type = OLD.entity_type AND NEW.entity_uuid IS OLD.entity_uuid
    AND NEW.candidate_uuid IS OLD.candidate_uuid AND NEW.summary = OLD.summary
    AND NEW.changes IS NULL AND NEW.redacted = 1
"""
_0007_TRIGGERS = {
    "audit_entry_no_update": f"""
        CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
        WHEN NOT ({_0007_ONLY_A_REDACTION})
        BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END
    """,
    "audit_entry_no_delete": """
        CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
        BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END
    """,
}

_entries = sa.table(
    "audit_entry",
    sa.column("id", sa.Integer()),
    sa.column("uuid", sa.String()),
    sa.column("at", sa.DateTime()),
    sa.column("author", sa.String()),
    sa.column("action", sa.String()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_uuid", sa.String()),
    sa.column("candidate_uuid", sa.String()),
    sa.column("summary", sa.Text()),
    sa.column("changes", sa.Text()),
    sa.column("changes_digest", sa.String()),
    sa.column("chain", sa.String()),
)
_settings = sa.table(
    "app_setting",
    sa.column("id", sa.Integer()),
    sa.column("uuid", sa.String()),
    sa.column("key", sa.String()),
    sa.column("value", sa.Text()),
)


def _digest(changes: str | None) -> str | None:
    return None if changes is None else hashlib.sha256(changes.encode("utf-8")).hexdigest()


def _chain(key: bytes, previous: str, row: sa.Row[tuple[object, ...]], digest: str | None) -> str:
    at = row.at
    assert isinstance(at, datetime)
    fields = [
        row.id,
        row.uuid,
        at.isoformat(sep=" ", timespec="microseconds"),
        row.author,
        row.action,
        row.entity_type,
        row.entity_uuid,
        row.candidate_uuid,
        row.summary,
        digest,
    ]
    canonical = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, f"{previous}\n{canonical}".encode(), hashlib.sha256).hexdigest()


def _seal(key: bytes, last_id: int, last_chain: str) -> str:
    message = f"tête\n{last_id}\n{last_chain}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _chain_existing_entries(bind: sa.Connection) -> None:
    """A new journal key; every entry already written gets its digest and chain, in id order;
    the seal of the last entry is kept beside them."""
    key = secrets.token_bytes(32)
    columns = [c for c in _entries.c if c.key not in ("changes_digest", "chain")]
    rows = bind.execute(sa.select(*columns).order_by(_entries.c.id)).all()
    previous, last_id, updates = "", 0, []
    for row in rows:
        digest = _digest(row.changes)
        previous = _chain(key, previous, row, digest)
        last_id = row.id
        updates.append({"entry_id": row.id, "digest": digest, "chain": previous})
    if updates:
        bind.execute(
            _entries.update()
            .where(_entries.c.id == sa.bindparam("entry_id"))
            .values(changes_digest=sa.bindparam("digest"), chain=sa.bindparam("chain")),
            updates,
        )
    head = f"{last_id}:{previous}:{_seal(key, last_id, previous)}"
    bind.execute(
        _settings.insert(),
        [
            {"uuid": str(uuid.uuid4()), "key": JOURNAL_KEY, "value": key.hex()},
            {"uuid": str(uuid.uuid4()), "key": JOURNAL_HEAD, "value": head},
        ],
    )


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(sa.Column("changes_digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("chain", sa.String(length=64), nullable=True))
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
    if sqlite:  # the append-only triggers refuse the backfill: replaced around it
        for name in _0007_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    _chain_existing_entries(bind)
    if sqlite:
        for sql in TRIGGERS.values():
            op.execute(sql)


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    bind.execute(_settings.delete().where(_settings.c.key.in_([JOURNAL_KEY, JOURNAL_HEAD])))
    with op.batch_alter_table("user_account", recreate="never") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_sign_ins")
    with op.batch_alter_table("audit_entry", recreate="never") as batch:
        batch.drop_column("chain")
        batch.drop_column("changes_digest")
    if sqlite:
        for sql in _0007_TRIGGERS.values():
            op.execute(sql)
