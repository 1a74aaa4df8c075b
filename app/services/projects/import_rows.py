"""Reading a projects CSV for the import: the file (size, encoding, separator, header, with the
candidate import's readers), then each row read once into what the import needs: the season
and reference, how to find the structure (or add it to the directory), the project's form
texts (`ProjectInput`, checked by `submissions` itself when the row is tried) and the state.

What is refused here is what only the file can say: a malformed reference, a season that is not
one, a SIRET or RNA number that cannot be, a state that does not exist, a version that is not a
number, a reference given twice.
"""

import re
from dataclasses import dataclass, field

from app.domain.agreement_rules import IdentifierError, check_rna, check_siret
from app.domain.projects import ProjectState
from app.domain.text import fold
from app.services import reference
from app.services.candidates.csv_exchange import unescape_cell
from app.services.candidates.import_rows import (
    FileRefused,
    RowProblem,
    decode,
    header_names,
    line_count,
    read_source,
    records,
)
from app.services.hosts.directory import HostInput
from app.services.projects.csv_exchange import (
    EXPORT_COLUMNS,
    PROJECT_COLUMNS,
    VERSION_COLUMN,
)
from app.services.projects.submissions import ProjectInput
from app.services.validation import parse_bool

__all__ = [
    "EMPTY_FILE",
    "HEADER_ONLY",
    "FileRefused",
    "RowProblem",
    "RowReading",
    "decode",
    "header_and_records",
    "line_count",
    "read_file",
    "read_row",
    "read_source",
]

HEADER_ONLY = "Le fichier ne contient que la ligne d'en-tête : aucun projet à importer."
EMPTY_FILE = "Le fichier est vide."
_REFERENCE = re.compile(r"^AAP-(\d{4})-(\d{1,6})$")
_FILIERE_SEPARATORS = re.compile(r"[,;|]")


@dataclass
class RowReading:
    """One data row as the file gives it: `texts` (the cells by column, formula apostrophes
    removed), and when no problem was found, what the import tries with it."""

    line: int
    texts: dict[str, str]
    problems: list[RowProblem] = field(default_factory=list)
    season: str = ""
    number: int | None = None  # the reference's number: an existing project to update
    siret: str | None = None
    rna: str | None = None
    host: HostInput = field(default_factory=HostInput)  # to add the structure if unknown
    data: ProjectInput = field(default_factory=lambda: ProjectInput(host_id=None))
    state: str | None = None  # a ProjectState value, None when the cell is empty
    file_version: int | None = None

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def structure(self) -> str:
        return self.texts.get("structure", "").strip()

    @property
    def title(self) -> str:
        return " ".join(self.texts.get("titre", "").split())

    def refuse(self, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.line, column, message))


# ---------------------------------------------------------------- the file


