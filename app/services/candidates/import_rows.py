"""Reading a candidate CSV for the import: the file (size, encoding, separator, header), then
each row checked once, by the rules the form's service applies (`records`), into a few typed
values.

The checks are those of `records._field_changes` for the CSV's columns, with its tables,
helpers and French messages, in its order; what costs at 100 000 rows is looked up instead of
searched: reference values in a dictionary of their writings (`reference.option_index`), the
values a file repeats (dates, towns, a site) parsed once, a French phone number checked
against the numbering plan without parsing the text twice. `tests/unit/services/
test_import_equivalence.py` holds the two to the same values and messages.
"""

import csv
import io
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import phonenumbers
from sqlalchemy.orm import Session

from app.domain.text import fold
from app.domain.values import CIVILITIES, DIPLOMA_SYNONYMS, SEXES
from app.services import reference
from app.services.candidates.csv_exchange import (
    BOM,
    CANDIDATE_COLUMNS,
    DELIMITER,
    EXPORT_COLUMNS,
    VERSION_COLUMN,
    unescape_cell,
)
from app.services.candidates.records import (
    _BOOL_FIELDS,
    _DATE_FIELDS,
    _MULTI_LINE_FIELDS,
    _TEXT_FIELDS,
    CandidateInput,
    _birth_date,
    _choice,
    _diploma_level,
)
from app.services.validation import (
    _EMAIL,
    FieldError,
    clean_text,
    format_bool,
    format_date,
    format_phone,
    parse_bool,
    parse_date,
    parse_email,
    parse_phone,
    parse_postal_code,
)

MAX_FILE_BYTES = 200 * 1024 * 1024

NOT_UTF8 = "Le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 » depuis le tableur."
NOT_CSV = "Ce fichier n'est pas un fichier CSV (contenu binaire)."
SPREADSHEET = (
    "Ce fichier est un classeur (Excel, LibreOffice) ou une archive, pas un CSV : ouvrez-le "
    "dans le tableur et enregistrez-le au format « CSV UTF-8 »."
)
EMPTY = "Le fichier est vide."
HEADER_ONLY = "Le fichier ne contient que la ligne d'en-tête : aucun candidat à importer."
# .xlsx and .ods are ZIP archives; .xls is an OLE2 compound file.
_SPREADSHEET_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


class FileRefused(Exception):
    """The whole file is refused; the messages are French."""

    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = list(messages)


# ---------------------------------------------------------------- the file


def read_source(source: Path | bytes) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        if source.stat().st_size > MAX_FILE_BYTES:
            raise FileRefused(
                f"Le fichier dépasse {MAX_FILE_BYTES // (1024 * 1024)} Mo : découpez-le."
            )
        return source.read_bytes()
    except FileNotFoundError:
        raise FileRefused(f"Fichier introuvable : « {source} ».") from None
    except IsADirectoryError:
        raise FileRefused(f"« {source} » est un dossier, pas un fichier.") from None
    except PermissionError:
        raise FileRefused(f"Accès refusé au fichier « {source} ».") from None
    except OSError:
        raise FileRefused(f"Impossible de lire le fichier « {source} ».") from None


def decode(raw: bytes) -> str:
    if raw.startswith(_SPREADSHEET_SIGNATURES):
        raise FileRefused(SPREADSHEET)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(raw):
        raise FileRefused(NOT_UTF8)
    if b"\x00" in raw:
        raise FileRefused(NOT_CSV)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise FileRefused(NOT_UTF8, f"Premier caractère illisible : ligne {line}.") from None
    text = text.removeprefix(BOM)
    if not text.strip():
        raise FileRefused(EMPTY)
    return text


def _looks_like_utf16(raw: bytes) -> bool:
    """French text saved as UTF-16 without its BOM: nearly every other byte is NUL."""
    head = raw[:1000]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return any(
        zeros.count(0) >= 0.8 * len(zeros) and not others.count(0)
        for zeros, others in ((odd, even), (even, odd))
    )


def line_count(text: str) -> int:
    """Physical lines of the text (what the progress of its reading counts)."""
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def _delimiter(text: str) -> str:
    """The header line decides: semicolon if it has one, else comma if it has one."""
    first_line = text.split("\n", 1)[0]
    if ";" in first_line or "," not in first_line:
        return DELIMITER
    return ","


