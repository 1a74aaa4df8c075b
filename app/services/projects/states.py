"""A project's life, selection then realisation: the moves allowed from each state, the
reason some of them need, and the append-only history of the moves."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from app.domain.projects import Project, ProjectState, ProjectStateChange
from app.services.actor import Actor
from app.services.errors import UserFacingError, ValidationError
from app.services.permissions import require_project_editor
from app.services.projects.submissions import check_project_version, flush_project, load_project
from app.services.validation import FieldError, clean_text

__all__ = [
    "FINAL_STATES",
    "NEXT_STATES",
    "REASON_REQUIRED",
    "change_state",
    "either_of",
    "move",
    "next_states",
    "parse_state",
    "state_label",
]

S = ProjectState
NEXT_STATES: dict[ProjectState, tuple[ProjectState, ...]] = {
    S.RECEIVED: (S.COMPLETE, S.INCOMPLETE, S.WITHDRAWN),
    S.INCOMPLETE: (S.COMPLETE, S.WITHDRAWN),
    S.COMPLETE: (S.UNDER_REVIEW, S.WITHDRAWN),
    S.UNDER_REVIEW: (S.RETAINED, S.WAITING_LIST, S.NOT_RETAINED, S.WITHDRAWN),
    S.WAITING_LIST: (S.RETAINED, S.NOT_RETAINED, S.WITHDRAWN),
    S.RETAINED: (S.IN_PROGRESS, S.WITHDRAWN),
    S.IN_PROGRESS: (S.DELIVERED, S.ABANDONED),
    S.DELIVERED: (S.CLOSED,),
    S.CLOSED: (),
    S.NOT_RETAINED: (),
    S.WITHDRAWN: (),
    S.ABANDONED: (),
}
FINAL_STATES = frozenset(state for state, after in NEXT_STATES.items() if not after)
REASON_REQUIRED = frozenset({S.NOT_RETAINED, S.ABANDONED, S.WITHDRAWN})
MAX_REASON_LENGTH = 2000


def either_of(states: Iterable[ProjectState]) -> str:
    """ "« Complet », « Incomplet » ou « Retiré »"."""
    labels = [f"« {state.label} »" for state in states]
    return ", ".join(labels[:-1]) + " ou " + labels[-1] if len(labels) > 1 else "".join(labels)


def parse_state(value: str) -> ProjectState:
    try:
        return ProjectState(value)
    except ValueError:
        raise UserFacingError(f"État de projet inconnu : « {value} ».") from None


def state_label(value: str) -> str:
    try:
        return ProjectState(value).label
    except ValueError:
        return value


def next_states(state: str) -> list[ProjectState]:
    return list(NEXT_STATES.get(parse_state(state), ()))


def _reason(state: ProjectState, text: str) -> str:
    try:
        reason = clean_text(text, MAX_REASON_LENGTH, "Le motif") or ""
    except FieldError as error:
        raise ValidationError({"reason": str(error)}) from None
    if state in REASON_REQUIRED and not reason:
        raise ValidationError(
            {"reason": f"Indiquez le motif : le passage à « {state.label} » en demande un."}
        )
    return reason


def move(
    session: Session,
    project: Project,
    new_state: str,
    reason: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> None:
    """Move the project (the caller checked the rights and the version): refused when the
    transition is not allowed, the reason checked, the move appended to the history."""
    current, wanted = parse_state(project.state), parse_state(new_state)
    if wanted not in NEXT_STATES[current]:
        allowed = NEXT_STATES[current]
        if not allowed:
            raise UserFacingError(
                f"Un projet « {current.label} » ne change plus d'état (« {wanted.label} » refusé)."
            )
        raise UserFacingError(
            f"Un projet « {current.label} » ne peut pas passer à « {wanted.label} » : "
            f"seulement à {either_of(allowed)}."
        )
    clean_reason = _reason(wanted, reason)
    project.state = wanted.value
    project.state_reason = clean_reason
    project.version += 1
    session.add(
        ProjectStateChange(
            project_id=project.id,
            state=wanted.value,
            reason=clean_reason,
            changed_by=actor.author,
            changed_at=now or datetime.now(),
        )
    )


def change_state(
    session: Session,
    project_id: int,
    new_state: str,
    reason: str,
    version: int,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> int:
    """Coordination moves a project to one of its next states; returns the new version.
    `now`: when the move happened (the demo's past seasons; default the clock)."""
    require_project_editor(actor)
    project = load_project(session, project_id)
    check_project_version(session, project, version)
    now = now or datetime.now()
    move(session, project, new_state, reason, actor=actor, now=now)
    if project.state == S.DELIVERED and project.delivered_on is None:
        project.delivered_on = now.date()
    flush_project(session, project)
    return project.version
