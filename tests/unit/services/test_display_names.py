"""People are shown by their account's display name wherever the services name an author;
an author no account has (an old one, the system) is shown as recorded."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.domain.account import ROLE_ACCUEIL, ROLE_COORDINATION, ROLE_FORMATEUR
from app.services.accounts import management as accounts
from app.services.accounts.names import display_names, person_name
from app.services.candidates.records import (
    CandidateInput,
    change_stage,
    create_candidate,
    get_candidate,
)
from app.services.journal import audit_log as audit
from app.services.orientation import decisions, progress, projects
from app.services.orientation import grid as orientation_grid
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.services.test_orientation import NOW, World, _world, during_the_season

NADIA = make_actor(ROLE_ACCUEIL, "nadia")
SAMIR = make_actor(ROLE_FORMATEUR, "samir")
CLAIRE = make_actor(ROLE_COORDINATION, "claire")
_ = during_the_season  # autouse here too: the orientation world is built during its season


def _staff(session: Session) -> None:
    for username, name, role in (
        ("nadia", "Nadia Belkacem", ROLE_ACCUEIL),
        ("samir", "Samir Haddad", ROLE_FORMATEUR),
        ("claire", "Claire Vasseur", ROLE_COORDINATION),
    ):
        accounts.ensure_passwordless_account(session, username, name, role)


def test_an_identifiant_becomes_the_persons_name_and_an_unknown_author_stays() -> None:
    names = {"nadia": "Nadia Belkacem"}
    assert person_name(names, "nadia") == "Nadia Belkacem"
    assert person_name(names, "ancien.compte") == "ancien.compte"
    assert person_name(names, "Claire Vasseur (ligne de commande)") == (
        "Claire Vasseur (ligne de commande)"
    )
    assert person_name(names, None) == ""


def test_display_names_lists_every_account(db: Database) -> None:
    with db.session() as s:
        _staff(s)
        assert display_names(s)["nadia"] == "Nadia Belkacem"


def test_the_stage_history_and_suivi_par_name_people(db: Database) -> None:
    with db.session() as s:
        _staff(s)
        data = CandidateInput(
            nom="Durand",
            prenom="Léa",
            email="lea.durand@exemple.fr",
            saison="2026-2027",
            site="cobalt",
            responsable="nadia",  # as the window filled it in before
        )
        candidate_id = create_candidate(s, data, actor=NADIA).id
        change_stage(s, candidate_id, "contacte", comment="Appel", actor=NADIA)
        s.commit()
        file = get_candidate(s, candidate_id, actor=CLAIRE)
    assert [entry.author for entry in file.history] == ["Nadia Belkacem", "Nadia Belkacem"]
    assert file.values.responsable == "Nadia Belkacem"


def test_an_author_without_account_is_shown_as_recorded(db: Database) -> None:
    with db.session() as s:
        data = CandidateInput(nom="Petit", prenom="Jean", telephone="0612345678", site="cobalt")
        data.saison = "2026-2027"
        candidate_id = create_candidate(s, data, actor=make_actor(ROLE_ACCUEIL, "ancien")).id
        s.commit()
        file = get_candidate(s, candidate_id, actor=CLAIRE)
    assert [entry.author for entry in file.history] == ["ancien"]


def test_the_grid_the_notes_the_project_and_the_decision_name_people(db: Database) -> None:
    with db.session() as s:
        _staff(s)
        world: World = _world(s)
        orientation_grid.record_level(
            s, world.activity, world.lea, world.criteria["E1"], "2", actor=SAMIR, now=NOW
        )
        orientation_grid.record_note(s, world.activity, world.lea, "Attentive", actor=SAMIR)
        projects.save_project(
            s,
            world.lea,
            filiere="web",
            target_job="Développeuse",
            steps="",
            status="en_cours",
            actor=SAMIR,
        )
        decision = decisions.decide(
            s, world.lea, outcome="validee", filiere="web", reason="", actor=CLAIRE
        )
        changes = orientation_grid.level_history(
            s, world.activity, world.lea, world.criteria["E1"], actor=CLAIRE
        )
        page = progress.learner_page(s, world.lea, actor=CLAIRE)
    assert [change.author for change in changes] == ["Samir Haddad"]
    assert [note.author for note in page.notes] == ["Samir Haddad"]
    assert page.project.updated_by == "Samir Haddad"
    assert decision.decided_by == "Claire Vasseur"
    assert page.decision is not None and page.decision.decided_by == "Claire Vasseur"


def test_the_journal_shows_names_and_filters_on_what_was_recorded(db: Database) -> None:
    audit.attach(db, lambda: "nadia")  # the window records who is signed in
    with db.session() as s:
        _staff(s)
        data = CandidateInput(
            nom="Durand", prenom="Léa", email="l@exemple.fr", saison="2026-2027", site="cobalt"
        )
        create_candidate(s, data, actor=NADIA, now=datetime(2026, 11, 2, 9, 0))
        s.commit()
        choices = dict(audit.author_choices(s, actor=CLAIRE))
        rows = audit.list_entries(s, actor=CLAIRE, author="nadia")
    assert choices["nadia"] == "Nadia Belkacem"
    assert rows and {row.author for row in rows} == {"Nadia Belkacem"}
