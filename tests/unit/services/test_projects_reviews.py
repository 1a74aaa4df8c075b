"""The jury: the scoring grid, each reviewer's own review, a conflict of interest left out of
the average, the average itself and the call's ranking."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain import AuditEntry
from app.services.errors import UserFacingError, ValidationError
from app.services.journal import audit_log as audit
from app.services.projects import actions, reviews
from app.storage import Database
from tests.unit.services.test_projects_world import (
    COORD,
    OTHER_TRAINER,
    SEASON,
    TRAINER,
    Hosts,
    make_hosts,
    submit,
)


@pytest.fixture
def hosts(db: Database) -> Hosts:
    with db.session() as s:
        return make_hosts(s)


def _under_review(db: Database, project: int) -> None:
    version = actions.details(db, project, actor=COORD).version
    version = actions.change_state(db, project, "complet", "", version, actor=COORD)
    actions.change_state(db, project, "en_instruction", "", version, actor=COORD)


def _project(db: Database, hosts: Hosts, **changes: object) -> int:
    with db.session() as s:
        project = submit(s, hosts.small, **changes)
    _under_review(db, project)
    return project


def _grid(db: Database) -> list[int]:
    return [c.id for c in actions.criteria(db, actor=TRAINER)]


def _scores(grid: list[int], *values: int) -> dict[int, int]:
    return dict(zip(grid, values, strict=True))


def test_the_grid_is_seeded_once_and_edited_by_coordination(db: Database) -> None:
    grid = actions.criteria(db, actor=TRAINER)
    assert [c.label for c in grid] == list(reviews.DEFAULT_CRITERIA)
    assert actions.criteria(db, actor=COORD) == grid
    added = actions.save_criterion(db, None, "Originalité", "Un projet pas déjà fait", actor=COORD)
    assert added.position == len(grid)
    renamed = actions.save_criterion(db, grid[0].id, "Utilité sociale", "", actor=COORD)
    assert renamed.label == "Utilité sociale"
    actions.retire_criterion(db, grid[1].id, actor=COORD)
    active = actions.criteria(db, actor=COORD)
    assert [c.label for c in active] == [
        "Utilité sociale",
        "Intérêt pédagogique",
        "Disponibilité de la structure",
        "Pérennité après la livraison",
        "Originalité",
    ]
    every = actions.criteria(db, include_retired=True, actor=COORD)
    assert [c.retired for c in every].count(True) == 1
    with pytest.raises(ValidationError) as refused:
        actions.save_criterion(db, None, " ", "", actor=COORD)
    assert refused.value.errors == {"label": "L'intitulé du critère est obligatoire."}


def test_two_reviewers_and_a_conflict_of_interest(db: Database, hosts: Hosts) -> None:
    project = _project(db, hosts)
    grid = _grid(db)
    actions.record_review(db, project, _scores(grid, 4, 4, 3, 5, 4), False, "", actor=TRAINER)
    actions.record_review(
        db, project, _scores(grid, 3, 2, 3, 3, 2), False, "Ambitieux", actor=COORD
    )
    # knows the structure well: says so, and gives top marks that must not count
    actions.record_review(
        db, project, _scores(grid, 5, 5, 5, 5, 5), True, "Je suis adhérente", actor=OTHER_TRAINER
    )
    details = actions.details(db, project, actor=TRAINER)
    by_reviewer = {r.reviewer: r for r in details.reviews}
    assert by_reviewer["samir"].average == Decimal("4.00")  # 20 / 5
    assert by_reviewer["claire"].average == Decimal("2.60")  # 13 / 5
    assert by_reviewer["ines"].conflict_of_interest
    assert by_reviewer["ines"].average is None
    assert details.average == Decimal("3.30")  # (4.00 + 2.60) / 2, without ines's 5.00
    with db.session() as s:
        assert reviews.project_average(s, project) == Decimal("3.30")
    (row,) = actions.ranking(db, SEASON, actor=TRAINER)
    assert (row.average, row.reviews_counted, row.rank) == (Decimal("3.30"), 2, 1)


def test_a_review_is_one_s_own_and_replaced(db: Database, hosts: Hosts) -> None:
    project = _project(db, hosts)
    grid = _grid(db)
    actions.record_review(db, project, _scores(grid, 1, 1, 1, 1, 1), False, "", actor=TRAINER)
    actions.record_review(db, project, _scores(grid, 5, 5, 4, 4, 4), False, "Revu", actor=TRAINER)
    (review,) = actions.details(db, project, actor=TRAINER).reviews
    assert (review.reviewer, review.comment, review.average) == ("samir", "Revu", Decimal("4.40"))
    assert review.scores == _scores(grid, 5, 5, 4, 4, 4)


def test_scores_are_checked(db: Database, hosts: Hosts) -> None:
    project = _project(db, hosts)
    grid = _grid(db)
    with pytest.raises(ValidationError) as refused:
        actions.record_review(db, project, _scores(grid, 6, 0, 3, 3, 3), False, "", actor=TRAINER)
    assert refused.value.errors == {
        "scores": "« Utilité sociale du projet » : une note de 1 à 5. "
        "« Faisabilité par des apprenants en six semaines » : une note de 1 à 5."
    }
    with pytest.raises(ValidationError) as refused:
        actions.record_review(db, project, {grid[0]: 3}, False, "", actor=TRAINER)
    assert refused.value.errors["scores"].startswith("Notez chaque critère de 1 à 5 : ")
    actions.record_review(db, project, {}, True, "Conflit", actor=TRAINER)  # no score needed
    (review,) = actions.details(db, project, actor=TRAINER).reviews
    assert review.conflict_of_interest and review.scores == {}
    assert actions.details(db, project, actor=TRAINER).average is None


def test_scores_are_recorded_only_while_the_jury_works(db: Database, hosts: Hosts) -> None:
    with db.session() as s:
        project = submit(s, hosts.small)
    grid = _grid(db)
    with pytest.raises(UserFacingError, match="Un projet « Reçu » ne se note plus"):
        actions.record_review(db, project, _scores(grid, 3, 3, 3, 3, 3), False, "", actor=COORD)


def test_ranking_by_average_ties_by_submission_unscored_last(db: Database, hosts: Hosts) -> None:
    late_tie = _project(db, hosts, title="Ex aequo déposé tard", submitted_on="20/11/2026")
    best = _project(db, hosts, title="Le meilleur", submitted_on="25/11/2026")
    early_tie = _project(db, hosts, title="Ex aequo déposé tôt", submitted_on="02/11/2026")
    unscored = _project(db, hosts, title="Pas encore noté", submitted_on="01/11/2026")
    with db.session() as s:
        not_ranked = submit(s, hosts.small, title="Encore reçu")  # `recu`: not in the ranking
    grid = _grid(db)
    actions.record_review(db, best, _scores(grid, 5, 5, 5, 4, 4), False, "", actor=TRAINER)
    for project in (late_tie, early_tie):
        actions.record_review(db, project, _scores(grid, 3, 3, 3, 3, 4), False, "", actor=TRAINER)
    ranked = actions.ranking(db, SEASON, actor=COORD)
    assert [(r.project_id, r.rank, r.average) for r in ranked] == [
        (best, 1, Decimal("4.60")),
        (early_tie, 2, Decimal("3.20")),
        (late_tie, 3, Decimal("3.20")),
        (unscored, None, None),
    ]
    assert not_ranked not in [r.project_id for r in ranked]
    version = actions.details(db, best, actor=COORD).version
    version = actions.change_state(db, best, "retenu", "", version, actor=COORD)
    actions.change_state(db, best, "en_realisation", "", version, actor=COORD)
    version = actions.details(db, late_tie, actor=COORD).version
    actions.change_state(db, late_tie, "retire", "Plus disponible", version, actor=COORD)
    assert [(r.project_id, r.rank) for r in actions.ranking(db, SEASON, actor=COORD)] == [
        (best, 1),  # realised, still first: the ranking the decision relied on
        (early_tie, 2),
        (unscored, None),
    ]
    rows = {r.id: r for r in actions.projects(db, SEASON, actor=COORD)}
    assert (rows[best].rank, rows[best].average) == (1, Decimal("4.60"))
    assert rows[not_ranked].rank is None
    assert ranked[0].reference == "AAP-2026-002"
    assert ranked[0].structure == "Les Jardins partagés"


def test_averages_round_half_up_to_two_decimals(db: Database, hosts: Hosts) -> None:
    project = _project(db, hosts)
    grid = _grid(db)
    actions.record_review(db, project, _scores(grid, 3, 3, 4, 4, 3), False, "", actor=TRAINER)
    actions.record_review(db, project, _scores(grid, 4, 4, 4, 3, 3), False, "", actor=COORD)
    actions.record_review(db, project, _scores(grid, 5, 4, 4, 4, 4), False, "", actor=OTHER_TRAINER)
    # (3.4 + 3.6 + 4.2) / 3 = 3.7333… -> 3.73
    assert actions.details(db, project, actor=COORD).average == Decimal("3.73")


def test_a_review_is_journaled_with_its_scores(db: Database, hosts: Hosts) -> None:
    project = _project(db, hosts)
    grid = _grid(db)
    audit.attach(db, lambda: "samir")
    try:
        actions.record_review(db, project, _scores(grid, 4, 4, 3, 5, 4), False, "", actor=TRAINER)
        actions.record_review(db, project, _scores(grid, 4, 4, 3, 5, 5), False, "", actor=TRAINER)
    finally:
        audit.detach(db)
    with db.session(commit=False) as s:
        entries = [
            (e.summary, e.changes)
            for e in s.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity_type == "project_review")
                .order_by(AuditEntry.id)
            )
        ]
    assert [summary for summary, _changes in entries] == [
        "Notation du projet AAP-2026-001 enregistrée (moyenne 4,00 / 5)",
        "Notation du projet AAP-2026-001 modifiée (moyenne 4,20 / 5)",
    ]
    assert entries[1][1] == '{"Pérennité après la livraison": ["4", "5"]}'
