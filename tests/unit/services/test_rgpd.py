"""Personal-data rights on the demo data: the person's file (JSON and PDF), the retention
list, anonymisation that keeps the funders' counts, erasure that leaves no trace."""

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.demo.seed import seed_demo
from app.domain import (
    Activity,
    ActivityParticipant,
    Agreement,
    AgreementAbsence,
    AgreementDocument,
    Appointment,
    AuditAction,
    AuditEntry,
    Candidate,
    Filiere,
    Referrer,
    Season,
    Site,
    Stage,
    StageChange,
    Team,
    TeamMember,
)
from app.domain.appointment import Attendee
from app.services.base_access.opening import open_app_database
from app.services.candidates.records import (
    CandidateInput,
    create_candidate,
    get_candidate,
    update_candidate,
)
from app.services.errors import PermissionDenied, ValidationError
from app.services.journal import audit_log as audit
from app.services.rgpd import person_data as rgpd
from app.storage import Database
from app.storage.scrub import rebuild_file
from tests.conftest import make_actor
from tests.encrypted import decrypted_bytes

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 15, 30)
COORDINATION = "coordination"
WITH_AMENDMENT = "FAB-2026-0005"
# Unusual enough to be found only where this person's data is.
NAME, FIRST_NAME = "Quetzalcoatl", "Zéphyrine"
EMAIL = "zephyrine.q@exemple.fr"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    database = open_app_database("sqlite:///" + str(path), today=TODAY)
    with database.session() as session:
        seed_demo(session, today=TODAY)
    database.dispose()
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "base.sqlite"
    shutil.copy(demo_file, path)
    shutil.copy(str(demo_file) + ".cles", str(path) + ".cles")  # its key file
    database = open_app_database("sqlite:///" + str(path), today=TODAY)
    audit.attach(database, lambda: "Claire Vasseur")
    yield database
    audit.detach(database)
    database.dispose()


def _learner_with_amendment(session: Session) -> int:
    candidate_id = session.scalar(
        select(Agreement.candidate_id).where(Agreement.number == WITH_AMENDMENT)
    )
    assert candidate_id is not None
    return candidate_id


def _person(db: Database, *, applications: int = 1, **overrides: str) -> list[int]:
    """A person who applied `applications` times (a season each), never entered training."""
    ids: list[int] = []
    person_uuid = None
    for n in range(applications):
        values = {
            "nom": NAME,
            "prenom": FIRST_NAME,
            "email": EMAIL,
            "telephone": "06 98 76 54 32",
            "adresse": "7 impasse des Glycines",
            "code_postal": "86000",
            "commune": "Poitiers",
            "date_naissance": "04/05/1990",
            "sexe": "F",
            "qpv": "oui",
            "niveau_diplome": "3",
            "notes": "<b>Appelle</b> le matin & préfère les SMS",
            "saison": f"{2024 + n}-{2025 + n}",
            "site": "cobalt",
            "date_information_rgpd": "01/09/2024",
        }
        values.update(overrides)
        with db.session() as session:
            saved = create_candidate(
                session,
                CandidateInput(**values),
                actor=make_actor(COORDINATION, "Nadia Belkacem"),
                now=datetime(2024 + n, 9, 1, 10),
                person_uuid=person_uuid,
            )
            candidate = session.get(Candidate, saved.id)
            assert candidate is not None
            person_uuid = candidate.person_uuid
        ids.append(saved.id)
    return ids


def _set_last_activity(db: Database, candidate_id: int, moment: datetime) -> None:
    """Age a file: every date of activity moved to `moment`."""
    with db.session() as session:
        session.info[audit.SUPPRESS_KEY] = True
        candidate = session.get(Candidate, candidate_id)
        assert candidate is not None
        candidate.last_action_at = candidate.stage_changed_at = moment
        candidate.application_date = moment.date()
        for change in session.scalars(
            select(StageChange).where(StageChange.candidate_id == candidate_id)
        ):
            change.changed_at = moment


# ---------------------------------------------------------------- right of access


