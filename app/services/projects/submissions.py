"""A project as a structure submits it: the form's texts parsed and checked once, the project
numbered within its call, and later corrections under optimistic locking."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.domain import AuditEntry, Host
from app.domain.projects import (
    DeliverableKind,
    Project,
    ProjectCall,
    ProjectFiliere,
    ProjectState,
    ProjectStateChange,
)
from app.domain.text import fold
from app.services import reference
from app.services.accounts.names import display_names, person_name
from app.services.actor import Actor
from app.services.errors import ConflictError, NotFoundError, ValidationError
from app.services.permissions import require_project_editor
from app.services.projects.calls import ensure_call
from app.services.validation import (
    FieldError,
    clean_line,
    clean_text,
    parse_date,
    parse_email,
    parse_phone,
)
from app.services.versioning import RecordKind, conflict_message

if TYPE_CHECKING:
    from app.services.projects.listing import ProjectDetails

__all__ = [
    "PROJECT",
    "ProjectInput",
    "check_project_version",
    "flush_project",
    "load_project",
    "project_input",
    "submit_project",
    "update_project",
]

PROJECT = RecordKind("Ce projet")
MAX_TEXT_LENGTH = 4000
MAX_HEADCOUNT = 1_000_000


@dataclass
class ProjectInput:
    """The form's texts; errors are keyed by these field names."""

    host_id: int | None  # a structure of the directory (required)
    title: str = ""
    submitted_on: str = ""  # JJ/MM/AAAA
    contact_name: str = ""
    contact_function: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_availability: str = ""
    need: str = ""
    audience: str = ""
    deliverable_kind: str = DeliverableKind.WEBSITE.value
    deliverable: str = ""
    existing: str = ""
    provided_content: str = ""
    data_constraints: str = ""
    accessibility_constraints: str = ""
    calendar: str = ""
    maintainer: str = ""
    licence_accepted: bool = False
    headcount: str = ""  # declared headcount: an integer, or empty
    filieres: tuple[str, ...] = ()  # filière codes


# One-line texts: field -> (max length, French label)
_LINES: dict[str, tuple[int, str]] = {
    "contact_name": (120, "Le nom du contact"),
    "contact_function": (120, "La fonction du contact"),
}
# Texts that may hold several lines: field -> (max length, French label)
_TEXTS: dict[str, tuple[int, str]] = {
    "contact_availability": (300, "Les disponibilités du contact"),
    "audience": (MAX_TEXT_LENGTH, "Le public"),
    "deliverable": (MAX_TEXT_LENGTH, "Le livrable attendu"),
    "existing": (MAX_TEXT_LENGTH, "L'existant"),
    "provided_content": (MAX_TEXT_LENGTH, "Les contenus fournis"),
    "data_constraints": (MAX_TEXT_LENGTH, "Les contraintes sur les données"),
    "accessibility_constraints": (MAX_TEXT_LENGTH, "Les contraintes d'accessibilité"),
    "calendar": (MAX_TEXT_LENGTH, "Le calendrier"),
    "maintainer": (MAX_TEXT_LENGTH, "La maintenance après la livraison"),
}


