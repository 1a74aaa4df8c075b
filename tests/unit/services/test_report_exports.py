"""The indicator tables as CSV, XLSX and Markdown; the pseudonymised extract of the learners;
each export journaled, refused to other roles and never written over the base."""

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.seed import seed_demo
from app.domain import AuditEntry
from app.services.base_access.opening import open_app_database
from app.services.candidates.csv_exchange import unescape_cell
from app.services.candidates.records import CandidateInput, change_stage, create_candidate
from app.services.errors import PermissionDenied
from app.services.outcomes import follow_up
from app.services.reports import exports
from app.services.reports.exports import ExportFormat, Grid, ReportKind
from app.services.reports.extract import EXTRACT_COLUMNS, age_band
from app.services.reports.scope import ReportScope
from app.services.reports.tables import Cell, IndicatorRow, IndicatorTable
from app.services.rgpd import actions as rgpd
from app.services.validation import format_date
from app.storage import Database
from app.storage.targets import OverwriteRefused
from tests.conftest import TODAY, make_actor

COORD = make_actor("coordination", "claire.vasseur", "Claire Vasseur")
DESK = make_actor("accueil", "nadia.accueil")
TRAINER = make_actor("formateur", "julien.morel")
SEASON = "2025-2026"
ENTERED = datetime(2025, 12, 1, 9, 0)
LEFT = datetime(2026, 6, 26, 16, 0)

TABLE = IndicatorTable(
    "exemple",
    "Exemple : une table",
    ("Indicateur", "Personnes", "Part (%)", "Moyenne", "Jours"),
    (
        IndicatorRow(
            "Femmes",
            (
                Cell(1234, "count"),
                Cell(Decimal("32.4"), "percent"),
                Cell(Decimal("12.5"), "average"),
                Cell(Decimal("200.9"), "days"),
            ),
        ),
        IndicatorRow(
            "=SOMME(A1)",
            (Cell(0, "count"), Cell(None, "percent"), Cell(None, "average"), Cell(7, "days")),
        ),
    ),
    ("Base : 2 personnes.",),
)
SECOND = IndicatorTable(
    "autre",
    "Exemple : une table",
    ("Étape", "Personnes"),
    (IndicatorRow("Admis", (Cell(3, "count"),)),),
)


# ---------------------------------------------------------------- formats


def test_csv_is_the_projects_dialect_with_french_figures(tmp_path: Path) -> None:
    out = tmp_path / "tableaux.csv"

    rows = exports.write_csv([TABLE], out, "Saison 2025-2026 · Cobalt")

    assert rows == 2
    assert out.read_bytes().decode("utf-8") == (
        "\ufeffExemple : une table\r\n"
        "Saison 2025-2026 · Cobalt\r\n"
        "Indicateur;Personnes;Part (%);Moyenne;Jours\r\n"
        "Femmes;1234;32,4;12,50;200,9\r\n"
        "'=SOMME(A1);0;;;7\r\n"  # a formula stays text; a figure not computable is empty
        "\r\n"
        "Note : Base : 2 personnes.\r\n"
    )


def test_markdown_aligns_the_figures_and_shows_a_dash_for_what_cannot_be_computed() -> None:
    text = exports.markdown([TABLE], "Saison 2025-2026")

    lines = text.splitlines()
    assert lines[:3] == ["## Exemple : une table", "_Saison 2025-2026_", ""]
    assert lines[3] == "| Indicateur | Personnes | Part (%) | Moyenne | Jours |"
    assert lines[4] == "| ---------- | --------: | -------: | ------: | ----: |"
    assert lines[5] == "| Femmes     |     1 234 |     32,4 |   12,50 | 200,9 |"
    assert lines[6] == "| =SOMME(A1) |         0 |        — |       — |     7 |"
    assert "> Base : 2 personnes." in lines


def test_xlsx_has_a_sheet_per_table_with_number_formats(tmp_path: Path) -> None:
    out = tmp_path / "tableaux.xlsx"

    exports.write_xlsx([TABLE, SECOND], out, "Saison 2025-2026")

    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Exemple une table", "Exemple une table (2)"]
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "Exemple : une table" and sheet["A1"].font.b
    assert sheet["A2"].value == "Saison 2025-2026"
    assert [c.value for c in sheet[3]] == list(TABLE.columns)
    assert all(c.font.b for c in sheet[3])
    assert (sheet["B4"].value, sheet["B4"].number_format) == (1234, "#,##0")
    assert (sheet["C4"].value, sheet["C4"].number_format) == (pytest.approx(0.324), "0.0 %")
    assert (sheet["D4"].value, sheet["D4"].number_format) == (12.5, "0.00")
    assert (sheet["E4"].value, sheet["E4"].number_format) == (pytest.approx(200.9), "0.0")
    assert (sheet["E5"].value, sheet["E5"].number_format) == (7, "#,##0")
    assert sheet["A5"].value == "=SOMME(A1)" and sheet["A5"].data_type == "s"  # no formula
    assert sheet["C5"].value is None
    assert sheet["A7"].value == "Note : Base : 2 personnes."


