"""What can no longer be written, and why: a decided learner's observations, a closed season.

A learner's observations and comments are locked once their end-of-orientation decision is
recorded: the bilan printed then must stay true. Coordination reopens a decision (a reason is
required) to unlock them; the reopening is one more row of the append-only decision table, of
outcome `REOPENED`, so that "the latest row counts" still holds and the journal keeps it.

A season is over 8 months after its start (`season_end`): its cohorts are then read-only for
the trainers; coordination may still correct them. The system (demo data, automation) records
past events on the dates it gives and is not held by the season's end.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import Cohort, OrientationDecision
from app.domain.account import ROLE_FORMATEUR
from app.services.actor import Actor, Via
from app.services.errors import PermissionDenied, UserFacingError
from app.services.orientation.cohorts import season_end
from app.services.orientation.rules import REOPENED
from app.services.permissions import role_of
from app.services.validation import format_date


def clock() -> datetime:
    """The clock the season's end is checked against when a use case is given no time (tests
    of past seasons set it)."""
    return datetime.now()


@dataclass(frozen=True)
class DecisionLock:
    """A learner whose decision stands: observations locked since `decided_on`."""

    candidate_id: int
    decided_on: date

    @property
    def reason(self) -> str:
        return (
            f"Décision enregistrée le {format_date(self.decided_on)} : "
            "observations verrouillées (la coordination peut rouvrir la décision)."
        )


def decision_locks(session: Session, candidate_ids: Iterable[int]) -> dict[int, DecisionLock]:
    """The learners among `candidate_ids` whose latest decision is not a reopening."""
    wanted = set(candidate_ids)
    if not wanted:
        return {}
    latest = (
        select(func.max(OrientationDecision.id))
        .where(OrientationDecision.candidate_id.in_(wanted))
        .group_by(OrientationDecision.candidate_id)
    )
    rows = session.execute(
        select(
            OrientationDecision.candidate_id,
            OrientationDecision.outcome,
            OrientationDecision.decided_at,
        ).where(OrientationDecision.id.in_(latest))
    )
    return {
        candidate_id: DecisionLock(candidate_id, decided_at.date())
        for candidate_id, outcome, decided_at in rows
        if outcome != REOPENED
    }


def require_not_decided(session: Session, candidate_id: int, name: str = "") -> None:
    """Refuse a new or changed observation (or comment) of a decided learner."""
    lock = decision_locks(session, (candidate_id,)).get(candidate_id)
    if lock is not None:
        who = f" de {name}" if name else ""
        raise UserFacingError(
            f"Décision de fin d'orientation enregistrée le {format_date(lock.decided_on)} : "
            f"les observations{who} sont verrouillées. La coordination peut rouvrir la "
            "décision (avec un motif) pour les corriger."
        )


def season_closed_on(cohort: Cohort) -> date:
    """The day the cohort's season ends (its start + 8 months)."""
    return season_end(cohort.season.start_date)


def write_refusal(cohort: Cohort, actor: Actor, today: date | None = None) -> str:
    """Why `actor` may not write in this cohort on `today` (default: now), or "" when they may."""
    today = today or clock().date()
    if role_of(actor) != ROLE_FORMATEUR or actor.via is Via.SYSTEM:
        return ""
    end = season_closed_on(cohort)
    if today <= end:
        return ""
    return (
        f"Saison {cohort.season.label} terminée le {format_date(end)} : ses promotions sont en "
        "lecture seule pour les formateurs (la coordination peut encore les corriger)."
    )


def require_cohort_writable(cohort: Cohort, actor: Actor, at: datetime | None = None) -> None:
    refusal = write_refusal(cohort, actor, (at or clock()).date())
    if refusal:
        raise PermissionDenied(refusal)
