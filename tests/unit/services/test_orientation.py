"""Orientation period: cohorts, activities, teams, the grid, views, project, decision, bilan."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.domain import Candidate, Cohort, Observation, OrientationDecision, StageChange
from app.services import errors as errors_module
from app.services.candidates.records import CandidateInput, change_stage, create_candidate
from app.services.errors import NotFoundError, ValidationError
from app.services.orientation import activities as orientation_activities
from app.services.orientation import bilan as orientation_bilan
from app.services.orientation import cohorts as orientation_cohorts
from app.services.orientation import criteria as orientation_criteria
from app.services.orientation import decisions, locks, progress, projects
from app.services.orientation import grid as orientation_grid
from app.storage import Database
from tests.conftest import make_actor

NOW = datetime(2025, 12, 3, 10, 0)
START = date(2025, 12, 1)  # season 2025-2026 starts on Monday 1 December 2025
TRAINER = "Samir Haddad"
COORD = "Claire Morel"


@pytest.fixture(autouse=True)
def during_the_season(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trainers write in the 2025-2026 season while it runs (it is read-only for them after)."""
    monkeypatch.setattr(locks, "clock", lambda: NOW)


def _candidate(
    s: Session,
    nom: str,
    prenom: str,
    *,
    season: str = "2025-2026",
    site: str = "cobalt",
    enter: bool = True,
    birth: str = "",
) -> int:
    data = CandidateInput(
        nom=nom,
        prenom=prenom,
        email=f"{prenom.lower()}.{nom.lower()}@exemple.fr",
        saison=season,
        site=site,
        date_naissance=birth,
    )
    candidate_id = create_candidate(
        s, data, now=datetime(2025, 11, 1, 9, 0), actor=make_actor("coordination", "test")
    ).id
    if enter:
        for stage in ("entretien", "admis", "entre_formation"):
            change_stage(
                s,
                candidate_id,
                stage,
                comment="",
                now=NOW,
                actor=make_actor("coordination", "test"),
            )
    return candidate_id


@dataclass(frozen=True)
class World:
    cohort: int
    lea: int
    marc: int
    nora: int
    outsider: int  # admitted, never entered
    activity: int
    team: int
    criteria: dict[str, int]


def _activity(s: Session, cohort_id: int, day: str, title: str = "Atelier", **kw: str) -> int:
    data = orientation_activities.ActivityInput(day=day, title=title, **kw)
    return orientation_activities.create_activity(
        s, cohort_id, data, actor=make_actor("formateur")
    ).id


def _world(s: Session) -> World:
    lea = _candidate(s, "Dupont", "Léa", birth="12/03/2001")
    marc = _candidate(s, "Bernard", "Marc")
    nora = _candidate(s, "Ziani", "Nora")
    outsider = _candidate(s, "Admis", "Paul", enter=False)
    change_stage(
        s, outsider, "entretien", comment="", now=NOW, actor=make_actor("coordination", "t")
    )
    change_stage(s, outsider, "admis", comment="", now=NOW, actor=make_actor("coordination", "t"))
    cohort = next(
        c
        for c in orientation_cohorts.cohorts(s)
        if c.season == "2025-2026" and c.site_name == "Cobalt"
    )
    activity = _activity(s, cohort.id, "03/12/2025", "Atelier affiche")
    info = orientation_activities.set_teams(
        s,
        activity,
        [("Équipe A", [lea, marc]), ("Équipe B", [nora])],
        actor=make_actor("formateur"),
    )
    codes = {c.code: c.id for c in orientation_criteria.criteria(s)}
    return World(cohort.id, lea, marc, nora, outsider, activity, info.teams[0].id, codes)


@pytest.fixture
def world(db: Database) -> World:
    with db.session() as s:
        return _world(s)


def _level(
    s: Session, w: World, cand: int, code: str, level: str, when: datetime, act: int | None = None
) -> bool:
    return orientation_grid.record_level(
        s,
        act or w.activity,
        cand,
        w.criteria[code],
        level,
        actor=make_actor("formateur", TRAINER),
        now=when,
    )


# ---------------------------------------------------------------- weeks and cohorts


