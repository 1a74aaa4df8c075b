"""Orientation period: cohorts, the team-work grid, activities, observations, decisions.

Observations and learner notes are append-only: a correction is a new row (an observation
supersedes the previous one), so the order of recording (the id) is the truth within one
activity. Across activities, the latest level is the one of the latest activity (by day, then
recording time, then id); `non_observe` is the absence of an observation, never a low mark.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session, joinedload, selectinload

from app.domain import (
    Activity,
    Candidate,
    Cohort,
    Criterion,
    LearnerNote,
    Observation,
    OrientationDecision,
    ProfessionalProject,
    Season,
    Site,
    Stage,
    StageChange,
    Team,
    TeamMember,
)
from app.domain.orientation import ActivityKind, Level, Outcome, ProjectStatus
from app.domain.text import fold
from app.domain.values import ALLOWED_TRANSITIONS, ENTRY_STAGE
from app.pdf.bilan_data import BilanData, CommentLine, CriterionSummary
from app.services import reference
from app.services.actor import Actor
from app.services.candidates.records import change_stage, display_name, load_candidate
from app.services.errors import NotFoundError, PermissionDenied, ValidationError
from app.services.permissions import require_orientation_reader, role_of
from app.services.validation import (
    FieldError,
    clean_line,
    clean_text,
    format_date,
    parse_date,
    unwanted_characters,
)

ROLES_WRITING_OBSERVATIONS = frozenset({"formateur", "coordination"})
ROLE_DECIDING = "coordination"

ORIENTATION_WEEKS = reference.ORIENTATION_WEEKS
MAX_NOTE_LENGTH = 2000
_LEVEL_BY_KEY = {level.key: level for level in Level}
_LEVEL_RANK = {Level.ACQUIS.value: 3, Level.EN_COURS.value: 2, Level.NON_ACQUIS.value: 1}
_OUTCOME_STAGES = {
    Outcome.VALIDATED.value: "orientation_validee",
    Outcome.WITH_RESERVATIONS.value: "orientation_reserves",
    Outcome.NOT_VALIDATED.value: "orientation_non_validee",
}


# ---------------------------------------------------------------- what the UI receives


@dataclass(frozen=True)
class CriterionInfo:
    id: int
    code: str
    label: str
    grounding: str
    retired: bool


@dataclass(frozen=True)
class CohortInfo:
    id: int
    season: str
    site_id: int
    site_name: str
    start_date: date
    label: str  # "Saison 2025-2026 — Cobalt"

    @property
    def orientation_end(self) -> date:
        return self.start_date + timedelta(weeks=ORIENTATION_WEEKS)


@dataclass(frozen=True)
class LearnerInfo:
    candidate_id: int
    name: str


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


@dataclass
class ActivityInput:
    """What the user typed; `day` as JJ/MM/AAAA."""

    day: str = ""
    title: str = ""
    kind: str = ActivityKind.WORKSHOP.value
    trainers: str = ""
    notes: str = ""


@dataclass(frozen=True)
class GridData:
    activity: ActivityInfo
    team: TeamInfo
    criteria: tuple[CriterionInfo, ...]
    levels: dict[tuple[int, int], str]  # (candidate_id, criterion_id) -> Level value
    notes: dict[int, str]  # candidate_id -> latest note text for this activity


@dataclass(frozen=True)
class LevelChange:
    recorded_at: datetime
    author: str
    from_label: str
    to_label: str


@dataclass(frozen=True)
class MatrixData:
    cohort: CohortInfo
    week: int
    learners: tuple[LearnerInfo, ...]
    criteria: tuple[CriterionInfo, ...]
    latest: dict[tuple[int, int], str]  # (candidate_id, criterion_id) -> Level value
    not_observed_this_week: frozenset[int]


@dataclass(frozen=True)
class WeekLevels:
    criterion: CriterionInfo
    by_week: tuple[str, ...]  # S1…S6: Level value of the week's latest observation, or ""


@dataclass(frozen=True)
class NoteInfo:
    day: date
    activity: str
    author: str
    text: str


@dataclass(frozen=True)
class ProjectInfo:
    filiere: str
    target_job: str
    steps: str
    status: str
    status_label: str
    updated_by: str
    updated_at: datetime | None


@dataclass(frozen=True)
class DecisionInfo:
    outcome: str
    outcome_label: str
    filiere: str
    reason: str
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True)
class LearnerPage:
    candidate_id: int
    name: str
    cohort: CohortInfo | None
    weeks: tuple[WeekLevels, ...]
    notes: tuple[NoteInfo, ...]
    project: ProjectInfo
    decision: DecisionInfo | None


# ---------------------------------------------------------------- helpers


def week_of(start: date, day: date) -> int:
    """1-based week of `day` counted from `start` (start … start + 6 days is week 1); 0 before."""
    if day < start:
        return 0
    return (day - start).days // 7 + 1


def _season_end(start: date) -> date:
    """Start + 8 months (a day past the end of a shorter month is brought back)."""
    months = start.month - 1 + reference.SEASON_MONTHS
    year, month = start.year + months // 12, months % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _require_writer(actor: Actor) -> None:
    if role_of(actor) not in ROLES_WRITING_OBSERVATIONS:
        raise PermissionDenied(
            "Seuls les formateurs et la coordination peuvent saisir les activités "
            "et les observations."
        )


def _require_coordination(actor: Actor, action: str) -> None:
    if role_of(actor) != ROLE_DECIDING:
        raise PermissionDenied(f"Seule la coordination peut {action}.")


def _criterion_info(criterion: Criterion) -> CriterionInfo:
    return CriterionInfo(
        id=criterion.id,
        code=criterion.code,
        label=criterion.label,
        grounding=criterion.grounding or "",
        retired=criterion.retired_at is not None,
    )


def _cohort_info(cohort: Cohort) -> CohortInfo:
    return CohortInfo(
        id=cohort.id,
        season=cohort.season.label,
        site_id=cohort.site_id,
        site_name=cohort.site.name,
        start_date=cohort.start_date,
        label=f"Saison {cohort.season.label} — {cohort.site.name}",
    )


def _learner(candidate: Candidate) -> LearnerInfo:
    return LearnerInfo(candidate.id, display_name(candidate))


def _by_name(learners: Iterable[LearnerInfo]) -> list[LearnerInfo]:
    return sorted(learners, key=lambda learner: (fold(learner.name), learner.candidate_id))


def _activity_info(activity: Activity) -> ActivityInfo:
    teams = tuple(
        TeamInfo(
            id=team.id,
            name=team.name,
            learners=tuple(_by_name(_learner(m.candidate) for m in team.members)),
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
    )


def _activity_options() -> Sequence[Any]:
    return (
        joinedload(Activity.cohort),
        selectinload(Activity.teams).selectinload(Team.members).joinedload(TeamMember.candidate),
    )


def _load_activity(session: Session, activity_id: int) -> Activity:
    activity = session.scalar(
        select(Activity).where(Activity.id == activity_id).options(*_activity_options())
    )
    if activity is None:
        raise NotFoundError("Cette activité n'existe plus.")
    return activity


def _load_cohort(session: Session, cohort_id: int) -> Cohort:
    cohort = session.scalar(
        select(Cohort)
        .where(Cohort.id == cohort_id)
        .options(joinedload(Cohort.season), joinedload(Cohort.site))
    )
    if cohort is None:
        raise NotFoundError("Cette promotion n'existe plus.")
    return cohort


def _parse_level(level: str) -> Level:
    text = level.strip()
    if text in _LEVEL_BY_KEY:
        return _LEVEL_BY_KEY[text]
    for value in Level:
        if fold(text) in (value.value, fold(value.label)):
            return value
    raise ValidationError(
        {"niveau": "Niveau inconnu : taper 1 (acquis), 2 (en cours), 3 (non acquis) ou 0."}
    )


@dataclass(frozen=True)
class _Obs:
    """One observation row with its activity's day, as read for computations."""

    id: int
    activity_id: int
    candidate_id: int
    criterion_id: int
    level: str
    recorded_at: datetime
    day: date
    start: date


