"""A learner's follow-up after leaving: the exit date, the situation checked at 3, 6 and 12
months (one record per checkpoint, a correction replaces it), and how the pathway ended."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from app.domain import Candidate, Stage, StageChange
from app.domain.outcomes import Checkpoint, CheckSource, LearnerOutcome
from app.domain.values import AFTER_EXIT_STAGES, EXIT_STAGE, EXIT_TYPES
from app.services.accounts.names import display_names, person_name
from app.services.actor import Actor
from app.services.candidates.records import load_candidate
from app.services.errors import UserFacingError, ValidationError
from app.services.outcomes.pathway import (
    PATHWAY_ENDS,
    SITUATIONS,
    PathwayEndError,
    add_months,
    checked_pathway_end,
)
from app.services.permissions import require_candidate_editor, require_known_role
from app.services.validation import FieldError, clean_text, format_date, parse_date
from app.services.versioning import record_change

SOURCES: dict[str, str] = {source.value: source.label for source in CheckSource}
MAX_COMMENT = 2000
NOT_LEFT = "Le suivi après la sortie ne s'enregistre que pour une personne sortie de formation."


@dataclass(frozen=True)
class OutcomeInfo:
    checkpoint: str
    situation: str
    situation_label: str
    checked_on: str  # JJ/MM/AAAA
    source: str
    source_label: str
    comment: str
    recorded_by: str


@dataclass(frozen=True)
class CheckLine:
    """One checkpoint of a learner who left: when it is due, and what was found (if yet)."""

    checkpoint: str
    label: str  # "à 3 mois"
    due_on: date
    outcome: OutcomeInfo | None


@dataclass(frozen=True)
class FollowUpFile:
    """What the *Parcours* tab shows after the exit; `left` False: nothing to follow yet."""

    left: bool
    exit_date: date | None = None
    exit_type: str = ""
    exit_label: str = ""
    pathway_end: str = ""
    pathway_end_label: str = ""
    pathway_end_reason: str = ""
    checks: tuple[CheckLine, ...] = ()


def exit_dates() -> Select[tuple[int, datetime]]:
    """Each candidate's exit: the latest move into *sortie* from a stage before it (a move back
    from *suivi à 6 mois* corrects the stage, not the exit date)."""
    to_stage, from_stage = aliased(Stage), aliased(Stage)
    return (
        select(StageChange.candidate_id, func.max(StageChange.changed_at))
        .join(to_stage, to_stage.id == StageChange.to_stage_id)
        .outerjoin(from_stage, from_stage.id == StageChange.from_stage_id)
        .where(
            to_stage.code == EXIT_STAGE,
            func.coalesce(from_stage.code, "").not_in(AFTER_EXIT_STAGES),
        )
        .group_by(StageChange.candidate_id)
    )


def exit_date(session: Session, candidate_id: int) -> date | None:
    row = session.execute(exit_dates().where(StageChange.candidate_id == candidate_id)).first()
    return row[1].date() if row else None


def _has_left(candidate: Candidate) -> bool:
    return candidate.stage.code in AFTER_EXIT_STAGES


def _outcome_info(outcome: LearnerOutcome, names: dict[str, str]) -> OutcomeInfo:
    return OutcomeInfo(
        checkpoint=outcome.checkpoint,
        situation=outcome.situation,
        situation_label=EXIT_TYPES.get(outcome.situation, outcome.situation),
        checked_on=format_date(outcome.checked_on),
        source=outcome.check_source,
        source_label=SOURCES.get(outcome.check_source, outcome.check_source),
        comment=outcome.comment,
        recorded_by=person_name(names, outcome.recorded_by),
    )


def outcomes_of(session: Session, candidate_id: int) -> dict[str, LearnerOutcome]:
    rows = session.scalars(
        select(LearnerOutcome).where(LearnerOutcome.candidate_id == candidate_id)
    )
    return {row.checkpoint: row for row in rows}


def follow_up_file(session: Session, candidate_id: int, *, actor: Actor) -> FollowUpFile:
    """The exit, the pathway end and the three checks of a learner (every role reads it)."""
    require_known_role(actor)
    candidate = load_candidate(session, candidate_id)
    left_on = exit_date(session, candidate_id)
    if not _has_left(candidate) or left_on is None:
        return FollowUpFile(left=False)
    names = display_names(session)
    recorded = outcomes_of(session, candidate_id)
    checks = tuple(
        CheckLine(
            checkpoint=point.value,
            label=point.label,
            due_on=add_months(left_on, point.months),
            outcome=_outcome_info(recorded[point.value], names) if point in recorded else None,
        )
        for point in Checkpoint
    )
    end = candidate.pathway_end or ""
    return FollowUpFile(
        left=True,
        exit_date=left_on,
        exit_type=candidate.exit_type or "",
        exit_label=EXIT_TYPES.get(candidate.exit_type or "", ""),
        pathway_end=end,
        pathway_end_label=PATHWAY_ENDS.get(end, ""),
        pathway_end_reason=candidate.pathway_end_reason or "",
        checks=checks,
    )


def _checked_outcome(
    checkpoint: str,
    situation: str,
    checked_on: str,
    source: str,
    comment: str,
    *,
    left_on: date,
    today: date,
) -> tuple[date, str]:
    """The check date and the comment as stored; French refusals by field otherwise."""
    errors: dict[str, str] = {}
    if situation not in SITUATIONS:
        errors["situation"] = "Choisir la situation de la personne."
    if source not in SOURCES:
        errors["source"] = "Indiquer d'où vient l'information."
    day: date | None = None
    try:
        day = parse_date(checked_on)
    except FieldError as error:
        errors["date"] = str(error)
    earliest = add_months(left_on, Checkpoint(checkpoint).months - 1)
    if day is None:
        errors.setdefault("date", "Indiquer la date de la vérification (JJ/MM/AAAA).")
    elif day > today:
        errors["date"] = "La date de la vérification ne peut pas être dans le futur."
    elif day < earliest:
        errors["date"] = (
            f"Un suivi {Checkpoint(checkpoint).label} se vérifie à partir du "
            f"{format_date(earliest)} (sortie le {format_date(left_on)})."
        )
    text = ""
    try:
        text = clean_text(comment, MAX_COMMENT, "Le commentaire") or ""
    except FieldError as error:
        errors["commentaire"] = str(error)
    if errors:
        raise ValidationError(errors)
    assert day is not None
    return day, text


def record_outcome(
    session: Session,
    candidate_id: int,
    checkpoint: str,
    situation: str,
    checked_on: str,
    source: str,
    comment: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> OutcomeInfo:
    """Record (or correct) the situation of a learner who left at 3, 6 or 12 months: the
    desk and coordination; journaled (a correction with its values before and after)."""
    require_candidate_editor(actor)
    now = now or datetime.now()
    if checkpoint not in {point.value for point in Checkpoint}:
        raise ValidationError({"suivi": "Suivi inconnu (3, 6 ou 12 mois)."})
    candidate = load_candidate(session, candidate_id)
    left_on = exit_date(session, candidate_id)
    if not _has_left(candidate) or left_on is None:
        raise UserFacingError(NOT_LEFT)
    day, text = _checked_outcome(
        checkpoint, situation, checked_on, source, comment, left_on=left_on, today=now.date()
    )
    outcome = outcomes_of(session, candidate_id).get(checkpoint)
    if outcome is None:
        outcome = LearnerOutcome(candidate_id=candidate_id, checkpoint=checkpoint)
        session.add(outcome)
    outcome.situation = situation
    outcome.checked_on = day
    outcome.check_source = source
    outcome.comment = text
    outcome.recorded_by = actor.author
    outcome.recorded_at = now
    session.flush()
    return _outcome_info(outcome, display_names(session))


def set_pathway_end(
    session: Session,
    candidate_id: int,
    pathway_end: str,
    reason: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> FollowUpFile:
    """How the pathway of a learner who left ended (the reason required when interrupted)."""
    require_candidate_editor(actor)
    candidate = load_candidate(session, candidate_id)
    if not _has_left(candidate):
        raise UserFacingError(NOT_LEFT)
    try:
        candidate.pathway_end, candidate.pathway_end_reason = checked_pathway_end(
            pathway_end, reason
        )
    except PathwayEndError as error:
        raise ValidationError(error.errors) from None
    record_change(candidate, author=actor.author, now=now or datetime.now())
    session.flush()
    return follow_up_file(session, candidate_id, actor=actor)
