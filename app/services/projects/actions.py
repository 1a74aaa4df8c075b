"""What the window and the command line ask of the call for projects: one unit of work per
user action, the rights checked here (coordination writes, trainers read and record their own
review, the desk has no access)."""

from sqlalchemy.orm import Session

from app.services.actor import Actor
from app.services.orientation import cohorts as orientation_cohorts
from app.services.permissions import (
    require_project_editor,
    require_project_reader,
)
from app.services.projects import calls, listing, realisation, reviews, states, submissions
from app.services.projects.calls import CallInfo
from app.services.projects.listing import ProjectDetails, ProjectRow
from app.services.projects.reviews import CriterionInfo, RankedProject
from app.services.unit_of_work import reads, writes

__all__ = [
    "CallInfo",
    "CohortChoice",
    "call",
    "change_state",
    "cohorts_for_season",
    "criteria",
    "delete_milestone",
    "deliver",
    "details",
    "give_to_team",
    "projects",
    "projects_of_learner",
    "ranking",
    "record_review",
    "record_satisfaction",
    "retire_criterion",
    "save_call",
    "save_criterion",
    "save_milestone",
    "submit",
    "update",
]

# ---------------------------------------------------------------- the call


# Writes: the season's call is created with its default dates the first time it is asked for.
call = writes(calls.call_for_season)
save_call = writes(calls.update_call)

# ---------------------------------------------------------------- projects


@writes
def projects(
    session: Session,
    season_label: str,
    *,
    text: str = "",
    states: frozenset[str] = frozenset(),
    actor: Actor,
) -> list[ProjectRow]:
    """The call's projects (the call created if it is new)."""
    require_project_reader(actor)
    return listing.project_rows(session, season_label, text=text, states=states)


@reads
def details(session: Session, project_id: int, *, actor: Actor) -> ProjectDetails:
    """One project's whole file."""
    require_project_reader(actor)
    return listing.project_details(session, project_id)


@reads
def projects_of_learner(session: Session, candidate_id: int, *, actor: Actor) -> list[ProjectRow]:
    """The real cases a learner worked on, for their page."""
    require_project_reader(actor)
    return listing.projects_of_learner(session, candidate_id)


submit = writes(submissions.submit_project)
update = writes(submissions.update_project)
change_state = writes(states.change_state)

# ---------------------------------------------------------------- the jury


@writes
def criteria(
    session: Session, *, include_retired: bool = False, actor: Actor
) -> list[CriterionInfo]:
    """The scoring grid, seeded with the default criteria on first use."""
    require_project_reader(actor)
    return reviews.scoring_criteria(session, include_retired=include_retired)


save_criterion = writes(reviews.save_criterion)
retire_criterion = writes(reviews.retire_criterion)
record_review = writes(reviews.record_review)


@writes
def ranking(session: Session, season_label: str, *, actor: Actor) -> list[RankedProject]:
    require_project_reader(actor)
    return reviews.ranking(session, season_label)


# ---------------------------------------------------------------- realisation

# (cohort id, "Saison 2026-2027 — Cobalt", [(candidate id, "DUPONT Léa"), …])
CohortChoice = tuple[int, str, list[tuple[int, str]]]


@writes
def cohorts_for_season(session: Session, season_label: str, *, actor: Actor) -> list[CohortChoice]:
    """The season's cohorts (created for the sites with learners), each as (cohort id,
    label, its learners as (candidate id, name) by name), for the team picker."""
    require_project_editor(actor)
    choices: list[CohortChoice] = []
    for cohort in orientation_cohorts.cohorts(session):
        if cohort.season != season_label:
            continue
        learners = orientation_cohorts.cohort_learners(session, cohort.id)
        choices.append(
            (
                cohort.id,
                cohort.label,
                [(learner.candidate_id, learner.name) for learner in learners],
            )
        )
    return choices


give_to_team = writes(realisation.give_to_team)
save_milestone = writes(realisation.save_milestone)
delete_milestone = writes(realisation.delete_milestone)
deliver = writes(realisation.deliver)
record_satisfaction = writes(realisation.record_satisfaction)
