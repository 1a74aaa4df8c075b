"""From a figure to the people behind it (coordination only): the figure's trace key names
the same SQL condition the figure counted, run again to list the applications."""

from sqlalchemy import ColumnElement, Subquery, select
from sqlalchemy.orm import Session

from app.domain import Candidate, Site, Stage
from app.services.actor import Actor
from app.services.candidates.records import name_for_display
from app.services.errors import UserFacingError
from app.services.permissions import require_coordination
from app.services.reports import composition, funnel, outcome_rates, pathways
from app.services.reports.scope import ReportScope, facts
from app.services.reports.tables import PersonRef

NOT_TRACEABLE = "Ce chiffre ne renvoie pas à une liste de personnes."


def people_behind(
    session: Session, scope: ReportScope, trace: str, *, actor: Actor
) -> list[PersonRef]:
    """The applications counted in the figure `trace` of `scope` (a key ending with
    "@<season>", from the seasons' comparison, names its own season), by name."""
    require_coordination(actor, "voir les personnes derrière un indicateur")
    key, _, season = trace.partition("@")
    if season:
        scope = ReportScope(season, scope.site_code, scope.filiere_code)
    o = outcome_rates.with_checks(facts(session, scope))
    condition = condition_of(session, o, key)
    current = Stage
    rows = session.execute(
        select(
            Candidate.id,
            Candidate.last_name,
            Candidate.usage_name,
            Candidate.first_name,
            Site.name,
            current.label,
        )
        .join(o, o.c.id == Candidate.id)
        .join(Site, Site.id == Candidate.site_id)
        .join(current, current.id == Candidate.stage_id)
        .where(condition)
        .order_by(Candidate.name_key, Candidate.first_name_key, Candidate.id)
    )
    return [
        PersonRef(cid, name_for_display(last, usage, first), site, stage)
        for cid, last, usage, first, site, stage in rows
    ]


def condition_of(session: Session, o: Subquery, key: str) -> ColumnElement[bool]:
    table = key.split(":", 1)[0]
    if table == "funnel_loss":
        found = funnel.loss_predicate(o, key)
        if found is None:
            raise UserFacingError(NOT_TRACEABLE)
        return found
    if table in ("funnel", "funnel_lost"):
        known = funnel.predicates(o)
    elif table == "composition":
        known = composition.predicates(session, o)
    elif table == "pathways":
        known = pathways.predicates(o)
    elif table in ("outcomes", "outcome_situations"):
        known = outcome_rates.predicates(session, o)
    else:
        raise UserFacingError(NOT_TRACEABLE)
    if key not in known:
        raise UserFacingError(NOT_TRACEABLE)
    return known[key]
