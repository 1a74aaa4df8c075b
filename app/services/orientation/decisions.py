"""The end-of-orientation decision, which moves the candidate's stage with it."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.domain import Candidate, OrientationDecision, Stage, StageChange
from app.domain.orientation import Outcome
from app.domain.values import ALLOWED_TRANSITIONS, ENTRY_STAGE
from app.services.accounts.names import display_names, person_name
from app.services.actor import Actor
from app.services.candidates.records import change_stage, display_name, load_candidate
from app.services.errors import ValidationError
from app.services.orientation.projects import filiere_id_of
from app.services.orientation.rules import (
    MAX_NOTE_LENGTH,
    REOPENED,
    outcome_label,
    require_coordination,
)
from app.services.validation import FieldError, clean_text

_OUTCOME_STAGES = {
    Outcome.VALIDATED.value: "orientation_validee",
    Outcome.WITH_RESERVATIONS.value: "orientation_reserves",
    Outcome.NOT_VALIDATED.value: "orientation_non_validee",
}


@dataclass(frozen=True)
class DecisionInfo:
    outcome: str
    outcome_label: str
    filiere: str
    reason: str
    decided_by: str
    decided_at: datetime

    @property
    def reopened(self) -> bool:
        """A reopening: no decision stands, the observations are unlocked."""
        return self.outcome == REOPENED


def decision_info(decision: OrientationDecision, names: Mapping[str, str]) -> DecisionInfo:
    """The decision as shown; `names`: display_names(session), for who decided."""
    return DecisionInfo(
        outcome=decision.outcome,
        outcome_label=outcome_label(decision.outcome),
        filiere=decision.filiere.label if decision.filiere else "",
        reason=decision.reason or "",
        decided_by=person_name(names, decision.decided_by),
        decided_at=decision.decided_at,
    )


def latest_decision(session: Session, candidate_id: int) -> DecisionInfo | None:
    decision = session.scalar(
        select(OrientationDecision)
        .where(OrientationDecision.candidate_id == candidate_id)
        .options(joinedload(OrientationDecision.filiere))
        .order_by(OrientationDecision.id.desc())
        .limit(1)
    )
    return decision_info(decision, display_names(session)) if decision is not None else None


def _entered_training(session: Session, candidate: Candidate) -> bool:
    if candidate.stage.counts_as_entry:
        return True
    entered = session.scalar(
        select(StageChange.id)
        .join(Stage, Stage.id == StageChange.to_stage_id)
        .where(StageChange.candidate_id == candidate.id, Stage.counts_as_entry.is_(True))
        .limit(1)
    )
    return entered is not None


def decide(
    session: Session,
    candidate_id: int,
    *,
    outcome: str,
    filiere: str,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> DecisionInfo:
    """Record the end-of-orientation decision and move the candidate's stage accordingly."""
    require_coordination(actor, "enregistrer la décision de fin d'orientation")
    now = now or datetime.now()
    candidate = load_candidate(session, candidate_id)
    errors: dict[str, str] = {}
    try:
        result: Outcome | None = Outcome(outcome.strip())
    except ValueError:
        result = None
        errors["decision"] = "Choisir la décision : validée, validée avec réserves ou non validée."
    filiere_id = None
    try:
        filiere_id = filiere_id_of(session, filiere)
    except FieldError as error:
        errors["filiere"] = str(error)
    try:
        motive = clean_text(reason, MAX_NOTE_LENGTH, "Le motif")
    except FieldError as error:
        errors["motif"] = str(error)
        motive = None
    if result in (Outcome.VALIDATED, Outcome.WITH_RESERVATIONS) and filiere_id is None:
        errors.setdefault("filiere", "Indiquer la filière attribuée.")
    if result in (Outcome.NOT_VALIDATED, Outcome.WITH_RESERVATIONS) and not motive:
        errors.setdefault("motif", "Indiquer le motif (réserves, réorientation ou sortie).")
    if "decision" not in errors and not _entered_training(session, candidate):
        errors["decision"] = (
            f"{display_name(candidate)} n'est pas entré(e) en formation : "
            "aucune décision d'orientation n'est possible."
        )
    if errors:
        raise ValidationError(errors)
    assert result is not None
    target = _OUTCOME_STAGES[result.value]
    comment = f"{result.label} : {motive}" if motive else result.label
    if len(comment) > MAX_NOTE_LENGTH:  # the stage history shows the start, the decision keeps all
        comment = comment[: MAX_NOTE_LENGTH - 1] + "…"
    current = candidate.stage.code
    if current != target:
        if (
            target not in ALLOWED_TRANSITIONS.get(current, ())
            and current in _OUTCOME_STAGES.values()
        ):
            change_stage(
                session,
                candidate_id,
                ENTRY_STAGE,
                comment="Révision de la décision de fin d'orientation",
                actor=actor,
                now=now,
            )
            current = ENTRY_STAGE
        if target in ALLOWED_TRANSITIONS.get(current, ()):
            change_stage(session, candidate_id, target, comment=comment, actor=actor, now=now)
    decision = OrientationDecision(
        candidate_id=candidate_id,
        outcome=result.value,
        filiere_id=filiere_id,
        reason=motive,
        decided_by=actor.author,
        decided_at=now,
    )
    session.add(decision)
    session.flush()
    session.refresh(decision, ["filiere"])
    return decision_info(decision, display_names(session))


def reopen(
    session: Session,
    candidate_id: int,
    *,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> DecisionInfo:
    """Coordination reopens a learner's decision (a reason is required): their observations
    are unlocked, the stage the decision gave goes back to "entré en formation", and both are
    journaled (a decision row of outcome `REOPENED`, a stage change)."""
    require_coordination(actor, "rouvrir une décision de fin d'orientation")
    now = now or datetime.now()
    candidate = load_candidate(session, candidate_id)
    current = latest_decision(session, candidate_id)
    if current is None or current.reopened:
        who = display_name(candidate)
        raise ValidationError({"motif": f"Aucune décision de fin d'orientation à rouvrir ({who})."})
    try:
        motive = clean_text(reason, MAX_NOTE_LENGTH, "Le motif")
    except FieldError as error:
        raise ValidationError({"motif": str(error)}) from None
    if not motive:
        raise ValidationError({"motif": "Indiquer le motif de la réouverture."})
    if candidate.stage.code in _OUTCOME_STAGES.values():
        comment = f"Décision de fin d'orientation rouverte : {motive}"
        if len(comment) > MAX_NOTE_LENGTH:
            comment = comment[: MAX_NOTE_LENGTH - 1] + "…"
        change_stage(session, candidate_id, ENTRY_STAGE, comment=comment, actor=actor, now=now)
    decision = OrientationDecision(
        candidate_id=candidate_id,
        outcome=REOPENED,
        filiere_id=None,
        reason=motive,
        decided_by=actor.author,
        decided_at=now,
    )
    session.add(decision)
    session.flush()
    return decision_info(decision, display_names(session))
