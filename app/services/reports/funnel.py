"""The recruitment funnel: candidatures → information collective → entretien → admis → entrés
→ orientation validée → stage → sortie, with who was lost at each step and at which stage they
stopped. One SQL query per table (sums of CASE over the scope's facts, grouped by the stage
people are at)."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Subquery, and_, case, literal, select, true
from sqlalchemy.orm import Session

from app.domain import Stage
from app.domain.values import AFTER_EXIT_STAGES, EXIT_STAGE
from app.services.reports.scope import ReportScope, facts
from app.services.reports.sql import count_if
from app.services.reports.tables import Cell, IndicatorRow, IndicatorTable, count, percent


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    # Stages where a person who reached this step and not the next is still on the way, not
    # lost (the step's own waiting stages).
    pending: frozenset[str]


STEPS: tuple[Step, ...] = (
    Step("candidatures", "Candidatures", frozenset({"recue", "contacte"})),
    Step("information_collective", "Information collective", frozenset({"information_collective"})),
    Step("entretien", "Entretien", frozenset({"entretien"})),
    Step("admis", "Admis", frozenset({"admis"})),
    Step("entres", "Entrés en formation", frozenset({"entre_formation"})),
    Step(
        "orientation_validee",
        "Orientation validée",
        frozenset({"orientation_validee", "orientation_reserves"}),
    ),
    Step("en_stage", "En stage", frozenset({"en_stage"})),
    Step("sortis", "Sortis", frozenset()),
)
STEP_BY_KEY = {step.key: step for step in STEPS}
EXIT_REASON = "sortie du parcours"
NOTES = (
    "Une personne compte à une étape si elle y est passée, ou à une étape suivante, d'après "
    "l'historique de son dossier.",
    "Perdus : passés par l'étape sans atteindre la suivante ; les personnes qui y sont encore "
    "en attente ne sont pas comptées comme perdues.",
    "« Orientation validée » compte les validations avec réserves ; « Sortis » compte toutes "
    "les sorties, y compris pendant l'orientation.",
)


def reached(f: Subquery, key: str) -> ColumnElement[bool]:
    if key == "candidatures":
        return true()
    return f.c[f"reached_{key}"] == 1


def lost(f: Subquery, key: str) -> ColumnElement[bool]:
    """Reached this step, not the next one, and not waiting at it."""
    index = [s.key for s in STEPS].index(key)
    if index == len(STEPS) - 1:
        raise KeyError(key)
    step, following = STEPS[index], STEPS[index + 1]
    return and_(
        reached(f, step.key),
        f.c[f"reached_{following.key}"] == 0,
        f.c.stage_code.not_in(sorted(step.pending)) if step.pending else true(),
    )


def predicates(f: Subquery) -> dict[str, ColumnElement[bool]]:
    """Every traceable figure of the two funnel tables, by trace key."""
    found: dict[str, ColumnElement[bool]] = {}
    for step in STEPS:
        found[f"funnel:{step.key}"] = reached(f, step.key)
        if step is not STEPS[-1]:
            found[f"funnel_lost:{step.key}"] = lost(f, step.key)
    return found


def _by_stage(session: Session, scope: ReportScope) -> tuple[list[tuple[str, list[int]]], Subquery]:
    """Per current stage: how many reached each step, then how many were lost at each."""
    f = facts(session, scope)
    sums = [count_if(reached(f, s.key)) for s in STEPS]
    sums += [count_if(lost(f, s.key)) for s in STEPS[:-1]]
    reason = stopped_at(f)
    rows = session.execute(select(reason, *sums).group_by(reason)).all()
    return [(row[0], [int(v or 0) for v in row[1:]]) for row in rows], f


def funnel(session: Session, scope: ReportScope) -> IndicatorTable:
    grouped, _ = _by_stage(session, scope)
    totals = [sum(values[i] for _, values in grouped) for i in range(2 * len(STEPS) - 1)]
    applications = totals[0]
    rows = []
    for index, step in enumerate(STEPS):
        losses: Cell = (
            count(totals[len(STEPS) + index], f"funnel_lost:{step.key}")
            if index < len(STEPS) - 1
            else Cell(None, "count")
        )
        rows.append(
            IndicatorRow(
                step.label,
                (
                    count(totals[index], f"funnel:{step.key}"),
                    percent(totals[index], applications),
                    losses,
                ),
            )
        )
    return IndicatorTable(
        "funnel",
        "Parcours de recrutement",
        ("Étape", "Personnes", "% des candidatures", "Perdus à cette étape"),
        tuple(rows),
        NOTES,
    )


def funnel_losses(session: Session, scope: ReportScope) -> IndicatorTable:
    """Who was lost at each step, by the stage they stopped at (non retenu, désisté, …)."""
    grouped, _ = _by_stage(session, scope)
    labels = stage_labels(session)
    order = stage_positions(session)
    rows = []
    for index, step in enumerate(STEPS[:-1]):
        for stage_code, values in sorted(grouped, key=lambda g: order.get(g[0], 0)):
            lost_here = values[len(STEPS) + index]
            if lost_here:
                rows.append(
                    IndicatorRow(
                        f"{step.label} — {reason_label(stage_code, labels)}",
                        (count(lost_here, f"funnel_loss:{step.key}:{stage_code}"),),
                    )
                )
    return IndicatorTable(
        "funnel_losses",
        "Perdus à chaque étape, par motif",
        ("Étape — étape où la personne s'est arrêtée", "Personnes"),
        tuple(rows),
        ("Le motif est l'étape où se trouve aujourd'hui la personne perdue.",),
    )


def loss_predicate(f: Subquery, trace: str) -> ColumnElement[bool] | None:
    """`funnel_loss:<step>:<stage>`: the people lost at a step who are at that stage."""
    parts = trace.split(":")
    if len(parts) != 3 or parts[0] != "funnel_loss" or parts[1] not in STEP_BY_KEY:
        return None
    if parts[1] == STEPS[-1].key:
        return None
    return and_(lost(f, parts[1]), stopped_at(f) == parts[2])


def stopped_at(f: Subquery) -> ColumnElement[str]:
    """The stage a person is at, the follow-up stages after an exit read as *sortie*."""
    return case(
        (f.c.stage_code.in_(sorted(AFTER_EXIT_STAGES)), literal(EXIT_STAGE)),
        else_=f.c.stage_code,
    )


def reason_label(stage_code: str, labels: dict[str, str]) -> str:
    if stage_code == EXIT_STAGE:
        return EXIT_REASON
    return labels.get(stage_code, stage_code)


def stage_labels(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Stage.code, Stage.label)).tuples().all())


def stage_positions(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Stage.code, Stage.position)).tuples().all())