def _sheet_texts(sheet: Any) -> list[list[str]]:
    """A sheet's rows as the CSV writes them: numbers back to French text by their format."""
    rows = []
    for row in sheet.iter_rows():
        rows.append(_trimmed([_as_text(cell) for cell in row]))
    return rows


def _as_text(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return format_date(value.date())
    decimals = {"0.0 %": 1, "0.00": 2, "0.0": 1, "#,##0.0": 1}.get(cell.number_format, 0)
    number = Decimal(str(value * 100 if cell.number_format == "0.0 %" else value))
    return format(number.quantize(Decimal(1).scaleb(-decimals)), "f").replace(".", ",")


def _trimmed(row: list[str]) -> list[str]:
    """A row without its trailing empty cells (an empty cell is no cell in a sheet)."""
    while row and row[-1] == "":
        row = row[:-1]
    return row


def _csv_blocks(text: str) -> list[list[list[str]]]:
    """The CSV's tables: blocks separated by two empty rows."""
    reader = csv.reader(io.StringIO(text), delimiter=";")
    rows = [_trimmed([unescape_cell(v) for v in row]) for row in reader]
    blocks: list[list[list[str]]] = [[]]
    index = 0
    while index < len(rows):
        if not rows[index] and index + 1 < len(rows) and not rows[index + 1]:
            blocks.append([])
            index += 2
            continue
        blocks[-1].append(rows[index])
        index += 1
    return blocks


def assert_workbook_equals_csv(xlsx: Path, csv_file: Path) -> None:
    book = openpyxl.load_workbook(xlsx)
    blocks = _csv_blocks(csv_file.read_text(encoding="utf-8-sig"))
    assert len(book.worksheets) == len(blocks)
    for sheet, block in zip(book.worksheets, blocks, strict=True):
        assert _sheet_texts(sheet) == block


def test_xlsx_read_back_equals_the_csv(tmp_path: Path) -> None:
    exports.write_csv([TABLE, SECOND], tmp_path / "t.csv", "Saison")
    exports.write_xlsx([TABLE, SECOND], tmp_path / "t.xlsx", "Saison")

    assert_workbook_equals_csv(tmp_path / "t.xlsx", tmp_path / "t.csv")


# ---------------------------------------------------------------- on the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = open_app_database(
        "sqlite:///" + str(tmp_path_factory.mktemp("demo") / "demo.sqlite"), today=TODAY
    )
    with database.session() as session:
        seed_demo(session, today=TODAY)
    yield database
    database.dispose()


def _exports_journaled(database: Database) -> list[str]:
    with database.session() as s:
        return list(
            s.scalars(
                select(AuditEntry.summary)
                .where(AuditEntry.entity_type == "export")
                .order_by(AuditEntry.id)
            )
        )


def test_every_indicator_table_as_xlsx_equals_its_csv_and_both_are_journaled(
    demo: Database, tmp_path: Path
) -> None:
    scope = ReportScope(SEASON, "cobalt")
    before = len(_exports_journaled(demo))

    as_csv = exports.export_report(
        demo,
        scope,
        tmp_path / "i.csv",
        kind=ReportKind.INDICATORS,
        file_format=ExportFormat.CSV,
        funder="gen",
        actor=COORD,
    )
    as_xlsx = exports.export_report(
        demo,
        scope,
        tmp_path / "i.xlsx",
        kind=ReportKind.INDICATORS,
        file_format=ExportFormat.XLSX,
        funder="gen",
        actor=COORD,
    )

    assert as_csv == as_xlsx and as_csv.rows > 40
    assert as_csv.heading == "Saison 2025-2026 · Cobalt · financeur : Grande École du Numérique"
    assert_workbook_equals_csv(tmp_path / "i.xlsx", tmp_path / "i.csv")
    book = openpyxl.load_workbook(tmp_path / "i.xlsx")
    assert "Parcours de recrutement" in book.sheetnames
    journal = _exports_journaled(demo)[before:]
    assert journal == [
        f"Export des indicateurs de la saison ({kind}) : {as_csv.rows} lignes — saison "
        "2025-2026, site cobalt, financeur gen"
        for kind in ("CSV", "XLSX")
    ]


