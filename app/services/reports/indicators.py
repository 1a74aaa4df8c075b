"""Every indicator table of a scope, in the order the dashboard, the exports and the season
report show them."""

from sqlalchemy.orm import Session

from app.services.reports.composition import composition
from app.services.reports.funnel import funnel, funnel_losses
from app.services.reports.outcome_rates import outcome_situations, outcomes
from app.services.reports.pathways import company_time, pathways
from app.services.reports.scope import ReportScope, facts_kept
from app.services.reports.tables import IndicatorTable

# Every table of a scope, in order; the outcomes table also takes a funder's code.
TABLES = (funnel, funnel_losses, composition, pathways, company_time, outcomes, outcome_situations)


def indicator_tables(
    session: Session, scope: ReportScope, funder_code: str | None = None
) -> list[IndicatorTable]:
    with facts_kept(session, scope):
        return [
            outcomes(session, scope, funder_code) if table is outcomes else table(session, scope)
            for table in TABLES
        ]
