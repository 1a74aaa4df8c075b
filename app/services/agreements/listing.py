"""The list of agreements: filtered by season, site, status and host, in one query."""

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Agreement, Amendment, Candidate, Host, Season, Site
from app.domain.agreement import AgreementStatus
from app.domain.agreement_rules import WeeklySchedule, is_minor, legal_refusals
from app.services.agreements.rules import legal_review
from app.services.agreements.versions import load_agreement, terms_versions
from app.services.candidates.records import name_for_display

__all__ = [
    "AgreementRow",
    "list_agreements",
]


S = AgreementStatus


@dataclass(frozen=True)
class AgreementRow:
    id: int
    number: str
    status: str
    status_label: str
    learner: str
    host: str
    start: date
    end: date
    waiting_signature: bool
    ends_this_month: bool
    host_id: int
    to_review: tuple[str, ...] = ()


def list_agreements(
    session: Session,
    *,
    season: str | None = None,
    site: str | None = None,
    site_id: int | None = None,
    season_id: int | None = None,
    status: str | None = None,
    host_id: int | None = None,
    today: date,
) -> list[AgreementRow]:
    """Agreements filtered by season (label or id), site (code, name or id), status and host.

    Reads columns, not objects: a list of every season (tens of thousands of rows) stays a
    single query; only an agreement with a signed amendment is loaded, to know its dates.
    """
    statement = (
        select(
            Agreement.id,
            Agreement.number,
            Agreement.status,
            Agreement.start_date,
            Agreement.end_date,
            Candidate.last_name,
            Candidate.usage_name,
            Candidate.first_name,
            Host.name,
            Agreement.host_id,
            Agreement.schedule,
            Agreement.night_allowed,
            Agreement.sunday_allowed,
            Agreement.holiday_allowed,
            Candidate.birth_date,
        )
        .join(Candidate, Candidate.id == Agreement.candidate_id)
        .join(Host, Host.id == Agreement.host_id)
    )
    if season:
        statement = statement.join(Season, Season.id == Candidate.season_id).where(
            Season.label == season
        )
    if site:
        statement = statement.join(Site, Site.id == Candidate.site_id).where(
            (Site.code == site) | (Site.name == site)
        )
    if site_id is not None:
        statement = statement.where(Candidate.site_id == site_id)
    if season_id is not None:
        statement = statement.where(Candidate.season_id == season_id)
    if status:
        statement = statement.where(Agreement.status == status)
    if host_id is not None:
        statement = statement.where(Agreement.host_id == host_id)
    pending = set(
        session.scalars(select(Amendment.agreement_id).where(Amendment.signed_on.is_(None)))
    )
    # Only an agreement with a signed amendment needs its values overlaid to know its dates.
    amended = set(
        session.scalars(select(Amendment.agreement_id).where(Amendment.signed_on.is_not(None)))
    )
    labels = {member.value: member.label for member in S}
    running_statuses = (S.SIGNED.value, S.ONGOING.value)
    this_month = (today.year, today.month)
    rows = []
    found = session.execute(statement)
    reviews = _ReviewCache()
    for (
        agreement_id,
        number,
        code,
        start,
        end,
        last,
        usage,
        first,
        host,
        host_id,
        schedule,
        night,
        sunday,
        holiday,
        birth,
    ) in found:
        if agreement_id in amended:
            agreement = load_agreement(session, agreement_id)
            terms = terms_versions(session, agreement)[-1].terms
            start, end = terms.start, terms.end
            review = legal_review(terms, birth)
        else:
            review = reviews.of(schedule, night, sunday, holiday, is_minor(birth, start))
        if code == S.CANCELLED.value:
            review = ()
        running = code in running_statuses
        rows.append(
            AgreementRow(
                id=agreement_id,
                number=number or "",
                status=code,
                status_label=labels[code],
                learner=name_for_display(last, usage, first),
                host=host,
                start=start,
                end=end,
                waiting_signature=code == S.READY.value or (running and agreement_id in pending),
                ends_this_month=running and (end.year, end.month) == this_month,
                host_id=host_id,
                to_review=review,
            )
        )
    rows.sort(key=lambda r: (r.start, r.learner, r.id))
    return rows


class _ReviewCache:
    """The legal review of stored presence terms; the list's rows share a few schedules."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, bool, bool, bool, bool], tuple[str, ...]] = {}

    def of(
        self, schedule: str, night: bool, sunday: bool, holiday: bool, minor: bool
    ) -> tuple[str, ...]:
        key = (schedule, night, sunday, holiday, minor)
        if key not in self._known:
            week = WeeklySchedule(
                {int(day): float(hours) for day, hours in json.loads(schedule).items()}
            )
            refusals = legal_refusals(
                week, minor=minor, night=night, sunday=sunday, holiday=holiday
            )
            self._known[key] = tuple(refusals.values())
        return self._known[key]
