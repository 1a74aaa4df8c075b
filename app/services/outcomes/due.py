"""The checks to make: each learner who left has a check due at 3, 6 and 12 months after the
exit, from that date until it is recorded; overdue a month after it fell due."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Candidate, Season, Site, Stage
from app.domain.outcomes import Checkpoint, LearnerOutcome
from app.domain.rgpd import CandidateAnonymisation
from app.domain.values import AFTER_EXIT_STAGES
from app.services.actor import Actor
from app.services.candidates.records import name_for_display
from app.services.outcomes.follow_up import exit_dates
from app.services.outcomes.pathway import add_months
from app.services.permissions import require_bulk_personal_data
from app.services.validation import format_phone

OVERDUE_AFTER_MONTHS = 1


@dataclass(frozen=True)
class DueFollowUp:
    candidate_id: int
    name: str
    site: str
    season: str
    exit_date: date
    checkpoint: str
    due_on: date
    overdue: bool
    phone: str
    email: str


def due_follow_ups(
    session: Session,
    today: date,
    *,
    site_code: str | None = None,
    season_label: str | None = None,
) -> list[DueFollowUp]:
    """The checks due on `today` and not recorded yet, the oldest first (anonymised people are
    left out: nobody can reach them)."""
    exits = exit_dates().subquery()
    query = (
        select(
            Candidate.id,
            Candidate.last_name,
            Candidate.usage_name,
            Candidate.first_name,
            Site.name,
            Season.label,
            exits.c[1],
            Candidate.phone,
            Candidate.email,
        )
        .join(exits, exits.c.candidate_id == Candidate.id)
        .join(Stage, Stage.id == Candidate.stage_id)
        .join(Site, Site.id == Candidate.site_id)
        .join(Season, Season.id == Candidate.season_id)
        .where(
            Stage.code.in_(AFTER_EXIT_STAGES),
            Candidate.id.not_in(select(CandidateAnonymisation.candidate_id)),
        )
    )
    if site_code:
        query = query.where(Site.code == site_code)
    if season_label:
        query = query.where(Season.label == season_label)
    rows = session.execute(query).all()
    recorded = set(
        session.execute(
            select(LearnerOutcome.candidate_id, LearnerOutcome.checkpoint).where(
                LearnerOutcome.candidate_id.in_([row[0] for row in rows])
            )
        ).tuples()
    )
    due: list[DueFollowUp] = []
    for cid, last, usage, first, site, season, left_at, phone, email in rows:
        left_on = left_at.date()
        for point in Checkpoint:
            due_on = add_months(left_on, point.months)
            if due_on > today or (cid, point.value) in recorded:
                continue
            due.append(
                DueFollowUp(
                    candidate_id=cid,
                    name=name_for_display(last, usage, first),
                    site=site,
                    season=season,
                    exit_date=left_on,
                    checkpoint=point.value,
                    due_on=due_on,
                    overdue=add_months(due_on, OVERDUE_AFTER_MONTHS) < today,
                    phone=format_phone(phone),
                    email=email or "",
                )
            )
    due.sort(key=lambda item: (item.due_on, item.name, item.candidate_id))
    return due


def read_due_follow_ups(
    session: Session,
    today: date,
    *,
    actor: Actor,
    site_code: str | None = None,
    season_label: str | None = None,
) -> list[DueFollowUp]:
    """A list of people with their phone and e-mail: the desk and coordination only."""
    require_bulk_personal_data(actor)
    return due_follow_ups(session, today, site_code=site_code, season_label=season_label)
