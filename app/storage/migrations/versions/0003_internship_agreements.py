"""internship agreements

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 00:41:23.894737
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement_number",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_number")),
        sa.UniqueConstraint("uuid", name=op.f("uq_agreement_number_uuid")),
        sa.UniqueConstraint("year", name=op.f("uq_agreement_number_year")),
    )
    op.create_table(
        "host",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("legal_form", sa.String(length=40), nullable=False),
        sa.Column("siret", sa.String(length=14), nullable=True),
        sa.Column("rna", sa.String(length=10), nullable=True),
        sa.Column("naf_code", sa.String(length=6), nullable=True),
        sa.Column("headcount_band", sa.String(length=40), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("postal_code", sa.String(length=5), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("representative_name", sa.String(length=120), nullable=True),
        sa.Column("representative_function", sa.String(length=120), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("insurer", sa.String(length=120), nullable=True),
        sa.Column("policy_number", sa.String(length=60), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host")),
        sa.UniqueConstraint("uuid", name=op.f("uq_host_uuid")),
    )
    with op.batch_alter_table("host", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_host_name"), ["name"], unique=False)

    op.create_table(
        "organisation_settings",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("siret", sa.String(length=14), nullable=False),
        sa.Column("activity_declaration", sa.String(length=40), nullable=False),
        sa.Column("director_name", sa.String(length=120), nullable=False),
        sa.Column("director_function", sa.String(length=120), nullable=False),
        sa.Column("insurer", sa.String(length=120), nullable=False),
        sa.Column("policy_number", sa.String(length=60), nullable=False),
        sa.Column("logo_path", sa.String(length=500), nullable=False),
        sa.Column("signing_city", sa.String(length=120), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_settings")),
        sa.UniqueConstraint("uuid", name=op.f("uq_organisation_settings_uuid")),
    )
    op.create_table(
        "tutor",
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("function", sa.String(length=120), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["host_id"], ["host.id"], name=op.f("fk_tutor_host_id_host")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tutor")),
        sa.UniqueConstraint("uuid", name=op.f("uq_tutor_uuid")),
    )
    with op.batch_alter_table("tutor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tutor_host_id"), ["host_id"], unique=False)

    op.create_table(
        "agreement",
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("tutor_id", sa.Integer(), nullable=True),
        sa.Column("referent_trainer", sa.String(length=120), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("schedule", sa.Text(), nullable=False),
        sa.Column("interruptions", sa.Text(), nullable=False),
        sa.Column("night_allowed", sa.Boolean(), nullable=False),
        sa.Column("sunday_allowed", sa.Boolean(), nullable=False),
        sa.Column("holiday_allowed", sa.Boolean(), nullable=False),
        sa.Column("activities", sa.Text(), nullable=False),
        sa.Column("competences", sa.Text(), nullable=False),
        sa.Column("indemnity_amount", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("indemnity_unit", sa.String(length=20), nullable=True),
        sa.Column("indemnity_payment_mode", sa.String(length=60), nullable=True),
        sa.Column("benefits", sa.Text(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidate.id"], name=op.f("fk_agreement_candidate_id_candidate")
        ),
        sa.ForeignKeyConstraint(["host_id"], ["host.id"], name=op.f("fk_agreement_host_id_host")),
        sa.ForeignKeyConstraint(
            ["tutor_id"], ["tutor.id"], name=op.f("fk_agreement_tutor_id_tutor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement")),
        sa.UniqueConstraint("number", name=op.f("uq_agreement_number")),
        sa.UniqueConstraint("uuid", name=op.f("uq_agreement_uuid")),
    )
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_agreement_host_id"), ["host_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_tutor_id"), ["tutor_id"], unique=False)

    op.create_table(
        "agreement_event",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_event_agreement_id_agreement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_event")),
        sa.UniqueConstraint("uuid", name=op.f("uq_agreement_event_uuid")),
    )
    with op.batch_alter_table("agreement_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_event_agreement_id"), ["agreement_id"], unique=False
        )

    op.create_table(
        "amendment",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_amendment_agreement_id_agreement")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendment")),
        sa.UniqueConstraint("agreement_id", "rank", name=op.f("uq_amendment_agreement_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_amendment_uuid")),
    )
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_amendment_agreement_id"), ["agreement_id"], unique=False
        )

    op.create_table(
        "agreement_signature",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("amendment_id", sa.Integer(), nullable=True),
        sa.Column("signatory", sa.String(length=20), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("outside_app", sa.Boolean(), nullable=False),
        sa.Column("scan_path", sa.String(length=500), nullable=True),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_signature_agreement_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["amendment_id"],
            ["amendment.id"],
            name=op.f("fk_agreement_signature_amendment_id_amendment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_signature")),
        sa.UniqueConstraint(
            "agreement_id",
            "amendment_id",
            "signatory",
            name=op.f("uq_agreement_signature_agreement_id"),
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_agreement_signature_uuid")),
    )
    with op.batch_alter_table("agreement_signature", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_signature_agreement_id"), ["agreement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("agreement_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_signature_agreement_id"))

    op.drop_table("agreement_signature")
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_amendment_agreement_id"))

    op.drop_table("amendment")
    with op.batch_alter_table("agreement_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_event_agreement_id"))

    op.drop_table("agreement_event")
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_tutor_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_host_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_candidate_id"))

    op.drop_table("agreement")
    with op.batch_alter_table("tutor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tutor_host_id"))

    op.drop_table("tutor")
    op.drop_table("organisation_settings")
    with op.batch_alter_table("host", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_host_name"))

    op.drop_table("host")
    op.drop_table("agreement_number")
