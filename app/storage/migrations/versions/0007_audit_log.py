"""append-only audit log and the mark of anonymised applications

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A row may only ever be redacted: its field-level values blanked, once, nothing else changed.
_ONLY_A_REDACTION = """
    NEW.id = OLD.id AND NEW.uuid = OLD.uuid AND NEW.at = OLD.at
    AND NEW.author = OLD.author AND NEW.action = OLD.action
    AND NEW.entity_type = OLD.entity_type AND NEW.entity_uuid IS OLD.entity_uuid
    AND NEW.candidate_uuid IS OLD.candidate_uuid AND NEW.summary = OLD.summary
    AND NEW.changes IS NULL AND NEW.redacted = 1
"""
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
}


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_uuid", sa.String(length=36), nullable=True),
        sa.Column("candidate_uuid", sa.String(length=36), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=True),
        sa.Column("redacted", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("uuid", name=op.f("uq_audit_entry_uuid")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_author"), ["author"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_entity_uuid"), ["entity_uuid"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_entry_candidate_uuid"), ["candidate_uuid"], unique=False
        )
    op.create_table(
        "candidate_anonymisation",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("anonymised_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidate.id"],
            name=op.f("fk_candidate_anonymisation_candidate_id_candidate"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_anonymisation")),
        sa.UniqueConstraint("candidate_id", name=op.f("uq_candidate_anonymisation_candidate_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_candidate_anonymisation_uuid")),
    )
    if op.get_bind().dialect.name == "sqlite":
        for sql in TRIGGERS.values():
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_candidate_uuid"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_entity_uuid"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_author"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))
    op.drop_table("audit_entry")
    op.drop_table("candidate_anonymisation")
