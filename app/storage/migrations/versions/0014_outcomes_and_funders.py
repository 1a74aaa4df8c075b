"""what happens to learners after they leave, and what each funder counts as positive

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 10:30:00

- `learner_outcome`: a learner's situation checked at 3, 6 or 12 months after leaving (date
  of the check, source), one per checkpoint.
- `funder`: each funder's positive situations and the checkpoint it measures them at; the
  Grande École du Numérique, the Réseau E2C and the Région are seeded with their published
  definitions, editable by coordination.
- `candidate.pathway_end`, `pathway_end_reason`: a pathway complete, interrupted for an
  outside reason or interrupted (E2C counts them apart); an index on the candidate's season,
  site, stage and filière for the indicators' counts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A migration does not import live code: the seed as it was when this migration was written.
FUNDERS = (
    (
        "gen",
        "Grande École du Numérique",
        "cdi,cdd_long,cdd_court,alternance,creation,formation_qualifiante,"
        "formation_non_qualifiante,etudes",
        3,
    ),
    (
        "e2c",
        "Réseau E2C",
        "cdi,cdd_long,cdd_court,interim,contrat_aide,alternance,creation,formation_qualifiante",
        0,
    ),
    (
        "region",
        "Région Nouvelle-Aquitaine",
        "cdi,cdd_long,alternance,creation,formation_qualifiante",
        6,
    ),
)


def upgrade() -> None:
    op.create_table(
        "learner_outcome",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("checkpoint", sa.String(length=10), nullable=False),
        sa.Column("situation", sa.String(length=40), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("check_source", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidate.id"],
            name=op.f("fk_learner_outcome_candidate_id_candidate"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_outcome")),
        sa.UniqueConstraint(
            "candidate_id", "checkpoint", name=op.f("uq_learner_outcome_candidate_id")
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_learner_outcome_uuid")),
    )
    op.create_index(
        op.f("ix_learner_outcome_candidate_id"), "learner_outcome", ["candidate_id"], unique=False
    )
    funder = op.create_table(
        "funder",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("positive_situations", sa.Text(), nullable=False),
        sa.Column("measured_at_months", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funder")),
        sa.UniqueConstraint("code", name=op.f("uq_funder_code")),
        sa.UniqueConstraint("uuid", name=op.f("uq_funder_uuid")),
    )
    op.bulk_insert(
        funder,
        [
            {
                "code": code,
                "label": label,
                "positive_situations": situations,
                "measured_at_months": months,
                "position": position,
                "uuid": f"00000000-0000-4000-8000-00000000001{position}",
            }
            for position, (code, label, situations, months) in enumerate(FUNDERS)
        ],
    )
    # Plain ADD COLUMN: a batch copy of `candidate` would break the search view and the foreign
    # keys pointing at it (see migration 0011).
    op.add_column("candidate", sa.Column("pathway_end", sa.String(length=30), nullable=True))
    op.add_column("candidate", sa.Column("pathway_end_reason", sa.Text(), nullable=True))
    # The indicators count per season, site, stage and filière off this index alone.
    op.create_index(
        "ix_candidate_season_site_stage",
        "candidate",
        ["season_id", "site_id", "stage_id", "filiere_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_candidate_season_site_stage", table_name="candidate")
    op.execute("ALTER TABLE candidate DROP COLUMN pathway_end_reason")
    op.execute("ALTER TABLE candidate DROP COLUMN pathway_end")
    op.drop_table("funder")
    op.drop_index(op.f("ix_learner_outcome_candidate_id"), table_name="learner_outcome")
    op.drop_table("learner_outcome")
