"""Orientation: comments, activity titles, team names, criteria, the professional project and
the decision's reason are stored exactly as trimmed or refused in French under their field."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.domain import Activity
from app.domain import orientation as orientation_module
from app.services.errors import ValidationError
from app.services.orientation import activities, decisions, grid, progress, projects, rules
from app.services.orientation import criteria as orientation_criteria
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.properties.strategies import (
    assert_french,
    assert_french_errors,
    expected_text,
    hostile_text,
    nasty_text,
    service_settings,
)
from tests.unit.properties.worlds import COORDINATION, Orientation, orientation_world

ROLE = COORDINATION
NOTE_LENGTH = rules.MAX_NOTE_LENGTH


@pytest.fixture
def world(db: Database) -> Orientation:
    with db.session() as s:
        return orientation_world(s)


@service_settings(50)
@given(typed=hostile_text)
def test_learner_comment_is_kept_or_refused(db: Database, world: Orientation, typed: str) -> None:
    expected = expected_text(typed, NOTE_LENGTH)
    with db.session(commit=False) as s:
        try:
            grid.record_note(
                s, world.activity, world.learner, typed, actor=make_actor(ROLE, "Samir")
            )
        except ValidationError as error:
            assert_french_errors(error.errors, {"commentaire"})
            assert expected is None
            return
        assert expected is not None
        s.expire_all()
        notes = grid.grid(s, world.activity, world.team, actor=make_actor(ROLE)).notes
        assert notes.get(world.learner, "") == expected
        page_notes = [
            n.text for n in progress.learner_page(s, world.learner, actor=make_actor(ROLE)).notes
        ]
        assert page_notes == ([expected] if expected else [])


ACTIVITY_FIELDS = {
    # ActivityInput field -> (error key, max length, required)
    "title": ("titre", 200, True),
    "trainers": ("formateurs", 250, False),
    "notes": ("notes", NOTE_LENGTH, False),
}
ONE_LINE_ACTIVITY_FIELDS = {"title", "trainers"}


@service_settings(50)
@given(field=st.sampled_from(sorted(ACTIVITY_FIELDS)), typed=hostile_text, update=st.booleans())
def test_activity_texts_are_kept_or_refused(
    db: Database, world: Orientation, field: str, typed: str, update: bool
) -> None:
    key, max_length, required = ACTIVITY_FIELDS[field]
    expected = expected_text(typed, max_length, one_line=field in ONE_LINE_ACTIVITY_FIELDS)
    data = activities.ActivityInput(day="04/12/2025", title="Débat mouvant")
    setattr(data, field, typed)
    with db.session(commit=False) as s:
        try:
            if update:
                info = activities.update_activity(s, world.activity, data, actor=make_actor(ROLE))
            else:
                info = activities.create_activity(s, world.cohort, data, actor=make_actor(ROLE))
        except ValidationError as error:
            assert_french_errors(error.errors, {key})
            assert expected is None or (required and expected == ""), expected
            return
        assert expected is not None
        s.expire_all()
        stored = s.get(Activity, info.id)
        assert stored is not None
        assert (getattr(stored, field) or "") == expected


@service_settings(40)
@given(typed=hostile_text)
def test_team_name_is_kept_or_refused(db: Database, world: Orientation, typed: str) -> None:
    expected = expected_text(typed, 80, one_line=True)
    with db.session(commit=False) as s:
        try:
            activities.set_teams(
                s, world.activity, [(typed, [world.learner])], actor=make_actor(ROLE)
            )
        except ValidationError as error:
            assert_french_errors(error.errors, {"equipes"})
            assert not expected
            return
        assert expected
        s.expire_all()
        teams = next(
            a for a in activities.activities(s, world.cohort) if a.id == world.activity
        ).teams
        assert [t.name for t in teams] == [expected]


@service_settings(60)
@given(code=st.one_of(st.just("E9"), nasty_text), label=hostile_text, grounding=hostile_text)
def test_criteria_are_kept_or_refused(
    db: Database, world: Orientation, code: str, label: str, grounding: str
) -> None:
    with db.session(commit=False) as s:
        try:
            added = orientation_criteria.add_criterion(
                s, code, label, grounding, actor=make_actor(ROLE)
            )
        except ValidationError as error:
            assert_french_errors(error.errors, {"code", "libelle", "fondement"})
            if "libelle" in error.errors:
                assert not expected_text(label, 200, one_line=True)
            if "fondement" in error.errors:
                assert expected_text(grounding, 200, one_line=True) is None
            return
        s.expire_all()
        stored = next(c for c in orientation_criteria.criteria(s) if c.id == added.id)
        assert stored.code == code.strip().upper()
        assert stored.label == expected_text(label, 200, one_line=True)
        assert stored.grounding == expected_text(grounding, 200, one_line=True)
        try:
            orientation_criteria.rename_criterion(s, added.id, grounding, actor=make_actor(ROLE))
        except ValidationError as error:
            assert_french_errors(error.errors, {"libelle"})
            assert not expected_text(grounding, 200, one_line=True)
            return
        s.expire_all()
        assert (
            next(c for c in orientation_criteria.criteria(s) if c.id == added.id).label
            == grounding.strip()
        )


@service_settings(50)
@given(
    filiere=st.one_of(st.just("web"), st.just(""), nasty_text),
    target_job=hostile_text,
    steps=hostile_text,
    status=st.one_of(
        st.sampled_from([s.value for s in orientation_module.ProjectStatus]), nasty_text
    ),
)
def test_professional_project_is_kept_or_refused(
    db: Database, world: Orientation, filiere: str, target_job: str, steps: str, status: str
) -> None:
    with db.session(commit=False) as s:
        try:
            projects.save_project(
                s,
                world.learner,
                filiere=filiere,
                target_job=target_job,
                steps=steps,
                status=status,
                actor=make_actor(ROLE, "Samir"),
            )
        except ValidationError as error:
            assert_french_errors(error.errors, {"filiere", "metier", "etapes", "statut"})
            if "metier" in error.errors:
                assert expected_text(target_job, 200, one_line=True) is None
            if "etapes" in error.errors:
                assert expected_text(steps, 5000) is None
            return
        s.expire_all()
        project = progress.learner_page(s, world.learner, actor=make_actor(ROLE)).project
        assert project.target_job == expected_text(target_job, 200, one_line=True)
        assert project.steps == expected_text(steps, 5000)


@service_settings(50)
@given(
    outcome=st.one_of(st.sampled_from([x.value for x in orientation_module.Outcome]), nasty_text),
    filiere=st.one_of(st.just("web"), nasty_text),
    reason=hostile_text,
)
@example(outcome="reserves", filiere="web", reason="r" * NOTE_LENGTH)  # + the stage's label
def test_decision_reason_is_kept_or_refused(
    db: Database, world: Orientation, outcome: str, filiere: str, reason: str
) -> None:
    expected = expected_text(reason, NOTE_LENGTH)
    with db.session(commit=False) as s:
        try:
            decision = decisions.decide(
                s,
                world.learner,
                outcome=outcome,
                filiere=filiere,
                reason=reason,
                actor=make_actor(ROLE, "Claire"),
            )
        except ValidationError as error:
            assert_french_errors(error.errors, {"decision", "filiere", "motif"})
            if "motif" in error.errors:
                assert not expected
            return
        assert expected is not None
        s.expire_all()
        page = progress.learner_page(s, world.learner, actor=make_actor(ROLE))
        assert page.decision is not None
        assert page.decision.reason == expected == decision.reason
        assert_french(page.decision.outcome_label)
