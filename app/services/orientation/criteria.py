"""The criteria of the team-work grid: listed, added, renamed, retired (a retired criterion
leaves new grids and stays readable in past observations)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import Criterion
from app.services.actor import Actor
from app.services.errors import NotFoundError, ValidationError
from app.services.orientation.rules import require_coordination
from app.services.validation import FieldError, clean_line


@dataclass(frozen=True)
class CriterionInfo:
    id: int
    code: str
    label: str
    grounding: str
    retired: bool


def criterion_info(criterion: Criterion) -> CriterionInfo:
    return CriterionInfo(
        id=criterion.id,
        code=criterion.code,
        label=criterion.label,
        grounding=criterion.grounding or "",
        retired=criterion.retired_at is not None,
    )


def criteria(session: Session, *, include_retired: bool = False) -> list[CriterionInfo]:
    statement = select(Criterion).order_by(Criterion.position, Criterion.id)
    if not include_retired:
        statement = statement.where(Criterion.retired_at.is_(None))
    return [criterion_info(c) for c in session.scalars(statement)]


def criteria_shown(session: Session, observed_ids: Iterable[int]) -> list[CriterionInfo]:
    """Active criteria, plus the retired ones among `observed_ids`, by position."""
    observed = set(observed_ids)
    rows = session.scalars(select(Criterion).order_by(Criterion.position, Criterion.id))
    return [criterion_info(c) for c in rows if c.retired_at is None or c.id in observed]


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
    require_coordination(actor, "modifier la grille d'évaluation")
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
    return criterion_info(criterion)


def load_criterion(session: Session, criterion_id: int) -> Criterion:
    criterion = session.get(Criterion, criterion_id)
    if criterion is None:
        raise NotFoundError("Ce critère n'existe plus.")
    return criterion


def rename_criterion(
    session: Session, criterion_id: int, label: str, *, actor: Actor
) -> CriterionInfo:
    require_coordination(actor, "modifier la grille d'évaluation")
    criterion = load_criterion(session, criterion_id)
    criterion.label = _clean_label(label)
    session.flush()
    return criterion_info(criterion)


def retire_criterion(
    session: Session, criterion_id: int, *, actor: Actor, now: datetime | None = None
) -> None:
    """Retired criteria leave new grids; past observations keep them readable."""
    require_coordination(actor, "modifier la grille d'évaluation")
    criterion = load_criterion(session, criterion_id)
    if criterion.retired_at is None:
        criterion.retired_at = now or datetime.now()
        session.flush()
