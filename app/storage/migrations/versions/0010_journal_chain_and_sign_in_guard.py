"""tamper-evident journal and sign-in guard

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 14:00:00

- audit_entry.changes_digest: the hash of the entry's field-level values, kept when a redaction
  blanks them, so the chain still verifies;
- audit_entry.chain: a keyed hash linking the entry to the previous one;
- user_account.failed_sign_ins / locked_until: failures in a row, and the end of a lock-out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(sa.Column("changes_digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("chain", sa.String(length=64), nullable=True))
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account", recreate="never") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_sign_ins")
    with op.batch_alter_table("audit_entry", recreate="never") as batch:
        batch.drop_column("chain")
        batch.drop_column("changes_digest")
