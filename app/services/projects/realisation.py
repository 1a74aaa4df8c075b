"""A retained project realised by learners: given to a cohort as its real-case activity (the
orientation period's activities, teams and observations), followed by milestones, delivered,
and rated by the structure and by the team."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Activity
from app.domain.orientation import ActivityKind
from app.domain.projects import (
    SATISFACTION_QUESTIONS,
    MilestoneState,
    Project,
    ProjectActivity,
    ProjectMilestone,
    ProjectSatisfaction,
    ProjectState,
    Respondent,
)
from app.domain.text import fold
from app.services.accounts.names import display_names, person_name
from app.services.actor import Actor
from app.services.errors import NotFoundError, UserFacingError, ValidationError
from app.services.orientation import activities as orientation_activities
from app.services.orientation.cohorts import load_cohort
from app.services.permissions import require_project_editor
from app.services.projects.states import either_of, move
from app.services.projects.submissions import check_project_version, flush_project, load_project
from app.services.validation import FieldError, clean_line, clean_text, format_date, parse_date

__all__ = [
    "MILESTONE_STATES",
    "MilestoneInfo",
    "SatisfactionInfo",
    "activity_title",
    "delete_milestone",
    "deliver",
    "give_to_team",
    "milestone_info",
    "record_satisfaction",
    "satisfaction_info",
    "save_milestone",
]

S = ProjectState
GIVEN_STATES = frozenset({S.RETAINED, S.IN_PROGRESS})
MILESTONE_STATES = frozenset({S.RETAINED, S.IN_PROGRESS, S.DELIVERED})
RATED_STATES = frozenset({S.DELIVERED, S.CLOSED})
TITLE_LENGTH = 200
TEAM_NAME_LENGTH = 80


@dataclass(frozen=True)
class MilestoneInfo:
    id: int
    title: str
    due_on: date
    state: str
    state_label: str
    done_on: date | None


@dataclass(frozen=True)
class SatisfactionInfo:
    respondent: str
    respondent_label: str
    ratings: dict[str, int]  # SATISFACTION_QUESTIONS column -> 1..5
    comment: str
    recorded_by: str  # as shown
    recorded_at: datetime
    average: Decimal


def _state(project: Project) -> ProjectState:
    return ProjectState(project.state)


def _require_state(project: Project, allowed: frozenset[ProjectState], what: str) -> None:
    if _state(project) not in allowed:
        states = either_of(s for s in ProjectState if s in allowed)  # in the life's order
        raise UserFacingError(
            f"Un projet « {_state(project).label} » ne peut pas {what} (il doit être {states})."
        )


# ---------------------------------------------------------------- given to a team


def activity_title(project: Project) -> str:
    """ "Projet réel : <title> (<structure>)", cut to what an activity's title holds."""
    title = f"Projet réel : {project.title} ({project.host.name})"
    return title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1] + "…"


def _cohort_activity(session: Session, project_id: int, cohort_id: int) -> int | None:
    return session.scalar(
        select(ProjectActivity.activity_id)
        .join(Activity, Activity.id == ProjectActivity.activity_id)
        .where(ProjectActivity.project_id == project_id, Activity.cohort_id == cohort_id)
    )


def _renamed(error: ValidationError, names: Mapping[str, str]) -> ValidationError:
    return ValidationError({names.get(key, key): text for key, text in error.errors.items()})


def _team_name(text: str) -> str:
    try:
        name = clean_line(text, TEAM_NAME_LENGTH, "Le nom de l'équipe")
    except FieldError as error:
        raise ValidationError({"team_name": str(error)}) from None
    if not name:
        raise ValidationError({"team_name": "Donnez un nom à l'équipe."})
    return name


