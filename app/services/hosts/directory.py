"""Host organisations (structures d'accueil) and their tutors: validation, directory, search."""

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.domain import Host, Tutor
from app.domain.agreement_rules import IdentifierError, check_rna, check_siret
from app.domain.legal_forms import PUBLIC_LEGAL_FORMS, is_public_legal_form
from app.domain.text import fold
from app.services.actor import Actor
from app.services.errors import NotFoundError, PermissionDenied, ValidationError
from app.services.permissions import role_of
from app.services.validation import (
    FieldError,
    clean_text,
    format_phone,
    parse_email,
    parse_phone,
    parse_postal_code,
    search_words,
)
from app.services.versioning import HOST, check_version, flush_checked, record_change, stamp_author

__all__ = [
    "HEADCOUNT_BANDS",
    "LEGACY_LEGAL_FORMS",
    "LEGAL_FORMS",
    "PUBLIC_LEGAL_FORMS",
    "HostInfo",
    "HostInput",
    "HostRow",
    "PermissionDenied",
    "TutorInfo",
    "TutorInput",
    "add_tutor",
    "create_host",
    "format_identifier",
    "get_host",
    "headcount_label",
    "host_input",
    "is_public_legal_form",
    "legal_form_label",
    "search_hosts",
    "tutor_input",
    "update_host",
    "update_tutor",
]

ROLE_EDITING = "coordination"

# Stored code -> French label, in the order the form offers them.
LEGAL_FORMS: dict[str, str] = {
    "association": "Association loi 1901",
    "sarl": "SARL",
    "sas": "SAS / SASU",
    "sa": "SA",
    "scop": "SCOP / SCIC",
    "ei": "EI / micro-entreprise",
    "eurl": "EURL",
    "collectivite": "Collectivité territoriale",
    "etablissement_public": "Établissement public",
    "autre": "Autre",
}
# Codes stored before the list above: still read and kept when a host already has one, never
# chosen for a new host (the coordinator picks the precise form when editing it).
LEGACY_LEGAL_FORMS: dict[str, str] = {
    "entreprise": "Entreprise (forme à préciser)",
    "public": "Organisme public",
}
_LEGAL_FORM_ALIASES: dict[str, str] = {
    "association 1901": "association",
    "association loi 1901": "association",
    "asso": "association",
    "sasu": "sas",
    "sas": "sas",
    "societe par actions simplifiee": "sas",
    "societe a responsabilite limitee": "sarl",
    "societe anonyme": "sa",
    "scop": "scop",
    "scic": "scop",
    "cooperative": "scop",
    "entreprise individuelle": "ei",
    "micro entreprise": "ei",
    "auto entrepreneur": "ei",
    "entrepreneur individuel": "ei",
    "collectivite": "collectivite",
    "collectivite territoriale": "collectivite",
    "commune": "collectivite",
    "mairie": "collectivite",
    "departement": "collectivite",
    "region": "collectivite",
    "etablissement public": "etablissement_public",
    "epci": "etablissement_public",
    "societe": "entreprise",
    "administration": "public",
    "secteur public": "public",
}
# Forms whose host has a SIRET (or, for an association, an RNA number) to print.
_IDENTIFIER_REQUIRED = frozenset(
    {"association", "sarl", "sas", "sa", "scop", "ei", "eurl", "entreprise"}
)

HEADCOUNT_BANDS: tuple[str, ...] = (
    "0 salarié",
    "1 à 9",
    "10 à 19",
    "20 à 49",
    "50 à 249",
    "250 et plus",
)
# Band -> (lowest, highest) headcount, highest None for the open band.
_BAND_BOUNDS: dict[str, tuple[int, int | None]] = {
    "0 salarié": (0, 0),
    "1 à 9": (1, 9),
    "10 à 19": (10, 19),
    "20 à 49": (20, 49),
    "50 à 249": (50, 249),
    "250 et plus": (250, None),
}
_HEADCOUNT_LABELS: dict[str, str] = {
    "0 salarié": "aucun salarié",
    "1 à 9": "1 à 9 salariés",
    "10 à 19": "10 à 19 salariés",
    "20 à 49": "20 à 49 salariés",
    "50 à 249": "50 à 249 salariés",
    "250 et plus": "250 salariés et plus",
}

