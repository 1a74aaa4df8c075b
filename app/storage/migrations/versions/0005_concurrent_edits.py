"""who last changed a candidate, an agreement or a host; a version on hosts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("candidate", "agreement"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("updated_by", sa.String(length=120), nullable=True))
    with op.batch_alter_table("host") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("updated_by", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("host") as batch:
        batch.drop_column("updated_by")
        batch.drop_column("version")
    for table in ("agreement", "candidate"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("updated_by")
