"""What the PDF documents keep from one document to the next (parsed paragraphs, parsed
clause files, decoded logos) never changes what a document prints: the same bytes as
without the caches, and an edited clause file or a replaced logo shows in the next one."""

import io
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table
from reportlab.platypus import Paragraph as ReportlabParagraph
from sqlalchemy.orm import Session

from app.pdf import images, paragraph
from app.pdf.avenant import render_avenant
from app.pdf.convention import render_convention
from app.pdf.convention_data import ConventionData
from app.pdf.fonts import register_fonts
from app.pdf.images import draw_image, read_image
from app.pdf.layout import LOGO_MAX_WIDTH, MARGIN_X, PAGE_WIDTH, styles
from app.pdf.paragraph import Paragraph
from app.services.agreements.documents import avenant_data, convention_data
from tests.unit.pdf.documents_world import TODAY, amend, flat, signed
from tests.unit.pdf.test_convention import _agreement

ORGANISATION = "La Fabrique du Numérique"
RED, BLUE = (200, 30, 30), (30, 30, 200)
LONG = (
    "Le stagiaire suit une action de formation professionnelle continue ; il relève des "
    "articles L6341-1 et suivants du Code du travail, et non du régime des stages étudiants. "
) * 6


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    paragraph.clear_parsed()
    images.clear_decoded()
    yield
    paragraph.clear_parsed()
    images.clear_decoded()


@pytest.fixture
def data(session: Session) -> ConventionData:
    return convention_data(session, _agreement(session), today=TODAY)


def _render(data: ConventionData, **kwargs: Any) -> bytes:
    out = io.BytesIO()
    render_convention(data, out, **kwargs)
    return out.getvalue()


# ---------------------------------------------------------------- paragraphs


def _story(make: Callable[..., Any]) -> list[Any]:
    """Paragraphs the way the documents use them: justified text split across pages,
    bullets, markup, table cells (measured twice) and groups kept together."""
    style = styles()
    rows = [
        [
            make(f"<b>Libellé {i}</b>", style["label"]),
            make(f"valeur {i} &amp; « {i} »", style["cell"]),
        ]
        for i in range(12)
    ]
    flow: list[Any] = []
    for _ in range(6):
        flow += [
            make("Article — Parties", style["h1"]),
            make(LONG, style["clause"]),
            make("une puce – avec un tiret", style["bullet"], bulletText="–"),
            KeepTogether(
                [make("Encadrement", style["h2"]), Table(rows, colWidths=[50 * mm, 110 * mm])]
            ),
            make(LONG + "<br/>" + LONG, style["clause"]),
            Spacer(1, 4 * mm),
        ]
    return flow


def _document(make: Callable[..., Any]) -> bytes:
    register_fonts()
    out = io.BytesIO()
    SimpleDocTemplate(out, invariant=1).build(_story(make))
    return out.getvalue()


def test_cached_paragraphs_print_what_reportlab_prints() -> None:
    expected = _document(ReportlabParagraph)
    assert len(PdfReader(io.BytesIO(expected)).pages) > 2  # paragraphs and tables split
    assert _document(Paragraph) == expected  # parsed now
    assert _document(Paragraph) == expected  # parsed texts reused


def test_a_paragraph_measured_at_another_width_breaks_its_lines_again() -> None:
    text = Paragraph(LONG, styles()["clause"])
    _, wide = text.wrap(170 * mm, 1000)
    _, narrow = text.wrap(60 * mm, 1000)
    assert narrow > wide
    assert text.wrap(170 * mm, 1000)[1] == wide
    assert text.wrap(60 * mm, 1000)[1] == narrow


def test_parsed_paragraphs_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paragraph, "PARSED_LIMIT", 5)
    for i in range(20):
        Paragraph(f"texte {i}", styles()["cell"])
    assert len(paragraph._parsed) == 5


# ---------------------------------------------------------------- clause files