def test_export_holds_every_part_of_the_file(demo: Database) -> None:
    with demo.session() as session:
        learner = _learner_with_amendment(session)
        candidate = session.get(Candidate, learner)
        assert candidate is not None
        candidate.notes = "Note ajoutée pour le journal"
        candidate.version += 1
    with demo.session(commit=False) as session:
        data = rgpd.export_person(session, learner, actor=make_actor(COORDINATION), now=NOW)

    assert data["export"]["date"] == "28/11/2026 15:30"
    assert data["export"]["nombre_de_candidatures"] == 1
    application = data["candidatures"][0]
    assert set(application) == {
        "identifiant",
        "dossier",
        "parcours",
        "suivis",
        "rendez_vous",
        "orientation",
        "conventions",
        "anonymisation",
        "journal",
    }
    file = application["dossier"]
    assert file["Nom"] and file["Prénom"] and file["Saison"] == "2025-2026"
    assert "Information RGPD donnée le" in file
    assert "RQTH" in file
    assert [step["vers"] for step in application["parcours"]][:2] == [
        "candidature reçue",
        "contacté",
    ]
    assert application["rendez_vous"]
    orientation = application["orientation"]
    assert len(orientation["observations"]) > 20
    assert orientation["commentaires"] and orientation["projet"] and orientation["decisions"]
    (agreement,) = application["conventions"]
    assert agreement["convention"]["Numéro"] == WITH_AMENDMENT
    assert agreement["avenants"] and agreement["signatures"] and agreement["historique"]
    journal = application["journal"]
    assert journal[-1]["changements"]["Notes"][1] == "Note ajoutée pour le journal"
    assert journal[-1]["par"] == "Claire Vasseur"


def test_export_gathers_every_application_of_the_person(demo: Database) -> None:
    first, second = _person(demo, applications=2)
    with demo.session(commit=False) as session:
        data = rgpd.export_person(session, second, actor=make_actor(COORDINATION), now=NOW)
    seasons = [a["dossier"]["Saison"] for a in data["candidatures"]]
    assert seasons == ["2024-2025", "2025-2026"]
    assert data["candidatures"][0]["dossier"]["Information RGPD donnée le"] == "01/09/2024"
    assert [a["identifiant"] for a in data["candidatures"]] == [
        _uuid(demo, first),
        _uuid(demo, second),
    ]


def _uuid(db: Database, candidate_id: int) -> str:
    with db.session(commit=False) as session:
        candidate = session.get(Candidate, candidate_id)
        assert candidate is not None
        return candidate.uuid


def test_json_is_stable_utf8_and_indented(demo: Database, tmp_path: Path) -> None:
    with demo.session() as session:
        learner = _learner_with_amendment(session)
        first = rgpd.person_json(
            rgpd.export_person(session, learner, actor=make_actor(COORDINATION), now=NOW)
        )
        again = rgpd.person_json(
            rgpd.export_person(session, learner, actor=make_actor(COORDINATION), now=NOW)
        )
        rgpd.write_person_export(
            session, learner, tmp_path / "personne.json", actor=make_actor(COORDINATION), now=NOW
        )
    assert first == again
    assert first.startswith('{\n  "export": {\n    "objet": ')
    raw = (tmp_path / "personne.json").read_bytes()
    assert raw.decode("utf-8") == first  # no BOM, accents as typed
    assert "é" in first and "\\u00e9" not in first
    assert json.loads(raw)["export"]["date"] == "28/11/2026 15:30"


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_pdf_reads_back_the_file_with_markup_printed_literally(
    demo: Database, tmp_path: Path
) -> None:
    (person,) = _person(demo)
    with demo.session() as session:
        export = rgpd.write_person_export(
            session, person, tmp_path / "personne.json", actor=make_actor(COORDINATION), now=NOW
        )
    assert export.pdf_path == tmp_path / "personne.pdf"
    text = _pdf_text(export.pdf_path)
    for expected in (
        "Vos données personnelles",
        f"{FIRST_NAME} {NAME}",
        EMAIL,
        "06 98 76 54 32",
        "7 impasse des Glycines",
        "<b>Appelle</b> le matin & préfère les SMS",
        "candidature reçue",
        "Journal des actions sur ce dossier",
        "Exporté le 28/11/2026",
    ):
        assert expected in text, expected
    reader = PdfReader(export.pdf_path)
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert all("/FontFile2" in f.get_object()["/FontDescriptor"] for f in fonts.values())


def test_pdf_of_a_learner_shows_orientation_and_agreement(demo: Database, tmp_path: Path) -> None:
    with demo.session() as session:
        learner = _learner_with_amendment(session)
        export = rgpd.write_person_export(
            session, learner, tmp_path / "apprenant.json", actor=make_actor(COORDINATION), now=NOW
        )
    text = _pdf_text(export.pdf_path)
    for expected in (
        "Période d'orientation — observations",
        "Projet professionnel",
        f"Convention de stage {WITH_AMENDMENT}",
        "Avenants",
        "page 1 /",
    ):
        assert expected in text, expected