def _observations(session: Session, *conditions: Any) -> list[_Obs]:
    """Observations with their activity's day and cohort start, in recording order (one query)."""
    statement = (
        select(
            Observation.id,
            Observation.activity_id,
            Observation.candidate_id,
            Observation.criterion_id,
            Observation.level,
            Observation.recorded_at,
            Activity.day,
            Cohort.start_date,
        )
        .join(Activity, Activity.id == Observation.activity_id)
        .join(Cohort, Cohort.id == Activity.cohort_id)
        .where(*conditions)
        .order_by(Observation.id)
    )
    return [_Obs(*row) for row in session.execute(statement)]


def _effective(rows: Iterable[_Obs]) -> list[_Obs]:
    """The current observation per (activity, learner, criterion): the last one recorded."""
    current: dict[tuple[int, int, int], _Obs] = {}
    for row in rows:
        current[(row.activity_id, row.candidate_id, row.criterion_id)] = row
    return sorted(current.values(), key=lambda r: (r.day, r.recorded_at, r.id))


def _latest_levels(rows: Iterable[_Obs]) -> dict[tuple[int, int], str]:
    """Latest observed level per (learner, criterion) across activities; non observé skipped."""
    latest: dict[tuple[int, int], str] = {}
    for row in _effective(rows):
        if row.level != Level.NON_OBSERVE.value:
            latest[(row.candidate_id, row.criterion_id)] = row.level
    return latest