def test_report_text_of_the_funnel_prints_the_headline(demo: Database) -> None:
    text = exports.report_text(demo, ReportScope(SEASON), ReportKind.FUNNEL, actor=COORD)

    assert "| Candidatures           |        40 |" in text
    assert "| Entrés en formation    |        34 |" in text


def test_exports_are_coordinations_and_never_over_the_base(demo: Database, tmp_path: Path) -> None:
    scope = ReportScope(SEASON)
    before = _exports_journaled(demo)
    for actor in (DESK, TRAINER):
        with pytest.raises(PermissionDenied):
            exports.export_report(
                demo,
                scope,
                tmp_path / "x.csv",
                kind=ReportKind.FUNNEL,
                file_format=ExportFormat.CSV,
                actor=actor,
            )
        with pytest.raises(PermissionDenied):
            exports.pseudonymised_extract(demo, scope, tmp_path / "x.csv", actor=actor)
        with pytest.raises(PermissionDenied):
            exports.season_report_pdf(demo, scope, tmp_path / "x.pdf", actor=actor)
    with pytest.raises(PermissionDenied):  # names and phones: not a trainer's list
        exports.export_report(
            demo,
            scope,
            tmp_path / "x.csv",
            kind=ReportKind.DUE,
            file_format=ExportFormat.CSV,
            actor=TRAINER,
        )
    base = Path(str(demo.engine.url.database))
    with pytest.raises(OverwriteRefused):
        exports.export_report(
            demo, scope, base, kind=ReportKind.FUNNEL, file_format=ExportFormat.CSV, actor=COORD
        )
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.pdf").exists()
    assert _exports_journaled(demo) == before


def test_the_desk_exports_the_follow_ups_due(demo: Database, tmp_path: Path) -> None:
    out = tmp_path / "suivis.xlsx"

    done = exports.export_report(
        demo,
        ReportScope(SEASON),
        out,
        kind=ReportKind.DUE,
        file_format=ExportFormat.XLSX,
        today=date(2026, 12, 6),
        actor=DESK,
    )

    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert sheet["A1"].value == "Suivis à faire au 06/12/2026"
    assert [c.value for c in sheet[3]] == list(exports.DUE_COLUMNS)
    assert done.rows == sheet.max_row - 5  # title, scope, header, the rows, blank, note
    assert sheet["D4"].number_format == "DD/MM/YYYY"
    assert _exports_journaled(demo)[-1].startswith("Export des suivis à faire (XLSX)")


# ---------------------------------------------------------------- the extract


def _learner(
    s: Session,
    name: str,
    *,
    sex: str,
    born: str,
    enter: bool = True,
    leave: str | None = None,
    **more: str,
) -> int:
    data = CandidateInput(
        nom=name,
        prenom="Léa",
        sexe=sex,
        date_naissance=born,
        email=f"{name.lower()}@exemple.fr",
        telephone="06 12 34 56 78",
        adresse="3 rue des Lilas",
        saison=SEASON,
        site="cobalt",
        **more,
    )
    cid = create_candidate(s, data, now=datetime(2025, 10, 1, 9), actor=COORD).id
    steps = ("entretien", "admis", "entre_formation") if enter else ("entretien", "non_retenu")
    for stage in steps:
        change_stage(s, cid, stage, comment="Profil éloigné", actor=COORD, now=ENTERED)
    if leave:
        change_stage(
            s,
            cid,
            "sortie",
            comment="",
            actor=COORD,
            exit_type=leave,
            pathway_end="complet",
            now=LEFT,
        )
    return cid


@pytest.fixture
def learners(db: Database) -> dict[str, int]:
    with db.session() as s:
        ids = {
            "Dupontel": _learner(
                s,
                "Dupontel",
                sex="F",
                born="14/07/2000",
                leave="cdi",
                qpv="oui",
                demandeur_emploi="oui",
                date_inscription_france_travail="01/09/2024",
                rqth="oui",
            ),
            "Martinez": _learner(s, "Martinez", sex="M", born="02/02/1970"),
            "Bernardin": _learner(s, "Bernardin", sex="", born="", leave="sans_solution"),
            "Petitjean": _learner(s, "Petitjean", sex="F", born="01/01/1990", enter=False),
        }
        follow_up.record_outcome(
            s,
            ids["Dupontel"],
            "3_mois",
            "cdi",
            "01/10/2026",
            "telephone",
            "",
            actor=COORD,
            now=datetime(2026, 10, 2, 9),
        )
    rgpd.anonymise(db, [ids["Bernardin"]], actor=COORD)
    return ids


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))