def test_week_of_counts_from_the_cohort_start() -> None:
    assert orientation_cohorts.week_of(START, START) == 1
    assert orientation_cohorts.week_of(START, START + timedelta(days=6)) == 1
    assert orientation_cohorts.week_of(START, START + timedelta(days=7)) == 2
    assert orientation_cohorts.week_of(START, START + timedelta(days=41)) == 6
    assert orientation_cohorts.week_of(START, START - timedelta(days=1)) == 0


def test_cohorts_are_created_for_seasons_and_sites_with_entered_learners(db: Database) -> None:
    with db.session() as s:
        _candidate(s, "Dupont", "Léa")
        _candidate(s, "Martin", "Jules", site="du-guesclin")
        _candidate(s, "Petit", "Zoé", season="2026-2027")
        _candidate(s, "Roux", "Ana", season="2026-2027", site="du-guesclin", enter=False)
        listed = orientation_cohorts.cohorts(s)
        again = orientation_cohorts.cohorts(s)
        count = s.scalar(select(func.count()).select_from(Cohort))
    assert [(c.season, c.site_name) for c in listed] == [
        ("2026-2027", "Cobalt"),
        ("2025-2026", "Cobalt"),
        ("2025-2026", "Centre Du Guesclin"),
    ]
    assert again == listed
    assert count == 3
    first = listed[1]
    assert first.start_date == START
    assert first.label == "Saison 2025-2026 — Cobalt"
    assert first.orientation_end == date(2026, 1, 12)


def test_cohort_learners_are_the_entered_ones_by_name(world: World, db: Database) -> None:
    with db.session() as s:
        _candidate(s, "Autre", "Site", site="du-guesclin")
        learners = orientation_cohorts.cohort_learners(s, world.cohort)
        with pytest.raises(NotFoundError):
            orientation_cohorts.cohort_learners(s, 9999)
    assert [lr.name for lr in learners] == ["BERNARD Marc", "DUPONT Léa", "ZIANI Nora"]


# ---------------------------------------------------------------- activities and teams


def _activity_errors(
    s: Session, cohort: int, data: orientation_activities.ActivityInput
) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        orientation_activities.create_activity(s, cohort, data, actor=make_actor("formateur"))
    return caught.value.errors


def test_activity_is_created_with_its_week_and_kind_label(world: World, db: Database) -> None:
    with db.session() as s:
        info = orientation_activities.create_activity(
            s,
            world.cohort,
            orientation_activities.ActivityInput(
                day="09/12/2025",
                title=" Projet Resto du cœur ",
                kind="projet_reel",
                trainers="Samir, Inès",
            ),
            actor=make_actor("coordination"),
        )
        listed = orientation_activities.activities(s, world.cohort)
    assert info.week == 2
    assert info.title == "Projet Resto du cœur"
    assert info.kind_label == "Projet réel"
    assert info.trainers == "Samir, Inès"
    assert info.teams == ()
    assert [a.id for a in listed] == [world.activity, info.id]
    assert [t.name for t in listed[0].teams] == ["Équipe A", "Équipe B"]
    assert [lr.name for lr in listed[0].teams[0].learners] == ["BERNARD Marc", "DUPONT Léa"]


def test_activity_validation_messages_are_french(world: World, db: Database) -> None:
    with db.session() as s:
        empty = _activity_errors(
            s, world.cohort, orientation_activities.ActivityInput(kind="piscine")
        )
        before = _activity_errors(
            s, world.cohort, orientation_activities.ActivityInput(day="30/11/2025", title="x")
        )
        after = _activity_errors(
            s, world.cohort, orientation_activities.ActivityInput(day="02/08/2026", title="x")
        )
        bad = _activity_errors(
            s, world.cohort, orientation_activities.ActivityInput(day="31/02/2026", title="x")
        )
        orientation_activities.create_activity(
            s,
            world.cohort,
            orientation_activities.ActivityInput(day="01/08/2026", title="Fin"),
            actor=make_actor("formateur"),
        )
    assert empty == {
        "date": "La date est obligatoire.",
        "titre": "Le titre est obligatoire.",
        "type": "Type d'activité inconnu (valeurs possibles : Atelier, Projet réel, Visite, "
        "Événement, Autre).",
    }
    assert before["date"] == "La date est antérieure au début de la promotion (01/12/2025)."
    assert after["date"] == "La date est postérieure à la fin de la saison (01/08/2026)."
    assert bad["date"] == "Cette date n'existe pas."