class _Collector:
    """Runs every parser, gathering the French messages by field."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def attempt(self, name: str, parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except FieldError as error:
            self.errors[name] = str(error)
            return None


def _title(text: str) -> str:
    title = clean_line(text, 200, "Le titre")
    if not title:
        raise FieldError("Le titre du projet est obligatoire.")
    return title


def _submitted_on(text: str) -> date:
    day = parse_date(text)
    if day is None:
        raise FieldError("La date de dépôt est obligatoire.")
    return day


def _need(text: str) -> str:
    need = clean_text(text, MAX_TEXT_LENGTH, "Le besoin")
    if not need:
        raise FieldError("Décrivez le besoin de la structure.")
    return need


def _deliverable_kind(text: str) -> str:
    wanted = fold(text)
    if not wanted:
        return DeliverableKind.WEBSITE.value
    for kind in DeliverableKind:
        if wanted in (kind.value, fold(kind.label)):
            return kind.value
    allowed = ", ".join(f"« {kind.label} »" for kind in DeliverableKind)
    raise FieldError(f"Type de livrable inconnu : choisir parmi {allowed}.")


_HEADCOUNT = re.compile(r"^([0-9]{1,7})(?:salari[eé]s?)?$")


def _headcount(text: str) -> int | None:
    """ "12", "12 salariés", "1 200" -> the number; empty -> None."""
    compact = re.sub(r"\s", "", text.lower())
    if not compact:
        return None
    match = _HEADCOUNT.match(compact)
    if match is None or int(match[1]) > MAX_HEADCOUNT:
        raise FieldError("L'effectif déclaré est un nombre de salariés (ex. 12), ou vide.")
    return int(match[1])


def _filiere_ids(session: Session, codes: tuple[str, ...]) -> list[int]:
    options = reference.filieres(session)
    ids: list[int] = []
    for code in codes:
        option = reference.match_option(options, code)
        if option is None:
            raise FieldError(f"Filière inconnue : « {code} ».")
        if option.id not in ids:
            ids.append(option.id)
    return ids


def _host(session: Session, host_id: int | None) -> Host:
    if host_id is None:
        raise FieldError("Choisissez la structure dans l'annuaire.")
    host = session.get(Host, host_id)
    if host is None:
        raise FieldError("Cette structure n'est plus dans l'annuaire.")
    return host


def _values(session: Session, data: ProjectInput) -> tuple[dict[str, Any], list[int]]:
    """Model attribute values and filière ids, or a ValidationError holding every message."""
    collector = _Collector()
    values: dict[str, Any] = {}
    host = collector.attempt("host_id", lambda: _host(session, data.host_id))
    values["host_id"] = host.id if host is not None else None
    values["title"] = collector.attempt("title", lambda: _title(data.title))
    values["submitted_on"] = collector.attempt(
        "submitted_on", lambda: _submitted_on(data.submitted_on)
    )
    for name, (length, label) in _LINES.items():
        text = getattr(data, name)
        values[name] = collector.attempt(name, partial(clean_line, text, length, label))
    for name, (length, label) in _TEXTS.items():
        text = getattr(data, name)
        values[name] = collector.attempt(name, partial(clean_text, text, length, label))
    values["need"] = collector.attempt("need", lambda: _need(data.need))
    values["contact_phone"] = collector.attempt(
        "contact_phone", lambda: parse_phone(data.contact_phone)
    )
    values["contact_email"] = collector.attempt(
        "contact_email", lambda: parse_email(data.contact_email)
    )
    values["deliverable_kind"] = collector.attempt(
        "deliverable_kind", lambda: _deliverable_kind(data.deliverable_kind)
    )
    values["headcount"] = collector.attempt("headcount", lambda: _headcount(data.headcount))
    values["licence_accepted"] = bool(data.licence_accepted)
    filieres = collector.attempt("filieres", lambda: _filiere_ids(session, tuple(data.filieres)))
    if collector.errors:
        raise ValidationError(collector.errors)
    for name in (*_LINES, *_TEXTS, "contact_phone", "contact_email"):
        values[name] = values[name] or ""
    return values, filieres or []


def load_project(session: Session, project_id: int) -> Project:
    project = session.scalar(
        select(Project)
        .where(Project.id == project_id)
        .options(
            joinedload(Project.call).joinedload(ProjectCall.season),
            joinedload(Project.host),
            selectinload(Project.filiere_links).joinedload(ProjectFiliere.filiere),
            selectinload(Project.milestones),
        )
    )
    if project is None:
        raise NotFoundError("Ce projet n'existe plus.")
    return project


def _next_number(session: Session, call_id: int) -> int:
    """The call's next number, in the caller's transaction.

    The call's row is written first (an UPDATE that changes nothing): a desk numbering a
    project of the same call at the same instant waits for this transaction, then reads the
    highest number again (SQLite: the write lock; PostgreSQL: the row's lock, then a
    serialization failure that `writes` runs again). Read first, the highest number would be
    the same for both desks, and PostgreSQL does not always see that read as a conflict: the
    second project would hit the (call, number) constraint.
    """
    session.execute(
        update(ProjectCall)
        .where(ProjectCall.id == call_id)
        .values(notes=ProjectCall.notes)
        .execution_options(synchronize_session=False)
    )
    highest = session.scalar(select(func.max(Project.number)).where(Project.call_id == call_id))
    return int(highest or 0) + 1


def submit_project(
    session: Session,
    season_label: str,
    data: ProjectInput,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> int:
    """A new project in the season's call, state `recu`, numbered after the call's last one;
    coordination only. Returns its id. `now`: when it was recorded (the demo's past seasons)."""
    require_project_editor(actor)
    values, filiere_ids = _values(session, data)
    call = ensure_call(session, season_label)
    now = now or datetime.now()
    project = Project(
        call=call,
        number=_next_number(session, call.id),
        state=ProjectState.RECEIVED.value,
        state_reason="",
        created_by=actor.author,
        version=1,
        **values,
    )
    project.filiere_links = [ProjectFiliere(filiere_id=i) for i in filiere_ids]
    session.add(project)
    session.flush()
    session.add(
        ProjectStateChange(
            project_id=project.id,
            state=ProjectState.RECEIVED.value,
            reason="",
            changed_by=actor.author,
            changed_at=now,
        )
    )
    session.flush()
    return project.id


def _last_change(session: Session, project: Project) -> tuple[str, datetime] | None:
    """Who changed the project last and when: its latest state change or journal entry (the
    project has no `updated_by` column; a form's save is journaled, a move is in its history)."""
    found = [
        session.execute(
            select(AuditEntry.author, AuditEntry.at)
            .where(AuditEntry.entity_uuid == project.uuid)
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).first(),
        session.execute(
            select(ProjectStateChange.changed_by, ProjectStateChange.changed_at)
            .where(ProjectStateChange.project_id == project.id)
            .order_by(ProjectStateChange.id.desc())
            .limit(1)
        ).first(),
    ]
    changes = [(str(row[0]), row[1]) for row in found if row is not None]
    return max(changes, key=lambda change: change[1]) if changes else None


def _conflict(session: Session, project: Project) -> ConflictError:
    """The French refusal naming who saved the project last, and when."""
    last = _last_change(session, project)
    if last is None:
        return ConflictError(conflict_message(PROJECT, None, None))
    who = person_name(display_names(session), last[0])
    return ConflictError(conflict_message(PROJECT, who, last[1]))


def check_project_version(session: Session, project: Project, version: int | None) -> None:
    """Refuse to save over a version newer than the one the form loaded (None: no check)."""
    if version is not None and project.version != version:
        raise _conflict(session, project)


def flush_project(session: Session, project: Project) -> None:
    """Flush; a ConflictError if another workstation saved the project meanwhile."""
    project_id = project.id
    try:
        session.flush()
    except StaleDataError as error:
        session.rollback()
        current = session.get(Project, project_id)
        if current is None:
            raise ConflictError(
                "Ce projet a été supprimé sur un autre poste : vos modifications n'ont pas "
                "été enregistrées."
            ) from error
        raise _conflict(session, current) from error


def update_project(
    session: Session, project_id: int, data: ProjectInput, version: int, *, actor: Actor
) -> int:
    """The project's form saved over the version the form loaded; coordination only.
    Returns the new version (the same when nothing changed)."""
    require_project_editor(actor)
    project = load_project(session, project_id)
    check_project_version(session, project, version)
    values, filiere_ids = _values(session, data)
    changed = False
    for name, value in values.items():
        if getattr(project, name) != value:
            setattr(project, name, value)
            changed = True
    current = [link.filiere_id for link in project.filiere_links]
    if sorted(current) != sorted(filiere_ids):
        kept = [link for link in project.filiere_links if link.filiere_id in filiere_ids]
        added = [ProjectFiliere(filiere_id=i) for i in filiere_ids if i not in current]
        project.filiere_links = kept + added
        changed = True
    if changed:
        project.version += 1
    flush_project(session, project)
    return project.version


def project_input(details: "ProjectDetails") -> ProjectInput:
    """The form's texts for a project as stored (round-trips through `update_project`)."""
    return ProjectInput(
        host_id=details.host_id,
        title=details.title,
        submitted_on=details.submitted_on.strftime("%d/%m/%Y"),
        contact_name=details.contact_name,
        contact_function=details.contact_function,
        contact_phone=details.contact_phone,  # formatted: parse_phone reads it back
        contact_email=details.contact_email,
        contact_availability=details.contact_availability,
        need=details.need,
        audience=details.audience,
        deliverable_kind=details.deliverable_kind,
        deliverable=details.deliverable,
        existing=details.existing,
        provided_content=details.provided_content,
        data_constraints=details.data_constraints,
        accessibility_constraints=details.accessibility_constraints,
        calendar=details.calendar,
        maintainer=details.maintainer,
        licence_accepted=details.licence_accepted,
        headcount="" if details.headcount is None else str(details.headcount),
        filieres=details.filieres,
    )
