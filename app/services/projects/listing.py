"""What the window shows of the call's projects: the list (with eligibility warnings, average
and rank) and one project's whole file."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.domain import Activity, Cohort, Team, TeamMember
from app.domain.projects import (
    DeliverableKind,
    Project,
    ProjectActivity,
    ProjectCall,
    ProjectStateChange,
)
from app.domain.text import fold
from app.services.accounts.names import display_names, person_name
from app.services.candidates.records import display_name
from app.services.hosts.directory import format_identifier, headcount_label
from app.services.orientation.cohorts import cohort_info
from app.services.projects.calls import CallInfo, call_info, ensure_call, project_reference
from app.services.projects.eligibility import eligibility_warnings
from app.services.projects.realisation import (
    MilestoneInfo,
    SatisfactionInfo,
    milestone_info,
    satisfaction_of,
)
from app.services.projects.reviews import ReviewInfo, averages, ranks, reviews
from app.services.projects.states import next_states, state_label
from app.services.projects.submissions import load_project
from app.services.validation import format_phone, search_words

__all__ = [
    "ProjectDetails",
    "ProjectRow",
    "TeamInfo",
    "project_details",
    "project_rows",
    "projects_of_learner",
]


@dataclass(frozen=True)
class ProjectRow:
    id: int
    reference: str
    title: str
    structure: str
    submitted_on: date
    state: str
    state_label: str
    warnings: tuple[str, ...]
    average: Decimal | None
    rank: int | None
    teams: str  # "Cobalt : Les Hiboux ; Centre Du Guesclin : Équipe B"


@dataclass(frozen=True)
class TeamInfo:
    activity_id: int
    cohort_label: str  # "Saison 2026-2027 — Cobalt"
    team_name: str
    learners: tuple[str, ...]


@dataclass(frozen=True)
class ProjectDetails:
    id: int
    version: int
    reference: str
    season_label: str
    call: CallInfo
    host_id: int
    structure: str
    structure_identifier: str
    structure_address: str
    headcount_label: str
    title: str
    submitted_on: date
    contact_name: str
    contact_function: str
    contact_phone: str  # formatted: 06 12 34 56 78
    contact_email: str
    contact_availability: str
    need: str
    audience: str
    deliverable_kind: str
    deliverable_kind_label: str
    deliverable: str
    existing: str
    provided_content: str
    data_constraints: str
    accessibility_constraints: str
    calendar: str
    maintainer: str
    licence_accepted: bool
    headcount: int | None
    filieres: tuple[str, ...]  # codes
    filiere_labels: tuple[str, ...]
    state: str
    state_label: str
    state_reason: str
    next_states: tuple[str, ...]
    warnings: tuple[str, ...]
    reviews: tuple[ReviewInfo, ...]
    average: Decimal | None
    rank: int | None
    teams: tuple[TeamInfo, ...]
    milestones: tuple[MilestoneInfo, ...]
    delivered_on: date | None
    delivery_notes: str
    satisfaction: tuple[SatisfactionInfo, ...]
    history: tuple[tuple[datetime, str, str, str], ...]  # (when, state label, reason, who)


# ---------------------------------------------------------------- teams


def _teams(session: Session, project_ids: list[int]) -> dict[int, list[tuple[str, TeamInfo]]]:
    """Project id -> its teams with their site's name, cohort by cohort, in the order the
    project was given."""
    if not project_ids:
        return {}
    links = session.scalars(
        select(ProjectActivity)
        .where(ProjectActivity.project_id.in_(project_ids))
        .options(
            joinedload(ProjectActivity.activity)
            .joinedload(Activity.cohort)
            .options(joinedload(Cohort.season), joinedload(Cohort.site)),
            joinedload(ProjectActivity.activity)
            .selectinload(Activity.teams)
            .selectinload(Team.members)
            .joinedload(TeamMember.candidate),
        )
        .order_by(ProjectActivity.id)
    )
    found: dict[int, list[tuple[str, TeamInfo]]] = {}
    for link in links:
        activity = link.activity
        label = cohort_info(activity.cohort).label
        for team in activity.teams:
            learners = sorted(
                (display_name(m.candidate) for m in team.members), key=lambda n: fold(n)
            )
            info = TeamInfo(activity.id, label, team.name, tuple(learners))
            found.setdefault(link.project_id, []).append((activity.cohort.site.name, info))
    return found


def _teams_text(teams: list[tuple[str, TeamInfo]]) -> str:
    """ "Cobalt : Les Jardiniers ; Centre Du Guesclin : Équipe B"."""
    return " ; ".join(f"{site} : {team.team_name}" for site, team in teams)


# ---------------------------------------------------------------- the list


def _matches(project: Project, reference: str, words: list[str]) -> bool:
    host = project.host
    text = fold(
        " ".join([reference, project.title, host.name, host.city or "", project.contact_name])
    )
    return all(word in text for word in words)


def _row(
    project: Project,
    reference: str,
    scored: tuple[Decimal | None, int],
    rank: int | None,
    teams: list[tuple[str, TeamInfo]],
) -> ProjectRow:
    return ProjectRow(
        id=project.id,
        reference=reference,
        title=project.title,
        structure=project.host.name,
        submitted_on=project.submitted_on,
        state=project.state,
        state_label=state_label(project.state),
        warnings=tuple(eligibility_warnings(project, project.call)),
        average=scored[0],
        rank=rank,
        teams=_teams_text(teams),
    )


def _rows(session: Session, projects: list[Project]) -> list[ProjectRow]:
    ids = [p.id for p in projects]
    scored = averages(session, ids)
    teams = _teams(session, ids)
    ranked: dict[int, int] = {}
    for season in {p.call.season.label for p in projects}:
        ranked |= ranks(session, season)
    return [
        _row(
            p,
            project_reference(p.call.season.label, p.number),
            scored[p.id],
            ranked.get(p.id),
            teams.get(p.id, []),
        )
        for p in projects
    ]


def _with_host_and_call() -> tuple[Any, ...]:
    return (joinedload(Project.host), joinedload(Project.call).joinedload(ProjectCall.season))


def project_rows(
    session: Session, season_label: str, *, text: str = "", states: frozenset[str] = frozenset()
) -> list[ProjectRow]:
    """The call's projects in their numbers' order, those whose reference, title, structure,
    town or contact hold every word of `text`, in one of `states` (all when empty)."""
    call = ensure_call(session, season_label)
    statement = (
        select(Project)
        .where(Project.call_id == call.id)
        .options(*_with_host_and_call())
        .order_by(Project.number)
    )
    if states:
        statement = statement.where(Project.state.in_(sorted(states)))
    words = search_words(text)
    projects = [
        p
        for p in session.scalars(statement)
        if _matches(p, project_reference(season_label, p.number), words)
    ]
    return _rows(session, projects)


def projects_of_learner(session: Session, candidate_id: int) -> list[ProjectRow]:
    """The real cases a learner worked on (in a team of a project's activity)."""
    project_ids = select(ProjectActivity.project_id).where(
        ProjectActivity.activity_id.in_(
            select(TeamMember.activity_id).where(TeamMember.candidate_id == candidate_id)
        )
    )
    projects = list(
        session.scalars(
            select(Project)
            .where(Project.id.in_(project_ids))
            .options(*_with_host_and_call())
            .order_by(Project.submitted_on, Project.id)
        )
    )
    return _rows(session, projects)


# ---------------------------------------------------------------- one project


def _address(project: Project) -> str:
    host = project.host
    town = " ".join(part for part in (host.postal_code, host.city) if part)
    return ", ".join(part for part in (host.address, town) if part)


def _headcount_text(project: Project) -> str:
    if project.headcount is not None:
        plural = "s" if project.headcount > 1 else ""
        return f"{project.headcount} salarié{plural} (déclaré au dépôt)"
    if project.host.headcount_band:
        return f"{headcount_label(project.host.headcount_band)} (annuaire)"
    return "inconnu"


def _history(session: Session, project_id: int) -> tuple[tuple[datetime, str, str, str], ...]:
    names = display_names(session)
    changes = session.scalars(
        select(ProjectStateChange)
        .where(ProjectStateChange.project_id == project_id)
        .order_by(ProjectStateChange.id)  # append-only: the order of recording
    )
    return tuple(
        (c.changed_at, state_label(c.state), c.reason or "", person_name(names, c.changed_by))
        for c in changes
    )


def project_details(session: Session, project_id: int) -> ProjectDetails:
    """One project's whole file, as its page and its documents show it."""
    project = load_project(session, project_id)
    season = project.call.season.label
    links = sorted(project.filiere_links, key=lambda link: (link.filiere.position, link.id))
    average, _counted = averages(session, [project.id])[project.id]
    try:
        kind_label = DeliverableKind(project.deliverable_kind).label
    except ValueError:
        kind_label = project.deliverable_kind
    return ProjectDetails(
        id=project.id,
        version=project.version,
        reference=project_reference(season, project.number),
        season_label=season,
        call=call_info(project.call),
        host_id=project.host_id,
        structure=project.host.name,
        structure_identifier=format_identifier(project.host.siret, project.host.rna),
        structure_address=_address(project),
        headcount_label=_headcount_text(project),
        title=project.title,
        submitted_on=project.submitted_on,
        contact_name=project.contact_name or "",
        contact_function=project.contact_function or "",
        contact_phone=format_phone(project.contact_phone),
        contact_email=project.contact_email or "",
        contact_availability=project.contact_availability or "",
        need=project.need or "",
        audience=project.audience or "",
        deliverable_kind=project.deliverable_kind,
        deliverable_kind_label=kind_label,
        deliverable=project.deliverable or "",
        existing=project.existing or "",
        provided_content=project.provided_content or "",
        data_constraints=project.data_constraints or "",
        accessibility_constraints=project.accessibility_constraints or "",
        calendar=project.calendar or "",
        maintainer=project.maintainer or "",
        licence_accepted=project.licence_accepted,
        headcount=project.headcount,
        filieres=tuple(link.filiere.code for link in links),
        filiere_labels=tuple(link.filiere.label for link in links),
        state=project.state,
        state_label=state_label(project.state),
        state_reason=project.state_reason or "",
        next_states=tuple(s.value for s in next_states(project.state)),
        warnings=tuple(eligibility_warnings(project, project.call)),
        reviews=tuple(reviews(session, project.id)),
        average=average,
        rank=ranks(session, season).get(project.id),
        teams=tuple(team for _site, team in _teams(session, [project.id]).get(project.id, [])),
        milestones=tuple(milestone_info(m) for m in project.milestones),
        delivered_on=project.delivered_on,
        delivery_notes=project.delivery_notes or "",
        satisfaction=tuple(satisfaction_of(session, project.id)),
        history=_history(session, project.id),
    )
