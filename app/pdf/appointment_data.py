"""What the convocation letters and the sign-in sheet print; filled by the services
(app/services/appointments/documents.py), already in French: dates, durations, addresses."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Letterhead:
    """The organisation at the top of every page."""

    name: str
    address: str = ""
    logo_path: str = ""  # PNG or JPEG; ignored when the file is missing


@dataclass(frozen=True)
class Venue:
    """Where the appointment takes place."""

    site_name: str  # "Cobalt"
    address_lines: tuple[str, ...]  # ("5 rue Victor Hugo", "86000 Poitiers"); may be empty
    room: str = ""  # "salle Turing", "Bureau 2", or ""


@dataclass(frozen=True)
class Contact:
    """Who to call when the person cannot come; both may be empty."""

    phone: str  # as printed: "05 49 12 34 56"
    email: str


@dataclass(frozen=True)
class Recipient:
    """One person convened: one letter each."""

    name: str  # as on an envelope: "Madame Léa DUPONT"
    address_lines: tuple[str, ...]  # empty when the postal address is not known
    # "F", "M" or "" (unknown): agrees the letter's words ("invitée", "invité", "invité·e").
    sex: str = ""


@dataclass(frozen=True)
class ConvocationData:
    letterhead: Letterhead
    is_interview: bool
    when: str  # "mardi 8 décembre 2026 à 14 h 00"
    duration: str  # "1 h", "45 minutes"
    venue: Venue
    interviewer: str  # interviews only; "" otherwise or when not known
    items: tuple[str, ...]  # what to bring, one thing each
    contact: Contact
    issued_at: str  # town of issue: "Poitiers"
    issued_on: date
    issued_on_text: str  # "6 décembre 2026"
    signatory: str  # who signs for the desk: "Nadia Belkacem"
    recipients: tuple[Recipient, ...]
    footer: str  # "Information collective du mardi 8 décembre 2026 — Cobalt"


@dataclass(frozen=True)
class SheetPerson:
    last_name: str  # "DUPONT (Martin)": the usage name in brackets
    first_name: str


@dataclass(frozen=True)
class SignInSheetData:
    letterhead: Letterhead
    day: str  # "mardi 8 décembre 2026"
    hours: str  # "14 h 00 – 15 h 00"
    venue: Venue
    speaker: str  # the trainer or member of staff leading the session; may be empty
    people: tuple[SheetPerson, ...]  # the registered people, in the list's order
    capacity: int | None
    printed_on: date
    footer: str  # "Information collective du 08/12/2026 — Cobalt"