def _criteria_shown(session: Session, observed_ids: Iterable[int]) -> list[CriterionInfo]:
    """Active criteria, plus the retired ones among `observed_ids`, by position."""
    observed = set(observed_ids)
    rows = session.scalars(select(Criterion).order_by(Criterion.position, Criterion.id))
    return [_criterion_info(c) for c in rows if c.retired_at is None or c.id in observed]


# ---------------------------------------------------------------- cohorts and learners


def cohorts(session: Session) -> list[CohortInfo]:
    """Every cohort, creating the missing ones for each (season, site) with an entered learner."""
    missing = _seasons_and_sites_without_cohort(session)
    if missing:
        seasons = {
            s.id: s
            for s in session.scalars(
                select(Season).where(Season.id.in_({season_id for season_id, _ in missing}))
            )
        }
        for season_id, site_id in missing:
            season = seasons[season_id]
            session.add(
                Cohort(
                    season_id=season_id,
                    site_id=site_id,
                    start_date=season.start_date,
                    capacity=season.cohort_capacity,
                )
            )
        session.flush()
    rows = session.scalars(
        select(Cohort)
        .join(Season, Season.id == Cohort.season_id)
        .join(Site, Site.id == Cohort.site_id)
        .options(joinedload(Cohort.season), joinedload(Cohort.site))
        .order_by(Season.start_date.desc(), Site.id)
    )
    return [_cohort_info(c) for c in rows]


def _seasons_and_sites_without_cohort(session: Session) -> list[tuple[int, int]]:
    """(season, site) pairs with an entered learner but no cohort yet.

    Asked pair by pair (a handful of seasons times two sites), each answered by the
    (season, site) index: it does not grow with the candidates of past seasons.
    """
    has_cohort = (
        select(Cohort.id).where(Cohort.season_id == Season.id, Cohort.site_id == Site.id).exists()
    )
    has_entered = (
        select(Candidate.id)
        .join(Stage, Stage.id == Candidate.stage_id)
        .where(
            Candidate.season_id == Season.id,
            Candidate.site_id == Site.id,
            Stage.counts_as_entry.is_(True),
        )
        .exists()
    )
    statement = (
        select(Season.id, Site.id)
        .join(Site, true())
        .where(~has_cohort, has_entered)
        .order_by(Season.id, Site.id)
    )
    return [(season_id, site_id) for season_id, site_id in session.execute(statement)]


def _cohort_candidates(session: Session, cohort: Cohort) -> list[Candidate]:
    return list(
        session.scalars(
            select(Candidate)
            .join(Stage, Stage.id == Candidate.stage_id)
            .where(
                Candidate.season_id == cohort.season_id,
                Candidate.site_id == cohort.site_id,
                Stage.counts_as_entry.is_(True),
            )
        )
    )


def cohort_learners(session: Session, cohort_id: int) -> list[LearnerInfo]:
    """The cohort's learners (candidates of its season and site who entered training), by name."""
    cohort = _load_cohort(session, cohort_id)
    return _by_name(_learner(c) for c in _cohort_candidates(session, cohort))


# ---------------------------------------------------------------- criteria


def criteria(session: Session, *, include_retired: bool = False) -> list[CriterionInfo]:
    statement = select(Criterion).order_by(Criterion.position, Criterion.id)
    if not include_retired:
        statement = statement.where(Criterion.retired_at.is_(None))
    return [_criterion_info(c) for c in session.scalars(statement)]