_NAF = re.compile(r"^(\d{2})\.?(\d{2})([A-Z])$")


# ---------------------------------------------------------------- inputs and results


@dataclass
class HostInput:
    """The host form, as text; field names are the form's keys for error messages."""

    nom: str = ""
    forme_juridique: str = ""
    identifiant: str = ""
    code_naf: str = ""
    effectif: str = ""
    adresse: str = ""
    code_postal: str = ""
    commune: str = ""
    representant: str = ""
    fonction_representant: str = ""
    telephone: str = ""
    email: str = ""
    assureur: str = ""
    numero_police: str = ""

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


@dataclass
class TutorInput:
    nom: str = ""
    fonction: str = ""
    telephone: str = ""
    email: str = ""

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


@dataclass(frozen=True)
class TutorInfo:
    id: int
    host_id: int
    name: str
    function: str
    phone: str  # formatted for display
    email: str


@dataclass(frozen=True)
class HostInfo:
    id: int
    name: str
    legal_form: str
    legal_form_label: str
    siret: str
    rna: str
    naf_code: str
    headcount_band: str  # the stored band, e.g. "10 à 19"
    headcount_label: str  # as printed, e.g. "10 à 19 salariés"
    address: str
    postal_code: str
    city: str
    representative_name: str
    representative_function: str
    phone: str  # formatted for display
    email: str
    insurer: str
    policy_number: str
    is_public: bool
    tutors: tuple[TutorInfo, ...]
    version: int  # given back to `update_host` as `expected_version`


@dataclass(frozen=True)
class HostRow:
    id: int
    name: str
    city: str
    legal_form_label: str
    identifier: str  # SIRET (grouped) or RNA, "" when none
    tutor_count: int


# ---------------------------------------------------------------- roles


def _require_coordination(actor: Actor) -> None:
    if role_of(actor) != ROLE_EDITING:
        raise PermissionDenied(
            "Seule la coordination peut modifier l'annuaire des structures d'accueil "
            "et leurs tuteurs."
        )


# ---------------------------------------------------------------- field parsing


def _legal_form(raw: str, current: str | None = None) -> str:
    """The code of the typed form (code, label or alias). A code of the former list is kept
    only on a host that already has it (`current`); a new choice must be precise."""
    text = fold(raw)
    if not text:
        raise FieldError("Indiquer la forme juridique.")
    code = _LEGAL_FORM_ALIASES.get(text)
    for known, label in (LEGAL_FORMS | LEGACY_LEGAL_FORMS).items():
        if text in (known, fold(label)):
            code = known
    if code in LEGACY_LEGAL_FORMS and code != current:
        if code == "public":
            raise FieldError(
                "Préciser la forme juridique : « Collectivité territoriale » ou "
                "« Établissement public »."
            )
        raise FieldError(
            "Préciser la forme juridique : SARL, SAS / SASU, SA, EURL, SCOP / SCIC, "
            "EI / micro-entreprise…"
        )
    if code is None:
        allowed = ", ".join(f"« {label} »" for label in LEGAL_FORMS.values())
        raise FieldError(f"Forme juridique inconnue : choisir parmi {allowed}.")
    return code


def legal_form_label(code: str) -> str:
    """The French label of a stored code (former codes included); an unknown code as is."""
    return LEGAL_FORMS.get(code) or LEGACY_LEGAL_FORMS.get(code) or code


def headcount_label(band: str) -> str:
    """The band as printed, with its unit: "10 à 19 salariés", "aucun salarié"."""
    return _HEADCOUNT_LABELS.get(band, band)


def _identifier(raw: str, legal_form: str | None) -> tuple[str | None, str | None]:
    """(siret, rna) from the typed identifier; the RNA number is for associations only."""
    number = re.sub(r"[\s.\-]", "", raw)
    if not number:
        if legal_form in _IDENTIFIER_REQUIRED:
            if legal_form == "association":
                raise FieldError(
                    "Indiquer le SIRET ou le numéro RNA (W suivi de 9 chiffres) de l'association."
                )
            raise FieldError("Indiquer le SIRET de l'entreprise (14 chiffres).")
        return None, None
    try:
        if number[0] in "Ww":
            rna = check_rna(number)
            if legal_form is not None and legal_form != "association":
                raise FieldError(
                    "Le numéro RNA est réservé aux associations : indiquer le SIRET (14 chiffres)."
                )
            return None, rna
        if number.isdigit():
            return check_siret(number), None
    except IdentifierError as error:
        raise FieldError(str(error)) from None
    raise FieldError("SIRET à 14 chiffres ou numéro RNA (W suivi de 9 chiffres) attendu.")


