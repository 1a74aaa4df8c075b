"""How the entrants' pathways went: complete, interrupted for an outside reason, interrupted,
still going, left during orientation; the average length (entry → exit) — one SQL query. And
the time in companies (`company_time`): the hours done and the share of the pathway spent
there.

The hours in company are THE hours of each agreement (`agreements.presence.presence_summary`:
the agreement's hours, absences taken off), computed in Python for the scope's finished or
broken-off agreements only: they depend on each agreement's terms, amendments, holidays and
absences, which SQL cannot follow (`done_hours`: rows loaded in a few queries, then each
agreement's weeks; a centre's season has tens of agreements, the benchmark's 990 take about
80 ms): that is why they are a table of their own, apart from the counts."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, Subquery, and_, case, exists, func, select
from sqlalchemy.orm import Session

from app.domain import Agreement, AgreementAbsence, Amendment
from app.domain.agreement import AgreementStatus
from app.domain.agreement_terms import AgreementTerms, TermsInForce, agreement_hours
from app.domain.outcomes import PathwayEnd
from app.services.agreements.presence import presence_summary
from app.services.agreements.versions import stored_terms
from app.services.reports.scope import ReportScope, facts
from app.services.reports.sql import count_if, days_between
from app.services.reports.tables import (
    Cell,
    IndicatorRow,
    IndicatorTable,
    count,
    decimal_cell,
    percent,
)

DONE = (AgreementStatus.FINISHED.value, AgreementStatus.BROKEN.value)


def _internship_done(f: Subquery) -> ColumnElement[bool]:
    return exists(
        select(Agreement.id).where(Agreement.candidate_id == f.c.id, Agreement.status.in_(DONE))
    )


def predicates(f: Subquery) -> dict[str, ColumnElement[bool]]:
    entered = f.c.reached_entres == 1
    left = and_(entered, f.c.reached_sortis == 1)
    return {
        "pathways:entres": entered,
        "pathways:en_cours": and_(entered, f.c.reached_sortis == 0),
        "pathways:sortis": left,
        "pathways:complets": and_(left, f.c.pathway_end == PathwayEnd.COMPLETE.value),
        "pathways:interrompus_exterieur": and_(
            left, f.c.pathway_end == PathwayEnd.INTERRUPTED_OUTSIDE.value
        ),
        "pathways:interrompus": and_(left, f.c.pathway_end == PathwayEnd.INTERRUPTED.value),
        "pathways:fin_inconnue": and_(left, f.c.pathway_end.is_(None)),
        "pathways:sortis_orientation": and_(left, f.c.reached_orientation_validee == 0),
        "pathways:duree": and_(left, f.c.entry_at.is_not(None), f.c.exit_at.is_not(None)),
        "pathways:en_entreprise": and_(entered, _internship_done(f)),
    }


def pathways(session: Session, scope: ReportScope) -> IndicatorTable:
    f = facts(session, scope)
    found = predicates(f)
    days = days_between(f.c.entry_at, f.c.exit_at)
    row = session.execute(
        select(
            *(count_if(p) for p in found.values()),
            func.avg(case((found["pathways:duree"], days))),
        ).select_from(f)
    ).one()
    counts = {key: int(v or 0) for key, v in zip(found, row[:-1], strict=False)}
    average_days = row[-1]
    left = counts["pathways:sortis"]

    def line(key: str, label: str, base: int | None) -> IndicatorRow:
        share = percent(counts[key], base) if base is not None else Cell(None, "percent")
        return IndicatorRow(label, (count(counts[key], key), share))

    rows = (
        line("pathways:entres", "Entrés en formation", None),
        line("pathways:en_cours", "En cours", counts["pathways:entres"]),
        line("pathways:sortis", "Sortis", counts["pathways:entres"]),
        line("pathways:complets", "Parcours complets", left),
        line("pathways:interrompus_exterieur", "Interrompus pour une raison extérieure", left),
        line("pathways:interrompus", "Interrompus (abandon, exclusion)", left),
        line("pathways:fin_inconnue", "Sortis, fin de parcours non renseignée", None),
        line("pathways:sortis_orientation", "Sortis pendant l'orientation", left),
        IndicatorRow(
            "Durée moyenne du parcours (jours)",
            (decimal_cell(average_days, "days", "pathways:duree"), Cell(None, "percent")),
        ),
    )
    return IndicatorTable(
        "pathways",
        "Parcours des entrés",
        ("Indicateur", "Personnes ou valeur", "Part (%)"),
        rows,
        (
            "Parts des fins de parcours : sur les sortis. Les interruptions pour une raison "
            "extérieure (santé, déménagement, emploi trouvé…) sont comptées à part.",
            "Durée : de l'entrée en formation à la sortie, pour les sortis.",
        ),
    )


def company_time(session: Session, scope: ReportScope) -> IndicatorTable:
    """Hours done in companies (finished or broken-off agreements) and the share of the
    pathway spent there."""
    interns, hours, company_days, pathway_days = _company_time(session, facts(session, scope))
    trace = "pathways:en_entreprise"
    rows = (
        IndicatorRow("Stagiaires (conventions terminées ou rompues)", (count(interns, trace),)),
        IndicatorRow(
            "Heures réalisées en entreprise",
            (decimal_cell(hours if interns else None, "hours", trace),),
        ),
        IndicatorRow(
            "Heures en entreprise par stagiaire (moyenne)",
            (decimal_cell(hours / interns if interns else None, "average", trace),),
        ),
        IndicatorRow(
            "Part du parcours passée en entreprise (%)",
            (percent(company_days, pathway_days, trace),),
        ),
    )
    return IndicatorTable(
        "company_time",
        "Temps en entreprise",
        ("Indicateur", "Valeur"),
        rows,
        (
            "Heures en entreprise : les heures de présence réalisées des conventions terminées "
            "ou rompues (heures de la convention, absences déduites), comme l'attestation de "
            "stage.",
            "Part du parcours en entreprise : jours de stage (du début à la fin réelle) sur les "
            "jours de parcours (de l'entrée à la sortie, ou à la fin du stage pour qui n'est "
            "pas sorti), pour les stagiaires de ces conventions.",
        ),
    )


def _company_time(session: Session, f: Subquery) -> tuple[int, float, int, int]:
    """The interns (`pathways:en_entreprise`: entered, with a finished or broken-off
    agreement), their hours done in companies, days of internship and days of pathway — one
    reading of the facts."""
    found = session.execute(
        select(Agreement, f.c.entry_at, f.c.exit_at)
        .join(f, f.c.id == Agreement.candidate_id)
        .where(Agreement.status.in_(DONE), f.c.reached_entres == 1)
        .order_by(Agreement.candidate_id, Agreement.start_date)
    ).all()
    hours_of = done_hours(session, [agreement for agreement, _, _ in found])
    company_days = 0
    spans: dict[int, tuple[date, date]] = {}
    for agreement, entry_at, exit_at in found:
        start, end = agreement.start_date, agreement.ended_on or agreement.end_date
        company_days += (end - start).days + 1
        entry = _day(entry_at) or start
        exit_day = max(_day(exit_at) or end, end)
        first, last = spans.get(agreement.candidate_id, (entry, exit_day))
        spans[agreement.candidate_id] = (min(first, entry), max(last, exit_day))
    pathway_days = sum((last - first).days + 1 for first, last in spans.values())
    return len(spans), sum(hours_of.values()), company_days, pathway_days


def done_hours(session: Session, agreements: Sequence[Agreement]) -> dict[int, float]:
    """The hours done of each finished or broken-off agreement, as its attestation prints them
    (`presence.presence_summary`). Without a recorded absence they are THE planned hours
    (`agreement_hours` of its terms and signed amendments, up to the early end of a broken-off
    one), computed here from rows loaded in two queries instead of a dozen per agreement; an
    agreement with absences goes through `presence_summary` itself. The tests hold the two
    equal on every agreement of the demo."""
    ids = [a.id for a in agreements]
    with_absences = set(
        session.scalars(
            select(AgreementAbsence.agreement_id)
            .where(AgreementAbsence.agreement_id.in_(ids))
            .distinct()
        )
    )
    amendments: dict[int, list[Amendment]] = defaultdict(list)
    for amendment in session.scalars(
        select(Amendment)
        .where(Amendment.agreement_id.in_(ids), Amendment.signed_on.is_not(None))
        .order_by(Amendment.agreement_id, Amendment.rank)
    ):
        amendments[amendment.agreement_id].append(amendment)
    hours: dict[int, float] = {}
    for agreement in agreements:
        if agreement.id in with_absences:
            hours[agreement.id] = presence_summary(session, agreement.id).done_hours
            continue
        versions = [TermsInForce(stored_terms(agreement))]
        versions += [
            TermsInForce(AgreementTerms.from_json(a.terms or "{}"), a.signed_on, a.rank)
            for a in amendments[agreement.id]
        ]
        end = versions[-1].terms.end
        early = agreement.status == AgreementStatus.BROKEN.value and agreement.ended_on
        until = min(end, agreement.ended_on) if early and agreement.ended_on else None
        hours[agreement.id] = round(agreement_hours(versions, until).total.hours, 2)
    return hours


def _day(value: datetime | date | str | None) -> date | None:
    """A datetime of the facts subquery (SQLite may hand back its text through an aggregate)."""
    if value is None:
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.date()
    return value
