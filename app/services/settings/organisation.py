"""The training organisation printed on every agreement and letter (a single settings row)."""

import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import data_dir
from app.domain import OrganisationSettings
from app.domain.agreement_rules import IdentifierError, check_siret
from app.errors import describe_os_error
from app.pdf.images import MAX_IMAGE_SIDE, pixel_size
from app.services.actor import Actor
from app.services.errors import PermissionDenied, ValidationError
from app.services.permissions import role_of
from app.services.validation import FieldError, clean_text

__all__ = [
    "DEFAULT_CONVOCATION_ITEMS",
    "DEFAULT_NAME",
    "LOGO_STORED_SIDE",
    "MAX_IMAGE_SIDE",
    "OrganisationInput",
    "PermissionDenied",
    "convocation_items",
    "get_organisation",
    "is_complete",
    "save_organisation",
]

DEFAULT_NAME = "La Fabrique du Numérique"
ROLE_EDITING = "coordination"
ACTIVITY_DECLARATION_DIGITS = 11

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
# A logo is printed 30 mm wide at most: 1 000 pixels is more than 800 dpi. A larger one (up
# to MAX_IMAGE_SIDE, 4 000 pixels a side) is stored reduced to this in LOGO_FOLDER.
LOGO_STORED_SIDE = 1000
LOGO_FOLDER = "logos"
MAX_LOGO_BYTES = 20_000_000
UNREADABLE_LOGO = "Le fichier du logo est illisible ou abîmé : choisir une autre image."
# What a convocation asks the person to bring while coordination has not written its own list.
DEFAULT_CONVOCATION_ITEMS = (
    "une pièce d'identité",
    "votre CV, si vous en avez un",
    "votre attestation France Travail ou votre notification de droits, si vous êtes concerné·e",
    "de quoi noter",
)
_BULLET = re.compile(r"^\s*(?:[-–—•*·]|\d+[.)])\s*")


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
    # What a convocation asks to bring, one thing a line; "" prints DEFAULT_CONVOCATION_ITEMS.
    a_apporter: str = ""

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
    "a_apporter": ("convocation_items", 2000, "La liste « À apporter »"),
}
# Multi-line fields: the address prints on two lines, the list one thing a line.
_MULTI_LINE = frozenset({"adresse", "a_apporter"})

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


def _require_coordination(actor: Actor) -> None:
    if role_of(actor) != ROLE_EDITING:
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
            convocation_items="",
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
        a_apporter=row.convocation_items or "",
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
    """The path to print the logo from: the chosen file when it is at most LOGO_STORED_SIDE
    pixels on its longer side, else a copy reduced to that size in the data folder (see
    `_stored_copy`). Refused: a missing or unreadable file, another format than PNG or JPEG,
    more than MAX_IMAGE_SIDE pixels on a side (read from the header, before any decoding)."""
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
    if len(str(path)) > 500:
        raise FieldError("Le chemin du logo dépasse 500 caractères.")
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_LOGO_BYTES + 1)
    except OSError:
        raise FieldError("Le fichier du logo ne peut pas être lu.") from None
    if not (data.startswith(_PNG_MAGIC) or data.startswith(_JPEG_MAGIC)):
        raise FieldError("Le logo doit être une image PNG ou JPEG.")
    if len(data) > MAX_LOGO_BYTES:
        raise FieldError(f"Le fichier du logo dépasse {MAX_LOGO_BYTES // 1_000_000} Mo.")
    size = pixel_size(data)
    if size is None:
        raise FieldError(UNREADABLE_LOGO)
    width, height = size
    if max(size) > MAX_IMAGE_SIDE:
        raise FieldError(
            f"Le logo mesure {_thousands(width)} × {_thousands(height)} pixels : "
            f"{_thousands(MAX_IMAGE_SIDE)} × {_thousands(MAX_IMAGE_SIDE)} au plus. "
            "Le réduire, puis le choisir à nouveau."
        )
    if min(size) < 1:
        raise FieldError(UNREADABLE_LOGO)
    if max(size) <= LOGO_STORED_SIDE:
        _check_decodable(data)
        return str(path)
    return str(_stored_copy(data))


def _thousands(number: int) -> str:
    """4000 as "4 000" (a no-break space: the number never splits across two lines)."""
    return f"{number:,}".replace(",", "\u00a0")


def _check_decodable(data: bytes) -> None:
    """A FieldError unless Pillow decodes the (small) image completely."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise FieldError(UNREADABLE_LOGO) from None


def logo_folder() -> Path:
    """Where reduced copies of logos are kept: `logos/` in this workstation's data folder."""
    return data_dir() / LOGO_FOLDER


def _stored_copy(data: bytes) -> Path:
    """A copy of the image reduced to LOGO_STORED_SIDE pixels on its longer side, in the
    same format (PNG stays lossless and keeps its transparency; a JPEG photo stays small),
    written once under a name made of its content's hash."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            is_jpeg = opened.format == "JPEG"
            if is_jpeg:  # decode at 1/2, 1/4 or 1/8 of the size when that is enough
                opened.draft(opened.mode, (LOGO_STORED_SIDE, LOGO_STORED_SIDE))
            image = opened.convert(_working_mode(opened, is_jpeg=is_jpeg))
        image.thumbnail((LOGO_STORED_SIDE, LOGO_STORED_SIDE), Image.Resampling.LANCZOS)
        output = io.BytesIO()
        if is_jpeg:
            image.save(output, "JPEG", quality=90)
        else:
            image.save(output, "PNG")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise FieldError(UNREADABLE_LOGO) from None
    content = output.getvalue()
    suffix = ".jpg" if is_jpeg else ".png"
    target = logo_folder() / f"logo-{hashlib.sha256(content).hexdigest()[:16]}{suffix}"
    try:
        if not (target.is_file() and target.read_bytes() == content):
            _write_atomically(target, content)
    except OSError as error:
        raise FieldError(
            f"La copie réduite du logo n'a pas pu être écrite ({describe_os_error(error)})."
        ) from None
    return target


def _working_mode(image: Image.Image, *, is_jpeg: bool) -> str:
    """The mode the image is reduced in: its own when it resamples well, else RGB(A)."""
    if image.mode in (("L", "RGB", "CMYK") if is_jpeg else ("L", "LA", "RGB", "RGBA")):
        return image.mode
    if is_jpeg:
        return "RGB"
    return "RGBA" if image.has_transparency_data else "RGB"


def _write_atomically(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".logo-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_organisation(
    session: Session, data: OrganisationInput, *, actor: Actor
) -> OrganisationInput:
    """Validate every field (all errors at once) and save; coordination only."""
    _require_coordination(actor)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}

    for name, (attribute, max_length, label) in _TEXT_FIELDS.items():
        try:
            raw = getattr(data, name)
            one_line = name not in _MULTI_LINE
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


def convocation_items(session: Session) -> tuple[str, ...]:
    """What a convocation asks to bring: the organisation's list, one thing a line (a leading
    dash, bullet or number is dropped), or DEFAULT_CONVOCATION_ITEMS while it is empty."""
    row = _settings(session)
    lines = (_BULLET.sub("", line).strip() for line in (row.convocation_items or "").splitlines())
    return tuple(line for line in lines if line) or DEFAULT_CONVOCATION_ITEMS
