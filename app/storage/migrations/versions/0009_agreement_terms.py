"""typed agreement terms: amendments as full snapshots, legal mentions, presence, issued documents

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 13:00:00

- agreement: the referent's phone and e-mail, who pays the trainee's remuneration, remote
  weekdays, the rule of a flat indemnity when the internship is broken off;
- amendment.terms: the agreement's whole terms once the amendment applies (typed JSON), filled
  here from the texts an amendment used to keep (`changes`: field -> [from, to]);
- organisation_settings.competent_court: the court named by the applicable-law clause;
- agreement_absence: absences and late arrivals by half-day, from the tutor's weekly sheet;
- agreement_document: the first issue of a document (attestation…), its number and date.
"""

import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DAY_HOURS = re.compile(r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+([\d.,]+)")


def upgrade() -> None:
    with op.batch_alter_table("agreement") as batch:
        batch.add_column(sa.Column("referent_phone", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("referent_email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("remuneration_payer", sa.String(length=20), nullable=True))
        batch.add_column(
            sa.Column("remuneration_payer_other", sa.String(length=120), nullable=True)
        )
        batch.add_column(
            sa.Column("remote_weekdays", sa.String(length=20), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("indemnity_break_rule", sa.String(length=20), nullable=True))
    with op.batch_alter_table("amendment") as batch:
        batch.add_column(sa.Column("terms", sa.Text(), nullable=True))
    with op.batch_alter_table("organisation_settings") as batch:
        batch.add_column(
            sa.Column("competent_court", sa.String(length=120), nullable=False, server_default="")
        )
    op.create_table(
        "agreement_absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("half_day", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("justified", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("document_received", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_absence_agreement_id_agreement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_absence")),
        sa.UniqueConstraint("uuid", name=op.f("uq_agreement_absence_uuid")),
        sa.UniqueConstraint(
            "agreement_id", "day", "half_day", name=op.f("uq_agreement_absence_agreement_id")
        ),
    )
    op.create_index(
        op.f("ix_agreement_absence_agreement_id"), "agreement_absence", ["agreement_id"]
    )
    op.create_table(
        "agreement_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_document_agreement_id_agreement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_document")),
        sa.UniqueConstraint("uuid", name=op.f("uq_agreement_document_uuid")),
        sa.UniqueConstraint("number", name=op.f("uq_agreement_document_number")),
        sa.UniqueConstraint(
            "agreement_id", "kind", name=op.f("uq_agreement_document_agreement_id")
        ),
    )
    _fill_amendment_terms()


def downgrade() -> None:
    op.drop_table("agreement_document")
    op.drop_index(op.f("ix_agreement_absence_agreement_id"), table_name="agreement_absence")
    op.drop_table("agreement_absence")
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): these columns carry no constraint, and
    # rebuilding `agreement` would fail on the rows that reference it.
    with op.batch_alter_table("organisation_settings", recreate="never") as batch:
        batch.drop_column("competent_court")
    with op.batch_alter_table("amendment", recreate="never") as batch:
        batch.drop_column("terms")
    with op.batch_alter_table("agreement", recreate="never") as batch:
        for name in (
            "indemnity_break_rule",
            "remote_weekdays",
            "remuneration_payer_other",
            "remuneration_payer",
            "referent_email",
            "referent_phone",
        ):
            batch.drop_column(name)


# ---------------------------------------------------------------- data: amendments' terms
# Frozen copies of the rules of this revision: a migration must not change afterwards.


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def _text_date(text: str) -> str | None:
    found = _DATE.search(text)
    if not found:
        return None
    day, month, year = (int(part) for part in found.groups())
    return date(year, month, day).isoformat()


def _number(text: str) -> float:
    try:
        return float(text.strip().replace(",", ".").removesuffix("h").strip() or 0)
    except ValueError:
        return 0.0


