"""The bilan de saison PDF: the scope and headline, the funnel and composition charts, every
indicator table; parsed back with pypdf."""

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.demo.seed import seed_demo
from app.pdf.season_report import render_season_report
from app.pdf.season_report_data import Bar, BarChart, ReportTable, SeasonReportData
from app.services.base_access.opening import open_app_database
from app.services.reports import exports
from app.services.reports.scope import ReportScope
from app.storage import Database
from tests.conftest import TODAY, make_actor

COORD = make_actor("coordination", "claire.vasseur", "Claire Vasseur")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = open_app_database(
        "sqlite:///" + str(tmp_path_factory.mktemp("demo") / "demo.sqlite"), today=TODAY
    )
    with database.session() as session:
        seed_demo(session, today=TODAY)
    yield database
    database.dispose()


def _text(pdf: Path | bytes) -> tuple[list[str], PdfReader]:
    reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    return [page.extract_text() for page in reader.pages], reader


def _heights(page: object) -> dict[str, float]:
    """Each text drawn on the page and its height from the bottom (its first drawing)."""
    found: dict[str, float] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_args: object) -> None:
        if text.strip():  # the text's origin through the text and current matrices
            found.setdefault(text.strip(), tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return found


def test_bilan_of_the_past_season_has_the_charts_and_every_table(
    demo: Database, tmp_path: Path
) -> None:
    out = tmp_path / "bilan.pdf"

    done = exports.season_report_pdf(
        demo, ReportScope("2025-2026"), out, today=date(2026, 12, 6), actor=COORD
    )

    pages, reader = _text(out)
    first, everything = pages[0], " ".join(pages)
    assert "Bilan de saison 2025-2026" in first and f"page 1 / {len(pages)}" in first
    assert "40 candidatures, 34 entrés en formation (85,0 %)" in first
    assert "les deux sites" in first and "toutes les filières" in first
    # The funnel chart: each step with its count and share, in the funnel's order.
    steps = ["Candidatures", "Entretien", "Admis", "Entrés en formation", "Sortis"]
    heights = _heights(reader.pages[0])
    assert [heights[step] for step in steps] == sorted(
        (heights[step] for step in steps), reverse=True
    )  # the first step at the top
    assert "40 (100,0 %)" in first and "34 (85,0 %)" in first
    for chart in ("Sexe", "Âge à l'entrée", "Niveau de diplôme", "Publics"):
        assert chart in first
    assert "Femmes" in first and "18 à 25 ans" in first and "QPV" in first
    for title in (
        "Parcours de recrutement",
        "Perdus à chaque étape, par motif",
        "Qui est entré en formation",
        "Sorties positives",
        "Situations des sortis",
    ):
        assert title in everything
    assert "Imprimé le 06/12/2026" in everything
    assert done.rows > 40
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index, union-attr]
    }
    assert fonts and all("DejaVu" in name for name in fonts)  # embedded, never Helvetica


def _chart(*bars: Bar) -> BarChart:
    return BarChart("Essai", bars)


def _data(**changes: object) -> SeasonReportData:
    values: dict[str, object] = {
        "organisation_name": "La Fabrique du Numérique",
        "organisation_address": "12 rue de la Cathédrale, 86000 Poitiers",
        "logo_path": "",
        "season_label": "2025-2026",
        "scope_lines": (("Site", "Cobalt"), ("Saison", "2025-2026")),
        "headline": "3 candidatures, 2 entrés en formation (66,7 %)",
        "funnel": _chart(Bar("Candidatures", 3, "3 (100,0 %)"), Bar("Entrés", 2, "2 (66,7 %)")),
        "composition": (),
        "tables": (),
        "printed_on": date(2026, 12, 6),
    }
    values.update(changes)
    return SeasonReportData(**values)  # type: ignore[arg-type]


def test_user_text_prints_literally_and_an_empty_chart_says_so() -> None:
    table = ReportTable(
        "Prescripteurs <b>&</b>",
        ("Indicateur", "Personnes"),
        (("Prescripteur : <i>Asso & co</i>", "2"), ("Non renseigné", "—")),
        ("Note <u>soulignée</u> & vraie",),
    )
    buffer = io.BytesIO()

    render_season_report(_data(tables=(table,), composition=(_chart(),), funnel=_chart()), buffer)

    text = " ".join(_text(buffer.getvalue())[0])
    assert "Prescripteurs <b>&</b>" in text
    assert "Prescripteur : <i>Asso & co</i>" in text
    assert "Note <u>soulignée</u> & vraie" in text
    assert text.count("Aucune donnée.") == 2


def test_bars_of_equal_length_keep_their_own_figures() -> None:
    buffer = io.BytesIO()
    chart = _chart(Bar("Premier", 10, "10 (premier)"), Bar("Second", 10, "10 (second)"))

    render_season_report(_data(funnel=chart), buffer)

    heights = _heights(_text(buffer.getvalue())[1].pages[0])
    assert heights["10 (premier)"] == pytest.approx(heights["Premier"], abs=3)
    assert heights["10 (second)"] == pytest.approx(heights["Second"], abs=3)
    assert heights["Premier"] > heights["Second"]