def header_and_records(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The checked header, then the data records."""
    found = records(text)
    first = next(found, None)
    if first is None:
        raise FileRefused(EMPTY)
    return _header(first[1]), found


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, fields) of every non-blank record, the header's first."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field limit" in str(error):  # a quote never closed swallowed the lines after it
                raise FileRefused(
                    f"Ligne {line} : un champ dépasse {csv.field_size_limit()} caractères "
                    "(guillemets jamais refermés ?), le fichier n'est pas un CSV lisible."
                ) from None
            raise FileRefused(
                f"Ligne {line} : guillemets mal placés ou non refermés, "
                "le fichier n'est pas un CSV lisible."
            ) from None
        if any(cell.strip() for cell in cells):
            yield line, cells


def _header(cells: list[str]) -> list[str]:
    return header_names(cells, CANDIDATE_COLUMNS, EXPORT_COLUMNS)


def header_names(cells: list[str], required: Sequence[str], known: Sequence[str]) -> list[str]:
    """The header row's column names, or every problem with them at once (a CSV's columns
    are `required`, plus what an export adds, `known`)."""
    names = [cell.strip().strip(BOM).strip().lower() for cell in cells]
    while names and not names[-1]:
        names.pop()
    if not set(names) & set(required):
        raise FileRefused(
            "La première ligne doit être la ligne d'en-tête : " + DELIMITER.join(required)
        )
    problems = []
    unnamed = [str(i) for i, name in enumerate(names, start=1) if not name]
    if unnamed:
        problems.append("Colonnes sans nom dans l'en-tête (n° " + ", ".join(unnamed) + ").")
    doubled = sorted({n for n in names if n and names.count(n) > 1})
    if doubled:
        problems.append("Colonnes en double : " + ", ".join(doubled) + ".")
    unknown = [n for n in names if n and n not in known]
    if unknown:
        problems.append("Colonnes inconnues : " + ", ".join(unknown) + ".")
    missing = [n for n in required if n not in names]
    if missing:
        problems.append("Colonnes manquantes : " + ", ".join(missing) + ".")
    if problems:
        raise FileRefused(*problems)
    return names


# ---------------------------------------------------------------- one row


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why a row is refused: physical line of the file (header = 1), column, French reason."""

    line: int
    column: str
    message: str

    def describe(self) -> str:
        where = f"ligne {self.line}, colonne {self.column}" if self.column else f"ligne {self.line}"
        return f"{where} : {self.message}"


class RowValues(NamedTuple):
    """A valid row's CSV columns as the base stores them (a tuple: 100 000 of them are kept).

    `application_date` and `stage_id` are None when the file leaves them empty: today and the
    first stage for a new file, what is stored for an update."""

    civility: str | None
    last_name: str
    usage_name: str | None
    first_name: str
    sex: str | None
    birth_date: date | None
    phone: str | None
    email: str | None
    address: str | None
    postal_code: str | None
    city: str | None
    season: str
    site_id: int
    filiere_id: int | None
    referrer_id: int | None
    diploma_level: int | None
    job_seeker: bool | None
    rsa: bool | None
    qpv: bool | None
    application_date: date | None
    stage_id: int | None


class CheckedRow(NamedTuple):
    """What the file says in one row: its values when valid, else its problems; `cells` (the
    row as written) is kept for refused rows and for rows naming an identifiant."""

    line: int
    values: RowValues | None
    problems: list[RowProblem]
    identifiant: str
    file_version: int | None
    cells: dict[str, str] | None


# The CSV's columns among the form's fields, in the order the form's service checks them.
_CSV_TEXTS = [
    (name, attribute, max_length, label, name not in _MULTI_LINE_FIELDS)
    for name, (attribute, max_length, label) in _TEXT_FIELDS.items()
    if name in CANDIDATE_COLUMNS
]
_CSV_BOOLS = [(name, attr) for name, attr in _BOOL_FIELDS.items() if name in CANDIDATE_COLUMNS]
_CSV_DATES = [(name, attr) for name, attr in _DATE_FIELDS.items() if name in CANDIDATE_COLUMNS]
_DIPLOMAS = {fold(name).replace(" ", ""): level for name, level in DIPLOMA_SYNONYMS.items()}

_FRENCH_NATIONAL = re.compile(r"0[1-9](?:[ .\-]?[0-9]{2}){4}")
_SEPARATORS = re.compile(r"[ .\-]")


