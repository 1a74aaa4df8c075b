"""Activities (mises en situation) of a cohort and the teams the learners work in."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.domain import Activity, Cohort, Team, TeamMember
from app.domain.orientation import ActivityKind
from app.domain.text import fold
from app.services.actor import Actor
from app.services.candidates.records import display_name
from app.services.errors import NotFoundError, ValidationError
from app.services.orientation.cohorts import (
    LearnerInfo,
    by_name,
    cohort_candidates,
    learner_info,
    load_cohort,
    season_end,
    week_of,
)
from app.services.orientation.locks import require_cohort_writable
from app.services.orientation.rules import MAX_NOTE_LENGTH, require_writer
from app.services.validation import (
    FieldError,
    clean_line,
    clean_text,
    format_date,
    parse_date,
    unwanted_characters,
)


@dataclass(frozen=True)
class TeamInfo:
    id: int
    name: str
    learners: tuple[LearnerInfo, ...]


@dataclass(frozen=True)
class ActivityInfo:
    id: int
    cohort_id: int
    day: date
    week: int
    title: str
    kind: str
    kind_label: str
    trainers: str
    teams: tuple[TeamInfo, ...]
    place: str = ""
    participants: tuple[LearnerInfo, ...] = ()  # an event's learners (events.participants)


@dataclass
class ActivityInput:
    """What the user typed; `day` as JJ/MM/AAAA."""

    day: str = ""
    title: str = ""
    kind: str = ActivityKind.WORKSHOP.value
    trainers: str = ""
    notes: str = ""
    place: str = ""


def activity_info(activity: Activity) -> ActivityInfo:
    teams = tuple(
        TeamInfo(
            id=team.id,
            name=team.name,
            learners=tuple(by_name(learner_info(m.candidate) for m in team.members)),
        )
        for team in activity.teams
    )
    try:
        kind_label = ActivityKind(activity.kind).label
    except ValueError:
        kind_label = activity.kind
    return ActivityInfo(
        id=activity.id,
        cohort_id=activity.cohort_id,
        day=activity.day,
        week=week_of(activity.cohort.start_date, activity.day),
        title=activity.title,
        kind=activity.kind,
        kind_label=kind_label,
        trainers=activity.trainers,
        teams=teams,
        place=activity.place or "",
    )


def _activity_options() -> Sequence[Any]:
    return (
        joinedload(Activity.cohort),
        selectinload(Activity.teams).selectinload(Team.members).joinedload(TeamMember.candidate),
    )


def load_activity(session: Session, activity_id: int) -> Activity:
    activity = session.scalar(
        select(Activity).where(Activity.id == activity_id).options(*_activity_options())
    )
    if activity is None:
        raise NotFoundError("Cette activité n'existe plus.")
    return activity


def _activity_values(cohort: Cohort, data: ActivityInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        day = parse_date(data.day)
    except FieldError as error:
        errors["date"] = str(error)
    else:
        end = season_end(cohort.start_date)
        if day is None:
            errors["date"] = "La date est obligatoire."
        elif day < cohort.start_date:
            errors["date"] = (
                f"La date est antérieure au début de la promotion "
                f"({format_date(cohort.start_date)})."
            )
        elif day > end:
            errors["date"] = f"La date est postérieure à la fin de la saison ({format_date(end)})."
        values["day"] = day
    try:
        title = clean_line(data.title, 200, "Le titre")
    except FieldError as error:
        errors["titre"] = str(error)
    else:
        if not title:
            errors["titre"] = "Le titre est obligatoire."
        values["title"] = title
    kind = next((k for k in ActivityKind if fold(data.kind) in (k.value, fold(k.label))), None)
    if kind is None:
        allowed = ", ".join(k.label for k in ActivityKind)
        errors["type"] = f"Type d'activité inconnu (valeurs possibles : {allowed})."
    else:
        values["kind"] = kind.value
    try:
        values["trainers"] = clean_line(data.trainers, 250, "Les formateurs") or ""
    except FieldError as error:
        errors["formateurs"] = str(error)
    try:
        values["place"] = clean_line(data.place, 200, "Le lieu") or ""
    except FieldError as error:
        errors["lieu"] = str(error)
    try:
        values["notes"] = clean_text(data.notes, MAX_NOTE_LENGTH, "Les notes")
    except FieldError as error:
        errors["notes"] = str(error)
    if errors:
        raise ValidationError(errors)
    return values


def create_activity(
    session: Session,
    cohort_id: int,
    data: ActivityInput,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> ActivityInfo:
    require_writer(actor)
    cohort = load_cohort(session, cohort_id)
    require_cohort_writable(cohort, actor, now)
    activity = Activity(cohort=cohort, **_activity_values(cohort, data))
    session.add(activity)
    session.flush()
    return activity_info(load_activity(session, activity.id))


def update_activity(
    session: Session,
    activity_id: int,
    data: ActivityInput,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> ActivityInfo:
    require_writer(actor)
    activity = load_activity(session, activity_id)
    require_cohort_writable(activity.cohort, actor, now)
    for attribute, value in _activity_values(activity.cohort, data).items():
        setattr(activity, attribute, value)
    session.flush()
    return activity_info(activity)


def activities(session: Session, cohort_id: int) -> list[ActivityInfo]:
    rows = session.scalars(
        select(Activity)
        .where(Activity.cohort_id == cohort_id)
        .options(*_activity_options())
        .order_by(Activity.day, Activity.id)
    )
    return [activity_info(a) for a in rows]


def set_teams(
    session: Session,
    activity_id: int,
    teams: list[tuple[str, list[int]]],
    *,
    actor: Actor,
    now: datetime | None = None,
) -> ActivityInfo:
    """Replace the activity's teams; each learner of the cohort is in one team at most."""
    require_writer(actor)
    activity = load_activity(session, activity_id)
    require_cohort_writable(activity.cohort, actor, now)
    learners = {c.id: c for c in cohort_candidates(session, activity.cohort)}
    problems: list[str] = []
    seen: set[int] = set()
    cleaned: list[tuple[str, list[int]]] = []
    for name, members in teams:
        clean_name = name.strip()
        if not clean_name:
            problems.append("Chaque équipe doit avoir un nom.")
        elif len(clean_name) > 80:
            problems.append(f"Le nom de l'équipe « {clean_name[:20]}… » dépasse 80 caractères.")
        elif unwanted := unwanted_characters(clean_name, one_line=True):
            problems.append(f"Le nom d'une équipe contient {unwanted}.")
        for candidate_id in members:
            if candidate_id not in learners:
                problems.append("Un des apprenants choisis ne fait pas partie de cette promotion.")
            elif candidate_id in seen:
                problems.append(
                    f"{display_name(learners[candidate_id])} est dans plusieurs équipes ; "
                    "chaque apprenant n'appartient qu'à une équipe par activité."
                )
            seen.add(candidate_id)
        cleaned.append((clean_name, list(dict.fromkeys(members))))
    if problems:
        raise ValidationError({"equipes": " ".join(dict.fromkeys(problems))})
    activity.teams.clear()
    session.flush()  # the old members go before the new ones meet the unique constraint
    for position, (name, members) in enumerate(cleaned):
        team = Team(name=name, position=position)
        team.members = [
            TeamMember(activity_id=activity.id, candidate_id=candidate_id)
            for candidate_id in members
        ]
        activity.teams.append(team)
    session.flush()
    session.expire(activity)
    return activity_info(load_activity(session, activity_id))
