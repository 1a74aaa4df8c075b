"""Entering a team's levels and comments for one activity, and the history of one cell.

Learner notes are append-only, as observations are: the latest note of an activity is its
comment; an empty one clears it.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Activity, LearnerNote, Observation
from app.domain.orientation import Level
from app.domain.text import fold
from app.services.accounts.names import display_names, person_name
from app.services.actor import Actor
from app.services.candidates.records import display_name
from app.services.errors import NotFoundError, ValidationError
from app.services.orientation import locks
from app.services.orientation.activities import ActivityInfo, TeamInfo, activity_info, load_activity
from app.services.orientation.criteria import CriterionInfo, criteria_shown, load_criterion
from app.services.orientation.locks import (
    decision_locks,
    require_cohort_writable,
    require_not_decided,
    write_refusal,
)
from app.services.orientation.observations import effective, read_observations
from app.services.orientation.rules import MAX_NOTE_LENGTH, require_writer
from app.services.permissions import require_orientation_reader
from app.services.validation import FieldError, clean_text

_LEVEL_BY_KEY = {level.key: level for level in Level}


@dataclass(frozen=True)
class GridData:
    activity: ActivityInfo
    team: TeamInfo
    criteria: tuple[CriterionInfo, ...]
    levels: dict[tuple[int, int], str]  # (candidate_id, criterion_id) -> Level value
    notes: dict[int, str]  # candidate_id -> latest note text for this activity
    # candidate_id -> why their row is read-only (their decision is recorded)
    locked: dict[int, str]
    read_only: str = ""  # why the whole grid is read-only for this actor (season over), or ""

    def row_lock(self, candidate_id: int) -> str:
        """Why this learner's levels and comment cannot be changed here, or ""."""
        return self.read_only or self.locked.get(candidate_id, "")


@dataclass(frozen=True)
class LevelChange:
    recorded_at: datetime
    author: str
    from_label: str
    to_label: str


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


def grid(
    session: Session, activity_id: int, team_id: int, *, actor: Actor, today: date | None = None
) -> GridData:
    """A team's levels and notes for one activity: active criteria and retired ones observed;
    the rows that are read-only (decided learners) and why, the whole grid's refusal when the
    season is over for this actor."""
    require_orientation_reader(actor)
    activity = load_activity(session, activity_id)
    info = activity_info(activity)
    team = next((t for t in info.teams if t.id == team_id), None)
    if team is None:
        raise NotFoundError("Cette équipe n'existe plus dans cette activité.")
    rows = read_observations(session, Observation.activity_id == activity_id)
    members = {learner.candidate_id for learner in team.learners}
    levels = {
        (r.candidate_id, r.criterion_id): r.level
        for r in effective(rows)
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
        criteria=tuple(criteria_shown(session, (r.criterion_id for r in rows))),
        levels=levels,
        notes={k: v for k, v in notes.items() if v},
        locked={k: lock.reason for k, lock in decision_locks(session, members).items()},
        read_only=write_refusal(activity.cohort, actor, today),
    )


def _require_team_member(activity: Activity, candidate_id: int) -> str:
    """The learner's name, when they are in a team of the activity."""
    for team in activity.teams:
        for member in team.members:
            if member.candidate_id == candidate_id:
                return display_name(member.candidate)
    raise ValidationError(
        {"apprenant": "Cet apprenant ne fait partie d'aucune équipe de cette activité."}
    )


def _require_writable(
    session: Session, activity: Activity, candidate_id: int, actor: Actor, now: datetime
) -> None:
    """In a team of the activity, the season open for this actor, no decision recorded."""
    name = _require_team_member(activity, candidate_id)
    require_cohort_writable(activity.cohort, actor, now)
    require_not_decided(session, candidate_id, name)


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
    require_writer(actor)
    now = now or locks.clock()
    value = _parse_level(level)
    activity = load_activity(session, activity_id)
    _require_writable(session, activity, candidate_id, actor, now)
    criterion = load_criterion(session, criterion_id)
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
            recorded_at=now,
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
    require_writer(actor)
    now = now or locks.clock()
    try:
        clean = clean_text(text, MAX_NOTE_LENGTH, "Le commentaire") or ""
    except FieldError as error:
        raise ValidationError({"commentaire": str(error)}) from None
    activity = load_activity(session, activity_id)
    _require_writable(session, activity, candidate_id, actor, now)
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
            recorded_at=now,
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
    names = display_names(session)
    changes = []
    previous = Level.NON_OBSERVE
    for row in rows:
        level = Level(row.level)
        author = person_name(names, row.author)
        changes.append(LevelChange(row.recorded_at, author, previous.label, level.label))
        previous = level
    return changes
