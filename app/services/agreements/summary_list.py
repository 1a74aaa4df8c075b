"""The summary list of agreements: one line per agreement (number, learner, host, tutor,
dates, hours, status), for the agreements the Conventions view lists, on one page for a
cohort — next to the batch of full agreements.

The hours are THE hours of an agreement (details.get_agreement, through agreement_hours:
its signed amendments each from their signing day), as the agreement's screen, its documents
and the CSV export show them.
"""

from collections.abc import Sequence
from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from app.pdf.quantities import format_hours
from app.services.actor import Actor
from app.services.agreements import details
from app.services.journal import audit_log as audit
from app.services.permissions import require_coordination
from app.services.settings.organisation import get_organisation
from app.services.unit_of_work import writes
from app.services.validation import format_date

__all__ = ["SUMMARY_HEADINGS", "agreements_summary_pdf", "summary_rows"]

PRINTING = "imprimer la liste des conventions"
TITLE = "Liste des conventions de stage"
# Heading, alignment, whether it wraps.
SUMMARY_HEADINGS: tuple[tuple[str, Literal["LEFT", "RIGHT"], bool], ...] = (
    ("N°", "LEFT", False),
    ("Stagiaire", "LEFT", True),
    ("Structure d'accueil", "LEFT", True),
    ("Tuteur", "LEFT", True),
    ("Début", "LEFT", False),
    ("Fin", "LEFT", False),
    ("Heures", "RIGHT", False),
    ("Statut", "LEFT", True),
)


def summary_rows(session: Session, agreement_ids: Sequence[int]) -> list[list[str]]:
    """One row per agreement, in the given order."""
    rows = []
    for agreement_id in agreement_ids:
        info = details.get_agreement(session, agreement_id)
        rows.append(
            [
                info.number or "brouillon",
                info.learner_name,
                info.host_name,
                info.tutor_name,
                format_date(info.start),
                format_date(info.end),
                format_hours(info.hours.hours),
                info.status_label.capitalize(),
            ]
        )
    return rows


@writes
def agreements_summary_pdf(
    session: Session,
    agreement_ids: Sequence[int],
    *,
    actor: Actor,
    filters: Sequence[str] = (),
    today: date | None = None,
) -> bytes:
    """The summary list of these agreements, in their order, as a PDF; `filters` describe
    the list they come from ("Saison 2026-2027 · Cobalt"). Journaled with its row count."""
    from app.pdf.table_list import ListColumn, ListDocument, ListIssuer, table_list_pdf

    require_coordination(actor, PRINTING)
    today = today or date.today()
    organisation = get_organisation(session)
    document = ListDocument(
        title=TITLE,
        columns=[ListColumn(*heading) for heading in SUMMARY_HEADINGS],
        rows=summary_rows(session, agreement_ids),
        counted=("convention", "conventions"),
        printed_on=today,
        issuer=ListIssuer(organisation.nom, organisation.adresse, organisation.logo),
        filters=[" · ".join(filters)] if filters else [],
    )
    pdf = table_list_pdf(document)
    scope = ", ".join(filters)
    audit.record_export(
        session, "conventions (liste récapitulative, PDF)", len(document.rows), scope
    )
    return pdf
