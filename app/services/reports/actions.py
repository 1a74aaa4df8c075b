"""What the window and the command line ask of the indicators: one read-only unit of work per
action, coordination only (the service is the gate)."""

from sqlalchemy.orm import Session

from app.services.actor import Actor
from app.services.permissions import require_coordination
from app.services.reports import comparison, funnel, indicators
from app.services.reports import trace as tracing
from app.services.reports.scope import ReportScope
from app.services.reports.tables import IndicatorTable, PersonRef
from app.services.unit_of_work import reads

READING = "consulter les indicateurs"


@reads
def report_tables(
    session: Session, scope: ReportScope, *, funder: str | None = None, actor: Actor
) -> list[IndicatorTable]:
    """Every indicator table of the scope; the outcomes of one funder, or of all."""
    require_coordination(actor, READING)
    return indicators.indicator_tables(session, scope, funder)


@reads
def funnel_table(session: Session, scope: ReportScope, *, actor: Actor) -> IndicatorTable:
    require_coordination(actor, READING)
    return funnel.funnel(session, scope)


@reads
def season_comparison(session: Session, site: str | None, *, actor: Actor) -> IndicatorTable:
    require_coordination(actor, READING)
    return comparison.season_comparison(session, site)


@reads
def people_behind(
    session: Session, scope: ReportScope, trace: str, *, actor: Actor
) -> list[PersonRef]:
    """The people counted in one figure (its cell's `trace`), by name."""
    return tracing.people_behind(session, scope, trace, actor=actor)
