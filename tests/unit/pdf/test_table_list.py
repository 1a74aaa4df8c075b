"""The printed list: title, filters, every row, the header on every page, the count, the
orientation chosen by the columns, fonts embedded, user text printed literally."""

from datetime import date
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from app.pdf.table_list import (
    ListColumn,
    ListDocument,
    ListIssuer,
    render_table_list,
    table_layout,
    table_list_pdf,
)

PRINTED = date(2026, 11, 28)
ISSUER = ListIssuer("La Fabrique du Numérique", "12 rue des Écoles, 86000 Poitiers")
NARROW = (
    ListColumn("Nom"),
    ListColumn("Âge", "RIGHT", wraps=False),
    ListColumn("Étape"),
    ListColumn("Téléphone", wraps=False),
)
WIDE = (
    *NARROW,
    ListColumn("E-mail"),
    ListColumn("Commune"),
    ListColumn("Prescripteur"),
    ListColumn("Filière souhaitée"),
    ListColumn("Date de naissance", wraps=False),
)


def _rows(count: int) -> list[list[str]]:
    return [
        [f"MARTIN Léa{i:03d}", str(20 + i % 30), "Entretien", "06 12 34 56 78"]
        for i in range(count)
    ]


def _document(
    rows: list[list[str]], columns: tuple[ListColumn, ...] = NARROW, **kwargs: object
) -> ListDocument:
    values: dict[str, object] = {
        "title": "Liste des candidats",
        "columns": columns,
        "rows": rows,
        "counted": ("candidat", "candidats"),
        "printed_on": PRINTED,
        "issuer": ISSUER,
        "filters": ("Saison 2026-2027 · Cobalt · recherche « martin » · étape Entretien",),
    }
    values.update(kwargs)
    return ListDocument(**values)  # type: ignore[arg-type]


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def test_title_filters_date_rows_and_count() -> None:
    text = "\n".join(_pages(table_list_pdf(_document(_rows(31)))))

    assert "Liste des candidats" in text
    assert "Saison 2026-2027 · Cobalt · recherche « martin » · étape Entretien" in text
    assert "Imprimée le 28/11/2026" in text
    assert "La Fabrique du Numérique" in text
    for i in range(31):
        assert f"MARTIN Léa{i:03d}" in text
    assert "31 candidats" in text


def test_count_is_singular_for_one_and_none() -> None:
    assert "1 candidat\n" in "\n".join(_pages(table_list_pdf(_document(_rows(1))))) + "\n"
    text = "\n".join(_pages(table_list_pdf(_document([]))))
    assert "0 candidat" in text and "0 candidats" not in text


def test_a_long_list_repeats_the_header_and_numbers_its_pages() -> None:
    pages = _pages(table_list_pdf(_document(_rows(150))))

    assert len(pages) > 2
    for number, page in enumerate(pages, 1):
        assert "Nom" in page and "Téléphone" in page
        assert f"page {number} / {len(pages)}" in page
    assert "150 candidats" in pages[-1]
    every = "\n".join(pages)
    assert all(f"MARTIN Léa{i:03d}" in every for i in range(150))


def test_orientation_follows_the_columns() -> None:
    narrow = PdfReader(BytesIO(table_list_pdf(_document(_rows(3))))).pages[0]
    rows = [
        [*row, "lea.martin@example.org", "Poitiers", "France Travail", "Web", "01/02/2000"]
        for row in _rows(3)
    ]
    wide_document = _document(rows, WIDE)
    wide = PdfReader(BytesIO(table_list_pdf(wide_document))).pages[0]

    assert not table_layout(_document(_rows(3))).landscape
    assert table_layout(wide_document).landscape
    assert narrow.mediabox.width < narrow.mediabox.height
    assert wide.mediabox.width > wide.mediabox.height
    assert "lea.martin@example.org" in wide.extract_text()


def test_long_cells_wrap_and_markup_prints_literally() -> None:
    long_name = "DE LA FONTAINE-SAINT-HILAIRE <b>Marie-Éléonore</b> & Anne " * 3
    pdf = table_list_pdf(_document([[long_name, "30", "Entretien", "06 12 34 56 78"]]))
    text = " ".join(_pages(pdf)[0].split())

    assert "<b>Marie-Éléonore</b> & Anne" in text
    assert "06 12 34 56 78" in text  # a column that does not wrap stays on one line


def test_fonts_are_embedded_and_writing_to_a_path_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "liste.pdf"
    render_table_list(_document(_rows(5)), target)

    reader = PdfReader(target)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("DejaVu" in name for name in fonts)
    assert reader.metadata is not None and reader.metadata.title == "Liste des candidats"
    assert [p.name for p in tmp_path.iterdir()] == ["liste.pdf"]


def test_same_list_gives_the_same_bytes() -> None:
    assert table_list_pdf(_document(_rows(20))) == table_list_pdf(_document(_rows(20)))
