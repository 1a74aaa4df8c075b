"""The training organisation printed on every agreement (a single settings row)."""

import re
from dataclasses import dataclass, fields
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import OrganisationSettings
from app.domain.agreement_rules import IdentifierError, check_siret
from app.services.errors import PermissionDenied, ValidationError
from app.services.validation import FieldError, clean_text

__all__ = [
    "DEFAULT_NAME",
    "OrganisationInput",
    "PermissionDenied",
    "get_organisation",
    "is_complete",
    "save_organisation",
]

DEFAULT_NAME = "La Fabrique du Numérique"
ROLE_EDITING = "coordination"
ACTIVITY_DECLARATION_DIGITS = 11

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"


@dataclass
class OrganisationInput:
    """The settings form, as text."""

    nom: str = ""
    adresse: str = ""
    siret: str = ""
    declaration_activite: str = ""
    directeur: str = ""
    fonction_directeur: str = ""
    assureur: str = ""
    numero_police: str = ""
    logo: str = ""
    ville_signature: str = ""
    # "" prints the agreement's default: the court of the organisation's seat.
    tribunal_competent: str = ""

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


# Plain text fields: input field -> (model attribute, max length, French label)
_TEXT_FIELDS: dict[str, tuple[str, int, str]] = {
    "nom": ("name", 200, "Le nom"),
    "adresse": ("address", 300, "L'adresse"),
    "directeur": ("director_name", 120, "Le nom du directeur"),
    "fonction_directeur": ("director_function", 120, "La fonction du directeur"),
    "assureur": ("insurer", 120, "L'assureur"),
    "numero_police": ("policy_number", 60, "Le numéro de police"),
    "ville_signature": ("signing_city", 120, "La ville de signature"),
    "tribunal_competent": ("competent_court", 120, "Le tribunal compétent"),
}

# What an agreement cannot be printed without: model attribute -> French label.
_REQUIRED_FOR_PRINTING: dict[str, str] = {
    "name": "Nom de l'organisme",
    "address": "Adresse",
    "siret": "SIRET",
    "activity_declaration": "N° de déclaration d'activité",
    "director_name": "Directeur",
    "insurer": "Assureur",
    "policy_number": "N° de police d'assurance",
    "signing_city": "Ville de signature",
}


def _require_coordination(role: str) -> None:
    if role != ROLE_EDITING:
        raise PermissionDenied(
            "Seule la coordination peut modifier les informations de l'organisme."
        )


def _settings(session: Session) -> OrganisationSettings:
    """The single settings row, created (with the default name) when missing."""
    row = session.scalars(select(OrganisationSettings).order_by(OrganisationSettings.id)).first()
    if row is None:
        row = OrganisationSettings(
            name=DEFAULT_NAME,
            address="",
            siret="",
            activity_declaration="",
            director_name="",
            director_function="",
            insurer="",
            policy_number="",
            logo_path="",
            signing_city="",
            competent_court="",
        )
        session.add(row)
        session.flush()
    return row


def _as_input(row: OrganisationSettings) -> OrganisationInput:
    return OrganisationInput(
        nom=row.name or "",
        adresse=row.address or "",
        siret=row.siret or "",
        declaration_activite=row.activity_declaration or "",
        directeur=row.director_name or "",
        fonction_directeur=row.director_function or "",
        assureur=row.insurer or "",
        numero_police=row.policy_number or "",
        logo=row.logo_path or "",
        ville_signature=row.signing_city or "",
        tribunal_competent=row.competent_court or "",
    )


def get_organisation(session: Session) -> OrganisationInput:
    """The organisation's settings as the form shows them (the row is created if missing)."""
    return _as_input(_settings(session))


def _siret(raw: str) -> str:
    if not raw.strip():
        return ""
    try:
        return check_siret(raw)
    except IdentifierError as error:
        raise FieldError(str(error)) from None


def _activity_declaration(raw: str) -> str:
    number = re.sub(r"[\s.\-]", "", raw)
    if not number:
        return ""
    if not number.isdigit() or len(number) != ACTIVITY_DECLARATION_DIGITS:
        raise FieldError(
            "Le n° de déclaration d'activité comporte 11 chiffres (ex. 11 75 12345 75)."
        )
    return number


def _logo(raw: str) -> str:
    text = raw.strip()
    if not text:
        return ""
    try:
        path = Path(text).expanduser()
        found = path.is_file()
    except (OSError, ValueError, RuntimeError):  # NUL, half a character, name too long, no home
        found = False
    if not found:
        raise FieldError("Fichier du logo introuvable : vérifier le chemin.")
    try:
        with path.open("rb") as stream:
            head = stream.read(8)
    except OSError:
        raise FieldError("Le fichier du logo ne peut pas être lu.") from None
    if not (head.startswith(_PNG_MAGIC) or head.startswith(_JPEG_MAGIC)):
        raise FieldError("Le logo doit être une image PNG ou JPEG.")
    if len(str(path)) > 500:
        raise FieldError("Le chemin du logo dépasse 500 caractères.")
    return str(path)


def save_organisation(session: Session, data: OrganisationInput, *, role: str) -> OrganisationInput:
    """Validate every field (all errors at once) and save; coordination only."""
    _require_coordination(role)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}

    for name, (attribute, max_length, label) in _TEXT_FIELDS.items():
        try:
            raw = getattr(data, name)
            one_line = name != "adresse"  # the address prints on two lines
            values[attribute] = clean_text(raw, max_length, label, one_line=one_line) or ""
        except FieldError as error:
            errors[name] = str(error)
    if "nom" not in errors and not values.get("name"):
        errors["nom"] = "Le nom de l'organisme est obligatoire."
    for name, attribute, parse in (
        ("siret", "siret", _siret),
        ("declaration_activite", "activity_declaration", _activity_declaration),
        ("logo", "logo_path", _logo),
    ):
        try:
            values[attribute] = parse(getattr(data, name))
        except FieldError as error:
            errors[name] = str(error)
    if errors:
        raise ValidationError(errors)

    row = _settings(session)
    for attribute, value in values.items():
        setattr(row, attribute, value)
    session.flush()
    return _as_input(row)


def is_complete(session: Session) -> list[str]:
    """French labels of the fields still missing to print documents; empty when complete."""
    row = _settings(session)
    return [
        label
        for attribute, label in _REQUIRED_FOR_PRINTING.items()
        if not (getattr(row, attribute) or "").strip()
    ]
