"""The seasons side by side (one column per season, oldest first): candidatures, entries,
orientation validated, exits and each funder's positive exits at its own checkpoint.

One SQL query grouped by season over the applications' index: from the entry on the
current stage decides (`scope.step_reached`), the history is only looked up (EXISTS) for
the learners who left — the whole base is read, so no per-application grouping of the
history; then one per funders' checkpoint over the learners who left. The
figures are those of `funnel` and `outcomes` for each season (the tests check it), and their
traces name the same people."""

from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from app.domain import Candidate, LearnerOutcome, Season, Site, StageChange
from app.domain.outcomes import Checkpoint
from app.domain.values import AFTER_EXIT_STAGES
from app.services.errors import UserFacingError
from app.services.outcomes.funders import FunderInfo, funders
from app.services.reports.outcome_rates import known, positive
from app.services.reports.scope import REACHED, stage_ids, step_reached
from app.services.reports.sql import count_if
from app.services.reports.tables import IndicatorRow, IndicatorTable, count, percent


def _ever(ids: dict[str, int], key: str) -> ColumnElement[bool]:
    return exists(
        select(StageChange.id).where(
            StageChange.candidate_id == Candidate.id,
            StageChange.to_stage_id.in_(sorted(ids[c] for c in REACHED[key] if c in ids)),
        )
    )


def _outcome_columns(situation: ColumnElement[Any], rules: list[FunderInfo]) -> dict[str, Any]:
    """The known situations and each funder's positive exits among the rows read (learners
    who left), at the funders' checkpoint of `rules`, by the outcomes table's keys."""
    months = rules[0].months
    columns: dict[str, Any] = {f"connue:{months}": count_if(known(situation))}
    for rule in rules:
        columns[f"positive:{rule.code}:{months}"] = count_if(positive(situation, rule))
    return columns


def _sums(
    session: Session, site_id: int | None, rules: list[FunderInfo]
) -> dict[int, dict[str, int]]:
    """Per season, every figure of the table by its trace key: the applications from one pass
    over the index of seasons and stages, then the learners who left — their exit situation,
    their checks at 3, 6 or 12 months — one query per funders' checkpoint, each reading only
    their rows (the whole base is too large to read every application's own columns)."""
    ids = stage_ids(session)
    left = Candidate.stage_id.in_(sorted(ids[c] for c in AFTER_EXIT_STAGES if c in ids))
    on_site = [Candidate.site_id == site_id] if site_id is not None else []
    columns: dict[str, Any] = {
        "funnel:candidatures": func.count(),
        "funnel:entres": func.sum(
            step_reached(ids, "entres", Candidate.stage_id, _ever(ids, "entres"))
        ),
        "funnel:orientation_validee": func.sum(
            step_reached(
                ids, "orientation_validee", Candidate.stage_id, _ever(ids, "orientation_validee")
            )
        ),
        "outcomes:sortis": count_if(left),
    }
    query = select(Candidate.season_id, *columns.values()).where(*on_site)
    sums = {
        season: dict(zip(columns, (int(v or 0) for v in values), strict=True))
        for season, *values in session.execute(query.group_by(Candidate.season_id))
    }
    for months in sorted({r.months for r in rules}):
        checked = _outcome_columns(_situation(months), [r for r in rules if r.months == months])
        query = select(Candidate.season_id, *checked.values()).where(left, *on_site)
        if months:
            checkpoint = next(c for c in Checkpoint if c.months == months)
            query = query.join(LearnerOutcome, LearnerOutcome.candidate_id == Candidate.id).where(
                LearnerOutcome.checkpoint == checkpoint.value
            )
        found = {
            season: values
            for season, *values in session.execute(query.group_by(Candidate.season_id))
        }
        for season, figures in sums.items():
            values = found.get(season, [0] * len(checked))
            for key, value in zip(checked, values, strict=True):
                figures[f"outcomes:{key}"] = int(value or 0)
    return sums


def _situation(months: int) -> ColumnElement[Any]:
    """The situation at `months` after the exit: the exit type, or the recorded check."""
    return Candidate.exit_type.expression if months == 0 else LearnerOutcome.situation.expression


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
