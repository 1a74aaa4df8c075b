"""Each right does to each table what the registry says: a person with a row in every table
about a candidate is exported, journaled, anonymised and erased, table by table, as
`personal_tables.PERSONAL_TABLES` declares. A new entry in the registry needs a row here."""

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.domain import (
    Activity,
    ActivityParticipant,
    Agreement,
    AgreementAbsence,
    AgreementDocument,
    AgreementEvent,
    AgreementSignature,
    Amendment,
    Appointment,
    Attendee,
    AuditEntry,
    Candidate,
    CandidateAnonymisation,
    Cohort,
    Criterion,
    Host,
    LearnerNote,
    LearnerOutcome,
    Observation,
    OrientationDecision,
    ProfessionalProject,
    Season,
    Site,
    Stage,
    StageChange,
    Team,
    TeamMember,
)
from app.services.journal import audit_log as audit
from app.services.rgpd import person_data as rgpd
from app.services.rgpd.links import rows_of, table_of
from app.services.rgpd.personal_tables import (
    PERSONAL_TABLES,
    ByCode,
    Deleted,
    Journaled,
    Kept,
    PersonalTable,
    Replaced,
    Shown,
)
from app.storage import Database
from tests.conftest import make_actor

NOW = datetime(2026, 6, 5, 10, 0)
COORDINATION = make_actor("coordination", "Claire Vasseur")
Row = dict[str, Any]


@pytest.fixture
def journaled(db: Database) -> Iterator[Database]:
    audit.attach(db, lambda: "Claire Vasseur")
    yield db
    audit.detach(db)


def _one_of_each(db: Database, *, marked: bool) -> int:
    """A learner with a row in every table about a candidate (the anonymisation mark only
    when `marked`), every text the rights replace filled in; the application's id."""
    with db.session() as session:
        season, site = (
            session.scalars(select(Season)).first(),
            session.scalars(select(Site)).first(),
        )
        stage = session.scalars(select(Stage).order_by(Stage.position)).first()
        assert season is not None and site is not None and stage is not None
        person = Candidate(
            last_name="Quetzal",
            first_name="Zéphyrine",
            email="zq@exemple.fr",
            notes="Préfère les SMS",
            season=season,
            site=site,
            stage=stage,
        )
        session.add(person)
        session.flush()
        _orientation(session, person, season, site)
        _agreement(session, person)
        session.add_all(
            [
                StageChange(
                    candidate=person,
                    changed_at=NOW,
                    to_stage_id=stage.id,
                    author="Nadia",
                    comment="Au téléphone",
                ),
                LearnerOutcome(
                    candidate=person,
                    checkpoint="3_mois",
                    situation="cdi",
                    checked_on=NOW.date(),
                    check_source="telephone",
                    comment="Embauchée chez son tuteur",
                    recorded_by="Nadia",
                    recorded_at=NOW,
                ),
                Attendee(
                    appointment=Appointment(kind="entretien", starts_at=NOW, site=site),
                    candidate=person,
                ),
            ]
        )
        if marked:
            session.add(
                CandidateAnonymisation(candidate_id=person.id, anonymised_at=NOW, reason="demande")
            )
        return person.id


def _orientation(session: Session, person: Candidate, season: Season, site: Site) -> None:
    criterion = session.scalars(select(Criterion)).first()
    assert criterion is not None
    activity = Activity(
        cohort=Cohort(season=season, site=site, start_date=date(2025, 12, 1)),
        day=date(2025, 12, 3),
        title="Atelier",
        kind="atelier",
    )
    team = Team(activity=activity, name="Les castors")
    session.add_all([activity, team])
    session.flush()
    session.add_all(
        [
            TeamMember(team=team, activity_id=activity.id, candidate=person),
            ActivityParticipant(activity_id=activity.id, candidate=person),
            Observation(
                activity_id=activity.id,
                candidate_id=person.id,
                criterion_id=criterion.id,
                level="acquis",
                author="Samir",
                recorded_at=NOW,
            ),
            LearnerNote(
                activity_id=activity.id,
                candidate_id=person.id,
                text="Fatiguée ce matin",
                author="Samir",
                recorded_at=NOW,
            ),
            ProfessionalProject(
                candidate_id=person.id, target_job="Technicienne", steps="Stage", updated_by="S"
            ),
            OrientationDecision(
                candidate_id=person.id,
                outcome="validee",
                reason="Projet solide",
                decided_by="Claire",
                decided_at=NOW,
            ),
        ]
    )


def _agreement(session: Session, person: Candidate) -> None:
    agreement = Agreement(
        candidate=person,
        host=Host(name="Association du Si", legal_form="association"),
        start_date=date(2026, 6, 1),
        end_date=date(2026, 7, 31),
        legal_representative="Anne Quetzal, mère",
        end_reason="Déménagement",
    )
    session.add(agreement)
    session.flush()
    amendment = Amendment(
        agreement_id=agreement.id,
        rank=1,
        changes=json.dumps({"lieu": ["A", "B"]}),
        terms=json.dumps({"legal_representative": "Anne Quetzal, mère"}),
        reason="Nouveau lieu",
        created_by="Claire",
        created_at=NOW,
    )
    session.add_all(
        [
            amendment,
            AgreementSignature(
                agreement_id=agreement.id,
                signatory="stagiaire",
                signed_on=date(2026, 5, 20),
                recorded_by="Claire",
            ),
            AgreementEvent(agreement_id=agreement.id, at=NOW, author="Claire", comment="Relue"),
            AgreementAbsence(
                agreement_id=agreement.id,
                day=date(2026, 6, 2),
                half_day="matin",
                kind="absence",
                reason="Enfant malade",
                recorded_by="Samir",
                recorded_at=NOW,
            ),
            AgreementDocument(
                agreement_id=agreement.id,
                kind="attestation",
                number="ATT-TEST-1",
                issued_on=date(2026, 8, 1),
                issued_by="Claire",
            ),
        ]
    )