def _clean_label(label: str) -> str:
    try:
        text = clean_line(label, 200, "Le libellé")
    except FieldError as error:
        raise ValidationError({"libelle": str(error)}) from None
    if not text:
        raise ValidationError({"libelle": "Le libellé est obligatoire."})
    return text


def add_criterion(
    session: Session, code: str, label: str, grounding: str, *, actor: Actor
) -> CriterionInfo:
    _require_coordination(actor, "modifier la grille d'évaluation")
    errors: dict[str, str] = {}
    clean_code = code.strip().upper()
    if not clean_code:
        errors["code"] = "Le code est obligatoire."
    elif len(clean_code) > 10 or any(not c.isalnum() for c in clean_code):
        errors["code"] = "Le code a 10 lettres ou chiffres au plus (exemple : E7)."
    elif (
        session.scalar(select(Criterion.id).where(func.upper(Criterion.code) == clean_code))
        is not None
    ):
        errors["code"] = f"Le code « {clean_code} » est déjà utilisé par un autre critère."
    clean_label = ""
    try:
        clean_label = _clean_label(label)
    except ValidationError as error:
        errors.update(error.errors)
    try:
        clean_grounding = clean_line(grounding, 200, "Le fondement")
    except FieldError as error:
        errors["fondement"] = str(error)
        clean_grounding = None
    if errors:
        raise ValidationError(errors)
    position = session.scalar(select(func.max(Criterion.position)))
    criterion = Criterion(
        code=clean_code,
        label=clean_label,
        grounding=clean_grounding,
        position=(position if position is not None else -1) + 1,
    )
    session.add(criterion)
    session.flush()
    return _criterion_info(criterion)


def _load_criterion(session: Session, criterion_id: int) -> Criterion:
    criterion = session.get(Criterion, criterion_id)
    if criterion is None:
        raise NotFoundError("Ce critère n'existe plus.")
    return criterion


def rename_criterion(
    session: Session, criterion_id: int, label: str, *, actor: Actor
) -> CriterionInfo:
    _require_coordination(actor, "modifier la grille d'évaluation")
    criterion = _load_criterion(session, criterion_id)
    criterion.label = _clean_label(label)
    session.flush()
    return _criterion_info(criterion)


def retire_criterion(
    session: Session, criterion_id: int, *, actor: Actor, now: datetime | None = None
) -> None:
    """Retired criteria leave new grids; past observations keep them readable."""
    _require_coordination(actor, "modifier la grille d'évaluation")
    criterion = _load_criterion(session, criterion_id)
    if criterion.retired_at is None:
        criterion.retired_at = now or datetime.now()
        session.flush()


# ---------------------------------------------------------------- activities and teams


