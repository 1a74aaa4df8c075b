"""A retained project realised: given to a team of a cohort (a real-case activity of the
orientation period, observed like any other), milestones, delivery and satisfaction."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain import AuditEntry
from app.domain.orientation import Observation
from app.services.errors import UserFacingError, ValidationError
from app.services.journal import audit_log as audit
from app.services.orientation import activities as orientation_activities
from app.services.orientation import criteria as orientation_criteria
from app.services.orientation import grid as orientation_grid
from app.services.projects import actions, listing
from app.storage import Database
from tests.unit.services.test_projects_world import (
    COORD,
    SEASON,
    TRAINER,
    make_hosts,
    make_learner,
    submit,
)

RATINGS = {"need_met": 5, "quality": 4, "communication": 4, "deadlines": 3}


@dataclass(frozen=True)
class World:
    project: int
    cohort: int
    lea: int
    marc: int
    nora: int
    elsewhere: int  # a learner of the other site's cohort


@pytest.fixture
def world(db: Database) -> World:
    with db.session() as s:
        project = submit(s, make_hosts(s).small)
        lea = make_learner(s, "Dupont", "Léa")
        marc = make_learner(s, "Bernard", "Marc")
        nora = make_learner(s, "Ziani", "Nora")
        elsewhere = make_learner(s, "Martin", "Jules", site="du-guesclin")
    version = actions.details(db, project, actor=COORD).version
    for state in ("complet", "en_instruction", "retenu"):
        version = actions.change_state(db, project, state, "", version, actor=COORD)
    choices = actions.cohorts_for_season(db, SEASON, actor=COORD)
    (cobalt,) = [c for c in choices if c[1].endswith("Cobalt")]
    return World(project, cobalt[0], lea, marc, nora, elsewhere)


def test_the_team_picker_offers_the_season_s_cohorts_and_learners(
    db: Database, world: World
) -> None:
    choices = actions.cohorts_for_season(db, SEASON, actor=COORD)
    assert [(label, learners) for _id, label, learners in choices] == [
        (
            "Saison 2026-2027 — Cobalt",
            [(world.marc, "BERNARD Marc"), (world.lea, "DUPONT Léa"), (world.nora, "ZIANI Nora")],
        ),
        ("Saison 2026-2027 — Centre Du Guesclin", [(world.elsewhere, "MARTIN Jules")]),
    ]


def test_given_to_a_team_the_project_is_a_real_case_activity(db: Database, world: World) -> None:
    activity_id = actions.give_to_team(
        db,
        world.project,
        world.cohort,
        "Les Jardiniers",
        [world.lea, world.marc],
        "07/12/2026",
        actor=COORD,
    )
    again = actions.give_to_team(
        db, world.project, world.cohort, "Équipe 2", [world.nora], "14/12/2026", actor=COORD
    )
    assert again == activity_id  # one activity per cohort, a second team in it
    with db.session() as s:
        (activity,) = orientation_activities.activities(s, world.cohort)
        # an observation on the real case, through the orientation period's own services
        criterion = orientation_criteria.criteria(s)[0]
        written = orientation_grid.record_level(
            s,
            activity_id,
            world.lea,
            criterion.id,
            "1",
            actor=COORD,
            now=datetime(2026, 12, 9, 10, 0),
        )
        observed = s.scalars(select(Observation).where(Observation.activity_id == activity_id))
        levels = [(o.candidate_id, o.level) for o in observed]
    assert written
    assert levels == [(world.lea, "acquis")]
    assert (activity.id, activity.kind, activity.day) == (
        activity_id,
        "projet_reel",
        date(2026, 12, 7),
    )
    assert activity.title == "Projet réel : Un site pour les adhérents (Les Jardins partagés)"
    assert [(t.name, [lr.name for lr in t.learners]) for t in activity.teams] == [
        ("Les Jardiniers", ["BERNARD Marc", "DUPONT Léa"]),
        ("Équipe 2", ["ZIANI Nora"]),
    ]
    details = actions.details(db, world.project, actor=TRAINER)
    assert details.state == "en_realisation"
    assert [(t.cohort_label, t.team_name, t.learners) for t in details.teams] == [
        ("Saison 2026-2027 — Cobalt", "Les Jardiniers", ("BERNARD Marc", "DUPONT Léa")),
        ("Saison 2026-2027 — Cobalt", "Équipe 2", ("ZIANI Nora",)),
    ]
    (row,) = actions.projects(db, SEASON, actor=TRAINER)
    assert row.teams == "Cobalt : Les Jardiniers ; Cobalt : Équipe 2"
    with db.session() as s:
        assert [r.id for r in listing.projects_of_learner(s, world.nora)] == [world.project]
    assert actions.projects_of_learner(db, world.elsewhere, actor=TRAINER) == []
    (mine,) = actions.projects_of_learner(db, world.lea, actor=TRAINER)
    assert (mine.reference, mine.state_label) == ("AAP-2026-001", "En réalisation")


def test_a_team_of_the_same_name_is_replaced(db: Database, world: World) -> None:
    args = (db, world.project, world.cohort)
    actions.give_to_team(*args, "Les Jardiniers", [world.lea], "07/12/2026", actor=COORD)
    actions.give_to_team(*args, "les jardiniers", [world.marc], "07/12/2026", actor=COORD)
    (team,) = actions.details(db, world.project, actor=COORD).teams
    assert (team.team_name, team.learners) == ("les jardiniers", ("BERNARD Marc",))


def test_giving_a_project_is_checked(db: Database, world: World) -> None:
    args = (db, world.project, world.cohort)
    with pytest.raises(ValidationError) as refused:
        actions.give_to_team(*args, " ", [world.lea], "07/12/2026", actor=COORD)
    assert refused.value.errors == {"team_name": "Donnez un nom à l'équipe."}
    with pytest.raises(ValidationError) as refused:
        actions.give_to_team(*args, "A", [], "07/12/2026", actor=COORD)
    assert refused.value.errors == {"candidate_ids": "Choisissez au moins un apprenant."}
    with pytest.raises(ValidationError) as refused:
        actions.give_to_team(*args, "A", [world.lea], "01/11/2026", actor=COORD)
    assert refused.value.errors == {
        "start_day": "La date est antérieure au début de la promotion (01/12/2026)."
    }
    with pytest.raises(ValidationError) as refused:
        actions.give_to_team(*args, "A", [world.elsewhere], "07/12/2026", actor=COORD)
    assert refused.value.errors == {
        "candidate_ids": "Un des apprenants choisis ne fait pas partie de cette promotion."
    }
    assert actions.details(db, world.project, actor=COORD).state == "retenu"  # nothing kept
    with pytest.raises(UserFacingError, match="Seule la coordination"):
        actions.give_to_team(*args, "A", [world.lea], "07/12/2026", actor=TRAINER)


def test_only_a_retained_project_is_given(db: Database) -> None:
    with db.session() as s:
        project = submit(s, make_hosts(s).small)
        learner = make_learner(s, "Dupont", "Léa")
    ((cohort, _label, _learners),) = actions.cohorts_for_season(db, SEASON, actor=COORD)
    with pytest.raises(UserFacingError) as refused:
        actions.give_to_team(db, project, cohort, "A", [learner], "07/12/2026", actor=COORD)
    assert str(refused.value) == (
        "Un projet « Reçu » ne peut pas être confié à une équipe (il doit être « Retenu » ou "
        "« En réalisation »)."
    )


def test_milestones_are_planned_done_and_deleted(db: Database, world: World) -> None:
    first = actions.save_milestone(
        db, world.project, None, "Maquette validée", "18/12/2026", "", "", actor=COORD
    )
    second = actions.save_milestone(
        db, world.project, None, "Mise en ligne", "15/01/2027", "prevu", "", actor=COORD
    )
    done = actions.save_milestone(
        db,
        world.project,
        first.id,
        "Maquette validée",
        "18/12/2026",
        "Fait",
        "17/12/2026",
        actor=COORD,
    )
    assert (done.state, done.state_label, done.done_on) == ("fait", "Fait", date(2026, 12, 17))
    with pytest.raises(ValidationError) as refused:
        actions.save_milestone(
            db, world.project, second.id, "", "15/13/2027", "perdu", "", actor=COORD
        )
    assert refused.value.errors == {
        "title": "L'intitulé de l'étape est obligatoire.",
        "due_on": "Cette date n'existe pas.",
        "state": "État inconnu : choisir parmi « Prévu », « Fait », « En retard », « Abandonné ».",
    }
    with pytest.raises(ValidationError) as refused:
        actions.save_milestone(
            db,
            world.project,
            second.id,
            "Mise en ligne",
            "15/01/2027",
            "prevu",
            "10/01/2027",
            actor=COORD,
        )
    assert refused.value.errors == {"done_on": "Une date de réalisation va avec l'état « Fait »."}
    milestones = actions.details(db, world.project, actor=TRAINER).milestones
    assert [(m.title, m.due_on, m.state_label) for m in milestones] == [
        ("Maquette validée", date(2026, 12, 18), "Fait"),
        ("Mise en ligne", date(2027, 1, 15), "Prévu"),
    ]
    actions.delete_milestone(db, second.id, actor=COORD)
    assert len(actions.details(db, world.project, actor=COORD).milestones) == 1
    with pytest.raises(UserFacingError, match="Seule la coordination"):
        actions.delete_milestone(db, first.id, actor=TRAINER)


def test_delivery_then_satisfaction_of_both_sides(db: Database, world: World) -> None:
    actions.give_to_team(
        db, world.project, world.cohort, "A", [world.lea], "07/12/2026", actor=COORD
    )
    with pytest.raises(UserFacingError, match="recevoir d'avis de satisfaction"):
        actions.record_satisfaction(db, world.project, "structure", RATINGS, "", actor=COORD)
    version = actions.details(db, world.project, actor=COORD).version
    with pytest.raises(ValidationError) as refused:
        actions.deliver(db, world.project, "", "", version, actor=COORD)
    assert refused.value.errors == {"delivered_on": "La date de livraison est obligatoire."}
    version = actions.deliver(
        db, world.project, "22/01/2027", "Site en ligne, formation faite", version, actor=COORD
    )
    details = actions.details(db, world.project, actor=COORD)
    assert (details.state, details.delivered_on, details.delivery_notes, details.version) == (
        "livre",
        date(2027, 1, 22),
        "Site en ligne, formation faite",
        version,
    )
    actions.record_satisfaction(db, world.project, "structure", RATINGS, "Ravis", actor=COORD)
    actions.record_satisfaction(
        db, world.project, "equipe", dict(RATINGS, deadlines=5), "", actor=COORD
    )
    with pytest.raises(ValidationError) as refused:
        actions.record_satisfaction(
            db, world.project, "equipe", dict(RATINGS, quality=6), "", actor=COORD
        )
    assert refused.value.errors == {"ratings": "« Qualité du livrable » : une note de 1 à 5."}
    with pytest.raises(ValidationError) as refused:
        actions.record_satisfaction(db, world.project, "voisin", RATINGS, "", actor=COORD)
    assert refused.value.errors == {"respondent": "Indiquez qui répond : la structure ou l'équipe."}
    answers = actions.details(db, world.project, actor=TRAINER).satisfaction
    assert [(a.respondent_label, a.average, a.comment) for a in answers] == [
        ("La structure", Decimal("4.00"), "Ravis"),
        ("L'équipe", Decimal("4.50"), ""),
    ]
    actions.change_state(db, world.project, "clos", "", version, actor=COORD)
    assert actions.details(db, world.project, actor=COORD).state_label == "Clos"


def test_realisation_is_journaled(db: Database, world: World) -> None:
    audit.attach(db, lambda: "claire")
    try:
        actions.give_to_team(
            db, world.project, world.cohort, "A", [world.lea], "07/12/2026", actor=COORD
        )
        actions.save_milestone(
            db, world.project, None, "Maquette", "18/12/2026", "", "", actor=COORD
        )
        version = actions.details(db, world.project, actor=COORD).version
        actions.deliver(db, world.project, "22/01/2027", "", version, actor=COORD)
        actions.record_satisfaction(db, world.project, "structure", RATINGS, "", actor=COORD)
    finally:
        audit.detach(db)
    with db.session(commit=False) as s:
        summaries = list(
            s.scalars(
                select(AuditEntry.summary)
                .where(AuditEntry.entity_type.like("project%"))
                .order_by(AuditEntry.id)
            )
        )
        verdict = audit.verify_journal(s.connection())
    assert verdict.ok
    assert summaries == [
        "Projet confié à une promotion AAP-2026-001 : "
        "« Projet réel : Un site pour les adhérents (Les Jardins partagés) »",
        "Changement d'état du projet AAP-2026-001 : En réalisation",
        "Étape du projet ajoutée (projet AAP-2026-001)",
        "Changement d'état du projet AAP-2026-001 : Livré",
        "Projet modifié AAP-2026-001 : Livré le",
        "Satisfaction du projet enregistrée (projet AAP-2026-001)",
    ]
