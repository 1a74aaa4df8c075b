"""The registry of the tables about a candidate cannot drift from the schema: a table that
refers to a candidate, directly or through other tables, must be covered by the export, the
anonymisation, the erasure and the journal, or kept out of each with a reason."""

from dataclasses import replace

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

from app.domain import Base, Host
from app.services.journal.audit_log import journaled_tables
from app.services.rgpd.coverage import Gap, coverage_gaps
from app.services.rgpd.links import candidate_links, path_to_candidate
from app.services.rgpd.personal_tables import (
    JOURNALED,
    PERSONAL_TABLES,
    RIGHTS,
    Kept,
    PersonalTable,
    Replaced,
    deleted_tables,
    exclusions,
)

# What the walk of the foreign keys finds today (the journal names applications by value).
CANDIDATE_TABLES = {
    "candidate",
    "stage_change",
    "learner_outcome",
    "attendee",
    "observation",
    "learner_note",
    "team_member",
    "activity_participant",
    "professional_project",
    "orientation_decision",
    "agreement",
    "amendment",
    "agreement_signature",
    "agreement_event",
    "agreement_absence",
    "agreement_document",
    "candidate_anonymisation",
    "audit_entry",
}


def _schema_copy() -> MetaData:
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    return metadata


def _rights_missing(gaps: list[Gap], table: str) -> set[str]:
    return {gap.right for gap in gaps if gap.table == table}


def test_every_table_about_a_candidate_is_covered_by_every_right() -> None:
    assert coverage_gaps() == []


def test_the_walk_finds_the_tables_about_a_candidate() -> None:
    links = candidate_links(Base.metadata)
    assert set(links) == CANDIDATE_TABLES
    assert {entry.table for entry in PERSONAL_TABLES} == CANDIDATE_TABLES
    assert path_to_candidate(links, "agreement_signature") == (
        "agreement_signature.agreement_id -> agreement.id, agreement.candidate_id -> candidate.id"
    )
    assert links["audit_entry"] is not None and links["audit_entry"].by_value


def test_a_new_table_linked_to_a_candidate_is_reported_for_every_right() -> None:
    metadata = _schema_copy()
    Table(
        "reference_letter",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("candidate_id", ForeignKey("candidate.id")),
        Column("text", String),
    )
    Table(  # two steps away: through the letter
        "letter_attachment",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("letter_id", ForeignKey("reference_letter.id")),
    )
    Table(  # no foreign key: it names the application by value, like the journal
        "phone_call",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("candidate_uuid", String(36)),
    )
    Table("unrelated", metadata, Column("id", Integer, primary_key=True))

    gaps = coverage_gaps(metadata)

    for table in ("reference_letter", "letter_attachment", "phone_call"):
        assert _rights_missing(gaps, table) == set(RIGHTS), table
    assert _rights_missing(gaps, "unrelated") == set()
    (attachment,) = [g for g in gaps if g.table == "letter_attachment" and g.right == "erase"]
    assert "letter_attachment.letter_id -> reference_letter.id" in attachment.problem
    assert "reference_letter.candidate_id -> candidate.id" in attachment.problem
    assert {g.table for g in gaps} == {"reference_letter", "letter_attachment", "phone_call"}


def test_a_journal_spec_counts_only_when_it_names_the_application() -> None:
    metadata = _schema_copy()
    Table(
        "reference_letter",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("candidate_id", ForeignKey("candidate.id")),
    )
    tracked = journaled_tables() | {"reference_letter": True}
    assert _rights_missing(coverage_gaps(metadata, journaled=tracked), "reference_letter") == {
        "export",
        "anonymise",
        "erase",
    }
    untied = journaled_tables() | {"agreement": False}
    (gap,) = coverage_gaps(journaled=untied)
    assert (gap.table, gap.right) == ("agreement", "journal")
    assert "candidate_of" in gap.problem


def _with(table: str, **changes: object) -> tuple[PersonalTable, ...]:
    return tuple(
        replace(entry, **changes) if entry.table == table else entry  # type: ignore[arg-type]
        for entry in PERSONAL_TABLES
    )


@pytest.mark.parametrize(
    ("registry", "expected"),
    [
        (_with("attendee", anonymise=Kept(" ")), ("attendee", "anonymise", "without a reason")),
        (_with("attendee", journal=JOURNALED), ("attendee", "journal", "has no spec")),
        (_with("agreement", journal=Kept("why")), ("agreement", "journal", "yet the journal")),
        (
            _with("stage_change", anonymise=Replaced({"remark": None})),
            ("stage_change", "anonymise", "remark"),
        ),
        (
            (*PERSONAL_TABLES, PersonalTable(Host, Kept("-"), Kept("-"), Kept("-"), Kept("-"))),
            ("host", "registry", "does not refer to a candidate"),
        ),
        ((*PERSONAL_TABLES, PERSONAL_TABLES[1]), ("stage_change", "registry", "listed twice")),
    ],
)
def test_the_registry_itself_is_checked(
    registry: tuple[PersonalTable, ...], expected: tuple[str, str, str]
) -> None:
    (gap,) = coverage_gaps(tables=registry)
    table, right, words = expected
    assert (gap.table, gap.right) == (table, right)
    assert words in gap.problem


def test_every_exclusion_says_why_and_is_about_a_table_of_a_candidate() -> None:
    found = exclusions()
    assert found
    for table, right, why in found:
        assert table in CANDIDATE_TABLES and right in RIGHTS
        assert len(why.split()) >= 3, (table, right)
    assert ("audit_entry", "journal", "the journal itself") in found


def test_erasure_deletes_rows_that_refer_to_others_first() -> None:
    order = [table.name for table in (m.__table__ for m in deleted_tables())]
    assert order[-1] == "candidate"
    for position, name in enumerate(order):
        for key in Base.metadata.tables[name].foreign_keys:
            parent = key.column.table.name
            if parent in order and parent != name:
                assert order.index(parent) > position, (name, parent)