def give_to_team(
    session: Session,
    project_id: int,
    cohort_id: int,
    team_name: str,
    candidate_ids: list[int],
    start_day: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> int:
    """Give a retained project to a team of a cohort: the cohort's real-case activity for the
    project (created once, on `start_day`), a team of these learners added to it (or the
    team of that name replaced), the project moved to `en_realisation`. Coordination only;
    returns the activity's id."""
    require_project_editor(actor)
    project = load_project(session, project_id)
    _require_state(project, GIVEN_STATES, "être confié à une équipe")
    name = _team_name(team_name)
    if not candidate_ids:
        raise ValidationError({"candidate_ids": "Choisissez au moins un apprenant."})
    cohort = load_cohort(session, cohort_id)
    if cohort.season_id != project.call.season_id:
        raise UserFacingError(
            f"Cette promotion n'est pas de la saison {project.call.season.label}, celle de "
            "l'appel à projets."
        )
    activity_id = _cohort_activity(session, project.id, cohort.id)
    if activity_id is None:
        data = orientation_activities.ActivityInput(
            day=start_day, title=activity_title(project), kind=ActivityKind.REAL_CASE.value
        )
        try:
            info = orientation_activities.create_activity(
                session, cohort.id, data, actor=actor, now=now
            )
        except ValidationError as error:
            raise _renamed(error, {"date": "start_day", "titre": "title"}) from None
        activity_id = info.id
        session.add(ProjectActivity(project_id=project.id, activity_id=activity_id))
    activity = orientation_activities.load_activity(session, activity_id)
    teams = [
        (team.name, [member.candidate_id for member in team.members])
        for team in activity.teams
        if fold(team.name) != fold(name)
    ]
    teams.append((name, list(candidate_ids)))
    try:
        orientation_activities.set_teams(session, activity_id, teams, actor=actor, now=now)
    except ValidationError as error:
        raise _renamed(error, {"equipes": "candidate_ids"}) from None
    if _state(project) is S.RETAINED:
        move(session, project, S.IN_PROGRESS.value, "", actor=actor, now=now)
    flush_project(session, project)
    return activity_id


# ---------------------------------------------------------------- milestones


def milestone_info(milestone: ProjectMilestone) -> MilestoneInfo:
    try:
        label = MilestoneState(milestone.state).label
    except ValueError:
        label = milestone.state
    return MilestoneInfo(
        id=milestone.id,
        title=milestone.title,
        due_on=milestone.due_on,
        state=milestone.state,
        state_label=label,
        done_on=milestone.done_on,
    )


def _milestone_state(text: str) -> MilestoneState:
    wanted = fold(text)
    if not wanted:
        return MilestoneState.PLANNED
    for state in MilestoneState:
        if wanted in (state.value, fold(state.label)):
            return state
    allowed = ", ".join(f"« {s.label} »" for s in MilestoneState)
    raise FieldError(f"État inconnu : choisir parmi {allowed}.")


def _milestone_values(
    title: str, due_on: str, state: str, done_on: str, today: date
) -> tuple[str, date, MilestoneState, date | None]:
    errors: dict[str, str] = {}
    clean_title: str | None = None
    due: date | None = None
    done: date | None = None
    milestone_state = MilestoneState.PLANNED
    try:
        clean_title = clean_line(title, TITLE_LENGTH, "L'intitulé")
        if not clean_title:
            errors["title"] = "L'intitulé de l'étape est obligatoire."
    except FieldError as error:
        errors["title"] = str(error)
    try:
        due = parse_date(due_on)
        if due is None:
            errors["due_on"] = "L'échéance est obligatoire."
    except FieldError as error:
        errors["due_on"] = str(error)
    try:
        milestone_state = _milestone_state(state)
    except FieldError as error:
        errors["state"] = str(error)
    try:
        done = parse_date(done_on)
    except FieldError as error:
        errors["done_on"] = str(error)
    if "state" not in errors and "done_on" not in errors:
        if milestone_state is MilestoneState.DONE and done is None:
            done = today
        elif milestone_state is not MilestoneState.DONE and done is not None:
            errors["done_on"] = "Une date de réalisation va avec l'état « Fait »."
    if errors:
        raise ValidationError(errors)
    assert clean_title is not None and due is not None
    return clean_title, due, milestone_state, done


def save_milestone(
    session: Session,
    project_id: int,
    milestone_id: int | None,
    title: str,
    due_on: str,
    state: str,
    done_on: str,
    *,
    actor: Actor,
    today: date | None = None,
) -> MilestoneInfo:
    """A new milestone of the project (`milestone_id` None) or one changed; dates JJ/MM/AAAA,
    `state` a MilestoneState code or label; "Fait" without a date is done today."""
    require_project_editor(actor)
    project = load_project(session, project_id)
    _require_state(project, MILESTONE_STATES, "voir ses étapes modifiées")
    clean_title, due, milestone_state, done = _milestone_values(
        title, due_on, state, done_on, today or date.today()
    )
    if milestone_id is None:
        milestone = ProjectMilestone(project_id=project.id)
        session.add(milestone)
    else:
        milestone = _load_milestone(session, milestone_id)
        if milestone.project_id != project.id:
            raise NotFoundError("Cette étape n'est pas une étape de ce projet.")
    milestone.title, milestone.due_on = clean_title, due
    milestone.state, milestone.done_on = milestone_state.value, done
    session.flush()
    return milestone_info(milestone)


def _load_milestone(session: Session, milestone_id: int) -> ProjectMilestone:
    milestone = session.get(ProjectMilestone, milestone_id)
    if milestone is None:
        raise NotFoundError("Cette étape n'existe plus.")
    return milestone


def delete_milestone(session: Session, milestone_id: int, *, actor: Actor) -> None:
    require_project_editor(actor)
    milestone = _load_milestone(session, milestone_id)
    _require_state(
        load_project(session, milestone.project_id), MILESTONE_STATES, "voir ses étapes modifiées"
    )
    session.delete(milestone)
    session.flush()


# ---------------------------------------------------------------- delivery and satisfaction


def deliver(
    session: Session,
    project_id: int,
    delivered_on: str,
    notes: str,
    version: int,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> int:
    """The deliverable handed over: `en_realisation` -> `livre` on `delivered_on`; returns the
    project's new version."""
    require_project_editor(actor)
    project = load_project(session, project_id)
    check_project_version(session, project, version)
    errors: dict[str, str] = {}
    day: date | None = None
    clean_notes = ""
    try:
        day = parse_date(delivered_on)
        if day is None:
            errors["delivered_on"] = "La date de livraison est obligatoire."
        elif day < project.submitted_on:
            errors["delivered_on"] = (
                f"La livraison ne peut précéder le dépôt du projet "
                f"({format_date(project.submitted_on)})."
            )
    except FieldError as error:
        errors["delivered_on"] = str(error)
    try:
        clean_notes = clean_text(notes, 4000, "Les notes de livraison") or ""
    except FieldError as error:
        errors["notes"] = str(error)
    if errors:
        raise ValidationError(errors)
    move(session, project, S.DELIVERED.value, "", actor=actor, now=now)
    project.delivered_on, project.delivery_notes = day, clean_notes
    flush_project(session, project)
    return project.version


def _average(ratings: Mapping[str, int]) -> Decimal:
    mean = Decimal(sum(ratings.values())) / Decimal(len(ratings))
    return mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def satisfaction_info(row: ProjectSatisfaction, names: Mapping[str, str]) -> SatisfactionInfo:
    ratings = {column: int(getattr(row, column)) for column, _question in SATISFACTION_QUESTIONS}
    try:
        label = Respondent(row.respondent).label
    except ValueError:
        label = row.respondent
    return SatisfactionInfo(
        respondent=row.respondent,
        respondent_label=label,
        ratings=ratings,
        comment=row.comment or "",
        recorded_by=person_name(names, row.recorded_by),
        recorded_at=row.recorded_at,
        average=_average(ratings),
    )


def _ratings(ratings: Mapping[str, int]) -> dict[str, int]:
    problems: list[str] = []
    checked: dict[str, int] = {}
    for column, question in SATISFACTION_QUESTIONS:
        value = ratings.get(column)
        if not isinstance(value, int) or not 1 <= value <= 5:
            problems.append(f"« {question} » : une note de 1 à 5.")
        else:
            checked[column] = value
    known = {column for column, _question in SATISFACTION_QUESTIONS}
    if set(ratings) - known:
        problems.append("Une des questions notées ne fait pas partie du questionnaire.")
    if problems:
        raise ValidationError({"ratings": " ".join(problems)})
    return checked


def record_satisfaction(
    session: Session,
    project_id: int,
    respondent: str,
    ratings: dict[str, int],
    comment: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> None:
    """The end-of-project grid answered by the structure or by the team (replaces a former
    answer of the same respondent); the project is delivered or closed."""
    require_project_editor(actor)
    project = load_project(session, project_id)
    _require_state(project, RATED_STATES, "recevoir d'avis de satisfaction")
    try:
        who = Respondent(respondent)
    except ValueError:
        raise ValidationError(
            {"respondent": "Indiquez qui répond : la structure ou l'équipe."}
        ) from None
    checked = _ratings(ratings)
    try:
        clean_comment = clean_text(comment, 4000, "Le commentaire") or ""
    except FieldError as error:
        raise ValidationError({"comment": str(error)}) from None
    row = session.scalar(
        select(ProjectSatisfaction).where(
            ProjectSatisfaction.project_id == project.id,
            ProjectSatisfaction.respondent == who.value,
        )
    )
    if row is None:
        row = ProjectSatisfaction(project_id=project.id, respondent=who.value)
        session.add(row)
    for column, value in checked.items():
        setattr(row, column, value)
    row.comment = clean_comment
    row.recorded_by = actor.author
    row.recorded_at = now or datetime.now()
    session.flush()


def satisfaction_of(session: Session, project_id: int) -> list[SatisfactionInfo]:
    names = display_names(session)
    rows = session.scalars(
        select(ProjectSatisfaction)
        .where(ProjectSatisfaction.project_id == project_id)
        .order_by(ProjectSatisfaction.respondent.desc())
    )
    return [satisfaction_info(row, names) for row in rows]
