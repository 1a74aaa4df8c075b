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
# Invisible characters that change how a text reads or compares: direction controls (U+202E
# shows "gnp.exe" as "exe.png", a name can be displayed in another order than stored), the
# zero-width space, word joiner and byte-order mark (two names that look alike differ).
_INVISIBLE = re.compile(r"[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
# Zero-width (non-)joiners: part of emoji sequences and of some scripts (Persian), kept in
# multi-line texts, refused in names and other one-line values.
_JOINER = re.compile(r"[\u200c\u200d]")
# Line breaks, refused in one-line values (names, phone, e-mail, town...).
_LINE_BREAK = re.compile(r"[\n\r\u2028\u2029]")
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
    unwanted = unwanted_characters(text, one_line=True)
    if unwanted:
        raise FieldError(f"Le numéro de téléphone contient {unwanted}.")
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
    unwanted = unwanted_characters(text, one_line=True)
    if unwanted:
        raise FieldError(f"L'adresse e-mail contient {unwanted}.")
    if len(text) > 254 or not _EMAIL.match(text):
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


def _code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def unwanted_characters(text: str, *, one_line: bool = False) -> str | None:
    """A French description of what no stored text may hold, found in `text` (to follow
    "Le nom contient "); None if clean.

    Refused everywhere: control characters other than tab, line feed and carriage return
    (NUL, escape, DEL, C1 controls), direction controls (U+202A-U+202E, U+2066-U+2069, U+200E,
    U+200F, U+061C), the zero-width space U+200B, the word joiner U+2060, the byte-order mark
    U+FEFF and lone surrogates. With `one_line` also line breaks (\\n, \\r, U+2028, U+2029)
    and the zero-width joiners U+200C, U+200D. Everything else is kept as typed: accents,
    emoji, right-to-left text, combining marks, markup, quotes.
    """
    if _SURROGATE.search(text):
        return "des caractères illisibles (texte mal copié ou mal encodé)"
    found = _CONTROL.search(text) or _INVISIBLE.search(text)
    if one_line and not found:
        found = _JOINER.search(text)
    if found:
        return (
            f"un caractère invisible ou de contrôle refusé ({_code_point(found.group())}) : "
            "retaper le texte"
        )
    if one_line and _LINE_BREAK.search(text):
        return "un retour à la ligne : ce champ tient sur une seule ligne"
    return None


def clean_text(
    text: str, max_length: int, label: str = "Ce champ", *, one_line: bool = False
) -> str | None:
    """The text without leading and trailing white space (Unicode's), or None when nothing
    is left; refused (French FieldError) when it holds `unwanted_characters` or exceeds
    `max_length` characters once trimmed. Inside a multi-line text (notes, activities), line
    breaks (\\n, \\r) and tabs are kept as typed; with `one_line`, line breaks are refused
    (see `clean_line`)."""
    value = text.strip()
    if not value:
        return None
    unwanted = unwanted_characters(value, one_line=one_line)
    if unwanted:
        raise FieldError(f"{label} contient {unwanted}.")
    if len(value) > max_length:
        raise FieldError(f"{label} dépasse {max_length} caractères.")
    return value


def clean_line(text: str, max_length: int, label: str = "Ce champ") -> str | None:
    """`clean_text` for a one-line value (a name, a town, a job title...): a line break or a
    zero-width joiner inside it is refused too."""
    return clean_text(text, max_length, label, one_line=True)


# A search looks for names, towns, e-mails and numbers: longer text cannot match anything, and
# thousands of words would exceed what the database accepts in one query.
MAX_SEARCH_LENGTH = 300
MAX_SEARCH_WORDS = 12


def search_text(text: str) -> str:
    """What was typed in a search field, cut to MAX_SEARCH_LENGTH characters and without the
    characters no stored text holds (see `unwanted_characters`): searching never fails,
    whatever was pasted."""
    kept = _CONTROL.sub(" ", text[:MAX_SEARCH_LENGTH])
    return _SURROGATE.sub("", _INVISIBLE.sub("", kept))


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
