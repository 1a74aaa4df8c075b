"""The indicator tables as files: CSV (the project's dialect), XLSX (one sheet per table) and
Markdown (the terminal), all laid out alike, so that a spreadsheet read back equals its CSV.

Each table prints as a block: its title, the scope line ("Saison 2025-2026 · Cobalt"), the
header row, one row per figure's label, then its notes (who is counted in no share, the
bases). Figures are French: "85,0" for a share (the column says "%"), "12,5" for a mean,
no thousands separator in the CSV (a spreadsheet reads the number as such). A figure that
cannot be computed (a share of an empty base) is an empty cell, "—" on the terminal.

The use cases at the end compute the tables, write the file and journal the export (its
filters and row count); never over the base or a backup (app.storage.targets).
"""

import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import backup_dir
from app.domain import Filiere, Site
from app.services.actor import Actor
from app.services.candidates.csv_exchange import BOM, DELIMITER, escaped_row, season_id
from app.services.errors import UserFacingError
from app.services.journal import audit_log as audit
from app.services.permissions import require_bulk_personal_data, require_coordination
from app.services.reports.indicators import indicator_tables
from app.services.reports.scope import ReportScope
from app.services.reports.tables import Cell, IndicatorTable
from app.services.unit_of_work import Database
from app.services.validation import format_date
from app.storage.targets import refuse_overwriting_base

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from app.pdf.season_report_data import Bar, BarChart, SeasonReportData

__all__ = [
    "ExportFormat",
    "Grid",
    "ReportKind",
    "cell_text",
    "describe_scope",
    "export_report",
    "grid_of",
    "markdown",
    "report_grids",
    "write_csv",
    "write_xlsx",
]

READING_REPORTS = "consulter ou exporter les indicateurs des financeurs"
EXPORT_LABEL = "le fichier d'export"
MISSING = "—"  # a figure that cannot be computed, on the terminal and in the PDF
# Excel's number formats, by kind of figure (percent: the value is written as a fraction).
NUMBER_FORMATS = {
    "count": "#,##0",
    "percent": "0.0 %",
    "average": "0.00",
    "days": "0.0",
    "hours": "#,##0.0",
}
SHEET_NAME_LENGTH = 31  # Excel's limit
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")

Value = str | date | Cell
DATE_FORMAT = "DD/MM/YYYY"


