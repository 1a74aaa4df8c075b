"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 22:48:33.602552
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "filiere",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filiere")),
        sa.UniqueConstraint("code", name=op.f("uq_filiere_code")),
        sa.UniqueConstraint("uuid", name=op.f("uq_filiere_uuid")),
    )
    op.create_table(
        "referrer",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrer")),
        sa.UniqueConstraint("code", name=op.f("uq_referrer_code")),
        sa.UniqueConstraint("uuid", name=op.f("uq_referrer_uuid")),
    )
    op.create_table(
        "season",
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("cohort_capacity", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_season")),
        sa.UniqueConstraint("label", name=op.f("uq_season_label")),
        sa.UniqueConstraint("uuid", name=op.f("uq_season_uuid")),
    )
    op.create_table(
        "site",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("department", sa.String(length=3), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
        sa.UniqueConstraint("code", name=op.f("uq_site_code")),
        sa.UniqueConstraint("uuid", name=op.f("uq_site_uuid")),
    )
    op.create_table(
        "stage",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("counts_as_entry", sa.Boolean(), nullable=False),
        sa.Column("reason_required", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage")),
        sa.UniqueConstraint("code", name=op.f("uq_stage_code")),
        sa.UniqueConstraint("uuid", name=op.f("uq_stage_uuid")),
    )
    op.create_table(
        "appointment",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("room", sa.String(length=80), nullable=True),
        sa.Column("staff", sa.String(length=120), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_appointment_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
        sa.UniqueConstraint("uuid", name=op.f("uq_appointment_uuid")),
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointment_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "candidate",
        sa.Column("person_uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("civility", sa.String(length=10), nullable=True),
        sa.Column("last_name", sa.String(length=120), nullable=False),
        sa.Column("usage_name", sa.String(length=120), nullable=True),
        sa.Column("first_name", sa.String(length=120), nullable=False),
        sa.Column("sex", sa.String(length=10), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("birth_place", sa.String(length=120), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("address", sa.String(length=250), nullable=True),
        sa.Column("postal_code", sa.String(length=5), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("job_seeker", sa.Boolean(), nullable=True),
        sa.Column("job_seeker_id", sa.String(length=20), nullable=True),
        sa.Column("job_seeker_since", sa.Date(), nullable=True),
        sa.Column("rsa", sa.Boolean(), nullable=True),
        sa.Column("mission_locale", sa.Boolean(), nullable=True),
        sa.Column("neet", sa.Boolean(), nullable=True),
        sa.Column("rqth", sa.Boolean(), nullable=True),
        sa.Column("qpv", sa.Boolean(), nullable=True),
        sa.Column("qpv_name", sa.String(length=120), nullable=True),
        sa.Column("zrr", sa.Boolean(), nullable=True),
        sa.Column("diploma_level", sa.Integer(), nullable=True),
        sa.Column("last_class", sa.String(length=120), nullable=True),
        sa.Column("work_experience", sa.Boolean(), nullable=True),
        sa.Column("work_experience_text", sa.Text(), nullable=True),
        sa.Column("season_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("filiere_id", sa.Integer(), nullable=True),
        sa.Column("referrer_id", sa.Integer(), nullable=True),
        sa.Column("referrer_contact", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("availability", sa.String(length=200), nullable=True),
        sa.Column("application_date", sa.Date(), nullable=True),
        sa.Column("owner", sa.String(length=120), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("consent_date", sa.Date(), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("stage_changed_at", sa.DateTime(), nullable=True),
        sa.Column("exit_type", sa.String(length=40), nullable=True),
        sa.Column("last_action_at", sa.DateTime(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=True),
        sa.Column("name_key", sa.String(length=240), nullable=True),
        sa.Column("usage_name_key", sa.String(length=240), nullable=True),
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
            ["filiere_id"], ["filiere.id"], name=op.f("fk_candidate_filiere_id_filiere")
        ),
        sa.ForeignKeyConstraint(
            ["referrer_id"], ["referrer.id"], name=op.f("fk_candidate_referrer_id_referrer")
        ),
        sa.ForeignKeyConstraint(
            ["season_id"], ["season.id"], name=op.f("fk_candidate_season_id_season")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_candidate_site_id_site")),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["stage.id"], name=op.f("fk_candidate_stage_id_stage")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate")),
        sa.UniqueConstraint("uuid", name=op.f("uq_candidate_uuid")),
    )
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.create_index("ix_candidate_email_key", ["email_key"], unique=False)
        batch_op.create_index("ix_candidate_name_key", ["name_key"], unique=False)
        batch_op.create_index("ix_candidate_phone", ["phone"], unique=False)
        batch_op.create_index("ix_candidate_search_text", ["search_text"], unique=False)
        batch_op.create_index("ix_candidate_season_site", ["season_id", "site_id"], unique=False)
        batch_op.create_index("ix_candidate_usage_name_key", ["usage_name_key"], unique=False)

    op.create_table(
        "attendee",
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("attendance", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_attendee_appointment_id_appointment"),
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidate.id"], name=op.f("fk_attendee_candidate_id_candidate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendee")),
        sa.UniqueConstraint(
            "appointment_id", "candidate_id", name=op.f("uq_attendee_appointment_id")
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_attendee_uuid")),
    )
    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendee_appointment_id"), ["appointment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attendee_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "stage_change",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("from_stage_id", sa.Integer(), nullable=True),
        sa.Column("to_stage_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidate.id"], name=op.f("fk_stage_change_candidate_id_candidate")
        ),
        sa.ForeignKeyConstraint(
            ["from_stage_id"], ["stage.id"], name=op.f("fk_stage_change_from_stage_id_stage")
        ),
        sa.ForeignKeyConstraint(
            ["to_stage_id"], ["stage.id"], name=op.f("fk_stage_change_to_stage_id_stage")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_change")),
        sa.UniqueConstraint("uuid", name=op.f("uq_stage_change_uuid")),
    )
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stage_change_candidate_id"), ["candidate_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_change_candidate_id"))

    op.drop_table("stage_change")
    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendee_candidate_id"))
        batch_op.drop_index(batch_op.f("ix_attendee_appointment_id"))

    op.drop_table("attendee")
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_candidate_usage_name_key")
        batch_op.drop_index("ix_candidate_season_site")
        batch_op.drop_index("ix_candidate_search_text")
        batch_op.drop_index("ix_candidate_phone")
        batch_op.drop_index("ix_candidate_name_key")
        batch_op.drop_index("ix_candidate_email_key")

    op.drop_table("candidate")
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_starts_at"))

    op.drop_table("appointment")
    op.drop_table("stage")
    op.drop_table("site")
    op.drop_table("season")
    op.drop_table("referrer")
    op.drop_table("filiere")
