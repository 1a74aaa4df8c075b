"""orientation period

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 00:17:34.225988
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "criterion",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("grounding", sa.String(length=200), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criterion")),
        sa.UniqueConstraint("code", name=op.f("uq_criterion_code")),
        sa.UniqueConstraint("uuid", name=op.f("uq_criterion_uuid")),
    )
    op.create_table(
        "cohort",
        sa.Column("season_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["season_id"], ["season.id"], name=op.f("fk_cohort_season_id_season")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_cohort_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort")),
        sa.UniqueConstraint("season_id", "site_id", name=op.f("uq_cohort_season_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_cohort_uuid")),
    )
    op.create_table(
        "activity",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("trainers", sa.String(length=250), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohort.id"], name=op.f("fk_activity_cohort_id_cohort")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
        sa.UniqueConstraint("uuid", name=op.f("uq_activity_uuid")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_cohort_id"), ["cohort_id"], unique=False)

    op.create_table(
        "orientation_decision",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("filiere_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidate.id"],
            name=op.f("fk_orientation_decision_candidate_id_candidate"),
        ),
        sa.ForeignKeyConstraint(
            ["filiere_id"], ["filiere.id"], name=op.f("fk_orientation_decision_filiere_id_filiere")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orientation_decision")),
        sa.UniqueConstraint("uuid", name=op.f("uq_orientation_decision_uuid")),
    )
    with op.batch_alter_table("orientation_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_orientation_decision_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "professional_project",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("filiere_id", sa.Integer(), nullable=True),
        sa.Column("target_job", sa.String(length=200), nullable=True),
        sa.Column("steps", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidate.id"],
            name=op.f("fk_professional_project_candidate_id_candidate"),
        ),
        sa.ForeignKeyConstraint(
            ["filiere_id"], ["filiere.id"], name=op.f("fk_professional_project_filiere_id_filiere")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_professional_project")),
        sa.UniqueConstraint("candidate_id", name=op.f("uq_professional_project_candidate_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_professional_project_uuid")),
    )
    op.create_table(
        "learner_note",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_learner_note_activity_id_activity")
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidate.id"], name=op.f("fk_learner_note_candidate_id_candidate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_note")),
        sa.UniqueConstraint("uuid", name=op.f("uq_learner_note_uuid")),
    )
    with op.batch_alter_table("learner_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learner_note_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_learner_note_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "observation",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_observation_activity_id_activity")
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidate.id"], name=op.f("fk_observation_candidate_id_candidate")
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"], ["criterion.id"], name=op.f("fk_observation_criterion_id_criterion")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["observation.id"],
            name=op.f("fk_observation_supersedes_id_observation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation")),
        sa.UniqueConstraint("uuid", name=op.f("uq_observation_uuid")),
    )
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_observation_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_observation_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "team",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_team_activity_id_activity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("uuid", name=op.f("uq_team_uuid")),
    )
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_activity_id"), ["activity_id"], unique=False)

    op.create_table(
        "team_member",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_team_member_activity_id_activity")
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidate.id"], name=op.f("fk_team_member_candidate_id_candidate")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_team_member_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_member")),
        sa.UniqueConstraint("activity_id", "candidate_id", name=op.f("uq_team_member_activity_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_team_member_uuid")),
    )
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_team_member_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_team_member_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_member_team_id"))
        batch_op.drop_index(batch_op.f("ix_team_member_candidate_id"))

    op.drop_table("team_member")
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_activity_id"))

    op.drop_table("team")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observation_candidate_id"))
        batch_op.drop_index(batch_op.f("ix_observation_activity_id"))

    op.drop_table("observation")
    with op.batch_alter_table("learner_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learner_note_candidate_id"))
        batch_op.drop_index(batch_op.f("ix_learner_note_activity_id"))

    op.drop_table("learner_note")
    op.drop_table("professional_project")
    with op.batch_alter_table("orientation_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orientation_decision_candidate_id"))

    op.drop_table("orientation_decision")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_cohort_id"))

    op.drop_table("activity")
    op.drop_table("cohort")
    op.drop_table("criterion")
