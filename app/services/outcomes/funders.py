"""The funders' definitions of a positive exit: which situations count, and at which
checkpoint (the exit itself, 3, 6 or 12 months). `is_positive` is the one rule every count
uses (indicators, exports)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.audit import AuditAction
from app.domain.outcomes import Funder
from app.domain.values import EXIT_TYPES
from app.services.actor import Actor
from app.services.errors import NotFoundError, ValidationError
from app.services.journal import audit_log as audit
from app.services.outcomes.pathway import SITUATIONS
from app.services.permissions import require_coordination, require_known_role

CHECKPOINT_MONTHS: dict[int, str] = {
    0: "À la sortie",
    3: "À 3 mois",
    6: "À 6 mois",
    12: "À 12 mois",
}


@dataclass(frozen=True)
class FunderInfo:
    code: str
    label: str
    positive: frozenset[str]
    months: int  # 0: measured at the exit


def is_positive(funder: FunderInfo, situation: str | None) -> bool:
    """Whether `situation` (a code of EXIT_TYPES) is a positive exit for `funder`; an unknown
    or missing situation never is."""
    return bool(situation) and situation in funder.positive


def _info(row: Funder) -> FunderInfo:
    codes = frozenset(code for code in row.positive_situations.split(",") if code)
    return FunderInfo(row.code, row.label, codes, row.measured_at_months)


def funders(session: Session) -> list[FunderInfo]:
    """Every funder, in the order Paramètres lists them."""
    rows = session.scalars(select(Funder).order_by(Funder.position, Funder.id))
    return [_info(row) for row in rows]


def funder(session: Session, code: str) -> FunderInfo:
    row = session.scalar(select(Funder).where(Funder.code == code))
    if row is None:
        raise NotFoundError(f"Financeur inconnu : « {code} ».")
    return _info(row)


def read_funders(session: Session, *, actor: Actor) -> list[FunderInfo]:
    require_known_role(actor)
    return funders(session)


def _labels(codes: frozenset[str]) -> str:
    return ", ".join(EXIT_TYPES[c] for c in EXIT_TYPES if c in codes) or "aucune"


# Situations no funder counts as a positive exit (the screen does not offer them either).
NEVER_POSITIVE = frozenset({"sans_solution", "inconnue"})


def save_funder(
    session: Session,
    code: str,
    positive: frozenset[str] | set[str],
    months: int,
    *,
    actor: Actor,
) -> FunderInfo:
    """Change which situations a funder counts as positive and when it measures them
    (coordination only); journaled with the values before and after."""
    require_coordination(actor, "modifier la définition des sorties positives d'un financeur")
    row = session.scalar(select(Funder).where(Funder.code == code))
    if row is None:
        raise NotFoundError(f"Financeur inconnu : « {code} ».")
    errors: dict[str, str] = {}
    unknown = set(positive) - set(SITUATIONS)
    never = set(positive) & NEVER_POSITIVE
    if unknown:
        errors["situations"] = "Situation inconnue : " + ", ".join(sorted(unknown)) + "."
    elif never:
        labels = ", ".join(sorted(f"« {EXIT_TYPES[code]} »" for code in never))
        errors["situations"] = f"Une sortie ne peut pas être positive avec : {labels}."
    elif not positive:
        errors["situations"] = "Cocher au moins une situation comptée comme positive."
    if months not in CHECKPOINT_MONTHS:
        errors["mesure"] = "Mesurer à la sortie, à 3, 6 ou 12 mois."
    if errors:
        raise ValidationError(errors)
    before = _info(row)
    wanted = frozenset(positive)
    changes: dict[str, list[str | None]] = {}
    if wanted != before.positive:
        changes["Sorties positives"] = [_labels(before.positive), _labels(wanted)]
    if months != before.months:
        changes["Mesurées"] = [CHECKPOINT_MONTHS[before.months], CHECKPOINT_MONTHS[months]]
    if changes:
        row.positive_situations = ",".join(c for c in EXIT_TYPES if c in wanted)
        row.measured_at_months = months
        audit.record(
            session,
            AuditAction.MODIFICATION,
            None,
            f"Sorties positives du financeur {row.label} modifiées",
            entity_type="setting",
            changes=changes,
            author=actor.author,
        )
        session.flush()
    return _info(row)
