"""The demo sites' phone and e-mail, printed on convocations ("who to call"). The numbers are
in the range ARCEP keeps for fiction (05 36 49 …) and the domain is an example one."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Site
from app.services.validation import parse_phone

DEMO_CONTACTS = {
    "cobalt": ("05 36 49 12 40", "accueil.cobalt@fabrique.exemple.fr"),
    "du-guesclin": ("05 36 49 27 80", "accueil.duguesclin@fabrique.exemple.fr"),
}


def seed_site_contacts(session: Session) -> None:
    """Give each demo site without a phone or an e-mail the demo's (kept when already set)."""
    for site in session.scalars(select(Site).where(Site.code.in_(DEMO_CONTACTS))):
        phone, email = DEMO_CONTACTS[site.code]
        site.phone = site.phone or parse_phone(phone) or ""
        site.email = site.email or email
    session.flush()