def _activity_values(cohort: Cohort, data: ActivityInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        day = parse_date(data.day)
    except FieldError as error:
        errors["date"] = str(error)
    else:
        end = _season_end(cohort.start_date)
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
        values["notes"] = clean_text(data.notes, MAX_NOTE_LENGTH, "Les notes")
    except FieldError as error:
        errors["notes"] = str(error)
    if errors:
        raise ValidationError(errors)
    return values


def create_activity(
    session: Session, cohort_id: int, data: ActivityInput, *, actor: Actor
) -> ActivityInfo:
    _require_writer(actor)
    cohort = _load_cohort(session, cohort_id)
    activity = Activity(cohort=cohort, **_activity_values(cohort, data))
    session.add(activity)
    session.flush()
    return _activity_info(_load_activity(session, activity.id))


def update_activity(
    session: Session, activity_id: int, data: ActivityInput, *, actor: Actor
) -> ActivityInfo:
    _require_writer(actor)
    activity = _load_activity(session, activity_id)
    for attribute, value in _activity_values(activity.cohort, data).items():
        setattr(activity, attribute, value)
    session.flush()
    return _activity_info(activity)


def activities(session: Session, cohort_id: int) -> list[ActivityInfo]:
    rows = session.scalars(
        select(Activity)
        .where(Activity.cohort_id == cohort_id)
        .options(*_activity_options())
        .order_by(Activity.day, Activity.id)
    )
    return [_activity_info(a) for a in rows]


def set_teams(
    session: Session, activity_id: int, teams: list[tuple[str, list[int]]], *, actor: Actor
) -> ActivityInfo:
    """Replace the activity's teams; each learner of the cohort is in one team at most."""
    _require_writer(actor)
    activity = _load_activity(session, activity_id)
    learners = {c.id: c for c in _cohort_candidates(session, activity.cohort)}
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
    return _activity_info(_load_activity(session, activity_id))


# ---------------------------------------------------------------- entering levels and notes


def grid(session: Session, activity_id: int, team_id: int, *, actor: Actor) -> GridData:
    """A team's levels and notes for one activity: active criteria and retired ones observed."""
    require_orientation_reader(actor)
    activity = _load_activity(session, activity_id)
    info = _activity_info(activity)
    team = next((t for t in info.teams if t.id == team_id), None)
    if team is None:
        raise NotFoundError("Cette équipe n'existe plus dans cette activité.")
    rows = _observations(session, Observation.activity_id == activity_id)
    members = {learner.candidate_id for learner in team.learners}
    levels = {
        (r.candidate_id, r.criterion_id): r.level
        for r in _effective(rows)
        if r.candidate_id in members and r.level != Level.NON_OBSERVE.value
    }
    notes: dict[int, str] = {}
    for note in session.scalars(
        select(LearnerNote)
        .where(LearnerNote.activity_id == activity_id, LearnerNote.candidate_id.in_(members))
        .order_by(LearnerNote.id)
    ):
        notes[note.candidate_id] = note.text
    return GridData(
        activity=info,
        team=team,
        criteria=tuple(_criteria_shown(session, (r.criterion_id for r in rows))),
        levels=levels,
        notes={k: v for k, v in notes.items() if v},
    )


def _require_team_member(activity: Activity, candidate_id: int) -> None:
    if not any(m.candidate_id == candidate_id for t in activity.teams for m in t.members):
        raise ValidationError(
            {"apprenant": "Cet apprenant ne fait partie d'aucune équipe de cette activité."}
        )


def record_level(
    session: Session,
    activity_id: int,
    candidate_id: int,
    criterion_id: int,
    level: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> bool:
    """Append an observation when the level changes; True when something was written."""
    _require_writer(actor)
    value = _parse_level(level)
    activity = _load_activity(session, activity_id)
    _require_team_member(activity, candidate_id)
    criterion = _load_criterion(session, criterion_id)
    current = session.scalar(
        select(Observation)
        .where(
            Observation.activity_id == activity_id,
            Observation.candidate_id == candidate_id,
            Observation.criterion_id == criterion_id,
        )
        .order_by(Observation.id.desc())
        .limit(1)
    )
    if criterion.retired_at is not None and current is None:
        already_used = session.scalar(
            select(Observation.id)
            .where(Observation.activity_id == activity_id, Observation.criterion_id == criterion_id)
            .limit(1)
        )
        if already_used is None:
            raise ValidationError({"critere": "Ce critère a été retiré de la grille."})
    current_level = current.level if current is not None else Level.NON_OBSERVE.value
    if current_level == value.value:
        return False
    session.add(
        Observation(
            activity_id=activity_id,
            candidate_id=candidate_id,
            criterion_id=criterion_id,
            level=value.value,
            author=actor.author,
            recorded_at=now or datetime.now(),
            supersedes_id=current.id if current is not None else None,
        )
    )
    session.flush()
    return True


def record_note(
    session: Session,
    activity_id: int,
    candidate_id: int,
    text: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> bool:
    """Append the learner's comment for this activity when it changed (empty text clears it)."""
    _require_writer(actor)
    try:
        clean = clean_text(text, MAX_NOTE_LENGTH, "Le commentaire") or ""
    except FieldError as error:
        raise ValidationError({"commentaire": str(error)}) from None
    activity = _load_activity(session, activity_id)
    _require_team_member(activity, candidate_id)
    latest = session.scalar(
        select(LearnerNote.text)
        .where(LearnerNote.activity_id == activity_id, LearnerNote.candidate_id == candidate_id)
        .order_by(LearnerNote.id.desc())
        .limit(1)
    )
    if (latest or "") == clean:
        return False
    session.add(
        LearnerNote(
            activity_id=activity_id,
            candidate_id=candidate_id,
            text=clean,
            author=actor.author,
            recorded_at=now or datetime.now(),
        )
    )
    session.flush()
    return True


def level_history(
    session: Session, activity_id: int, candidate_id: int, criterion_id: int, *, actor: Actor
) -> list[LevelChange]:
    """Every level recorded for this cell, oldest first."""
    require_orientation_reader(actor)
    rows = session.scalars(
        select(Observation)
        .where(
            Observation.activity_id == activity_id,
            Observation.candidate_id == candidate_id,
            Observation.criterion_id == criterion_id,
        )
        .order_by(Observation.id)
    )
    changes = []
    previous = Level.NON_OBSERVE
    for row in rows:
        level = Level(row.level)
        changes.append(LevelChange(row.recorded_at, row.author, previous.label, level.label))
        previous = level
    return changes


# ---------------------------------------------------------------- cohort and learner views


def cohort_matrix(session: Session, cohort_id: int, today: date, *, actor: Actor) -> MatrixData:
    """Learners × criteria with each learner's latest level, and who was not observed this week."""
    require_orientation_reader(actor)
    cohort = _load_cohort(session, cohort_id)
    info = _cohort_info(cohort)
    week = min(max(week_of(cohort.start_date, today), 1), ORIENTATION_WEEKS)
    learners = tuple(_by_name(_learner(c) for c in _cohort_candidates(session, cohort)))
    rows = _observations(session, Activity.cohort_id == cohort_id)
    observed_this_week = {
        r.candidate_id
        for r in _effective(rows)
        if r.level != Level.NON_OBSERVE.value and week_of(r.start, r.day) == week
    }
    latest = _latest_levels(rows)
    return MatrixData(
        cohort=info,
        week=week,
        learners=learners,
        criteria=tuple(_criteria_shown(session, (criterion for _, criterion in latest))),
        latest=latest,
        not_observed_this_week=frozenset(
            learner.candidate_id
            for learner in learners
            if learner.candidate_id not in observed_this_week
        ),
    )


def _find_cohort(session: Session, candidate: Candidate) -> Cohort | None:
    return session.scalar(
        select(Cohort)
        .where(Cohort.season_id == candidate.season_id, Cohort.site_id == candidate.site_id)
        .options(joinedload(Cohort.season), joinedload(Cohort.site))
    )


@dataclass(frozen=True)
class _LearnerLevels:
    weeks: tuple[WeekLevels, ...]
    latest: dict[int, str]  # criterion_id -> latest observed Level value


def _learner_levels(session: Session, candidate_id: int) -> _LearnerLevels:
    rows = _observations(session, Observation.candidate_id == candidate_id)
    by_week: dict[int, list[str]] = {}
    for row in _effective(rows):
        week = week_of(row.start, row.day)
        if row.level != Level.NON_OBSERVE.value and 1 <= week <= ORIENTATION_WEEKS:
            by_week.setdefault(row.criterion_id, [""] * ORIENTATION_WEEKS)[week - 1] = row.level
    latest = {criterion: level for (_, criterion), level in _latest_levels(rows).items()}
    weeks = tuple(
        WeekLevels(c, tuple(by_week.get(c.id, [""] * ORIENTATION_WEEKS)))
        for c in _criteria_shown(session, latest)
    )
    return _LearnerLevels(weeks, latest)


def _notes(session: Session, candidate_id: int) -> tuple[NoteInfo, ...]:
    """The current comment of each activity, oldest activity first."""
    rows = session.execute(
        select(LearnerNote, Activity.day, Activity.title)
        .join(Activity, Activity.id == LearnerNote.activity_id)
        .where(LearnerNote.candidate_id == candidate_id)
        .order_by(LearnerNote.id)
    ).all()
    current: dict[int, tuple[LearnerNote, date, str]] = {}
    for note, day, title in rows:
        current[note.activity_id] = (note, day, title)
    ordered = sorted(current.values(), key=lambda v: (v[1], v[0].recorded_at, v[0].id))
    return tuple(
        NoteInfo(day, title, note.author, note.text) for note, day, title in ordered if note.text
    )


def _project(session: Session, candidate_id: int) -> ProjectInfo:
    project = session.scalar(
        select(ProfessionalProject)
        .where(ProfessionalProject.candidate_id == candidate_id)
        .options(joinedload(ProfessionalProject.filiere))
    )
    if project is None:
        status = ProjectStatus.TO_BUILD
        return ProjectInfo("", "", "", status.value, status.label, "", None)
    return ProjectInfo(
        filiere=project.filiere.label if project.filiere else "",
        target_job=project.target_job or "",
        steps=project.steps or "",
        status=project.status,
        status_label=ProjectStatus(project.status).label,
        updated_by=project.updated_by,
        updated_at=project.updated_at,
    )


def _decision_info(decision: OrientationDecision) -> DecisionInfo:
    return DecisionInfo(
        outcome=decision.outcome,
        outcome_label=Outcome(decision.outcome).label,
        filiere=decision.filiere.label if decision.filiere else "",
        reason=decision.reason or "",
        decided_by=decision.decided_by,
        decided_at=decision.decided_at,
    )


def _decision(session: Session, candidate_id: int) -> DecisionInfo | None:
    decision = session.scalar(
        select(OrientationDecision)
        .where(OrientationDecision.candidate_id == candidate_id)
        .options(joinedload(OrientationDecision.filiere))
        .order_by(OrientationDecision.id.desc())
        .limit(1)
    )
    return _decision_info(decision) if decision is not None else None


def learner_page(session: Session, candidate_id: int, *, actor: Actor) -> LearnerPage:
    require_orientation_reader(actor)
    candidate = load_candidate(session, candidate_id)
    cohort = _find_cohort(session, candidate)
    return LearnerPage(
        candidate_id=candidate.id,
        name=display_name(candidate),
        cohort=_cohort_info(cohort) if cohort is not None else None,
        weeks=_learner_levels(session, candidate_id).weeks,
        notes=_notes(session, candidate_id),
        project=_project(session, candidate_id),
        decision=_decision(session, candidate_id),
    )


# ---------------------------------------------------------------- project and decision


def _filiere_id(session: Session, raw: str) -> int | None:
    if not raw.strip():
        return None
    options = reference.cached(session, reference.filieres)
    option = reference.match_option(options, raw)
    if option is None:
        allowed = ", ".join(o.label for o in options)
        raise FieldError(f"Filière inconnue : « {raw.strip()} » (valeurs possibles : {allowed}).")
    return option.id


def save_project(
    session: Session,
    candidate_id: int,
    *,
    filiere: str,
    target_job: str,
    steps: str,
    status: str,
    actor: Actor,
    now: datetime | None = None,
) -> ProjectInfo:
    _require_writer(actor)
    load_candidate(session, candidate_id)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key, attribute, parse in (
        ("filiere", "filiere_id", lambda: _filiere_id(session, filiere)),
        ("metier", "target_job", lambda: clean_line(target_job, 200, "Le métier visé")),
        ("etapes", "steps", lambda: clean_text(steps, 5000, "Les étapes")),
    ):
        try:
            values[attribute] = parse()
        except FieldError as error:
            errors[key] = str(error)
    try:
        values["status"] = ProjectStatus(status.strip()).value
    except ValueError:
        allowed = ", ".join(s.label for s in ProjectStatus)
        errors["statut"] = f"Statut inconnu (valeurs possibles : {allowed})."
    if errors:
        raise ValidationError(errors)
    project = session.scalar(
        select(ProfessionalProject).where(ProfessionalProject.candidate_id == candidate_id)
    )
    if project is None:
        project = ProfessionalProject(candidate_id=candidate_id)
        session.add(project)
    for attribute, value in values.items():
        setattr(project, attribute, value)
    project.updated_by = actor.author
    project.updated_at = now or datetime.now()
    session.flush()
    session.expire(project, ["filiere"])
    return _project(session, candidate_id)


def _entered_training(session: Session, candidate: Candidate) -> bool:
    if candidate.stage.counts_as_entry:
        return True
    entered = session.scalar(
        select(StageChange.id)
        .join(Stage, Stage.id == StageChange.to_stage_id)
        .where(StageChange.candidate_id == candidate.id, Stage.counts_as_entry.is_(True))
        .limit(1)
    )
    return entered is not None


def decide(
    session: Session,
    candidate_id: int,
    *,
    outcome: str,
    filiere: str,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> DecisionInfo:
    """Record the end-of-orientation decision and move the candidate's stage accordingly."""
    _require_coordination(actor, "enregistrer la décision de fin d'orientation")
    now = now or datetime.now()
    candidate = load_candidate(session, candidate_id)
    errors: dict[str, str] = {}
    try:
        result: Outcome | None = Outcome(outcome.strip())
    except ValueError:
        result = None
        errors["decision"] = "Choisir la décision : validée, validée avec réserves ou non validée."
    filiere_id = None
    try:
        filiere_id = _filiere_id(session, filiere)
    except FieldError as error:
        errors["filiere"] = str(error)
    try:
        motive = clean_text(reason, MAX_NOTE_LENGTH, "Le motif")
    except FieldError as error:
        errors["motif"] = str(error)
        motive = None
    if result in (Outcome.VALIDATED, Outcome.WITH_RESERVATIONS) and filiere_id is None:
        errors.setdefault("filiere", "Indiquer la filière attribuée.")
    if result in (Outcome.NOT_VALIDATED, Outcome.WITH_RESERVATIONS) and not motive:
        errors.setdefault("motif", "Indiquer le motif (réserves, réorientation ou sortie).")
    if "decision" not in errors and not _entered_training(session, candidate):
        errors["decision"] = (
            f"{display_name(candidate)} n'est pas entré(e) en formation : "
            "aucune décision d'orientation n'est possible."
        )
    if errors:
        raise ValidationError(errors)
    assert result is not None
    target = _OUTCOME_STAGES[result.value]
    comment = f"{result.label} : {motive}" if motive else result.label
    if len(comment) > MAX_NOTE_LENGTH:  # the stage history shows the start, the decision keeps all
        comment = comment[: MAX_NOTE_LENGTH - 1] + "…"
    current = candidate.stage.code
    if current != target:
        if (
            target not in ALLOWED_TRANSITIONS.get(current, ())
            and current in _OUTCOME_STAGES.values()
        ):
            change_stage(
                session,
                candidate_id,
                ENTRY_STAGE,
                comment="Révision de la décision de fin d'orientation",
                actor=actor,
                now=now,
            )
            current = ENTRY_STAGE
        if target in ALLOWED_TRANSITIONS.get(current, ()):
            change_stage(session, candidate_id, target, comment=comment, actor=actor, now=now)
    decision = OrientationDecision(
        candidate_id=candidate_id,
        outcome=result.value,
        filiere_id=filiere_id,
        reason=motive,
        decided_by=actor.author,
        decided_at=now,
    )
    session.add(decision)
    session.flush()
    session.refresh(decision, ["filiere"])
    return _decision_info(decision)


# ---------------------------------------------------------------- bilan d'orientation


def _trend(levels: Sequence[str]) -> str:
    observed = [_LEVEL_RANK[level] for level in levels if level in _LEVEL_RANK]
    if not observed:
        return "non observé"
    if observed[-1] > observed[0]:
        return "en progrès"
    if observed[-1] < observed[0]:
        return "en recul"
    return "stable"


def bilan_data(
    session: Session,
    candidate_id: int,
    *,
    actor: Actor,
    organisation: str = "La Fabrique du Numérique",
    today: date | None = None,
) -> BilanData:
    """What the learner's orientation summary (bilan d'orientation) prints."""
    require_orientation_reader(actor)
    candidate = load_candidate(session, candidate_id)
    cohort = _find_cohort(session, candidate)
    levels = _learner_levels(session, candidate_id)
    project = _project(session, candidate_id)
    decision = _decision(session, candidate_id)
    summaries = tuple(
        CriterionSummary(
            code=w.criterion.code,
            label=w.criterion.label,
            latest_level=Level(levels.latest.get(w.criterion.id, Level.NON_OBSERVE.value)).label,
            trend=_trend(w.by_week),
            weekly_levels=tuple(Level(v).label if v else "" for v in w.by_week),
        )
        for w in levels.weeks
    )
    if cohort is not None:
        info = _cohort_info(cohort)
        cohort_label = f"{info.label} ({cohort.site.city})"
        period = f"du {format_date(info.start_date)} au {format_date(info.orientation_end)}"
    else:
        cohort_label = period = ""
    return BilanData(
        organisation=organisation,
        learner_name=display_name(candidate),
        birth_date=candidate.birth_date,
        cohort_label=cohort_label,
        period=period,
        criteria=summaries,
        comments=tuple(
            CommentLine(n.day, n.activity, n.author, n.text) for n in _notes(session, candidate_id)
        ),
        project_filiere=project.filiere,
        project_job=project.target_job,
        project_steps=project.steps,
        project_status=project.status_label,
        decision=decision.outcome_label if decision else "Décision non encore prise",
        decision_filiere=decision.filiere if decision else "",
        decision_reason=decision.reason if decision else "",
        decided_by=decision.decided_by if decision else "",
        decided_on=decision.decided_at.date() if decision else None,
        printed_on=today or date.today(),
    )
