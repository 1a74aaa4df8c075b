"""The jury's reading of the projects: a scoring grid (criteria scored 1 to 5), one review per
reviewer and project, the project's average and the call's ranking.

A reviewer who declares a conflict of interest (they work with the structure, say) keeps a
review, so the jury sees they read it, but their scores never count. A project's average is
the mean of its counted reviews' means: every reviewer weighs the same, whatever the number of
criteria they scored. `project_average` is the one place it is computed.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.domain import AuditAction
from app.domain.projects import (
    Project,
    ProjectCall,
    ProjectCriterion,
    ProjectReview,
    ProjectScore,
    ProjectState,
)
from app.services.accounts.names import display_names, person_name
from app.services.actor import Actor
from app.services.errors import NotFoundError, UserFacingError, ValidationError
from app.services.journal import audit_log as audit
from app.services.permissions import require_project_editor, require_project_reviewer
from app.services.projects.calls import ensure_call, project_reference
from app.services.projects.submissions import load_project
from app.services.validation import FieldError, clean_line, clean_text

__all__ = [
    "DEFAULT_CRITERIA",
    "RANKED_STATES",
    "REVIEWABLE_STATES",
    "CriterionInfo",
    "RankedProject",
    "ReviewInfo",
    "averages",
    "format_average",
    "project_average",
    "ranking",
    "record_review",
    "retire_criterion",
    "reviews",
    "save_criterion",
    "scoring_criteria",
]

DEFAULT_CRITERIA = (
    "Utilité sociale du projet",
    "Faisabilité par des apprenants en six semaines",
    "Intérêt pédagogique",
    "Disponibilité de la structure",
    "Pérennité après la livraison",
)
S = ProjectState
# The projects the jury ranks: complete ones, under review or decided. A retained project
# keeps its rank while it is realised (the ranking the decisions relied on stays the same);
# withdrawn and abandoned ones leave it.
RANKED_STATES = frozenset(
    {
        S.COMPLETE,
        S.UNDER_REVIEW,
        S.RETAINED,
        S.WAITING_LIST,
        S.NOT_RETAINED,
        S.IN_PROGRESS,
        S.DELIVERED,
        S.CLOSED,
    }
)
# Scores are recorded while the jury works: once decided, the ranking the decision relied
# on stays as it was.
REVIEWABLE_STATES = frozenset({S.COMPLETE, S.UNDER_REVIEW, S.WAITING_LIST})
MIN_SCORE, MAX_SCORE = 1, 5
_CENTS = Decimal("0.01")


@dataclass(frozen=True)
class CriterionInfo:
    id: int
    label: str
    description: str
    position: int
    retired: bool


@dataclass(frozen=True)
class ReviewInfo:
    reviewer: str  # the account's username
    reviewer_name: str
    conflict_of_interest: bool
    scores: dict[int, int]  # criterion id -> 1..5
    comment: str
    average: Decimal | None  # this review's mean; None when not counted
    recorded_at: datetime


@dataclass(frozen=True)
class RankedProject:
    project_id: int
    reference: str
    title: str
    structure: str
    state_label: str
    average: Decimal | None
    reviews_counted: int
    rank: int | None


def format_average(value: Decimal | None) -> str:
    """ "3,80 / 5", or "—" without a counted review."""
    return "—" if value is None else f"{value:.2f}".replace(".", ",") + " / 5"


# ---------------------------------------------------------------- the grid


def _criterion_info(criterion: ProjectCriterion) -> CriterionInfo:
    return CriterionInfo(
        id=criterion.id,
        label=criterion.label,
        description=criterion.description or "",
        position=criterion.position,
        retired=criterion.retired_at is not None,
    )


def _seed_criteria(session: Session) -> None:
    if session.scalar(select(func.count()).select_from(ProjectCriterion)):
        return
    for position, label in enumerate(DEFAULT_CRITERIA):
        session.add(ProjectCriterion(label=label, description="", position=position))
    session.flush()


def scoring_criteria(session: Session, *, include_retired: bool = False) -> list[CriterionInfo]:
    """The grid in its order (seeded with DEFAULT_CRITERIA on first use)."""
    _seed_criteria(session)
    statement = select(ProjectCriterion).order_by(ProjectCriterion.position, ProjectCriterion.id)
    if not include_retired:
        statement = statement.where(ProjectCriterion.retired_at.is_(None))
    return [_criterion_info(c) for c in session.scalars(statement)]


def _load_criterion(session: Session, criterion_id: int) -> ProjectCriterion:
    criterion = session.get(ProjectCriterion, criterion_id)
    if criterion is None:
        raise NotFoundError("Ce critère n'existe plus.")
    return criterion


def save_criterion(
    session: Session, criterion_id: int | None, label: str, description: str, *, actor: Actor
) -> CriterionInfo:
    """A new criterion at the end of the grid (`criterion_id` None), or one renamed."""
    require_project_editor(actor)
    _seed_criteria(session)
    errors: dict[str, str] = {}
    try:
        clean_label = clean_line(label, 200, "L'intitulé")
        if not clean_label:
            errors["label"] = "L'intitulé du critère est obligatoire."
    except FieldError as error:
        errors["label"] = str(error)
    try:
        clean_description = clean_text(description, 2000, "La description") or ""
    except FieldError as error:
        errors["description"] = str(error)
    if errors:
        raise ValidationError(errors)
    if criterion_id is None:
        last = session.scalar(select(func.max(ProjectCriterion.position)))
        criterion = ProjectCriterion(position=int(last if last is not None else -1) + 1)
        session.add(criterion)
    else:
        criterion = _load_criterion(session, criterion_id)
    criterion.label = clean_label or ""
    criterion.description = clean_description
    session.flush()
    return _criterion_info(criterion)


def retire_criterion(session: Session, criterion_id: int, *, actor: Actor) -> None:
    """Take a criterion off the grid; the scores given on it stay in past reviews."""
    require_project_editor(actor)
    criterion = _load_criterion(session, criterion_id)
    if criterion.retired_at is None:
        criterion.retired_at = datetime.now()
        session.flush()


# ---------------------------------------------------------------- reviews


def _review_mean(review: ProjectReview) -> Decimal | None:
    if review.conflict_of_interest or not review.scores:
        return None
    total = sum(score.score for score in review.scores)
    return Decimal(total) / Decimal(len(review.scores))


def _rounded(value: Decimal) -> Decimal:
    return value.quantize(_CENTS, rounding=ROUND_HALF_UP)


def averages(session: Session, project_ids: list[int]) -> dict[int, tuple[Decimal | None, int]]:
    """Project id -> (average of its counted reviews, how many were counted)."""
    means: dict[int, list[Decimal]] = defaultdict(list)
    if project_ids:
        found = session.scalars(
            select(ProjectReview)
            .where(ProjectReview.project_id.in_(project_ids))
            .options(selectinload(ProjectReview.scores))
        )
        for review in found:
            mean = _review_mean(review)
            if mean is not None:
                means[review.project_id].append(mean)
    result: dict[int, tuple[Decimal | None, int]] = {}
    for project_id in project_ids:
        counted = means.get(project_id, [])
        average = _rounded(sum(counted, Decimal(0)) / len(counted)) if counted else None
        result[project_id] = (average, len(counted))
    return result


def project_average(session: Session, project_id: int) -> Decimal | None:
    """THE average of a project: the mean of its counted reviews' means, to 2 decimals (half
    up); None without a counted review."""
    return averages(session, [project_id])[project_id][0]


def _scores(session: Session, scores: dict[int, int], conflict_of_interest: bool) -> dict[int, int]:
    active = {c.id: c for c in scoring_criteria(session)}
    problems: list[str] = []
    for criterion_id, score in scores.items():
        if criterion_id not in active:
            problems.append("Un des critères notés n'est plus dans la grille.")
        elif not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
            problems.append(
                f"« {active[criterion_id].label} » : une note de {MIN_SCORE} à {MAX_SCORE}."
            )
    missing = [c.label for c in active.values() if c.id not in scores]
    if missing and not conflict_of_interest:
        problems.append("Notez chaque critère de 1 à 5 : " + ", ".join(missing) + ".")
    if problems:
        raise ValidationError({"scores": " ".join(dict.fromkeys(problems))})
    return dict(scores)


def _scores_text(review: ProjectReview, labels: dict[int, str]) -> dict[str, str]:
    return {labels.get(s.criterion_id, str(s.criterion_id)): str(s.score) for s in review.scores}


def record_review(
    session: Session,
    project_id: int,
    scores: dict[int, int],
    conflict_of_interest: bool,
    comment: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> None:
    """The actor's own review of the project, replacing theirs; each score 1..5 and every
    criterion of the grid scored, unless a conflict of interest is declared (then the scores
    may be empty, and are never counted)."""
    require_project_reviewer(actor)
    project = load_project(session, project_id)
    if ProjectState(project.state) not in REVIEWABLE_STATES:
        raise UserFacingError(
            f"Un projet « {ProjectState(project.state).label} » ne se note plus : les notes "
            "se saisissent quand le projet est complet, en instruction ou en liste d'attente."
        )
    checked = _scores(session, scores, conflict_of_interest)
    try:
        clean_comment = clean_text(comment, 4000, "Le commentaire") or ""
    except FieldError as error:
        raise ValidationError({"comment": str(error)}) from None
    review = session.scalar(
        select(ProjectReview)
        .where(ProjectReview.project_id == project_id, ProjectReview.reviewer == actor.username)
        .options(selectinload(ProjectReview.scores))
    )
    labels = {c.id: c.label for c in scoring_criteria(session, include_retired=True)}
    before = _scores_text(review, labels) if review is not None else {}
    was_conflicted = review.conflict_of_interest if review is not None else None
    created = review is None
    if review is None:
        review = ProjectReview(project_id=project_id, reviewer=actor.username)
        session.add(review)
    else:
        review.scores.clear()
        session.flush()  # the old scores go before the new ones meet the unique constraint
    review.conflict_of_interest = bool(conflict_of_interest)
    review.comment = clean_comment
    review.recorded_at = now or datetime.now()
    review.scores = [ProjectScore(criterion_id=i, score=v) for i, v in checked.items()]
    session.flush()
    _journal_review(
        session, project, review, before, was_conflicted, labels, created=created, actor=actor
    )


def _journal_review(
    session: Session,
    project: Project,
    review: ProjectReview,
    before: dict[str, str],
    was_conflicted: bool | None,
    labels: dict[int, str],
    *,
    created: bool,
    actor: Actor,
) -> None:
    after = _scores_text(review, labels)
    changes: dict[str, list[str | None]] = {
        name: [before.get(name), after.get(name)]
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    }
    if was_conflicted != review.conflict_of_interest:
        changes["Conflit d'intérêts"] = [
            None if was_conflicted is None else ("oui" if was_conflicted else "non"),
            "oui" if review.conflict_of_interest else "non",
        ]
    reference = project_reference(project.call.season.label, project.number)
    if review.conflict_of_interest:
        outcome = "conflit d'intérêts déclaré, notes non comptées"
    else:
        outcome = f"moyenne {format_average(_rounded(_review_mean(review) or Decimal(0)))}"
    verb = "enregistrée" if created else "modifiée"
    audit.record(
        session,
        AuditAction.CREATION if created else AuditAction.MODIFICATION,
        None,
        f"Notation du projet {reference} {verb} ({outcome})",
        entity_type="project_review",
        entity_uuid=review.uuid,
        changes=changes or None,
        author=actor.author,
    )


def _review_info(review: ProjectReview, names: dict[str, str]) -> ReviewInfo:
    mean = _review_mean(review)
    return ReviewInfo(
        reviewer=review.reviewer,
        reviewer_name=person_name(names, review.reviewer),
        conflict_of_interest=review.conflict_of_interest,
        scores={s.criterion_id: s.score for s in review.scores},
        comment=review.comment or "",
        average=_rounded(mean) if mean is not None else None,
        recorded_at=review.recorded_at,
    )


def reviews(session: Session, project_id: int) -> list[ReviewInfo]:
    """Every review of the project, by reviewer's name."""
    found = session.scalars(
        select(ProjectReview)
        .where(ProjectReview.project_id == project_id)
        .options(selectinload(ProjectReview.scores))
    )
    names = display_names(session)
    infos = [_review_info(review, names) for review in found]
    return sorted(infos, key=lambda r: (r.reviewer_name.casefold(), r.reviewer))