def header_and_records(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The checked header, then the data records (line, cells)."""
    found = records(text)
    first = next(found, None)
    if first is None:
        raise FileRefused(EMPTY_FILE)
    header = _header(first[1])
    rows = list(found)
    if not rows:
        raise FileRefused(HEADER_ONLY)
    return header, rows


def _header(cells: list[str]) -> list[str]:
    return header_names(cells, PROJECT_COLUMNS, EXPORT_COLUMNS)


# ---------------------------------------------------------------- one row


def read_row(line: int, header: list[str], cells: list[str], seen: dict[str, int]) -> RowReading:
    """The row read; `seen` (reference -> first line) spots a reference given twice."""
    width = len(header)
    texts = {
        name: unescape_cell(cell) if cell[:1] == "'" else cell
        for name, cell in zip(header, cells, strict=False)
    }
    reading = RowReading(line, texts)
    if len(cells) < width or any(cell.strip() for cell in cells[width:]):
        reading.refuse(
            "",
            f"{len(cells)} champs au lieu de {width} "
            "(séparateur en trop ou manquant, ou guillemets mal placés).",
        )
        return reading
    _season_and_reference(reading, seen)
    _identifiers(reading)
    _state(reading)
    _version(reading)
    licence = _licence(reading)
    reading.host = HostInput(
        nom=texts["structure"],
        forme_juridique=texts["forme_juridique"],
        identifiant=texts["siret"] if texts["siret"].strip() else texts["rna"],
        effectif=texts["effectif"],
        adresse=texts["adresse"],
        code_postal=texts["code_postal"],
        commune=texts["commune"],
    )
    reading.data = ProjectInput(
        host_id=None,
        title=texts["titre"],
        submitted_on=texts["date_depot"],
        contact_name=texts["contact_nom"],
        contact_function=texts["contact_fonction"],
        contact_phone=texts["contact_telephone"],
        contact_email=texts["contact_email"],
        contact_availability=texts["contact_disponibilites"],
        need=texts["besoin"],
        audience=texts["publics"],
        deliverable_kind=texts["type_livrable"],
        deliverable=texts["livrable"],
        existing=texts["existant"],
        provided_content=texts["contenus_fournis"],
        data_constraints=texts["contraintes_donnees"],
        accessibility_constraints=texts["contraintes_accessibilite"],
        calendar=texts["calendrier"],
        maintainer=texts["maintenance"],
        licence_accepted=licence,
        headcount=texts["effectif"],
        filieres=split_filieres(texts["filieres"]),
    )
    if not reading.structure:
        reading.refuse("structure", "Le nom de la structure est obligatoire.")
    return reading


def split_filieres(text: str) -> tuple[str, ...]:
    """ "Développement web, Réseaux" -> its filières as written (codes or labels)."""
    return tuple(part.strip() for part in _FILIERE_SEPARATORS.split(text) if part.strip())


def _season_and_reference(reading: RowReading, seen: dict[str, int]) -> None:
    season = reading.texts["saison"].strip()
    start = reference.parse_season_label(season)
    if not season:
        reading.refuse("saison", "La saison est obligatoire (ex. 2026-2027).")
    elif start is None:
        reading.refuse("saison", f"Saison attendue sous la forme 2026-2027 (lu : « {season} »).")
    reading.season = season
    written = reading.texts["reference"].strip()
    if not written:
        return
    match = _REFERENCE.match(re.sub(r"\s", "", written).upper())
    if match is None:
        reading.refuse(
            "reference",
            f"Référence invalide : « {written} » (forme AAP-2026-003 ; laisser vide pour un "
            "nouveau projet).",
        )
        return
    year, number = int(match[1]), int(match[2])
    if start is not None and year != start:
        reading.refuse(
            "reference",
            f"La référence {written} est d'un appel de la saison {year}-{year + 1}, "
            f"pas de la saison {season}.",
        )
        return
    if number < 1:
        reading.refuse("reference", f"Référence invalide : « {written} » (numéro 0).")
        return
    key = f"{year}-{number}"
    first = seen.setdefault(key, reading.line)
    if first != reading.line:
        reading.refuse("reference", f"Référence déjà présente ligne {first} du fichier.")
        return
    reading.number = number


def _identifiers(reading: RowReading) -> None:
    for column, check in (("siret", check_siret), ("rna", check_rna)):
        text = reading.texts[column].strip()
        if not text:
            continue
        try:
            setattr(reading, column, check(text))
        except IdentifierError as error:
            reading.refuse(column, str(error))


def _state(reading: RowReading) -> None:
    text = fold(reading.texts["etat"])
    if not text:
        return
    for state in ProjectState:
        if text in (state.value, fold(state.label)):
            reading.state = state.value
            return
    allowed = ", ".join(f"« {state.label} »" for state in ProjectState)
    reading.refuse("etat", f"État inconnu : « {reading.texts['etat'].strip()} » ({allowed}).")


def _version(reading: RowReading) -> None:
    text = reading.texts.get(VERSION_COLUMN, "").strip()
    if not text:
        return
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
        reading.refuse(
            VERSION_COLUMN,
            f"Version invalide : « {text} » (nombre entier écrit par l'export ; laisser vide "
            "pour un nouveau projet).",
        )
        return
    reading.file_version = int(text)


def _licence(reading: RowReading) -> bool:
    try:
        return bool(parse_bool(reading.texts["licence_acceptee"]))
    except ValueError as error:
        reading.refuse("licence_acceptee", str(error))
        return False


def read_file(text: str) -> tuple[list[str], list[RowReading]]:
    """Every data row of the decoded file, read."""
    header, found = header_and_records(text)
    seen: dict[str, int] = {}
    return header, [read_row(line, header, cells, seen) for line, cells in found]
