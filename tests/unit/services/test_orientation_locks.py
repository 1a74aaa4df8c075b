"""What can no longer be written: a decided learner's observations (until coordination reopens
the decision, journaled), a closed season's cohorts for the trainers."""

import io
import json
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.domain import AuditEntry, Candidate, OrientationDecision
from app.pdf.bilan import render_bilan
from app.services.base_access.demo_mark import demo_actor
from app.services.errors import PermissionDenied, UserFacingError, ValidationError
from app.services.journal import audit_log as audit
from app.services.orientation import actions, bilan, decisions, locks, progress
from app.services.orientation import activities as orientation_activities
from app.services.orientation import grid as orientation_grid
from app.services.orientation import projects as orientation_projects
from app.services.orientation.rules import REOPENED
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.services.test_orientation import World, _world, during_the_season

_ = during_the_season  # autouse here too: trainers write while the 2025-2026 season runs
COORDINATION = make_actor("coordination", "Claire Morel")
TRAINER = make_actor("formateur", "Samir Haddad")
DECIDED_AT = datetime(2026, 1, 12, 17, 0)
SEASON_LAST_DAY = datetime(2026, 8, 1, 12, 0)  # 2025-2026 started on 01/12/2025: 8 months
SEASON_OVER = datetime(2026, 8, 2, 9, 0)


@pytest.fixture
def attached(db: Database) -> Iterator[Database]:
    """The journal names who acts, as in the window."""
    audit.attach(db, lambda: "Claire Morel")
    yield db
    audit.detach(db)


@pytest.fixture
def world(attached: Database) -> World:
    with attached.session() as s:
        return _world(s)


def _decide(db: Database, candidate_id: int, outcome: str = "validee") -> None:
    actions.decide(
        db,
        candidate_id,
        outcome=outcome,
        filiere="Développement web",
        reason="",
        actor=COORDINATION,
        now=DECIDED_AT,
    )


def _level(db: Database, w: World, candidate_id: int, level: str, **kw: object) -> bool:
    return actions.record_level(
        db, w.activity, candidate_id, w.criteria["E1"], level, actor=kw.pop("actor", TRAINER), **kw
    )


# ---------------------------------------------------------------- a decided learner


def test_a_decided_learners_observations_are_refused_to_everyone(
    attached: Database, world: World
) -> None:
    assert _level(attached, world, world.lea, "2")
    _decide(attached, world.lea)
    for actor in (TRAINER, COORDINATION):
        with pytest.raises(UserFacingError) as refused:
            _level(attached, world, world.lea, "1", actor=actor)
        assert str(refused.value).startswith(
            "Décision de fin d'orientation enregistrée le 12/01/2026 : "
            "les observations de DUPONT Léa sont verrouillées."
        )
        with pytest.raises(UserFacingError, match="verrouillées"):
            actions.record_note(attached, world.activity, world.lea, "Corrigé", actor=actor)
    # Her teammate, not decided, is still observed; her level stays what it was.
    assert _level(attached, world, world.marc, "1")
    data = actions.grid(attached, world.activity, world.team, actor=TRAINER)
    assert data.levels[(world.lea, world.criteria["E1"])] == "en_cours"
    assert set(data.locked) == {world.lea}
    assert data.locked[world.lea].startswith("Décision enregistrée le 12/01/2026")
    assert data.row_lock(world.marc) == ""


def test_the_matrix_and_the_learner_page_say_who_is_locked(
    attached: Database, world: World
) -> None:
    _decide(attached, world.nora)
    matrix = actions.cohort_matrix(attached, world.cohort, date(2026, 1, 13), actor=TRAINER)
    assert set(matrix.locked) == {world.nora}
    page = actions.learner_page(attached, world.nora, actor=TRAINER)
    assert page.locked.startswith("Décision enregistrée le 12/01/2026 : observations verrouillées")
    assert actions.learner_page(attached, world.lea, actor=TRAINER).locked == ""