def _naf_code(raw: str) -> str | None:
    text = re.sub(r"\s", "", raw).upper()
    if not text:
        return None
    match = _NAF.match(text)
    if not match:
        raise FieldError("Code NAF attendu : 4 chiffres et une lettre (ex. 62.01Z).")
    return f"{match[1]}.{match[2]}{match[3]}"


_BAND_COUNT = re.compile(r"^(\d{1,9})\s*(?:\+|et plus|ou plus)?\s*(?:salaries?)?$")
_BAND_RANGE = re.compile(r"^(\d{1,9})(?:\s*(?:a|/)\s*|\s+)(\d{1,9})\s*(?:salaries?)?$")


def _headcount_band(raw: str) -> str | None:
    """A band label from its label, its bounds ("10-19") or a plain headcount ("12", "250+")."""
    text = fold(raw)
    if not text:
        return None
    if text in ("aucun", "aucun salarie", "sans salarie"):
        text = "0"
    for band in HEADCOUNT_BANDS:
        if text == fold(band):
            return band
    if match := _BAND_RANGE.match(text):
        bounds = (int(match[1]), int(match[2]))
        for band, band_bounds in _BAND_BOUNDS.items():
            if bounds == band_bounds:
                return band
    elif match := _BAND_COUNT.match(text):
        count = int(match[1])
        for band, (low, high) in _BAND_BOUNDS.items():
            if count >= low and (high is None or count <= high):
                return band
    allowed = ", ".join(f"« {band} »" for band in HEADCOUNT_BANDS)
    raise FieldError(f"Tranche d'effectif : choisir parmi {allowed}.")


# Plain text fields: input field -> (model attribute, max length, French label)
_HOST_TEXT_FIELDS: dict[str, tuple[str, int, str]] = {
    "nom": ("name", 200, "Le nom"),
    "adresse": ("address", 300, "L'adresse"),
    "commune": ("city", 120, "La commune"),
    "representant": ("representative_name", 120, "Le nom du représentant"),
    "fonction_representant": ("representative_function", 120, "La fonction du représentant"),
    "assureur": ("insurer", 120, "L'assureur"),
    "numero_police": ("policy_number", 60, "Le numéro de police"),
}
_TUTOR_TEXT_FIELDS: dict[str, tuple[str, int, str]] = {
    "nom": ("name", 120, "Le nom"),
    "fonction": ("function", 120, "La fonction"),
}


