"""Candidate CSV of CONTRACT.md: the format, and the export. The import reads the same format
(`import_rows`, `import_matching`, `import_preview`, `import_writing`).

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
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from app.domain import Candidate, Season
from app.services import reference
from app.services.candidates import records as candidates
from app.services.candidates.records import CandidateInput
from app.services.errors import UserFacingError
from app.services.validation import search_text

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
        statement = statement.where(Candidate.season_id == season_id(session, season))
    if site is not None:
        statement = statement.where(Candidate.site_id == _site_id(session, site))
    return statement.order_by(
        Candidate.name_key, Candidate.first_name_key, Candidate.id
    ).execution_options(yield_per=EXPORT_BATCH)


def season_id(session: Session, label: str) -> int:
    """The id of the season with this label; a French refusal naming the known ones."""
    wanted = search_text(label).strip()  # what no stored label holds cannot be looked up
    found = session.scalar(select(Season.id).where(Season.label == wanted))
    if found is None:
        known = ", ".join(o.label for o in reference.seasons(session)) or "aucune"
        raise UserFacingError(f"Saison inconnue : « {label} » (saisons existantes : {known}).")
    return found


def _site_id(session: Session, code: str) -> int:
    options = reference.sites(session)
    option = reference.match_option(options, code)
    if option is None:
        known = ", ".join(o.code for o in options)
        raise UserFacingError(f"Site inconnu : « {code} » (sites possibles : {known}).")
    return option.id


def _write_rows(session: Session, statement: Select[tuple[Candidate]], handle: TextIO) -> int:
    # Closed even when writing fails midway: on a server the rows come from a cursor there.
    with session.scalars(statement) as files:
        return write_candidate_rows(handle, files)


def write_candidate_rows(handle: TextIO, files: Iterable[Candidate]) -> int:
    """The BOM, the header and one row per file (the contract's columns, then `version`), as
    every candidate export writes them; the row count."""
    handle.write(BOM)
    writer = csv.writer(handle, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    written = 0
    for candidate in files:
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