def _french_plan() -> Callable[[str], bool]:
    """Whether a French national significant number (9 digits) is valid: what
    `phonenumbers.is_valid_number` checks for region FR — the general pattern, then any of the
    number types with its lengths — compiled once from the library's own metadata."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("FR")
    assert metadata is not None
    types = (
        metadata.premium_rate,
        metadata.toll_free,
        metadata.shared_cost,
        metadata.voip,
        metadata.personal_number,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
        metadata.fixed_line,
        metadata.mobile,
    )
    general = metadata.general_desc
    assert general is not None and general.national_number_pattern

    def pattern(desc: Any) -> str | None:
        if desc is None or not desc.national_number_pattern:
            return None
        if desc.possible_length and 9 not in desc.possible_length:
            return None
        return f"(?:{desc.national_number_pattern})"

    any_type = re.compile("|".join(p for p in map(pattern, types) if p))
    lengths = general.possible_length
    general_pattern = re.compile(general.national_number_pattern)

    def valid(national: str) -> bool:
        if lengths and len(national) not in lengths:
            return False
        return bool(general_pattern.fullmatch(national) and any_type.fullmatch(national))

    return valid


_valid_french_number = _french_plan()


def parse_french_phone(text: str) -> str | None:
    """`validation.parse_phone`, sooner for a French number written in its national form
    (`06 12 34 56 78`): checked against the numbering plan without parsing the text. Any
    other writing, or a number the plan refuses, goes through `parse_phone` itself."""
    stripped = text.strip()
    if _FRENCH_NATIONAL.fullmatch(stripped):
        national = _SEPARATORS.sub("", stripped)[1:]
        if _valid_french_number(national):
            return "+33" + national
    return parse_phone(text)


class _Memo:
    """Parsed values of the texts a file repeats (a town, a date, a site), with the French
    refusal of those that are refused; forgotten past `size` texts."""

    def __init__(self, parse: Callable[[str], Any], size: int = 20_000) -> None:
        self._parse = parse
        self._size = size
        self._known: dict[str, tuple[Any, str | None]] = {}

    def __call__(self, raw: str) -> tuple[Any, str | None]:
        return self._known.get(raw) or self._learn(raw)

    def take(self, raw: str, errors: dict[str, str], column: str) -> Any:
        """The text's value; None when it is refused, the refusal noted under `column`."""
        value, refusal = self._known.get(raw) or self._learn(raw)
        if refusal is not None:
            errors[column] = refusal
        return value

    def _learn(self, raw: str) -> tuple[Any, str | None]:
        try:
            found: tuple[Any, str | None] = (self._parse(raw), None)
        except FieldError as error:
            found = (None, str(error))
        if len(self._known) >= self._size:
            self._known.clear()
        self._known[raw] = found
        return found


def _reference_column(
    options: list[reference.Option], label: str, *, required: bool = False, feminine: bool = False
) -> _Memo:
    """`records._option_id` for a column of the file: the option's id, or its refusal."""
    index = reference.option_index(options)
    allowed = ", ".join(o.code for o in options)
    unknown = "inconnue" if feminine else "inconnu"

    def option_id(raw: str) -> int | None:
        if not raw.strip():
            if required:
                raise FieldError(f"{label} : champ obligatoire.")
            return None
        option = index.get(fold(raw))
        if option is None:
            raise FieldError(
                f"{label} {unknown} : « {raw.strip()} » (valeurs possibles : {allowed})."
            )
        return option.id

    return _Memo(option_id)


def _stage_column(options: list[reference.Option]) -> _Memo:
    """`records._stage` for the file's `etape`: the stage's id, or its refusal."""
    index = reference.option_index(options)

    def stage_id(raw: str) -> int | None:
        if not raw.strip():
            return None
        option = index.get(fold(raw))
        if option is None:
            raise FieldError(f"Étape inconnue : « {raw.strip()} ».")
        return option.id

    return _Memo(stage_id)


def diploma_level(raw: str) -> int | None:
    """`records._diploma_level`, and the usual names of diplomas ("Bac", "CAP", "BTS")."""
    level = _DIPLOMAS.get(fold(raw).replace(" ", ""))
    return level if level is not None else _diploma_level(raw)