def _rows(session: Session, entry: PersonalTable, candidate_id: int) -> dict[int, Row]:
    table: Table = table_of(entry.model)
    found = session.execute(select(table).where(rows_of(table, candidate_id))).mappings()
    return {row["id"]: dict(row) for row in found}


def _snapshot(db: Database, candidate_id: int) -> dict[str, dict[int, Row]]:
    with db.session(commit=False) as session:
        return {e.table: _rows(session, e, candidate_id) for e in PERSONAL_TABLES}


def _by_ids(db: Database, entry: PersonalTable, ids: set[int]) -> dict[int, Row]:
    table = table_of(entry.model)
    with db.session(commit=False) as session:
        found = session.execute(select(table).where(table.c.id.in_(ids))).mappings()
        return {row["id"]: dict(row) for row in found}


def _items(value: Any, path: tuple[str, ...]) -> int:
    """How many records the export holds at `path` (through lists)."""
    if isinstance(value, list):
        return sum(_items(item, path) for item in value)
    if not path:
        return 0 if value is None else 1
    return _items(value[path[0]], path[1:])


def test_the_export_shows_every_row_where_the_registry_says(journaled: Database) -> None:
    person = _one_of_each(journaled, marked=True)
    before = _snapshot(journaled, person)
    with journaled.session(commit=False) as session:
        data = rgpd.export_person(session, person, actor=COORDINATION)
    (application,) = data["candidatures"]
    for entry in PERSONAL_TABLES:
        assert before[entry.table], f"give {entry.table} a row in _one_of_each"
        if isinstance(entry.export, Shown):
            shown = _items(application, entry.export.path)
            assert shown == len(before[entry.table]), entry.table
    assert application["orientation"]["equipes"] == [
        {"date": "03/12/2025", "activite": "Atelier", "equipe": "Les castors"}
    ]


def test_the_journal_ties_every_journaled_row_to_the_application(journaled: Database) -> None:
    person = _one_of_each(journaled, marked=True)
    rows = _snapshot(journaled, person)
    with journaled.session(commit=False) as session:
        uuid = session.get_one(Candidate, person).uuid
        entries = session.execute(select(AuditEntry.entity_uuid, AuditEntry.candidate_uuid))
        about: dict[str | None, set[str | None]] = {}
        for entity, application in entries:
            about.setdefault(entity, set()).add(application)
    for entry in PERSONAL_TABLES:
        uuids = {row["uuid"] for row in rows[entry.table].values()}
        if isinstance(entry.journal, Journaled):
            assert all(about.get(u) == {uuid} for u in uuids), entry.table
        elif entry.table != "audit_entry":
            assert not uuids & about.keys(), entry.table


def test_anonymisation_does_to_each_table_what_the_registry_says(journaled: Database) -> None:
    person = _one_of_each(journaled, marked=False)
    before = _snapshot(journaled, person)
    with journaled.session() as session:
        assert rgpd.anonymise(session, [person], actor=COORDINATION) == 1
    for entry in PERSONAL_TABLES:
        rows = before[entry.table]
        after = _by_ids(journaled, entry, set(rows))
        handling = entry.anonymise
        if isinstance(handling, Kept):
            assert after == rows, entry.table
        elif isinstance(handling, Replaced):
            assert rows, f"give {entry.table} a row in _one_of_each"
            for row_id, row in rows.items():
                for column, value in handling.values.items():
                    assert row[column], f"fill {entry.table}.{column} in _one_of_each"
                    assert after[row_id][column] == value, (entry.table, column)
        else:
            assert isinstance(handling, ByCode)
    with journaled.session(commit=False) as session:
        anonymised = session.get_one(Candidate, person)
        assert anonymised.last_name == rgpd.ANONYMOUS_NAME and anonymised.email is None
        changes = session.scalars(
            select(AuditEntry.changes).where(AuditEntry.candidate_uuid == anonymised.uuid)
        ).all()
        assert session.scalar(select(CandidateAnonymisation.id)) is not None
    assert len(changes) > len(before["audit_entry"])  # the anonymisation's own entry
    assert set(changes) == {None}


def test_erasure_does_to_each_table_what_the_registry_says(journaled: Database) -> None:
    person = _one_of_each(journaled, marked=True)
    before = _snapshot(journaled, person)
    with journaled.session() as session:
        uuid = session.get_one(Candidate, person).uuid
        assert rgpd.erase_person(session, person, actor=COORDINATION, reason="demande") == 1
    for entry in PERSONAL_TABLES:
        rows = before[entry.table]
        assert rows, f"give {entry.table} a row in _one_of_each"
        left = _by_ids(journaled, entry, set(rows))
        if isinstance(entry.erase, Deleted):
            assert left == {}, entry.table
        elif isinstance(entry.erase, Kept):
            assert left == rows, entry.table
    with journaled.session(commit=False) as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.candidate_uuid == uuid))
        kept = {e.id: e.changes for e in entries}
    assert set(before["audit_entry"]) < set(kept)  # append-only: they stay, plus the erasure's
    assert set(kept.values()) == {None}