class _Collector:
    """Runs every parser, gathering French messages by field instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def attempt(self, name: str, parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except FieldError as error:
            self.errors[name] = str(error)
            return None

    def text_fields(
        self, data: object, spec: dict[str, tuple[str, int, str]], values: dict[str, Any]
    ) -> None:
        for name, (attribute, max_length, label) in spec.items():
            try:
                one_line = name != "adresse"  # a postal address may hold several lines
                raw = getattr(data, name)
                values[attribute] = clean_text(raw, max_length, label, one_line=one_line)
            except FieldError as error:
                self.errors[name] = str(error)
                values[attribute] = None


def _host_values(
    session: Session, data: HostInput, *, exclude_id: int | None, current_form: str | None = None
) -> dict[str, Any]:
    """Validate every field; model attribute values, or ValidationError with all messages.
    `current_form` is the stored legal form of the host being edited."""
    collector = _Collector()
    values: dict[str, Any] = {}
    collector.text_fields(data, _HOST_TEXT_FIELDS, values)
    if not values["name"] and "nom" not in collector.errors:
        collector.errors["nom"] = "Le nom de la structure est obligatoire."
    legal_form = collector.attempt(
        "forme_juridique", lambda: _legal_form(data.forme_juridique, current_form)
    )
    values["legal_form"] = legal_form
    identifier = collector.attempt("identifiant", lambda: _identifier(data.identifiant, legal_form))
    values["siret"], values["rna"] = identifier or (None, None)
    values["naf_code"] = collector.attempt("code_naf", lambda: _naf_code(data.code_naf))
    values["headcount_band"] = collector.attempt("effectif", lambda: _headcount_band(data.effectif))
    values["postal_code"] = collector.attempt(
        "code_postal", lambda: parse_postal_code(data.code_postal)
    )
    values["phone"] = collector.attempt("telephone", lambda: parse_phone(data.telephone))
    values["email"] = collector.attempt("email", lambda: parse_email(data.email))
    if "identifiant" not in collector.errors and (values["siret"] or values["rna"]):
        existing = _host_with_identifier(
            session, values["siret"], values["rna"], exclude_id=exclude_id
        )
        if existing is not None:
            kind = "Ce SIRET" if values["siret"] else "Ce numéro RNA"
            where = f" ({existing.city})" if existing.city else ""
            collector.errors["identifiant"] = (
                f"{kind} est déjà celui de « {existing.name} »{where} dans l'annuaire : "
                "ouvrir cette structure plutôt que d'en créer une nouvelle."
            )
    if collector.errors:
        raise ValidationError(collector.errors)
    return values


def _host_with_identifier(
    session: Session, siret: str | None, rna: str | None, *, exclude_id: int | None
) -> Host | None:
    conditions = []
    if siret:
        conditions.append(Host.siret == siret)
    if rna:
        conditions.append(Host.rna == rna)
    statement = select(Host).where(or_(*conditions))
    if exclude_id is not None:
        statement = statement.where(Host.id != exclude_id)
    return session.scalars(statement.order_by(Host.id).limit(1)).first()


def _tutor_values(data: TutorInput) -> dict[str, Any]:
    collector = _Collector()
    values: dict[str, Any] = {}
    collector.text_fields(data, _TUTOR_TEXT_FIELDS, values)
    if not values["name"] and "nom" not in collector.errors:
        collector.errors["nom"] = "Le nom du tuteur est obligatoire."
    values["phone"] = collector.attempt("telephone", lambda: parse_phone(data.telephone))
    values["email"] = collector.attempt("email", lambda: parse_email(data.email))
    if collector.errors:
        raise ValidationError(collector.errors)
    return values


# ---------------------------------------------------------------- search text and results


def _index_text(host: Host, tutors: list[Tutor]) -> None:
    """Refresh the folded text searched by `search_hosts`."""
    parts = [host.name, host.city or "", host.postal_code or "", host.siret or "", host.rna or ""]
    parts += [tutor.name for tutor in tutors]
    host.search_text = " ".join(fold(part) for part in parts if part)


def format_identifier(siret: str | None, rna: str | None) -> str:
    """`73282932000074` shown as `732 829 320 00074` (SIREN then NIC); the RNA as is."""
    if siret:
        return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}" if len(siret) == 14 else siret
    return rna or ""


def _tutor_info(tutor: Tutor) -> TutorInfo:
    return TutorInfo(
        id=tutor.id,
        host_id=tutor.host_id,
        name=tutor.name,
        function=tutor.function or "",
        phone=format_phone(tutor.phone),
        email=tutor.email or "",
    )


def _host_info(host: Host) -> HostInfo:
    tutors = sorted(host.tutors, key=lambda t: (fold(t.name), t.id))
    return HostInfo(
        id=host.id,
        name=host.name,
        legal_form=host.legal_form,
        legal_form_label=legal_form_label(host.legal_form),
        siret=host.siret or "",
        rna=host.rna or "",
        naf_code=host.naf_code or "",
        headcount_band=host.headcount_band or "",
        headcount_label=headcount_label(host.headcount_band or ""),
        address=host.address or "",
        postal_code=host.postal_code or "",
        city=host.city or "",
        representative_name=host.representative_name or "",
        representative_function=host.representative_function or "",
        phone=format_phone(host.phone),
        email=host.email or "",
        insurer=host.insurer or "",
        policy_number=host.policy_number or "",
        is_public=is_public_legal_form(host.legal_form),
        tutors=tuple(_tutor_info(t) for t in tutors),
        version=host.version,
    )


def _load_host(session: Session, host_id: int) -> Host:
    host = session.get(Host, host_id, options=[selectinload(Host.tutors)])
    if host is None:
        raise NotFoundError("Cette structure d'accueil n'existe plus.")
    return host


def _load_tutor(session: Session, tutor_id: int) -> Tutor:
    tutor = session.get(Tutor, tutor_id)
    if tutor is None:
        raise NotFoundError("Ce tuteur n'existe plus.")
    return tutor


# ---------------------------------------------------------------- hosts


def create_host(session: Session, data: HostInput, *, actor: Actor) -> HostInfo:
    """Validate (every field at once) and add a host to the directory; coordination only."""
    _require_coordination(actor)
    values = _host_values(session, data, exclude_id=None)
    host = Host(**values, version=1)
    stamp_author(host, author=actor.author, now=datetime.now())
    _index_text(host, [])
    session.add(host)
    session.flush()
    return _host_info(host)


def update_host(
    session: Session,
    host_id: int,
    data: HostInput,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> HostInfo:
    """Validate and update a host; its tutors are kept. Coordination only.

    Refused (ConflictError naming who and when) if someone saved the host since the form
    loaded `expected_version`.
    """
    _require_coordination(actor)
    host = _load_host(session, host_id)
    check_version(host, expected_version, HOST)
    values = _host_values(session, data, exclude_id=host.id, current_form=host.legal_form)
    changed = {name: value for name, value in values.items() if getattr(host, name) != value}
    for attribute, value in changed.items():
        setattr(host, attribute, value)
    if changed:
        record_change(host, author=actor.author, now=datetime.now())
    _index_text(host, list(host.tutors))
    flush_checked(session, host, HOST)
    return _host_info(host)


def get_host(session: Session, host_id: int) -> HostInfo:
    return _host_info(_load_host(session, host_id))


def host_input(info: HostInfo) -> HostInput:
    """The form's text values for an existing host (round-trips through `update_host`)."""
    return HostInput(
        nom=info.name,
        forme_juridique=info.legal_form,
        identifiant=info.siret or info.rna,
        code_naf=info.naf_code,
        effectif=info.headcount_band,
        adresse=info.address,
        code_postal=info.postal_code,
        commune=info.city,
        representant=info.representative_name,
        fonction_representant=info.representative_function,
        telephone=info.phone,
        email=info.email,
        assureur=info.insurer,
        numero_police=info.policy_number,
    )


