"""Candidate CSV of CONTRACT.md: export, import preview and all-or-nothing import.

Two protections around the spreadsheet the file passes through:

- **Formulas.** A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a
  formula (or a DDE call) to Excel and LibreOffice: the export writes it after an apostrophe
  (OWASP's "CSV injection" advice) and the import removes that apostrophe, so an export read
  back changes nothing (`escape_cell`, `unescape_cell`).
- **Stale files.** The export ends each row with the file's `version`, the counter every saved
  change increments (the optimistic lock of `services.versioning`). An import row whose file
  has a higher version in the base was changed since the export: it is a conflict, listed in
  the preview with what it would undo, and left alone unless the import is told to overwrite.
"""

import contextlib
import csv
import io
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from app.domain import Candidate, Filiere, Referrer, Season, Site, Stage
from app.domain.text import fold
from app.domain.values import CIVILITIES, SEXES
from app.services import reference
from app.services.actor import Actor
from app.services.candidates import records as candidates
from app.services.candidates.records import CandidateInput
from app.services.errors import UserFacingError, ValidationError
from app.services.permissions import require_candidate_editor
from app.services.validation import (
    FieldError,
    format_bool,
    format_date,
    format_phone,
    parse_bool,
    parse_date,
    parse_phone,
    parse_postal_code,
    search_text,
)

CANDIDATE_COLUMNS: tuple[str, ...] = (
    "identifiant",
    "civilite",
    "nom",
    "nom_usage",
    "prenom",
    "sexe",
    "date_naissance",
    "telephone",
    "email",
    "adresse",
    "code_postal",
    "commune",
    "saison",
    "site",
    "filiere_souhaitee",
    "prescripteur",
    "niveau_diplome",
    "demandeur_emploi",
    "rsa",
    "qpv",
    "date_candidature",
    "etape",
)
assert set(CANDIDATE_COLUMNS) <= set(CandidateInput.field_names())
# The export's last column (CONTRACT.md: extended at the end). Optional on import: files
# written before it existed import as they always did, without stale-row detection.
VERSION_COLUMN = "version"
EXPORT_COLUMNS: tuple[str, ...] = (*CANDIDATE_COLUMNS, VERSION_COLUMN)

DELIMITER = ";"
BOM = "\ufeff"
EXPORT_BATCH = 500
PROGRESS_EVERY = 100
MAX_REPORTED_PROBLEMS = 200
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

Action = Literal["create", "update", "unchanged", "conflict"]

# What a spreadsheet takes for a formula at the start of a cell (OWASP, CSV injection); an
# apostrophe in front makes it text. Cells already starting with apostrophes before one of
# these get one more, so that reading back (removing one) restores any text exactly.
_FORMULA_START = "=+\\-@\t\r"
_NEEDS_APOSTROPHE = re.compile(f"'*[{_FORMULA_START}]")
_ESCAPED_FORMULA = re.compile(f"'+[{_FORMULA_START}]")


def escape_cell(value: str) -> str:
    """The cell as exported: `=SOMME(A1)` becomes `'=SOMME(A1)`, other text is unchanged."""
    return "'" + value if _NEEDS_APOSTROPHE.match(value) else value


def unescape_cell(value: str) -> str:
    """The cell as imported: the apostrophe `escape_cell` added (or a person typed in front of
    a formula character, `'+33 6…`) is removed; `unescape_cell(escape_cell(t)) == t`."""
    return value[1:] if _ESCAPED_FORMULA.match(value) else value


def escaped_row(cells: Iterable[str]) -> list[str]:
    """A row ready for `csv.writer`: every cell through `escape_cell`."""
    return [escape_cell(cell) for cell in cells]


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"


# ---------------------------------------------------------------- export


