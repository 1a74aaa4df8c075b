"""The audit log: captured changes with their author, explicit entries, append-only storage,
reading reserved to coordination."""

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.domain import (
    Agreement,
    AuditAction,
    AuditEntry,
    Candidate,
    Host,
    LearnerNote,
    OrganisationSettings,
    Tutor,
)
from app.services.candidates.records import (
    CandidateInput,
    SavedCandidate,
    change_stage,
    create_candidate,
    get_candidate,
    update_candidate,
)
from app.services.errors import PermissionDenied
from app.services.journal import audit_log as audit
from app.storage import Database
from tests.conftest import make_actor

COORDINATION = "coordination"
NOW = datetime(2026, 11, 28, 10, 0)


@pytest.fixture
def author() -> list[str]:
    """The signed-in user, as the window's callback would return it; tests change it."""
    return ["Nadia Belkacem"]


@pytest.fixture
def attached(db: Database, author: list[str]) -> Iterator[Database]:
    audit.attach(db, lambda: author[0])
    yield db
    audit.detach(db)


def _create(db: Database, **overrides: str) -> SavedCandidate:
    values = {
        "nom": "Lefèvre",
        "prenom": "Camille",
        "email": "camille.lefevre@exemple.fr",
        "telephone": "06 12 34 56 78",
        "saison": "2026-2027",
        "site": "cobalt",
    }
    values.update(overrides)
    with db.session() as session:
        return create_candidate(
            session, CandidateInput(**values), actor=make_actor(COORDINATION, "accueil"), now=NOW
        )


def _update(db: Database, saved: SavedCandidate, **changes: str) -> None:
    with db.session() as session:
        file = get_candidate(session, saved.id, actor=make_actor(COORDINATION))
        update_candidate(
            session,
            saved.id,
            replace(file.values, **changes),
            expected_version=file.version,
            actor=make_actor(COORDINATION, "accueil"),
        )


def _entries(db: Database, **filters: object) -> list[audit.AuditRow]:
    with db.session(commit=False) as session:
        return audit.list_entries(session, actor=make_actor(COORDINATION), **filters)  # type: ignore[arg-type]


def _changes(row: audit.AuditRow) -> dict[str, tuple[str | None, str | None]]:
    return {c.name: (c.before, c.after) for c in row.changes}


# ---------------------------------------------------------------- captured changes


def test_candidate_update_records_each_changed_field_before_and_after(attached: Database) -> None:
    saved = _create(attached)
    _update(attached, saved, nom="Martin", telephone="07 81 23 45 67", notes="Rappeler lundi")

    latest = _entries(attached, entity_uuid=saved.uuid)[0]
    assert latest.action == AuditAction.MODIFICATION.value
    assert latest.author == "Nadia Belkacem"
    assert latest.entity_label == "Dossier de candidature"
    assert _changes(latest) == {
        "last_name": ("Lefèvre", "Martin"),
        "phone": ("06 12 34 56 78", "07 81 23 45 67"),
        "notes": (None, "Rappeler lundi"),
    }
    assert [c.label for c in latest.changes] == ["Nom", "Téléphone", "Notes"]
    assert latest.summary == "Dossier de candidature modifié : Nom, Téléphone, Notes"
    assert latest.person == "MARTIN Camille"


def test_creation_holds_the_values_typed_and_the_author_of_the_moment(
    attached: Database, author: list[str]
) -> None:
    author[0] = "Claire Vasseur"
    saved = _create(attached, date_naissance="15/03/1995", rqth="oui")

    creation = _entries(attached, entity_uuid=saved.uuid)[-1]
    assert creation.action == AuditAction.CREATION.value
    assert creation.author == "Claire Vasseur"
    values = _changes(creation)
    assert values["last_name"] == (None, "Lefèvre")
    assert values["birth_date"] == (None, "15/03/1995")
    assert values["rqth"] == (None, "oui")
    assert values["site"] == (None, "Cobalt")
    assert "usage_name" not in values  # empty fields are not listed


def test_summaries_never_name_the_person(attached: Database) -> None:
    saved = _create(attached, nom="Zanzibar")
    _update(attached, saved, prenom="Yolande")
    with attached.session() as session:
        change_stage(
            session,
            saved.id,
            "contacte",
            comment="Appel",
            actor=make_actor(COORDINATION, "accueil"),
        )
    rows = _entries(attached)
    assert len(rows) >= 3
    for row in rows:
        assert "Zanzibar" not in row.summary and "Yolande" not in row.summary


