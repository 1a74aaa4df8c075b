"""The learner's professional project: the filière and job aimed at, the steps, its status."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.domain import ProfessionalProject
from app.domain.orientation import ProjectStatus
from app.services import reference
from app.services.accounts.names import display_names, person_name
from app.services.actor import Actor
from app.services.candidates.records import load_candidate
from app.services.errors import ValidationError
from app.services.orientation.cohorts import find_cohort
from app.services.orientation.locks import require_cohort_writable
from app.services.orientation.rules import require_writer
from app.services.validation import FieldError, clean_line, clean_text


@dataclass(frozen=True)
class ProjectInfo:
    filiere: str
    target_job: str
    steps: str
    status: str
    status_label: str
    updated_by: str
    updated_at: datetime | None


def filiere_id_of(session: Session, raw: str) -> int | None:
    if not raw.strip():
        return None
    options = reference.cached(session, reference.filieres)
    option = reference.match_option(options, raw)
    if option is None:
        allowed = ", ".join(o.label for o in options)
        raise FieldError(f"Filière inconnue : « {raw.strip()} » (valeurs possibles : {allowed}).")
    return option.id


def project_of(session: Session, candidate_id: int) -> ProjectInfo:
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
        updated_by=person_name(display_names(session), project.updated_by),
        updated_at=project.updated_at,
    )


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
    require_writer(actor)
    candidate = load_candidate(session, candidate_id)
    cohort = find_cohort(session, candidate)
    if cohort is not None:
        require_cohort_writable(cohort, actor, now)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key, attribute, parse in (
        ("filiere", "filiere_id", lambda: filiere_id_of(session, filiere)),
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
    return project_of(session, candidate_id)