def test_update_activity_changes_day_and_title(world: World, db: Database) -> None:
    with db.session() as s:
        info = orientation_activities.update_activity(
            s,
            world.activity,
            orientation_activities.ActivityInput(day="16/12/2025", title="Visite", kind="Visite"),
            actor=make_actor("formateur"),
        )
        with pytest.raises(ValidationError):
            orientation_activities.update_activity(
                s,
                world.activity,
                orientation_activities.ActivityInput(),
                actor=make_actor("formateur"),
            )
    assert (info.week, info.title, info.kind) == (3, "Visite", "visite")
    assert len(info.teams) == 2


def test_set_teams_replaces_and_refuses_duplicates_and_outsiders(
    world: World, db: Database
) -> None:
    with db.session() as s:
        with pytest.raises(ValidationError) as twice:
            orientation_activities.set_teams(
                s,
                world.activity,
                [("A", [world.lea]), ("B", [world.lea])],
                actor=make_actor("formateur"),
            )
        with pytest.raises(ValidationError) as outsider:
            orientation_activities.set_teams(
                s, world.activity, [("A", [world.outsider])], actor=make_actor("formateur")
            )
        with pytest.raises(ValidationError) as unnamed:
            orientation_activities.set_teams(
                s, world.activity, [("  ", [world.lea])], actor=make_actor("formateur")
            )
        info = orientation_activities.set_teams(
            s,
            world.activity,
            [("Rouges", [world.nora, world.lea])],
            actor=make_actor("coordination"),
        )
    assert "DUPONT Léa est dans plusieurs équipes" in twice.value.errors["equipes"]
    assert outsider.value.errors == {
        "equipes": "Un des apprenants choisis ne fait pas partie de cette promotion."
    }
    assert unnamed.value.errors == {"equipes": "Chaque équipe doit avoir un nom."}
    assert [(t.name, [lr.candidate_id for lr in t.learners]) for t in info.teams] == [
        ("Rouges", [world.lea, world.nora])
    ]


# ---------------------------------------------------------------- permissions


def test_accueil_cannot_write_and_only_coordination_decides(world: World, db: Database) -> None:
    with db.session() as s:
        for call in (
            lambda: orientation_activities.create_activity(
                s,
                world.cohort,
                orientation_activities.ActivityInput(day="03/12/2025", title="x"),
                actor=make_actor("accueil"),
            ),
            lambda: orientation_activities.update_activity(
                s,
                world.activity,
                orientation_activities.ActivityInput(),
                actor=make_actor("accueil"),
            ),
            lambda: orientation_activities.set_teams(
                s, world.activity, [], actor=make_actor("accueil")
            ),
            lambda: orientation_grid.record_level(
                s,
                world.activity,
                world.lea,
                world.criteria["E1"],
                "1",
                actor=make_actor("accueil", "a"),
            ),
            lambda: orientation_grid.record_note(
                s, world.activity, world.lea, "x", actor=make_actor("accueil", "a")
            ),
            lambda: projects.save_project(
                s,
                world.lea,
                filiere="",
                target_job="",
                steps="",
                status="en_cours",
                actor=make_actor("accueil", "a"),
            ),
        ):
            with pytest.raises(errors_module.PermissionDenied) as caught:
                call()
            assert str(caught.value).startswith("Seuls les formateurs et la coordination")
        for role in ("accueil", "formateur"):
            with pytest.raises(errors_module.PermissionDenied) as refused:
                decisions.decide(
                    s,
                    world.lea,
                    outcome="validee",
                    filiere="web",
                    reason="",
                    actor=make_actor(role, "a"),
                )
            assert str(refused.value) == (
                "Seule la coordination peut enregistrer la décision de fin d'orientation."
            )
            with pytest.raises(errors_module.PermissionDenied):
                orientation_criteria.add_criterion(s, "E7", "Autre", "", actor=make_actor(role))
            with pytest.raises(errors_module.PermissionDenied):
                orientation_criteria.rename_criterion(
                    s, world.criteria["E1"], "x", actor=make_actor(role)
                )
            with pytest.raises(errors_module.PermissionDenied):
                orientation_criteria.retire_criterion(
                    s, world.criteria["E1"], actor=make_actor(role)
                )
        # reading is open to everyone
        assert (
            orientation_grid.grid(
                s, world.activity, world.team, actor=make_actor("coordination")
            ).team.name
            == "Équipe A"
        )


