"""The demo's learners after they left: every one has a pathway end, the checks the desk has
made by the demo's day, and a few still to do (the "Suivis à faire" list is not empty)."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.demo.seed import seed_demo
from app.domain import Candidate, Season, Stage
from app.domain.outcomes import LearnerOutcome
from app.domain.values import AFTER_EXIT_STAGES
from app.services.base_access.opening import open_app_database
from app.services.outcomes import due, follow_up
from app.services.outcomes.pathway import SITUATIONS, add_months
from app.storage import Database
from tests.conftest import TODAY

PAST = "2025-2026"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = open_app_database(
        "sqlite:///" + str(tmp_path_factory.mktemp("demo") / "demo.sqlite"), today=TODAY
    )
    with database.session() as session:
        seed_demo(session, today=TODAY)
    yield database
    database.dispose()


def _left(database: Database) -> list[tuple[str | None, str | None]]:
    """The pathway end and its reason of each learner of the past season who left."""
    with database.session(commit=False) as s:
        return list(
            s.execute(
                select(Candidate.pathway_end, Candidate.pathway_end_reason)
                .join(Stage, Stage.id == Candidate.stage_id)
                .join(Season, Season.id == Candidate.season_id)
                .where(Stage.code.in_(AFTER_EXIT_STAGES), Season.label == PAST)
            ).tuples()
        )


def test_every_learner_who_left_has_a_pathway_end(demo: Database) -> None:
    left = _left(demo)
    assert len(left) == 34  # every entrant of the past season has left by now
    assert {end for end, _ in left} == {"complet", "interrompu_exterieur", "interrompu"}
    for end, reason in left:
        assert (end == "complet") == (not reason)


def test_checks_made_are_dated_after_their_due_date_and_before_the_demo_day(
    demo: Database,
) -> None:
    with demo.session(commit=False) as s:
        outcomes = list(s.scalars(select(LearnerOutcome)))
        assert len(outcomes) > 30
        months = {"3_mois": 3, "6_mois": 6, "12_mois": 12}
        for outcome in outcomes:
            left_on = follow_up.exit_date(s, outcome.candidate_id)
            assert left_on is not None
            assert add_months(left_on, months[outcome.checkpoint]) <= outcome.checked_on < TODAY
            assert outcome.situation in SITUATIONS
            assert outcome.comment


def test_some_checks_are_still_to_do_on_the_demo_day(demo: Database) -> None:
    with demo.session(commit=False) as s:
        listed = due.due_follow_ups(s, TODAY)
        assert listed
        assert all(item.due_on <= TODAY and item.phone for item in listed)
        recorded = {(o.candidate_id, o.checkpoint) for o in s.scalars(select(LearnerOutcome))}
        assert not {(item.candidate_id, item.checkpoint) for item in listed} & recorded


def test_the_demo_outcomes_follow_from_the_day_alone(demo: Database, tmp_path: Path) -> None:
    other = open_app_database("sqlite:///" + str(tmp_path / "again.sqlite"), today=TODAY)
    with other.session() as session:
        seed_demo(session, today=TODAY)

    def outcomes(database: Database) -> list[tuple[int, str, str, date]]:
        with database.session(commit=False) as s:
            rows = s.execute(
                select(
                    LearnerOutcome.candidate_id,
                    LearnerOutcome.checkpoint,
                    LearnerOutcome.situation,
                    LearnerOutcome.checked_on,
                )
            )
            return sorted(tuple(row) for row in rows)

    assert outcomes(other) == outcomes(demo)
    other.dispose()
