"""The call-for-projects documents built from the base: the acknowledgement (with the
eligibility points to check), the decision letter (its date and reason from the state history;
refused for a project without a decision), the fiche projet (milestones, teams and learners);
rights, the journal, and never over the base."""

from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Activity, AuditEntry, Cohort, Filiere, Host, Site, Team, TeamMember
from app.domain.projects import (
    Project,
    ProjectActivity,
    ProjectCall,
    ProjectFiliere,
    ProjectMilestone,
    ProjectStateChange,
)
from app.errors import UserFacingError
from app.services import reference
from app.services.errors import PermissionDenied
from app.services.projects import documents
from app.services.settings import organisation
from app.storage import Database
from app.storage.targets import OverwriteRefused
from tests.conftest import make_actor
from tests.unit.pdf.appointments_world import candidate

COORDINATION = make_actor("coordination", "claire.vasseur", "Claire Vasseur")
TRAINER = make_actor("formateur", "marc", "Marc Lefort")
DESK = make_actor("accueil", "nadia", "Nadia Belkacem")
TODAY = date(2027, 2, 15)
REASON = "Le besoin relève d'un prestataire : un logiciel métier à maintenir."


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def _project(db: Database, *, state: str = "recu", **fields: object) -> int:
    """Project n° 3 of the 2026-2027 call by the association Dynamob (identified, 6 employees)."""
    with db.session() as session:
        season = reference.ensure_season(session, "2026-2027")
        call = session.scalar(select(ProjectCall).where(ProjectCall.season_id == season.id))
        if call is None:
            call = ProjectCall(
                season=season, opens_on=date(2026, 10, 1), closes_on=date(2027, 1, 31)
            )
            session.add(call)
        host = Host(
            name="Association Dynamob",
            legal_form="association",
            rna="W861234567",
            address="12 rue Carnot",
            postal_code="86200",
            city="Loudun",
        )
        values: dict[str, object] = {
            "call": call,
            "number": 3,
            "host": host,
            "title": "Site web de l'association",
            "submitted_on": date(2026, 12, 3),
            "contact_name": "Samia Haddad",
            "contact_function": "Présidente",
            "contact_phone": "+33549981234",
            "contact_email": "contact@dynamob.fr",
            "contact_availability": "Mardi après-midi",
            "need": "Les habitants appellent pour tout.",
            "audience": "Les habitants sans voiture.",
            "deliverable_kind": "site",
            "deliverable": "Un site avec un formulaire de prêt.",
            "calendar": "Avant l'assemblée générale de juin.",
            "maintainer": "Un bénévole.",
            "licence_accepted": True,
            "headcount": 6,
            "state": state,
        } | fields
        project = Project(**values)
        session.add(project)
        session.flush()
        return project.id


def _decide(db: Database, project_id: int, state: str, reason: str, day: date) -> None:
    """As the state machine records it: the history and the project's state and reason."""
    with db.session() as session:
        project = session.get_one(Project, project_id)
        project.state, project.state_reason = state, reason
        session.add(
            ProjectStateChange(
                project_id=project_id,
                state=state,
                reason=reason,
                changed_by="claire.vasseur",
                changed_at=datetime.combine(day, datetime.min.time()),
            )
        )


def _printed(db: Database) -> list[str]:
    with db.session(commit=False) as session:
        return list(
            session.scalars(
                select(AuditEntry.summary)
                .where(AuditEntry.entity_type == "project")
                .order_by(AuditEntry.id)
            )
        )


# ---------------------------------------------------------------- acknowledgement


def test_the_acknowledgement_prints_the_reference_dates_and_next_steps(
    db: Database, tmp_path: Path
) -> None:
    project_id = _project(db)
    target = tmp_path / "accuse.pdf"
    documents.print_acknowledgement(db, project_id, target, actor=COORDINATION, today=TODAY)
    text = _pdf_text(target)
    assert "AAP-2026-003" in text
    assert "Site web de l'association" in text
    assert "Association Dynamob" in text and "À l'attention de Samia Haddad, Présidente" in text
    assert "12 rue Carnot 86200 Loudun" in text
    assert "Déposé le 03/12/2026" in text and "Clôture de l'appel 31/01/2027" in text
    assert "attendue fin février 2027" in text
    assert "Le 15 février 2027" in text  # no town of signature in the settings yet
    assert "Claire Vasseur" in text
    assert "Points à vérifier" not in text
    assert _printed(db) == [
        "Accusé de réception imprimé : projet AAP-2026-003 (Association Dynamob)"
    ]


def test_the_acknowledgement_lists_the_eligibility_warnings(db: Database, tmp_path: Path) -> None:
    project_id = _project(db, headcount=35, submitted_on=date(2027, 2, 3))
    with db.session() as session:
        session.get_one(Project, project_id).host.rna = None
    target = tmp_path / "accuse.pdf"
    documents.print_acknowledgement(db, project_id, target, actor=COORDINATION, today=TODAY)
    text = _pdf_text(target)
    assert "Points à vérifier" in text
    assert "20 salariés ou plus (effectif déclaré : 35)" in text
    assert "Structure non identifiée : ni SIRET ni RNA" in text
    assert "Déposé le 03/02/2027, après la clôture de l'appel (31/01/2027)" in text


