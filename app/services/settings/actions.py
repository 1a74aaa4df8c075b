"""What the window asks of settings: one unit of work per user action.

The Paramètres page reads the organisation with what printing still lacks, and saves it, and
each site's contact details. Each use case takes the database first and opens, commits or
rolls back its own session; the building blocks are in `organisation` and `sites`.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.services.actor import Actor
from app.services.settings import organisation, sites
from app.services.settings.organisation import OrganisationInput
from app.services.unit_of_work import reads, writes


@dataclass(frozen=True)
class OrganisationForm:
    """The organisation as the form shows it, and the French labels of the fields an agreement
    cannot be printed without yet (empty when complete)."""

    values: OrganisationInput
    missing: list[str]


@writes  # reading creates the settings row the first time
def organisation_form(session: Session) -> OrganisationForm:
    return OrganisationForm(
        organisation.get_organisation(session), organisation.is_complete(session)
    )


@writes
def save_organisation(
    session: Session, data: OrganisationInput, *, actor: Actor
) -> OrganisationForm:
    """Every field checked (all refusals at once, nothing saved), then saved; coordination only."""
    saved = organisation.save_organisation(session, data, actor=actor)
    return OrganisationForm(saved, organisation.is_complete(session))


site_contacts = reads(sites.site_contacts)
save_site = writes(sites.save_site)