# ---------------------------------------------------------------- levels and notes


def test_record_level_appends_a_supersession_chain(world: World, db: Database) -> None:
    t1, t2, t3 = (datetime(2025, 12, 3, 10, m) for m in (0, 1, 2))
    with db.session() as s:
        assert _level(s, world, world.lea, "E1", "acquis", t1) is True
        assert _level(s, world, world.lea, "E1", "1", t2) is False  # same level: nothing written
        assert _level(s, world, world.lea, "E1", "3", t2) is True
        assert _level(s, world, world.lea, "E2", "0", t2) is False  # default is non observé
        assert _level(s, world, world.lea, "E1", "2", t3) is True
        rows = s.scalars(select(Observation).order_by(Observation.id)).all()
        history = orientation_grid.level_history(
            s, world.activity, world.lea, world.criteria["E1"], actor=make_actor("coordination")
        )
        grid = orientation_grid.grid(
            s, world.activity, world.team, actor=make_actor("coordination")
        )
        with pytest.raises(ValidationError) as bad:
            _level(s, world, world.lea, "E1", "9", t3)
        with pytest.raises(ValidationError) as not_in_team:
            _level(s, world, world.outsider, "E1", "1", t3)
    assert [r.level for r in rows] == ["acquis", "non_acquis", "en_cours"]
    assert [r.supersedes_id for r in rows] == [None, rows[0].id, rows[1].id]
    assert [r.author for r in rows] == [TRAINER] * 3
    assert [(h.recorded_at, h.author, h.from_label, h.to_label) for h in history] == [
        (t1, TRAINER, "Non observé", "Acquis"),
        (t2, TRAINER, "Acquis", "Non acquis"),
        (t3, TRAINER, "Non acquis", "En cours d'acquisition"),
    ]
    assert grid.levels == {(world.lea, world.criteria["E1"]): "en_cours"}
    assert [c.code for c in grid.criteria] == [
        "E1",
        "E2",
        "E3",
        "E4",
        "E5",
        "E6",
        "A1",
        "A2",
        "P1",
        "P2",
    ]
    assert [lr.candidate_id for lr in grid.team.learners] == [world.marc, world.lea]
    assert "niveau" in bad.value.errors
    assert not_in_team.value.errors == {
        "apprenant": "Cet apprenant ne fait partie d'aucune équipe de cette activité."
    }


def test_level_can_be_reset_to_not_observed(world: World, db: Database) -> None:
    with db.session() as s:
        _level(s, world, world.lea, "E1", "1", NOW)
        assert _level(s, world, world.lea, "E1", "0", NOW + timedelta(minutes=1)) is True
        grid = orientation_grid.grid(
            s, world.activity, world.team, actor=make_actor("coordination")
        )
        history = orientation_grid.level_history(
            s, world.activity, world.lea, world.criteria["E1"], actor=make_actor("coordination")
        )
    assert grid.levels == {}
    assert history[-1].to_label == "Non observé"


def test_record_note_appends_only_changes(world: World, db: Database) -> None:
    with db.session() as s:
        note = lambda text, m: orientation_grid.record_note(  # noqa: E731
            s,
            world.activity,
            world.lea,
            text,
            actor=make_actor("formateur", TRAINER),
            now=datetime(2025, 12, 3, 11, m),
        )
        assert note("", 0) is False
        assert note("Prend la parole devant le groupe", 1) is True
        assert note("  Prend la parole devant le groupe ", 2) is False
        assert note("Anime la restitution", 3) is True
        first = orientation_grid.grid(
            s, world.activity, world.team, actor=make_actor("coordination")
        ).notes
        assert note("", 4) is True
        cleared = orientation_grid.grid(
            s, world.activity, world.team, actor=make_actor("coordination")
        ).notes
        with pytest.raises(ValidationError) as too_long:
            note("x" * 2001, 5)
    assert first == {world.lea: "Anime la restitution"}
    assert cleared == {}
    assert too_long.value.errors == {"commentaire": "Le commentaire dépasse 2000 caractères."}


# ---------------------------------------------------------------- matrix


