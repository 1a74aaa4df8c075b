"""The call for projects' test world (structures of the directory, a season's call, projects
submitted to it), shared by the test_projects_* modules; and the rights of each role."""

from dataclasses import dataclass, replace
from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from app.services.candidates.records import CandidateInput, change_stage, create_candidate
from app.services.errors import PermissionDenied
from app.services.hosts.directory import HostInput, create_host
from app.services.permissions import can_edit_projects, can_read_projects, can_review_projects
from app.services.projects import actions
from app.services.projects.submissions import ProjectInput, submit_project
from app.storage import Database
from tests.conftest import make_actor

SEASON = "2026-2027"
COORD = make_actor("coordination", "claire", "Claire Vasseur")
TRAINER = make_actor("formateur", "samir", "Samir Haddad")
OTHER_TRAINER = make_actor("formateur", "ines", "Inès Morel")
DESK = make_actor("accueil", "nadia", "Nadia Belkacem")


@dataclass(frozen=True)
class Hosts:
    small: int  # an association of 1 to 9 employees, with its RNA number
    large: int  # a company of 50 to 249 employees, with its SIRET
    unidentified: int  # a collectivity: no SIRET, no RNA, no band


def make_hosts(s: Session) -> Hosts:
    small = create_host(
        s,
        HostInput(
            nom="Les Jardins partagés",
            forme_juridique="association",
            identifiant="W863001234",
            effectif="1 à 9",
            commune="Poitiers",
        ),
        actor=COORD,
    )
    large = create_host(
        s,
        HostInput(
            nom="Imprimerie Moderne",
            forme_juridique="sas",
            identifiant="732 829 320 00074",
            effectif="50 à 249",
            commune="Niort",
        ),
        actor=COORD,
    )
    unidentified = create_host(
        s, HostInput(nom="Mairie de Ligugé", forme_juridique="collectivite"), actor=COORD
    )
    return Hosts(small.id, large.id, unidentified.id)


def project_input(host_id: int, **changes: object) -> ProjectInput:
    data = ProjectInput(
        host_id=host_id,
        title="Un site pour les adhérents",
        submitted_on="15/11/2026",
        contact_name="Marie Lefèvre",
        contact_function="Présidente",
        contact_phone="05 49 12 34 56",
        contact_email="marie.lefevre@jardins.fr",
        need="Les adhérents ne savent pas quand ont lieu les ateliers.",
        deliverable_kind="site",
        headcount="4",
        licence_accepted=True,
        filieres=("web",),
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def submit(s: Session, host_id: int, **changes: object) -> int:
    return submit_project(s, SEASON, project_input(host_id, **changes), actor=COORD)


def make_learner(s: Session, nom: str, prenom: str, site: str = "cobalt") -> int:
    """A learner of the 2026-2027 season (entered training)."""
    data = CandidateInput(
        nom=nom,
        prenom=prenom,
        email=f"{prenom.lower()}.{nom.lower()}@exemple.fr",
        saison=SEASON,
        site=site,
    )
    actor = make_actor("coordination", "test")
    candidate_id = create_candidate(s, data, now=datetime(2026, 10, 1, 9, 0), actor=actor).id
    for stage in ("entretien", "admis", "entre_formation"):
        change_stage(s, candidate_id, stage, comment="", now=datetime(2026, 11, 2), actor=actor)
    return candidate_id


# ---------------------------------------------------------------- rights


def test_roles_rights_on_the_call_for_projects() -> None:
    assert [can_read_projects(r) for r in ("accueil", "formateur", "coordination")] == [
        False,
        True,
        True,
    ]
    assert [can_edit_projects(r) for r in ("accueil", "formateur", "coordination")] == [
        False,
        False,
        True,
    ]
    assert [can_review_projects(r) for r in ("accueil", "formateur", "coordination")] == [
        False,
        True,
        True,
    ]


def test_the_desk_has_no_access_to_the_call(db: Database) -> None:
    with db.session() as s:
        hosts = make_hosts(s)
        project = submit(s, hosts.small)
    for use in (
        lambda: actions.call(db, SEASON, actor=DESK),
        lambda: actions.projects(db, SEASON, actor=DESK),
        lambda: actions.details(db, project, actor=DESK),
        lambda: actions.ranking(db, SEASON, actor=DESK),
        lambda: actions.criteria(db, actor=DESK),
        lambda: actions.submit(db, SEASON, project_input(hosts.small), actor=DESK),
        lambda: actions.change_state(db, project, "complet", "", 1, actor=DESK),
        lambda: actions.record_review(db, project, {}, True, "", actor=DESK),
    ):
        with pytest.raises(PermissionDenied) as refused:
            use()
        assert "coordination" in str(refused.value)


def test_a_trainer_reads_everything_but_writes_only_their_review(db: Database) -> None:
    with db.session() as s:
        hosts = make_hosts(s)
        project = submit(s, hosts.small)
    rows = actions.projects(db, SEASON, actor=TRAINER)
    assert [r.id for r in rows] == [project]
    assert actions.details(db, project, actor=TRAINER).title == "Un site pour les adhérents"
    assert actions.call(db, SEASON, actor=TRAINER).season_label == SEASON
    for use in (
        lambda: actions.submit(db, SEASON, project_input(hosts.small), actor=TRAINER),
        lambda: actions.update(db, project, project_input(hosts.small), 1, actor=TRAINER),
        lambda: actions.change_state(db, project, "complet", "", 1, actor=TRAINER),
        lambda: actions.save_criterion(db, None, "Originalité", "", actor=TRAINER),
        lambda: actions.save_call(db, 1, "01/10/2026", "31/01/2027", "", actor=TRAINER),
        lambda: actions.cohorts_for_season(db, SEASON, actor=TRAINER),
    ):
        with pytest.raises(PermissionDenied) as refused:
            use()
        assert "Seule la coordination" in str(refused.value)