def test_pdf_of_a_learner_shows_their_teams_and_events(demo: Database, tmp_path: Path) -> None:
    with demo.session() as session:
        member = session.scalars(select(TeamMember)).first()
        assert member is not None
        team = session.get(Team, member.team_id)
        assert team is not None
        event = Activity(
            cohort_id=team.activity.cohort_id,
            day=date(2026, 3, 19),
            title="Niort Numéric",
            kind="evenement",
            place="Hôtel de ville, Niort",
        )
        session.add(event)
        session.flush()
        session.add(ActivityParticipant(activity_id=event.id, candidate_id=member.candidate_id))
        team_name, learner = team.name, member.candidate_id
    with demo.session() as session:
        export = rgpd.write_person_export(
            session, learner, tmp_path / "apprenant.json", actor=make_actor(COORDINATION), now=NOW
        )
    text = _pdf_text(export.pdf_path)
    for expected in (
        "Période d'orientation — équipes",
        team_name,
        "Événements",
        "19/03/2026",
        "Niort Numéric",
        "Hôtel de ville, Niort",
    ):
        assert expected in text, expected


def test_export_is_for_coordination_and_is_logged_without_the_name(
    demo: Database, tmp_path: Path
) -> None:
    (person,) = _person(demo)
    for role in ("accueil", "formateur"):
        with demo.session() as session, pytest.raises(PermissionDenied):
            rgpd.export_person(session, person, actor=make_actor(role))
    with demo.session() as session:
        rgpd.write_person_export(
            session, person, tmp_path / "p.json", actor=make_actor(COORDINATION)
        )
    with demo.session(commit=False) as session:
        (entry,) = audit.list_entries(
            session, actor=make_actor(COORDINATION), action=AuditAction.EXPORT
        )
    assert entry.candidate_uuid == _uuid(demo, person)
    assert (
        entry.summary
        == "Export des données de la personne (droit d'accès) : 1 candidature, JSON et PDF"
    )
    assert NAME not in entry.summary and "p.json" not in entry.summary


# ---------------------------------------------------------------- retention


def test_retention_lists_files_idle_for_longer_than_the_period(demo: Database) -> None:
    old, recent, boundary = (_person(demo, nom=f"Personne{n}")[0] for n in range(3))
    _set_last_activity(demo, old, datetime(2024, 11, 27, 9))
    _set_last_activity(demo, recent, datetime(2025, 1, 5, 9))
    _set_last_activity(demo, boundary, datetime(2024, 11, 28, 9))
    with demo.session(commit=False) as session:
        listed = {r.id for r in rgpd.retention_candidates(session, TODAY)}
        assert old in listed
        assert recent not in listed and boundary not in listed
        assert recent in {r.id for r in rgpd.retention_candidates(session, TODAY, months=12)}
        entered = select(Candidate.id).join(Stage).where(Stage.counts_as_entry.is_(True))
        assert not listed & set(session.scalars(entered))


def test_an_appointment_counts_as_activity(demo: Database) -> None:
    (person,) = _person(demo)
    _set_last_activity(demo, person, datetime(2023, 3, 1, 9))
    with demo.session() as session:
        appointment = session.scalars(select(Appointment).order_by(Appointment.starts_at)).all()[-1]
        session.add(Attendee(appointment_id=appointment.id, candidate_id=person))
    with demo.session(commit=False) as session:
        assert person not in {r.id for r in rgpd.retention_candidates(session, TODAY)}


def test_the_period_is_a_setting_of_the_database(demo: Database) -> None:
    with demo.session() as session:
        assert rgpd.retention_months(session) == rgpd.DEFAULT_RETENTION_MONTHS == 24
        with pytest.raises(PermissionDenied):
            rgpd.set_retention_months(session, 12, actor=make_actor("accueil"))
        with pytest.raises(ValidationError) as refused:
            rgpd.set_retention_months(session, 0, actor=make_actor(COORDINATION))
        assert "de 1 à 120 mois" in refused.value.errors["duree"]
        rgpd.set_retention_months(session, 36, actor=make_actor(COORDINATION))
    with demo.session(commit=False) as session:
        assert rgpd.retention_months(session) == 36
        (entry,) = audit.list_entries(
            session, actor=make_actor(COORDINATION), entity_uuid=None, limit=1
        )
    assert entry.summary == "Durée de conservation des candidatures modifiée"
    assert [(c.before, c.after) for c in entry.changes] == [("24 mois", "36 mois")]