def test_extract_one_row_per_learner_without_identity(
    db: Database, learners: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "extrait.csv"

    done = exports.pseudonymised_extract(db, ReportScope(SEASON), out, actor=COORD)

    assert done.rows == 3  # the three who entered, the anonymised one among them
    content = out.read_text(encoding="utf-8-sig")
    assert content.splitlines()[0] == ";".join(EXTRACT_COLUMNS)
    for identity in (
        "Dupontel",
        "Martinez",
        "Bernardin",
        "Petitjean",
        "Anonyme",
        "Léa",
        "exemple.fr",
        "06 12",
        "Lilas",
        "14/07/2000",
        "1970",
        "rqth",
    ):
        assert identity.casefold() not in content.casefold()
    rows = _rows(out)
    assert sorted(r["pseudonyme"] for r in rows) == ["A-001", "A-002", "A-003"]
    woman = next(r for r in rows if r["sexe"] == "Femme")
    assert woman == woman | {
        "saison": SEASON,
        "site": "Cobalt",
        "tranche_age_entree": "18 à 25 ans",
        "qpv": "oui",
        "zrr": "",
        "demandeur_emploi": "oui",
        "demandeur_emploi_12_mois": "oui",
        "date_entree": "01/12/2025",
        "date_sortie": "26/06/2026",
        "fin_de_parcours": "Parcours complet",
        "situation_sortie": "CDI",
        "situation_3_mois": "CDI",
        "situation_6_mois": "",
    }
    anonymised = next(r for r in rows if r["situation_sortie"] == "Sans solution")
    assert (anonymised["sexe"], anonymised["tranche_age_entree"]) == ("", "")
    still_in = next(r for r in rows if r["sexe"] == "Homme")
    assert (still_in["tranche_age_entree"], still_in["date_sortie"]) == ("50 ans et plus", "")
    assert _exports_journaled(db)[-1] == (
        "Export des apprenants (extrait pseudonymisé, CSV) : 3 lignes — saison 2025-2026"
    )


def test_extract_as_xlsx_equals_its_csv_with_real_dates(
    db: Database, learners: dict[str, int], tmp_path: Path
) -> None:
    scope = ReportScope(SEASON, "cobalt")
    exports.pseudonymised_extract(db, scope, tmp_path / "e.csv", actor=COORD)
    exports.pseudonymised_extract(
        db, scope, tmp_path / "e.xlsx", file_format=ExportFormat.XLSX, actor=COORD
    )

    book = openpyxl.load_workbook(tmp_path / "e.xlsx")
    assert book.sheetnames == ["Apprenants", "À lire"]
    sheet = book["Apprenants"]
    entry = EXTRACT_COLUMNS.index("date_entree") + 1
    assert sheet.cell(row=2, column=entry).value == datetime(2025, 12, 1)
    assert sheet.cell(row=2, column=entry).number_format == "DD/MM/YYYY"
    # The pseudonyms are drawn again for each extract: compare the rows without them.
    from_csv = sorted(
        _trimmed(row)[1:]
        for row in csv.reader(
            io.StringIO((tmp_path / "e.csv").read_text(encoding="utf-8-sig")), delimiter=";"
        )
    )
    assert sorted(row[1:] for row in _sheet_texts(sheet)) == from_csv
    notes = " ".join(str(c.value) for c in book["À lire"]["A"])
    assert "RQTH" in notes and "pseudonyme" in notes


def test_age_band_at_entry() -> None:
    entry = date(2025, 12, 1)
    assert age_band(date(2008, 12, 2), entry) == "moins de 18 ans"
    assert age_band(date(2007, 12, 1), entry) == "18 à 25 ans"
    assert age_band(date(1999, 12, 1), entry) == "26 à 30 ans"
    assert age_band(date(1994, 12, 2), entry) == "26 à 30 ans"  # 31 the next day
    assert age_band(date(1994, 12, 1), entry) == "31 à 49 ans"
    assert age_band(date(1975, 12, 1), entry) == "50 ans et plus"
    assert age_band(None, entry) == ""


def test_grid_of_keeps_the_rows_and_notes() -> None:
    grid = exports.grid_of(TABLE)
    assert isinstance(grid, Grid)
    assert grid.rows[0][0] == "Femmes" and grid.rows[0][1] == Cell(1234, "count")
    assert grid.notes == TABLE.notes