def test_matrix_latest_level_and_not_observed_this_week(world: World, db: Database) -> None:
    with db.session() as s:
        later = _activity(s, world.cohort, "10/12/2025", "Projet réel")
        orientation_activities.set_teams(
            s, later, [("A", [world.lea, world.marc])], actor=make_actor("formateur")
        )
        e1, e2 = world.criteria["E1"], world.criteria["E2"]
        # recorded in the later activity first: the activity's day decides, not the time of entry
        _level(s, world, world.lea, "E1", "3", datetime(2025, 12, 10, 16, 0), act=later)
        _level(s, world, world.lea, "E1", "1", datetime(2025, 12, 11, 9, 0))
        _level(s, world, world.lea, "E2", "2", datetime(2025, 12, 3, 10, 0))
        _level(s, world, world.lea, "E2", "1", datetime(2025, 12, 3, 10, 5))  # correction wins
        _level(s, world, world.marc, "E1", "2", datetime(2025, 12, 3, 10, 0))
        _level(s, world, world.marc, "E1", "0", datetime(2025, 12, 10, 10, 0), act=later)
        _level(s, world, world.nora, "E3", "1", datetime(2025, 12, 3, 10, 0))
        week2 = progress.cohort_matrix(
            s, world.cohort, date(2025, 12, 12), actor=make_actor("coordination")
        )
        week1 = progress.cohort_matrix(
            s, world.cohort, date(2025, 12, 1), actor=make_actor("coordination")
        )
        before = progress.cohort_matrix(
            s, world.cohort, date(2025, 11, 1), actor=make_actor("coordination")
        )
        long_after = progress.cohort_matrix(
            s, world.cohort, date(2026, 5, 1), actor=make_actor("coordination")
        )
    assert week2.week == 2
    assert week2.latest == {
        (world.lea, e1): "non_acquis",
        (world.lea, e2): "acquis",
        (world.marc, e1): "en_cours",  # non observé later is not a mark
        (world.nora, world.criteria["E3"]): "acquis",
    }
    assert [lr.name for lr in week2.learners] == ["BERNARD Marc", "DUPONT Léa", "ZIANI Nora"]
    assert week2.not_observed_this_week == {world.marc, world.nora}
    assert week1.not_observed_this_week == frozenset()
    # "This week" only during the orientation weeks S1…S6: nobody is missing before or after.
    assert (before.week, long_after.week) == (None, None)
    assert before.not_observed_this_week == long_after.not_observed_this_week == frozenset()
    assert len(week2.criteria) == 10


def test_matrix_loads_in_a_constant_number_of_queries(db: Database) -> None:
    with db.session() as s:
        ids = [_candidate(s, f"Nom{chr(65 + i)}", "Prénom") for i in range(20)]
        cohort = orientation_cohorts.cohorts(s)[-1].id
        criteria = [c.id for c in orientation_criteria.criteria(s)]
        acts = []
        for i in range(30):
            act = _activity(s, cohort, (START + timedelta(days=i)).strftime("%d/%m/%Y"))
            acts.append(act)
            orientation_activities.set_teams(s, act, [("A", ids)], actor=make_actor("formateur"))
        s.add_all(
            Observation(
                activity_id=act,
                candidate_id=c,
                criterion_id=k,
                level="acquis",
                author="t",
                recorded_at=NOW,
            )
            for act in acts
            for c in ids
            for k in criteria
        )
        s.flush()
        s.expunge_all()
        statements: list[str] = []
        engine = s.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            matrix = progress.cohort_matrix(
                s, cohort, date(2025, 12, 20), actor=make_actor("coordination")
            )
            orientation_activities.activities(s, cohort)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert len(matrix.latest) == 200
    assert len(statements) <= 10


# ---------------------------------------------------------------- criteria


def test_criteria_can_be_added_renamed_and_retired(world: World, db: Database) -> None:
    with db.session() as s:
        added = orientation_criteria.add_criterion(
            s, " e7 ", "Respecte le matériel", "Règlement", actor=make_actor("coordination")
        )
        with pytest.raises(ValidationError) as duplicate:
            orientation_criteria.add_criterion(s, "E7", "", "", actor=make_actor("coordination"))
        renamed = orientation_criteria.rename_criterion(
            s, world.criteria["E2"], "Ponctualité", actor=make_actor("coordination")
        )
        with pytest.raises(ValidationError) as empty:
            orientation_criteria.rename_criterion(
                s, world.criteria["E2"], " ", actor=make_actor("coordination")
            )
        listed = orientation_criteria.criteria(s)
    assert (added.code, added.label, added.grounding, added.retired) == (
        "E7",
        "Respecte le matériel",
        "Règlement",
        False,
    )
    assert duplicate.value.errors == {
        "code": "Le code « E7 » est déjà utilisé par un autre critère.",
        "libelle": "Le libellé est obligatoire.",
    }
    assert renamed.label == "Ponctualité"
    assert empty.value.errors == {"libelle": "Le libellé est obligatoire."}
    assert listed[-1].code == "E7"