# ---------------------------------------------------------------- anonymisation


def _funder_counts(session: Session) -> dict[str, list[Any]]:
    """What the funders' reports count: candidates per season, site and stage, by sex, QPV,
    diploma level, filière, prescripteur, and the stage changes per season."""
    keys = (
        Season.label,
        Site.code,
        Stage.code,
        Candidate.sex,
        Candidate.qpv,
        Candidate.diploma_level,
        Filiere.code,
        Referrer.code,
        Candidate.job_seeker,
        Candidate.rsa,
        func.strftime("%Y", Candidate.birth_date),
    )
    candidates = (
        select(*keys, func.count())
        .join(Season, Candidate.season_id == Season.id)
        .join(Site, Candidate.site_id == Site.id)
        .join(Stage, Candidate.stage_id == Stage.id)
        .outerjoin(Filiere, Candidate.filiere_id == Filiere.id)
        .outerjoin(Referrer, Candidate.referrer_id == Referrer.id)
        .group_by(*keys)
    )
    change_keys = (Season.label, StageChange.to_stage_id, func.date(StageChange.changed_at))
    changes = (
        select(*change_keys, func.count())
        .join(Candidate, StageChange.candidate_id == Candidate.id)
        .join(Season, Candidate.season_id == Season.id)
        .group_by(*change_keys)
    )
    return {
        "candidates": sorted(map(tuple, session.execute(candidates)), key=repr),
        "changes": sorted(map(tuple, session.execute(changes)), key=repr),
        "attendance": sorted(
            map(
                tuple,
                session.execute(
                    select(Attendee.attendance, func.count()).group_by(Attendee.attendance)
                ),
            ),
            key=repr,
        ),
    }


def test_anonymisation_keeps_every_count_and_drops_the_identity(demo: Database) -> None:
    with demo.session(commit=False) as session:
        listed = rgpd.retention_candidates(session, date(2029, 1, 1))
        before = _funder_counts(session)
    assert len(listed) >= 20
    ids = [r.id for r in listed]
    with demo.session() as session:
        assert rgpd.anonymise(
            session, ids, actor=make_actor(COORDINATION, "Claire Vasseur")
        ) == len(ids)
    with demo.session(commit=False) as session:
        assert _funder_counts(session) == before
        assert rgpd.retention_candidates(session, date(2029, 1, 1)) == []
        for row in listed:
            candidate = session.get(Candidate, row.id)
            assert candidate is not None
            assert candidate.last_name == rgpd.ANONYMOUS_NAME
            assert row.name.split()[0].title() not in candidate.first_name
            assert candidate.email is candidate.phone is candidate.address is None
            assert candidate.notes is None and candidate.name_key is None
            assert candidate.birth_date is None or candidate.birth_date.month == 7
            comments = session.scalars(
                select(StageChange.comment).where(StageChange.candidate_id == row.id)
            )
            assert set(comments) <= {None}


def test_anonymisation_redacts_the_log_and_writes_no_name(demo: Database) -> None:
    (person,) = _person(demo)
    with demo.session() as session:
        file = get_candidate(session, person, actor=make_actor(COORDINATION))
        update_candidate(
            session,
            person,
            replace(file.values, telephone="07 81 23 45 67"),
            expected_version=file.version,
            actor=make_actor(COORDINATION, "Nadia"),
        )
    uuid = _uuid(demo, person)
    with demo.session() as session:
        rgpd.anonymise(
            session, [person], actor=make_actor(COORDINATION, "Claire"), reason=rgpd.REASON_REQUEST
        )
    with demo.session(commit=False) as session:
        rows = audit.list_entries(session, actor=make_actor(COORDINATION), candidate_uuids=[uuid])
    assert all(r.changes == () for r in rows)
    assert all(r.redacted for r in rows if r.action != AuditAction.ANONYMISATION.value)
    latest = rows[0]
    assert latest.action == AuditAction.ANONYMISATION.value
    assert latest.summary == "Dossier anonymisé (à la demande de la personne)"
    assert latest.author == "Claire"
    assert all(NAME not in r.summary and NAME not in r.person for r in rows)


