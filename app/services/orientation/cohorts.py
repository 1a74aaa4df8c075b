"""Cohorts (a season at a site) and their learners, the candidates who entered training;
weeks counted from the cohort's start."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, true
from sqlalchemy.orm import Session, joinedload

from app.domain import Candidate, Cohort, Season, Site, Stage
from app.domain.text import fold
from app.services import reference
from app.services.candidates.records import display_name
from app.services.errors import NotFoundError

ORIENTATION_WEEKS = reference.ORIENTATION_WEEKS


@dataclass(frozen=True)
class CohortInfo:
    id: int
    season: str
    site_id: int
    site_name: str
    start_date: date
    label: str  # "Saison 2025-2026 — Cobalt"

    @property
    def orientation_end(self) -> date:
        return self.start_date + timedelta(weeks=ORIENTATION_WEEKS)


@dataclass(frozen=True)
class LearnerInfo:
    candidate_id: int
    name: str


def week_of(start: date, day: date) -> int:
    """1-based week of `day` counted from `start` (start … start + 6 days is week 1); 0 before."""
    if day < start:
        return 0
    return (day - start).days // 7 + 1


def season_end(start: date) -> date:
    """Start + 8 months (a day past the end of a shorter month is brought back)."""
    months = start.month - 1 + reference.SEASON_MONTHS
    year, month = start.year + months // 12, months % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def cohort_info(cohort: Cohort) -> CohortInfo:
    return CohortInfo(
        id=cohort.id,
        season=cohort.season.label,
        site_id=cohort.site_id,
        site_name=cohort.site.name,
        start_date=cohort.start_date,
        label=f"Saison {cohort.season.label} — {cohort.site.name}",
    )


def learner_info(candidate: Candidate) -> LearnerInfo:
    return LearnerInfo(candidate.id, display_name(candidate))


def by_name(learners: Iterable[LearnerInfo]) -> list[LearnerInfo]:
    return sorted(learners, key=lambda learner: (fold(learner.name), learner.candidate_id))


def load_cohort(session: Session, cohort_id: int) -> Cohort:
    cohort = session.scalar(
        select(Cohort)
        .where(Cohort.id == cohort_id)
        .options(joinedload(Cohort.season), joinedload(Cohort.site))
    )
    if cohort is None:
        raise NotFoundError("Cette promotion n'existe plus.")
    return cohort


def find_cohort(session: Session, candidate: Candidate) -> Cohort | None:
    return session.scalar(
        select(Cohort)
        .where(Cohort.season_id == candidate.season_id, Cohort.site_id == candidate.site_id)
        .options(joinedload(Cohort.season), joinedload(Cohort.site))
    )


def cohorts(session: Session) -> list[CohortInfo]:
    """Every cohort, creating the missing ones for each (season, site) with an entered learner."""
    missing = _seasons_and_sites_without_cohort(session)
    if missing:
        seasons = {
            s.id: s
            for s in session.scalars(
                select(Season).where(Season.id.in_({season_id for season_id, _ in missing}))
            )
        }
        for season_id, site_id in missing:
            season = seasons[season_id]
            session.add(
                Cohort(
                    season_id=season_id,
                    site_id=site_id,
                    start_date=season.start_date,
                    capacity=season.cohort_capacity,
                )
            )
        session.flush()
    rows = session.scalars(
        select(Cohort)
        .join(Season, Season.id == Cohort.season_id)
        .join(Site, Site.id == Cohort.site_id)
        .options(joinedload(Cohort.season), joinedload(Cohort.site))
        .order_by(Season.start_date.desc(), Site.id)
    )
    return [cohort_info(c) for c in rows]


def _seasons_and_sites_without_cohort(session: Session) -> list[tuple[int, int]]:
    """(season, site) pairs with an entered learner but no cohort yet.

    Asked pair by pair (a handful of seasons times two sites), each answered by the
    (season, site) index: it does not grow with the candidates of past seasons.
    """
    has_cohort = (
        select(Cohort.id).where(Cohort.season_id == Season.id, Cohort.site_id == Site.id).exists()
    )
    has_entered = (
        select(Candidate.id)
        .join(Stage, Stage.id == Candidate.stage_id)
        .where(
            Candidate.season_id == Season.id,
            Candidate.site_id == Site.id,
            Stage.counts_as_entry.is_(True),
        )
        .exists()
    )
    statement = (
        select(Season.id, Site.id)
        .join(Site, true())
        .where(~has_cohort, has_entered)
        .order_by(Season.id, Site.id)
    )
    return [(season_id, site_id) for season_id, site_id in session.execute(statement)]


def cohort_candidates(session: Session, cohort: Cohort) -> list[Candidate]:
    return list(
        session.scalars(
            select(Candidate)
            .join(Stage, Stage.id == Candidate.stage_id)
            .where(
                Candidate.season_id == cohort.season_id,
                Candidate.site_id == cohort.site_id,
                Stage.counts_as_entry.is_(True),
            )
        )
    )


def cohort_learners(session: Session, cohort_id: int) -> list[LearnerInfo]:
    """The cohort's learners (candidates of its season and site who entered training), by name."""
    cohort = load_cohort(session, cohort_id)
    return by_name(learner_info(c) for c in cohort_candidates(session, cohort))
