"""The seasons side by side (one column per season, oldest first): candidatures, entries,
orientation validated, exits and each funder's positive exits at its own checkpoint. One SQL
query grouped by season."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import Candidate, Season, Site
from app.services.errors import UserFacingError
from app.services.outcomes.funders import funders
from app.services.reports import funnel, outcome_rates
from app.services.reports.scope import facts_of
from app.services.reports.tables import IndicatorRow, IndicatorTable, count, percent


def season_comparison(session: Session, site_code: str | None) -> IndicatorTable:
    conditions = []
    if site_code:
        site = session.scalar(select(Site.id).where(Site.code == site_code))
        if site is None:
            raise UserFacingError(f"Site inconnu : « {site_code} ».")
        conditions.append(Candidate.site_id == site)
    o = outcome_rates.with_checks(facts_of(conditions))
    found = funnel.predicates(o) | outcome_rates.predicates(session, o)
    rules = funders(session)
    keys = [
        "funnel:candidatures",
        "funnel:entres",
        "funnel:orientation_validee",
        "outcomes:sortis",
        *(f"outcomes:connue:{r.months}" for r in rules),
        *(f"outcomes:positive:{r.code}:{r.months}" for r in rules),
    ]
    keys = list(dict.fromkeys(keys))
    sums = {
        season: dict(zip(keys, (int(v or 0) for v in values), strict=True))
        for season, *values in session.execute(
            select(o.c.season_id, *(func.sum(func.iif(found[k], 1, 0)) for k in keys)).group_by(
                o.c.season_id
            )
        )
    }
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
    notes = []
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
    notes.append(
        "Chaque financeur à son échéance ; le taux est sur les situations connues à cette échéance."
    )
    return IndicatorTable(
        "comparison",
        "Comparaison des saisons" + (f" — site {site_code}" if site_code else ""),
        ("Indicateur", *(name for _, name in seasons)),
        tuple(rows),
        tuple(notes),
    )