def search_hosts(session: Session, text: str = "", limit: int = 200) -> list[HostRow]:
    """Hosts whose name, city, SIRET / RNA or tutors' names contain every word typed.

    Accents and case are ignored; rows are sorted by name the way a French reader expects.
    """
    tutor_count = select(func.count(Tutor.id)).where(Tutor.host_id == Host.id).scalar_subquery()
    statement = select(Host, tutor_count)
    for term in search_words(text):
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Host.search_text.like(f"%{escaped}%", escape="\\"))
    found = list(session.execute(statement).all())
    found.sort(key=lambda row: (fold(row[0].name), row[0].id))
    return [
        HostRow(
            id=host.id,
            name=host.name,
            city=host.city or "",
            legal_form_label=legal_form_label(host.legal_form),
            identifier=format_identifier(host.siret, host.rna),
            tutor_count=count or 0,
        )
        for host, count in found[:limit]
    ]


# ---------------------------------------------------------------- tutors


def add_tutor(session: Session, host_id: int, data: TutorInput, *, actor: Actor) -> TutorInfo:
    """Validate and add a tutor to a host; coordination only."""
    _require_coordination(actor)
    host = _load_host(session, host_id)
    values = _tutor_values(data)
    tutor = Tutor(**values)
    host.tutors.append(tutor)
    _index_text(host, list(host.tutors))
    session.flush()
    return _tutor_info(tutor)


def update_tutor(session: Session, tutor_id: int, data: TutorInput, *, actor: Actor) -> TutorInfo:
    """Validate and update a tutor; coordination only."""
    _require_coordination(actor)
    tutor = _load_tutor(session, tutor_id)
    values = _tutor_values(data)
    for attribute, value in values.items():
        if getattr(tutor, attribute) != value:
            setattr(tutor, attribute, value)
    host = _load_host(session, tutor.host_id)
    _index_text(host, list(host.tutors))
    session.flush()
    return _tutor_info(tutor)


def tutor_input(info: TutorInfo) -> TutorInput:
    """The tutor form's text values for an existing tutor."""
    return TutorInput(nom=info.name, fonction=info.function, telephone=info.phone, email=info.email)
