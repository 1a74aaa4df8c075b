"""What the trainers read of the learners' progress: the cohort matrix (latest levels, who
was not observed this week) and a learner's page (levels week by week, comments, project,
decision)."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Activity, LearnerNote, Observation
from app.domain.orientation import Level
from app.services.accounts.names import display_names, person_name
from app.services.actor import Actor
from app.services.candidates.records import display_name, load_candidate
from app.services.orientation.cohorts import (
    ORIENTATION_WEEKS,
    CohortInfo,
    LearnerInfo,
    by_name,
    cohort_candidates,
    cohort_info,
    find_cohort,
    learner_info,
    load_cohort,
    week_of,
)
from app.services.orientation.criteria import CriterionInfo, criteria_shown
from app.services.orientation.decisions import DecisionInfo, latest_decision
from app.services.orientation.events import EventInfo, learner_events
from app.services.orientation.locks import decision_locks, write_refusal
from app.services.orientation.observations import effective, latest_levels, read_observations
from app.services.orientation.projects import ProjectInfo, project_of
from app.services.permissions import require_orientation_reader


@dataclass(frozen=True)
class MatrixData:
    cohort: CohortInfo
    week: int | None  # today's orientation week S1…S6; None before S1 or after S6
    learners: tuple[LearnerInfo, ...]
    criteria: tuple[CriterionInfo, ...]
    latest: dict[tuple[int, int], str]  # (candidate_id, criterion_id) -> Level value
    not_observed_this_week: frozenset[int]  # empty outside the orientation weeks
    locked: dict[int, str] = field(default_factory=dict)  # candidate_id -> why (decided)
    read_only: str = ""  # why the cohort is read-only for this actor (season over), or ""


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
class LearnerPage:
    candidate_id: int
    name: str
    cohort: CohortInfo | None
    weeks: tuple[WeekLevels, ...]
    notes: tuple[NoteInfo, ...]
    project: ProjectInfo
    decision: DecisionInfo | None
    locked: str = ""  # why the observations are locked (decision recorded), or ""
    read_only: str = ""  # why the cohort is read-only for this actor (season over), or ""
    events: tuple[EventInfo, ...] = ()  # the events the learner took part in


def cohort_matrix(session: Session, cohort_id: int, today: date, *, actor: Actor) -> MatrixData:
    """Learners × criteria with each learner's latest level, and who was not observed this week."""
    require_orientation_reader(actor)
    cohort = load_cohort(session, cohort_id)
    info = cohort_info(cohort)
    current = week_of(cohort.start_date, today)
    week = current if 1 <= current <= ORIENTATION_WEEKS else None
    learners = tuple(by_name(learner_info(c) for c in cohort_candidates(session, cohort)))
    rows = read_observations(session, Activity.cohort_id == cohort_id)
    observed_this_week = {
        r.candidate_id
        for r in effective(rows)
        if r.level != Level.NON_OBSERVE.value and week_of(r.start, r.day) == week
    }
    latest = latest_levels(rows)
    ids = [learner.candidate_id for learner in learners]
    return MatrixData(
        cohort=info,
        week=week,
        learners=learners,
        criteria=tuple(criteria_shown(session, (criterion for _, criterion in latest))),
        latest=latest,
        not_observed_this_week=frozenset(
            candidate_id
            for candidate_id in ids
            if week is not None and candidate_id not in observed_this_week
        ),
        locked={k: lock.reason for k, lock in decision_locks(session, ids).items()},
        read_only=write_refusal(cohort, actor, today),
    )


@dataclass(frozen=True)
class LearnerLevels:
    weeks: tuple[WeekLevels, ...]
    latest: dict[int, str]  # criterion_id -> latest observed Level value


def learner_levels(session: Session, candidate_id: int) -> LearnerLevels:
    rows = read_observations(session, Observation.candidate_id == candidate_id)
    by_week: dict[int, list[str]] = {}
    for row in effective(rows):
        week = week_of(row.start, row.day)
        if row.level != Level.NON_OBSERVE.value and 1 <= week <= ORIENTATION_WEEKS:
            by_week.setdefault(row.criterion_id, [""] * ORIENTATION_WEEKS)[week - 1] = row.level
    latest = {criterion: level for (_, criterion), level in latest_levels(rows).items()}
    weeks = tuple(
        WeekLevels(c, tuple(by_week.get(c.id, [""] * ORIENTATION_WEEKS)))
        for c in criteria_shown(session, latest)
    )
    return LearnerLevels(weeks, latest)


def learner_notes(session: Session, candidate_id: int) -> tuple[NoteInfo, ...]:
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
    names = display_names(session)
    return tuple(
        NoteInfo(day, title, person_name(names, note.author), note.text)
        for note, day, title in ordered
        if note.text
    )


def learner_page(
    session: Session, candidate_id: int, *, actor: Actor, today: date | None = None
) -> LearnerPage:
    require_orientation_reader(actor)
    candidate = load_candidate(session, candidate_id)
    cohort = find_cohort(session, candidate)
    lock = decision_locks(session, (candidate_id,)).get(candidate_id)
    return LearnerPage(
        candidate_id=candidate.id,
        name=display_name(candidate),
        cohort=cohort_info(cohort) if cohort is not None else None,
        weeks=learner_levels(session, candidate_id).weeks,
        notes=learner_notes(session, candidate_id),
        project=project_of(session, candidate_id),
        decision=latest_decision(session, candidate_id),
        locked=lock.reason if lock is not None else "",
        events=learner_events(session, candidate_id),
        read_only=write_refusal(cohort, actor, today) if cohort else "",
    )