def export_candidates(
    session: Session,
    out: Path | str | TextIO,
    *,
    season: str | None = None,
    site: str | None = None,
) -> int:
    """Write the candidates (optionally of one season and one site); return the row count.

    A path is written atomically (temporary file, then replace). A text stream must be
    opened with `newline=""`; it receives the BOM and the rows as they are produced.
    """
    statement = _export_query(session, season, site)
    if isinstance(out, str | os.PathLike):
        return write_atomically(Path(out), lambda handle: _write_rows(session, statement, handle))
    return _write_rows(session, statement, out)


def _export_query(
    session: Session, season: str | None, site: str | None
) -> Select[tuple[Candidate]]:
    statement = select(Candidate).options(
        joinedload(Candidate.season),
        joinedload(Candidate.site),
        joinedload(Candidate.filiere),
        joinedload(Candidate.referrer),
        joinedload(Candidate.stage),
    )
    if season is not None:
        statement = statement.where(Candidate.season_id == _season_id(session, season))
    if site is not None:
        statement = statement.where(Candidate.site_id == _site_id(session, site))
    return statement.order_by(
        Candidate.name_key, Candidate.first_name_key, Candidate.id
    ).execution_options(yield_per=EXPORT_BATCH)


def _season_id(session: Session, label: str) -> int:
    wanted = search_text(label).strip()  # what no stored label holds cannot be looked up
    season_id = session.scalar(select(Season.id).where(Season.label == wanted))
    if season_id is None:
        known = ", ".join(o.label for o in reference.seasons(session)) or "aucune"
        raise UserFacingError(f"Saison inconnue : « {label} » (saisons existantes : {known}).")
    return season_id


def _site_id(session: Session, code: str) -> int:
    options = reference.sites(session)
    option = reference.match_option(options, code)
    if option is None:
        known = ", ".join(o.code for o in options)
        raise UserFacingError(f"Site inconnu : « {code} » (sites possibles : {known}).")
    return option.id


