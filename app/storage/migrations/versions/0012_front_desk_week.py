"""appointments cancelled with a reason instead of deleted; each site's contact details and
what a convocation asks the person to bring

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 04:20:00

- `appointment.cancelled_at`, `cancellation_reason`, `cancelled_by`: a cancelled appointment
  stays in the candidates' history and in the agenda (struck out), and no longer counts for
  clashes or places.
- `site.address`, `postal_code`, `phone`, `email`: printed on convocations and sign-in sheets
  ("who to call"). The two sites a base starts with get their known addresses; the rest stays
  empty until coordination fills it in Paramètres.
- `organisation_settings.convocation_items`: what a convocation asks to bring.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KNOWN_SITES = {
    "cobalt": ("5 rue Victor Hugo", "86000"),
    "du-guesclin": ("Place Chanzy", "79000"),
}


def upgrade() -> None:
    # Plain ADD COLUMN: a batch copy of `site` would break the foreign keys pointing at it.
    op.add_column("appointment", sa.Column("cancelled_at", sa.DateTime(), nullable=True))
    op.add_column("appointment", sa.Column("cancellation_reason", sa.Text(), nullable=True))
    op.add_column("appointment", sa.Column("cancelled_by", sa.String(120), nullable=True))
    for name, length in (("address", 200), ("postal_code", 10), ("phone", 30), ("email", 200)):
        op.add_column("site", sa.Column(name, sa.String(length), nullable=False, server_default=""))
    op.add_column(
        "organisation_settings",
        sa.Column("convocation_items", sa.Text(), nullable=False, server_default=""),
    )
    site = sa.table(
        "site",
        sa.column("code", sa.String),
        sa.column("address", sa.String),
        sa.column("postal_code", sa.String),
    )
    for code, (address, postal_code) in KNOWN_SITES.items():
        op.execute(
            site.update()
            .where(site.c.code == code, site.c.address == "")
            .values(address=address, postal_code=postal_code)
        )


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+, PostgreSQL): no table copy, foreign keys intact.
    dropped = {
        "organisation_settings": ("convocation_items",),
        "site": ("email", "phone", "postal_code", "address"),
        "appointment": ("cancelled_by", "cancellation_reason", "cancelled_at"),
    }
    for table, columns in dropped.items():
        for column in columns:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