@dataclass(frozen=True)
class Grid:
    """A table as the files print it: text cells (a name, a date already in French) or
    figures (`Cell`, formatted by the file's kind)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    notes: tuple[str, ...] = ()
    sheet: str = ""  # the sheet's name in a workbook (the title when empty)


class ReportKind(StrEnum):
    """What `report` prints (CONTRACT.md)."""

    FUNNEL = "funnel"  # the recruitment funnel and its losses
    INDICATORS = "indicators"  # every table
    OUTCOMES = "outcomes"  # the situations after the exit, per funder
    DUE = "due"  # the follow-up checks to make


class ExportFormat(StrEnum):
    MARKDOWN = "md"
    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"  # the bilan de saison


def grid_of(table: IndicatorTable) -> Grid:
    return Grid(
        table.title,
        table.columns,
        tuple((row.label, *row.cells) for row in table.rows),
        table.notes,
    )


# ---------------------------------------------------------------- French figures


def _fixed(value: int | Decimal, decimals: int | None = None) -> str:
    """ "12,5": a decimal comma, no thousands separator, `decimals` places when given."""
    number = Decimal(value) if isinstance(value, int) else value
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals))
    return format(number, "f").replace(".", ",")


def cell_text(cell: Cell, *, grouped: bool = False) -> str:
    """The figure as the CSV writes it ("" when it cannot be computed); `grouped` puts a
    (narrow no-break) space between thousands, for the terminal and the PDF."""
    if cell.value is None:
        return ""
    decimals = {"count": 0, "percent": 1, "average": 2}.get(cell.kind)
    if cell.kind in ("days", "hours") and cell.value == int(cell.value):
        decimals = 0
    text = _fixed(cell.value, decimals)
    if grouped:
        whole, _, fraction = text.partition(",")
        sign = "-" if whole.startswith("-") else ""
        digits = whole.lstrip("-")
        groups = [digits[max(0, i - 3) : i] for i in range(len(digits), 0, -3)][::-1]
        text = sign + "\u202f".join(groups) + ("," + fraction if fraction else "")
    return text


def value_text(value: Value, *, grouped: bool = False) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return format_date(value)
    return cell_text(value, grouped=grouped)


# ---------------------------------------------------------------- the blocks


def _block(grid: Grid, heading: str) -> list[list[Value]]:
    """The rows of one table's block, as the CSV and the sheet both lay it out (a grid
    without a title is a plain table: its header first)."""
    rows: list[list[Value]] = [[grid.title]] if grid.title else []
    if heading and grid.title:
        rows.append([heading])
    rows.append(list(grid.columns))
    rows.extend(list(row) for row in grid.rows)
    if grid.notes:
        rows.append([])
        rows.extend([f"Note : {note}"] for note in grid.notes)
    return rows


def _grids(tables: Iterable[IndicatorTable | Grid]) -> list[Grid]:
    return [t if isinstance(t, Grid) else grid_of(t) for t in tables]


def data_rows(tables: Iterable[IndicatorTable | Grid]) -> int:
    """The number of table rows (the journal's count)."""
    return sum(len(grid.rows) for grid in _grids(tables))


# ---------------------------------------------------------------- Markdown


def _escape_markdown(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def markdown(tables: Iterable[IndicatorTable | Grid], heading: str = "") -> str:
    """The tables as Markdown for a terminal: each a title, an aligned pipe table (figures
    right-aligned, "—" where a figure cannot be computed) and its notes."""
    parts: list[str] = []
    for grid in _grids(tables):
        parts.append(f"## {grid.title}")
        if heading:
            parts.append(f"_{heading}_")
        parts.append("")
        parts.extend(_markdown_table(grid) if grid.rows else ["Aucune ligne."])
        if grid.notes:
            parts.append("")
            parts.extend(f"> {_escape_markdown(note)}" for note in grid.notes)
        parts.append("")
    return "\n".join(parts)


def _markdown_table(grid: Grid) -> list[str]:
    def shown(value: Value) -> str:
        if isinstance(value, Cell) and value.value is None:
            return MISSING
        return _escape_markdown(value_text(value, grouped=True))

    header = [_escape_markdown(c) for c in grid.columns]
    body = [[shown(v) for v in row] for row in grid.rows]
    numeric = [
        index > 0 and all(isinstance(row[index], Cell) for row in grid.rows if len(row) > index)
        for index in range(len(header))
    ]
    widths = [
        max([len(header[i]), 3, *(len(row[i]) for row in body if len(row) > i)])
        for i in range(len(header))
    ]

    def line(cells: Sequence[str]) -> str:
        padded = [
            (cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i]))
            for i, cell in enumerate(cells)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = [("-" * (w - 1) + ":") if numeric[i] else "-" * w for i, w in enumerate(widths)]
    lines = [line(header), "| " + " | ".join(rule) + " |"]
    lines.extend(line(row + [""] * (len(header) - len(row))) for row in body)
    return lines


# ---------------------------------------------------------------- CSV


def write_csv(
    tables: Iterable[IndicatorTable | Grid], out: Path | TextIO, heading: str = ""
) -> int:
    """The tables in the project's CSV dialect (semicolon, UTF-8 with BOM, CRLF, a formula
    cell after an apostrophe), one block per table, two empty rows between blocks; returns
    the number of table rows. A path is written atomically; a stream must be opened with
    `newline=""`."""
    grids = _grids(tables)
    if isinstance(out, Path):
        _atomically(out, lambda handle: handle.write(_csv_bytes(grids, heading)))
    else:
        out.write(_csv_bytes(grids, heading).decode("utf-8"))
    return data_rows(grids)


def csv_text(tables: Iterable[IndicatorTable | Grid], heading: str = "") -> str:
    return _csv_bytes(_grids(tables), heading).decode("utf-8")


def _csv_bytes(grids: Sequence[Grid], heading: str) -> bytes:
    buffer = io.StringIO(newline="")
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    for index, grid in enumerate(grids):
        if index:
            writer.writerows([[], []])
        for row in _block(grid, heading):
            writer.writerow(escaped_row(value_text(value) for value in row))
    return buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------- XLSX


def write_xlsx(
    tables: Iterable[IndicatorTable | Grid], out: Path | BinaryIO, heading: str = ""
) -> int:
    """The tables as a workbook, one sheet per table laid out as its CSV block: the title in
    bold, the header bold on a tint, figures as numbers with their format (integers, `0.0 %`
    for shares written as fractions, `0.00` for means). Returns the number of table rows."""
    grids = _grids(tables)
    content = xlsx_bytes(grids, heading)
    if isinstance(out, Path):
        _atomically(out, lambda handle: handle.write(content))
    else:
        out.write(content)
    return data_rows(grids)


def xlsx_bytes(tables: Iterable[IndicatorTable | Grid], heading: str = "") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "Fabrique Accueil"
    names: set[str] = set()
    grids = _grids(tables)
    for grid in grids:
        sheet = workbook.create_sheet(_sheet_name(grid.sheet or grid.title, names))
        _fill_sheet(sheet, grid, heading)
    if not grids:
        workbook.create_sheet("Vide")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\'), unique in the book."""
    base = " ".join(_SHEET_FORBIDDEN.sub(" ", title).split())[:SHEET_NAME_LENGTH] or "Tableau"
    name, rank = base, 2
    while name.casefold() in taken:
        suffix = f" ({rank})"
        name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        rank += 1
    taken.add(name.casefold())
    return name


def _fill_sheet(sheet: "Worksheet", grid: Grid, heading: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_fill = PatternFill("solid", fgColor="E8F1F4")
    widths = [len(c) for c in grid.columns]
    header_row = (2 if heading else 1) + 1 if grid.title else 1
    for number, row in enumerate(_block(grid, heading), start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column)
            _write_value(cell, value)
            if number == header_row:
                cell.font = Font(bold=True)
                cell.fill = header_fill
                cell.alignment = Alignment(wrap_text=True, vertical="center")
            if column <= len(widths) and number >= header_row and len(row) > 1:
                widths[column - 1] = max(widths[column - 1], len(value_text(value)))
    if grid.title:
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    if grid.title and heading:
        sheet.cell(row=2, column=1).font = Font(italic=True)
    notes_from = header_row + len(grid.rows) + 2
    for number in range(notes_from, notes_from + len(grid.notes)):
        sheet.cell(row=number, column=1).font = Font(italic=True, color="5F6B72")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)


def _write_value(cell: object, value: Value) -> None:
    from openpyxl.cell.cell import Cell as SheetCell

    assert isinstance(cell, SheetCell)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # text that starts with "=" stays text, never a formula
        return
    if isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return
    if value.value is None:
        return
    number: int | float = value.value if isinstance(value.value, int) else float(value.value)
    if value.kind == "percent":
        number = float(value.value) / 100
    cell.value = number
    whole = value.kind in ("days", "hours") and value.value == int(value.value)
    cell.number_format = (
        NUMBER_FORMATS["count"] if whole else NUMBER_FORMATS.get(value.kind, "General")
    )


# ---------------------------------------------------------------- files


def _atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    os.replace(_temporary_file(path, write), path)


def _temporary_file(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """`write` into a new file beside `path` (synced); its path, for `os.replace`."""
    if path.is_dir():
        raise UserFacingError(f"« {path} » est un dossier : indiquez un nom de fichier.")
    folder = path.parent
    if not folder.is_dir():
        raise UserFacingError(f"Le dossier « {folder} » n'existe pas.")
    descriptor, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


# ---------------------------------------------------------------- the scope, in French


def describe_scope(session: Session, scope: ReportScope, funder_label: str = "") -> str:
    """ "Saison 2025-2026 · Cobalt · toutes les filières", as every export's heading; an
    unknown season is refused with the list of the known ones."""
    season_id(session, scope.season_label)
    parts = [f"Saison {scope.season_label}"]
    if scope.site_code:
        site = session.scalar(select(Site.name).where(Site.code == scope.site_code))
        parts.append(site or scope.site_code)
    else:
        parts.append("les deux sites")
    if scope.filiere_code:
        filiere = session.scalar(select(Filiere.label).where(Filiere.code == scope.filiere_code))
        if filiere is None:
            known = ", ".join(session.scalars(select(Filiere.code).order_by(Filiere.position)))
            raise UserFacingError(
                f"Filière inconnue : « {scope.filiere_code} » (filières : {known})."
            )
        parts.append(f"filière {filiere}")
    if funder_label:
        parts.append(f"financeur : {funder_label}")
    return " · ".join(parts)


def journal_scope(scope: ReportScope, funder: str | None = None) -> str:
    """The filters as the journal lists them: "saison 2025-2026, site cobalt, financeur gen"."""
    text = audit.export_scope(scope.season_label, scope.site_code)
    if scope.filiere_code:
        text += f", filière {scope.filiere_code}"
    if funder:
        text += f", financeur {funder}"
    return text


# ---------------------------------------------------------------- use cases


def report_grids(
    session: Session,
    scope: ReportScope,
    kind: ReportKind,
    funder: str | None = None,
    today: date | None = None,
) -> list[Grid]:
    """The tables `report <kind>` prints."""
    from app.services.reports import funnel, outcome_rates

    if kind is ReportKind.DUE:
        return [due_grid(session, scope, today or date.today())]
    if kind is ReportKind.FUNNEL:
        tables = [funnel.funnel(session, scope), funnel.funnel_losses(session, scope)]
    elif kind is ReportKind.OUTCOMES:
        tables = [
            outcome_rates.outcomes(session, scope, funder),
            outcome_rates.outcome_situations(session, scope),
        ]
    else:
        tables = indicator_tables(session, scope, funder)
    return [grid_of(table) for table in tables]


DUE_COLUMNS = (
    "Personne",
    "Site",
    "Saison",
    "Sortie le",
    "Suivi",
    "À faire depuis le",
    "En retard",
    "Téléphone",
    "E-mail",
)


def due_grid(session: Session, scope: ReportScope, today: date) -> Grid:
    """The follow-up checks due on `today` (app/services/outcomes), the oldest first."""
    from app.domain.outcomes import Checkpoint
    from app.services.outcomes.due import due_follow_ups

    season_id(session, scope.season_label)  # an unknown season is refused, not an empty list
    rows = tuple(
        (
            item.name,
            item.site,
            item.season,
            item.exit_date,
            f"Situation {Checkpoint(item.checkpoint).label}",
            item.due_on,
            "oui" if item.overdue else "non",
            item.phone,
            item.email,
        )
        for item in due_follow_ups(
            session, today, site_code=scope.site_code, season_label=scope.season_label
        )
    )
    return Grid(
        f"Suivis à faire au {format_date(today)}",
        DUE_COLUMNS,
        rows,
        (
            "Un suivi est à faire à 3, 6 et 12 mois après la sortie, jusqu'à ce que la "
            "situation soit enregistrée ; en retard un mois après cette date.",
        ),
    )


def _require(kind: ReportKind, actor: Actor) -> None:
    """The figures are coordination's; the follow-ups to make (names, phones) are the desk's
    work too."""
    if kind is ReportKind.DUE:
        require_bulk_personal_data(actor)
    else:
        require_coordination(actor, READING_REPORTS)


@dataclass(frozen=True)
class Exported:
    """What an export wrote: its table rows, and the heading its tables were printed with."""

    rows: int
    heading: str


def report_text(
    database: Database,
    scope: ReportScope,
    kind: ReportKind,
    *,
    file_format: ExportFormat = ExportFormat.MARKDOWN,
    funder: str | None = None,
    today: date | None = None,
    actor: Actor,
) -> str:
    """The tables of `kind` as Markdown (the terminal) or CSV text (to a pipe: journaled as an
    export, as a file is)."""
    _require(kind, actor)
    if file_format is ExportFormat.XLSX:
        raise UserFacingError("Un classeur XLSX s'écrit dans un fichier : indiquez --out FICHIER.")
    with database.session(commit=file_format is ExportFormat.CSV) as session:
        heading = describe_scope(session, scope, _funder_label(session, funder))
        grids = report_grids(session, scope, kind, funder, today)
        if file_format is ExportFormat.MARKDOWN:
            return markdown(grids, heading)
        what = f"{KIND_WHAT[kind]} (CSV, sortie standard)"
        audit.record_export(session, what, data_rows(grids), journal_scope(scope, funder))
        return csv_text(grids, heading)


FORMAT_NAMES = {
    ExportFormat.MARKDOWN: "Markdown",
    ExportFormat.CSV: "CSV",
    ExportFormat.XLSX: "XLSX",
    ExportFormat.PDF: "PDF",
}
KIND_WHAT = {
    ReportKind.FUNNEL: "indicateurs : parcours de recrutement",
    ReportKind.INDICATORS: "indicateurs de la saison",
    ReportKind.OUTCOMES: "indicateurs : sorties positives",
    ReportKind.DUE: "suivis à faire",
}


def export_report(
    database: Database,
    scope: ReportScope,
    path: Path,
    *,
    kind: ReportKind,
    file_format: ExportFormat,
    funder: str | None = None,
    today: date | None = None,
    actor: Actor,
) -> Exported:
    """Write the tables of `kind` as CSV, XLSX or Markdown to `path` and journal the export (its
    filters, its row count). Coordination only (the follow-ups to make: the desk too). All
    or nothing: the file replaces `path` once the journal entry is committed."""
    _require(kind, actor)
    if file_format is ExportFormat.PDF:
        raise ValueError("the tables' PDF is the bilan de saison: season_report_pdf")
    refuse_overwriting_base(
        path, database_url=database.url, backup_folder=backup_dir(), label=EXPORT_LABEL
    )

    def make(session: Session) -> tuple[bytes, Exported]:
        heading = describe_scope(session, scope, _funder_label(session, funder))
        grids = report_grids(session, scope, kind, funder, today)
        if file_format is ExportFormat.XLSX:
            content = xlsx_bytes(grids, heading)
        elif file_format is ExportFormat.MARKDOWN:
            content = markdown(grids, heading).encode("utf-8")
        else:
            content = _csv_bytes(grids, heading)
        what = f"{KIND_WHAT[kind]} ({FORMAT_NAMES[file_format]})"
        audit.record_export(session, what, data_rows(grids), journal_scope(scope, funder))
        return content, Exported(data_rows(grids), heading)

    return write_journaled(database, path, make)


def write_journaled(
    database: Database, path: Path, make: Callable[[Session], tuple[bytes, Exported]]
) -> Exported:
    """`make` computes the file's bytes and journals the export in one session; the file is
    written beside `path` first and replaces it only once that session is committed."""
    temporary: Path | None = None
    try:
        with database.session() as session:
            content, exported = make(session)
            temporary = _temporary_file(path, lambda handle: handle.write(content))
        os.replace(temporary, path)
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise
    return exported


EXTRACTING = "exporter l'extrait pseudonymisé des apprenants"


def pseudonymised_extract(
    database: Database,
    scope: ReportScope,
    path: Path,
    *,
    file_format: ExportFormat = ExportFormat.CSV,
    actor: Actor,
) -> Exported:
    """Write the pseudonymised one-row-per-learner extract (app/services/reports/extract.py)
    as CSV (the table alone, its header first) or XLSX (the table, then a sheet saying what
    it holds and leaves out), and journal it. Coordination only."""
    from app.services.reports.extract import (
        EXTRACT_COLUMNS,
        EXTRACT_NOTES,
        EXTRACT_TITLE,
        learner_rows,
    )

    require_coordination(actor, EXTRACTING)
    if file_format not in (ExportFormat.CSV, ExportFormat.XLSX):
        raise ValueError("the extract is CSV or XLSX")
    refuse_overwriting_base(
        path, database_url=database.url, backup_folder=backup_dir(), label=EXPORT_LABEL
    )

    def make(session: Session) -> tuple[bytes, Exported]:
        learners = learner_rows(session, scope)
        table = Grid(
            "",
            EXTRACT_COLUMNS,
            tuple((row.pseudonym, *row.cells) for row in learners),
            sheet="Apprenants",
        )
        heading = describe_scope(session, scope)
        if file_format is ExportFormat.XLSX:
            about = Grid(
                EXTRACT_TITLE, ("À savoir",), tuple((n,) for n in EXTRACT_NOTES), sheet="À lire"
            )
            content = xlsx_bytes([table, about], heading)
        else:
            content = _csv_bytes([table], heading)
        what = f"apprenants (extrait pseudonymisé, {file_format.value.upper()})"
        audit.record_export(session, what, len(learners), journal_scope(scope))
        return content, Exported(len(learners), heading)

    return write_journaled(database, path, make)


def _funder_label(session: Session, code: str | None) -> str:
    if not code:
        return ""
    from app.domain.outcomes import Funder

    label = session.scalar(select(Funder.label).where(Funder.code == code))
    if label is None:
        known = ", ".join(session.scalars(select(Funder.code).order_by(Funder.position)))
        raise UserFacingError(f"Financeur inconnu : « {code} » (financeurs : {known}).")
    return label


# ---------------------------------------------------------------- the bilan de saison (PDF)

# The composition charts: each a title and the composition rows it draws, by trace key.
SEX_BARS = ("femmes", "hommes", "sexe_autre", "sexe_inconnu")
AGE_BARS = ("mineurs", "18_a_25", "de_26_a_30", "de_31_a_49", "50_et_plus", "age_inconnu")
DIPLOMA_BARS = ("sans_diplome", "niveau_1_3", "niveau_4", "niveau_5_plus", "diplome_inconnu")
PUBLIC_BARS = ("qpv", "zrr", "rsa", "job_seeker", "demandeurs_12_mois", "neet")
# Chart labels short enough for half a page's width.
SHORT_LABELS = {
    "qpv": "QPV",
    "zrr": "ZRR",
    "rsa": "RSA",
    "job_seeker": "Demandeurs d'emploi",
    "demandeurs_12_mois": "dont 12 mois ou plus",
    "neet": "NEET",
}
ALWAYS_SHOWN = frozenset({"femmes", "hommes"})  # the other sex and unknown rows only when > 0


def season_report_data(
    session: Session, scope: ReportScope, funder: str | None, today: date
) -> "SeasonReportData":
    """The bilan de saison's content: the scope, the funnel and the composition as charts,
    every indicator table as printed text."""
    from app.pdf.season_report_data import ReportTable, SeasonReportData
    from app.services.settings.organisation import get_organisation

    tables = indicator_tables(session, scope, funder)
    by_key = {table.key: table for table in tables}
    organisation = get_organisation(session)
    return SeasonReportData(
        organisation_name=organisation.nom,
        organisation_address=organisation.adresse,
        logo_path=organisation.logo,
        season_label=scope.season_label,
        scope_lines=_scope_lines(session, scope, _funder_label(session, funder)),
        headline=_headline(by_key["funnel"]),
        funnel=_funnel_chart(by_key["funnel"]),
        composition=_composition_charts(by_key["composition"]),
        tables=tuple(
            ReportTable(
                table.title,
                table.columns,
                tuple((row.label, *(_printed(cell) for cell in row.cells)) for row in table.rows),
                table.notes,
            )
            for table in tables
        ),
        printed_on=today,
    )


def _printed(cell: Cell) -> str:
    return MISSING if cell.value is None else cell_text(cell, grouped=True)


def _scope_lines(
    session: Session, scope: ReportScope, funder_label: str
) -> tuple[tuple[str, str], ...]:
    site = "les deux sites"
    if scope.site_code:
        site = session.scalar(select(Site.name).where(Site.code == scope.site_code)) or ""
    filiere = "toutes les filières"
    if scope.filiere_code:
        code = scope.filiere_code
        filiere = session.scalar(select(Filiere.label).where(Filiere.code == code)) or code
    lines = [("Site", site), ("Saison", scope.season_label), ("Filière", filiere)]
    lines.append(("Financeurs", funder_label or "tous les financeurs enregistrés"))
    return tuple(lines)


def _figure(table: IndicatorTable, trace: str, column: int = 0) -> Cell | None:
    """The cell of `column` on the row whose first figure has this trace key."""
    for row in table.rows:
        if row.cells and row.cells[0].trace == trace:
            return row.cells[column]
    return None


def _number(cell: Cell | None) -> int | Decimal:
    return 0 if cell is None or cell.value is None else cell.value


def _headline(funnel: IndicatorTable) -> str:
    applications = _number(_figure(funnel, "funnel:candidatures"))
    entered = _number(_figure(funnel, "funnel:entres"))
    share = _figure(funnel, "funnel:entres", 1)
    text = f"{applications} candidature{'s' if applications != 1 else ''}, {entered} "
    text += f"entré{'s' if entered != 1 else ''} en formation"
    if share is not None and share.value is not None:
        text += f" ({cell_text(share)} %)"
    return text


def _funnel_chart(funnel: IndicatorTable) -> "BarChart":
    from app.pdf.season_report_data import Bar, BarChart

    bars = []
    for row in funnel.rows:
        people, share = row.cells[0], row.cells[1]
        text = cell_text(people, grouped=True)
        if share.value is not None:
            text += f" ({cell_text(share)} %)"
        bars.append(Bar(row.label, float(_number(people)), text))
    return BarChart(
        "Personnes à chaque étape (part des candidatures)",
        tuple(bars),
        note="Une personne compte à chaque étape par laquelle elle est passée.",
    )


def _composition_charts(composition: IndicatorTable) -> tuple["BarChart", ...]:
    from app.pdf.season_report_data import BarChart

    entered = _number(_figure(composition, "composition:entres"))
    base = f"Sur les {entered} personnes entrées en formation."
    known = "Part des réponses connues (%)."
    return (
        BarChart("Sexe", _count_bars(composition, SEX_BARS), note=base),
        BarChart("Âge à l'entrée", _count_bars(composition, AGE_BARS), note=base),
        BarChart("Niveau de diplôme", _count_bars(composition, DIPLOMA_BARS), note=base),
        BarChart("Publics", _share_bars(composition, PUBLIC_BARS), percent=True, note=known),
    )


def _count_bars(composition: IndicatorTable, keys: Sequence[str]) -> tuple["Bar", ...]:
    from app.pdf.season_report_data import Bar

    rows = {
        row.cells[0].trace.removeprefix("composition:"): row
        for row in composition.rows
        if row.cells and row.cells[0].trace
    }
    bars = []
    for key in keys:
        if key == "18_a_25" and "moins_26" in rows:  # the age bands: minors apart
            adults = int(_number(rows["moins_26"].cells[0])) - int(
                _number(rows["mineurs"].cells[0]) if "mineurs" in rows else 0
            )
            bars.append(Bar("18 à 25 ans", float(adults), str(adults)))
            continue
        row = rows.get(key)
        if row is None:
            continue
        people = _number(row.cells[0])
        if not people and key not in ALWAYS_SHOWN:
            continue
        bars.append(Bar(row.label, float(people), cell_text(row.cells[0], grouped=True)))
    return tuple(bars)


def _share_bars(composition: IndicatorTable, keys: Sequence[str]) -> tuple["Bar", ...]:
    from app.pdf.season_report_data import Bar

    bars = []
    for key in keys:
        share = _figure(composition, f"composition:{key}", 1)
        row = next(
            (r for r in composition.rows if r.cells and r.cells[0].trace == f"composition:{key}"),
            None,
        )
        if row is None or share is None or share.value is None:
            continue
        label = SHORT_LABELS.get(key, row.label)
        bars.append(Bar(label, float(share.value), f"{cell_text(share)} %"))
    return tuple(bars)


def season_report_pdf(
    database: Database,
    scope: ReportScope,
    path: Path,
    *,
    funder: str | None = None,
    today: date | None = None,
    actor: Actor,
) -> Exported:
    """Write the bilan de saison (app/pdf/season_report.py) to `path` and journal it (its
    filters, its table rows). Coordination only."""
    require_coordination(actor, READING_REPORTS)
    refuse_overwriting_base(
        path, database_url=database.url, backup_folder=backup_dir(), label=EXPORT_LABEL
    )

    def make(session: Session) -> tuple[bytes, Exported]:
        from app.pdf.season_report import render_season_report

        data = season_report_data(session, scope, funder, today or date.today())
        buffer = io.BytesIO()
        render_season_report(data, buffer)
        rows = sum(len(table.rows) for table in data.tables)
        what = "indicateurs : bilan de saison (PDF)"
        audit.record_export(session, what, rows, journal_scope(scope, funder))
        return buffer.getvalue(), Exported(rows, describe_scope(session, scope))

    return write_journaled(database, path, make)