def test_retired_criterion_leaves_new_grids_but_stays_where_observed(
    world: World, db: Database
) -> None:
    e6, a1 = world.criteria["E6"], world.criteria["A1"]
    with db.session() as s:
        _level(s, world, world.lea, "E6", "2", NOW)
        orientation_criteria.retire_criterion(s, e6, actor=make_actor("coordination"), now=NOW)
        orientation_criteria.retire_criterion(s, a1, actor=make_actor("coordination"), now=NOW)
        new = _activity(s, world.cohort, "04/12/2025")
        new_team = (
            orientation_activities.set_teams(
                s, new, [("A", [world.lea])], actor=make_actor("formateur")
            )
            .teams[0]
            .id
        )
        new_grid = orientation_grid.grid(s, new, new_team, actor=make_actor("coordination"))
        old_grid = orientation_grid.grid(
            s, world.activity, world.team, actor=make_actor("coordination")
        )
        # a correction of the retired criterion in the old activity is still possible
        assert _level(s, world, world.lea, "E6", "1", NOW + timedelta(hours=1)) is True
        with pytest.raises(ValidationError):
            _level(s, world, world.lea, "E6", "1", NOW, act=new)
        matrix = progress.cohort_matrix(
            s, world.cohort, date(2025, 12, 3), actor=make_actor("coordination")
        )
        page = progress.learner_page(s, world.lea, actor=make_actor("coordination"))
        active = orientation_criteria.criteria(s)
        every = orientation_criteria.criteria(s, include_retired=True)
    assert e6 not in {c.id for c in new_grid.criteria}
    assert [c.code for c in old_grid.criteria if c.retired] == ["E6"]
    assert [c.code for c in matrix.criteria if c.retired] == ["E6"]
    assert [w.criterion.code for w in page.weeks if w.criterion.retired] == ["E6"]
    assert len(active) == 8 and len(every) == 10


# ---------------------------------------------------------------- learner page and project


def test_learner_page_weekly_levels_and_notes(world: World, db: Database) -> None:
    with db.session() as s:
        w3 = _activity(s, world.cohort, "17/12/2025", "Hackathon", kind="evenement")
        orientation_activities.set_teams(s, w3, [("A", [world.lea])], actor=make_actor("formateur"))
        w1b = _activity(s, world.cohort, "05/12/2025", "Visite")
        orientation_activities.set_teams(
            s, w1b, [("A", [world.lea])], actor=make_actor("formateur")
        )
        _level(s, world, world.lea, "E1", "3", datetime(2025, 12, 3, 10, 0))
        _level(s, world, world.lea, "E1", "2", datetime(2025, 12, 5, 10, 0), act=w1b)
        _level(s, world, world.lea, "E1", "1", datetime(2025, 12, 17, 10, 0), act=w3)
        for act, text, when in (
            (w3, "Porte-parole de l'équipe", datetime(2025, 12, 17, 12, 0)),
            (world.activity, "Discrète mais attentive", datetime(2025, 12, 3, 12, 0)),
        ):
            orientation_grid.record_note(
                s, act, world.lea, text, actor=make_actor("formateur", TRAINER), now=when
            )
        page = progress.learner_page(s, world.lea, actor=make_actor("coordination"))
        without_cohort = progress.learner_page(
            s, _candidate(s, "Seul", "Hugo", site="du-guesclin"), actor=make_actor("coordination")
        )
    assert page.name == "DUPONT Léa"
    assert page.cohort is not None and page.cohort.id == world.cohort
    e1 = next(w for w in page.weeks if w.criterion.code == "E1")
    assert e1.by_week == ("en_cours", "", "acquis", "", "", "")
    assert next(w for w in page.weeks if w.criterion.code == "E2").by_week == ("",) * 6
    assert [(n.day, n.activity, n.author, n.text) for n in page.notes] == [
        (date(2025, 12, 3), "Atelier affiche", TRAINER, "Discrète mais attentive"),
        (date(2025, 12, 17), "Hackathon", TRAINER, "Porte-parole de l'équipe"),
    ]
    assert page.project.status == "a_construire" and page.project.updated_at is None
    assert page.decision is None
    assert without_cohort.cohort is None