def test_anonymising_twice_does_nothing_more_and_needs_coordination(demo: Database) -> None:
    (person,) = _person(demo)
    with demo.session() as session, pytest.raises(PermissionDenied):
        rgpd.anonymise(session, [person], actor=make_actor("accueil", "Nadia"))
    with demo.session() as session:
        before = session.get(Candidate, person).version  # type: ignore[union-attr]
        assert rgpd.anonymise(session, [person], actor=make_actor(COORDINATION, "Claire")) == 1
    with demo.session() as session:
        anonymised = session.get(Candidate, person)
        assert anonymised is not None and anonymised.version == before + 1
        assert anonymised.updated_by == "Claire"  # a stale save elsewhere names who did it
        assert rgpd.anonymise(session, [person], actor=make_actor(COORDINATION, "Claire")) == 0


# ---------------------------------------------------------------- erasure


def _database_bytes(path: Path) -> bytes:
    """What whoever has the base's key reads in its files: the base and its write-ahead log
    decrypted page by page (free pages and old frames included), a rollback journal as is."""
    journal = path.with_name(path.name + "-journal")
    return (decrypted_bytes(path) + (journal.read_bytes() if journal.exists() else b"")).lower()


def _raw_database_bytes(path: Path) -> bytes:
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")]
    return b"".join(f.read_bytes() for f in files if f.exists()).lower()


def test_erasure_leaves_no_personal_data_in_the_database_file(demo: Database) -> None:
    first, second = _person(demo, applications=2)
    with demo.session() as session:
        appointment = session.scalars(select(Appointment)).first()
        assert appointment is not None
        session.add(Attendee(appointment_id=appointment.id, candidate_id=first))
        file = get_candidate(session, second, actor=make_actor(COORDINATION))
        update_candidate(
            session,
            second,
            replace(file.values, commune="Vouzailles-les-Tilleuls"),
            expected_version=file.version,
            actor=make_actor(COORDINATION, "Nadia"),
        )
    uuids = {_uuid(demo, first), _uuid(demo, second)}
    with demo.session(commit=False) as session:
        others = session.scalar(select(func.count(Candidate.id))) - 2
    path = Path(demo.engine.url.database or "")
    assert NAME.lower().encode() in _database_bytes(path)
    assert NAME.lower().encode() not in _raw_database_bytes(path)  # encrypted on the disk

    with demo.session() as session:
        erased = rgpd.erase_person(
            session, first, actor=make_actor(COORDINATION, "Claire"), reason="consentement"
        )
    assert erased == 2
    assert rebuild_file(demo.engine)

    content = _database_bytes(path)
    for trace in (NAME, EMAIL, "glycines", "+33698765432", "vouzailles-les-tilleuls", "appelle"):
        assert trace.lower().encode() not in content, trace
    with demo.session(commit=False) as session:
        assert session.scalar(select(func.count(Candidate.id))) == others
        entries = session.execute(
            select(
                AuditEntry.entity_uuid, AuditEntry.summary, AuditEntry.changes, AuditEntry.author
            ).where(AuditEntry.action == AuditAction.EFFACEMENT.value)
        ).all()
    assert {e.entity_uuid for e in entries} == uuids
    for entry in entries:
        assert entry.summary == "Effacement sur demande — motif : retrait du consentement"
        assert entry.changes is None and entry.author == "Claire"


def test_erasure_deletes_attached_drafts_and_orientation(demo: Database) -> None:
    with demo.session() as session:
        learner = session.scalar(
            select(Candidate.id)
            .join(Stage)
            .where(
                Stage.counts_as_entry.is_(True), Candidate.id.not_in(select(Agreement.candidate_id))
            )
        )
        assert learner is not None
        host_id = session.scalar(select(Agreement.host_id))
        session.add(
            Agreement(
                candidate_id=learner,
                host_id=host_id,
                start_date=date(2026, 6, 1),
                end_date=date(2026, 7, 31),
            )
        )
    with demo.session() as session:
        rgpd.erase_person(
            session, learner, actor=make_actor(COORDINATION, "Claire"), reason="demande"
        )
    with demo.session(commit=False) as session:
        assert session.get(Candidate, learner) is None
        assert session.scalar(select(Agreement.id).where(Agreement.candidate_id == learner)) is None


def test_erasure_is_refused_when_an_agreement_was_signed(demo: Database) -> None:
    with demo.session() as session:
        learner = _learner_with_amendment(session)
        with pytest.raises(rgpd.ErasureRefused) as refused:
            rgpd.erase_person(
                session, learner, actor=make_actor(COORDINATION, "C"), reason="demande"
            )
    message = str(refused.value)
    assert "convention de stage signée (FAB-2026-0005)" in message
    assert "anonymiser" in message
    with demo.session(commit=False) as session:
        assert session.get(Candidate, learner) is not None


