"""The seasons side by side (one column per season, oldest first): candidatures, entries,
orientation validated, exits and each funder's positive exits at its own checkpoint.

One SQL query grouped by season over the applications themselves: from the entry on the
current stage decides (`scope.step_reached`), the history is only looked up (EXISTS) for
the learners who left, and their checks only for them — the whole base is read, so no
per-application grouping of the history. The figures are those of `funnel` and `outcomes`
for each season (the tests check it), and their traces name the same people."""

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from app.domain import Candidate, LearnerOutcome, Season, Site, StageChange
from app.domain.outcomes import Checkpoint
from app.domain.values import AFTER_EXIT_STAGES
from app.services.errors import UserFacingError
from app.services.outcomes.funders import FunderInfo, funders
from app.services.reports.outcome_rates import UNKNOWN, positive_codes
from app.services.reports.scope import REACHED, stage_ids, step_reached
from app.services.reports.tables import IndicatorRow, IndicatorTable, count, percent


def _ever(ids: dict[str, int], key: str) -> ColumnElement[bool]:
    return exists(
        select(StageChange.id).where(
            StageChange.candidate_id == Candidate.id,
            StageChange.to_stage_id.in_(sorted(ids[c] for c in REACHED[key] if c in ids)),
        )
    )


def _situation(months: int) -> ColumnElement[str | None]:
    if months == 0:
        return Candidate.exit_type.expression
    checkpoint = next(c for c in Checkpoint if c.months == months)
    return (
        select(LearnerOutcome.situation)
        .where(
            LearnerOutcome.candidate_id == Candidate.id,
            LearnerOutcome.checkpoint == checkpoint.value,
        )
        .scalar_subquery()
    )


def _sums(
    session: Session, site_id: int | None, rules: list[FunderInfo]
) -> dict[int, dict[str, int]]:
    ids = stage_ids(session)
    left_ids = sorted(ids[c] for c in AFTER_EXIT_STAGES if c in ids)
    left = Candidate.stage_id.in_(left_ids)
    columns: dict[str, ColumnElement[int]] = {
        "funnel:candidatures": func.count(),
        "funnel:entres": func.sum(
            step_reached(ids, "entres", Candidate.stage_id, _ever(ids, "entres"))
        ),
        "funnel:orientation_validee": func.sum(
            step_reached(
                ids, "orientation_validee", Candidate.stage_id, _ever(ids, "orientation_validee")
            )
        ),
        "outcomes:sortis": func.sum(func.iif(left, 1, 0)),
    }
    for months in sorted({r.months for r in rules}):
        situation = _situation(months)
        known = and_(left, situation.is_not(None), situation != UNKNOWN)
        columns[f"outcomes:connue:{months}"] = func.sum(func.iif(known, 1, 0))
        for rule in (r for r in rules if r.months == months):
            positive = and_(known, situation.in_(positive_codes(rule)))
            columns[f"outcomes:positive:{rule.code}:{months}"] = func.sum(func.iif(positive, 1, 0))
    query = select(Candidate.season_id, *columns.values()).group_by(Candidate.season_id)
    if site_id is not None:
        query = query.where(Candidate.site_id == site_id)
    return {
        season: dict(zip(columns, (int(v or 0) for v in values), strict=True))
        for season, *values in session.execute(query)
    }


def season_comparison(session: Session, site_code: str | None) -> IndicatorTable:
    site_id = None
    if site_code:
        site_id = session.scalar(select(Site.id).where(Site.code == site_code))
        if site_id is None:
            raise UserFacingError(f"Site inconnu : « {site_code} ».")
    rules = funders(session)
    sums = _sums(session, site_id, rules)
    seasons = [
        (sid, label)
        for sid, label in session.execute(
            select(Season.id, Season.label).order_by(Season.start_date)
        )
        if sid in sums
    ]

    def line(label: str, key: str) -> IndicatorRow:
        return IndicatorRow(
            label, tuple(count(sums[s][key], f"{key}@{name}") for s, name in seasons)
        )

    rows = [
        line("Candidatures", "funnel:candidatures"),
        line("Entrés en formation", "funnel:entres"),
        IndicatorRow(
            "Entrés sur candidatures (%)",
            tuple(
                percent(sums[s]["funnel:entres"], sums[s]["funnel:candidatures"])
                for s, _ in seasons
            ),
        ),
        line("Orientation validée", "funnel:orientation_validee"),
        line("Sortis", "outcomes:sortis"),
    ]
    for rule in rules:
        when = "à la sortie" if rule.months == 0 else f"à {rule.months} mois"
        key = f"outcomes:positive:{rule.code}:{rule.months}"
        rows.append(line(f"Sorties positives {when} — {rule.label}", key))
        rows.append(
            IndicatorRow(
                f"Taux de sorties positives {when} — {rule.label} (%)",
                tuple(
                    percent(
                        sums[s][key], sums[s][f"outcomes:connue:{rule.months}"], f"{key}@{name}"
                    )
                    for s, name in seasons
                ),
            )
        )
    return IndicatorTable(
        "comparison",
        "Comparaison des saisons" + (f" — site {site_code}" if site_code else ""),
        ("Indicateur", *(name for _, name in seasons)),
        tuple(rows),
        (
            "Chaque financeur à son échéance ; le taux est sur les situations connues à cette "
            "échéance.",
        ),
    )