def test_save_project_creates_then_updates(world: World, db: Database) -> None:
    with db.session() as s:
        first = projects.save_project(
            s,
            world.lea,
            filiere="web",
            target_job="Développeuse web",
            steps="Stage découverte",
            status="en_cours",
            actor=make_actor("formateur", TRAINER),
            now=NOW,
        )
        second = projects.save_project(
            s,
            world.lea,
            filiere="Réseaux et parc informatique",
            target_job="",
            steps="",
            status="valide",
            actor=make_actor("coordination", COORD),
            now=NOW + timedelta(days=1),
        )
        with pytest.raises(ValidationError) as bad:
            projects.save_project(
                s,
                world.lea,
                filiere="cuisine",
                target_job="",
                steps="",
                status="fini",
                actor=make_actor("formateur", TRAINER),
            )
        page = progress.learner_page(s, world.lea, actor=make_actor("coordination"))
    assert (first.filiere, first.target_job, first.status_label) == (
        "Développement web",
        "Développeuse web",
        "En cours",
    )
    assert second == projects.ProjectInfo(
        "Réseaux et parc informatique",
        "",
        "",
        "valide",
        "Validé",
        COORD,
        NOW + timedelta(days=1),
    )
    assert set(bad.value.errors) == {"filiere", "statut"}
    assert page.project == second


# ---------------------------------------------------------------- decision


def _stage(s: Session, candidate_id: int) -> str:
    candidate = s.get(Candidate, candidate_id)
    assert candidate is not None
    return candidate.stage.code


def test_decide_moves_the_stage_and_can_be_revised(world: World, db: Database) -> None:
    later = NOW + timedelta(days=40)
    with db.session() as s:
        first = decisions.decide(
            s,
            world.lea,
            outcome="validee",
            filiere="web",
            reason="",
            actor=make_actor("coordination", COORD),
            now=later,
        )
        assert _stage(s, world.lea) == "orientation_validee"
        second = decisions.decide(
            s,
            world.lea,
            outcome="reserves",
            filiere="reseaux",
            reason="Assiduité à confirmer",
            actor=make_actor("coordination", COORD),
            now=later + timedelta(hours=1),
        )
        stage = _stage(s, world.lea)
        history = s.scalars(
            select(StageChange.comment)
            .where(StageChange.candidate_id == world.lea)
            .order_by(StageChange.id)
        ).all()
        page = progress.learner_page(s, world.lea, actor=make_actor("coordination"))
        count = s.scalar(select(func.count()).select_from(OrientationDecision))
    assert (first.outcome, first.outcome_label, first.filiere) == (
        "validee",
        "Période validée",
        "Développement web",
    )
    assert stage == "orientation_reserves"
    assert history[-3:] == [
        "Période validée",
        "Révision de la décision de fin d'orientation",
        "Période validée avec réserves : Assiduité à confirmer",
    ]
    assert page.decision == second
    assert (second.decided_by, second.decided_at, second.reason) == (
        COORD,
        later + timedelta(hours=1),
        "Assiduité à confirmer",
    )
    assert count == 2


def test_decide_non_validee_requires_a_reason_not_a_filiere(world: World, db: Database) -> None:
    with db.session() as s:
        info = decisions.decide(
            s,
            world.marc,
            outcome="non_validee",
            filiere="",
            reason="Réorientation vers la Mission locale",
            actor=make_actor("coordination", COORD),
            now=NOW,
        )
        assert _stage(s, world.marc) == "orientation_non_validee"
    assert info.filiere == "" and info.outcome_label == "Période non validée"