def _amount(text: str) -> str | None:
    cleaned = text.replace("€", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return f"{value:.2f}" if value > 0 else None


def _base_terms(row: Any) -> dict[str, Any]:
    schedule = {int(day): float(hours) for day, hours in json.loads(row.schedule or "{}").items()}
    amount = row.indemnity_amount
    return {
        "candidate_id": row.candidate_id,
        "host_id": row.host_id,
        "tutor_id": row.tutor_id,
        "legal_representative": row.legal_representative or "",
        "referent": row.referent_trainer or "",
        "referent_phone": "",
        "referent_email": "",
        "place": row.place or "",
        "start": _iso(row.start_date),
        "end": _iso(row.end_date),
        "week": {str(day): hours for day, hours in sorted(schedule.items()) if hours > 0},
        "remote_days": [],
        "interruptions": json.loads(row.interruptions or "[]"),
        "night": bool(row.night_allowed),
        "sunday": bool(row.sunday_allowed),
        "holiday": bool(row.holiday_allowed),
        "activities": row.activities or "",
        "competences": row.competences or "",
        "indemnity": f"{float(amount):.2f}" if amount is not None and float(amount) > 0 else None,
        "indemnity_unit": row.indemnity_unit,
        "payment_mode": row.indemnity_payment_mode or "",
        "indemnity_break_rule": None,
        "benefits": row.benefits or "",
        "payer": None,
        "payer_other": "",
    }


def _apply_text(terms: dict[str, Any], name: str, text: str) -> None:
    """One field of an old amendment's `changes` (its form text) over typed terms."""
    text = text or ""
    if name == "horaires":
        week = {
            str(_WEEKDAYS.index(day)): _number(hours) for day, hours in _DAY_HOURS.findall(text)
        }
        terms["week"] = {day: hours for day, hours in week.items() if hours > 0}
    elif name == "interruptions":
        found = [_text_date(match.group(0)) for match in _DATE.finditer(text)]
        terms["interruptions"] = [
            list(pair) for pair in zip(found[0::2], found[1::2], strict=False)
        ]
    elif name in ("date_debut", "date_fin"):
        parsed = _text_date(text)
        if parsed:
            terms["start" if name == "date_debut" else "end"] = parsed
    elif name in ("nuit", "dimanche", "ferie"):
        key = {"nuit": "night", "dimanche": "sunday", "ferie": "holiday"}[name]
        terms[key] = text.strip().lower() == "oui"
    elif name == "tuteur":
        terms["tutor_id"] = int(text) if text.strip().isdigit() else None
    elif name == "indemnite":
        terms["indemnity"] = _amount(text)
    elif name == "unite_indemnite":
        terms["indemnity_unit"] = text.strip() or None
    else:
        field = {
            "representant_legal": "legal_representative",
            "formateur_referent": "referent",
            "lieu": "place",
            "activites": "activities",
            "competences": "competences",
            "mode_versement": "payment_mode",
            "avantages": "benefits",
        }.get(name)
        if field:
            terms[field] = text


def _fill_amendment_terms() -> None:
    connection = op.get_bind()
    agreements = connection.execute(
        sa.text(
            "SELECT id, candidate_id, host_id, tutor_id, legal_representative, referent_trainer,"
            " place, start_date, end_date, schedule, interruptions, night_allowed,"
            " sunday_allowed, holiday_allowed, activities, competences, indemnity_amount,"
            " indemnity_unit, indemnity_payment_mode, benefits"
            " FROM agreement WHERE id IN (SELECT agreement_id FROM amendment)"
        )
    ).fetchall()
    for row in agreements:
        terms = _base_terms(row)
        amendments = connection.execute(
            sa.text(
                "SELECT id, changes, signed_on FROM amendment WHERE agreement_id = :id"
                " ORDER BY rank"
            ),
            {"id": row.id},
        ).fetchall()
        for amendment in amendments:
            after = json.loads(json.dumps(terms))
            for name, pair in json.loads(amendment.changes or "{}").items():
                _apply_text(after, name, pair[1])
            connection.execute(
                sa.text("UPDATE amendment SET terms = :terms WHERE id = :id"),
                {"terms": json.dumps(after, ensure_ascii=False), "id": amendment.id},
            )
            if amendment.signed_on is not None:
                terms = after