def test_coordination_reopens_with_a_reason_and_it_is_journaled(
    attached: Database, world: World
) -> None:
    _decide(attached, world.lea)
    with pytest.raises(PermissionDenied, match="Seule la coordination peut rouvrir"):
        actions.reopen_decision(attached, world.lea, reason="Erreur de saisie", actor=TRAINER)
    with pytest.raises(ValidationError) as missing:
        actions.reopen_decision(attached, world.lea, reason="  ", actor=COORDINATION)
    assert missing.value.errors == {"motif": "Indiquer le motif de la réouverture."}

    reopened = actions.reopen_decision(
        attached,
        world.lea,
        reason="E1 saisi sur la mauvaise apprenante",
        actor=COORDINATION,
        now=datetime(2026, 1, 14, 9, 0),
    )
    assert reopened.reopened and reopened.outcome_label == "Décision rouverte"
    assert _level(attached, world, world.lea, "1")  # unlocked

    with attached.session(commit=False) as s:
        lea = s.get(Candidate, world.lea)
        assert lea.stage.code == "entre_formation"  # the decision's stage is undone
        rows = s.scalars(
            select(OrientationDecision.outcome)
            .where(OrientationDecision.candidate_id == world.lea)
            .order_by(OrientationDecision.id)
        ).all()
        assert rows == ["validee", REOPENED]  # append-only: the decision stays in history
        summary, author, changes = s.execute(
            select(AuditEntry.summary, AuditEntry.author, AuditEntry.changes)
            .where(
                AuditEntry.candidate_uuid == lea.uuid,
                AuditEntry.entity_type == "orientation_decision",
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).one()
    assert summary == "Décision de fin d'orientation enregistrée : décision rouverte"
    assert author == "Claire Morel"
    recorded = json.loads(changes or "{}")
    assert recorded["outcome"] == [None, "Décision rouverte"]
    assert recorded["reason"] == [None, "E1 saisi sur la mauvaise apprenante"]

    with pytest.raises(ValidationError, match="Aucune décision"):
        actions.reopen_decision(attached, world.lea, reason="encore", actor=COORDINATION)
    # A new decision locks again.
    _decide(attached, world.lea)
    with pytest.raises(UserFacingError, match="verrouillées"):
        _level(attached, world, world.lea, "3")


def test_a_reopened_decision_reads_as_such_everywhere(attached: Database, world: World) -> None:
    _decide(attached, world.lea)
    actions.reopen_decision(attached, world.lea, reason="Erreur de saisie", actor=COORDINATION)
    with attached.session(commit=False) as s:
        data = bilan.bilan_data(s, world.lea, actor=TRAINER, today=date(2026, 1, 20))
        latest = decisions.latest_decision(s, world.lea)
    assert data.decision == "Décision rouverte : nouvelle décision à prendre"
    assert (data.decision_reason, data.decision_reopened) == ("Erreur de saisie", True)
    pdf = io.BytesIO()
    render_bilan(data, pdf)
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Décision rouverte : nouvelle décision à prendre" in text
    assert "Motif de la réouverture" in text and "Erreur de saisie" in text
    assert "Rouverte par" in text and "Décision prise par" not in text
    assert latest is not None and latest.reopened
    assert audit.as_text(REOPENED, "outcome") == "Décision rouverte"
    assert audit.as_text("validee", "outcome") == "Période validée"


# ---------------------------------------------------------------- a season over


def test_a_closed_season_is_read_only_for_trainers_only(attached: Database, world: World) -> None:
    activity = orientation_activities.ActivityInput(day="05/12/2025", title="Atelier")
    with attached.session() as s:
        # The last day of the season is still in it.
        orientation_activities.create_activity(
            s, world.cohort, activity, actor=TRAINER, now=SEASON_LAST_DAY
        )
    refusals = {
        "activity": lambda s: orientation_activities.create_activity(
            s, world.cohort, activity, actor=TRAINER, now=SEASON_OVER
        ),
        "teams": lambda s: orientation_activities.set_teams(
            s, world.activity, [("A", [world.lea])], actor=TRAINER, now=SEASON_OVER
        ),
        "level": lambda s: orientation_grid.record_level(
            s, world.activity, world.lea, world.criteria["E1"], "1", actor=TRAINER, now=SEASON_OVER
        ),
        "note": lambda s: orientation_grid.record_note(
            s, world.activity, world.lea, "Tardif", actor=TRAINER, now=SEASON_OVER
        ),
        "project": lambda s: orientation_projects.save_project(
            s,
            world.lea,
            filiere="",
            target_job="Technicienne",
            steps="",
            status="en_cours",
            actor=TRAINER,
            now=SEASON_OVER,
        ),
    }
    for name, write in refusals.items():
        with attached.session() as s, pytest.raises(PermissionDenied) as refused:
            write(s)
        assert str(refused.value) == (
            "Saison 2025-2026 terminée le 01/08/2026 : ses promotions sont en lecture seule "
            "pour les formateurs (la coordination peut encore les corriger)."
        ), name
    with attached.session() as s:
        assert orientation_grid.record_level(
            s,
            world.activity,
            world.lea,
            world.criteria["E1"],
            "1",
            actor=COORDINATION,
            now=SEASON_OVER,
        )
        # The demo data (the system) records past events on the dates it gives.
        orientation_activities.create_activity(
            s, world.cohort, activity, actor=demo_actor(role="formateur"), now=SEASON_OVER
        )


def test_the_views_say_a_season_is_over_to_a_trainer(
    attached: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locks, "clock", lambda: SEASON_OVER)
    over = date(2026, 8, 2)
    refusal = actions.write_refusal(attached, world.cohort, actor=TRAINER, today=over)
    assert refusal.startswith("Saison 2025-2026 terminée le 01/08/2026")
    assert actions.write_refusal(attached, world.cohort, actor=COORDINATION, today=over) == ""
    assert (
        actions.write_refusal(attached, world.cohort, actor=TRAINER, today=date(2026, 8, 1)) == ""
    )
    assert actions.grid(attached, world.activity, world.team, actor=TRAINER).read_only == refusal
    assert actions.grid(attached, world.activity, world.team, actor=COORDINATION).read_only == ""
    assert actions.learner_page(attached, world.lea, actor=TRAINER).read_only == refusal
    with attached.session(commit=False) as s:
        matrix = progress.cohort_matrix(s, world.cohort, over, actor=TRAINER)
    assert matrix.read_only == refusal
    assert matrix.week is None  # no "cette semaine" months after the orientation