def test_erasure_needs_coordination_and_a_reason_category(demo: Database) -> None:
    (person,) = _person(demo)
    with demo.session() as session:
        with pytest.raises(PermissionDenied):
            rgpd.erase_person(session, person, actor=make_actor("accueil", "N"), reason="demande")
        with pytest.raises(ValidationError):
            rgpd.erase_person(
                session, person, actor=make_actor(COORDINATION, "C"), reason=f"Mme {NAME} a appelé"
            )
    with demo.session(commit=False) as session:
        assert session.get(Candidate, person) is not None


# ---------------------------------------------------------------- presence in internships


def _absences_and_attestation(session: Session, agreement_id: int) -> None:
    """Two recorded half-days and an issued attestation, written as the services would."""
    for day, reason in (
        (date(2026, 6, 2), "Hospitalisation de son enfant"),
        (date(2026, 6, 3), ""),
    ):
        session.add(
            AgreementAbsence(
                agreement_id=agreement_id,
                day=day,
                half_day="matin",
                kind="absence",
                justified=bool(reason),
                reason=reason,
                recorded_by="Samir Haddad",
                recorded_at=NOW,
            )
        )
    session.add(
        AgreementDocument(
            agreement_id=agreement_id,
            kind="attestation",
            number=f"ATT-TEST-{agreement_id}",
            issued_on=date(2026, 9, 4),
            issued_by="Claire Vasseur",
        )
    )


def test_export_and_anonymisation_of_absences(demo: Database) -> None:
    with demo.session() as session:
        learner = _learner_with_amendment(session)
        agreement_id = session.scalar(
            select(Agreement.id).where(Agreement.number == WITH_AMENDMENT)
        )
        assert agreement_id is not None
        session.execute(
            delete(AgreementAbsence).where(AgreementAbsence.agreement_id == agreement_id)
        )
        _absences_and_attestation(session, agreement_id)
    with demo.session(commit=False) as session:
        data = rgpd.export_person(session, learner, actor=make_actor(COORDINATION), now=NOW)
    (agreement,) = data["candidatures"][0]["conventions"]
    assert agreement["absences"][0] == {
        "date": "02/06/2026",
        "demi_journee": "matin",
        "nature": "absence",
        "minutes_de_retard": None,
        "justifiee": True,
        "motif": "Hospitalisation de son enfant",
        "justificatif_recu": False,
        "enregistree_par": "Samir Haddad",
        "le": "28/11/2026 15:30",
    }
    assert agreement["documents_delivres"] == [
        {
            "document": "attestation",
            "numero": f"ATT-TEST-{agreement_id}",
            "le": "04/09/2026",
            "par": "Claire Vasseur",
        }
    ]

    with demo.session() as session:
        rgpd.anonymise(session, [learner], actor=make_actor(COORDINATION, "Claire"))
    with demo.session(commit=False) as session:
        kept = session.execute(
            select(AgreementAbsence.day, AgreementAbsence.justified, AgreementAbsence.reason)
            .where(AgreementAbsence.agreement_id == agreement_id)
            .order_by(AgreementAbsence.day)
        ).all()
        # The hours done stay provable; the reasons, which may reveal health, go.
        assert [tuple(row) for row in kept] == [
            (date(2026, 6, 2), True, ""),
            (date(2026, 6, 3), False, ""),
        ]
        assert session.scalar(select(func.count(AgreementDocument.id))) >= 1


def test_erasure_deletes_absences_and_issued_documents(demo: Database) -> None:
    with demo.session() as session:
        learner = session.scalar(
            select(Candidate.id)
            .join(Stage)
            .where(
                Stage.counts_as_entry.is_(True), Candidate.id.not_in(select(Agreement.candidate_id))
            )
        )
        assert learner is not None
        host_id = session.scalar(select(Agreement.host_id))
        agreement = Agreement(
            candidate_id=learner,
            host_id=host_id,
            start_date=date(2026, 6, 1),
            end_date=date(2026, 7, 31),
        )
        session.add(agreement)
        session.flush()
        agreement_id = agreement.id
        _absences_and_attestation(session, agreement_id)
    with demo.session() as session:
        rgpd.erase_person(
            session, learner, actor=make_actor(COORDINATION, "Claire"), reason="demande"
        )
    with demo.session(commit=False) as session:
        for table in (AgreementAbsence, AgreementDocument):
            left = session.scalar(
                select(func.count(table.id)).where(table.agreement_id == agreement_id)
            )
            assert left == 0, table.__name__