def _write_rows(session: Session, statement: Select[tuple[Candidate]], handle: TextIO) -> int:
    handle.write(BOM)
    writer = csv.writer(handle, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    written = 0
    for candidate in session.scalars(statement):
        data = candidates.candidate_input(candidate)
        cells = [getattr(data, name) for name in CANDIDATE_COLUMNS]
        writer.writerow(escaped_row([*cells, str(candidate.version)]))
        written += 1
    return written


def write_atomically(path: Path, write: Callable[[TextIO], int]) -> int:
    """Write next to `path`, then replace it: a failure leaves the previous file untouched."""
    if path.is_dir():
        raise UserFacingError(f"« {path} » est un dossier : indiquez un nom de fichier.")
    folder = path.parent
    if not folder.is_dir():
        raise UserFacingError(f"Le dossier « {folder} » n'existe pas.")
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            written = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return written


# ---------------------------------------------------------------- preview


@dataclass(frozen=True)
class RowProblem:
    """Why a row is refused: physical line of the file (header = 1), column, French reason."""

    line: int
    column: str
    message: str

    def describe(self) -> str:
        where = f"ligne {self.line}, colonne {self.column}" if self.column else f"ligne {self.line}"
        return f"{where} : {self.message}"


@dataclass(frozen=True)
class Change:
    """One CSV column the import would set back: the base's value and the file's."""

    column: str
    in_base: str
    in_file: str

    def describe(self) -> str:
        return f"{self.column} « {self.in_base} » → « {self.in_file} »"


@dataclass(frozen=True)
class Conflict:
    """A row whose file was saved in the base after the export the row comes from."""

    line: int
    person: str
    file_version: int
    base_version: int
    updated_by: str | None
    updated_at: datetime | None
    changes: tuple[Change, ...]

    def describe(self) -> str:
        when = f" le {self.updated_at:%d/%m/%Y à %H:%M}" if self.updated_at else ""
        who = f" par {self.updated_by}" if self.updated_by else ""
        return (
            f"ligne {self.line} : {self.person} — fiche modifiée dans la base{when}{who} "
            f"(version {self.base_version}, le fichier porte la version {self.file_version}) ; "
            "l'import remettrait " + ", ".join(change.describe() for change in self.changes) + "."
        )


@dataclass
class ParsedRow:
    """One data row; `action` is meaningful for valid rows only, `conflict` for "conflict"."""

    line: int
    data: CandidateInput
    problems: list[RowProblem] = field(default_factory=list)
    action: Action = "create"
    file_version: int | None = None
    conflict: Conflict | None = None

    @property
    def valid(self) -> bool:
        return not self.problems


NO_VERSION_WARNING = (
    "Ce fichier n'a pas de colonne « version » (export d'une version précédente de "
    "l'application, ou fichier fait à la main) : les modifications faites dans la base depuis "
    "l'export ne peuvent pas être détectées, et les mises à jour de ce fichier les écraseraient."
)
MISSING_VERSIONS_WARNING = (
    "{rows} sans numéro de version : les modifications faites dans la base depuis l'export "
    "ne peuvent pas y être détectées, ces mises à jour les écraseraient."
)


@dataclass
class ImportPreview:
    rows: list[ParsedRow] = field(default_factory=list)
    fatal: list[str] = field(default_factory=list)
    has_versions: bool = True

    @property
    def conflicts(self) -> list[Conflict]:
        return [r.conflict for r in self.valid_rows if r.conflict is not None]

    @property
    def warnings(self) -> list[str]:
        """What the person should know before importing, besides refused rows and conflicts."""
        unversioned = [
            r for r in self.valid_rows if r.action == "update" and r.file_version is None
        ]
        if not unversioned:
            return []
        if not self.has_versions:
            return [NO_VERSION_WARNING]
        lines = ", ".join(str(r.line) for r in unversioned[:20])
        more = "…" if len(unversioned) > 20 else ""
        rows = _plural(len(unversioned), "mise à jour", "mises à jour")
        return [MISSING_VERSIONS_WARNING.format(rows=f"{rows} (ligne {lines}{more})")]

    @property
    def valid_rows(self) -> list[ParsedRow]:
        return [] if self.fatal else [r for r in self.rows if r.valid]

    @property
    def invalid_rows(self) -> list[ParsedRow]:
        return [r for r in self.rows if not r.valid]

    @property
    def problems(self) -> list[RowProblem]:
        return [p for r in self.rows for p in r.problems]

    def count(self, action: Action) -> int:
        return sum(1 for r in self.valid_rows if r.action == action)

    def describe(self) -> str:
        if self.fatal:
            return "\n".join(["Fichier refusé :", *(f"- {m}" for m in self.fatal)])
        valid = len(self.valid_rows)
        summary = (
            f"{_plural(len(self.rows), 'ligne lue', 'lignes lues')} : "
            f"{_plural(valid, 'valide', 'valides')} ("
            f"{_plural(self.count('create'), 'nouveau', 'nouveaux')}, "
            f"{_plural(self.count('update'), 'mise à jour', 'mises à jour')}, "
            f"{_plural(self.count('unchanged'), 'inchangé', 'inchangés')}"
            f"{self._conflict_count()}), "
            f"{_plural(len(self.invalid_rows), 'refusée', 'refusées')}."
        )
        problems = self.problems
        lines = [summary, *(p.describe() for p in problems[:MAX_REPORTED_PROBLEMS])]
        hidden = len(problems) - MAX_REPORTED_PROBLEMS
        if hidden > 0:
            lines.append(f"… et {_plural(hidden, 'autre problème', 'autres problèmes')}.")
        lines.extend(self.describe_conflicts())
        lines.extend(self.warning_lines())
        return "\n".join(lines)

    def warning_lines(self) -> list[str]:
        """The warnings as the preview shows them: « Attention : ce fichier … »."""
        return [f"Attention : {w[:1].lower()}{w[1:]}" for w in self.warnings]

    def _conflict_count(self) -> str:
        conflicts = self.count("conflict")
        return f", {conflicts} en conflit" if conflicts else ""

    def describe_conflicts(self) -> list[str]:
        """A title and one line per conflict (at most MAX_REPORTED_PROBLEMS), or nothing."""
        conflicts = self.conflicts
        if not conflicts:
            return []
        title = _plural(
            len(conflicts),
            "fiche modifiée dans la base depuis l'export de ce fichier (conflit), laissée telle "
            "quelle sauf demande expresse :",
            "fiches modifiées dans la base depuis l'export de ce fichier (conflits), laissées "
            "telles quelles sauf demande expresse :",
        )
        lines = [title, *(f"- {c.describe()}" for c in conflicts[:MAX_REPORTED_PROBLEMS])]
        hidden = len(conflicts) - MAX_REPORTED_PROBLEMS
        if hidden > 0:
            lines.append(f"… et {_plural(hidden, 'autre conflit', 'autres conflits')}.")
        return lines


class _FileRefused(Exception):
    """The whole file is refused; the messages are French."""

    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = list(messages)


@dataclass
class _Context:
    """What checking rows needs besides the row: reference lists, today, identifiants seen."""

    session: Session
    today: date
    options: dict[str, list[reference.Option]]
    seen: dict[str, int] = field(default_factory=dict)
    pinned: list[object] = field(default_factory=list)


def preview_import(
    session: Session, source: Path | bytes, *, today: date | None = None
) -> ImportPreview:
    """Parse and check every row without saving (validation may flush a new season row:
    roll the session back afterwards)."""
    try:
        text = _decode(_read(source))
        header, records = _header_and_records(text)
        context = _Context(
            session,
            today or date.today(),
            _reference_options(session),
            pinned=_pinned_reference_rows(session),
        )
        rows = [_check_row(context, header, line, cells) for line, cells in records]
        if not rows:
            raise _FileRefused(HEADER_ONLY)
    except _FileRefused as refused:
        return ImportPreview(fatal=refused.messages)
    return ImportPreview(rows=rows, has_versions=VERSION_COLUMN in header)


def _read(source: Path | bytes) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        if source.stat().st_size > MAX_FILE_BYTES:
            raise _FileRefused(
                f"Le fichier dépasse {MAX_FILE_BYTES // (1024 * 1024)} Mo : découpez-le."
            )
        return source.read_bytes()
    except FileNotFoundError:
        raise _FileRefused(f"Fichier introuvable : « {source} ».") from None
    except IsADirectoryError:
        raise _FileRefused(f"« {source} » est un dossier, pas un fichier.") from None
    except PermissionError:
        raise _FileRefused(f"Accès refusé au fichier « {source} ».") from None
    except OSError:
        raise _FileRefused(f"Impossible de lire le fichier « {source} ».") from None


def _decode(raw: bytes) -> str:
    if raw.startswith(_SPREADSHEET_SIGNATURES):
        raise _FileRefused(SPREADSHEET)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(raw):
        raise _FileRefused(NOT_UTF8)
    if b"\x00" in raw:
        raise _FileRefused(NOT_CSV)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise _FileRefused(NOT_UTF8, f"Premier caractère illisible : ligne {line}.") from None
    text = text.removeprefix(BOM)
    if not text.strip():
        raise _FileRefused(EMPTY)
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


def _delimiter(text: str) -> str:
    """The header line decides: semicolon if it has one, else comma if it has one."""
    first_line = text.split("\n", 1)[0]
    if ";" in first_line or "," not in first_line:
        return ";"
    return ","


def _header_and_records(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    records = _records(text)
    first = next(records, None)
    if first is None:
        raise _FileRefused(EMPTY)
    return _header(first[1]), records


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, fields) of every non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field limit" in str(error):  # a quote never closed swallowed the lines after it
                raise _FileRefused(
                    f"Ligne {line} : un champ dépasse {csv.field_size_limit()} caractères "
                    "(guillemets jamais refermés ?), le fichier n'est pas un CSV lisible."
                ) from None
            raise _FileRefused(
                f"Ligne {line} : guillemets mal placés ou non refermés, "
                "le fichier n'est pas un CSV lisible."
            ) from None
        if any(cell.strip() for cell in cells):
            yield line, cells


def _header(cells: list[str]) -> list[str]:
    names = [cell.strip().strip(BOM).strip().lower() for cell in cells]
    while names and not names[-1]:
        names.pop()
    if not set(names) & set(CANDIDATE_COLUMNS):
        raise _FileRefused(
            "La première ligne doit être la ligne d'en-tête : " + DELIMITER.join(CANDIDATE_COLUMNS)
        )
    problems = []
    unnamed = [str(i) for i, name in enumerate(names, start=1) if not name]
    if unnamed:
        problems.append("Colonnes sans nom dans l'en-tête (n° " + ", ".join(unnamed) + ").")
    doubled = sorted({n for n in names if n and names.count(n) > 1})
    if doubled:
        problems.append("Colonnes en double : " + ", ".join(doubled) + ".")
    unknown = [n for n in names if n and n not in EXPORT_COLUMNS]
    if unknown:
        problems.append("Colonnes inconnues : " + ", ".join(unknown) + ".")
    missing = [n for n in CANDIDATE_COLUMNS if n not in names]
    if missing:
        problems.append("Colonnes manquantes : " + ", ".join(missing) + ".")
    if problems:
        raise _FileRefused(*problems)
    return names


def _reference_options(session: Session) -> dict[str, list[reference.Option]]:
    return {
        "site": reference.sites(session),
        "filiere_souhaitee": reference.filieres(session),
        "prescripteur": reference.referrers(session),
        "etape": reference.stages(session),
    }


def _pinned_reference_rows(session: Session) -> list[object]:
    """Load the small reference tables and keep them referenced, so that reading thousands
    of candidates finds their site, season, stage... in the session instead of querying."""
    models: tuple[type[Any], ...] = (Site, Season, Stage, Filiere, Referrer)
    return [row for model in models for row in session.scalars(select(model))]


def _check_row(context: _Context, header: list[str], line: int, cells: list[str]) -> ParsedRow:
    values = {name: unescape_cell(value) for name, value in zip(header, cells, strict=False)}
    version = values.pop(VERSION_COLUMN, "")
    row = ParsedRow(line, CandidateInput(**values))
    data = row.data
    extra = cells[len(header) :]
    if len(cells) < len(header) or any(cell.strip() for cell in extra):
        message = (
            f"{len(cells)} champs au lieu de {len(header)} "
            "(séparateur en trop ou manquant, ou guillemets mal placés)."
        )
        row.problems.append(RowProblem(line, "", message))
        return row
    _check_identifiant(context, row)
    _check_version(row, version)
    existing = None if row.problems else _existing(context.session, data.identifiant)
    stored = None if existing is None else candidates.candidate_input(existing)
    checked = data if stored is None else _merged(stored, data)
    try:
        candidates.validate_candidate(context.session, checked, context.today)
    except ValidationError as error:
        row.problems.extend(RowProblem(line, col, msg) for col, msg in error.errors.items())
        return row
    if existing is None or stored is None:
        row.action = "create"
        return row
    changes = _changes(context, stored, checked)
    row.action = "update" if changes else "unchanged"
    if changes and row.file_version is not None and existing.version > row.file_version:
        row.action = "conflict"
        row.conflict = Conflict(
            line=line,
            person=candidates.display_name(existing),
            file_version=row.file_version,
            base_version=existing.version,
            updated_by=existing.updated_by,
            updated_at=existing.updated_at,
            changes=tuple(changes),
        )
    return row


def _check_version(row: ParsedRow, raw: str) -> None:
    """The file's version of the record: a whole number, or empty (new candidate, old file)."""
    text = raw.strip()
    if not text:
        return
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
        row.problems.append(
            RowProblem(
                row.line,
                VERSION_COLUMN,
                f"Version invalide : « {text} » (nombre entier écrit par l'export ; "
                "laisser vide pour un nouveau candidat).",
            )
        )
        return
    row.file_version = int(text)


def _check_identifiant(context: _Context, row: ParsedRow) -> None:
    raw = row.data.identifiant.strip()
    if not raw:
        return
    try:
        identifiant = str(uuid.UUID(raw))
    except ValueError:
        row.problems.append(
            RowProblem(
                row.line,
                "identifiant",
                f"Identifiant invalide : « {raw} » (laisser vide pour un nouveau candidat).",
            )
        )
        return
    first_line = context.seen.setdefault(identifiant, row.line)
    if first_line != row.line:
        row.problems.append(
            RowProblem(
                row.line,
                "identifiant",
                f"Identifiant déjà présent ligne {first_line} du fichier.",
            )
        )
        return
    row.data.identifiant = identifiant


def _existing(session: Session, identifiant: str) -> Candidate | None:
    if not identifiant:
        return None
    candidate_id = candidates.id_for_uuid(session, identifiant)
    return None if candidate_id is None else session.get(Candidate, candidate_id)


def _merged(stored: CandidateInput, data: CandidateInput) -> CandidateInput:
    """The stored file with the CSV columns laid over it: other fields are kept."""
    merged = replace(stored)
    for name in CANDIDATE_COLUMNS:
        setattr(merged, name, getattr(data, name))
    return merged


# ---------------------------------------------------------------- create / update / unchanged


def _changes(context: _Context, stored: CandidateInput, incoming: CandidateInput) -> list[Change]:
    """The CSV columns of the row that differ from the stored file (none: unchanged)."""
    changes = []
    for name in CANDIDATE_COLUMNS:
        before, after = getattr(stored, name), getattr(incoming, name).strip()
        if name in ("date_candidature", "etape") and not after:
            continue  # an empty application date or stage keeps the stored one
        if before != after and _canonical(context, name, before) != _canonical(
            context, name, after
        ):
            changes.append(Change(name, before, after))
    return changes


def _canonical(context: _Context, column: str, raw: str) -> str:
    """A value as the export would write it, so that `Oui` == `oui`, `0612345678` == ..."""
    text = raw.strip()
    try:
        return _CANONICAL.get(column, _text)(context, text)
    except FieldError:
        return text


def _text(_context: _Context, text: str) -> str:
    return text


def _bool(_context: _Context, text: str) -> str:
    return format_bool(parse_bool(text))


def _date(_context: _Context, text: str) -> str:
    return format_date(parse_date(text))


def _phone(_context: _Context, text: str) -> str:
    return format_phone(parse_phone(text))


def _postal_code(_context: _Context, text: str) -> str:
    return parse_postal_code(text) or ""


def _diploma(_context: _Context, text: str) -> str:
    folded = fold(text)
    if folded in ("aucun", "aucun diplome", "0"):
        return "aucun"
    return folded.removeprefix("niveau").strip()


def _choice(choices: dict[str, str]) -> Callable[[_Context, str], str]:
    def canonical(_context: _Context, text: str) -> str:
        for code, label in choices.items():
            if fold(text) in (fold(code), fold(label)):
                return code
        return text

    return canonical


def _option(column: str, by_code: bool) -> Callable[[_Context, str], str]:
    def canonical(context: _Context, text: str) -> str:
        option = reference.match_option(context.options[column], text) if text else None
        if option is None:
            return text
        return option.code if by_code else option.label

    return canonical


_CANONICAL: dict[str, Callable[[_Context, str], str]] = {
    "civilite": _choice(CIVILITIES),
    "sexe": _choice(SEXES),
    "date_naissance": _date,
    "telephone": _phone,
    "code_postal": _postal_code,
    "site": _option("site", by_code=True),
    "filiere_souhaitee": _option("filiere_souhaitee", by_code=False),
    "prescripteur": _option("prescripteur", by_code=False),
    "niveau_diplome": _diploma,
    "demandeur_emploi": _bool,
    "rsa": _bool,
    "qpv": _bool,
    "date_candidature": _date,
    "etape": _option("etape", by_code=False),
}


# ---------------------------------------------------------------- import


class ImportCancelled(UserFacingError):
    """The user stopped the import; the caller's transaction is rolled back."""


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    conflicts_kept: int = 0  # newer in the base: left as they are
    conflicts_overwritten: int = 0  # newer in the base, overwritten on request (in `updated`)

    def describe(self) -> str:
        text = (
            "Import terminé : "
            f"{_plural(self.created, 'nouveau candidat', 'nouveaux candidats')}, "
            f"{_plural(self.updated, 'mis à jour', 'mis à jour')}, "
            f"{_plural(self.unchanged, 'inchangé', 'inchangés')}, "
            f"{_plural(self.skipped, 'ligne refusée ignorée', 'lignes refusées ignorées')}"
        )
        if self.conflicts_overwritten:
            text += " ; dont " + _plural(
                self.conflicts_overwritten,
                "fiche modifiée dans la base depuis l'export, écrasée à votre demande",
                "fiches modifiées dans la base depuis l'export, écrasées à votre demande",
            )
        if self.conflicts_kept:
            text += " ; " + _plural(
                self.conflicts_kept,
                "fiche modifiée dans la base depuis l'export laissée telle quelle",
                "fiches modifiées dans la base depuis l'export laissées telles quelles",
            )
        return text + "."


def apply_import(
    session: Session,
    source: Path | bytes,
    *,
    valid_only: bool,
    actor: Actor,
    overwrite_newer: bool = False,
    progress: Callable[[int, int], bool] | None = None,
    today: date | None = None,
) -> ImportResult:
    """Import in the caller's transaction; any exception means the caller rolls back.

    Rows in conflict (the file changed in the base since the export) are left alone unless
    `overwrite_newer`. `progress(done, total)` is called every PROGRESS_EVERY rows; returning
    False cancels.
    """
    require_candidate_editor(actor)
    now = datetime.combine(today, datetime.now().time()) if today else datetime.now()
    preview = preview_import(session, source, today=now.date())
    if preview.fatal:
        raise UserFacingError("Rien n'a été importé : " + " ".join(preview.fatal))
    refused = len(preview.invalid_rows)
    if refused and not valid_only:
        raise UserFacingError(
            f"Rien n'a été importé : {_plural(refused, 'ligne refusée', 'lignes refusées')}."
        )
    valid = preview.valid_rows
    pinned = _pinned_reference_rows(session)
    counts: dict[Action, int] = {"create": 0, "update": 0, "unchanged": 0, "conflict": 0}
    overwritten = 0
    for done, row in enumerate(valid, start=1):
        if row.action == "conflict" and not overwrite_newer:
            counts["conflict"] += 1
        else:
            action = _apply_row(session, row, actor=actor, now=now)
            counts[action] += 1
            overwritten += row.action == "conflict" and action == "update"
        if _cancelled(progress, done, len(valid)):
            raise ImportCancelled("Import annulé : rien n'a été importé.")
    del pinned
    return ImportResult(
        counts["create"],
        counts["update"],
        counts["unchanged"],
        refused,
        conflicts_kept=counts["conflict"],
        conflicts_overwritten=overwritten,
    )


def _cancelled(progress: Callable[[int, int], bool] | None, done: int, total: int) -> bool:
    if progress is None or (done % PROGRESS_EVERY and done != total):
        return False
    return not progress(done, total)


def _apply_row(session: Session, row: ParsedRow, *, actor: Actor, now: datetime) -> Action:
    data = row.data
    existing = _existing(session, data.identifiant)
    if existing is None:
        saved = candidates.create_candidate(session, data, actor=actor, now=now)
        if row.file_version is not None and row.file_version > saved.version:
            # A file brought from another base keeps its version: exported again it gives the
            # same row, and an older export of the first base is still seen as older.
            created = session.get(Candidate, saved.id)
            if created is not None:
                created.version = row.file_version
        return "create"
    version = existing.version
    saved = candidates.update_candidate(
        session,
        existing.id,
        _merged(candidates.candidate_input(existing), data),
        expected_version=None,
        actor=actor,
        now=now,
    )
    return "unchanged" if saved.version == version else "update"