def test_stage_change_is_recorded_with_both_stages(attached: Database) -> None:
    saved = _create(attached)
    with attached.session() as session:
        change_stage(
            session,
            saved.id,
            "contacte",
            comment="Appel",
            actor=make_actor(COORDINATION, "accueil"),
        )
    row = next(r for r in _entries(attached) if r.entity_type == "stage_change")
    assert row.summary == "Changement d'étape : candidature reçue → contacté"
    assert row.candidate_uuid == saved.uuid
    assert _changes(row)["comment"] == (None, "Appel")


def test_changes_over_several_flushes_make_one_entry(attached: Database) -> None:
    saved = _create(attached)
    with attached.session() as session:
        candidate = session.get(Candidate, saved.id)
        assert candidate is not None
        candidate.city = "Niort"
        session.flush()
        candidate.city = "Poitiers"
        candidate.postal_code = "86000"
        session.flush()
        candidate.version += 1
    latest = _entries(attached, entity_uuid=saved.uuid)[0]
    assert _changes(latest) == {"postal_code": (None, "86000"), "city": (None, "Poitiers")}


def test_a_change_undone_before_saving_leaves_no_entry(attached: Database) -> None:
    saved = _create(attached)
    before = len(_entries(attached))
    with attached.session() as session:
        candidate = session.get(Candidate, saved.id)
        assert candidate is not None
        candidate.city = "Niort"
        session.flush()
        candidate.city = None
    assert len(_entries(attached)) == before


def test_rolled_back_sessions_and_unattached_databases_record_nothing(db: Database) -> None:
    _create(db)  # not attached: nothing captured
    with db.session(commit=False) as session:
        assert session.scalars(select(AuditEntry)).all() == []
    audit.attach(db, lambda: "Nadia")
    try:
        with db.session(commit=False) as session:  # a read-only session rolls back
            session.add(Host(name="Atelier", legal_form="association"))
            session.flush()
    finally:
        audit.detach(db)
    with db.session(commit=False) as session:
        assert session.scalars(select(AuditEntry)).all() == []


def test_the_session_may_name_its_author(db: Database) -> None:
    with db.session() as session:
        session.info[audit.AUTHOR_KEY] = "ligne de commande (claire)"
        session.add(Host(name="Atelier Vélo", legal_form="association"))
    row = _entries(db)[0]
    assert row.author == "ligne de commande (claire)"
    assert row.summary == "Structure créée « Atelier Vélo »"


def test_hosts_tutors_and_organisation_are_tracked(attached: Database) -> None:
    with attached.session() as session:
        host = Host(name="Atelier Vélo", legal_form="association")
        host.tutors.append(Tutor(name="Jean Morel", phone="+33611223344"))
        session.add(host)
        session.add(OrganisationSettings(name="La Fabrique"))
    with attached.session() as session:
        tutor = session.scalars(select(Tutor)).one()
        tutor.email = "jean@atelier.fr"
        settings = session.scalars(select(OrganisationSettings)).one()
        settings.signing_city = "Poitiers"
    rows = _entries(attached)
    summaries = {r.summary for r in rows}
    assert "Structure créée « Atelier Vélo »" in summaries
    assert "Tuteur créé (structure « Atelier Vélo »)" in summaries
    assert "Tuteur modifié (structure « Atelier Vélo ») : E-mail" in summaries
    assert "Paramètres de l'organisme modifiés : Fait à" in summaries
    tutor_row = next(r for r in rows if r.summary.startswith("Tuteur modifié"))
    assert _changes(tutor_row) == {"email": (None, "jean@atelier.fr")}


def test_deletion_keeps_no_value(attached: Database) -> None:
    with attached.session() as session:
        session.add(Host(name="Éphémère", legal_form="entreprise", email="x@y.fr"))
    with attached.session() as session:
        session.delete(session.scalars(select(Host)).one())
    deletion = _entries(attached)[0]
    assert deletion.action == AuditAction.SUPPRESSION.value
    assert deletion.summary == "Structure supprimée « Éphémère »"
    assert deletion.changes == ()


def test_orientation_notes_are_tracked_and_tied_to_the_application(attached: Database) -> None:
    from app.domain import Activity, Cohort, Season, Site

    saved = _create(attached)
    with attached.session() as session:
        season = session.scalars(select(Season)).first()
        site = session.scalars(select(Site)).first()
        assert season is not None and site is not None
        cohort = Cohort(season=season, site=site, start_date=date(2026, 12, 1))
        activity = Activity(cohort=cohort, day=date(2026, 12, 2), title="Atelier", kind="atelier")
        session.add(activity)
        session.flush()
        session.add(
            LearnerNote(
                activity_id=activity.id,
                candidate_id=saved.id,
                text="Très à l'écoute",
                author="Julien Morel",
                recorded_at=NOW,
            )
        )
    row = _entries(attached)[0]
    assert row.summary == "Commentaire d'orientation ajouté"
    assert row.candidate_uuid == saved.uuid
    assert _changes(row) == {"text": (None, "Très à l'écoute")}