def _season(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise FieldError("La saison est obligatoire.")
    if reference.parse_season_label(text) is None:
        raise FieldError("Saison attendue sous la forme 2017-2018.")
    return text


@dataclass(frozen=True)
class Labels:
    """How the CSV writes what a row's values hold by id (site code, labels)."""

    sites: dict[int, str]
    filieres: dict[int, str]
    referrers: dict[int, str]
    stages: dict[int, str]

    def text(self, values: RowValues, column: str) -> str:
        """One CSV column of the row as the export writes it."""
        if column == "date_naissance":
            return format_date(values.birth_date)
        if column == "saison":
            return values.season
        if column == "site":
            return self.sites[values.site_id]
        return str(getattr(self.data(values), column))

    def data(self, values: RowValues, identifiant: str = "") -> CandidateInput:
        """The row as the export would write it."""
        return CandidateInput(
            identifiant=identifiant,
            civilite=values.civility or "",
            nom=values.last_name,
            nom_usage=values.usage_name or "",
            prenom=values.first_name,
            sexe=values.sex or "",
            date_naissance=format_date(values.birth_date),
            telephone=format_phone(values.phone),
            email=values.email or "",
            adresse=values.address or "",
            code_postal=values.postal_code or "",
            commune=values.city or "",
            saison=values.season,
            site=self.sites[values.site_id],
            filiere_souhaitee=self.filieres.get(values.filiere_id or 0, ""),
            prescripteur=self.referrers.get(values.referrer_id or 0, ""),
            niveau_diplome=_level_text(values.diploma_level),
            demandeur_emploi=format_bool(values.job_seeker),
            rsa=format_bool(values.rsa),
            qpv=format_bool(values.qpv),
            date_candidature=format_date(values.application_date),
            etape=self.stages.get(values.stage_id or 0, ""),
        )


def _level_text(level: int | None) -> str:
    if level is None:
        return ""
    return "aucun" if level == 0 else str(level)


class RowChecker:
    """Checks the rows of one file, each once, in the file's order."""

    def __init__(self, session: Session, header: list[str], today: date) -> None:
        self.width = len(header)
        self._header = header
        self._at = {name: index for index, name in enumerate(header)}
        self._today = today
        sites = reference.sites(session)
        filieres = reference.filieres(session)
        referrers = reference.referrers(session)
        stages = reference.stages(session)
        self.labels = Labels(
            sites={o.id: o.code for o in sites},
            filieres={o.id: o.label for o in filieres},
            referrers={o.id: o.label for o in referrers},
            stages={o.id: o.label for o in stages},
        )
        self._site = _reference_column(sites, "Site", required=True)
        self._filiere = _reference_column(filieres, "Filière", feminine=True)
        self._referrer = _reference_column(referrers, "Prescripteur")
        self._stage = _stage_column(stages)
        self._season = _Memo(_season)
        self._civility = _Memo(lambda raw: _choice(raw, CIVILITIES, "Civilité inconnue"))
        self._sex = _Memo(lambda raw: _choice(raw, SEXES, "Sexe inconnu"))
        self._birth = _Memo(lambda raw: _birth_date(raw, today))
        self._date = _Memo(parse_date)
        self._bool = _Memo(parse_bool)
        self._diploma = _Memo(diploma_level)
        self._postal_code = _Memo(parse_postal_code)
        self._phone = _Memo(parse_french_phone, size=5_000)
        self._seen: dict[str, int] = {}

    def check(self, line: int, cells: list[str]) -> CheckedRow:
        if len(cells) < self.width or any(cell.strip() for cell in cells[self.width :]):
            message = (
                f"{len(cells)} champs au lieu de {self.width} "
                "(séparateur en trop ou manquant, ou guillemets mal placés)."
            )
            texts = {
                name: _unescaped(cell) for name, cell in zip(self._header, cells, strict=False)
            }
            return CheckedRow(line, None, [RowProblem(line, "", message)], "", None, texts)
        texts = {
            name: cell if cell[:1] != "'" else unescape_cell(cell)
            for name, cell in zip(self._at, cells, strict=False)
        }
        problems: list[RowProblem] = []
        identifiant = self._identifiant(line, texts["identifiant"], problems)
        version = self._version(line, texts.get(VERSION_COLUMN, ""), problems)
        values, errors = self.values(texts)
        problems.extend(RowProblem(line, column, message) for column, message in errors.items())
        if problems:
            return CheckedRow(line, None, problems, identifiant, version, texts)
        return CheckedRow(
            line, values, problems, identifiant, version, texts if identifiant else None
        )

    def values(self, texts: dict[str, str]) -> tuple[RowValues | None, dict[str, str]]:
        """The row's values, or every refusal at once (column -> French message) in the order
        of `records._field_changes`."""
        errors: dict[str, str] = {}
        found: dict[str, Any] = {}
        for name, attribute, max_length, label, one_line in _CSV_TEXTS:
            try:
                found[attribute] = _clean(texts[name], max_length, label, one_line)
            except FieldError as error:
                errors[name] = str(error)
                found[attribute] = None
        for name, attribute in _CSV_BOOLS:
            found[attribute] = self._bool.take(texts[name], errors, name)
        for name, attribute in _CSV_DATES:
            found[attribute] = self._date.take(texts[name], errors, name)
        if not found["last_name"] and "nom" not in errors:
            errors["nom"] = "Le nom est obligatoire."
        if not found["first_name"] and "prenom" not in errors:
            errors["prenom"] = "Le prénom est obligatoire."
        civility = self._civility.take(texts["civilite"], errors, "civilite")
        sex = self._sex.take(texts["sexe"], errors, "sexe")
        phone = self._phone.take(texts["telephone"], errors, "telephone")
        try:
            email = _email(texts["email"])
        except FieldError as error:
            errors["email"], email = str(error), None
        postal_code = self._postal_code.take(texts["code_postal"], errors, "code_postal")
        birth = self._birth.take(texts["date_naissance"], errors, "date_naissance")
        level = self._diploma.take(texts["niveau_diplome"], errors, "niveau_diplome")
        if not phone and not email and "telephone" not in errors and "email" not in errors:
            message = "Indiquer au moins un téléphone ou un e-mail."
            errors["telephone"] = message
            errors["email"] = message
        season = self._season.take(texts["saison"], errors, "saison")
        site_id = self._site.take(texts["site"], errors, "site")
        filiere_id = self._filiere.take(texts["filiere_souhaitee"], errors, "filiere_souhaitee")
        referrer_id = self._referrer.take(texts["prescripteur"], errors, "prescripteur")
        stage_id = self._stage.take(texts["etape"], errors, "etape")
        if errors:
            return None, errors
        values = RowValues(
            civility,
            found["last_name"],
            found["usage_name"],
            found["first_name"],
            sex,
            birth,
            phone,
            email,
            found["address"],
            postal_code,
            found["city"],
            season,
            site_id,
            filiere_id,
            referrer_id,
            level,
            found["job_seeker"],
            found["rsa"],
            found["qpv"],
            found["application_date"],
            stage_id,
        )
        return values, errors

    def _identifiant(self, line: int, raw: str, problems: list[RowProblem]) -> str:
        """The row's uuid in its canonical form, "" when empty or refused."""
        text = raw.strip()
        if not text:
            return ""
        try:
            identifiant = str(uuid.UUID(text))
        except ValueError:
            message = f"Identifiant invalide : « {text} » (laisser vide pour un nouveau candidat)."
            problems.append(RowProblem(line, "identifiant", message))
            return ""
        first_line = self._seen.setdefault(identifiant, line)
        if first_line != line:
            message = f"Identifiant déjà présent ligne {first_line} du fichier."
            problems.append(RowProblem(line, "identifiant", message))
            return ""
        return identifiant

    @staticmethod
    def _version(line: int, raw: str, problems: list[RowProblem]) -> int | None:
        """The file's version of the record: a whole number, or empty (new candidate, old
        file)."""
        text = raw.strip()
        if not text:
            return None
        if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
            problems.append(
                RowProblem(
                    line,
                    VERSION_COLUMN,
                    f"Version invalide : « {text} » (nombre entier écrit par l'export ; "
                    "laisser vide pour un nouveau candidat).",
                )
            )
            return None
        return int(text)


def _unescaped(cell: str) -> str:
    return unescape_cell(cell) if cell[:1] == "'" else cell


# Every character `validation.unwanted_characters` may refuse, and more (tab, format
# characters): a text without any of them is clean at once; one with some is left to
# `clean_text`, which says what is wrong.
_MAYBE_UNWANTED = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]"
)


def _email(text: str) -> str | None:
    """`validation.parse_email`, sooner for an address with nothing to refuse."""
    value = text.strip()
    clean = value and len(value) <= 254 and not _MAYBE_UNWANTED.search(value)
    return value if clean and _EMAIL.match(value) else parse_email(text)


def _clean(text: str, max_length: int, label: str, one_line: bool) -> str | None:
    """`validation.clean_text`, sooner for a text with nothing to refuse."""
    value = text.strip()
    if not value:
        return None
    if len(value) <= max_length and not _MAYBE_UNWANTED.search(value):
        return value
    return clean_text(text, max_length, label, one_line=one_line)


def input_of(cells: dict[str, str]) -> CandidateInput:
    """The row's text as a form input (a refused row, an update)."""
    return CandidateInput(**{name: cells.get(name, "") for name in CANDIDATE_COLUMNS})
