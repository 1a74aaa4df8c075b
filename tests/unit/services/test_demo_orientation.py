"""Demonstration data of the orientation period: activities, observations, projects, decisions."""

import io
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.demo import seed as demo
from app.demo.orientation import OrientationSummary
from app.demo.seed import seed_demo
from app.domain import (
    Activity,
    Candidate,
    LearnerNote,
    Observation,
    OrientationDecision,
    Season,
    Stage,
    StageChange,
)
from app.services.base_access.opening import open_app_database
from app.services.candidates import csv_exchange as csv_io
from app.services.errors import UserFacingError
from app.services.orientation import activities as orientation_activities
from app.services.orientation import bilan, grid, progress
from app.services.orientation import cohorts as orientation_cohorts
from app.storage import Database
from tests.conftest import TODAY, make_actor

PAST = "2025-2026"
OUTCOME_BY_STAGE = {
    "orientation_validee": "validee",
    "orientation_reserves": "reserves",
    "orientation_non_validee": "non_validee",
}


def _open(path: Path) -> Database:
    return open_app_database("sqlite:///" + str(path), today=TODAY)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = _open(tmp_path_factory.mktemp("orientation") / "demo.sqlite")
    with database.session() as session:
        seed_demo(session, today=TODAY)
    yield database
    database.dispose()


def _past_cohorts(session: Session) -> list[orientation_cohorts.CohortInfo]:
    return [c for c in orientation_cohorts.cohorts(session) if c.season == PAST]


def _history(session: Session) -> list[tuple[int, str, str, str]]:
    rows = session.execute(
        select(StageChange.candidate_id, StageChange.changed_at, Stage.code, StageChange.author)
        .join(Stage, Stage.id == StageChange.to_stage_id)
        .order_by(StageChange.id)
    )
    return [(c, f"{when:%Y-%m-%d %H:%M}", code, author) for c, when, code, author in rows]


def _export(session: Session) -> list[str]:
    """The past season's export, without the identifier (a random UUID per database)."""
    out = io.StringIO(newline="")
    csv_io.export_candidates(session, out, season=PAST)
    return [line.split(";", 1)[1] for line in out.getvalue().splitlines()]


def _entered_outcomes(session: Session) -> dict[int, str | None]:
    """Each entered learner of the past season: the outcome its stage history went through."""
    entered = session.scalars(
        select(Candidate.id)
        .join(Season, Season.id == Candidate.season_id)
        .join(Stage, Stage.id == Candidate.stage_id)
        .where(Season.label == PAST, Stage.counts_as_entry.is_(True))
    ).all()
    outcomes: dict[int, str | None] = dict.fromkeys(entered)
    for candidate_id, _, code, _ in _history(session):
        if candidate_id in outcomes and code in OUTCOME_BY_STAGE:
            outcomes[candidate_id] = OUTCOME_BY_STAGE[code]
    return outcomes


def test_each_past_cohort_has_activities_every_week(seeded: Database) -> None:
    with seeded.session() as s:
        cohorts = _past_cohorts(s)
        assert len(cohorts) == 2
        for cohort in cohorts:
            found = orientation_activities.activities(s, cohort.id)
            assert len(found) >= 12
            weeks = Counter(a.week for a in found)
            assert set(weeks) == {1, 2, 3, 4, 5, 6}
            assert all(2 <= n <= 3 for n in weeks.values())
            assert all(a.day.weekday() < 5 for a in found)
            assert {a.kind for a in found} >= {"atelier", "projet_reel", "evenement"}
            for activity in found:
                assert activity.trainers
                assert all(3 <= len(t.learners) <= 5 for t in activity.teams)
                # An event says where it takes place; other activities are at the site.
                assert bool(activity.place) == (activity.kind == "evenement"), activity.title


def test_every_present_learner_is_in_a_team_and_observed_each_week(seeded: Database) -> None:
    with seeded.session() as s:
        for cohort in _past_cohorts(s):
            learners = {x.candidate_id for x in orientation_cohorts.cohort_learners(s, cohort.id)}
            exits = dict(
                s.execute(
                    select(StageChange.candidate_id, func.min(StageChange.changed_at))
                    .join(Stage, Stage.id == StageChange.to_stage_id)
                    .where(Stage.code == "sortie", StageChange.candidate_id.in_(learners))
                    .group_by(StageChange.candidate_id)
                )
                .tuples()
                .all()
            )
            left_early = {c for c, when in exits.items() if when.date() < cohort.orientation_end}
            assert len(left_early) <= 1
            for activity in orientation_activities.activities(s, cohort.id):
                members = [x.candidate_id for t in activity.teams for x in t.learners]
                assert len(members) == len(set(members))
                present = {
                    c for c in learners if c not in left_early or activity.day < exits[c].date()
                }
                assert set(members) == present
            observed: dict[int, set[int]] = {}
            for candidate_id, day in s.execute(
                select(Observation.candidate_id, Activity.day)
                .join(Activity, Activity.id == Observation.activity_id)
                .where(Activity.cohort_id == cohort.id)
            ).tuples():
                observed.setdefault(candidate_id, set()).add(
                    orientation_cohorts.week_of(cohort.start_date, day)
                )
            for candidate_id in learners - left_early:
                assert observed[candidate_id] == {1, 2, 3, 4, 5, 6}
            for candidate_id in left_early:
                assert 1 in observed[candidate_id]