# ---------------------------------------------------------------- ranking


def _ranked(
    projects: list[Project], scored: dict[int, tuple[Decimal | None, int]]
) -> list[RankedProject]:
    def order(project: Project) -> tuple[int, Decimal, date, int]:
        average = scored[project.id][0]
        unscored = 1 if average is None else 0
        return (unscored, -(average or Decimal(0)), project.submitted_on, project.number)

    rows: list[RankedProject] = []
    for position, project in enumerate(sorted(projects, key=order), start=1):
        average, counted = scored[project.id]
        rows.append(
            RankedProject(
                project_id=project.id,
                reference=project_reference(project.call.season.label, project.number),
                title=project.title,
                structure=project.host.name,
                state_label=ProjectState(project.state).label,
                average=average,
                reviews_counted=counted,
                rank=position if average is not None else None,
            )
        )
    return rows


def ranking(session: Session, season_label: str) -> list[RankedProject]:
    """The call's ranked projects (complete, under review, decided, realised), best average first;
    ties: the earlier submission first; projects without a counted review last, unranked."""
    call = ensure_call(session, season_label)
    projects = list(
        session.scalars(
            select(Project)
            .where(
                Project.call_id == call.id,
                Project.state.in_([s.value for s in RANKED_STATES]),
            )
            .options(
                joinedload(Project.host),
                joinedload(Project.call).joinedload(ProjectCall.season),
            )
        )
    )
    return _ranked(projects, averages(session, [p.id for p in projects]))


def ranks(session: Session, season_label: str) -> dict[int, int]:
    """Project id -> rank in the call's ranking (ranked projects only)."""
    return {r.project_id: r.rank for r in ranking(session, season_label) if r.rank is not None}
