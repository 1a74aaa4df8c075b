"""Events (Niort Numéric, an open-data hackathon…): activities of kind *Événement* with a date,
a place and the learners of the cohort who took part. What a learner took part in shows on
their page and in their bilan.

Who took part: the learners listed for the event (activity_participant) and those in one of
its teams (observed there, so present); only the former are stored as participants.

Activities are not captured by the journal's session hooks: creating or changing an event and
each learner's participation write explicit entries (the participation's entry names the
application it is about, so the personal-data rights redact it).
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Activity, ActivityParticipant, AuditAction, Candidate, TeamMember
from app.domain.orientation import ActivityKind
from app.services.actor import Actor
from app.services.errors import ValidationError
from app.services.journal import audit_log as audit
from app.services.orientation.activities import (
    ActivityInfo,
    ActivityInput,
    create_activity,
    load_activity,
    update_activity,
)
from app.services.orientation.cohorts import LearnerInfo, by_name, cohort_candidates, learner_info
from app.services.orientation.locks import require_cohort_writable
from app.services.orientation.rules import require_writer
from app.services.validation import format_date

EVENT = ActivityKind.EVENT.value
ACTIVITY_ENTITY = "activity"  # the journal's entity type of an activity (explicit entries)


@dataclass(frozen=True)
class EventInfo:
    """An event a learner took part in, as their page and their bilan list it."""

    activity_id: int
    day: date
    title: str
    place: str


def _where(activity: Activity) -> str:
    """ " « Niort Numéric » du 12/03/2026" — what an entry is about, naming no person."""
    return f" « {activity.title} » du {format_date(activity.day)}"


def participants(session: Session, activity_ids: Iterable[int]) -> dict[int, list[LearnerInfo]]:
    """Who took part in each of these events (listed or in a team), by name; [] for an activity
    that is not an event. Two queries whatever the number of activities."""
    wanted = set(activity_ids)
    found: dict[int, dict[int, LearnerInfo]] = {activity_id: {} for activity_id in wanted}
    if not wanted:
        return {}
    is_event = (Activity.id == ActivityParticipant.activity_id) & (Activity.kind == EVENT)
    listed = session.execute(
        select(ActivityParticipant.activity_id, Candidate)
        .join(Activity, is_event)
        .join(Candidate, Candidate.id == ActivityParticipant.candidate_id)
        .where(ActivityParticipant.activity_id.in_(wanted))
    )
    in_teams = session.execute(
        select(TeamMember.activity_id, Candidate)
        .join(Activity, (Activity.id == TeamMember.activity_id) & (Activity.kind == EVENT))
        .join(Candidate, Candidate.id == TeamMember.candidate_id)
        .where(TeamMember.activity_id.in_(wanted))
    )
    for activity_id, candidate in [*listed, *in_teams]:
        found[activity_id][candidate.id] = learner_info(candidate)
    return {activity_id: by_name(people.values()) for activity_id, people in found.items()}


def _team_members(activity: Activity) -> set[int]:
    return {member.candidate_id for team in activity.teams for member in team.members}


def set_participants(
    session: Session,
    activity_id: int,
    candidate_ids: Iterable[int],
    *,
    actor: Actor,
    now: datetime | None = None,
) -> list[LearnerInfo]:
    """Replace who took part in the event: learners of its cohort; each change journaled. The
    members of its teams took part anyway: they are not listed again."""
    require_writer(actor)
    activity = load_activity(session, activity_id)
    require_cohort_writable(activity.cohort, actor, now)
    given = list(dict.fromkeys(candidate_ids))
    in_teams = _team_members(activity)
    chosen = [candidate_id for candidate_id in given if candidate_id not in in_teams]
    if activity.kind != EVENT and given:
        raise ValidationError(
            {
                "participants": "Seul un événement a des participants ; les autres activités ont "
                "des équipes."
            }
        )
    learners = {c.id: c for c in cohort_candidates(session, activity.cohort)}
    if any(candidate_id not in learners for candidate_id in chosen):
        raise ValidationError(
            {"participants": "Un des apprenants choisis ne fait pas partie de cette promotion."}
        )
    current = {
        row.candidate_id: row
        for row in session.scalars(
            select(ActivityParticipant).where(ActivityParticipant.activity_id == activity_id)
        )
    }
    for candidate_id, row in current.items():
        if candidate_id not in chosen:
            session.delete(row)
            _journal_participation(session, activity, learners, candidate_id, added=False)
    for candidate_id in chosen:
        if candidate_id not in current:
            session.add(ActivityParticipant(activity_id=activity_id, candidate_id=candidate_id))
            _journal_participation(session, activity, learners, candidate_id, added=True)
    session.flush()
    return participants(session, (activity_id,))[activity_id]


def _journal_participation(
    session: Session,
    activity: Activity,
    learners: dict[int, Candidate],
    candidate_id: int,
    *,
    added: bool,
) -> None:
    candidate = learners.get(candidate_id) or session.get(Candidate, candidate_id)
    verb = "enregistrée" if added else "retirée"
    audit.record(
        session,
        AuditAction.CREATION if added else AuditAction.SUPPRESSION,
        None,
        f"Participation à l'événement{_where(activity)} {verb}",
        entity_type=ACTIVITY_ENTITY,
        entity_uuid=activity.uuid,
        candidate_uuid=candidate.uuid if candidate is not None else None,
    )


def save_event(
    session: Session,
    cohort_id: int,
    data: ActivityInput,
    candidate_ids: Iterable[int],
    *,
    activity_id: int | None = None,
    actor: Actor,
    now: datetime | None = None,
) -> ActivityInfo:
    """Create (or change, with `activity_id`) an activity and, for an event, who took part:
    one unit of work; the creation or change of an event is journaled."""
    before: tuple[object, ...] = ()
    if activity_id is None:
        info = create_activity(session, cohort_id, data, actor=actor, now=now)
    else:
        before = _described(load_activity(session, activity_id))
        info = update_activity(session, activity_id, data, actor=actor, now=now)
    activity = load_activity(session, info.id)
    is_event = activity.kind == EVENT
    set_participants(session, info.id, candidate_ids if is_event else (), actor=actor, now=now)
    if is_event and before != _described(activity):
        place = f" à {activity.place}" if activity.place else ""
        verb = "créé" if activity_id is None else "modifié"
        audit.record(
            session,
            AuditAction.CREATION if activity_id is None else AuditAction.MODIFICATION,
            None,
            f"Événement{_where(activity)}{place} {verb}",
            entity_type=ACTIVITY_ENTITY,
            entity_uuid=activity.uuid,
        )
    session.flush()
    return _with_participants(session, info)


def _described(activity: Activity) -> tuple[object, ...]:
    return (activity.day, activity.title, activity.kind, activity.place)


def _with_participants(session: Session, info: ActivityInfo) -> ActivityInfo:
    learners = tuple(participants(session, (info.id,))[info.id])
    return replace(info, participants=learners)


def learner_events(session: Session, candidate_id: int) -> tuple[EventInfo, ...]:
    """The events this learner took part in (listed, or in one of its teams), oldest first."""
    listed = select(ActivityParticipant.activity_id).where(
        ActivityParticipant.candidate_id == candidate_id
    )
    in_teams = select(TeamMember.activity_id).where(TeamMember.candidate_id == candidate_id)
    rows = session.execute(
        select(Activity.id, Activity.day, Activity.title, Activity.place)
        .where(Activity.kind == EVENT, Activity.id.in_(listed.union(in_teams)))
        .order_by(Activity.day, Activity.id)
    )
    return tuple(EventInfo(a_id, day, title, place or "") for a_id, day, title, place in rows)
