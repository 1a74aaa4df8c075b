"""What became of the learners who left: their situation at exit and at 3, 6 and 12 months,
and each funder's positive exits and rate (positives over the situations known). One SQL
query per table over the scope's facts and their recorded checks."""

from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, select
from sqlalchemy.orm import Session, aliased

from app.domain import LearnerOutcome
from app.domain.outcomes import Checkpoint
from app.domain.values import EXIT_TYPES
from app.services.outcomes.funders import FunderInfo, funder, funders, is_positive
from app.services.reports.scope import ReportScope, facts
from app.services.reports.sql import count_if
from app.services.reports.tables import IndicatorRow, IndicatorTable, count, percent

MONTHS = (0, 3, 6, 12)
COLUMNS = ("Indicateur", "À la sortie", "À 3 mois", "À 6 mois", "À 12 mois")
UNKNOWN = "inconnue"


def positive_codes(funder: FunderInfo) -> list[str]:
    """The situations `funder` counts as positive, by THE rule (`outcomes.funders.is_positive`)
    applied to every situation code, for SQL's IN."""
    return [code for code in EXIT_TYPES if is_positive(funder, code)]


def known(situation: ColumnElement[Any]) -> ColumnElement[bool]:
    """A situation counted in the rates: recorded, and not "situation inconnue"."""
    return and_(situation.is_not(None), situation != UNKNOWN)


def positive(situation: ColumnElement[Any], funder: FunderInfo) -> ColumnElement[bool]:
    return and_(known(situation), situation.in_(positive_codes(funder)))


def with_checks(f: Subquery) -> Subquery:
    """The facts with the situation at each checkpoint (`situation_0` is the exit type)."""
    checks = {c.months: aliased(LearnerOutcome, name=f"check_{c.months}") for c in Checkpoint}
    query = select(
        f,
        f.c.exit_type.label("situation_0"),
        *(checks[m].situation.label(f"situation_{m}") for m in MONTHS[1:]),
    )
    for checkpoint in Checkpoint:
        check = checks[checkpoint.months]
        query = query.outerjoin(
            check, and_(check.candidate_id == f.c.id, check.checkpoint == checkpoint.value)
        )
    return query.subquery("with_checks")


def predicates(session: Session, o: Subquery) -> dict[str, ColumnElement[bool]]:
    left = and_(o.c.reached_entres == 1, o.c.reached_sortis == 1)
    found: dict[str, ColumnElement[bool]] = {"outcomes:sortis": left}
    for months in MONTHS:
        situation = o.c[f"situation_{months}"]
        found[f"outcomes:connue:{months}"] = and_(left, known(situation))
        found[f"outcomes:inconnue:{months}"] = and_(left, ~known(situation))
        for rule in funders(session):
            found[f"outcomes:positive:{rule.code}:{months}"] = and_(left, positive(situation, rule))
        for code in EXIT_TYPES:
            found[f"outcome_situations:{code}:{months}"] = and_(left, situation == code)
        found[f"outcome_situations:non_renseignee:{months}"] = and_(left, situation.is_(None))
    return found


def _sums(session: Session, scope: ReportScope, prefix: str) -> dict[str, int]:
    """The figures whose trace key starts with `prefix` (each table sums only its own)."""
    o = with_checks(facts(session, scope))
    every = predicates(session, o)
    found = {k: p for k, p in every.items() if k.startswith(prefix)}
    # Every figure is among the learners who left: only their rows are summed.
    row = session.execute(
        select(*(count_if(p) for p in found.values()))
        .select_from(o)
        .where(every["outcomes:sortis"])
    ).one()
    return {key: int(v or 0) for key, v in zip(found, row, strict=True)}


def outcomes(
    session: Session, scope: ReportScope, funder_code: str | None = None
) -> IndicatorTable:
    sums = _sums(session, scope, "outcomes:")
    rules = funders(session) if funder_code is None else [funder(session, funder_code)]
    left = sums["outcomes:sortis"]
    rows = [
        IndicatorRow("Sortis", tuple(count(left, "outcomes:sortis") for _ in MONTHS)),
        _per_month("Situation connue", sums, "outcomes:connue:{m}"),
        _per_month("Situation non renseignée ou inconnue", sums, "outcomes:inconnue:{m}"),
    ]
    notes = [
        "Sortis : les entrés en formation passés à l'étape « sortie ». La situation « à la "
        "sortie » est le type de sortie ; à 3, 6 et 12 mois, celle relevée au suivi.",
        "Taux de sorties positives : sorties positives sur les situations connues ; les "
        "personnes dont la situation n'est pas connue ne comptent dans aucun taux.",
    ]
    for rule in rules:
        key = f"outcomes:positive:{rule.code}:{{m}}"
        rows.append(_per_month(f"Sorties positives — {rule.label}", sums, key))
        rows.append(
            IndicatorRow(
                f"Taux de sorties positives — {rule.label} (%)",
                tuple(
                    percent(
                        sums[key.format(m=m)],
                        sums[f"outcomes:connue:{m}"],
                        key.format(m=m),
                    )
                    for m in MONTHS
                ),
            )
        )
        when = "à la sortie" if rule.months == 0 else f"à {rule.months} mois"
        positive = ", ".join(EXIT_TYPES[code] for code in positive_codes(rule))
        notes.append(f"{rule.label} : mesuré {when} ; situations positives : {positive}.")
    return IndicatorTable("outcomes", "Sorties positives", COLUMNS, tuple(rows), tuple(notes))


def outcome_situations(session: Session, scope: ReportScope) -> IndicatorTable:
    """How many learners were in each situation at exit and at each checkpoint."""
    sums = _sums(session, scope, "outcome_situations:")
    rows = [
        _per_month(label, sums, f"outcome_situations:{code}:{{m}}")
        for code, label in EXIT_TYPES.items()
        if any(sums[f"outcome_situations:{code}:{m}"] for m in MONTHS)
    ]
    rows.append(_per_month("Non renseignée", sums, "outcome_situations:non_renseignee:{m}"))
    return IndicatorTable(
        "outcome_situations",
        "Situations des sortis",
        COLUMNS,
        tuple(rows),
        ("Seules les situations rencontrées au moins une fois sont listées.",),
    )


def _per_month(label: str, sums: dict[str, int], key: str) -> IndicatorRow:
    return IndicatorRow(label, tuple(count(sums[key.format(m=m)], key.format(m=m)) for m in MONTHS))