def test_the_letters_are_signed_from_the_organisations_town(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        organisation.save_organisation(
            session,
            organisation.OrganisationInput(nom="Fabrique Vienne", ville_signature="Poitiers"),
            actor=COORDINATION,
        )
    project_id = _project(db)
    target = tmp_path / "accuse.pdf"
    documents.print_acknowledgement(db, project_id, target, actor=COORDINATION, today=TODAY)
    text = _pdf_text(target)
    assert "Poitiers, le 15 février 2027" in text
    assert "Pour la coordination de Fabrique Vienne" in text


def test_expected_decision_is_the_end_of_the_month_after_the_closing() -> None:
    assert documents.expected_decision(date(2027, 1, 31)) == "fin février 2027"
    assert documents.expected_decision(date(2026, 12, 15)) == "fin janvier 2027"


# ---------------------------------------------------------------- decision letter


def test_the_letter_of_a_project_not_retained_gives_its_reason_and_date(
    db: Database, tmp_path: Path
) -> None:
    project_id = _project(db, state="en_instruction")
    _decide(db, project_id, "non_retenu", REASON, date(2027, 2, 12))
    target = tmp_path / "decision.pdf"
    documents.print_decision_letter(db, project_id, target, actor=COORDINATION, today=TODAY)
    text = _pdf_text(target)
    assert "Projet non retenu" in text
    assert f"Motif {REASON}" in text
    assert "Date de la décision 12/02/2027" in text
    assert _printed(db) == [
        "Lettre de décision imprimée : projet AAP-2026-003 (Association Dynamob)"
    ]


def test_the_letter_of_a_retained_project_gives_the_next_steps(
    db: Database, tmp_path: Path
) -> None:
    project_id = _project(db)
    _decide(db, project_id, "retenu", "", date(2027, 2, 10))
    target = tmp_path / "decision.pdf"
    documents.print_decision_letter(db, project_id, target, actor=COORDINATION, today=TODAY)
    text = _pdf_text(target)
    assert "Projet retenu" in text and "Date de la décision 10/02/2027" in text
    assert "Calendrier souhaité Avant l'assemblée générale de juin." in text
    assert "Les équipes" in text


def test_a_project_given_to_a_team_still_prints_its_retained_letter(
    db: Database, tmp_path: Path
) -> None:
    project_id = _project(db)
    _decide(db, project_id, "retenu", "Projet très utile.", date(2027, 2, 10))
    _decide(db, project_id, "en_realisation", "", date(2027, 3, 1))
    target = tmp_path / "decision.pdf"
    documents.print_decision_letter(db, project_id, target, actor=COORDINATION, today=TODAY)
    text = _pdf_text(target)
    assert "Projet retenu" in text
    assert "Date de la décision 10/02/2027" in text
    assert "Avis du jury Projet très utile." in text


def test_the_waiting_list_letter(db: Database, tmp_path: Path) -> None:
    project_id = _project(db)
    _decide(db, project_id, "liste_attente", "", date(2027, 2, 11))
    target = tmp_path / "decision.pdf"
    documents.print_decision_letter(db, project_id, target, actor=COORDINATION, today=TODAY)
    assert "Projet placé sur liste d'attente" in _pdf_text(target)


@pytest.mark.parametrize("state", ["recu", "complet", "en_instruction", "retire", "abandonne"])
def test_no_decision_letter_for_a_project_without_a_decision(
    db: Database, tmp_path: Path, state: str
) -> None:
    project_id = _project(db, state=state)
    target = tmp_path / "decision.pdf"
    with pytest.raises(UserFacingError, match="AAP-2026-003 n'a pas encore de décision"):
        documents.print_decision_letter(db, project_id, target, actor=COORDINATION, today=TODAY)
    assert not target.exists()
    assert _printed(db) == []


def test_no_letter_for_a_project_not_retained_without_a_reason(
    db: Database, tmp_path: Path
) -> None:
    project_id = _project(db, state="non_retenu")
    target = tmp_path / "decision.pdf"
    with pytest.raises(UserFacingError, match="motif du refus"):
        documents.print_decision_letter(db, project_id, target, actor=COORDINATION, today=TODAY)
    assert not target.exists()


# ---------------------------------------------------------------- fiche projet


def _team(db: Database, project_id: int) -> None:
    lea = candidate(db, "Dupont", "Léa")
    karim = candidate(db, "Benali", "Karim")
    with db.session() as session:
        season = reference.ensure_season(session, "2026-2027")
        site = session.scalars(select(Site).where(Site.code == "cobalt")).one()
        cohort = Cohort(season=season, site=site, start_date=date(2026, 12, 1))
        activity = Activity(
            cohort=cohort, day=date(2027, 3, 1), title="Projet réel", kind="projet_reel"
        )
        team = Team(activity=activity, name="Les Hiboux")
        session.add_all([cohort, activity, team])
        session.flush()
        for person in (lea, karim):
            session.add(TeamMember(team=team, activity_id=activity.id, candidate_id=person))
        session.add(ProjectActivity(project_id=project_id, activity=activity))
        project = session.get_one(Project, project_id)
        project.milestones.append(ProjectMilestone(title="Mise en ligne", due_on=date(2027, 4, 10)))
        project.milestones.append(
            ProjectMilestone(
                title="Maquette validée",
                due_on=date(2027, 3, 16),
                state="fait",
                done_on=date(2027, 3, 15),
            )
        )
        filiere = session.scalars(select(Filiere).order_by(Filiere.position)).first()
        assert filiere is not None
        session.add(ProjectFiliere(project_id=project_id, filiere=filiere))


def test_the_project_sheet_holds_the_milestones_and_the_team(db: Database, tmp_path: Path) -> None:
    project_id = _project(db, state="en_realisation")
    _team(db, project_id)
    target = tmp_path / "fiche.pdf"
    documents.print_project_sheet(db, project_id, target, actor=TRAINER, today=TODAY)
    text = _pdf_text(target)
    assert "Fiche projet" in text and "AAP-2026-003" in text
    assert "Association Dynamob — W861234567" in text
    assert "En réalisation" in text
    assert "Les habitants appellent pour tout." in text
    assert "05 49 98 12 34" in text and "contact@dynamob.fr" in text
    assert "Mardi après-midi" in text
    assert "Un site avec un formulaire de prêt." in text
    assert "Maquette validée 16/03/2027 Fait 15/03/2027" in text
    assert "Mise en ligne 10/04/2027 Prévu" in text
    assert text.index("Maquette validée") < text.index("Mise en ligne")
    assert "Saison 2026-2027 — Cobalt Les Hiboux BENALI Karim DUPONT Léa" in text
    with db.session(commit=False) as session:
        first = session.scalars(select(Filiere).order_by(Filiere.position)).first()
        assert first is not None and first.label in text
    assert _printed(db) == ["Fiche projet imprimée : projet AAP-2026-003 (Association Dynamob)"]


def test_the_suggested_file_names(db: Database) -> None:
    project_id = _project(db)
    names = [
        documents.document_filename(db, project_id, document, actor=TRAINER)
        for document in documents.DOCUMENTS
    ]
    assert names == [
        "AAP-2026-003 - Accusé de réception - Association Dynamob.pdf",
        "AAP-2026-003 - Lettre de décision - Association Dynamob.pdf",
        "AAP-2026-003 - Fiche projet - Association Dynamob.pdf",
    ]


# ---------------------------------------------------------------- rights, journal, targets


def test_a_trainer_prints_the_sheet_but_not_the_letters(db: Database, tmp_path: Path) -> None:
    project_id = _project(db)
    _decide(db, project_id, "retenu", "", date(2027, 2, 10))
    for printer in (documents.print_acknowledgement, documents.print_decision_letter):
        with pytest.raises(PermissionDenied):
            printer(db, project_id, tmp_path / "lettre.pdf", actor=TRAINER, today=TODAY)
    assert not (tmp_path / "lettre.pdf").exists()
    assert _printed(db) == []


def test_the_desk_prints_nothing_of_the_call(db: Database, tmp_path: Path) -> None:
    project_id = _project(db)
    with pytest.raises(PermissionDenied):
        documents.print_project_sheet(db, project_id, tmp_path / "f.pdf", actor=DESK, today=TODAY)
    with pytest.raises(PermissionDenied):
        documents.document_filename(db, project_id, documents.PROJECT_SHEET, actor=DESK)
    assert _printed(db) == []


@pytest.mark.sqlite_only  # the base's own file
def test_a_document_never_overwrites_the_base(db: Database, db_path: Path) -> None:
    project_id = _project(db)
    before = db_path.read_bytes()[:100]
    with pytest.raises(OverwriteRefused, match="la base de données elle-même"):
        documents.print_project_sheet(db, project_id, db_path, actor=COORDINATION, today=TODAY)
    assert db_path.read_bytes()[:100] == before
    assert _printed(db) == []


def test_a_file_that_cannot_be_written_leaves_no_journal_entry(
    db: Database, tmp_path: Path
) -> None:
    project_id = _project(db)
    not_a_folder = tmp_path / "fichier"
    not_a_folder.write_text("")
    with pytest.raises(OSError):
        documents.print_acknowledgement(
            db, project_id, not_a_folder / "a.pdf", actor=COORDINATION, today=TODAY
        )
    assert _printed(db) == []


def test_a_journal_that_cannot_be_written_leaves_no_file(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_id = _project(db)

    def broken(_session: Session, *_args: object, **_kwargs: object) -> None:
        raise RuntimeError("journal unavailable")

    monkeypatch.setattr(documents.audit, "record", broken)
    folder = tmp_path / "documents"
    folder.mkdir()
    with pytest.raises(RuntimeError):
        documents.print_project_sheet(
            db, project_id, folder / "fiche.pdf", actor=COORDINATION, today=TODAY
        )
    assert list(folder.iterdir()) == []


def test_an_unknown_project(db: Database, tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="n'existe plus"):
        documents.print_project_sheet(db, 999, tmp_path / "f.pdf", actor=COORDINATION)
