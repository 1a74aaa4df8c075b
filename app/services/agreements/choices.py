"""What the agreement form offers to pick from, and its sensible defaults (no Qt)."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Agreement, Candidate, Season, Site, Stage
from app.domain.agreement_terms import BreakRule, RemunerationPayer
from app.services.agreements.rules import cohort_window
from app.services.candidates.records import name_for_display
from app.services.validation import format_date

__all__ = [
    "FULL_TIME_WEEK",
    "LearnerChoice",
    "break_rule_choices",
    "default_period",
    "in_training",
    "interruptions_from_text",
    "interruptions_text",
    "latest_agreement",
    "learner_choices",
    "learners_for_scope",
    "payer_choices",
    "referent_suggestions",
    "seasons_in_internship",
]

# Monday to Friday, 7 hours a day: 35 h a week, what most hosts offer.
FULL_TIME_WEEK = {day: "7" for day in range(5)}
_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")


@dataclass(frozen=True)
class LearnerChoice:
    id: int
    label: str  # "MARTIN Léa — Cobalt, saison 2025-2026"
    season_start: date


def learner_choices(
    session: Session,
    *,
    season_id: int | None = None,
    site_id: int | None = None,
    candidate_id: int | None = None,
    internship_not_over_on: date | None = None,
) -> list[LearnerChoice]:
    """Learners who entered training (the only ones an agreement can be for), by name;
    with `candidate_id`, that learner whatever their stage (an agreement already made).

    Without a season, `internship_not_over_on` keeps the seasons whose internship period
    (the cohort's last two months) has not ended on that day: the learners who may still
    need an agreement, rather than every learner the programme ever had.
    """
    statement = (
        select(
            Candidate.id,
            Candidate.last_name,
            Candidate.usage_name,
            Candidate.first_name,
            Site.name,
            Season.label,
            Season.start_date,
        )
        .join(Stage, Stage.id == Candidate.stage_id)
        .join(Site, Site.id == Candidate.site_id)
        .join(Season, Season.id == Candidate.season_id)
        .order_by(Candidate.last_name, Candidate.first_name, Candidate.id)
    )
    if candidate_id is not None:
        statement = statement.where(Candidate.id == candidate_id)
    else:
        statement = statement.where(Stage.counts_as_entry.is_(True))
    if season_id is not None:
        statement = statement.where(Candidate.season_id == season_id)
    elif internship_not_over_on is not None and candidate_id is None:
        statement = statement.where(
            Candidate.season_id.in_(seasons_in_internship(session, internship_not_over_on))
        )
    if site_id is not None:
        statement = statement.where(Candidate.site_id == site_id)
    return [
        LearnerChoice(
            id=learner_id,
            label=f"{name_for_display(last, usage, first)} — {site}, saison {season}",
            season_start=start,
        )
        for learner_id, last, usage, first, site, season, start in session.execute(statement)
    ]


def learners_for_scope(
    session: Session,
    *,
    season_id: int | None,
    site_id: int | None,
    keep: int | None,
    today: date,
) -> list[LearnerChoice]:
    """What the agreement form offers for the header's scope: the season's learners, or
    without a season those whose internship period is not over; plus `keep` (the learner of
    the agreement on screen), whatever their season."""
    learners = learner_choices(
        session,
        season_id=season_id,
        site_id=site_id,
        internship_not_over_on=today if season_id is None else None,
    )
    if keep is not None and all(c.id != keep for c in learners):
        learners += learner_choices(session, candidate_id=keep)
    return learners


def seasons_in_internship(session: Session, today: date) -> list[int]:
    """Seasons whose internship period has not ended on `today` (current and coming ones)."""
    return [
        season_id
        for season_id, start in session.execute(select(Season.id, Season.start_date))
        if cohort_window(start)[1] >= today
    ]


def in_training(session: Session, candidate_id: int) -> bool:
    """Whether an agreement can be made for this candidate (they entered training)."""
    entered = session.scalar(
        select(Stage.counts_as_entry)
        .join(Candidate, Candidate.stage_id == Stage.id)
        .where(Candidate.id == candidate_id)
    )
    return bool(entered)


def latest_agreement(session: Session, candidate_id: int) -> int | None:
    """The learner's most recent agreement that was not cancelled, if any."""
    return session.scalar(
        select(Agreement.id)
        .where(Agreement.candidate_id == candidate_id, Agreement.status != "annulee")
        .order_by(Agreement.start_date.desc(), Agreement.id.desc())
        .limit(1)
    )


def default_period(season_start: date) -> tuple[str, str]:
    """The cohort's internship window, starting on its first Monday: the usual dates."""
    start, end = cohort_window(season_start)
    start += timedelta(days=(7 - start.weekday()) % 7)
    return format_date(start), format_date(end)


def referent_suggestions(session: Session) -> list[str]:
    """Referent trainers already named on an agreement, for completion."""
    names = session.scalars(
        select(Agreement.referent_trainer).where(Agreement.referent_trainer != "").distinct()
    )
    by_folded: dict[str, str] = {}
    for name in sorted(set(names)):  # capitalised spellings sort first and are kept
        by_folded.setdefault(name.casefold(), name)
    return sorted(by_folded.values(), key=str.casefold)


def _capitalised(label: str) -> str:
    return label[:1].upper() + label[1:]


def payer_choices() -> list[tuple[str, str]]:
    """Who pays the trainee's remuneration: (code, label) as the form offers them."""
    return [(payer.value, _capitalised(payer.label)) for payer in RemunerationPayer]


def break_rule_choices() -> list[tuple[str, str]]:
    """What a flat indemnity becomes if the internship is broken off: (code, label)."""
    return [(rule.value, _capitalised(rule.label)) for rule in BreakRule]


def interruptions_from_text(text: str) -> list[tuple[str, str]]:
    """ "14/04/2027-18/04/2027 ; 02/05/2027" → pairs of dates as typed; a lone date is kept
    with an empty end so the service says what is missing."""
    found = _DATE.findall(text)
    pairs = [
        (found[i], found[i + 1] if i + 1 < len(found) else "") for i in range(0, len(found), 2)
    ]
    return pairs


def interruptions_text(pairs: list[tuple[str, str]]) -> str:
    return " ; ".join(f"{start} - {end}" for start, end in pairs)
