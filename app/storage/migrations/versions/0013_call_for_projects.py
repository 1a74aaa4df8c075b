"""the call for projects: calls, projects, reviews and scores, milestones, satisfaction;
events with their place and participants

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 09:40:00

- `project_call`: one call per season, open between two dates.
- `project` (+ `project_filiere`, `project_state_change`): a project a structure of the host
  directory submits, its selection and realisation states (history append-only).
- `project_criterion`, `project_review`, `project_score`: the scoring grid, one review per
  reviewer (a conflict of interest excludes its scores).
- `project_milestone`, `project_satisfaction`: the realisation and its outcome.
- `project_activity`: the real-case activity that realises a project; `activity.place` and
  `activity_participant`: an event's place and the learners who took part.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_criterion",
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_criterion")),
        sa.UniqueConstraint("uuid", name=op.f("uq_project_criterion_uuid")),
    )
    op.create_table(
        "project_call",
        sa.Column("season_id", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["season_id"], ["season.id"], name=op.f("fk_project_call_season_id_season")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_call")),
        sa.UniqueConstraint("season_id", name=op.f("uq_project_call_season_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_project_call_uuid")),
    )
    op.create_table(
        "project",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("contact_name", sa.String(length=120), nullable=False),
        sa.Column("contact_function", sa.String(length=120), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("contact_availability", sa.String(length=300), nullable=False),
        sa.Column("need", sa.Text(), nullable=False),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("deliverable_kind", sa.String(length=20), nullable=False),
        sa.Column("deliverable", sa.Text(), nullable=False),
        sa.Column("existing", sa.Text(), nullable=False),
        sa.Column("provided_content", sa.Text(), nullable=False),
        sa.Column("data_constraints", sa.Text(), nullable=False),
        sa.Column("accessibility_constraints", sa.Text(), nullable=False),
        sa.Column("calendar", sa.Text(), nullable=False),
        sa.Column("maintainer", sa.Text(), nullable=False),
        sa.Column("licence_accepted", sa.Boolean(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("state_reason", sa.Text(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.Column("delivery_notes", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["project_call.id"], name=op.f("fk_project_call_id_project_call")
        ),
        sa.ForeignKeyConstraint(["host_id"], ["host.id"], name=op.f("fk_project_host_id_host")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("call_id", "number", name=op.f("uq_project_call_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_project_uuid")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_host_id"), ["host_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_state"), ["state"], unique=False)

    op.create_table(
        "project_filiere",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("filiere_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["filiere_id"], ["filiere.id"], name=op.f("fk_project_filiere_filiere_id_filiere")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_filiere_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_filiere")),
        sa.UniqueConstraint("project_id", "filiere_id", name=op.f("uq_project_filiere_project_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_project_filiere_uuid")),
    )
    with op.batch_alter_table("project_filiere", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_filiere_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "project_milestone",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_milestone_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_milestone")),
        sa.UniqueConstraint("uuid", name=op.f("uq_project_milestone_uuid")),
    )
    with op.batch_alter_table("project_milestone", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_milestone_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "project_review",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=120), nullable=False),
        sa.Column("conflict_of_interest", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_review_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_review")),
        sa.UniqueConstraint("project_id", "reviewer", name=op.f("uq_project_review_project_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_project_review_uuid")),
    )
    with op.batch_alter_table("project_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_review_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "project_satisfaction",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(length=20), nullable=False),
        sa.Column("need_met", sa.Integer(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("communication", sa.Integer(), nullable=False),
        sa.Column("deadlines", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_satisfaction_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_satisfaction")),
        sa.UniqueConstraint(
            "project_id", "respondent", name=op.f("uq_project_satisfaction_project_id")
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_project_satisfaction_uuid")),
    )
    with op.batch_alter_table("project_satisfaction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_satisfaction_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "project_state_change",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(length=120), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_state_change_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_state_change")),
        sa.UniqueConstraint("uuid", name=op.f("uq_project_state_change_uuid")),
    )
    with op.batch_alter_table("project_state_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_state_change_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "activity_participant",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_activity_participant_activity_id_activity"),
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidate.id"],
            name=op.f("fk_activity_participant_candidate_id_candidate"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_participant")),
        sa.UniqueConstraint(
            "activity_id", "candidate_id", name=op.f("uq_activity_participant_activity_id")
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_activity_participant_uuid")),
    )
    with op.batch_alter_table("activity_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_participant_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activity_participant_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "project_score",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["project_criterion.id"],
            name=op.f("fk_project_score_criterion_id_project_criterion"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["project_review.id"],
            name=op.f("fk_project_score_review_id_project_review"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_score")),
        sa.UniqueConstraint("review_id", "criterion_id", name=op.f("uq_project_score_review_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_project_score_uuid")),
    )
    with op.batch_alter_table("project_score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_score_review_id"), ["review_id"], unique=False)

    # Plain ADD COLUMN: a batch copy of `activity` would break the foreign keys pointing at it
    # (teams, observations, notes); for the same reason a real case's project is linked through
    # `project_activity` rather than a column of `activity`.
    op.add_column(
        "activity", sa.Column("place", sa.String(length=200), server_default="", nullable=False)
    )
    op.create_table(
        "project_activity",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_project_activity_activity_id_activity")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_activity_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_activity")),
        sa.UniqueConstraint("activity_id", name=op.f("uq_project_activity_activity_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_project_activity_uuid")),
    )
    op.create_index(
        op.f("ix_project_activity_project_id"), "project_activity", ["project_id"], unique=False
    )


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+, PostgreSQL): no table copy, foreign keys intact.
    op.execute("ALTER TABLE activity DROP COLUMN place")
    op.drop_index(op.f("ix_project_activity_project_id"), table_name="project_activity")
    op.drop_table("project_activity")
    with op.batch_alter_table("project_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_score_review_id"))

    op.drop_table("project_score")
    with op.batch_alter_table("activity_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_participant_candidate_id"))
        batch_op.drop_index(batch_op.f("ix_activity_participant_activity_id"))

    op.drop_table("activity_participant")
    with op.batch_alter_table("project_state_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_state_change_project_id"))

    op.drop_table("project_state_change")
    with op.batch_alter_table("project_satisfaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_satisfaction_project_id"))

    op.drop_table("project_satisfaction")
    with op.batch_alter_table("project_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_review_project_id"))

    op.drop_table("project_review")
    with op.batch_alter_table("project_milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_milestone_project_id"))

    op.drop_table("project_milestone")
    with op.batch_alter_table("project_filiere", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_filiere_project_id"))

    op.drop_table("project_filiere")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_state"))
        batch_op.drop_index(batch_op.f("ix_project_host_id"))
        batch_op.drop_index(batch_op.f("ix_project_call_id"))

    op.drop_table("project")
    op.drop_table("project_call")
    op.drop_table("project_criterion")