def _same_size_and_date(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` (same length) in the file, keeping its modification date."""
    assert len(old) == len(new)
    stat = path.stat()
    path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_an_edited_clause_file_prints_its_new_text(data: ConventionData, tmp_path: Path) -> None:
    clauses = tmp_path / "convention.md"
    clauses.write_text("## 2. Objet\nPremière version du texte.\n", "utf-8")
    first = _render(data, clauses_path=clauses)
    assert "Première version du texte." in flat(first)
    _same_size_and_date(clauses, "Première", "Deuxième")
    second = flat(_render(data, clauses_path=clauses))
    assert "Deuxième version du texte." in second and "Première" not in second
    _same_size_and_date(clauses, "Deuxième", "Première")
    assert _render(data, clauses_path=clauses) == first


def test_an_edited_avenant_template_prints_its_new_text(session: Session, tmp_path: Path) -> None:
    agreement_id = signed(session)
    rank = amend(session, agreement_id, "Changement de lieu", lieu="8 rue du Port, Niort")
    data = avenant_data(session, agreement_id, rank, today=TODAY)
    template = tmp_path / "avenant.md"
    template.write_text("## 1. Objet\nTexte initial.\n", "utf-8")
    out = io.BytesIO()
    render_avenant(data, out, template=template)
    assert "Texte initial." in flat(out.getvalue())
    _same_size_and_date(template, "initial", "modifié")
    out = io.BytesIO()
    render_avenant(data, out, template=template)
    assert "Texte modifié." in flat(out.getvalue()) and "initial" not in flat(out.getvalue())


# ---------------------------------------------------------------- logo


def _logo(path: Path, colour: tuple[int, int, int], *, alpha: bool = False) -> None:
    image = Image.new("RGBA" if alpha else "RGB", (90, 30), colour)
    if alpha:
        image.putpixel((0, 0), (0, 0, 0, 0))
    image.save(path, format="JPEG" if path.suffix in (".jpg", ".jpeg") else "PNG")


def _with_logo(data: ConventionData, path: Path) -> ConventionData:
    return replace(data, organisation=replace(data.organisation, logo_path=str(path)))


def _logo_colours(pdf: bytes) -> set[tuple[int, ...]]:
    """The colour of the logo's middle pixel on every page."""
    found = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        (image,) = page.images
        found.add(image.image.convert("RGB").getpixel((45, 15)))
    return found


def test_a_replaced_logo_prints_the_new_image(data: ConventionData, tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    _logo(path, RED)
    stat = path.stat()
    red = _render(_with_logo(data, path))
    assert _logo_colours(red) == {RED}
    _logo(path, BLUE)  # same name, same size, same date
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert _logo_colours(_render(_with_logo(data, path))) == {BLUE}
    _logo(path, RED)
    assert _render(_with_logo(data, path)) == red


def _header_name_x(pdf: bytes) -> float:
    """Where the organisation's name starts in the header of page 1."""
    found: list[float] = []

    def visit(text: str, _cm: Any, tm: Any, _font: Any, _size: Any) -> None:
        if text.strip() == ORGANISATION and tm[5] > 800:
            found.append(tm[4])

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    assert found, "organisation name missing from the header"
    return found[0]


def test_the_organisation_name_follows_the_logo(data: ConventionData, tmp_path: Path) -> None:
    wide = tmp_path / "logo.png"
    Image.new("RGB", (900, 300), BLUE).save(wide)  # 3:1, wider than the logo's box
    x = _header_name_x(_render(_with_logo(data, wide)))
    assert MARGIN_X + LOGO_MAX_WIDTH < x < MARGIN_X + LOGO_MAX_WIDTH + 5 * mm < PAGE_WIDTH / 2
    square = tmp_path / "carre.png"
    Image.new("RGB", (300, 300), BLUE).save(square)
    assert MARGIN_X < _header_name_x(_render(_with_logo(data, square))) < x


def test_a_file_that_is_not_an_image_prints_no_logo(data: ConventionData, tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    path.write_bytes(b"ceci n'est pas une image")
    pdf = _render(_with_logo(data, path))
    assert not PdfReader(io.BytesIO(pdf)).pages[0].images
    assert _header_name_x(pdf) == pytest.approx(MARGIN_X)


@pytest.mark.parametrize(
    ("name", "alpha"),
    [("logo.png", False), ("logo.png", True), ("logo.jpg", False), ("photo.jpeg", False)],
)
def test_a_cached_logo_is_drawn_as_reportlab_draws_the_file(
    tmp_path: Path, name: str, alpha: bool
) -> None:
    path = tmp_path / name
    _logo(path, RED, alpha=alpha)

    def page(draw: Callable[[Canvas], object]) -> bytes:
        out = io.BytesIO()
        canvas = Canvas(out, invariant=1)
        for _ in range(2):
            draw(canvas)
            canvas.showPage()
        canvas.save()
        return out.getvalue()

    box = {"width": 30 * mm, "height": 11 * mm}
    expected = page(
        lambda c: c.drawImage(
            str(path), 20, 700, preserveAspectRatio=True, anchor="w", mask="auto", **box
        )
    )
    image = read_image(path)
    assert image is not None
    for _ in range(2):  # decoded, then copied from the cache
        assert page(lambda c: draw_image(c, image, 20, 700, anchor="w", **box)) == expected