def test_decide_refusals(world: World, db: Database) -> None:
    def errors(candidate_id: int, **kw: str) -> dict[str, str]:
        values = {"outcome": "validee", "filiere": "web", "reason": ""} | kw
        with pytest.raises(ValidationError) as caught:
            decisions.decide(
                s, candidate_id, actor=make_actor("coordination", COORD), now=NOW, **values
            )
        return caught.value.errors

    with db.session() as s:
        assert errors(world.lea, filiere="") == {"filiere": "Indiquer la filière attribuée."}
        assert set(errors(world.lea, outcome="reserves", filiere="")) == {"filiere", "motif"}
        assert errors(world.lea, outcome="non_validee") == {
            "motif": "Indiquer le motif (réserves, réorientation ou sortie)."
        }
        assert set(errors(world.lea, outcome="peut-etre")) == {"decision"}
        assert set(errors(world.lea, filiere="cuisine")) == {"filiere"}
        assert errors(world.outsider)["decision"].startswith("ADMIS Paul n'est pas entré(e)")
        assert _stage(s, world.lea) == "entre_formation"
        assert s.scalar(select(func.count()).select_from(OrientationDecision)) == 0


# ---------------------------------------------------------------- bilan


def test_bilan_data_contents_and_trends(world: World, db: Database) -> None:
    with db.session() as s:
        w2 = _activity(s, world.cohort, "10/12/2025", "Projet réel")
        orientation_activities.set_teams(s, w2, [("A", [world.lea])], actor=make_actor("formateur"))
        w4 = _activity(s, world.cohort, "23/12/2025", "Visite")
        orientation_activities.set_teams(s, w4, [("A", [world.lea])], actor=make_actor("formateur"))
        for code, levels in {"E1": "312", "E2": "22-", "E3": "1-3", "E4": "-2-"}.items():
            for act, level, day in zip((world.activity, w2, w4), levels, (3, 10, 23), strict=True):
                if level != "-":
                    _level(s, world, world.lea, code, level, datetime(2025, 12, day, 10), act=act)
        orientation_grid.record_note(
            s, w2, world.lea, "Très impliquée", actor=make_actor("formateur", TRAINER), now=NOW
        )
        projects.save_project(
            s,
            world.lea,
            filiere="web",
            target_job="Intégratrice",
            steps="Enquête métier",
            status="en_cours",
            actor=make_actor("formateur", TRAINER),
            now=NOW,
        )
        pending = orientation_bilan.bilan_data(
            s, world.lea, today=date(2026, 1, 12), actor=make_actor("coordination")
        )
        decisions.decide(
            s,
            world.lea,
            outcome="validee",
            filiere="web",
            reason="",
            actor=make_actor("coordination", COORD),
            now=datetime(2026, 1, 12, 17, 0),
        )
        decided = orientation_bilan.bilan_data(
            s,
            world.lea,
            organisation="Fabrique",
            today=date(2026, 1, 13),
            actor=make_actor("coordination"),
        )
    by_code = {c.code: c for c in pending.criteria}
    assert pending.organisation == "La Fabrique du Numérique"
    assert pending.learner_name == "DUPONT Léa"
    assert pending.birth_date == date(2001, 3, 12)
    assert pending.cohort_label == "Saison 2025-2026 — Cobalt (Poitiers)"
    assert pending.period == "du 01/12/2025 au 12/01/2026"
    assert by_code["E1"].weekly_levels == (
        "Non acquis",
        "Acquis",
        "",
        "En cours d'acquisition",
        "",
        "",
    )
    assert (by_code["E1"].trend, by_code["E1"].latest_level) == (
        "en progrès",
        "En cours d'acquisition",
    )
    assert by_code["E2"].trend == "stable"
    assert (by_code["E3"].trend, by_code["E3"].latest_level) == ("en recul", "Non acquis")
    assert by_code["E4"].trend == "stable"
    assert (by_code["E5"].trend, by_code["E5"].latest_level) == ("non observé", "Non observé")
    assert by_code["E5"].weekly_levels == ("",) * 6
    assert [(c.day, c.activity, c.text) for c in pending.comments] == [
        (date(2025, 12, 10), "Projet réel", "Très impliquée")
    ]
    assert (pending.project_filiere, pending.project_job, pending.project_steps) == (
        "Développement web",
        "Intégratrice",
        "Enquête métier",
    )
    assert pending.project_status == "En cours"
    assert pending.decision == "Décision non encore prise"
    assert pending.decided_on is None and pending.printed_on == date(2026, 1, 12)
    assert decided.organisation == "Fabrique"
    assert (decided.decision, decided.decision_filiere, decided.decided_by, decided.decided_on) == (
        "Période validée",
        "Développement web",
        COORD,
        date(2026, 1, 12),
    )
