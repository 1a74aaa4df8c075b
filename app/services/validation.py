"""Parsing of user-typed values into typed ones, with French messages."""

import re
from datetime import date
from pathlib import Path

import phonenumbers

from app.domain.text import fold

DATE_FORMAT_HINT = "JJ/MM/AAAA"
_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_POSTAL_CODE = re.compile(r"[0-9]{5}")
# Control characters other than tab and line breaks (Unicode category Cc), and lone surrogates
# (half of a character, left by a bad copy or a wrong encoding): no stored text holds them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
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
    if len(text) > 254 or not _EMAIL.match(text) or unwanted_characters(text):
        raise FieldError("Adresse e-mail invalide (exemple : prenom.nom@exemple.fr).")
    return text


def parse_postal_code(text: str) -> str | None:
    text = text.strip().replace(" ", "")
    if not text:
        return None
    if not _POSTAL_CODE.fullmatch(text):
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


def unwanted_characters(text: str) -> str | None:
    """A French description of what no stored text may hold, found in `text`; None if clean.

    Refused: control characters other than tab, line feed and carriage return (NUL, escape,
    DEL, C1 controls), and lone surrogates. Everything else is kept as typed: accents,
    emoji, right-to-left text, combining marks, markup, quotes.
    """
    if _CONTROL.search(text):
        return "des caractères invisibles non autorisés"
    if _SURROGATE.search(text):
        return "des caractères illisibles (texte mal copié ou mal encodé)"
    return None


def clean_text(text: str, max_length: int, label: str = "Ce champ") -> str | None:
    """The text without leading and trailing white space (Unicode's), or None when nothing
    is left; refused (French FieldError) when it holds `unwanted_characters` or exceeds
    `max_length` characters once trimmed. Inside the text, line breaks (\\n, \\r) and tabs are
    kept as typed."""
    value = text.strip()
    if not value:
        return None
    unwanted = unwanted_characters(value)
    if unwanted:
        raise FieldError(f"{label} contient {unwanted}.")
    if len(value) > max_length:
        raise FieldError(f"{label} dépasse {max_length} caractères.")
    return value


# A search looks for names, towns, e-mails and numbers: longer text cannot match anything, and
# thousands of words would exceed what the database accepts in one query.
MAX_SEARCH_LENGTH = 300
MAX_SEARCH_WORDS = 12


def search_text(text: str) -> str:
    """What was typed in a search field, cut to MAX_SEARCH_LENGTH characters and without the
    characters no stored text holds (see `unwanted_characters`): searching never fails,
    whatever was pasted."""
    return _SURROGATE.sub("", _CONTROL.sub(" ", text[:MAX_SEARCH_LENGTH]))


def search_words(text: str) -> list[str]:
    """The words a search looks for: folded (case, accents, punctuation), each once, at most
    MAX_SEARCH_WORDS of them."""
    return list(dict.fromkeys(fold(search_text(text)).split()))[:MAX_SEARCH_WORDS]


def is_existing_file(text: str | None) -> bool:
    """Whether a typed or pasted path names an existing file; False for what no file system
    accepts (NUL, half a character, a name too long) instead of an error."""
    if not text or not text.strip():
        return False
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False
