"""Each site's street address, postal code, phone and e-mail: printed on convocations (where to
come, who to call) and sign-in sheets. Coordination edits them in Paramètres. No Qt."""

from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import AuditAction, Site
from app.services.actor import Actor
from app.services.errors import NotFoundError, ValidationError
from app.services.journal import audit_log as audit
from app.services.permissions import require_coordination
from app.services.validation import (
    FieldError,
    clean_line,
    format_phone,
    parse_email,
    parse_phone,
    parse_postal_code,
)

__all__ = ["SiteContact", "SiteInput", "save_site", "site_contacts"]

ADDRESS_LENGTH = 200
EMAIL_LENGTH = 200
EDITING = "modifier les coordonnées des sites"

# Input field -> (model attribute, French label for the journal)
_FIELDS = {
    "adresse": ("address", "Adresse"),
    "code_postal": ("postal_code", "Code postal"),
    "telephone": ("phone", "Téléphone"),
    "email": ("email", "E-mail"),
}


@dataclass
class SiteInput:
    """A site's contact form, as text (field names like the candidate form's)."""

    adresse: str = ""
    code_postal: str = ""
    telephone: str = ""
    email: str = ""

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


@dataclass(frozen=True)
class SiteContact:
    """A site as the Paramètres page shows it: who it is, and its form's values."""

    id: int
    code: str
    name: str
    city: str
    values: SiteInput

    @property
    def title(self) -> str:
        """ "Cobalt (Poitiers)"."""
        return f"{self.name} ({self.city})" if self.city else self.name


def _contact(site: Site) -> SiteContact:
    values = SiteInput(
        adresse=site.address or "",
        code_postal=site.postal_code or "",
        telephone=format_phone(site.phone) if site.phone else "",
        email=site.email or "",
    )
    return SiteContact(site.id, site.code, site.name, site.city or "", values)


def site_contacts(session: Session) -> list[SiteContact]:
    """Every site, in the order of the header's list."""
    return [_contact(site) for site in session.scalars(select(Site).order_by(Site.id))]


def _email(text: str) -> str:
    email = parse_email(text) or ""
    if len(email) > EMAIL_LENGTH:
        raise FieldError(f"L'adresse e-mail dépasse {EMAIL_LENGTH} caractères.")
    return email


def _parsed(data: SiteInput) -> dict[str, str]:
    """The stored values by model attribute; every refusal at once (ValidationError)."""
    parsers = {
        "adresse": lambda text: clean_line(text, ADDRESS_LENGTH, "L'adresse") or "",
        "code_postal": lambda text: parse_postal_code(text) or "",
        "telephone": lambda text: parse_phone(text) or "",
        "email": _email,
    }
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name, parse in parsers.items():
        try:
            values[_FIELDS[name][0]] = parse(getattr(data, name))
        except FieldError as error:
            errors[name] = str(error)
    if errors:
        raise ValidationError(errors)
    return values


def save_site(session: Session, site_id: int, data: SiteInput, *, actor: Actor) -> SiteContact:
    """Check every field (French refusals by field, nothing saved) and save; coordination
    only. The change is journaled with the values before and after."""
    require_coordination(actor, EDITING)
    site = session.get(Site, site_id)
    if site is None:
        raise NotFoundError("Ce site n'existe plus.")
    values = _parsed(data)
    changes: dict[str, list[str | None]] = {}
    for name, (attribute, label) in _FIELDS.items():
        before, after = getattr(site, attribute) or "", values[attribute]
        if before != after:
            shown = format_phone if name == "telephone" else str
            changes[label] = [shown(before) or None, shown(after) or None]
            setattr(site, attribute, after)
    if changes:
        audit.record(
            session,
            AuditAction.MODIFICATION,
            None,
            f"Coordonnées du site {site.name} modifiées",
            entity_type="setting",
            changes=changes,
            author=actor.author,
        )
        session.flush()
    return _contact(site)