def test_decisions_match_the_stage_histories(seeded: Database) -> None:
    with seeded.session() as s:
        outcomes = _entered_outcomes(s)
        assert len(outcomes) == 34
        without = [c for c, outcome in outcomes.items() if outcome is None]
        assert len(without) == 1  # left during the orientation period: no decision taken
        for candidate_id, outcome in outcomes.items():
            page = progress.learner_page(s, candidate_id, actor=make_actor("coordination"))
            if outcome is None:
                assert page.decision is None
                continue
            assert page.decision is not None
            assert page.decision.outcome == outcome
            assert page.decision.decided_by == "Claire Vasseur (coordination)"
            if outcome == "non_validee":
                assert page.decision.reason
            else:
                assert page.decision.filiere
            if outcome == "reserves":
                assert page.decision.reason
            assert page.project.target_job and page.project.filiere
            assert page.project.status == (
                "valide" if outcome == "validee" else page.project.status
            )
        assert Counter(outcomes.values())["non_validee"] == 2
        assert s.scalar(select(func.count(OrientationDecision.id))) == 33


def test_seeding_orientation_leaves_candidates_and_histories_unchanged(
    seeded: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def skip(*_: object) -> OrientationSummary:
        return OrientationSummary(PAST, 0, 0, 0, 0)

    monkeypatch.setattr(demo, "seed_orientation", skip)
    bare = _open(tmp_path / "bare.sqlite")
    with bare.session() as s:
        seed_demo(s, today=TODAY)
    with bare.session() as before, seeded.session() as after:
        assert _history(before) == _history(after)
        assert _export(before) == _export(after)
        assert before.scalar(select(func.count(Activity.id))) == 0
    bare.dispose()
    with seeded.session() as s:
        entered = s.scalar(
            select(func.count(Candidate.id))
            .join(Season, Season.id == Candidate.season_id)
            .join(Stage, Stage.id == Candidate.stage_id)
            .where(Season.label == PAST, Stage.counts_as_entry.is_(True))
        )
        total = s.scalar(
            select(func.count(Candidate.id))
            .join(Season, Season.id == Candidate.season_id)
            .where(Season.label == PAST)
        )
        assert (total, entered) == (40, 34)


def test_views_show_levels_notes_and_corrections(seeded: Database) -> None:
    with seeded.session() as s:
        cohort = _past_cohorts(s)[0]
        matrix = progress.cohort_matrix(
            s, cohort.id, date(2025, 12, 10), actor=make_actor("coordination")
        )
        assert matrix.latest and len(matrix.criteria) == 10
        assert matrix.week == 2 and not matrix.not_observed_this_week
        learner = next(c for c, outcome in _entered_outcomes(s).items() if outcome == "non_validee")
        page = progress.learner_page(s, learner, actor=make_actor("coordination"))
        assert page.weeks and any(all(w.by_week) for w in page.weeks)
        weak = {w.criterion.code: w.by_week for w in page.weeks}
        for code in ("E1", "E2", "E5"):
            assert "acquis" not in weak[code]
        assert (s.scalar(select(func.count(LearnerNote.id))) or 0) > 100
        assert any(
            progress.learner_page(s, c, actor=make_actor("coordination")).notes
            for c in _entered_outcomes(s)
        )
        corrected = s.scalars(
            select(Observation).where(Observation.supersedes_id.is_not(None)).limit(1)
        ).one()
        first = s.get(Observation, corrected.supersedes_id)
        assert first is not None and first.level != corrected.level
        history = grid.level_history(
            s,
            corrected.activity_id,
            corrected.candidate_id,
            corrected.criterion_id,
            actor=make_actor("coordination"),
        )
        assert len(history) == 2
        assert bilan.bilan_data(s, learner, today=TODAY, actor=make_actor("coordination")).criteria


def test_same_seed_gives_the_same_orientation(seeded: Database, tmp_path: Path) -> None:
    def signature(database: Database) -> list[tuple[object, ...]]:
        with database.session() as s:
            activities = [
                (a.day, a.title, a.kind, a.trainers)
                for a in s.scalars(select(Activity).order_by(Activity.id))
            ]
            levels = [
                (o.activity_id, o.candidate_id, o.criterion_id, o.level, o.author, o.recorded_at)
                for o in s.scalars(select(Observation).order_by(Observation.id))
            ]
            notes = [
                (n.text, n.author) for n in s.scalars(select(LearnerNote).order_by(LearnerNote.id))
            ]
            return [*activities, *levels, *notes]

    again = _open(tmp_path / "again.sqlite")
    with again.session() as s:
        seed_demo(s, today=TODAY)
    assert signature(again) == signature(seeded)
    again.dispose()


def test_summary_and_second_seeding(seeded: Database, tmp_path: Path) -> None:
    database = _open(tmp_path / "summary.sqlite")
    with database.session() as s:
        text = seed_demo(s, today=TODAY).describe()
    database.dispose()
    assert "- orientation 2025-2026 : 2 promotions, " in text
    assert "33 décisions." in text
    with seeded.session() as s, pytest.raises(UserFacingError):
        seed_demo(s, today=TODAY)