# ---------------------------------------------------------------- explicit entries


def test_printing_and_exports_are_recorded(attached: Database) -> None:
    saved = _create(attached)
    with attached.session() as session:
        host = Host(name="Atelier Vélo", legal_form="association")
        session.add(host)
        session.flush()
        agreement = Agreement(
            number="FAB-2027-0001",
            candidate_id=saved.id,
            host_id=host.id,
            start_date=date(2027, 6, 1),
            end_date=date(2027, 7, 31),
        )
        session.add(agreement)
        session.flush()
        audit.record_document_printed(session, agreement.id, "Convention de stage")
        audit.record_bilan_printed(session, saved.id)
        audit.record_export(session, "candidats (CSV)", 40, "saison 2025-2026")
    rows = _entries(attached, action=AuditAction.IMPRESSION)
    assert {r.summary for r in rows} == {
        "Convention de stage — FAB-2027-0001",
        "Bilan d'orientation imprimé",
    }
    assert all(r.candidate_uuid == saved.uuid for r in rows)
    export = _entries(attached, action=AuditAction.EXPORT)[0]
    assert export.summary == "Export des candidats (CSV) : 40 lignes — saison 2025-2026"
    assert export.entity_label == "Export"
    assert export.author == "Nadia Belkacem"


# ---------------------------------------------------------------- append-only


def _one_entry(db: Database) -> int:
    with db.session() as session:
        entry = audit.record(
            session,
            AuditAction.MODIFICATION,
            None,
            "Essai",
            entity_type="host",
            changes={"name": ["A", "B"]},
            author="Nadia",
        )
        session.flush()
        return entry.id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET summary = 'autre chose' WHERE id = :id",
        "UPDATE audit_entry SET author = 'quelqu''un d''autre' WHERE id = :id",
        "UPDATE audit_entry SET at = '2020-01-01 00:00:00' WHERE id = :id",
        "UPDATE audit_entry SET changes = '{}' WHERE id = :id",
        "DELETE FROM audit_entry WHERE id = :id",
        "DELETE FROM audit_entry",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_entry(db: Database, statement: str) -> None:
    entry_id = _one_entry(db)
    with pytest.raises(IntegrityError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(statement), {"id": entry_id})
    with db.session(commit=False) as session:
        entry = session.get(AuditEntry, entry_id)
        assert entry is not None
        assert entry.summary == "Essai"
        assert json.loads(entry.changes or "") == {"name": ["A", "B"]}


def test_only_a_redaction_blanking_the_values_is_accepted(db: Database) -> None:
    entry_id = _one_entry(db)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_entry SET changes = NULL, redacted = :redacted WHERE id = :id"),
            {"id": entry_id, "redacted": True},
        )
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_entry SET changes = '{}', redacted = :redacted WHERE id = :id"),
            {"id": entry_id, "redacted": False},
        )
    with db.session(commit=False) as session:
        entry = session.get(AuditEntry, entry_id)
        assert entry is not None and entry.changes is None and entry.redacted


# ---------------------------------------------------------------- reading


@pytest.mark.parametrize("role", ["accueil", "formateur", "", "inconnu"])
def test_only_coordination_reads_the_journal(db: Database, role: str) -> None:
    with db.session(commit=False) as session:
        with pytest.raises(PermissionDenied, match="coordination"):
            audit.list_entries(session, actor=make_actor(role))
        with pytest.raises(PermissionDenied):
            audit.authors(session, actor=make_actor(role))


def test_filters_by_person_author_and_dates(attached: Database, author: list[str]) -> None:
    first = _create(attached)
    author[0] = "Claire Vasseur"
    second = _create(attached, nom="Zanzibar", prenom="Yolande", email="y@z.fr")
    with attached.session(commit=False) as session:
        assert audit.authors(session, actor=make_actor(COORDINATION)) == [
            "Claire Vasseur",
            "Nadia Belkacem",
        ]
        by_person = audit.entry_ids(
            session, audit.AuditQuery(person_text="zanzibar"), actor=make_actor(COORDINATION)
        )
        rows = audit.entry_rows(session, by_person, actor=make_actor(COORDINATION))
    assert rows and {r.candidate_uuid for r in rows.values()} == {second.uuid}
    assert {r.author for r in _entries(attached, author="Nadia Belkacem")} == {"Nadia Belkacem"}
    assert {r.candidate_uuid for r in _entries(attached, author="Nadia Belkacem")} == {first.uuid}
    today = date.today()
    assert len(_entries(attached, since=today, until=today)) == len(_entries(attached))
    assert _entries(attached, until=today - timedelta(days=1)) == []
    assert _entries(attached, since=today + timedelta(days=1)) == []
