"""Parsing of user-typed values into typed ones, with French messages."""

import re
from datetime import date

import phonenumbers

DATE_FORMAT_HINT = "JJ/MM/AAAA"
_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_POSTAL_CODE = re.compile(r"^\d{5}$")
_TRUE = {"oui", "o", "yes", "y", "1", "vrai", "true", "x"}
_FALSE = {"non", "n", "no", "0", "faux", "false"}


class FieldError(ValueError):
    """A value refused; the message is French and shown next to the field."""


def parse_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    match = _DATE.match(text)
    if not match:
        iso = re.match(r"^(\d{4})-(\d{2})-(\d{2})$", text)
        if not iso:
            raise FieldError(f"Date attendue au format {DATE_FORMAT_HINT}.")
        year, month, day = (int(g) for g in iso.groups())
    else:
        day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise FieldError("Cette date n'existe pas.") from None


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# Overseas departments share the national numbering plan (0692…, 0690… are dialled as written
# from anywhere in France) but have their own country codes in E.164.
_OVERSEAS_REGIONS = ("RE", "YT", "GP", "MQ", "GF", "PM", "BL", "MF")
_FRENCH_COUNTRY_CODES = frozenset({33, 262, 508, 590, 594, 596})


def parse_phone(text: str) -> str | None:
    """Any French or international writing of a phone number, returned as E.164."""
    text = text.strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, "FR")
        if not phonenumbers.is_valid_number(number):
            overseas = (phonenumbers.parse(text, region) for region in _OVERSEAS_REGIONS)
            number = next((n for n in overseas if phonenumbers.is_valid_number(n)), number)
    except phonenumbers.NumberParseException:
        raise FieldError("Numéro de téléphone illisible.") from None
    if not phonenumbers.is_valid_number(number):
        raise FieldError("Ce numéro de téléphone n'existe pas (10 chiffres attendus).")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str | None) -> str:
    """`+33612345678` shown as `06 12 34 56 78` (overseas departments too); foreign numbers in
    international form."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "FR")
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code in _FRENCH_COUNTRY_CODES:
        national = "0" + str(number.national_number)
        return " ".join(national[i : i + 2] for i in range(0, len(national), 2))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def parse_email(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if len(text) > 254 or not _EMAIL.match(text):
        raise FieldError("Adresse e-mail invalide (exemple : prenom.nom@exemple.fr).")
    return text


def parse_postal_code(text: str) -> str | None:
    text = text.strip().replace(" ", "")
    if not text:
        return None
    if not _POSTAL_CODE.match(text):
        raise FieldError("Le code postal a 5 chiffres.")
    return text


def parse_bool(text: str) -> bool | None:
    folded = text.strip().lower()
    if not folded:
        return None
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise FieldError("Répondre « oui » ou « non » (ou laisser vide).")


def format_bool(value: bool | None) -> str:
    return "" if value is None else ("oui" if value else "non")


def clean_text(text: str, max_length: int, label: str = "Ce champ") -> str | None:
    """Trimmed text or None; refuses control characters other than line breaks and tabs."""
    value = text.strip()
    if not value:
        return None
    if any(ord(c) < 32 and c not in "\n\t\r" for c in value):
        raise FieldError(f"{label} contient des caractères invisibles non autorisés.")
    if len(value) > max_length:
        raise FieldError(f"{label} dépasse {max_length} caractères.")
    return value
